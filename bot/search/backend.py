"""The search backend: what retrieval asks of an index, whichever engine holds it.

Retrieval (``bot.search.retrieval``) needs six things of an index: the passages nearest a
question vector, the passages of the sentences nearest it, one passage's sentence vectors,
the BM25 top passages for the question's terms and the BM25 scores of given passages, and
how many passages hold each term. ``SearchBackend`` is that seam. ``FaissSearch`` answers
from the files of a local index version (FAISS and the BM25 score matrix): the embedded
default. ``bot.search.qdrant.QdrantSearch`` answers from a Qdrant collection built from the
same version, with the same vectors and the same BM25 scores as sparse vectors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from bot.search.lexical import LexicalIndex


@dataclass(frozen=True)
class LexicalHits:
    top: dict[int, float]  # the best passages with a positive BM25 score, at most k
    among: dict[int, float]  # the BM25 score of each passage asked about (0 when it holds none of the terms)
    best: float  # the highest BM25 score of any passage (0 when none holds a term)


class SearchBackend(Protocol):
    def passages(self, query: np.ndarray, k: int) -> dict[int, float]:
        """The ``k`` passages whose vectors are nearest the unit query vector: passage id -> cosine."""
        ...

    def sentences(self, query: np.ndarray, k: int) -> dict[int, float]:
        """The ``k`` sentences nearest the query, as passage id -> the best cosine of its sentences among them."""
        ...

    def sentence_vectors_of(self, pid: int, count: int) -> np.ndarray:
        """The ``count`` sentence vectors of one passage, in order."""
        ...

    def lexical(self, terms: Sequence[str], k: int, among: Iterable[int]) -> LexicalHits:
        """BM25 for these terms (a repeated term counts again)."""
        ...

    def document_frequency(self) -> dict[str, int]:
        """How many passages hold each term."""
        ...

    def describe(self) -> str:
        """A short name of the engine and its index kind, for reports."""
        ...


@dataclass(frozen=True)
class Engine:
    """What the project does with a vector engine: connect to its live version, read that version's manifest,
    name the local version it was published from, and publish one."""

    connect: Callable  # (url, model, dim) -> LoadedIndex
    manifest: Callable  # (url) -> Manifest | None
    live: Callable  # (url) -> the local version's name, or ""
    publish: Callable  # (index_dir, url) -> the local version's name


def engine(index_url: str) -> Engine:
    """The engine this address names: Qdrant Edge for ``edge://``, qdrant-client (a server, or its local mode) for the rest."""
    if index_url.startswith("edge://"):
        from bot.search import qdrant_edge as edge

        return Engine(edge.connect, edge.manifest, edge.live, edge.publish)
    from bot.search import qdrant, qdrant_publish

    return Engine(qdrant.connect, qdrant.manifest, qdrant_publish.live, qdrant_publish.publish)


def sync(index_dir, index_url: str) -> str:
    """Publish the live local version to the engine unless it serves it already; says what it did."""
    from bot.search.store import live_version

    local = live_version(index_dir).name
    target = engine(index_url)
    if target.live(index_url) == local:
        return ""
    target.publish(index_dir, index_url)
    return f"published {local} to {index_url}"


def open_index(index_dir, index_url: str, model: str | None, dim: int | None):
    """The live index: from the vector engine ``index_url`` names, or the local version in ``index_dir``."""
    if index_url:
        return engine(index_url).connect(index_url, model, dim)
    from bot.search.index import load_index

    return load_index(index_dir, model, dim)


@dataclass(frozen=True)
class FaissSearch:
    """The embedded default: FAISS indexes and the BM25 score matrix of a local index version."""

    passage_vectors: object  # faiss.Index
    sentence_vectors: object  # faiss.Index, sentences in passage order
    sentence_owner: np.ndarray  # sentence row -> passage id
    sentence_offsets: np.ndarray  # passage id -> first sentence row
    bm25: LexicalIndex

    def passages(self, query: np.ndarray, k: int) -> dict[int, float]:
        k = min(k, self.passage_vectors.ntotal)
        if k <= 0:
            return {}
        scores, ids = self.passage_vectors.search(query.reshape(1, -1).astype(np.float32), k)
        return {int(i): float(s) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0}

    def sentences(self, query: np.ndarray, k: int) -> dict[int, float]:
        k = min(k, self.sentence_vectors.ntotal)
        best: dict[int, float] = {}
        if k <= 0:
            return best
        scores, ids = self.sentence_vectors.search(query.reshape(1, -1).astype(np.float32), k)
        for s, i in zip(scores[0], ids[0], strict=True):
            if i >= 0:
                pid = int(self.sentence_owner[i])
                best[pid] = max(best.get(pid, -1.0), float(s))
        return best

    def sentence_vectors_of(self, pid: int, count: int) -> np.ndarray:
        return self.sentence_vectors.reconstruct_n(int(self.sentence_offsets[pid]), count)

    def lexical(self, terms: Sequence[str], k: int, among: Iterable[int]) -> LexicalHits:
        scores = self.bm25.scores(terms)
        top = np.argsort(-scores)[:k]
        best = float(scores.max()) if len(scores) else 0.0
        return LexicalHits({int(i): float(scores[i]) for i in top if scores[i] > 0}, {int(p): float(scores[p]) for p in among}, best)

    def document_frequency(self) -> dict[str, int]:
        return self.bm25.document_frequency()

    def describe(self) -> str:
        from bot.search import ann

        return ann.describe(self.passage_vectors)
