"""Blocks: the lines of a document's text, each classified as a heading, a list item, a paragraph or a rule.

Headings are short title-case lines (or ``#`` lines) followed by text; a short title-case bullet
followed by a paragraph is a heading too (some pages style section names as bullets).
Offsets are into the folded text, which has the original's offsets (``bot.text.fold``).
"""

from __future__ import annotations

import re

from bot.records import Block
from bot.text import LIST_MARKER, STOP_WORDS

_LINE = re.compile(r"[^\r\n]+")
_RULE = re.compile(r"^([-*_=])(\s*\1){2,}$")
_MD_HEADING = re.compile(r"#{1,6}\s+")
BYLINE = re.compile(r"^(published|posted|updated|last updated|written by|by)\b", re.I)
#: Words a title leaves in lower case ("Pros and Cons of the Job").
_SMALL_WORDS = STOP_WORDS | {"vs", "via"}


def _lines(folded: str) -> list[tuple[int, int]]:
    out = []
    for m in _LINE.finditer(folded):
        start, end = m.start(), m.end()
        while start < end and folded[start].isspace():
            start += 1
        while end > start and folded[end - 1].isspace():
            end -= 1
        if end > start:
            out.append((start, end))
    return out


def classify(folded: str) -> list[Block]:
    raw = []
    for start, end in _lines(folded):
        line = folded[start:end]
        if _RULE.match(line):
            raw.append(("rule", start, end, start))
            continue
        md = _MD_HEADING.match(line)
        if md:
            raw.append(("mdheading", start, end, start + md.end()))
            continue
        bullet = LIST_MARKER.match(line)
        if bullet:
            raw.append(("item", start, end, start + bullet.end()))
        else:
            raw.append(("para", start, end, start))
    blocks: list[Block] = []
    for i, (kind, start, end, body_start) in enumerate(raw):
        nxt = raw[i + 1][0] if i + 1 < len(raw) else None
        body = folded[body_start:end]
        if kind == "mdheading":
            kind = "heading"
        elif nxt is not None and heading_shaped(body):
            if kind == "para" and nxt in ("para", "item"):
                kind = "heading"
            elif kind == "item" and nxt == "para":
                kind = "heading"
        blocks.append(Block(kind=kind, start=start, end=end, body_start=body_start))
    return blocks


def heading_shaped(line: str) -> bool:
    """A short, single-sentence, title-case line without closing punctuation."""
    line = line.strip()
    if not line or line[-1] in ".,;:!" or not line[0].isupper() or BYLINE.match(line):
        return False
    if re.search(r"[\u00bb\u203a]|^home\s*>", line, re.I):  # a breadcrumb ("Home » Title"), not a heading
        return False
    tokens = line.split()
    if len(tokens) > 14 or re.search(r"[.?!]\s+[A-Z]", line):
        return False
    content = [t for t in tokens[1:] if t[:1].isalpha() and t.lower().strip("?'\"") not in _SMALL_WORDS]
    if not content:
        return True
    capitalized = sum(1 for t in content if t[0].isupper())
    return capitalized / len(content) >= 0.6
