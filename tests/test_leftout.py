"""bot.answer.leftout: the page's text outside its passages answers only what no passage holds, and says so."""

from __future__ import annotations

from dataclasses import replace

from bot.answer import leftout
from bot.answer.leftout import PREFIX, LeftOut, _gaps
from bot.config import TUNING

from .conftest import fake_bot_of

ARTICLE = (
    "Statistics careers\n\n"
    "Statisticians analyse data for companies of every size and they are paid well for it. "
    "Most of them work in teams with engineers and managers, and many of them work from home.\n\n"
    "Our newsletter sends out useful resources about careers once per month. Don't miss it!\n"
    "Back to top\n"
)


def leftout_of(bot, **tuning):
    """The bot's left-out text, with sentences of 5 words or more and lines up to 70 quoted whole unless told."""
    over = {"leftout_min_words": 5, "max_answer_words": 70, **tuning}
    return LeftOut(bot.index, bot.retriever.known_terms, bot.embedder.encode, replace(TUNING, **over))


def test_the_gaps_are_what_no_span_covers():
    assert _gaps(10, [(2, 4), (3, 6), (8, 9)]) == [(0, 2), (6, 8), (9, 10)]
    assert _gaps(5, []) == [(0, 5)] and _gaps(5, [(0, 5)]) == []


def test_left_out_sentences_are_the_furniture_and_no_passage_text(tmp_path):
    bot = fake_bot_of(tmp_path, {"stats.txt": ARTICLE})
    left = leftout_of(bot)
    texts = [s.text for s in left.sentences]
    assert any("newsletter" in t for t in texts)
    assert not any("Statisticians" in t for t in texts)  # a passage holds it
    assert "Back to top" not in texts  # too short to answer anything
    doc = bot.index.documents["stats.txt"]
    assert all(doc.text[s.span[0] : s.span[1]].split() == s.text.split() for s in left.sentences)


def test_only_a_word_no_passage_holds_brings_left_out_text(tmp_path):
    bot = fake_bot_of(tmp_path, {"stats.txt": ARTICLE})
    left = leftout_of(bot)
    assert left.holding(bot.index.terms("how often is the newsletter"))
    assert left.holding(bot.index.terms("are statisticians paid well")) == []


def test_the_answer_quotes_a_short_line_whole_and_says_where_it_comes_from(tmp_path):
    bot = fake_bot_of(tmp_path, {"stats.txt": ARTICLE})
    question = "how often does the newsletter come out"
    vector = bot.embedder.encode([question])[0]
    stems = bot.index.terms(question)
    answer = leftout_of(bot, leftout_cosine=-1.0).answer(question, stems, vector)
    assert answer is not None and answer.text.startswith(PREFIX)
    assert "once per month" in answer.text and "Don't miss it!" in answer.text  # the line, whole
    (citation,) = answer.citations
    assert citation.pid is None and citation.highlights == ((citation.start, citation.end),)
    assert leftout_of(bot, leftout_cosine=2.0).answer(question, stems, vector) is None
    short = leftout_of(bot, leftout_cosine=-1.0, max_answer_words=5)  # a line over max_words: its sentence alone
    answer = short.answer(question, stems, vector)
    assert "once per month" in answer.text and "Don't miss it!" not in answer.text


def test_a_large_collection_is_not_read_for_it(tmp_path, monkeypatch):
    bot = fake_bot_of(tmp_path, {"stats.txt": ARTICLE})
    monkeypatch.setattr(leftout, "MAX_DOCUMENTS", 0)
    assert leftout_of(bot).sentences == ()
