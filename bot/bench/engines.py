"""The vector engine beside FAISS at scale: the same vectors and questions, in the bot's FAISS indexes and in Qdrant Edge.

Embedding-like vectors (``bot.bench.synthetic``: a Gaussian with the mean and covariance of real
embeddings of synthetic passages) are searched with the real questions of ``eval/``. For each size:

* FAISS exact and FAISS IVF-PQ-refine (what the bot builds past ``Tuning.exact_up_to``);
* Qdrant Edge (``bot.search.qdrant_edge``'s engine: the Qdrant server's segments and HNSW in process),
  searched exactly and with HNSW at the smallest ``hnsw_ef`` reaching recall@10 ≥ 0.95.

Each gives its build rate (vectors inserted and indexed per second), single-query p50/p95 on one
search thread, recall@10 against exact search, and the peak resident memory of a fresh serving
process that opens the index from disk and answers every question (beside the same process that
opens nothing). qdrant-client's local mode is left out: it is the test harness for the server API
(exact search in numpy, 62 inserts/s on disk), not an engine to serve from.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.bench.scale import RECALL_TARGET, K, percentile, recall_at, time_queries, tune
from bot.bench.synthetic import bigram_chain, embedding_like_vectors, sentence_from
from bot.search import ann
from bot.search.qdrant_edge import edge_config, finish

BATCH = 1024  # points per Edge update
EF_STEPS = (32, 64, 128, 256, 512, 1024)


@dataclass(frozen=True)
class EngineRun:
    engine: str  # "FAISS exact", "Qdrant Edge HNSW ef=128", ...
    size: int
    build_per_s: float  # vectors inserted and indexed per second
    p50_ms: float
    p95_ms: float
    recall: float  # recall@10 against exact search
    serve_mb: float  # peak resident memory of a fresh process that opens the index and answers the questions


def _run(engine: str, size: int, seconds: float, took: list[float], recall: float, mb: float) -> EngineRun:
    return EngineRun(engine, size, size / seconds, percentile(took, 50) * 1e3, percentile(took, 95) * 1e3, recall, mb)


#: A fresh serving process: opens an index from disk (or nothing, for the baseline), answers each question once,
#: prints its peak resident memory. argv: kind (faiss | edge | none), path, questions .npy, nprobe or hnsw_ef.
_SERVE = """
import sys, numpy as np
kind, path, qfile, knob = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
queries = np.load(qfile)
if kind == "faiss":
    import faiss
    faiss.omp_set_num_threads(1)
    index = faiss.read_index(path)
    ivf = faiss.try_extract_index_ivf(index) if index.__class__.__name__ != "IndexFlatIP" else None
    if ivf is not None and knob:
        ivf.nprobe = knob
    for q in queries:
        index.search(q[None, :], 10)
elif kind == "edge":
    import qdrant_edge as qe
    dense = {"dense": qe.EdgeVectorParams(size=queries.shape[1], distance=qe.Distance.Dot)}
    shard = qe.EdgeShard.load(path, qe.EdgeConfig(vectors=dense, wal_enabled=False, max_search_threads=1))
    params = qe.SearchParams(hnsw_ef=knob) if knob else qe.SearchParams(exact=True)
    for q in queries:
        shard.query(qe.QueryRequest(limit=10, query=qe.Query.Nearest(q.tolist(), using="dense"), params=params))
