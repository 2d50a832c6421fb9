"""Answer composition, as pure functions (no model)."""

from __future__ import annotations

from dataclasses import replace

from bot.answer.compose import abstain, compose, select_sentences
from bot.records import Candidate, Passage


def passage(pid, text, heading="", start=0, sentences=None):
    sentences = sentences or ((start, start + len(text)),)
    return Passage(
        pid=pid,
        doc_id=f"doc{pid}.txt",
        title=f"Title {pid}",
        heading=heading,
        start=start,
        end=start + len(text),
        text=text,
        sentences=tuple(sentences),
    )


def cand(p, span, text, score, typed=True):
    return Candidate(passage=p, span=span, text=text, score=score, passage_score=score, typed=typed)


def scored(tmp_path, text, question, name="career.txt"):
    """The answer candidates for a question over one file (text, unless ``name`` says otherwise), with the fake embedder."""
    from bot.answer.scoring import score_sentences

    from .conftest import fake_bot_of

    bot = fake_bot_of(tmp_path, {name: text})
    found = bot._retrieve(bot._read(question, []))
    return score_sentences(found.hits, found.query, bot.retriever, bot.sentences, bot.tuning)


def test_best_sentence_leads_and_close_ones_join():
    a, b = passage(0, "Alpha one. Alpha two."), passage(1, "Beta one.")
    chosen = select_sentences(
        [
            cand(a, (0, 10), "Alpha one is the best answer here.", 0.9),
            cand(b, (0, 9), "Beta says something else entirely.", 0.85),
            cand(a, (11, 21), "Far below the best one in score.", 0.5),
        ]
    )
    assert [c.text for c in chosen] == ["Alpha one is the best answer here.", "Beta says something else entirely."]


def test_near_duplicates_are_not_repeated():
    a, b = passage(0, "x"), passage(1, "y")
    chosen = select_sentences(
        [
            cand(a, (0, 1), "You can expect a very comfortable income in this field.", 0.9),
            cand(b, (0, 1), "You can expect a very comfortable income in this field!", 0.89),
        ]
    )
    assert len(chosen) == 1


def test_length_budget_is_kept():
    ps = [passage(i, "x") for i in range(3)]
    long = " ".join(["word"] * 40)
    chosen = select_sentences([cand(p, (0, 1), f"{long} {i}.", 0.9 - i * 0.01) for i, p in enumerate(ps)])  # Tuning.max_answer_words is 70
    assert sum(len(c.text.split()) for c in chosen) <= 70


def test_a_typed_neighbour_completes_an_untyped_best_sentence():
    p = passage(0, "General words. Exactly $10 a day.", sentences=((0, 14), (15, 33)))
    chosen = select_sentences(
        [
            cand(p, (0, 14), "General words about pay in general.", 0.9, typed=False),
            cand(p, (15, 33), "Exactly $10 a day for this job.", 0.5, typed=True),
        ]
    )
    assert [c.span for c in chosen] == [(0, 14), (15, 33)]


def test_markers_number_passages_in_order_of_use():
    a, b = passage(0, "A."), passage(1, "B.")
    answer = compose(
        "q",
        [cand(b, (0, 2), "Bee sentence one.", 0.9), cand(a, (0, 2), "Ay sentence two.", 0.8), cand(b, (0, 2), "Bee again here.", 0.7)],
        max_citations=3,
    )
    assert answer.text == "Bee sentence one. [1] Ay sentence two. [2] Bee again here. [1]"
    assert [(c.n, c.pid) for c in answer.citations] == [(1, 1), (2, 0)]


def test_a_topic_heading_names_the_section():
    p = passage(0, "Community\nPeople here are friendly.", heading="Community")
    answer = compose("q", [cand(p, (10, 35), "People here are friendly.", 0.9)], max_citations=3)
    assert answer.text.startswith("Community: People here are friendly.")
    # a sentence that already names its section is left as it is
    q = passage(1, "Community\nThe community is small.", heading="Community")
    assert compose("q", [cand(q, (10, 33), "The community is small.", 0.9)], max_citations=3).text.startswith("The community")


