"""Questions about the articles themselves, answered from their metadata and cited to the stating line."""

from __future__ import annotations

from bot.answer.about import about_question, answer_about, readable_date
from bot.records import Document

DOCS = {
    d.doc_id: d
    for d in (
        Document(
            doc_id="gardening-pros-and-cons.txt",
            title="Gardening: Pros and Cons",
            text="Intro line.\nAbout me\n  • Hi! My name is Ada Green, a gardener.\n",
            author="Ada Green",
        ),
        Document(
            doc_id="bakery.txt",
            title="Why Bread Matters",
            text="Published March 3, 2021\nBread is old.\n",
            date="2021-03-03",
            publisher="Crumb Weekly",
        ),
        Document(doc_id="plain.txt", title="Soil Basics", text="Soil is alive.\n"),
    )
}


def ask(question, context=""):
    asked = about_question(question, DOCS, context)
    return asked and answer_about(question, asked)


def test_the_author_is_named_and_cited_to_the_line_that_states_it():
    a = ask("Who wrote the pros and cons article?")
    assert not a.abstained and "Ada Green" in a.text and "[1]" in a.text
    c = a.citations[0]
    assert c.doc_id == "gardening-pros-and-cons.txt"
    assert c.text == "My name is Ada Green, a gardener."
    assert DOCS[c.doc_id].text[c.start : c.end] == c.text


def test_the_date_reads_as_the_article_writes_it():
    a = ask("When was the Crumb Weekly article published?")
    assert "March 3, 2021" in a.text and a.citations[0].text == "Published March 3, 2021"
    assert readable_date("2020-05-24") == "May 24, 2020" and readable_date("spring 2020") == "spring 2020"


def test_the_publisher_is_answered():
    a = ask("Who published 'Why Bread Matters'?")
    assert "Crumb Weekly" in a.text and not a.abstained


def test_an_article_that_states_no_author_gets_an_honest_abstention():
    a = ask("Who is the author of the Soil Basics article?")
    assert a.abstained and "Soil Basics" in a.text and not a.citations


def test_without_a_named_article_every_stated_value_is_given():
    a = ask("Who wrote these articles?")
    assert "Ada Green" in a.text and "other articles don't say who wrote them" in a.text


def test_a_followup_may_name_the_article_in_the_earlier_question():
    a = ask("And when was it published?", context="Who publishes the bread article?")
    assert a is not None and "March 3, 2021" in a.text


def test_questions_about_the_subject_are_left_to_search():
    for q in ("Who wrote the first paper on neural networks?", "When was bread invented?", "What is soil?", "Is the job stressful?"):
        assert about_question(q, DOCS) is None, q


def test_the_author_answer_quotes_what_the_article_says_of_them():
    a = ask("What is the professional background of the author of the pros and cons article?")
    assert a is not None and "a gardener" in a.text and "Ada Green" in a.text
    assert about_question("What is the background of machine learning?", DOCS) is None


def test_a_question_points_at_an_article_only_explicitly():
    from bot.answer.about import referenced_documents

    assert [d.doc_id for d in referenced_documents("In the pros and cons article, what is said about pay?", DOCS)] == [
        "gardening-pros-and-cons.txt"
    ]
    assert [d.doc_id for d in referenced_documents("What does Crumb Weekly say about rye?", DOCS)] == ["bakery.txt"]
    assert referenced_documents("What are the pros and cons of gardening?", DOCS) == []  # about the subject
    assert referenced_documents("What do the articles say?", DOCS) == []  # all of them: no preference


def test_the_names_of_an_article_spoken_of_as_an_article_say_which_one_not_what_is_asked():
    """ "What is the Crumb Weekly article's verdict on rye?": "Crumb Weekly" picks the article; a word only the page
    around it holds ("Crumb Weekly" in its newsletter box) must not send the question to that box."""
    from bot.answer.about import names_of_articles

    assert "Crumb Weekly" in names_of_articles("What is the Crumb Weekly article's verdict on rye?", DOCS)
    assert names_of_articles("What does Crumb Weekly send in its newsletter?", DOCS) == ""  # the publisher itself
    assert names_of_articles("What is the verdict on rye?", DOCS) == ""


def test_a_when_that_sets_a_case_does_not_ask_for_the_date():
    """ "… when reporting a bug, and in what form should it be posted?" asks how to report, about the bread article too."""
    assert about_question("What must I include when reporting a bug in the bread article, and where should it be posted?", DOCS) is None
    assert about_question("When was the bread article posted?", DOCS).field == "date"
    assert about_question("bread article when published", DOCS).field == "date"
