"""Retrieval: a question to ranked passages, by dense vectors and BM25 together.

Three signals per passage: the cosine of the passage vector, the best cosine of
one of its sentences (an answer is often one sentence inside a paragraph), and
BM25 over title, heading and text. They are fused by a weighted sum of the
dense scores and the max-normalized BM25 score (chosen over reciprocal rank
fusion by measurement on the dev questions; the weights are in ``bot.config.Tuning``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.config import TUNING, Tuning
from bot.records import Hit
from bot.search.embedding import Embedder
from bot.search.index import LoadedIndex


@dataclass(frozen=True)
class Retrieval:
    hits: tuple[Hit, ...]
    query_vector: np.ndarray
    #: IDF-weighted share of the question's terms that occur anywhere in the corpus.
    coverage: float
    query_terms: tuple[str, ...]


class Retriever:
    """Searches one loaded index with one embedder."""

    def __init__(self, index: LoadedIndex, embedder: Embedder, tuning: Tuning = TUNING) -> None:
        self.index = index
        self.embedder = embedder
        self.tuning = tuning
        n = max(1, len(index.passages))
        self._n = n
        self._frequency = index.search.document_frequency()
        self._idf = {term: float(np.log(1 + (n - df + 0.5) / (df + 0.5))) for term, df in self._frequency.items()}
        self._unknown_idf = float(np.log(1 + (n + 0.5) / 0.5))

    def embed(self, text: str) -> np.ndarray:
        return self.embedder.encode([text])[0]

    @property
    def known_terms(self) -> frozenset[str]:
        """Every BM25 term some passage holds."""
        return frozenset(self._idf)

    def term_idf(self, term: str) -> float:
        return self._idf.get(term, self._unknown_idf)

    def term_share(self, term: str) -> tuple[float, int]:
        """The share of passages that hold a BM25 term, and how many do."""
        held_by = self._frequency.get(term, 0)
        return held_by / self._n, held_by

    def search(
        self, query: str, k: int | None = None, vector: np.ndarray | None = None, boost: dict[int, float] | None = None
    ) -> Retrieval:
        idx = self.index
        n = len(idx.passages)
        qvec = self.embed(query) if vector is None else vector
        q = qvec.reshape(1, -1).astype(np.float32)
        t = self.tuning
        k = t.retrieved_passages if k is None else k
        kp = min(n, t.candidates)
        dense = idx.search.passages(q[0], kp)
        sent = idx.search.sentences(q[0], t.candidates * t.sentence_candidates_per_passage)
        terms = tuple(idx.terms(query))
        lexical = idx.search.lexical(terms, kp, set(dense) | set(sent))
        candidates = set(dense) | set(sent) | set(lexical.top)
        floor_d = min(dense.values()) if dense else 0.0
        floor_s = min(sent.values()) if sent else 0.0
        lmax = lexical.best
        rows = []
        for pid in candidates:
            d = dense.get(pid, floor_d)
            s = sent.get(pid, floor_s)
            raw = lexical.top[pid] if pid in lexical.top else lexical.among.get(pid, 0.0)
            lex = raw / lmax if lmax > 0 else 0.0
            rows.append((pid, d, s, lex))
        fused = self._fuse(rows)
        if boost:
            fused = {pid: score + boost.get(pid, 0.0) for pid, score in fused.items()}
        order = sorted(rows, key=lambda r: -fused[r[0]])[:k]
        hits = tuple(Hit(passage=idx.passages[pid], score=fused[pid], dense=d, sentence=s, lexical=lex) for pid, d, s, lex in order)
        known = sum(self.term_idf(t) for t in terms if t in self._idf)
        total = sum(self.term_idf(t) for t in terms)
        coverage = known / total if total else 0.0
        return Retrieval(hits, qvec, coverage, terms)

    def _fuse(self, rows: list[tuple[int, float, float, float]]) -> dict[int, float]:
        t = self.tuning
        return {pid: t.passage_weight * d + t.sentence_weight * s + t.lexical_weight * lex for pid, d, s, lex in rows}

    def sentence_scores(self, qvec: np.ndarray, pid: int) -> np.ndarray:
        """Cosine of the question with each sentence of one passage."""
        count = len(self.index.passages[pid].sentences)
        if count == 0:
            return np.zeros(0, dtype=np.float32)
        return self.index.search.sentence_vectors_of(pid, count) @ qvec.astype(np.float32)
