"""bot.answer.focus: a rare word no document uses means "not covered"; a typo of a corpus word does not."""

from __future__ import annotations

import re

from bot.answer.focus import Vocabulary
from bot.search.build import common_words

WORDS = {"machine", "learning", "engineer", "statistics", "python", "salary", "git", "branch"}
VOCAB = Vocabulary(
    known={"machin", "learn", "engin", "statist", "python", "salari", "git", "branch"},
    words=lambda: WORDS,
    common=frozenset(common_words()),
)


def pairs(*words):
    return [(w, w[:6]) for w in words]


def test_a_rare_word_the_corpus_lacks_is_uncovered():
    assert VOCAB.uncovered(pairs("kubernetes", "reflog")) == ["kubernetes", "reflog"]


def test_typos_of_corpus_words_are_not():
    assert VOCAB.uncovered(pairs("mashine", "lerning", "enginer", "statistcs", "pyton")) == []


def test_ordinary_english_words_the_corpus_lacks_are_not_a_focus():
    assert VOCAB.uncovered(pairs("considered", "point", "view", "happen")) == []


def test_short_words_need_an_exact_match_and_numbers_are_ignored():
    assert VOCAB.uncovered(pairs("lfs")) == ["lfs"]  # one edit from "lf" is not a typo of it
    assert VOCAB.uncovered([("12", "12"), ("2024", "2024"), ("x86", "x86")]) == []


def test_a_name_with_digits_the_corpus_lacks_is_uncovered_unless_its_letters_are_the_corpuss():
    assert VOCAB.uncovered([("fts5", "fts5"), ("ipv4", "ipv4")]) == ["fts5", "ipv4"]
    assert VOCAB.uncovered([("python3", "python3")]) == []
    assert VOCAB.uncovered([("9am", "9am"), ("64bit", "64bit"), ("5pm", "5pm")]) == []  # a number and its unit


def test_the_common_word_list_is_wordfreqs_above_the_threshold():
    from wordfreq import zipf_frequency

    common = common_words()
    assert 30_000 < len(common) < 45_000 and {"considered", "point", "couch"} <= set(common)
    assert all(zipf_frequency(w, "en") >= 2.79 for w in common[::997]) and "reflog" not in common


def test_the_bot_declines_and_names_the_word(fake_bot):
    answer = fake_bot.ask("How do I deploy models on kubernetes?")
    assert answer.abstained and not answer.citations
    assert "never mention “kubernetes”" in answer.text
    assert not fake_bot.ask("Which skils do I need?").text.count("never mention")  # a typo is read, not refused


def stem(word):
    return word[:6]


def test_typos_are_corrected_to_the_nearest_corpus_word():
    spelled = VOCAB.correct("Mashine lerning enginer salery?", stem)
    assert spelled.text == "machine learning engineer salary?"
    assert spelled.corrections == (("mashine", "machine"), ("lerning", "learning"), ("enginer", "engineer"), ("salery", "salary"))
    assert VOCAB.correct("pyhton statsitics", stem).text == "python statistics"  # a swapped pair is one edit


def test_a_typo_of_the_singular_of_a_plural_the_corpus_writes_is_read_as_that_singular():
    vocabulary = Vocabulary({"startup", "compani"}, lambda: ["startups", "companies", "class", "patches"], frozenset())
    assert vocabulary.nearest("statup") == "startup" and vocabulary.uncovered([("statup", "statup")]) == []
    assert vocabulary.nearest("compny") == "company" and vocabulary.nearest("pacth") == "patch"
    assert vocabulary.nearest("clas") is None  # "class" is not a plural: no "clas" to be near
    assert VOCAB.correct("ml at a statup", stem).text == "ml at a statup"  # a corpus without "startups" leaves it


def test_clipped_words_misspelt_english_and_forms_of_english_words_are_no_focus():
    """ "langs" clips "languages", "subjct" is one edit from "subject" alone, "terminators" is a form of an ordinary
    word: none of them is a name the documents lack. Names stay uncovered, though two edits reach a word."""
    vocabulary = Vocabulary({"languag", "python"}, lambda: ["languages", "language", "python"], frozenset(common_words()))
    assert vocabulary.clipped("langs") == "languages" and vocabulary.clipped("lfs") is None
    assert vocabulary.english("subjct") == "subject" and vocabulary.english("gettext") is None  # "getter" is two edits
    assert vocabulary.english("coders") is None  # "codes", "comers", "covers": no one word
    # several words one edit away, but one of them only by a doubled letter written once: that slip is the commonest
    assert vocabulary.english("accidentaly") == "accidentally"  # not "accidental" or "accidently"
    assert vocabulary.inflects("terminators") and not vocabulary.inflects("unmerged")
    spelled = vocabulary.correct("any other langs worth learning in what subjct", lambda w: w[:7])
    assert spelled.corrections == (("langs", "languages"), ("subjct", "subject"))
    words = ["langs", "subjct", "terminators", "gettext", "unmerged", "reflog", "kubernetes"]
    assert vocabulary.uncovered((w, w[:7]) for w in words) == ["gettext", "unmerged", "reflog", "kubernetes"]