def test_a_section_is_named_once_in_an_answer():
    """Two passages of one section cited in one answer: its name leads the first only ("R15. Help: … [1] … [2]")."""
    a = passage(0, "Auth failure\nTry upgrading first.", heading="Auth failure")
    b = replace(passage(1, "Auth failure\nThen set the scheme by hand.", heading="Auth failure", start=40), doc_id="doc0.txt")
    other = replace(passage(2, "Auth failure\nIt is not a bug.", heading="Auth failure", start=80), doc_id="other.txt")
    chosen = [cand(a, (13, 33), "Try upgrading first.", 0.9), cand(b, (53, 80), "Then set the scheme by hand.", 0.8)]
    text = compose("q", chosen, max_citations=3).text
    assert text == "Auth failure: Try upgrading first. [1] Then set the scheme by hand. [2]"
    text = compose("q", [*chosen, cand(other, (93, 109), "It is not a bug.", 0.7)], max_citations=3).text
    assert text.endswith("[2] Auth failure: It is not a bug. [3]")  # another document's section of that name is another


def test_abstention_offers_suggestions():
    answer = abstain("weather?", ("Do I need a master's degree?",))
    assert answer.abstained and not answer.citations and "Do I need a master's degree?" in answer.text


def test_an_incomplete_best_sentence_is_completed_by_the_next_one():
    p = passage(0, "Tip: don't be intimidated by the jargon! Start with the basics. Later text.", sentences=((0, 40), (41, 63), (64, 75)))
    lead = Candidate(
        passage=p, span=(0, 40), text="Tip: don't be intimidated by the jargon!", score=0.9, passage_score=0.9, typed=True, incomplete=True
    )
    nxt = cand(p, (41, 63), "Start with the basics.", 0.3)
    other = cand(p, (64, 75), "Later text that scores a little better.", 0.4)
    chosen = select_sentences([lead, nxt, other])
    assert [c.text for c in chosen] == ["Tip: don't be intimidated by the jargon!", "Start with the basics."]


def test_a_complete_best_sentence_is_not_extended_by_a_weak_neighbour():
    p = passage(0, "Python is the most popular. Start with the basics.", sentences=((0, 27), (28, 50)))
    chosen = select_sentences([cand(p, (0, 27), "Python is the most popular.", 0.9), cand(p, (28, 50), "Start with the basics.", 0.3)])
    assert [c.text for c in chosen] == ["Python is the most popular."]


def test_a_short_next_sentence_close_in_score_finishes_the_best_one():
    """ "Colons cannot be escaped in menu entries. They will be replaced with semicolons.": the next sentence of the
    passage goes on with the best one when it scores within Tuning.continue_margin and is short; it takes no place
    of another passage's sentence."""
    p = passage(0, "Colons cannot be escaped. They become semicolons. Unrelated.", sentences=((0, 25), (26, 48), (49, 60)))
    q = passage(1, "Another passage says more.")
    best = cand(p, (0, 25), "Colons cannot be escaped in menu entries.", 0.9)
    nxt = cand(p, (26, 48), "They will be replaced with semicolons.", 0.65)
    others = [
        cand(q, (0, 26), text, 0.85 - i * 0.01) for i, text in enumerate(("Alpha beta gamma.", "Delta epsilon zeta.", "Eta theta iota."))
    ]
    chosen = [c.text for c in select_sentences([best, nxt, *others])]
    assert chosen[:2] == [best.text, nxt.text] and len(chosen) == 4
    long_next = cand(p, (26, 48), " ".join(["word"] * 30) + ".", 0.62)  # joins only by the ordinary margin, which it misses
    assert [c.text for c in select_sentences([best, long_next])] == [best.text]
    assert [c.text for c in select_sentences([best, cand(p, (26, 48), "They will be replaced.", 0.5)])] == [best.text]


def test_a_short_question_after_the_best_sentence_brings_its_reply():
    """ "For most careers, there is a standard path. In machine learning? Not so much.": the short question turns the
    best sentence, and the answer is its reply, however both score; one marker covers the run of sentences."""
    text = "For most careers, there is a standard path. In machine learning? Not so much. Unrelated words here."
    p = passage(0, text, sentences=((0, 43), (44, 64), (65, 77), (78, 98)))
    best = cand(p, (0, 43), "For most careers, there is a standard path.", 0.9)
    turn = cand(p, (44, 64), "In machine learning?", 0.1)
    reply = cand(p, (65, 77), "Not so much.", 0.1)
    other = cand(p, (78, 98), "Unrelated words here.", 0.2)
    chosen = select_sentences([best, turn, reply, other])
    assert [c.text for c in chosen] == [best.text, turn.text, reply.text]
    answer = compose("q", chosen, max_citations=3)
    assert answer.text == "For most careers, there is a standard path. In machine learning? Not so much. [1]"
    assert answer.citations[0].highlights == ((0, 43), (44, 64), (65, 77))
    long_question = cand(p, (44, 64), "Is that how it goes in machine learning as well?", 0.1)  # not a turn: a question
    assert [c.text for c in select_sentences([best, long_question, reply])] == [best.text]


