"""Render answers for people and programs: JSON, plain text, and HTML for the chat.

Document text is data, never markup: everything taken from a document (titles,
headings, passages, authors, the article around a passage) is HTML-escaped
before it reaches the browser; the only tags are the ones written here. A chat
message is one line of HTML, so the chat's Markdown renderer passes it through
as a single HTML block and reads no Markdown in it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from pathlib import Path

from bot.answer.display import display_sentence
from bot.config import TUNING
from bot.records import Answer, Citation, Document

_MARKER = re.compile(r"(\[\d+\])")
_FENCED = re.compile(r"\s*```\n(.*?)\n```\s*", re.S)


def to_dict(answer: Answer, documents: Mapping[str, Document] | None = None) -> dict:
    """The structure of `ask --json` and of the API."""
    documents = documents or {}
    citations = []
    for c in answer.citations:
        p = c
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
                "code": [[s, e] for s, e in c.code],  # code blocks in the passage; in "answer" code is fenced with ```
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
        p = c
        where = f"{p.title} — {p.heading}" if p.heading else p.title
        lines.append("")
        lines.append(f"[{c.n}] {where} ({p.doc_id}, characters {p.start}-{p.end})")
        lines.append("    " + re.sub(r"\s+", " ", p.text).strip())
    return "\n".join(lines)


#: What the chat says when the articles do not answer a question.
ABSTAIN_TEXT = "The articles don't cover this, so I won't guess."


def to_html(answer: Answer, documents: Mapping[str, Document] | None = None, key: str = "1", list_suggestions: bool = True) -> str:
    """The chat message: the answer with [n] links, then its sources, each expandable into its article.

    `key` makes the element ids unique in the page (one per answer of the chat). With
    `list_suggestions` False an abstention leaves its suggested questions to the chat's
    own clickable options.
    """
    documents = documents or {}
    key = re.sub(r"[^A-Za-z0-9_-]", "", key) or "1"
    out = ['<div class="bot-answer">']
    if answer.interpreted_as:
        out.append(f'<p class="bot-interpreted">Interpreted as: {_esc(answer.interpreted_as)}</p>')
    if answer.abstained:
        out.append(f'<p class="bot-abstain">{_esc(ABSTAIN_TEXT)}</p>')
        if answer.suggestions:
            out.append('<p class="bot-suggest">Questions they do answer:</p>')
            if list_suggestions:
                out.append(f'<ul class="bot-suggestions">{"".join(f"<li>{_esc(s)}</li>" for s in answer.suggestions)}</ul>')
    else:
        titles = {c.n: re.sub(r"\s+", " ", _where(c.title, c.heading)) for c in answer.citations}
        parts = []
        for k, run in enumerate(_FENCED.split(answer.text)):
            if k % 2:  # a code block, quoted verbatim
                parts.append(f'<code class="bot-code bot-code-block">{_esc(run, code=True)}</code>')
                continue
            for piece in _MARKER.split(run):
                n = int(piece[1:-1]) if _MARKER.fullmatch(piece) else 0
                if n in titles:
                    parts.append(f'<a class="bot-cite" href="#src-{key}-{n}" title="{_esc(titles[n])}">[{n}]</a>')
                else:
                    parts.append(_esc(piece))
        out.append(f'<div class="bot-text">{"".join(parts)}</div>')
        if answer.citations:
            out.append('<div class="bot-sources"><p class="bot-sources-title">Sources</p>')
            out.extend(_source_html(c, documents.get(c.doc_id), key) for c in answer.citations)
            out.append("</div>")
    plain = html.escape(to_plain(answer, documents)).replace("\n", "&#10;")  # newlines as entities: the message stays one line
    out.append(
        f'<div class="bot-plain" hidden>{plain}</div><div class="bot-actions"><button type="button" class="bot-copy" title="Copy the answer and its sources">Copy</button></div>'
    )
    out.append("</div>")
    return "".join(out)


def to_plain(answer: Answer, documents: Mapping[str, Document] | None = None) -> str:
    """The answer as the Copy button copies it: the text, then each source with the sentences quoted from it."""
    documents = documents or {}
    lines = [f"Interpreted as: {answer.interpreted_as}"] if answer.interpreted_as else []
    lines.append(answer.text)
    for c in answer.citations:
        p, doc = c, documents.get(c.doc_id)
        meta = ", ".join(x for x in ((doc.author, doc.date) if doc else ()) if x)
        lines += ["", f"[{c.n}] {_where(p.title, p.heading)}" + (f" ({meta})" if meta else "")]
        quoted = [display_sentence(p.text[s - p.start : e - p.start]) for s, e in c.highlights if p.start <= s < e <= p.end]
        lines.append(f"“{' … '.join(quoted)}”" if quoted else display_sentence(p.text))
    return "\n".join(lines)


def _source_html(c: Citation, doc: Document | None, key: str) -> str:
    p = c
    meta = [x for x in ((doc.author, doc.date) if doc else ()) if x]
    head = f'<span class="bot-n">[{c.n}]</span> <strong class="bot-title">{_esc(p.title)}</strong>'
    below = []
    if p.heading:
        below.append(f'<span class="bot-heading">{_esc(p.heading)}</span>')
    below.extend(f'<span class="bot-meta">{_esc(x)}</span>' for x in meta)
    start, end = _body(p)
    body = _with_code(p.text[start - p.start : end - p.start], start, c.highlights, c.code, paragraphs=False)
    html_ = [f'<div class="bot-source" id="src-{key}-{c.n}">', f'<div class="bot-source-head">{head}</div>']
    if below:
        html_.append(f'<div class="bot-source-where">{" · ".join(below)}</div>')
    html_.append(f'<blockquote class="bot-passage">{body}</blockquote>')
    if doc is not None and doc.text[p.start : p.end] == p.text:
        html_.append(
            f'<details class="bot-context"><summary>Show in the article</summary><div class="bot-article">{_context(doc.text, p, c.highlights)}</div></details>'
        )
    html_.append("</div>")
    return "".join(html_)


def _where(title: str, heading: str) -> str:
    return f"{title} — {heading}" if heading else title


def _body(p: Citation) -> tuple[int, int]:
    """The passage without its opening heading line (the heading is shown above it): absolute offsets."""
    first, newline, rest = p.text.partition("\n")
    if p.heading and newline and rest.strip() and first.strip().lstrip("#").strip() == p.heading.strip():
        return p.end - len(rest.lstrip()), p.end
    return p.start, p.end


def _context(doc_text: str, p: Citation, spans) -> str:
    """The passage inside its article: some text before and after, the passage set off, its quoted sentences marked."""
    lo, hi = max(0, p.start - TUNING.context_chars), min(len(doc_text), p.end + TUNING.context_chars)
    if lo > 0:  # start and end on a word boundary
        cut = re.search(r"\s+", doc_text[lo : p.start])
        lo = lo + cut.end() if cut else p.start
    if hi < len(doc_text):
        cut = list(re.finditer(r"\s+", doc_text[p.end : hi]))
        hi = p.end + cut[-1].start() if cut else p.end
    before = ("… " if lo > 0 else "") + _esc(doc_text[lo : p.start], paragraphs=True)
    after = _esc(doc_text[p.end : hi], paragraphs=True) + (" …" if hi < len(doc_text) else "")
    cited = _with_code(p.text, p.start, spans, p.code, paragraphs=True)
    return f'{before}<span class="bot-cited">{cited}</span>{after}'


def _with_code(text: str, start: int, spans, code, paragraphs: bool) -> str:
    """Escaped text with its code blocks (absolute spans) in <code>, white space kept, and the quoted sentences marked."""
    pieces, cursor = [], 0
    for s, e in sorted(code):
        s, e = max(s - start, cursor), min(e - start, len(text))
        if e <= s:
            continue
        pieces.append(_marked(text[cursor:s], start + cursor, spans, paragraphs))
        pieces.append(f'<code class="bot-code">{_marked(text[s:e], start + s, spans, paragraphs=False, code=True)}</code>')
        cursor = e
    pieces.append(_marked(text[cursor:], start + cursor, spans, paragraphs))
    return "".join(pieces)


def _marked(text: str, start: int, spans, paragraphs: bool, code: bool = False) -> str:
    """Escaped text (starting at absolute offset `start`) with the quoted sentences in <mark>."""
    pieces, cursor = [], 0
    for s, e in sorted(spans):
        s, e = max(s - start, cursor), min(e - start, len(text))
        if e <= s:
            continue
        pieces.append(_esc(text[cursor:s], paragraphs, code))
        pieces.append(f"<mark>{_esc(text[s:e], paragraphs, code)}</mark>")
        cursor = e
    pieces.append(_esc(text[cursor:], paragraphs, code))
    return "".join(pieces)


def _esc(text: str, paragraphs: bool = False, code: bool = False) -> str:
    """Document text as inert HTML on one line: escaped, line breaks as <br> (a blank line as two when `paragraphs`).

    Code keeps every line break and its indentation (as no-break spaces)."""
    escaped = html.escape(text, quote=True)
    if code:
        lines = escaped.split("\n")
        return "<br>".join("&nbsp;" * (len(x) - len(x.lstrip(" "))) + x.lstrip(" ") for x in lines).replace("\r", "")
    if paragraphs:
        escaped = re.sub(r"[ \t]*\n[ \t]*\n\s*", "<br><br>", escaped)
    escaped = re.sub(r"[ \t]*\n\s*", "<br>", escaped)
    return escaped.replace("\r", " ")


def question_html(question: str) -> str:
    """The user's message as typed, inert: a suggested question clicked in the chat is document text too."""
    return f'<p class="bot-question">{_esc(question)}</p>'


