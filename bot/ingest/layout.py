"""Layout: the text a reader builds from a document's structure, and the blocks that map it.

Every reader (HTML, Markdown, PDF) adds blocks in reading order; the text is the blocks joined by
blank lines, so that ``text[b.start:b.end]`` is each block and passages, which are slices of the
text, quote the document's words. List items carry a bullet, table rows their cells joined by
" | ", code its lines verbatim.
"""

from __future__ import annotations

import re

from bot.records import Block

BULLET = "• "
CELL = " | "
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_PILCROW = re.compile(r"\s*[\u00b6\u00a7#]\s*$")


def inline(text: str) -> str:
    """Running text on one line: whitespace (line breaks of the source too) collapsed to single spaces."""
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def heading_text(text: str) -> str:
    """A heading as shown: one line, without a trailing permalink sign (¶, §, #)."""
    return _PILCROW.sub("", inline(text)).strip()


class TextBuilder:
    """Accumulates blocks and the text they are slices of."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self.blocks: list[Block] = []
        self.source_words = 0  # words of the source's visible text, set by the reader

    def add(self, kind: str, text: str, level: int = 0, marker: str = "") -> None:
        if kind == "code":
            text = "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))
        else:
            text = heading_text(text) if kind == "heading" else inline(text)
        if not text.strip():
            return
        if self._parts:
            self._parts.append("\n\n")
            self._length += 2
        start = self._length
        piece = marker + text
        self._parts.append(piece)
        self._length += len(piece)
        self.blocks.append(Block(kind=kind, start=start, end=self._length, body_start=start + len(marker) if marker else -1, level=level))

    @property
    def text(self) -> str:
        return "".join(self._parts)