def test_a_doubling_on_the_wrong_letter_is_a_typo_and_a_word_built_on_a_corpus_word_is_not():
    """ "begginer" doubles the g, not the n: two edits from "beginner", the same letters written once. "coursera" is
    "course" and two letters more: a name of its own (a course provider), not a typo of "courses"."""
    vocabulary = Vocabulary({"cours", "python"}, lambda: ["courses", "course", "python"], frozenset(common_words()))
    assert vocabulary.english("begginer") == "beginner" and vocabulary.uncovered([("begginer", "begginer")]) == []
    assert vocabulary.nearest("coursera") is None and vocabulary.nearest("cuorses") == "courses"
    assert vocabulary.correct("which coursera course", lambda w: w[:5]).text == "which coursera course"
    assert vocabulary.uncovered([("coursera", "coursera")]) == ["coursera"]


def test_a_clipped_word_is_held_by_terms_it_starts():
    assert VOCAB.clips("repos", ["repositori", "ignor"]) and VOCAB.clips("configs", ["configur"])
    assert not VOCAB.clips("repos", ["rebas", "repo"]) and not VOCAB.clips("lfs", ["lfsxyz"])  # too short to clip


def test_a_doubled_letter_written_once_wins_a_tie():
    vocabulary = Vocabulary(set(), lambda: ["real"] * 5 + ["ready"] * 3 + ["really"], frozenset())
    assert vocabulary.nearest("realy") == "really"  # one edit from all three; the rarest in the corpus
    assert vocabulary.nearest("reaal") == "real"  # no doubled letter missed: the most frequent


def test_a_letter_left_out_wins_a_tie_over_a_letter_changed():
    """ "statup" is one edit from "status" (a letter changed) and from "startup" (one left out, the commoner slip): over
    a corpus that says "status" more often, still "startup"."""
    vocabulary = Vocabulary(set(), lambda: ["status"] * 9 + ["startup"], frozenset())
    assert vocabulary.nearest("statup") == "startup"


def test_a_word_whose_stem_the_corpus_knows_is_still_a_typo_of_a_far_commoner_word():
    """ "beeing" stems to "bee", which a big corpus may say a few times; "being", one letter away, it says far more
    often: a typo, not a word about bees. "codes" stays: "code", of its own stem, is as near as the commoner "cores"."""

    def stem_of(word: str) -> str:
        return {"beeing": "bee", "bee": "bee", "being": "be", "codes": "code", "code": "code", "cores": "core"}.get(word, word)

    words = ["bee"] * 6 + ["being"] * 43 + ["been"] * 40 + ["code"] * 30 + ["cores"] * 200
    vocabulary = Vocabulary({"bee", "be", "been", "code", "core"}, lambda: words, frozenset())
    assert vocabulary.correct("pros of beeing an engineer", stem_of).text == "pros of being an engineer"
    assert vocabulary.correct("which codes", stem_of).corrections == ()
    sparse = Vocabulary({"bee", "be"}, lambda: ["bee"] * 20 + ["being"] * 43, frozenset())
    assert sparse.correct("pros of beeing", stem_of).corrections == ()  # "being" only twice as common: left alone


def test_a_short_word_is_read_with_one_swapped_pair_of_letters_after_its_first():
    vocabulary = Vocabulary(set(), lambda: ["list", "slit", "gits"], frozenset())
    assert vocabulary.nearest("lsit") == "list"  # not "slit": the first letter is kept
    assert vocabulary.nearest("lust") is None and vocabulary.nearest("lsti") is None  # another edit, or two swaps: no
    assert VOCAB.uncovered(pairs("gti", "bracnh")) == ["gti"]  # three letters: too short; six: an ordinary edit


def test_real_words_and_known_words_are_left_alone():
    for question in ("Is fiddling with models fun?", "Which Branch of git?", "kubernetes or lfs", "ML 2024"):
        spelled = VOCAB.correct(question, stem)
        assert spelled.text == question and spelled.corrections == ()


def test_the_answer_says_how_a_corrected_question_was_read(fake_bot):
    answer = fake_bot.ask("Which skils do I need?")
    assert answer.interpreted_as == "Which skills do I need?"
    assert fake_bot.ask("Which skills do I need?").interpreted_as == ""


