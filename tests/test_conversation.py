"""Follow-up detection and resolution (no model)."""

from __future__ import annotations

import pytest

from bot.answer.conversation import is_elliptical, resolve
from bot.records import Answer, Citation, Passage, Turn


@pytest.mark.parametrize(
    "q",
    [
        "In which fields?",
        "Why that one?",
        "What does it depend on?",
        "Do I need all of them right now?",
        "How can I deal with that?",
        "And the cons?",
        "Why?",
    ],
)
def test_elliptical_questions(q):
    assert is_elliptical(q)


@pytest.mark.parametrize(
    "q",
    [
        "What is the difference between a data scientist and a machine learning engineer?",
        "Which programming languages should a machine learning engineer learn?",
        "How can I gain practical experience in machine learning engineering?",
    ],
)
def test_standalone_questions(q):
    assert not is_elliptical(q)


def _turn(question, abstained=False):
    p = Passage(pid=7, doc_id="d.txt", title="T", heading="", start=0, end=1, text="x", sentences=((0, 1),))
    cites = () if abstained else (Citation.of(1, p, 0.5, ((0, 1),)),)
    return Turn(question=question, resolved=question, answer=Answer(question=question, text="a", abstained=abstained, citations=cites))


def test_a_followup_is_searched_with_the_previous_question_and_its_passages_score_lower():
    r = resolve("In which fields?", [_turn("Do I need a master's degree?")])
    assert r.query == "Do I need a master's degree? In which fields?"
    assert r.boost == {7: pytest.approx(-0.1)} and "master" in r.interpreted_as


def test_no_history_or_an_abstained_turn_is_not_followed():
    assert resolve("In which fields?", []).query == "In which fields?"
    assert resolve("In which fields?", [_turn("weather?", abstained=True)]).followup_of == ""


def test_a_followup_that_picks_among_what_was_said_scores_those_passages_higher():
    r = resolve("which of those is quicker?", [_turn("How can I test a database file for corruption?")])
    assert r.chooses and r.boost == {7: pytest.approx(0.1)}
    assert not resolve("which tools are there?", [_turn("How can I test it?")]).chooses
    other = resolve("and how do I get rid of it afterwards?", [_turn("How do I add a file?")])
    assert not other.chooses and other.boost == {7: pytest.approx(-0.1)}


def test_a_followup_wants_what_its_own_words_ask_for_else_what_the_question_before_did(fake_bot):
    turns = [_turn("How do I start with machine learning?")]
    own = fake_bot._retrieve(fake_bot._read("and does that cost anything?", turns)).query.wants
    assert own.money and not own.how  # not the how-to of the question before
    kept = fake_bot._retrieve(fake_bot._read("and after that?", turns)).query.wants
    assert kept.how


def test_a_followup_searches_the_documents_the_answer_before_cited_a_little_higher(fake_bot, monkeypatch):
    """Over a folder of unrelated documents ("python" in the Sphinx manual and in an article on careers), a chat goes
    on in the documents it was answered from: their passages gain Tuning.followup_document_boost, the cited ones
    keep their own lower score."""
    cited = fake_bot.index.passages[0]
    turns = [_turn("How do I start with machine learning?")]
    turns[0] = Turn(
        question=turns[0].question,
        resolved=turns[0].resolved,
        answer=Answer(question="q", text="a", abstained=False, citations=(Citation.of(1, cited, 0.5, ((cited.start, cited.end),)),)),
    )
    seen = {}
    search = fake_bot.retriever.search

    def spy(query, k=None, vector=None, boost=None):
        seen.update(boost or {})
        return search(query, k=k, vector=vector, boost=boost)

    monkeypatch.setattr(fake_bot.retriever, "search", spy)
    fake_bot._retrieve(fake_bot._read("and after that?", turns))
    same = [p.pid for p in fake_bot.index.passages if p.doc_id == cited.doc_id and p.pid != cited.pid]
    others = [p.pid for p in fake_bot.index.passages if p.doc_id != cited.doc_id]
    assert same and others
    step = fake_bot.tuning.followup_document_boost
    assert all(seen[pid] == pytest.approx(step) for pid in same)
    assert seen[cited.pid] == pytest.approx(fake_bot.tuning.followup_boost + step)
    assert not any(pid in seen for pid in others)
