"""Questions about the articles themselves: who wrote one, who published it, when.

These are answered from each document's metadata (its front matter), never by
search, and cited to the line of the article that states the fact ("Published
May 24, 2020", "Hi! My name is …"), so the reader can check it. A question
about an article that does not state the field gets an honest "it does not
say", not a guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from bot.answer.conversation import content_words
from bot.answer.display import display_sentence
from bot.records import Answer, Citation, Document
from bot.text import fold, stems

_ASKS = {
    "author": re.compile(
        r"\bwho\b.*\b(wrote|write|writes|written|authored|author|authors|writer|penned)\b"
        r"|\b(name|names) of the (author|writer)s?\b|\bwritten by\b|\bby whom\b|\bwhat is the author'?s name\b"
        r"|\b(author|writer)'?s? (background|bio|biography|profession|expertise)\b"
        r"|\b(background|bio|biography|profession|expertise) of the (author|writer)\b",
        re.I,
    ),
    "publisher": re.compile(
        r"\bwho\b.*\bpublish(ed|es)?\b|\bpublisher\b|\bwhich (site|website|company|blog|publication)\b.*\b(publish|post)", re.I
    ),
    "date": re.compile(
        # "when" that asks ("when was it posted?", "when published"), not one that sets a case ("… when reporting a bug,
        # and in what form should it be posted?")
        r"\bwhen (?:(?:was|were|is|are|did|does|do|has|had|will)\b.*?)?\b(publish|published|written|wrote|posted|released|come out|came out)\b"
        r"|\b(publication|release|posting) date\b|\bwhat (date|year|day|month)\b.*\b(publish|written|wrote|posted)\b"
        r"|\bhow (old|recent) is (the|this|that) (article|post)\b",
        re.I,
    ),
}
#: Words that say the question is about an article, not about the subject.
_ABOUT_ARTICLE = re.compile(r"\b(article|articles|post|posts|blog|piece|text|guide|essay|page)\b", re.I)
_FIELD_WORDS = frozenset(
    "article articles post posts blog piece text guide essay page wrote write writes written author authors writer publish published "
    "publisher publication date released release posted come came out name names whom background bio biography profession expertise".split()
)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
_PHRASE = {"author": "was written by {}", "publisher": "was published by {}", "date": "was published on {}"}
_MISSING = {"author": "who wrote {}", "publisher": "who published {}", "date": "when {} published"}
_SENTENCE_END = re.compile(r"[.!?](?=\s)")
_FIELD_OF_PUBLISHER_QUESTION = re.compile(r"\bwho\b.*\bpublish", re.I)


#: The heading of a metadata citation: a line of the article, not an indexed passage (its pid is None).
ABOUT_HEADING = "About the article"


@dataclass(frozen=True)
class AboutQuestion:
    field: str  # author | publisher | date
    documents: tuple[Document, ...]  # the articles asked about (all, when none is named)


def about_question(question: str, documents: Mapping[str, Document], context: str = "") -> AboutQuestion | None:
    """The metadata a question asks for, and of which articles; None for a question about the subject.

    ``context`` is the earlier question a follow-up leans on ("And when was it published?"): it may
    name the article, but the field asked for comes from the question alone.
    """
    text = fold(question)
    field = next((f for f, pattern in _ASKS.items() if pattern.search(text)), None)
    if field is None:
        return None
    if (
        field == "author"
        and _FIELD_OF_PUBLISHER_QUESTION.search(text)
        and not re.search(r"\b(wrote|write|written|author|writer)\b", text, re.I)
    ):
        field = "publisher"
    named = _named_documents(text, list(documents.values())) or _named_documents(fold(context), list(documents.values()))
    leftover = [w for w in content_words(text) if w not in _FIELD_WORDS and w not in ("who", "when")]
    if not named and not _ABOUT_ARTICLE.search(text) and leftover:
        return None  # "who wrote the first paper on neural networks?" is not about these articles
    return AboutQuestion(field, tuple(named or sorted(documents.values(), key=lambda d: d.title)))


def referenced_documents(question: str, documents: Mapping[str, Document]) -> list[Document]:
    """The articles a question explicitly points at ("the MentorCruise article", "in 'Why You Should …'").

    Only a question that speaks of an article, quotes a title or names a publisher counts: "how do I
    become an engineer?" shares a word with a title but asks about the subject, not about an article.
    """
    text = fold(question)
    publishers = [d.publisher for d in documents.values() if d.publisher]
    explicit = _ABOUT_ARTICLE.search(text) or re.search(r"['\"][^'\"]{8,}['\"]", text) or any(p.lower() in text.lower() for p in publishers)
    if not explicit:
        return []
    named = _named_documents(text, list(documents.values()))
    return named if len(named) < len(documents) else []


def names_of_articles(question: str, documents: Mapping[str, Document]) -> str:
    """The names (title, author, publisher) of the articles a question speaks of as articles ("the MentorCruise
    article's final verdict"): they say which article, not what is asked of it."""
    if not _ABOUT_ARTICLE.search(fold(question)):
        return ""
    return " ".join(f"{d.title} {d.author} {d.publisher}" for d in referenced_documents(question, documents))


def _named_documents(text: str, documents: list[Document]) -> list[Document]:
    """The documents the question names by title, publisher or file name (words shared by all count for nothing)."""
    asked = set(stems([w for w in content_words(text) if w not in _FIELD_WORDS]))
    if not asked or not documents:
        return []
    names = {d.doc_id: set(stems(content_words(f"{d.title} {d.publisher} {re.sub(r'[-_.]', ' ', d.doc_id)}"))) for d in documents}
    df: dict[str, int] = {}
    for words in names.values():
        for w in words:
            df[w] = df.get(w, 0) + 1
    scores = {d.doc_id: sum(1.0 / df[w] for w in asked & names[d.doc_id] if df[w] < len(documents)) for d in documents}
    best = max(scores.values())
    if best < 0.99:  # at least one distinctive word of one article
        return []
    return [d for d in documents if scores[d.doc_id] >= best - 1e-9]


def _value(doc: Document, field: str) -> str:
    return {"author": doc.author, "publisher": doc.publisher, "date": doc.date}[field].strip()


def readable_date(value: str) -> str:
    """2020-05-24 -> May 24, 2020; anything else as it is."""
    try:
        d = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{_MONTHS[d.month - 1]} {d.day}, {d.year}"


def _evidence(doc: Document, field: str, value: str) -> tuple[int, int] | None:
    """The sentence of the article that states the value, as offsets into its text."""
    needles = [value]
    if field == "date":
        try:
            d = date.fromisoformat(value)
            needles = [readable_date(value), f"{d.day} {_MONTHS[d.month - 1]} {d.year}", f"{_MONTHS[d.month - 1]} {d.day} {d.year}", value]
        except ValueError:
            pass
    folded = fold(doc.text).lower()
    for needle in needles:
        at = folded.find(fold(needle).lower())
        if at >= 0:  # the sentence around it, within its line
            line_start = doc.text.rfind("\n", 0, at) + 1
            line_end = doc.text.find("\n", at)
            line_end = len(doc.text) if line_end < 0 else line_end
            before = [m.end() for m in _SENTENCE_END.finditer(doc.text, line_start, at)]
            start = before[-1] if before else line_start
            after = _SENTENCE_END.search(doc.text, at + len(needle), line_end)
            end = after.start() + 1 if after else line_end
            while start < end and doc.text[start] in " \t•*-·":
                start += 1
            return start, end
    return None


def answer_about(question: str, asked: AboutQuestion, interpreted_as: str = "") -> Answer:
    """The metadata answer, each fact cited to the line that states it; abstains when no article states it."""
    parts, citations = [], []
    missing = []
    for doc in asked.documents:
        value = _value(doc, asked.field)
        if not value:
            missing.append(doc)
            continue
        shown = readable_date(value) if asked.field == "date" else value
        span = _evidence(doc, asked.field, value)
        if span is None:  # stated in the front matter only: cite the article's opening line
            first_line = doc.text.lstrip()
            offset = len(doc.text) - len(first_line)
            span = (offset, offset + len(first_line.split("\n", 1)[0]))
        n = len(citations) + 1
        s, e = span
        citations.append(
            Citation(
                n=n,
                doc_id=doc.doc_id,
                title=doc.title,
                heading=ABOUT_HEADING,
                start=s,
                end=e,
                text=doc.text[s:e],
                score=1.0,
                highlights=((s, e),),
            )
        )
        stated = display_sentence(doc.text[s:e])
        if asked.field == "author" and len(stated.split()) > len(value.split()) + 4:  # the article says more about them
            parts.append(f"“{doc.title}” {_PHRASE[asked.field].format(shown)}, who writes: “{stated}” [{n}]")
        else:
            parts.append(f"“{doc.title}” {_PHRASE[asked.field].format(shown)}. [{n}]")
    if not parts:
        names = " or ".join(f"“{d.title}”" for d in missing)
        what = _MISSING[asked.field].format("it was" if asked.field == "date" else "it")
        text = f"The articles don't say {what}: {names} states no {asked.field}."
        return Answer(question=question, text=text, abstained=True, interpreted_as=interpreted_as)
    if missing and len(asked.documents) > 1:
        parts.append(f"The other articles don't say {_MISSING[asked.field].format('they were' if asked.field == 'date' else 'them')}.")
    return Answer(
        question=question,
        text=" ".join(parts),
        abstained=False,
        citations=tuple(citations),
        interpreted_as=interpreted_as,
        confidence=1.0,
        sentences=tuple(parts),
    )