def test_a_sentence_that_joins_the_answer_brings_its_turn_and_reply_too():
    """The same turn after a sentence that is not the best one but joins it: its reply comes with it."""
    text = "For most careers, there is a standard path. In machine learning? Not so much. Unrelated words here."
    p = passage(0, text, sentences=((0, 43), (44, 64), (65, 77), (78, 98)))
    best = cand(passage(1, "Becoming one won't be easy."), (0, 27), "Becoming one won't be easy.", 0.9)
    joined = cand(p, (0, 43), "For most careers, there is a standard path.", 0.8)
    turn, reply = cand(p, (44, 64), "In machine learning?", 0.1), cand(p, (65, 77), "Not so much.", 0.1)
    assert select_sentences([best, joined, turn, reply]) == [best, joined, turn, reply]


def test_sentences_of_one_passage_that_do_not_follow_each_other_keep_their_own_markers():
    p = passage(0, "One. Two. Three.", sentences=((0, 4), (5, 9), (10, 16)))
    answer = compose("q", [cand(p, (0, 4), "One is said here.", 0.9), cand(p, (10, 16), "Three is said here.", 0.8)], max_citations=3)
    assert answer.text == "One is said here. [1] Three is said here. [1]"


def test_a_question_the_text_goes_on_to_answer_is_quoted_with_its_answer(tmp_path):
    """ "But is it a good career choice? Yes! As long as …": the answer is the sentence after the question, and the
    one-word "Yes!" opens it rather than being dropped as too short to quote."""
    text = (
        "Some people wonder whether the work pays off.\n"
        "But is statistics a good career choice? Yes! As long as you are willing to put in the work. "
        "Other things follow here.\n- Short item.\n- Another item.\n"
    )
    candidates = scored(tmp_path, text, "is statistics a good career choice")
    best = max(candidates, key=lambda c: c.score)
    assert best.text == "But is statistics a good career choice?" and best.incomplete
    chosen = [c.text for c in select_sentences(candidates)]
    assert chosen[:2] == [best.text, "Yes! As long as you are willing to put in the work."]
    assert "Short item." not in " ".join(c.text for c in candidates)  # a short list item opens nothing


def test_a_question_the_text_follows_with_a_signpost_is_no_answer(tmp_path):
    """ "But is it a good career choice for you? Let's dive into …" asks and then only points on; the question the
    text does answer ("… a good career choice? Yes! …") is quoted instead, though it matches a little less."""
    text = (
        "So you want statistics work? But is statistics really a good career choice for you? "
        "Let's dive into what it means to do it.\n\n"
        "Some people wonder whether the work pays off.\n"
        "But is statistics a good career choice overall? Yes! As long as you are willing to put in the work.\n"
    )
    candidates = scored(tmp_path, text, "is statistics really a good career choice for you")
    texts = [c.text for c in candidates]
    assert "But is statistics really a good career choice for you?" not in texts
    chosen = [c.text for c in select_sentences(candidates)]
    assert chosen[:2] == ["But is statistics a good career choice overall?", "Yes! As long as you are willing to put in the work."]


def test_code_joins_a_what_is_answer_only_with_the_sentence_that_introduces_it():
    """'what is git-shell for': a near-best code block without its introduction would crowd out the prose answer."""
    from dataclasses import replace

    text = "It is a login shell. Run this: $ grep git /etc/passwd It allows nothing but push and pull."
    spans = ((0, 20), (21, 30), (31, 52), (53, 91))
    p = replace(passage(0, text, sentences=spans), code=((31, 52),))
    best = cand(p, (0, 20), "It is a login shell.", 0.8)
    code = replace(cand(p, (31, 52), "$ grep git /etc/passwd", 0.75), code=True)
    other = cand(p, (53, 91), "It allows nothing but push and pull.", 0.74)
    assert code not in select_sentences([best, code, other], how=False)
    assert code in select_sentences([best, code, other], how=True)  # "how do I …": the command may answer it
    intro = cand(p, (21, 30), "Run this:", 0.76)
    assert code in select_sentences([best, intro, code, other], how=False)


