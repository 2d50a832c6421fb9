"""bot.search.ray_build: `python -m bot index --ray auto` on a local Ray cluster gives the single-process build's index."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import faiss
import numpy as np
import pytest

from bot.search.build import build_index
from bot.search.embedding import SentenceTransformerEmbedder
from bot.search.index import live_version, load_index

from .conftest import ROOT, write_articles


@pytest.mark.model
def test_a_build_on_a_local_ray_cluster_equals_the_single_process_build(tmp_path, cache_dir):
    corpus = write_articles(tmp_path / "corpus")
    (corpus / "more.md").write_text("# More\n\n" + "A longer page about model serving and monitoring. " * 30 + "\n", encoding="utf-8")
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "BOT_CORPUS_DIR": str(corpus),
        "BOT_INDEX_DIR": str(tmp_path / "on-ray"),
        "BOT_CACHE_DIR": str(cache_dir),
        "RAY_ADDRESS": "",  # never a cluster this machine may run: a local one, started and stopped by the build
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "index", "--ray", "auto", "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1])["index"].startswith("built")

    alone = build_index(corpus, tmp_path / "alone", SentenceTransformerEmbedder(cache_dir=cache_dir))
    a, b = load_index(tmp_path / "on-ray"), load_index(tmp_path / "alone")
    assert a.passages == b.passages and a.documents == b.documents and a.manifest.model == b.manifest.model
    assert a.manifest.passages == alone.passages and a.manifest.sentences == alone.sentences
    for x, y in ((a.search.passage_vectors, b.search.passage_vectors), (a.search.sentence_vectors, b.search.sentence_vectors)):
        assert np.abs(x.reconstruct_n(0, x.ntotal) - y.reconstruct_n(0, y.ntotal)).max() < 1e-5  # batching: float rounding only
    for name in ("passages.jsonl", "documents.jsonl", "acronyms.json"):
        assert (live_version(tmp_path / "on-ray") / name).read_bytes() == (live_version(tmp_path / "alone") / name).read_bytes(), name
    x, y = a.search.bm25, b.search.bm25  # bm25s numbers terms in a set's order, which differs between processes
    assert set(x.vocab) == set(y.vocab) and x.passages == y.passages
    for term in x.vocab:
        assert np.array_equal(x.scores([term]), y.scores([term])), term
    assert isinstance(faiss.read_index(str(live_version(tmp_path / "on-ray") / "passages.faiss")), faiss.Index)


def test_a_cluster_that_cannot_be_joined_says_so(tmp_path):
    from bot.errors import ConfigError
    from bot.search.ray_build import cluster

    with pytest.raises(ConfigError, match="Could not join the Ray cluster '127.0.0.1:9'.*check --ray"):
        with cluster("127.0.0.1:9"):
            pass
