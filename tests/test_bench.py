"""bot.bench.latency, bot.bench.scale and bot.bench.report: the benchmarks run and report their figures (not their timings)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from bot.bench import scale, synthetic
from bot.bench.command import sizes as _sizes
from bot.errors import BotError

from .conftest import ROOT


def run(args, env_extra, timeout=600):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", **env_extra}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.model
def test_bench_reports_each_figure_beside_its_floor(real_settings, real_bot):
    done = run(["bench", "--rounds", "1", "--json"], {"BOT_INDEX_DIR": str(real_settings.index_dir)})
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    for key in ("answer_over_embed", "build_over_embed", "build_over_st", "cold_over_load", "p50_ms", "p95_ms", "peak_rss_mb"):
        assert isinstance(figures[key], float) and figures[key] > 0, key
    assert figures["backend"] == "onnx" and figures["index"] == "Flat (exact)"  # 35 passages stay exact
    assert "answer_over_embed" in done.stdout and "target ≤ 2.0" in done.stdout


@pytest.mark.model
def test_scale_bench_in_miniature_writes_its_tables_plot_and_json(tmp_path):
    plot = tmp_path / "scale.png"
    done = run(["bench", "--scale", "1k", "--text", "20", "--plot", str(plot), "--json"], {})
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    kinds = {(r["data"], r["kind"]) for r in result["runs"]}
    assert kinds == {(d, k) for d in ("uniform", "embedding-like") for k in ("exact", "hnsw", "ivf-sq8", "ivf-pq-refine")}
    assert all(0.0 <= r["recall"] <= 1.0 and r["p50_ms"] > 0 and r["megabytes"] > 0 for r in result["runs"])
    assert (
        result["text"][0]["passages"] >= 10
        and result["text"][0]["peak_mb"] > 100
        and result["bandwidth_gb_s"] > 0
        and result["exact_over_floor"] > 0
    )
    assert "| data | size | index |" in done.stdout and "extrapolated" in done.stdout
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.model
def test_engine_bench_in_miniature_measures_faiss_and_qdrant_edge_on_the_same_vectors():
    done = run(["bench", "--engines", "12k", "--json"], {})
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    runs = {r["engine"].split(" ef=")[0].split(" nprobe=")[0]: r for r in result["runs"]}
    assert set(runs) == {"FAISS exact", "FAISS IVF-PQ-refine", "Qdrant Edge exact", "Qdrant Edge HNSW"}  # 12k: past the indexing threshold
    assert runs["FAISS exact"]["recall"] == 1.0 and runs["Qdrant Edge exact"]["recall"] == pytest.approx(1.0, abs=0.01)
    assert all(r["size"] == 12_000 and r["p50_ms"] > 0 and r["build_per_s"] > 0 and r["recall"] > 0.5 for r in runs.values())
    assert all(r["serve_mb"] > result["base_mb"] > 0 for r in runs.values())
    assert "| size | engine, index |" in done.stdout


def test_sizes_read_thousands_and_millions():
    assert _sizes("10k,100k,1M") == [10_000, 100_000, 1_000_000]
    assert _sizes("2500, 1.5k") == [2500, 1500]
    with pytest.raises(BotError, match="10k,100k,1M"):
        _sizes("lots")


def test_synthetic_articles_are_made_of_the_corpus_words_and_chunk_into_passages():
    from bot.ingest.chunking import chunk_documents
    from bot.records import Document

    source = "Machine learning engineers build models. They deploy models to production! Do they earn well? Yes, they do."
    chain = synthetic.bigram_chain([source])
    articles = synthetic.synthetic_articles(chain, 25, seed=3)
    assert articles == synthetic.synthetic_articles(chain, 25, seed=3)  # seeded
    words = {w.lower().strip(".") for a in articles for line in a.splitlines()[3:] for w in line.split()}
    assert words <= {w.lower().strip(".!?,") for w in source.split()} | {""}
    docs = [Document(doc_id=f"a{i}.txt", title=f"A{i}", text=a.split("---\n", 2)[2]) for i, a in enumerate(articles)]
    assert 15 <= len(chunk_documents(docs)) <= 40


def test_synthetic_vectors_are_unit_length_and_embedding_like_ones_keep_the_mean_direction():
    u = synthetic.uniform_vectors(1000, 16, seed=0)
    real = synthetic.uniform_vectors(200, 16, seed=1) + 2.0
    real /= np.linalg.norm(real, axis=1, keepdims=True)
    e = synthetic.embedding_like_vectors(real, 1000, seed=2)
    for x in (u, e):
        assert x.shape == (1000, 16) and x.dtype == np.float32
        assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    assert float(e.mean(0) @ real.mean(0)) > 0.9 and abs(float(u.mean(0).sum())) < 0.5


def test_recall_counts_shared_neighbours():
    truth = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    assert scale.recall_at(truth, truth) == 1.0
    assert scale.recall_at(np.array([[1, 2, 9, 9], [5, 6, 7, 8]]), truth) == 0.75