def test_a_sentence_that_runs_into_code_joins_with_its_code():
    """ "… you could add this option:" scores near the best sentence while its code block scores low: both join, in
    text order, instead of the sentence being passed over for leaving the reader hanging."""
    from dataclasses import replace

    other = passage(1, "Fetchmail tries TLS opportunistically.")
    text = "To prevent it, you could add this option: sslproto ''"
    p = replace(passage(0, text, sentences=((0, 42), (43, 54))), code=((43, 54),))
    best = cand(other, (0, 38), "Fetchmail tries TLS opportunistically.", 0.9)
    intro = cand(p, (0, 42), "To prevent it, you could add this option:", 0.8)
    code = replace(cand(p, (43, 54), "sslproto ''", 0.3), code=True)
    assert select_sentences([best, intro, code], how=False) == [best, intro, code]
    assert select_sentences([best, intro], how=False) == [best]  # without its code it still leaves the reader hanging


def test_a_sentence_that_code_interrupts_goes_on_after_the_code():
    """ "Type [biff n] to turn it off.": the code joins with the sentence it interrupts, and so does the rest of that
    sentence after it, which begins in lower case; a sentence after the code that begins anew does not."""
    text = "Type this: biff n to turn it off. Then log in again."
    spans = ((0, 10), (11, 17), (18, 33), (34, 52))
    p = replace(passage(0, text, sentences=spans), code=((11, 17),))
    lead = replace(cand(p, (0, 10), "Type this:", 0.9), incomplete=True)
    code = replace(cand(p, (11, 17), "biff n", 0.5), code=True)
    rest = cand(p, (18, 33), "to turn it off.", 0.2)
    later = cand(p, (34, 52), "Then log in again.", 0.2)
    assert select_sentences([lead, code, rest, later], how=True) == [lead, code, rest]
    capital = cand(p, (18, 33), "To turn it off.", 0.2)
    assert select_sentences([lead, code, capital, later], how=True) == [lead, code]


def test_a_fragment_before_code_stays_with_its_sentence(tmp_path):
    """A fragment too short to stand alone that runs into a code block ("… to control this. Type", "… in this regard.
    Example:") is read with the sentence before it, and the lead-in it ends with costs that sentence nothing: the
    sentence says something first, and then brings its example."""
    text = (
        "# Quoting\n\nThe standard says quotes in strings are escaped by doubling them. SQL works like Pascal in this "
        "regard. Example:\n\n```\nINSERT INTO xyz VALUES('5 O''clock');\n```\n\n# Notices\n\nThere should be a "
        "notice command to control the terminal notices. Type\n\n```\nbiff n\n```\n\nto turn them off.\n"
    )
    texts = {c.text: c for c in scored(tmp_path, text, "how are quotes in strings escaped like in pascal", "notes.md")}
    assert "SQL works like Pascal in this regard. Example:" in texts and "Example:" not in texts
    assert "There should be a notice command to control the terminal notices. Type" in texts and "Type" not in texts
    assert texts["There should be a notice command to control the terminal notices. Type"].incomplete  # it needs its code


def _listed(items, lead="Here is what they do:"):
    """A passage of a lead-in and a bulleted list, with one candidate per sentence (the lead-in best)."""
    lines = [lead] + [f"  \u2022 {item}" for item in items] + ["", "It is a demanding role."]
    text = "\n".join(lines)
    spans, at = [], 0
    for line in lines:
        if line:
            body = line.lstrip(" \u2022")
            start = text.index(body, at)
            spans.append((start, start + len(body)))
            at = start + len(body)
    p = passage(0, text, heading="Daily tasks", sentences=spans)
    texts = [text[s:e] for s, e in spans]
    cands = [cand(p, span, t, 0.9 if k == 0 else 0.5 - k * 0.01) for k, (span, t) in enumerate(zip(spans, texts, strict=True))]
    return p, [replace(cands[0], incomplete=True), *cands[1:]]


def test_a_lead_in_gives_its_list_as_a_list():
    """ "Here's a glimpse into their daily tasks:" is answered by the items that follow it, each on its own line,
    however low they score; the paragraph after the list is not one of them."""
    items = ["Building pipelines: Data flows to models.", "Tuning models: Faster and more accurate.", "Teamwork: It is key!"]
    _, cands = _listed(items)
    chosen = select_sentences(cands)
    assert [c.text for c in chosen] == ["Here is what they do:", *items]
    text = compose("what do they do", chosen, 3).text
    assert text == "Daily tasks: Here is what they do:\n\u2022 " + "\n\u2022 ".join(items) + " [1]"


