"""bot.ingest.chunking: passages are exact slices, stay within size, and leave page furniture out."""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import TUNING
from bot.ingest.chunking import chunk_document, chunk_documents
from bot.ingest.corpus import load_corpus
from bot.records import Document
from bot.text import word_count

REAL_CORPUS = Path(__file__).parent.parent / "corpus"


def make_doc(text: str, title: str = "A Test Document", doc_id: str = "doc.txt") -> Document:
    return Document(doc_id=doc_id, title=title, text=text)


def check_invariants(doc: Document, passages) -> None:
    """What every passage of every document must satisfy."""
    previous_end = 0
    for p in passages:
        assert doc.text[p.start : p.end] == p.text
        assert 0 <= p.start < p.end <= len(doc.text)
        assert p.text.strip(), "an empty passage"
        assert p.start >= previous_end, "passages overlap or are out of order"
        previous_end = p.end
        assert p.sentences, "a passage without sentences"
        last = p.start
        for s, e in p.sentences:
            assert p.start <= s < e <= p.end, (s, e, p.start, p.end)
            assert doc.text[s:e].strip(), "an empty sentence span"
            assert s >= last, "sentence spans overlap or are out of order"
            last = e
        assert p.word_count <= TUNING.max_passage_words


def non_space_coverage(doc: Document, passages) -> float:
    covered = [False] * len(doc.text)
    for p in passages:
        covered[p.start : p.end] = [True] * (p.end - p.start)
    wanted = [i for i, ch in enumerate(doc.text) if not ch.isspace()]
    return sum(covered[i] for i in wanted) / len(wanted) if wanted else 1.0


_VOCAB = "data model engineer learn build deploy career skill python statistics math code team project".split()


def _sentences(rng: random.Random, n: int) -> str:
    return " ".join(" ".join(rng.choice(_VOCAB) for _ in range(rng.randint(8, 20))).capitalize() + "." for _ in range(n))


_RNG = random.Random(1234)
HUGE_PARAGRAPH = _sentences(_RNG, 220)  # ~3000 words, normal sentences, one line
NO_PUNCTUATION = " ".join(_RNG.choice(_VOCAB) for _ in range(1000))  # one 1000-word "sentence"

AWKWARD = {
    # Nothing at all.
    "empty": "",
    # A single character.
    "one_char": "x",
    # Only whitespace of several kinds.
    "only_whitespace": "   \n\t\n \r\n  \u00a0 ",
    # Windows line endings, including blank CRLF lines between paragraphs.
    "crlf": "First line here.\r\nSecond line here. Another one.\r\n\r\nThird para.\r\n",
    # Old Mac line endings (lone CR).
    "lone_cr": "One sentence.\rAnother sentence.\r\rLast one.",
    # Emoji (astral, ZWJ sequences, skin tones) and CJK punctuation.
    "emoji_cjk": "Emoji \U0001f600 are fun. \u6f22\u5b57\u3082\u3002CJK text \u4e2d\u6587\u53e5\u5b50\u3002\n\n"
    "\U0001f44d\U0001f3fd family \U0001f468\u200d\U0001f469\u200d\U0001f467 ok.",
    # Typographic punctuation that fold() rewrites one-for-one.
    "typographic": "So\u201a you\u2019re \u201cready\u201d \u2014 right? Yes\u2026 maybe.\n",
    # ~3000 words of ordinary sentences in a single paragraph.
    "huge_paragraph": HUGE_PARAGRAPH,
    # ~1000 words with no sentence punctuation at all.
    "no_punctuation": NO_PUNCTUATION,
    # One enormous token (a URL-like run with no spaces).
    "long_token": "See " + "x" * 5000 + " for details.",
    # Only punctuation and a thematic break.
    "punctuation_only": "!!! ??? ...\n---\n***\n",
    # Indented bullets with several marker styles.
    "bullets": "Tasks include:\n  \u2022 first task\n  * second task\n  - third task\n  1. numbered\n  2) numbered again\n",
    # Zero-width and non-breaking characters inside words.
    "invisible": "Zero\u200bwidth and non\u00a0breaking text. Still one passage.\n",
    # Trailing text without a final newline or full stop.
    "no_final_stop": "A heading Like This\nand a lower-case line without a stop",
}


@pytest.mark.parametrize("name", sorted(AWKWARD))
def test_invariants_on_awkward_inputs(name):
    doc = make_doc(AWKWARD[name])
    check_invariants(doc, chunk_document(doc))


@pytest.mark.parametrize("name", ["empty", "only_whitespace", "punctuation_only"])
def test_nothing_to_say_gives_no_passages(name):
    assert chunk_document(make_doc(AWKWARD[name])) == []


def test_one_character_is_one_passage():
    (p,) = chunk_document(make_doc("x"))
    assert (p.start, p.end, p.text, p.sentences) == (0, 1, "x", ((0, 1),))


