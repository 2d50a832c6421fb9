"""Focus: a rare word the question turns on that the documents never use means they do not answer it.

"How do I set up git LFS?" over pages that never say LFS retrieves passages about git and large
files that do not answer it. A question word is an uncovered focus when no passage, title or
byline holds it (as a BM25 stem), it is not a typo of a word the corpus has (within an edit
distance that grows with its length, by rapidfuzz), and it is rare in English (wordfreq's Zipf
frequency under ``Tuning.focus_max_zipf``): ordinary words the documents happen not to use
("point of view", "considered") say how a question is put, not what it is about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property

from bot.config import TUNING, Tuning


class Vocabulary:
    """The corpus's BM25 terms, for telling an unknown word from a misspelt known one."""

    def __init__(self, known: Iterable[str], words: Callable[[], Iterable[str]], common: frozenset[str]) -> None:
        self.known = frozenset(known)  # BM25 stems
        self.common = common  # English words too common to be a focus (written with the index by bot.search.build)
        self._words = words  # the corpus's words as written, which a misspelling is close to: read on first need

    @cached_property
    def _by_length(self) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for word in set(self._words()):
            out.setdefault(len(word), []).append(word)
        return out

    def near(self, word: str, tuning: Tuning = TUNING) -> bool:
        """A word of the corpus within the edit distance allowed for a word of this length."""
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        allowed = 2 if len(word) >= tuning.typo_two_edits_from else 1 if len(word) >= tuning.typo_one_edit_from else 0
        if allowed == 0:
            return False
        pool = [w for n in range(len(word) - allowed, len(word) + allowed + 1) for w in self._by_length.get(n, ())]
        return process.extractOne(word, pool, scorer=Levenshtein.distance, score_cutoff=allowed) is not None

    def uncovered(self, words: Iterable[tuple[str, str]], tuning: Tuning = TUNING) -> list[str]:
        """Of (word, stem) pairs, the rare words whose stem the corpus does not hold in any spelling close to it."""
        out = []
        for word, stem in dict.fromkeys(words):
            if stem in self.known or not word.isalpha() or len(word) < tuning.focus_min_chars:
                continue
            if word not in self.common and not self.near(word, tuning):
                out.append(word)
        return out
