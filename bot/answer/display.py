"""How a passage's text is shown in an answer: a sentence on one line with look-alike punctuation folded, a code
block with its lines as they are, fenced."""

from __future__ import annotations

import re

from bot.text import clean, fold

#: Code in an answer's text is fenced, as in Markdown: the chat shows it as code, a terminal as it is.
FENCE = "```"


def display_sentence(raw: str) -> str:
    """A sentence as the answer shows it: look-alike punctuation folded, one line."""
    return re.sub(r"\s+", " ", fold(clean(raw))).strip()


def display_code(raw: str) -> str:
    """A code block as the answer shows it: its lines as they are, invisible characters out."""
    return "\n".join(line.rstrip() for line in clean(raw).strip("\n").split("\n"))
