"""Suggestions: questions the articles answer, for the start screen and for an abstention.

They come from the corpus itself: question-shaped headings as they are, other headings as
"What do the articles say about …?". An abstention suggests the ones closest to what was asked.
"""

from __future__ import annotations

import numpy as np

from bot.records import Passage
from bot.search.embedding import Embedder
from bot.text import for_matching

TOPIC_PREFIX = "What do the articles say about "


def suggestion_questions(passages: tuple[Passage, ...]) -> tuple[tuple[str, str], ...]:
    """(question, doc_id) drawn from the corpus: question-shaped headings, and the other headings as topics."""
    seen, out = set(), []
    for p in passages:
        heading = p.heading.strip()
        if not heading:
            continue
        question = heading if heading.endswith("?") else f"{TOPIC_PREFIX}“{heading}”?"
        key = for_matching(question)
        if key not in seen:
            seen.add(key)
            out.append((question, p.doc_id))
    return tuple(out)


class Suggestions:
    """The corpus's suggested questions and their vectors (embedded on first use)."""

    def __init__(self, passages: tuple[Passage, ...], embedder: Embedder) -> None:
        self.embedder = embedder
        self.sources = suggestion_questions(passages)
        self.pool = tuple(q for q, _ in self.sources)
        self._vectors: np.ndarray | None = None

    def vectors(self) -> np.ndarray:
        if self._vectors is None:
            self._vectors = self.embedder.encode(list(self.pool))
        return self._vectors

    def closest(self, qvec: np.ndarray, n: int = 3) -> tuple[str, ...]:
        """The n questions closest to what was asked."""
        if not self.pool:
            return ()
        order = np.argsort(-(self.vectors() @ qvec))
        return tuple(self.pool[i] for i in order[:n])

    def examples(self, n: int = 4) -> list[str]:
        """Example questions for the start screen: the articles' own questions first, taking turns across articles."""
        asked = [(q, d) for q, d in self.sources if not q.startswith(TOPIC_PREFIX)]
        topics = [(q, d) for q, d in self.sources if q.startswith(TOPIC_PREFIX)]
        picked: list[str] = []
        for pool in (asked, topics):
            by_doc: dict[str, list[str]] = {}
            for q, d in pool:
                by_doc.setdefault(d, []).append(q)
            while len(picked) < n and any(by_doc.values()):
                for queue in by_doc.values():
                    if queue and len(picked) < n:
                        picked.append(queue.pop(0))
        return picked