def test_a_long_list_is_given_by_its_labels():
    long = " ".join(["word"] * 40)
    items = [f"Label number {k}: {long}." for k in range(4)]
    _, cands = _listed(items)
    assert [c.text for c in select_sentences(cands)][1:] == [f"Label number {k}" for k in range(4)]
    unlabelled = [f"Item {k} {long}." for k in range(4)]  # no labels: as many whole items as fit
    _, cands = _listed(unlabelled)
    assert [c.text for c in select_sentences(cands)][1:] == unlabelled[:2]


def test_log_lines_the_question_quotes_are_followed_by_the_text_that_explains_them():
    """ "auth.log full of cron root sessions opened/closed, what's that": the FAQ entry opens with those log lines, and
    the sentences after them answer; the lines alone only show the asker what they already saw."""
    from bot.answer.roles import quotes_question

    question = "auth.log full of cron root sessions opened/closed whats that"
    log = "May 2 PAM_unix[1477]: (cron) session closed for user root\nMay 2 PAM_unix[1536]: (cron) session opened for user root"
    assert quotes_question(log, question)
    assert not quotes_question("$ git branch -d experimental", "how do I delete a branch")  # a command that answers
    text = f"You might see entries like these: {log} These are due to a cron job. Nothing to worry about."
    spans = ((0, 33), (34, 34 + len(log)), (35 + len(log), 59 + len(log)), (60 + len(log), len(text)))
    p = replace(passage(0, text, sentences=spans), code=(spans[1],))
    lead = replace(cand(p, spans[0], text[: spans[0][1]], 0.9), incomplete=True)
    code = replace(cand(p, spans[1], log, 0.85), code=True, symptom=True)
    why = cand(p, spans[2], "These are due to a cron job.", 0.2)
    rest = cand(p, spans[3], "Nothing to worry about.", 0.1)
    assert select_sentences([lead, code, why, rest], how=False) == [lead, code, why, rest]
    assert select_sentences([lead, replace(code, symptom=False), why, rest], how=False) == [lead, replace(code, symptom=False)]


def test_a_lead_in_is_read_through_a_tables_caption_and_header_to_its_rows():
    """ "There are independent tools to generate encrypted passwords. Table 4.4. List of tools … package | command:" and
    only then the rows that name them; "Table 4.4." is no candidate at all (too short), and is passed over."""
    texts = [
        "There are independent tools for it.",
        "Table 4.4.",
        "List of tools",
        "package | command:",
        "package: whois | command: mkpasswd",
    ]
    spans, at = [], 0
    for t in texts:
        spans.append((at, at + len(t)))
        at += len(t) + 1
    p = passage(0, " ".join(texts), sentences=spans)
    lead, caption, header = (replace(cand(p, spans[k], texts[k], 0.9 - k * 0.1), incomplete=True) for k in (0, 2, 3))
    row = cand(p, spans[4], texts[4], 0.3)
    assert select_sentences([lead, caption, header, row]) == [lead, caption, header, row]


def test_a_sentence_that_refers_back_goes_on_with_the_best_one():
    """ "In some cases, you don't want spaces in names. In these cases, add the --restrict-filenames flag:": the second
    sentence scores low (it shares few of the question's words) but answers the case the best one sets up; it joins,
    and stays though it ends on a colon with nothing after it in the text."""
    from bot.answer.roles import refers_back

    text = "In some cases, you don't want spaces in names. In these cases, add the --restrict-filenames flag:"
    p = passage(0, text, sentences=((0, 46), (47, 97)))
    best = cand(p, (0, 46), "In some cases, you don't want spaces in names.", 0.9)
    rest = replace(cand(p, (47, 97), "In these cases, add the --restrict-filenames flag:", 0.1), incomplete=True)
    assert select_sentences([best, rest]) == [best, rest]
    assert refers_back("To do this, run the installer.") and not refers_back("These cases are rare.")


def test_an_answer_does_not_stop_on_a_lead_in_that_joined_it():
    """A near-best sentence that introduces what follows ("To configure it, proceed as follows:") brings the sentence
    after it when that fits, however low it scores: the answer ends on a complete thought."""
    other = passage(1, "Sphinx can use MyST-Parser.")
    text = "To configure it, proceed as follows: Install the parser."
    p = passage(0, text, sentences=((0, 36), (37, 56)))
    best = cand(other, (0, 27), "Sphinx can use MyST-Parser.", 0.9)
    lead = replace(cand(p, (0, 36), "To configure it, proceed as follows:", 0.8), incomplete=True)
    step = cand(p, (37, 56), "Install the parser.", 0.1)
    assert select_sentences([best, lead, step]) == [best, lead, step]
    # when what it introduces is not to be had (the next passage holds it), the lead-in goes rather than dangle
    assert select_sentences([best, lead]) == [best]
    item = replace(cand(p, (37, 56), "Install the parser:", 0.1), incomplete=True)  # and a lead-in that only led to
    assert select_sentences([best, lead, item]) == [best]  # another lead-in goes with it