print(next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")))
"""


def serve_mb(kind: str, path: Path | str, queries_file: Path, knob: int = 0) -> float:
    done = subprocess.run([sys.executable, "-c", _SERVE, kind, str(path), str(queries_file), str(knob)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the serving process for {kind} failed: {done.stderr[-2000:]}")
    return int(done.stdout.strip().splitlines()[-1]) / 1024


def _edge_shard(x: np.ndarray, folder: Path):
    """An Edge shard of these vectors, built as bot.search.qdrant_edge builds one; (shard, seconds)."""
    import qdrant_edge as qe

    start = time.perf_counter()
    dense = {"dense": qe.EdgeVectorParams(size=x.shape[1], distance=qe.Distance.Dot)}
    shard = qe.EdgeShard.create(str(folder), edge_config(qe, dense))
    for lo in range(0, len(x), BATCH):
        block = x[lo : lo + BATCH]
        shard.update(qe.UpdateOperation.upsert_points([qe.Point(lo + i, {"dense": v.tolist()}) for i, v in enumerate(block)]))
    finish(shard)
    seconds = time.perf_counter() - start
    return qe.EdgeShard.load(str(folder), qe.EdgeConfig(vectors=dense, wal_enabled=False, max_search_threads=1)), seconds


def _edge_search(shard, queries: np.ndarray, ef: int) -> tuple[np.ndarray, list[float]]:
    """Ids of the top 10 per question, and seconds per question."""
    import qdrant_edge as qe

    params = qe.SearchParams(hnsw_ef=ef) if ef else qe.SearchParams(exact=True)
    ids, took = np.full((len(queries), K), -1, dtype=np.int64), []
    for row, q in enumerate(queries):
        start = time.perf_counter()
        points = shard.query(qe.QueryRequest(limit=K, query=qe.Query.Nearest(q.tolist(), using="dense"), params=params))
        took.append(time.perf_counter() - start)
        ids[row, : len(points)] = [int(p.id) for p in points]
    return ids, took


def run_engines(
    sizes: Sequence[int], embedder, corpus_dir, questions: Sequence[str], workdir, say: Callable[[str], None] = print
) -> tuple[list[EngineRun], float]:
    """Every size with FAISS and Qdrant Edge; also the peak memory of a serving process that opens nothing."""
    import faiss

    from bot.ingest.corpus import load_corpus

    work = Path(workdir)
    chain = bigram_chain([d.text for d in load_corpus(corpus_dir).documents])
    rng = np.random.default_rng(7)
    real = embedder.encode([" ".join(sentence_from(chain, rng) for _ in range(3)) for _ in range(2000)])
    queries = np.ascontiguousarray(embedder.encode(list(questions)), dtype=np.float32)
    queries_file = work / "queries.npy"
    np.save(queries_file, queries)
    base = max(serve_mb("none", "", queries_file), 0.0)
    runs: list[EngineRun] = []
    for size in sizes:
        x = embedding_like_vectors(real, size, seed=size)
        say(f"{size:,}: FAISS exact")
        start = time.perf_counter()
        exact = ann.build(x, ann.EXACT)
        built = time.perf_counter() - start
        truth = exact.search(queries, K)[1]
        faiss.write_index(exact, str(work / f"exact-{size}.faiss"))
        took = time_queries(exact, queries)
        mb = serve_mb("faiss", work / f"exact-{size}.faiss", queries_file)
        runs.append(_run("FAISS exact", size, built, took, 1.0, mb))
        del exact
        say(f"{size:,}: FAISS IVF-PQ-refine")
        start = time.perf_counter()
        index = ann.build(x, ann.ivf_pq_refine(size, x.shape[1]))
        built = time.perf_counter() - start
        nprobe = tune(index, queries, truth)
        took = time_queries(index, queries)
        recall = recall_at(index.search(queries, K)[1], truth)
        faiss.write_index(index, str(work / f"ivf-{size}.faiss"))
        mb = serve_mb("faiss", work / f"ivf-{size}.faiss", queries_file, nprobe)
        runs.append(_run(f"FAISS IVF-PQ-refine nprobe={nprobe}", size, built, took, recall, mb))
        del index
        say(f"{size:,}: Qdrant Edge (insert, then HNSW)")
        shard, seconds = _edge_shard(x, work / f"edge-{size}")
        del x
        found, took = _edge_search(shard, queries, 0)
        mb = serve_mb("edge", work / f"edge-{size}", queries_file, 0)
        runs.append(_run("Qdrant Edge exact", size, seconds, took, recall_at(found, truth), mb))
        for ef in EF_STEPS:
            found, took = _edge_search(shard, queries, ef)
            if recall_at(found, truth) >= RECALL_TARGET or ef == EF_STEPS[-1]:
                break
        mb = serve_mb("edge", work / f"edge-{size}", queries_file, ef)
        graphed = shard.info().indexed_vectors_count  # below Edge's indexing threshold a segment is searched plainly
        label = f"Qdrant Edge HNSW ef={ef}" if graphed >= size else f"Qdrant Edge, {graphed:,} of {size:,} vectors in HNSW"
        runs.append(_run(label, size, seconds, took, recall_at(found, truth), mb))
        shard.close()
        say(json.dumps([r.__dict__ for r in runs[-4:]]))
    return runs, base


def table(runs: Sequence[EngineRun], base_mb: float) -> str:
    lines = [
        f"One search thread, k=10, the real questions; HNSW at the smallest ef reaching recall@10 ≥ {RECALL_TARGET}.",
        f"Serving memory: peak resident size of a fresh process that opens the index and answers every question "
        f"(the same process opening nothing: {base_mb:,.0f} MB).",
        "",
        "| size | engine, index | build (vectors/s) | search p50 / p95 (ms) | recall@10 | serving process (MB) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in runs:
        lines.append(
            f"| {r.size:,} | {r.engine} | {r.build_per_s:,.0f} | {r.p50_ms:.2f} / {r.p95_ms:.2f} | {r.recall:.3f} | {r.serve_mb:,.0f} |"
        )
    return "\n".join(lines)
