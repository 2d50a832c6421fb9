"""Render answers for people and programs: JSON, plain text, and escaped Markdown/HTML.

Document text is data, never markup: everything taken from a document is
HTML-escaped and its Markdown punctuation backslash-escaped before it reaches
the browser.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

from .answer import Answer
from .corpus import Document

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~^$&])")


def to_dict(answer: Answer, documents: Mapping[str, Document] | None = None) -> dict:
    """The structure of `ask --json` and of the API."""
    documents = documents or {}
    citations = []
    for c in answer.citations:
        p = c.passage
        doc = documents.get(p.doc_id)
        citations.append(
            {
                "n": c.n,
                "title": p.title,
                "heading": p.heading,
                "source": p.doc_id,
                "start": p.start,
                "end": p.end,
                "text": p.text,
                "score": round(float(c.score), 4),
                "highlights": [[s, e] for s, e in c.highlights],
                "author": doc.author if doc else "",
                "date": doc.date if doc else "",
            }
        )
    return {
        "question": answer.question,
        "answer": answer.text,
        "abstained": answer.abstained,
        "citations": citations,
        "interpreted_as": answer.interpreted_as,
        "suggestions": list(answer.suggestions),
        "confidence": round(float(answer.confidence), 4),
    }


def to_text(answer: Answer) -> str:
    """Plain text for the terminal."""
    lines = []
    if answer.interpreted_as:
        lines.append(f"(Interpreted as: {answer.interpreted_as})")
    lines.append(answer.text)
    for c in answer.citations:
        p = c.passage
        where = f"{p.title} — {p.heading}" if p.heading else p.title
        lines.append("")
        lines.append(f"[{c.n}] {where} ({p.doc_id}, characters {p.start}-{p.end})")
        lines.append("    " + re.sub(r"\s+", " ", p.text).strip())
    return "\n".join(lines)


def escape_md(text: str) -> str:
    """Text safe inside Markdown: HTML-escaped, Markdown punctuation backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(re.sub(r"\s+", " ", text).strip(), quote=True).replace("&", "\x00")).replace("\x00", "&")


def to_markdown(answer: Answer, documents: Mapping[str, Document] | None = None) -> str:
    """The chat message: answer, then numbered sources with the quoted sentences in bold."""
    documents = documents or {}
    out = []
    if answer.interpreted_as:
        out.append(f"*Interpreted as: {escape_md(answer.interpreted_as)}*\n")
    if answer.abstained:
        out.append("The articles don't cover this, so I won't guess.")
        if answer.suggestions:
            out.append("\nQuestions they do answer:\n")
            out.extend(f"- {escape_md(s)}" for s in answer.suggestions)
        return "\n".join(out)
    out.append(_answer_with_markers(answer.text))
    if answer.citations:
        out.append("\n**Sources**\n")
    for c in answer.citations:
        p = c.passage
        doc = documents.get(p.doc_id)
        meta = [escape_md(x) for x in ((doc.author, doc.date) if doc else ()) if x]
        head = f"**[{c.n}] {escape_md(p.title)}**"
        if p.heading:
            head += f" — {escape_md(p.heading)}"
        if meta:
            head += " · " + " · ".join(meta)
        out.append(f"{head}  \n> {_highlighted(p.text, p.start, c.highlights)}\n")
    return "\n".join(out)


def _answer_with_markers(text: str) -> str:
    """Escape the answer but keep our own [n] markers readable."""
    parts = re.split(r"(\[\d+\])", text)
    return "".join(f"**{p}**" if re.fullmatch(r"\[\d+\]", p) else escape_md(p) for p in parts)


def _highlighted(text: str, start: int, spans) -> str:
    """The passage with the quoted sentences in bold; offsets are absolute."""
    pieces, cursor = [], 0
    for s, e in sorted(spans):
        s, e = s - start, e - start
        if s < cursor or e > len(text):
            continue
        pieces.append(escape_md(text[cursor:s]))
        pieces.append(f" **{escape_md(text[s:e])}** ")
        cursor = e
    pieces.append(escape_md(text[cursor:]))
    return re.sub(r" {2,}", " ", "".join(pieces)).strip()


def corpus_overview(documents) -> str:
    """The start screen: what the bot knows, escaped."""
    lines = ["## Ask the articles", "", "Short answers with numbered citations to the exact passages. The articles:", ""]
    for doc in sorted(documents, key=lambda d: d.title):
        meta = " · ".join(escape_md(x) for x in (doc.author, doc.publisher, doc.date) if x)
        lines.append(f"- **{escape_md(doc.title)}**" + (f" — {meta}" if meta else ""))
    return "\n".join(lines)