def test_the_countries_a_question_names_are_found_as_written():
    from bot.answer.places import countries_named

    assert countries_named("ml engineer salary in india in rupees") == ["india"]
    assert countries_named("Jobs in the United States or New Zealand?") == ["United States", "New Zealand"]
    assert countries_named("Is Indiana a good place? What about chadwick?") == []  # whole names only


def test_a_country_the_documents_never_mention_means_not_covered_and_one_they_do_is_answered(tmp_path):
    from .conftest import fake_bot_over, write_articles

    corpus = write_articles(tmp_path / "corpus")
    (corpus / "abroad.md").write_text(
        "# Working abroad\n\nMachine learning engineers in Canada earn a good salary, and many work remotely.\n", encoding="utf-8"
    )
    bot = fake_bot_over(corpus, tmp_path / "index")
    answer = bot.ask("What is the machine learning engineer salary in Germany?")
    assert answer.abstained and "never mention “Germany”" in answer.text
    assert not bot.ask("What is the machine learning engineer salary in Canada?").abstained


def test_a_question_only_a_figure_answers_is_not_answered_by_sentences_that_state_none(tmp_path):
    from bot.answer.wants import asks_figure

    from .conftest import fake_bot_over, write_articles

    assert asks_figure("how long does it take to become an ml engineer") and asks_figure("How many jobs are open?")
    assert not asks_figure("When should I apply?") and not asks_figure("Which skills matter most?")
    assert asks_figure("what percentage of them work remotely") and asks_figure("what percent of the time")
    assert not asks_figure("How must the percent characters of a template be written?")  # the sign, not a share
    assert not asks_figure("how do I escape a percent sign")
    assert asks_figure("What is the number of open roles?")
    assert not asks_figure("Can it delete messages after a certain number of days?")  # a yes or no, about a figure
    corpus = write_articles(tmp_path / "corpus")
    (corpus / "hiring.md").write_text("# Hiring\n\nCompanies hire about 1,200 machine learning engineers every year.\n", encoding="utf-8")
    bot = fake_bot_over(corpus, tmp_path / "index")
    answer = bot.ask("How long does it take to learn Python and statistics?")  # the passage found says how, not how long
    assert answer.abstained and "state no figure" in answer.text and answer.confidence > 0.5
    assert "1,200" in bot.ask("How many machine learning engineers do companies hire every year?").text


def test_a_word_is_never_read_as_itself_without_its_first_letters():
    """A dropped prefix is another word, not a typo: "upsides" is not "sides", "unmerged" not "merged"."""
    vocabulary = Vocabulary({"side", "merg", "career"}, lambda: ["sides", "merged", "career", "careers"], frozenset())
    spelled = vocabulary.correct("the upsides of unmerged work in a carrer", lambda w: None)
    assert spelled.corrections == (("carrer", "career"),)


def test_a_short_word_the_corpus_lacks_is_read_as_the_phrase_it_abbreviates():
    """ "ds vs mle": the corpus never writes "ds" or "mle", but it writes "data scientist(s)" and "machine learning
    engineer(s)" often, and no other phrase of those initials nearly as often; chance phrases are not taken."""
    texts = [
        "A machine learning engineer deploys models. Machine learning engineers work with data scientists.",
        "Data scientists analyse data; a data scientist builds models. Machine learning engineers ship them.",
        "Every machine learning engineer and data scientist learns. Machine learning engineering is hard.",
        "Docs build here: docs/build holds the output. Design systems matter.",
    ]
    words = [w for t in texts for w in re.findall(r"\w\w+", t.lower())]
    vocabulary = Vocabulary(set(), lambda: words, frozenset(), lambda: texts)

    def stem(w):
        return w.rstrip("s") if w.endswith("s") else w

    spelled = vocabulary.correct("ds vs mle", stem)
    assert spelled.text.startswith("data scientists vs machine learning engineer")
    assert vocabulary.spelled_out("db", stem) is None  # "docs build" twice and "docs/build" is no phrase
    assert vocabulary.spelled_out("me", stem) is None  # a stop word is itself
    assert vocabulary.spelled_out("data", stem) is None  # a word of the corpus is itself


def test_a_compound_the_corpus_writes_as_two_words_is_read_as_them():
    """ "burnout": the corpus writes "burning out"; "timezone" is not "time zone" where "time" and "zone" never meet."""
    texts = ["You could end up burning out within a few years.", "Set the time in one zone of the clock."]
    words = [w for t in texts for w in re.findall(r"\w\w+", t.lower())]
    vocabulary = Vocabulary({"burn", "time", "zone", "year"}, lambda: words, frozenset(common_words()), lambda: texts)

    def stem(w):
        return {"burning": "burn", "burn": "burn", "time": "time", "zone": "zone", "years": "year"}.get(w)

    assert vocabulary.correct("burnout risk", stem).text == "burning out risk"
    assert vocabulary.correct("change the timezone", stem).corrections == ()