def test_how_to_questions_are_told_apart():
    from bot.answer.wants import wants

    assert all(wants(q).how for q in ["How do I install the development release?", "command to start a project", "how to undo a commit"])
    money = ["how much do they make", "How much does an ML engineer make?", "how much ML engineers make", "how much?", "pay?"]
    assert all(wants(q).money for q in money)
    assert not any(wants(q).money for q in ["how much math", "how much memory does sqlite use", "how much time does it take"])
    assert not any(wants(q).how for q in ["what is git-shell for", "Why does the merge include the change?"])
    # which version: a number answers it ("requires OpenSSL 1.0.2 or newer")
    assert all(wants(q).number for q in ["which openssl version do i need", "What Python versions are supported?"])
    assert not any(wants(q).number for q in ["how do I hide the version string", "is the version I have fixed?"])


def test_sentences_that_tell_what_to_do_are_told_apart():
    from bot.answer.wants import instructs

    told = [
        "You can use PRAGMA quick_check to do a faster test.",
        "To stop tracking a file, use git rm --cached.",
        "Run git status to see what is staged.",
        "The cache is cleared by running make clean.",
    ]
    assert all(instructs(s) for s in told)
    not_told = ["SQLite does not corrupt database files.", "Users can use it freely.", "To be fair, it is slow.", "A run takes long."]
    assert not any(instructs(s) for s in not_told)


def test_a_list_items_next_sentence_finishes_it_however_it_scores():
    """One list item is one point: 'They will be replaced with semicolons.' finishes 'Colons cannot be escaped …'
    though it shares no word with the question; the same sentence in the next item does not join."""
    text = "• Colons cannot be escaped in menu entries. They will be replaced with semicolons.\n• Other point here."
    spans = ((2, 43), (44, 82), (85, 102))
    p = passage(0, text, sentences=spans)
    best = cand(p, spans[0], "Colons cannot be escaped in menu entries.", 0.8)
    rest = cand(p, spans[1], "They will be replaced with semicolons.", 0.2)
    assert rest in select_sentences([best, rest])
    plain = passage(1, text.replace("• ", ""), sentences=((0, 41), (42, 80), (81, 98)))
    best, rest = cand(plain, (0, 41), best.text, 0.8), cand(plain, (42, 80), rest.text, 0.2)
    assert rest not in select_sentences([best, rest])  # in a paragraph, the margin still holds


def test_code_that_joins_brings_the_sentence_that_introduces_it():
    from dataclasses import replace

    text = "Autodoc reads docstrings. To use it, add it to the extensions: extensions = ['sphinx.ext.autodoc']"
    spans = ((0, 25), (26, 62), (63, 98))
    p = replace(passage(0, text, sentences=spans), code=((63, 98),))
    best = cand(p, spans[0], "Autodoc reads docstrings.", 0.8)
    intro = replace(cand(p, spans[1], "To use it, add it to the extensions:", 0.1), incomplete=True)
    code = replace(cand(p, spans[2], "extensions = ['sphinx.ext.autodoc']", 0.75), code=True)
    assert [c.text for c in select_sentences([best, code, intro], how=True)] == [best.text, intro.text, code.text]


def test_a_short_sentence_that_ends_its_paragraph_finishes_the_one_before_it(tmp_path):
    """'Does it run on a phone? No.': the 'No.' opens nothing after it, and quoted alone or lost it answers nothing."""
    from tests.conftest import fake_bot_of

    text = "# Phones\n\nDoes the engine run on a phone? No.\n\nThe engine needs a server with a disk and a network.\n"
    bot = fake_bot_of(tmp_path, {"faq.md": text})
    from bot.answer.scoring import score_sentences

    resolved = bot._read("Does the engine run on a phone?", [])
    found = bot._retrieve(resolved)
    texts = [c.text for c in score_sentences(found.hits, found.query, bot.retriever, bot.sentences, bot.tuning)]
    assert "Does the engine run on a phone? No." in texts, texts
