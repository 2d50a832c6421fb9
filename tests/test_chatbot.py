"""The answer path with the real model: known questions, follow-ups, abstention, and the dev-set gate."""

from __future__ import annotations

import pytest

from bot.answer.chatbot import validate_question
from bot.bench.evaluate import evaluate, load_cases
from bot.errors import QuestionError
from bot.text import for_matching

from .conftest import ROOT

pytestmark = pytest.mark.model
PROS_AND_CONS = "machine-learning-engineer-career-pros-and-cons.txt"


def test_masters_question_is_answered_from_the_pros_and_cons_article(real_bot):
    answer = real_bot.ask("Do I need a master's degree?")
    assert not answer.abstained
    assert "not always mandatory" in for_matching(answer.text)
    first = answer.citations[0]
    assert first.doc_id == PROS_AND_CONS and first.n == 1
    assert "[1]" in answer.text


def test_citations_quote_the_exact_source_text(real_bot):
    answer = real_bot.ask("What salary can a machine learning engineer expect?")
    assert "85 000 and 200 000" in for_matching(answer.text)
    for c in answer.citations:
        doc = real_bot.index.documents[c.doc_id]
        assert doc.text[c.start : c.end] == c.text
        for s, e in c.highlights:
            assert c.start <= s < e <= c.end


def test_a_followup_is_read_with_the_previous_question(real_bot):
    first = real_bot.respond("Do I need a master's degree?")
    answer = real_bot.ask("In which fields?", [first])
    assert "computer science" in for_matching(answer.text)
    assert "master" in answer.interpreted_as.lower()


def test_a_one_word_followup_stays_with_passages_that_use_its_word(real_bot):
    """ "and libraries?" after skills and languages: its own-words search ranks a passage that never says "libraries"
    first by a noise-level cosine; only a passage holding the word may join the answer's."""
    turns = real_bot.replay(["what skills do i need", "which languages?"])
    answer = real_bot.ask("and libraries?", turns)
    assert "libraries" in for_matching(answer.text.split("[1]")[0])
    assert "specialize in that domain" not in for_matching(answer.text)


def test_a_standalone_second_question_is_not_treated_as_a_followup(real_bot):
    first = real_bot.respond("Do I need a master's degree?")
    answer = real_bot.ask("What is the difference between a data scientist and a machine learning engineer?", [first])
    assert answer.interpreted_as == ""
    assert "data scientists" in for_matching(answer.text)


@pytest.mark.parametrize(
    "question", ["How do I replace a car's brake pads?", "What's the weather like in Paris?", "Who painted the Mona Lisa?"]
)
def test_out_of_scope_questions_get_an_abstention_with_suggestions(real_bot, question):
    answer = real_bot.ask(question)
    assert answer.abstained and not answer.citations
    assert "don't cover" in answer.text
    assert answer.suggestions and all(s in real_bot.suggestions.pool for s in answer.suggestions)


FURNITURE = ("car enthusiast", "tweet at me", "back to top", "newsletter")


def test_page_furniture_never_reaches_the_index(real_bot):
    text = " ".join(p.text.lower() for p in real_bot.index.passages)
    assert [f for f in FURNITURE if f in text] == []
    # ...while the articles do have it (so the check above can fail)
    raw = " ".join(d.text.lower() for d in real_bot.index.documents.values())
    assert all(f in raw for f in FURNITURE)


def test_page_furniture_is_never_cited_for_a_question_the_articles_answer(real_bot):
    cited = 0
    for question in (
        "Who is the author and what are his hobbies?",
        "How can I follow the author?",
        "Do I need a master's degree?",
        "Is ML good for a car enthusiast?",  # "enthusiast" is only in the author's bio, which is not an answer to it
        "What are the top skills?",  # "top" only in "Back to top"
    ):
        for c in real_bot.ask(question).citations:
            cited += 1
            assert [f for f in FURNITURE if f in c.text.lower()] == []
    assert cited > 0


def test_a_question_about_what_only_the_page_around_the_article_says_is_answered_from_it_and_says_so(real_bot):
    """No passage holds "newsletter": the promotional box does, and it is quoted as what it is, cited to the page's
    own text (no passage of the index)."""
    answer = real_bot.ask("How often does the MentorCruise newsletter go out?")
    assert not answer.abstained and answer.text.startswith("Outside the article itself, the page says:")
    assert "once per month" in answer.text
    (citation,) = answer.citations
    assert citation.pid is None and "newsletter" in citation.text
    doc = real_bot.index.documents[citation.doc_id]
    assert doc.text[citation.start : citation.end] == citation.text


@pytest.mark.parametrize(
    "question",
    [
        "\u202eDo I need a master\u2019s degree?\u200b",  # bidi override and zero-width space
        "Do I need a master's degree? 🤖🤖",
        "Do I need a\x00 master's degree?\x07",  # NUL and a control character
        "Do I need a master's degree? \ud800",  # a lone surrogate
    ],
)
def test_odd_unicode_around_a_question_gets_the_same_answer(real_bot, question):
    assert real_bot.ask(question).text == real_bot.ask("Do I need a master's degree?").text


