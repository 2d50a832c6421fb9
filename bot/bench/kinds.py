"""Index kinds that only the scale benchmark builds: HNSW and IVF-SQ8, measured beside the bot's own.

The bot builds exact and IVF-PQ-refine indexes (``bot.search.ann``); these two lost to IVF-PQ-refine
at the recall target (docs/performance.md) and are kept to show it on every run.
"""

from __future__ import annotations

import numpy as np

from bot.search.ann import IndexChoice, all_threads, ivf_lists, training_sample
from bot.search.ann import build as build_bot_kind
from bot.search.spool import Spool


def hnsw(m: int = 32, ef_construction: int = 80, ef_search: int = 128) -> IndexChoice:
    return IndexChoice("hnsw", m=m, ef_construction=ef_construction, ef_search=ef_search)


def ivf_sq8(n_vectors: int, nprobe: int | None = None) -> IndexChoice:
    """IVF-SQ8 with about 4·√n lists, probing a quarter of them unless told.

    A quarter reached recall@10 ≥ 0.95 at 10k (128 of 512), 100k (256 of 1024) and 1M (1024 of 4096).
    """
    nlist = ivf_lists(n_vectors)
    return IndexChoice("ivf-sq8", nlist=nlist, nprobe=nprobe or max(1, nlist // 4))


def build(vectors: np.ndarray | Spool, choice: IndexChoice, seed: int = 1234):
    """Any kind: HNSW and IVF-SQ8 here, the bot's own kinds by ``bot.search.ann.build``."""
    if choice.kind not in ("hnsw", "ivf-sq8"):
        return build_bot_kind(vectors, choice, seed)
    import faiss

    if isinstance(vectors, Spool):  # the bench's kinds are built in memory
        vectors = vectors.read(0, len(vectors))
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, dim = vectors.shape
    with all_threads():
        if choice.kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, choice.m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = choice.ef_construction
            index.hnsw.efSearch = choice.ef_search
        else:
            quantizer = faiss.IndexFlatIP(dim)
            index = faiss.IndexIVFScalarQuantizer(quantizer, dim, choice.nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
            index.cp.seed = seed
            index.cp.niter = 10  # FAISS defaults to 25 k-means rounds: minutes at a million; recall is measured with 10
            index.train(training_sample(vectors, choice.nlist, seed))
            index.nprobe = choice.nprobe
            index.set_direct_map_type(faiss.DirectMap.Array)  # reconstruct_n, for sentence scoring
        if n:
            index.add(vectors)
    return index