def test_crlf_sentences_do_not_include_line_breaks():
    doc = make_doc(AWKWARD["crlf"])
    (p,) = chunk_document(doc)
    assert [doc.text[s:e] for s, e in p.sentences] == ["First line here.", "Second line here.", "Another one.", "Third para."]


def test_emoji_and_cjk_text_is_kept():
    doc = make_doc(AWKWARD["emoji_cjk"])
    passages = chunk_document(doc)
    joined = "".join(p.text for p in passages)
    assert "\U0001f600" in joined and "\u4e2d\u6587\u53e5\u5b50" in joined and "\U0001f468\u200d\U0001f469\u200d\U0001f467" in joined


def test_huge_paragraph_is_split_into_bounded_passages():
    doc = make_doc(HUGE_PARAGRAPH)
    assert word_count(HUGE_PARAGRAPH) > 2500
    passages = chunk_document(doc)
    check_invariants(doc, passages)
    assert len(passages) >= word_count(HUGE_PARAGRAPH) // TUNING.max_passage_words
    assert max(p.word_count for p in passages) <= TUNING.max_passage_words
    assert non_space_coverage(doc, passages) > 0.99
    # Passages end on sentence boundaries.
    assert all(p.text.endswith(".") for p in passages)


def test_sentence_without_punctuation_is_cut_into_bounded_pieces():
    doc = make_doc(NO_PUNCTUATION)
    passages = chunk_document(doc)
    check_invariants(doc, passages)
    assert len(passages) >= 1000 // TUNING.max_passage_words
    assert all(p.word_count <= TUNING.max_passage_words for p in passages)
    assert sum(p.word_count for p in passages) == 1000  # cut at word boundaries, nothing lost
    assert non_space_coverage(doc, passages) == 1.0


def test_list_items_stay_with_their_intro_line():
    # A paragraph of ~90 words, then an intro ending ':' with four items, then another paragraph.
    # Packed naively, the items would spill away from the intro into the next passage.
    rng = random.Random(5)
    before = _sentences(rng, 6)
    while word_count(before) < 90:
        before += " " + _sentences(rng, 1)
    items = [f"- Item number {k} says something fairly specific about the work" for k in range(1, 5)]
    after = _sentences(rng, 6)
    text = before + "\n\nHere are the main tasks:\n" + "\n".join(items) + "\n\n" + after + "\n"
    doc = make_doc(text)
    passages = chunk_document(doc)
    check_invariants(doc, passages)
    (holder,) = [p for p in passages if "Here are the main tasks:" in p.text]
    for item in items:
        assert item in holder.text
    assert holder.text.index("Here are the main tasks:") < holder.text.index(items[0])


def test_title_case_line_before_paragraph_is_a_heading():
    text = (
        "Opening paragraph of the article that says something general about careers.\n\n"
        "Why Learn Python\n"
        "Python is a language that is easy to read. It has many libraries.\n\n"
        "What Comes Next\n"
        "After Python you learn statistics.\n"
    )
    doc = make_doc(text)
    passages = chunk_document(doc)
    check_invariants(doc, passages)
    first, py, nxt = passages
    assert first.heading == ""
    assert py.heading == "Why Learn Python"
    assert py.start == text.index("Why Learn Python")  # the first passage of a section starts at its heading
    assert "After Python" not in py.text  # a passage stays within one section
    assert nxt.heading == "What Comes Next" and nxt.text.startswith("What Comes Next\n")
    # Sentences are the body sentences, not the heading line.
    assert [doc.text[s:e] for s, e in py.sentences] == ["Python is a language that is easy to read.", "It has many libraries."]


def test_sentence_case_line_ending_with_stop_is_not_a_heading():
    text = "This is an ordinary sentence.\nAnother ordinary line follows it.\n"
    (p,) = chunk_document(make_doc(text))
    assert p.heading == ""


def test_markdown_heading():
    text = "# Getting started\nRead the docs first. Then write code.\n\n## Next steps\nShip it.\n"
    doc = make_doc(text)
    passages = chunk_document(doc)
    check_invariants(doc, passages)
    assert [p.heading for p in passages] == ["Getting started", "Next steps"]
    assert passages[0].start == 0 and passages[0].text.startswith("# Getting started")
    assert passages[1].text.startswith("## Next steps")


def _paragraphs(n: int, words: int) -> list[str]:
    return [" ".join(f"w{k}x{i}" for i in range(words - 1)) + " end." for k in range(n)]


