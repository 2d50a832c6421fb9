"""Typos: how a word as typed differs from the word meant, letter by letter.

The measures the vocabulary (``bot.answer.focus``) reads a typo with: the words within a few edits of one (rapidfuzz's
optimal string alignment, the first letter kept), the commonest slips (a doubled letter written once, or on the wrong
letter; a letter left out; a mistyped function word) and the words that are not slips at all (a clipped word, a word
built on another).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from bot.text import STOP_WORDS


def slips(word: str) -> bool:
    """A function word mistyped ("wich", "waht", "shoud"): four letters or more, one edit from one, its first letter
    kept. It says how a question is put, never what it is about; names that short are three letters ("vim")."""
    return len(word) >= 4 and bool(within(word, _function_words(), 1, limit=1))


@cache
def _function_words() -> dict[int, list[str]]:
    return by_length(w for w in STOP_WORDS if len(w) >= 3)


def undoubled(right: str, typed: str) -> bool:
    """The typed word is the right one with a doubled letter written once ("realy": "really", "comunity"): the
    commonest slip, so it wins a tie of edit distance ("realy" is one edit from "real" and "ready" too)."""
    return any(right[i] == right[i + 1] and right[:i] + right[i + 1 :] == typed for i in range(len(right) - 1))


def single(word: str) -> str:
    """The word with each doubled letter written once ("beginner", "begginer": "beginer")."""
    return re.sub(r"(.)\1+", r"\1", word)


def extends(typed: str, right: str) -> bool:
    """The typed word is the corpus word (or its singular) and two letters or more after it: a word of its own built on it
    ("coursera" on "course", "pythonista" on "python"), not a typo of it; a slip adds one letter, not a syllable."""
    return any(typed.startswith(base) and len(typed) >= len(base) + 2 for base in (right, singular(right) or right))


def omitted(right: str, typed: str) -> bool:
    """The typed word is the right one with one letter left out ("statup": "startup")."""
    return len(right) == len(typed) + 1 and any(right[:i] + right[i + 1 :] == typed for i in range(len(right)))


def clips(word: str, longer: str) -> bool:
    """``longer`` starts with ``word`` cut short: a word of four letters or more whose first three or more (without a
    plural's s) start one at least two letters longer."""
    base = singular(word) or word
    return len(word) >= 4 and len(base) >= 3 and word.isalpha() and len(longer) >= len(base) + 2 and longer.startswith(base)


def within(word: str, by_length: dict[int, list[str]], edits: int, limit: int | None = None) -> list[tuple[str, int, int]]:
    """The words within ``edits`` edits of ``word`` (rapidfuzz OSA: a swapped pair is one edit), its first letter kept."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    pool = [w for n in range(len(word) - edits, len(word) + edits + 1) for w in by_length.get(n, ()) if w[0] == word[0]]
    return process.extract(word, pool, scorer=OSA.distance, score_cutoff=edits, limit=limit)


def by_length(words: Iterable[str]) -> dict[int, list[str]]:
    """Words grouped by their length, for the typo search."""
    out: dict[int, list[str]] = {}
    for word in words:
        out.setdefault(len(word), []).append(word)
    return out


def singular(word: str) -> str | None:
    """The singular of a regular English plural ("startups", "companies", "patches"), or None."""
    if len(word) < 5 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return None
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses", "zes")):
        return word[:-2]
    return word[:-1]
