"""Plain-text reader: the blocks of a text file, its text kept exactly as it is.

Lines are classified by ``bot.ingest.blocks`` (headings, list items, paragraphs, rules); then:
- a hard-wrapped file (most lines broken near one width) has its paragraph lines joined, and a
  list item's continuation lines joined to it, so no sentence is cut at a line end;
- a line underlined with ``===`` or ``---`` is a heading, and so is a short numbered line
  ("3.1.13 Setting the locale") or a short question line followed by text;
- lines indented by four spaces or a tab (outside lists) are a code block, kept verbatim;
- a line that looks like code (``x = f(y);``, ``$ make``, ``{``) is never a heading.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.ingest.blocks import classify
from bot.records import Block
from bot.text import fold, word_count

_CODE_LINE = re.compile(
    r"[{};]\s*$|^\s*[$>#%]\s|^\s*>>>|\(\)|\w\(.*\)\s*$|[=!<>]=|\s=\s|->|::|^\s*(def|class|import|from|return|if|for|while)\b"
)
_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+\S")
_QUESTION_LINE = re.compile(
    r"^(how|what|why|when|where|which|who|whom|whose|can|could|do|does|did|is|are|should|will|would|may|i|my)\b[^,;]*\?$", re.I
)
_UNDERLINE = re.compile(r"^(=+|-+)$")


def text_blocks(text: str) -> list[Block]:
    folded = fold(text)
    blocks = classify(folded)
    blocks = _code_blocks(folded, blocks)
    blocks = _underlined(folded, blocks)
    blocks = _headings(folded, blocks)
    if _hard_wrapped(folded):
        blocks = _joined(folded, blocks)
    return blocks


def looks_like_code(line: str) -> bool:
    return bool(_CODE_LINE.search(line))


def _indent(folded: str, start: int) -> int:
    line_start = folded.rfind("\n", 0, start) + 1
    return len(folded[line_start:start].expandtabs(4))


def _blank_between(folded: str, a: Block, b: Block) -> bool:
    return bool(re.search(r"\n[ \t]*\r?\n", folded[a.end : b.start]))


def _code_blocks(folded: str, blocks: list[Block]) -> list[Block]:
    """Runs of lines indented by 4+ spaces, after a blank line and outside a list, become one code block."""
    out: list[Block] = []
    for b in blocks:
        indented = _indent(folded, b.start) >= 4 and b.kind != "item"
        if indented and out and out[-1].kind == "code" and not re.search(r"\n[ \t]*\n[ \t]*\n", folded[out[-1].end : b.start]):
            out[-1] = replace(out[-1], end=b.end)
        elif indented and (not out or (_blank_between(folded, out[-1], b) and out[-1].kind != "item")):
            line_start = folded.rfind("\n", 0, b.start) + 1
            out.append(Block(kind="code", start=line_start, end=b.end, body_start=line_start))
        else:
            out.append(b)
    return out


def _underlined(folded: str, blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    for b in blocks:
        line = folded[b.start : b.end].strip()
        prev = out[-1] if out else None
        if (
            b.kind == "rule"
            and _UNDERLINE.match(line)
            and prev is not None
            and prev.kind in ("para", "heading")
            and not _blank_between(folded, prev, b)
            and len(line) >= 0.5 * len(folded[prev.start : prev.end].strip())
        ):
            out[-1] = replace(prev, kind="heading", level=1 if line[0] == "=" else 2)
            continue
        out.append(b)
    return out


def _headings(folded: str, blocks: list[Block]) -> list[Block]:
    out = []
    for i, b in enumerate(blocks):
        body = folded[b.body_start : b.end].strip()
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if b.kind == "heading" and looks_like_code(body):
            b = replace(b, kind="para")
        elif b.kind == "para" and nxt is not None and nxt.kind in ("para", "item", "code") and not looks_like_code(body):
            numbered = _NUMBERED.match(body)
            short = word_count(body) <= 14 and not body.endswith((".", ",", ";", ":"))
            if numbered and short:
                b = replace(b, kind="heading", level=numbered.group(1).count(".") + 2)
            elif _QUESTION_LINE.match(body) and word_count(body) <= 20 and ". " not in body:
                b = replace(b, kind="heading")
        out.append(b)
    return out


def _hard_wrapped(folded: str) -> bool:
    """Most lines of some length end near one width (typically 72–80 characters)."""
    lengths = [len(line.rstrip()) for line in folded.splitlines() if len(line.strip()) >= 20]
    if len(lengths) < 8:
        return False
    width = sorted(lengths)[int(0.9 * (len(lengths) - 1))]
    if width > 100:
        return False
    near = sum(1 for n in lengths if n >= width - 20)
    return near >= 0.5 * len(lengths)


def _joined(folded: str, blocks: list[Block]) -> list[Block]:
    """Lines of one paragraph (or one list item) joined: no blank line between, the earlier one running to the width."""
    out: list[Block] = []
    for b in blocks:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind in ("para", "item")
            and b.kind == "para"
            and not _blank_between(folded, prev, b)
            and not looks_like_code(folded[b.start : b.end])
        ):
            out[-1] = replace(prev, end=b.end)
            continue
        out.append(b)
    return out
