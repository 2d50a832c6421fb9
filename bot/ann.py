"""Nearest-neighbour search: which FAISS index for how many vectors, how it is built and tuned.

Exact search (``IndexFlatIP``) reads every vector for every question, so its cost
grows with the corpus; it is the choice while that stays cheap, and it returns
exactly the neighbours retrieval was tuned on. Past ``EXACT_UP_TO`` vectors a
graph index (HNSW, vectors stored uncompressed, so ``reconstruct_n`` still gives
the exact vectors that sentence scoring reads) answers in a few milliseconds.
Past ``HNSW_UP_TO`` the float vectors and the graph no longer fit comfortably in
memory and an inverted file with 8-bit scalar quantization (IVF-SQ8, a quarter
of the memory) takes over. The thresholds and parameters come from
``python -m bot bench --scale`` (README, Performance): each approximate choice
was measured at recall@10 ≥ 0.95 against exact search.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Up to this many vectors, exact search: at 100k random 384-d unit vectors one query read them all in ~15 ms.
EXACT_UP_TO = 50_000
#: Up to this many vectors, HNSW over uncompressed vectors; past it IVF-SQ8.
HNSW_UP_TO = 4_000_000
#: The most neighbours retrieval asks of one index in one search (sentences: retrieval.CANDIDATES * 4).
MAX_K = 256


@dataclass(frozen=True)
class IndexChoice:
    """One kind of FAISS index and its parameters."""

    kind: str  # exact | hnsw | ivf-sq8
    m: int = 0  # HNSW: links per vector
    ef_construction: int = 0  # HNSW: candidates kept while linking
    ef_search: int = 0  # HNSW: candidates kept while searching (raised to k by FAISS when k is larger)
    nlist: int = 0  # IVF: number of lists (coarse centroids)
    nprobe: int = 0  # IVF: lists read per search

    @property
    def label(self) -> str:
        if self.kind == "hnsw":
            return f"HNSW{self.m},Flat efSearch={self.ef_search}"
        if self.kind == "ivf-sq8":
            return f"IVF{self.nlist},SQ8 nprobe={self.nprobe}"
        return "Flat (exact)"


EXACT = IndexChoice("exact")


def hnsw(m: int = 32, ef_construction: int = 80, ef_search: int = 128) -> IndexChoice:
    return IndexChoice("hnsw", m=m, ef_construction=ef_construction, ef_search=ef_search)


def ivf_sq8(n_vectors: int, nprobe: int | None = None) -> IndexChoice:
    """IVF-SQ8 with about 4·√n lists (a power of two), probing 1/32 of them unless told."""
    nlist = max(16, 2 ** round(math.log2(4 * math.sqrt(max(1, n_vectors)))))
    return IndexChoice("ivf-sq8", nlist=nlist, nprobe=nprobe or max(8, nlist // 32))


def choose(n_vectors: int, dim: int) -> IndexChoice:
    """The index for this many vectors of this dimension (see the module docstring for why)."""
    if dim <= 0:
        raise ValueError(f"vectors need a positive dimension, got {dim}")
    if n_vectors <= EXACT_UP_TO:
        return EXACT
    if n_vectors <= HNSW_UP_TO:
        return hnsw()
    return ivf_sq8(n_vectors)


def build(vectors: np.ndarray, choice: IndexChoice, seed: int = 1234):
    """A FAISS inner-product index over unit vectors (inner product = cosine), filled with ``vectors``."""
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2:
        raise ValueError(f"vectors must be a 2-d array, got shape {vectors.shape}")
    n, dim = vectors.shape
    if choice.kind == "exact":
        index = faiss.IndexFlatIP(dim)
    elif choice.kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, choice.m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = choice.ef_construction
        index.hnsw.efSearch = choice.ef_search
    elif choice.kind == "ivf-sq8":
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFScalarQuantizer(quantizer, dim, choice.nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
        # k-means needs ~40 points per list; more only slows training.
        sample = vectors if n <= 64 * choice.nlist else vectors[np.random.default_rng(seed).choice(n, 64 * choice.nlist, replace=False)]
        index.cp.seed = seed
        index.train(sample)
        index.nprobe = choice.nprobe
        index.set_direct_map_type(faiss.DirectMap.Array)  # reconstruct_n, for sentence scoring
    else:
        raise ValueError(f"unknown index kind {choice.kind!r}: expected exact, hnsw or ivf-sq8")
    if n:
        index.add(vectors)
    return index


def prepare(index) -> None:
    """Search settings for a loaded index: HNSW keeps at least ``MAX_K`` candidates.

    With fewer candidates than the k asked for, an HNSW search may come back
    with fewer than k neighbours (padded with -1).
    """
    hnsw_params = getattr(index, "hnsw", None)
    if hnsw_params is not None and hnsw_params.efSearch < MAX_K:
        hnsw_params.efSearch = MAX_K


def describe(index) -> str:
    """A short name of a loaded index's kind and search parameters, for reports."""
    import faiss

    if isinstance(index, faiss.IndexHNSW):
        return f"HNSW{index.hnsw.nb_neighbors(1)},Flat efSearch={index.hnsw.efSearch}"
    ivf = faiss.try_extract_index_ivf(index) if not isinstance(index, faiss.IndexFlat) else None
    if ivf is not None:
        return f"IVF{ivf.nlist},SQ8 nprobe={ivf.nprobe}"
    return "Flat (exact)"
