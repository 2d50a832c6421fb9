"""PDF reader: the text layer as paragraphs, headings where the font size shows them (pypdf).

Lines come with their font size (pypdf's text visitor). Lines repeated at the top or bottom of most
pages (running headers and footers) and lines that are only a page number are left out; a line set
clearly larger than the body text is a heading (the larger, the higher its level); the other lines
are joined into paragraphs, a new one where a line ends a sentence well short of the text width,
and a line starting with a bullet is a list item. Metadata: the document information's title,
author and creation date, nothing guessed from the text.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass

from bot.ingest.blocks import heading_shaped
from bot.ingest.layout import BULLET, TextBuilder, inline
from bot.records import Block
from bot.text import word_count

_PAGE_NUMBER = re.compile(r"^(page\s+)?\d{1,4}(\s*(/|of)\s*\d{1,4})?$|^[ivxlc]{1,6}$", re.I)
_LEADER = re.compile(r"(\s?\.){4,}\s*[\divxlc]+$", re.I)  # a table-of-contents line: "Introduction . . . . 1"
_BULLET = re.compile(r"^[\u2022\u00b7\u25aa\u25e6\u25cf\u2013*-]\s+")
_SENTENCE_END = re.compile(r"[.!?:)\"”]$")
#: A line this much larger than the body text is a heading.
HEADING_RATIO = 1.15


@dataclass(frozen=True)
class _Line:
    text: str
    size: float
    page: int
    first: bool  # among the first two lines of its page
    last: bool  # among the last two


def read_pdf(raw: bytes) -> tuple[dict[str, str], str, list[Block], int]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):  # an empty password opens owner-only protection
            raise ValueError("the PDF is encrypted: save a copy without a password")
        lines = [line for n, page in enumerate(reader.pages) for line in _page_lines(page, n)]
    except ValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for a broken file
        raise ValueError(f"not a readable PDF ({str(exc).splitlines()[0][:200] if str(exc) else exc.__class__.__name__})") from exc
    source_words = sum(word_count(line.text) for line in lines)
    lines = _without_furniture(lines, len(reader.pages))
    if not lines:
        raise ValueError("the PDF has no text layer")
    out = _paragraphs(lines)
    meta: dict[str, str] = {}
    info = reader.metadata
    if info is not None:
        if info.title and str(info.title).strip():
            meta["title"] = inline(str(info.title))
        if info.author and str(info.author).strip():
            meta["author"] = inline(str(info.author))
        created = str(info.get("/CreationDate") or "")
        m = re.match(r"D:(\d{4})(\d{2})(\d{2})", created)
        if m:
            meta["date"] = f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    return meta, out.text, out.blocks, source_words


def _page_lines(page, n: int) -> list[_Line]:
    pieces: list[tuple[str, float]] = []

    def visit(text, cm, tm, font, size):
        scale = abs(tm[0]) if tm and tm[0] else 1.0
        pieces.append((text, float(size or 0) * scale))

    page.extract_text(visitor_text=visit)
    lines: list[tuple[str, float]] = []
    current, sizes = [], Counter()
    for text, size in pieces:
        parts = text.split("\n")
        for k, part in enumerate(parts):
            if part:
                current.append(part)
                sizes[round(size, 1)] += len(part.strip())
            if k < len(parts) - 1:
                lines.append(("".join(current), sizes.most_common(1)[0][0] if sizes else 0.0))
                current, sizes = [], Counter()
    if current:
        lines.append(("".join(current), sizes.most_common(1)[0][0] if sizes else 0.0))
    kept = [(inline(t), s) for t, s in lines if inline(t)]
    return [_Line(t, s, n, i < 2, i >= len(kept) - 2) for i, (t, s) in enumerate(kept)]


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _without_furniture(lines: list[_Line], pages: int) -> list[_Line]:
    """Running headers and footers (the same line at the top or bottom of most pages) and page numbers out."""
    edges = Counter(_key(line.text) for line in lines if line.first or line.last)
    repeated = {k for k, n in edges.items() if pages >= 3 and n >= max(3, 0.5 * pages)}
    return [
        line
        for line in lines
        if not _PAGE_NUMBER.match(line.text)
        and not _LEADER.search(line.text)
        and not ((line.first or line.last) and _key(line.text) in repeated)
    ]


def _paragraphs(lines: list[_Line]) -> TextBuilder:
    weights = Counter()
    for line in lines:
        weights[line.size] += len(line.text)
    body = weights.most_common(1)[0][0] or 1.0
    heading_sizes = sorted({line.size for line in lines if line.size >= HEADING_RATIO * body}, reverse=True)
    width = sorted(len(line.text) for line in lines)[int(0.9 * (len(lines) - 1))]
    out = TextBuilder()
    para: list[str] = []
    kind = "para"

    def flush() -> None:
        nonlocal para, kind
        if para:
            out.add(kind, " ".join(para), marker=BULLET if kind == "item" else "")
        para, kind = [], "para"

    for line in lines:
        if line.size in heading_sizes and len(line.text.split()) <= 15:
            flush()
            out.add("heading", line.text, level=min(6, heading_sizes.index(line.size) + 1))
            continue
        bullet = _BULLET.match(line.text)
        if bullet:
            flush()
            kind = "item"
            para.append(line.text[bullet.end() :])
            continue
        if heading_shaped(line.text) and len(line.text.split()) <= 10:  # a title line at the body's size: a block of its own
            flush()
            para.append(line.text)
            flush()
            continue
        para.append(line.text)
        if _SENTENCE_END.search(line.text) and len(line.text) < 0.8 * width:
            flush()
    flush()
    return out