def test_a_sections_short_paragraphs_are_one_passage_while_they_fit():
    """An FAQ answer of two paragraphs (45 + 45 words) is cited whole; a third would not fit in 120."""
    body = "\n\n".join(_paragraphs(2, 45))
    doc = make_doc(f"# How do I speed it up?\n\n{body}\n")
    passages = chunk_document(doc)
    check_invariants(doc, passages)
    assert len(passages) == 1 and passages[0].heading == "How do I speed it up?"
    many = chunk_document(make_doc("# How do I speed it up?\n\n" + "\n\n".join(_paragraphs(3, 45)) + "\n"))
    assert len(many) == 2 and all(sum(word_count(p.text[s - p.start : e - p.start]) for s, e in p.sentences) <= 120 for p in many)


def test_paragraphs_under_no_heading_are_joined_only_when_short():
    """Text under no heading is many topics in one run: paragraphs of 50 words stay apart, as they are."""
    doc = make_doc("\n\n".join(_paragraphs(2, 50)) + "\n")
    passages = chunk_document(doc)
    check_invariants(doc, passages)
    assert len(passages) == 2 and all(p.heading == "" for p in passages)


# --- furniture ------------------------------------------------------------------------------

REAL_PARAGRAPHS = [
    "Data analysts turn raw numbers into decisions that a business can act on. They spend their days cleaning data, "
    "writing queries and explaining charts to colleagues who have little time.",
    "Most analysts start with spreadsheets and move on to SQL. Later they add a programming language, often Python or R, "
    "and learn enough statistics to avoid fooling themselves.",
    "A chart without a story is noise. Good analysts explain what changed, why it matters and what to do next, in words "
    "a manager can repeat in a meeting.",
    "The pay is good and rises quickly with experience. Senior analysts often move into data science, product or "
    "management roles after a few years.",
]
SUBTITLE = "A practical guide for people who like numbers and questions"
FURNITURE_TEXT = (
    "Home \u00bb Becoming a Data Analyst\n\n"
    "Becoming a Data Analyst\n\n"
    f"{SUBTITLE}\n"
    f"{SUBTITLE}\n\n"
    f"{REAL_PARAGRAPHS[0]}\n\n"
    f"{REAL_PARAGRAPHS[1]}\n\n"
    "Learn to Tell Stories\n\n"
    f"{REAL_PARAGRAPHS[2]}\n\n"
    "Pay and Prospects\n\n"
    f"{REAL_PARAGRAPHS[3]}\n\n"
    "Author\n\n"
    "Hi! My name is Pat Writer, and I have written about careers for ten years. I love hiking and coffee.\n\n"
    "Back to top\n"
    "---\n"
    "Questions or comments? Tweet at me.\n"
)


def test_page_furniture_is_left_out():
    doc = make_doc(FURNITURE_TEXT, title="Becoming a Data Analyst")
    passages = chunk_document(doc)
    check_invariants(doc, passages)
    for paragraph in REAL_PARAGRAPHS:
        assert sum(paragraph in p.text for p in passages) == 1, paragraph
    for furniture in ("Home \u00bb", "\u00bb", "My name is", "Pat Writer", "Back to top", "Tweet at me", "Questions or comments", "Author"):
        for p in passages:
            assert furniture not in p.text, (furniture, p.text)
            assert furniture not in p.heading, (furniture, p.heading)
    assert {p.heading for p in passages} == {"", "Learn to Tell Stories", "Pay and Prospects"}


def test_duplicated_subtitle_appears_once():
    doc = make_doc(FURNITURE_TEXT, title="Becoming a Data Analyst")
    passages = chunk_document(doc)
    assert sum(p.text.count(SUBTITLE) for p in passages) == 1


def test_title_line_is_not_repeated_in_a_passage():
    doc = make_doc(FURNITURE_TEXT, title="Becoming a Data Analyst")
    assert not any("Becoming a Data Analyst" in p.text for p in chunk_document(doc))


def test_breadcrumb_shaped_like_a_heading_is_not_a_heading():
    # Regression: "Home » Title" is short and title case, and used to become the heading of the intro.
    text = "Home \u00bb Career Guides\n" + "\n".join(REAL_PARAGRAPHS) + "\n"
    doc = make_doc(text, title="Something Else")
    passages = chunk_document(doc)
    check_invariants(doc, passages)
    assert passages and all("Home" not in p.heading and "Home" not in p.text for p in passages)
    assert passages[0].heading == "" and passages[0].text.startswith(REAL_PARAGRAPHS[0])


# --- chunk_documents ------------------------------------------------------------------------


def test_chunk_documents_numbers_passages_across_documents():
    docs = [make_doc("First doc. It has text.", doc_id="a.txt"), make_doc("Second doc.\n\nMore text here.", doc_id="b.txt")]
    passages = chunk_documents(docs)
    assert [p.pid for p in passages] == list(range(len(passages)))
    assert [p.doc_id for p in passages][0] == "a.txt" and passages[-1].doc_id == "b.txt"
    assert chunk_documents(docs) == passages  # deterministic


