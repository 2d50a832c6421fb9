"""Nearest-neighbour search: which FAISS index for how many vectors, how it is built and tuned.

Exact search (``IndexFlatIP``) reads every vector for every question: at 384
dimensions one single-query search took 0.6 ms at 10k vectors, 16 ms at 100k
and 142 ms at 1M (within 1.2x of the memory-bandwidth floor). Up to
``EXACT_UP_TO`` vectors it stays the choice: under ~2 ms, exact neighbours, and
the project's own corpus answers exactly as it was tuned.

Past it, an inverted file with 8-bit scalar quantization (IVF-SQ8: ~4·√n lists,
a quarter of them probed) reached recall@10 ≥ 0.95 against exact search at 10k,
100k and 1M embedding-like vectors, faster than HNSW at equal recall (2.2 vs
3.4 ms at 100k; at 1M HNSW stayed under 0.95 even at efSearch 2048) with a
quarter of the memory (406 MB against 1.8 GB at 1M) and twice the build rate.
Its ``reconstruct_n`` (sentence scoring) returns the 8-bit vectors: cosines
moved by at most 0.0012 on 50k embedding-like vectors. HNSW (vectors kept uncompressed) can still be built on request.

The figures come from ``python -m bot bench --scale 10k,100k,1M`` (README, Performance).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

#: Up to this many vectors, exact search (measured: 0.6 ms at 10k, 16 ms at 100k per query).
EXACT_UP_TO = 20_000
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
    """IVF-SQ8 with about 4·√n lists (a power of two, at most one per 39 vectors), probing a quarter of them unless told.

    A quarter reached recall@10 ≥ 0.95 at 10k (128 of 512), 100k (256 of 1024) and 1M (1024 of 4096).
    """
    nlist = 2 ** round(math.log2(4 * math.sqrt(max(1, n_vectors))))
    nlist = max(1, min(nlist, n_vectors // 39))  # k-means wants ~39 points per centroid
    return IndexChoice("ivf-sq8", nlist=nlist, nprobe=nprobe or max(1, nlist // 4))


def choose(n_vectors: int, dim: int) -> IndexChoice:
    """The index for this many vectors of this dimension (see the module docstring for why)."""
    if dim <= 0:
        raise ValueError(f"vectors need a positive dimension, got {dim}")
    return EXACT if n_vectors <= EXACT_UP_TO else ivf_sq8(n_vectors)


def build(vectors: np.ndarray, choice: IndexChoice, seed: int = 1234):
    """A FAISS inner-product index over unit vectors (inner product = cosine), filled with ``vectors``."""
    import faiss

    with all_threads():
        return _build(faiss, np.ascontiguousarray(vectors, dtype=np.float32), choice, seed)


def _build(faiss, vectors: np.ndarray, choice: IndexChoice, seed: int):
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
        index.cp.niter = 10  # FAISS defaults to 25 k-means rounds: minutes at a million; recall is measured with 10
        index.train(sample)
        index.nprobe = choice.nprobe
        index.set_direct_map_type(faiss.DirectMap.Array)  # reconstruct_n, for sentence scoring
    else:
        raise ValueError(f"unknown index kind {choice.kind!r}: expected exact, hnsw or ivf-sq8")
    if n:
        index.add(vectors)
    return index


def prepare(index) -> None:
    """Search settings for a loaded index: one OpenMP thread, and HNSW keeps at least ``MAX_K`` candidates.

    One question is one query: a second thread made exact single-query search
    slower at every size measured (0.57 against 0.90 ms at 10k, 136 against 157
    ms at 1M) and the approximate ones no faster. With fewer candidates than the
    k asked for, an HNSW search may come back with fewer than k neighbours.
    Building (``build``) still uses every core.
    """
    import faiss

    faiss.omp_set_num_threads(1)
    hnsw_params = getattr(index, "hnsw", None)
    if hnsw_params is not None and hnsw_params.efSearch < MAX_K:
        hnsw_params.efSearch = MAX_K


class all_threads:
    """FAISS on every core inside the block (k-means and adding vectors run in parallel), as before it after."""

    def __enter__(self):
        import faiss

        self.before = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(os.cpu_count() or 1)
        return self

    def __exit__(self, *exc) -> None:
        import faiss

        faiss.omp_set_num_threads(self.before)


def describe(index) -> str:
    """A short name of a loaded index's kind and search parameters, for reports."""
    import faiss

    if isinstance(index, faiss.IndexHNSW):
        return f"HNSW{index.hnsw.nb_neighbors(1)},Flat efSearch={index.hnsw.efSearch}"
    ivf = faiss.try_extract_index_ivf(index) if not isinstance(index, faiss.IndexFlat) else None
    if ivf is not None:
        return f"IVF{ivf.nlist},SQ8 nprobe={ivf.nprobe}"
    return "Flat (exact)"