def test_a_rare_word_the_documents_use_but_no_passage_found_holds_means_not_covered(tmp_path):
    from bot.records import Hit

    from .conftest import fake_bot_of

    bot = fake_bot_of(
        tmp_path,
        {
            "merging.md": "# Squash merges\n\nA squash merge applies the changes of one branch as a single regular commit.\n",
            "history.md": "# Rewriting history\n\nA rebase replays your commits on top of another branch.\n",
        },
    )
    by_doc = {p.doc_id: Hit(passage=p, score=0.0, dense=0.0, sentence=0.0, lexical=0.0) for p in bot.index.passages}
    merging = [h for d, h in by_doc.items() if d.startswith("merging")]
    question = "How do I squash my commits with a rebase?"
    assert bot._unmentioned(question, merging) == ("rebase",)  # rare, used elsewhere, absent from what was found
    assert bot._unmentioned(question, list(by_doc.values())) == ()
    assert bot._unmentioned("How do I squash my commits?", merging) == ()  # "commits" is ordinary English


def test_the_corpus_topic_is_no_focus_a_passage_must_hold(tmp_path):
    """A rare word most passages hold is what the whole corpus is about ("reStructuredText" over its FAQ): a found
    passage that does not repeat it still answers; the same word in a few passages of a small corpus stays a focus."""
    from bot.records import Hit

    from .conftest import fake_bot_of

    pages = {f"p{i}.md": f"# Entry {i}\n\nIn reStructuredText, directive number {i} starts with two dots.\n" for i in range(12)}
    pages["title.md"] = "# Titles\n\nA lone section title at the top of a document becomes its title.\n"
    bot = fake_bot_of(tmp_path, pages)
    titles = [Hit(passage=p, score=0.0, dense=0.0, sentence=0.0, lexical=0.0) for p in bot.index.passages if p.doc_id == "title.md"]
    assert bot._unmentioned("How do I mark up a document title in reStructuredText?", titles) == ()
    assert bot._unmentioned("How do I mark up a document title with a directive?", titles) == ()  # ordinary words


def test_a_version_no_passage_found_names_means_not_covered(tmp_path):
    from bot.records import Hit

    from .conftest import fake_bot_of

    text = "# Upgrading\n\nTo upgrade Debian 12 to 13, edit sources.list and run apt full-upgrade.\n"
    bot = fake_bot_of(tmp_path, {"upgrade.md": text})
    hits = [Hit(passage=p, score=0.0, dense=0.0, sentence=0.0, lexical=0.0) for p in bot.index.passages]
    assert bot._unmentioned("How do I upgrade from Debian 11 to Debian 12?", hits) == ("Debian 11",)
    assert bot._unmentioned("How do I upgrade from Debian 12?", hits) == ()
    assert bot._unmentioned("Top 10 tips to upgrade Python 3?", hits) == ()  # a first word, a one-digit version


def test_a_version_counts_only_after_its_name(tmp_path):
    from bot.records import Hit

    from .conftest import fake_bot_of

    text = "# Headers\n\nOn Debian 11 each header takes 12 bytes; Debian GNU/Linux 10 took 8.\n"
    bot = fake_bot_of(tmp_path, {"headers.md": text})
    hits = [Hit(passage=p, score=0.0, dense=0.0, sentence=0.0, lexical=0.0) for p in bot.index.passages]
    assert bot._unmentioned("What changed in Debian 12?", hits) == ("Debian 12",)  # a 12, but not Debian's
    assert bot._unmentioned("What changed in Debian 10?", hits) == ()  # a word or two between name and number
    assert bot._unmentioned("Is Debian 11 affected?", hits) == ()


def test_the_corpus_writes_a_phrase_when_its_words_follow_one_another():
    vocabulary = Vocabulary(set(), lambda: [], frozenset(), lambda: ["Set up the hooks.", "A line\nof work, in short"])
    assert vocabulary.writes("set up") and vocabulary.writes("line of work")
    assert not vocabulary.writes("up the line") and not vocabulary.writes("get rid of")


def test_a_mistyped_function_word_is_no_focus():
    assert VOCAB.uncovered(pairs("wich", "waht", "shoud", "thier")) == []  # which, what, should, their
    assert VOCAB.uncovered(pairs("hadoop", "vim")) == ["hadoop", "vim"]  # names: far from any, or too short to tell