_FRAGMENTS = ["Intro Heading", "- item", "* bullet", "1. step", "---", "# Head", "Home \u00bb Crumb", "Back to top", "Ends with:", ""]
_ALPHABET = list("ab cD.?!,:\u2019\u201a\u00a0\u200b\U0001f600\u6f22") + ["\t"]


def _random_document(seed: int) -> str:
    """Lines mixing structural fragments and random characters (seeded: reproducible, no files written)."""
    rng = random.Random(seed)
    lines = []
    for _ in range(rng.randint(0, 12)):
        if rng.random() < 0.4:
            lines.append(rng.choice(_FRAGMENTS))
        else:
            lines.append("".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 60))))
    return rng.choice(["\n", "\r\n", "\n\n", "\r"]).join(lines)


@pytest.mark.parametrize("seed", range(0, 300, 30))
def test_invariants_hold_for_generated_text(seed):
    for k in range(seed, seed + 30):
        doc = make_doc(_random_document(k))
        check_invariants(doc, chunk_document(doc))


# --- the shipped corpus ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_passages():
    load = load_corpus(REAL_CORPUS)
    assert load.documents, "the shipped corpus should load"
    return load, chunk_documents(load.documents)


def test_real_corpus_invariants(real_passages):
    load, passages = real_passages
    docs = {d.doc_id: d for d in load.documents}
    for doc_id, doc in docs.items():
        check_invariants(doc, [p for p in passages if p.doc_id == doc_id])
    assert all(p.word_count <= TUNING.max_passage_words for p in passages)


@pytest.mark.parametrize("furniture", ["Tweet at me", "Back to top", "My name is Nick", "newsletter", "Home \u00bb"])
def test_real_corpus_has_no_furniture(real_passages, furniture):
    _, passages = real_passages
    pattern = re.compile(re.escape(furniture), re.I)
    assert not [p.pid for p in passages if pattern.search(p.text) or pattern.search(p.heading)]


def test_real_corpus_faq_heading(real_passages):
    _, passages = real_passages
    (p,) = [p for p in passages if "not always mandatory" in p.text]
    assert p.heading.startswith("Is a Master")
    assert p.text.startswith(p.heading)


def test_real_corpus_bullets_stay_with_intro(real_passages):
    _, passages = real_passages
    (p,) = [p for p in passages if "glimpse into their daily tasks:" in p.text]
    assert "Developing and deploying machine learning models" in p.text


# --- sentence offsets -------------------------------------------------------------------------------------


def _pysbd_spans(text: str) -> list[tuple[str, int, int]]:
    import pysbd

    return [(s.sent, s.start, s.end) for s in pysbd.Segmenter(language="en", clean=False, char_span=True).segment(text)]


def _our_spans(text: str) -> list[tuple[str, int, int]]:
    from bot.ingest.sentences import segmenter

    return [(s.sent, s.start, s.end) for s in segmenter().segment(text)]


def test_sentence_offsets_are_pysbds_on_the_corpus():
    paragraphs = [
        p for d in load_corpus(Path(__file__).resolve().parent.parent / "corpus").documents for p in d.text.split("\n") if p.strip()
    ]
    assert len(paragraphs) > 50
    assert [_our_spans(p) for p in paragraphs] == [_pysbd_spans(p) for p in paragraphs]


_SENTENCE_BITS = [
    "Dr. Smith",
    "e.g. this",
    "It costs $1.5 million.",
    "Why?",
    "Yes!",
    "  ",
    "\n",
    "U.S.",
    "No.",
    "a",
    "A.I. is here.",
    "...",
    "(see p. 4)",
    "“Quoted.”",
    "same. same. same.",
]


@settings(max_examples=int(os.environ.get("BOT_HYPOTHESIS_EXAMPLES", "200")), deadline=None)
@given(st.lists(st.sampled_from(_SENTENCE_BITS) | st.text(max_size=12), max_size=12).map(" ".join))
def test_sentence_offsets_are_pysbds_on_any_text(text):
    assert _our_spans(text) == _pysbd_spans(text)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "It was tracked before adding it to the .gitignore, hence it stays tracked. Use git rm --cached.",
            ["It was tracked before adding it to the .gitignore, hence it stays tracked.", "Use git rm --cached."],
        ),
        (
            "The pattern hello.* matches any name that begins with hello. Prepend a slash: /hello.*; it now matches hello.c.",
            ["The pattern hello.* matches any name that begins with hello.", "Prepend a slash: /hello.*; it now matches hello.c."],
        ),
        ("Edit config.txt first. Then run it.", ["Edit config.txt first.", "Then run it."]),
    ],
)
def test_a_dot_inside_a_word_ends_no_sentence(text, sentences):
    from bot.ingest.sentences import sentence_spans

    assert [text[s:e] for s, e in sentence_spans(text, 0, len(text))] == sentences
