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
        self._idf = {term: float(np.log(1 + (n - df + 0.5) / (df + 0.5))) for term, df in index.lexical.document_frequency().items()}
        self._unknown_idf = float(np.log(1 + (n + 0.5) / 0.5))

    def embed(self, text: str) -> np.ndarray:
        return self.embedder.encode([text])[0]

    @property
    def known_terms(self) -> frozenset[str]:
        """Every BM25 term some passage holds."""
        return frozenset(self._idf)

    def term_idf(self, term: str) -> float:
        return self._idf.get(term, self._unknown_idf)

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
        dense_scores, dense_ids = idx.passage_vectors.search(q, kp)
        dense = {int(i): float(s) for s, i in zip(dense_scores[0], dense_ids[0], strict=True) if i >= 0}
        ks = min(idx.sentence_vectors.ntotal, t.candidates * t.sentence_candidates_per_passage)
        sent = {}
        if ks:
            s_scores, s_ids = idx.sentence_vectors.search(q, ks)
            for s, i in zip(s_scores[0], s_ids[0], strict=True):
                if i < 0:
                    continue
                pid = int(idx.sentence_owner[i])
                sent[pid] = max(sent.get(pid, -1.0), float(s))
        terms = tuple(idx.terms(query))
        lexical_all = idx.lexical.scores(terms)
        lex_top = np.argsort(-lexical_all)[:kp]
        candidates = set(dense) | set(sent) | {int(i) for i in lex_top if lexical_all[i] > 0}
        floor_d = min(dense.values()) if dense else 0.0
        floor_s = min(sent.values()) if sent else 0.0
        lmax = float(lexical_all.max()) if n else 0.0
        rows = []
        for pid in candidates:
            d = dense.get(pid, floor_d)
            s = sent.get(pid, floor_s)
            lex = float(lexical_all[pid]) / lmax if lmax > 0 else 0.0
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
        idx = self.index
        first = int(idx.sentence_offsets[pid])
        count = len(idx.passages[pid].sentences)
        if count == 0:
            return np.zeros(0, dtype=np.float32)
        vecs = idx.sentence_vectors.reconstruct_n(first, count)
        return vecs @ qvec.astype(np.float32)
