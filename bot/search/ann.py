"""Nearest-neighbour search: which FAISS index for how many vectors, how it is built and tuned.

Exact search (``IndexFlatIP``) reads every vector for every question. Up to
``Tuning.exact_up_to`` vectors it stays the choice: about a millisecond, exact
neighbours, and the project's own corpus answers exactly as it was tuned.

Past it, an inverted file whose vectors are 4-bit product-quantization codes
scanned with SIMD lookups (``IVF…,PQ192x4fs``: two dimensions per code, 96
bytes a vector), whose best ``k_factor``·k candidates are re-scored with the
stored float vectors (``RFlat``): IVF-PQ-refine. On embedding-like vectors it
reached the recall target (0.95 at k=10) several times faster than IVF-SQ8 and
HNSW32: the coarse lists decide recall, the codes make each list about five
times cheaper to read. The price is memory: the re-scoring vectors are kept
whole, as for exact search. Re-scoring with 8-bit vectors lost recall: a
question's 10th and 11th neighbours differ by less in cosine than 8-bit codes
move one. ``reconstruct_n`` (sentence scoring) reads the stored vectors, so
sentence scores are exact. IVF-SQ8 and HNSW, which the scale benchmark
measures beside it, are built by ``bot.bench.kinds``.

The measurements behind these choices: ``python -m bot bench --scale 10k,100k,1M``,
tabled in docs/performance.md.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from bot.config import TUNING
from bot.search.spool import Spool

#: IVF-PQ-refine: how the re-scoring vectors are stored (a FAISS factory name).
PQ_REFINE = "Flat"
#: The most neighbours retrieval asks of one index in one search (sentences: Tuning.candidates * sentence_candidates_per_passage).
MAX_K = 256


@dataclass(frozen=True)
class IndexChoice:
    """One kind of FAISS index and its parameters."""

    kind: str  # exact | hnsw | ivf-sq8 | ivf-pq-refine
    m: int = 0  # HNSW: links per vector
    ef_construction: int = 0  # HNSW: candidates kept while linking
    ef_search: int = 0  # HNSW: candidates kept while searching (raised to k by FAISS when k is larger)
    nlist: int = 0  # IVF: number of lists (coarse centroids)
    nprobe: int = 0  # IVF: lists read per search
    pq_m: int = 0  # IVF-PQ: 4-bit sub-quantizers per vector (dimension / pq_m dimensions each)
    k_factor: float = 0  # refine: candidates re-scored with the stored vectors, per neighbour asked
    refine: str = ""  # refine: how the re-scoring vectors are stored, a FAISS factory name (Flat, SQfp16, SQ8)

    @property
    def label(self) -> str:
        if self.kind == "hnsw":
            return f"HNSW{self.m},Flat efSearch={self.ef_search}"
        if self.kind == "ivf-sq8":
            return f"IVF{self.nlist},SQ8 nprobe={self.nprobe}"
        if self.kind == "ivf-pq-refine":
            return f"{self.factory} nprobe={self.nprobe} k_factor={self.k_factor:g}"
        return "Flat (exact)"

    @property
    def factory(self) -> str:
        """The FAISS ``index_factory`` string of an IVF-PQ-refine index."""
        return f"IVF{self.nlist},PQ{self.pq_m}x4fs,{'RFlat' if self.refine == 'Flat' else f'Refine({self.refine})'}"


EXACT = IndexChoice("exact")


def ivf_lists(n_vectors: int) -> int:
    """About 4·√n inverted lists: a power of two, at most one per 39 vectors (k-means wants ~39 points per centroid)."""
    nlist = 2 ** round(math.log2(4 * math.sqrt(max(1, n_vectors))))
    return max(1, min(nlist, n_vectors // 39))


def ivf_pq_refine(
    n_vectors: int, dim: int = 384, nprobe: int | None = None, k_factor: float = TUNING.pq_k_factor, refine: str = PQ_REFINE
) -> IndexChoice:
    """IVF with 4-bit PQ codes scanned by SIMD (two dimensions per code), the best candidates re-scored exactly.

    About 4·√n lists as IVF-SQ8; a quarter probed up to 2,048 lists, 3/16 above
    (100k: 256 of 1024; 1M: 768 of 4096); ``k_factor`` × k candidates re-scored.
    """
    nlist = ivf_lists(n_vectors)
    default = max(1, nlist // 4) if nlist <= 2048 else nlist * 3 // 16
    pq_m = dim // 2 if dim % 2 == 0 else dim
    return IndexChoice("ivf-pq-refine", nlist=nlist, nprobe=nprobe or default, pq_m=pq_m, k_factor=k_factor, refine=refine)


def choose(n_vectors: int, dim: int) -> IndexChoice:
    """The index for this many vectors of this dimension (see the module docstring for why)."""
    if dim <= 0:
        raise ValueError(f"vectors need a positive dimension, got {dim}")
    return EXACT if n_vectors <= TUNING.exact_up_to else ivf_pq_refine(n_vectors, dim)


def training_sample(vectors: np.ndarray | Spool, nlist: int, seed: int) -> np.ndarray:
    """At most 64 vectors per list to train k-means on: it needs ~40 points per list, more only slows training."""
    n = len(vectors)
    if n <= 64 * nlist:
        return vectors.read(0, n) if isinstance(vectors, Spool) else vectors
    ids = np.random.default_rng(seed).choice(n, 64 * nlist, replace=False)
    return vectors.take(ids) if isinstance(vectors, Spool) else vectors[ids]  # a spool gives them in file order


def build(vectors: np.ndarray | Spool, choice: IndexChoice, seed: int = 1234):
    """A FAISS inner-product index over unit vectors (inner product = cosine), filled with ``vectors``: an array, or
    a ``Spool`` on disk, added a chunk at a time so that the vectors are held only by the index."""
    import faiss

    if not isinstance(vectors, Spool):
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    with all_threads():
        return _build(faiss, vectors, choice, seed)


def _build(faiss, vectors: np.ndarray | Spool, choice: IndexChoice, seed: int):
    if len(vectors.shape) != 2:
        raise ValueError(f"vectors must be a 2-d array, got shape {vectors.shape}")
    n, dim = vectors.shape
    if choice.kind == "exact":
        index = faiss.IndexFlatIP(dim)
    elif choice.kind == "ivf-pq-refine":
        # reconstruct_n (sentence scoring) reads the refine vectors: the IVF-PQ part needs no direct map
        index = faiss.index_factory(dim, choice.factory, faiss.METRIC_INNER_PRODUCT)
        ivf = faiss.try_extract_index_ivf(index)
        sample = training_sample(vectors, choice.nlist, seed)
        if 0 < len(sample) < 16:  # 4-bit codes: k-means of 16 centroids wants 16 points; a tiny index repeats its vectors
            sample = np.tile(sample, (math.ceil(16 / len(sample)), 1))
        ivf.cp.seed = seed
        ivf.cp.niter = 10
        index.train(sample)
        ivf.nprobe = choice.nprobe
        index.k_factor = choice.k_factor
    else:
        raise ValueError(f"unknown index kind {choice.kind!r}: the bot builds exact or ivf-pq-refine (bot.bench.kinds builds the others)")
    if isinstance(vectors, Spool):
        _presize(faiss, index, n)
    for chunk in vectors.chunks() if isinstance(vectors, Spool) else ([vectors] if n else []):
        index.add(chunk)
    return index


def _presize(faiss, index, n: int) -> None:
    """Give the stored float vectors their final capacity before chunks are added: growing by doubling, they would
    be copied at each step and held twice at the worst one (a 610 MB flat store peaked at 1,031 MB; 874 MB so)."""
    store = faiss.downcast_index(index.refine_index) if isinstance(index, faiss.IndexRefine) else index
    if isinstance(store, faiss.IndexFlatCodes) and store.ntotal == 0:
        store.codes.resize(n * store.code_size)
        store.codes.resize(0)  # a std::vector keeps its capacity when it shrinks


def prepare(index) -> None:
    """Search settings for a loaded index: one OpenMP thread, and HNSW keeps at least ``MAX_K`` candidates.

    IVF's nprobe and the refine k_factor are kept in the index file (``faiss.write_index``) and need nothing here.

    One question is one query: a second thread made exact single-query search
    slower at every size measured (docs/performance.md) and the approximate ones no faster. With fewer candidates than the
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
    if isinstance(index, faiss.IndexRefine):
        ivf = faiss.downcast_index(faiss.try_extract_index_ivf(index))
        store = faiss.downcast_index(index.refine_index)
        sq_names = {faiss.ScalarQuantizer.QT_8bit: "SQ8", faiss.ScalarQuantizer.QT_fp16: "SQfp16"}
        refine = "RFlat" if isinstance(store, faiss.IndexFlat) else f"Refine({sq_names.get(store.sq.qtype, 'SQ')})"
        return f"IVF{ivf.nlist},PQ{ivf.M}x{ivf.nbits}fs,{refine} nprobe={ivf.nprobe} k_factor={index.k_factor:g}"
    ivf = faiss.try_extract_index_ivf(index) if not isinstance(index, faiss.IndexFlat) else None
    if ivf is not None:
        return f"IVF{ivf.nlist},SQ8 nprobe={ivf.nprobe}"
    return "Flat (exact)"
