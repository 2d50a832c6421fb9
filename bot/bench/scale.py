"""Scale benchmark: what building and searching cost as the corpus grows to a million passages.

Two kinds of synthetic data, because embedding a million passages on this CPU
would take hours:

* text passages made from the corpus's own words (a bigram chain over its
  sentences), indexed by the real build (chunk, embed, BM25, write), for build
  throughput at the sizes where that is feasible;
* vectors, for the index alone: uniform random unit vectors (the worst case: no
  neighbourhood structure at all) and "embedding-like" vectors drawn from a
  Gaussian with the mean and covariance of real embeddings of those passages,
  searched with the real questions of ``eval/``.

For each size and index kind: build throughput, single-query search p50/p95,
memory (bytes of the serialized index), recall@10 against exact search; beside
the memory-bandwidth floor of exact search, measured in the same run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.bench import kinds
from bot.bench.synthetic import bigram_chain, embedding_like_vectors, sentence_from, uniform_vectors
from bot.bench.text_build import TextBuild, text_build
from bot.search import ann

K = 10
RECALL_TARGET = 0.95


@dataclass(frozen=True)
class IndexRun:
    """One index kind over one data set at one size."""

    data: str  # uniform | embedding-like
    size: int
    index: str  # label with parameters
    kind: str  # exact | hnsw | ivf-sq8 | ivf-pq-refine
    build_per_s: float  # vectors added per second (training included)
    p50_ms: float
    p95_ms: float
    p50_ms_2_threads: float
    megabytes: float
    recall: float  # recall@10 against exact search


# --- measuring ---------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if len(values) else 0.0


def time_queries(index, queries: np.ndarray, k: int = K, threads: int = 1) -> list[float]:
    """Seconds per single-query search, one query at a time, with this many OpenMP threads."""
    import faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(threads)
    try:
        index.search(queries[:1], k)  # touch the code and the first pages
        out = []
        for i in range(len(queries)):
            start = time.perf_counter()
            index.search(queries[i : i + 1], k)
            out.append(time.perf_counter() - start)
        return out
    finally:
        faiss.omp_set_num_threads(before)


def recall_at(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / truth.shape[1] for f, t in zip(found, truth, strict=True)]))


def index_megabytes(index) -> float:
    import faiss

    return len(faiss.serialize_index(index)) / 1e6


def measure(
    data: str, x: np.ndarray, queries: np.ndarray, truth: np.ndarray, choice: ann.IndexChoice, index=None
) -> tuple[IndexRun, object]:
    start = time.perf_counter()
    index = index if index is not None else kinds.build(x, choice)
    built = time.perf_counter() - start
    one, two = time_queries(index, queries, threads=1), time_queries(index, queries[: min(len(queries), 50)], threads=2)
    recall = recall_at(index.search(queries, K)[1], truth)
    run = IndexRun(
        data,
        len(x),
        ann.describe(index),
        choice.kind,
        len(x) / built if built else 0.0,
        percentile(one, 50) * 1e3,
        percentile(one, 95) * 1e3,
        percentile(two, 50) * 1e3,
        index_megabytes(index),
        recall,
    )
    return run, index


def tune(index, queries: np.ndarray, truth: np.ndarray, target: float = RECALL_TARGET) -> int:
    """The smallest efSearch (HNSW) or nprobe (IVF: powers of two and the halfway 1.5×) reaching ``target`` recall@10, or the largest tried.

    An IVF-PQ-refine index keeps the k_factor it was built with.
    """
    import faiss

    ivf = faiss.try_extract_index_ivf(index) if not isinstance(index, faiss.IndexHNSW) else None
    steps = (
        [16, 32, 64, 128, 256, 512, 1024, 2048]
        if ivf is None
        else sorted({v for i in range(2, 14) for v in (2**i, 3 * 2 ** (i - 1)) if v <= ivf.nlist} | {ivf.nlist})
    )
    for value in steps:
        if ivf is None:
            index.hnsw.efSearch = value
        else:
            ivf.nprobe = value
        if recall_at(index.search(queries, K)[1], truth) >= target:
            return value
    return steps[-1]


def bandwidth_gb_s(x: np.ndarray, repeats: int = 5) -> float:
    """Memory read bandwidth: the best of summing ``x`` on one thread and on two (halves in parallel)."""
    from concurrent.futures import ThreadPoolExecutor

    flat = x.reshape(-1)
    best = float("inf")
    half = len(flat) // 2
    with ThreadPoolExecutor(2) as pool:
        for _ in range(repeats):
            start = time.perf_counter()
            flat.sum(dtype=np.float32)
            best = min(best, time.perf_counter() - start)
            start = time.perf_counter()
            list(pool.map(lambda part: part.sum(dtype=np.float32), (flat[:half], flat[half:])))
            best = min(best, time.perf_counter() - start)
    return x.nbytes / best / 1e9


def batch_cost(index, queries: np.ndarray, sizes: Sequence[int] = (1, 8, 64, 256, 320, 340, 512, 1024)) -> dict[int, float]:
    """Milliseconds per query when ``n`` queries are searched in one call (FAISS switches to BLAS past a batch size)."""
    out = {}
    reps = int(np.ceil(max(sizes) / len(queries)))
    pool = np.ascontiguousarray(np.tile(queries, (reps, 1)))
    for n in sizes:
        start = time.perf_counter()
        index.search(pool[:n], K)
        out[n] = (time.perf_counter() - start) * 1e3 / n
    return out


Progress = Callable[[str], None]


@dataclass(frozen=True)
class ScaleResult:
    runs: tuple[IndexRun, ...]
    tuned: dict[str, int]  # "data/size/kind" -> efSearch or nprobe reaching the recall target
    text: tuple[TextBuild, ...]
    bandwidth_gb_s: float
    floor_ms: float  # bytes of the largest exact matrix / bandwidth
    exact_over_floor: float
    batch_ms: dict[int, float]  # per query, exact search at the middle size, by batch size


def run_scale(
    sizes: Sequence[int],
    text_sizes: Sequence[int],
    embedder,
    corpus_dir,
    questions: Sequence[str],
    workdir,
    say: Progress = print,
    hnsw_uniform_up_to: int = 100_000,
) -> ScaleResult:
    """The whole scale benchmark (see the module docstring)."""
    from bot.ingest.corpus import load_corpus

    chain = bigram_chain([d.text for d in load_corpus(corpus_dir).documents])
    embedder.encode(["load the model before anything is timed"])
    texts = []
    for n in text_sizes:
        say(f"text build: {n:,} synthetic passages through the real build")
        texts.append(text_build(chain, n, embedder, workdir))
    n_real = min(2000, max(64, max(sizes) // 500))  # 2,000 for a million; a few dozen for a quick check
    say(f"embedding {n_real:,} synthetic passages and {len(questions)} real questions, for embedding-like vectors")
    rng = np.random.default_rng(7)
    real = embedder.encode([" ".join(sentence_from(chain, rng) for _ in range(3)) for _ in range(n_real)])
    real_queries = embedder.encode(list(questions))
    runs, tuned, batch, bandwidth, floor, over = [], {}, {}, 0.0, 0.0, 0.0
    for size in sizes:
        for data in ("uniform", "embedding-like"):
            x = uniform_vectors(size, real.shape[1], seed=size) if data == "uniform" else embedding_like_vectors(real, size, seed=size)
            queries = uniform_vectors(200, real.shape[1], seed=1) if data == "uniform" else real_queries
            say(f"{data} {size:,}: exact")
            exact_run, exact = measure(data, x, queries, np.zeros((len(queries), K), dtype=np.int64), ann.EXACT)
            truth = exact.search(queries, K)[1]
            runs.append(IndexRun(**{**exact_run.__dict__, "recall": 1.0}))
            if size == max(sizes) and data == "uniform":
                bandwidth = bandwidth_gb_s(x)
                floor = x.nbytes / (bandwidth * 1e9) * 1e3
                over = min(exact_run.p50_ms, exact_run.p50_ms_2_threads) / floor
            if size == sorted(sizes)[len(sizes) // 2] and data == "uniform":
                batch = batch_cost(exact, queries)
            del exact
            choices = [kinds.ivf_sq8(size), ann.ivf_pq_refine(size, real.shape[1])]
            if data != "uniform" or size <= hnsw_uniform_up_to:
                choices.insert(0, kinds.hnsw())
            for choice in choices:
                say(f"{data} {size:,}: {choice.label}")
                start = time.perf_counter()
                index = kinds.build(x, choice)
                built = time.perf_counter() - start
                value = tune(index, queries, truth)
                tuned[f"{data}/{size}/{choice.kind}"] = value
                run, _ = measure(data, x, queries, truth, choice, index=index)
                runs.append(IndexRun(**{**run.__dict__, "build_per_s": size / built}))
                del index
            del x
    return ScaleResult(tuple(runs), tuned, tuple(texts), bandwidth, floor, over, batch)