def start_screen(documents, status: str = "") -> str:
    """What the bot knows, for the empty chat: the articles listed, escaped, and when they were indexed."""
    items = []
    for doc in sorted(documents, key=lambda d: d.title.lower()):
        meta = " · ".join(_esc(x) for x in (doc.author, doc.publisher, doc.date) if x)
        items.append(f"<li><strong>{_esc(doc.title)}</strong>{f' <span class=bot-meta>{meta}</span>' if meta else ''}</li>")
    return (
        '<div class="bot-start"><p><strong>Ask the articles.</strong> Short answers with numbered citations '
        f"to the exact passages, from {len(items)} article{'s' if len(items) != 1 else ''}:</p>"
        f'<ul class="bot-articles">{"".join(items)}</ul>'
        + (f'<p class="bot-meta bot-indexed">{_esc(status)}</p>' if status else "")
        + "</div>"
    )


_STATIC = Path(__file__).with_name("static")
#: Styles for the HTML above (the server passes them to the page; the chat's sanitizer drops <style> in messages).
CSS = (_STATIC / "chat.css").read_text(encoding="utf-8")
#: The behaviour of the messages' HTML: the Copy button, and an expanded source scrolled to its passage.
PAGE_JS = (_STATIC / "page.js").read_text(encoding="utf-8")