def test_a_question_in_another_script_is_declined_not_guessed(real_bot):
    answer = real_bot.ask("修士号は必要ですか？")
    assert answer.abstained and not answer.citations and answer.suggestions


@pytest.mark.parametrize("question", ["", "   \n\t ", "\u200b\u200b", "?!", None])
def test_empty_questions_are_refused_with_a_prompt(question):
    with pytest.raises(QuestionError, match="Please type a question"):
        validate_question(question, 2000)


def test_huge_questions_are_refused_with_the_limit():
    with pytest.raises(QuestionError, match="limit is 2,000"):
        validate_question("why " * 25_000, 2000)


def test_dev_set_gate(real_bot):
    """Regression gate on eval/dev.jsonl at the answer-quality targets (docs/performance.md has the figures)."""
    result, outcomes = evaluate(real_bot, load_cases(ROOT / "eval" / "dev.jsonl"))
    assert result["n"] == 18 and result["n_oos"] == 3
    assert result["answer_hit"] >= 0.95, result
    assert result["cite_hit@1"] >= 0.85, result
    assert result["cite_hit@3"] >= 0.95, result
    assert result["oos_abstain"] == 1.0, result
    assert result["false_abstain"] <= 0.05, result
    assert result["followup_answer_hit"] >= 0.90, result
    assert result["max_answer_words"] <= 150 and result["mean_answer_words"] <= 80, result
    assert result["mean_passage_words"] <= 120, result


def test_heldout_set_gate(real_bot):
    """Regression gate on eval/heldout.jsonl, the harder set written without looking at answers: no slipping back."""
    result, _ = evaluate(real_bot, load_cases(ROOT / "eval" / "heldout.jsonl"))
    assert result["n"] == 75 and result["n_oos"] == 10
    assert result["answer_hit"] >= 0.72 and result["cite_hit@1"] >= 0.70, result
    assert result["cite_hit@3"] >= 0.73, result
    assert result["oos_abstain"] >= 0.90, result
    assert result["false_abstain"] <= 0.11, result
    assert result["max_answer_words"] <= 150 and result["mean_passage_words"] <= 120, result


@pytest.mark.parametrize("question", ["How much do ML engineers earn?", "How well paid is the job?"])
def test_money_questions_find_the_passage_with_the_amount(real_bot, question):
    """'earn' alone pulls the master's passage ('earning potential'); the passage stating an amount must be cited."""
    answer = real_bot.ask(question)
    assert "85 000 and 200 000" in for_matching(answer.text)
    assert any("$85,000" in c.text for c in answer.citations)


def test_questions_about_an_article_are_answered_from_its_metadata(real_bot):
    a = real_bot.ask("Who wrote the pros and cons article?")
    assert "Nick Starovski" in a.text and a.citations[0].doc_id == "machine-learning-engineer-career-pros-and-cons.txt"
    a = real_bot.ask("When was the MentorCruise article published?")
    assert "May 24, 2020" in a.text and a.citations[0].text == "Published May 24, 2020"
    assert real_bot.ask("Who wrote 'Why You Should Become a Machine Learning Engineer'?").abstained


def test_a_question_about_a_whole_section_lists_its_sub_sections(real_bot):
    answer = real_bot.ask("What are the pros of a machine learning career?")
    assert "High Demand and Excellent Salary" in answer.text
    assert len(answer.citations) == 3 and all(real_bot.index.passages[c.pid].parent.startswith("The Pros") for c in answer.citations)


def test_replayed_history_skips_refused_questions_and_keeps_the_last_ten(real_bot):
    from bot.config import TUNING

    MAX_HISTORY = TUNING.max_history

    turns = real_bot.replay(["", "   ", "Do I need a master's degree?"])
    assert [t.question for t in turns] == ["Do I need a master's degree?"]
    assert "Computer Science" in real_bot.ask("In which fields?", turns).text
    many = [f"What salary can a machine learning engineer expect? ({i})" for i in range(MAX_HISTORY + 5)]
    assert [t.question for t in real_bot.replay(many)] == many[-MAX_HISTORY:]


def test_warm_embeds_suggestions_and_outlines_before_the_first_question(real_settings):
    """A served bot embeds the suggestions and outlines up front: the first abstention only embeds its question."""
    from bot.answer.chatbot import Chatbot
    from bot.search.embedding import embedder_for

    class Counting:
        def __init__(self, inner):
            self.inner, self.name, self.batches = inner, inner.name, []

        @property
        def dim(self):
            return self.inner.dim

        def encode(self, texts):
            self.batches.append(len(texts))
            return self.inner.encode(texts)

    embedder = Counting(embedder_for(real_settings))
    bot = Chatbot.from_settings(real_settings, embedder)
    bot.warm()
    assert len(bot.suggestions.vectors()) == len(bot.suggestions.pool) > 0
    assert len(bot.outlines.vectors()) == len(bot.outlines.items) > 0
    embedder.batches.clear()
    answer = bot.ask("How do I replace a car's brake pads?")
    assert answer.abstained and answer.suggestions
    assert embedder.batches and max(embedder.batches) <= 2  # the question (and its follow-up reading), nothing more
