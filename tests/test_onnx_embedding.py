"""bot.search.onnx_embedding: the ONNX export gives sentence-transformers' vectors, and the backend choice says why."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from bot.errors import BotError
from bot.search.embedding import SentenceTransformerEmbedder
from bot.search.onnx_embedding import supported

# Awkward inputs: empty, one character, spaces around, case, emoji, CJK, accents, a paragraph past 256 tokens.
TEXTS = [
    "",
    "a",
    "   Do I need a master's degree?   ",
    "PYTHON or Python or python",
    "Machine learning 🤖🚀 is fun!",
    "机器学习工程师需要什么技能？",
    "Café, naïve résumé — “quoted” text…",
    "Machine learning engineers build and deploy models that learn from data. " * 40,
]


@pytest.fixture(scope="module")
def onnx_embedder(cache_dir):
    embedder = SentenceTransformerEmbedder(backend="onnx", cache_dir=cache_dir)
    embedder.encode(["warm up"])
    return embedder


@pytest.mark.model
def test_onnx_vectors_equal_sentence_transformers_vectors(onnx_embedder):
    torch_embedder = SentenceTransformerEmbedder(backend="torch")
    expected = torch_embedder.encode(TEXTS)
    assert torch_embedder.backend == "torch" and onnx_embedder.backend == "onnx"
    together = onnx_embedder.encode(TEXTS)  # one padded batch
    alone = np.stack([onnx_embedder.encode([t])[0] for t in TEXTS])
    assert together.dtype == np.float32 and together.shape == expected.shape == (len(TEXTS), onnx_embedder.dim)
    assert np.abs(together - expected).max() < 1e-5
    assert np.abs(alone - expected).max() < 1e-5
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


@pytest.mark.model
def test_a_build_sized_call_runs_its_batches_side_by_side_and_gives_the_same_vectors(onnx_embedder):
    from bot.search.onnx_embedding import PARALLEL_FROM

    texts = [f"{TEXTS[i % len(TEXTS)]} {i}" for i in range(PARALLEL_FROM + 40)]  # lengths of every kind, all distinct
    model = onnx_embedder._onnx
    many = model.encode(texts, 64)
    cores = len(os.sched_getaffinity(0))
    assert (model._workers is not None) == (cores >= 2)  # on two cores or more, per-core sessions ran the batches
    few = np.concatenate([model.encode(texts[lo : lo + 50], 64) for lo in range(0, len(texts), 50)])  # one session
    assert many.shape == (len(texts), model.dim) and np.abs(many - few).max() < 1e-5
    assert np.allclose(np.linalg.norm(many, axis=1), 1.0, atol=1e-5)


def resident_mb() -> float:
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS:")) / 1024


@pytest.mark.model
def test_release_gives_back_the_per_core_sessions_and_the_next_large_encode_makes_them_again(onnx_embedder):
    from bot.search.onnx_embedding import PARALLEL_FROM

    texts = [f"{TEXTS[i % len(TEXTS)]} {i}" for i in range(PARALLEL_FROM * 4)]
    model = onnx_embedder._onnx
    first = onnx_embedder.encode(texts)
    held = resident_mb()
    onnx_embedder.release()
    assert model._workers is None
    parallel = len(os.sched_getaffinity(0)) >= 2  # on one core there are no per-core sessions to give back
    assert resident_mb() < held - 50 or not parallel  # each session holds its own copy of the weights (about 90 MB)
    again = onnx_embedder.encode(texts)
    assert (model._workers is not None) == parallel and np.abs(again - first).max() < 1e-6


@pytest.mark.model
def test_the_export_is_made_once_into_the_cache_folder(onnx_embedder, cache_dir):
    exported = onnx_embedder._onnx.path
    assert exported.is_relative_to(cache_dir) and exported.is_file()
    before = exported.stat().st_mtime_ns
    again = SentenceTransformerEmbedder(backend="auto", cache_dir=cache_dir)
    again.encode(["hello"])
    assert again.backend == "onnx" and again._onnx.path == exported and exported.stat().st_mtime_ns == before


def test_a_model_the_export_does_not_know_is_named_with_the_reason(tmp_path):
    folder = tmp_path / "cls-model"
    (folder / "1_Pooling").mkdir(parents=True)
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    ]
    (folder / "modules.json").write_text(json.dumps(modules))
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True}))
    (folder / "config.json").write_text(json.dumps({"model_type": "bert"}))
    assert "mean pooling" in supported(folder)
    assert "not a local model folder" in supported(tmp_path / "nope")
    with pytest.raises(BotError, match="BOT_EMBED_BACKEND=torch"):
        SentenceTransformerEmbedder(str(folder), backend="onnx", cache_dir=tmp_path).encode(["x"])


def test_an_unknown_backend_names_the_known_ones():
    with pytest.raises(BotError, match="auto, onnx, torch"):
        SentenceTransformerEmbedder(backend="tensorrt")


def test_a_load_started_in_the_background_fails_in_the_callers_thread(tmp_path):
    embedder = SentenceTransformerEmbedder(str(tmp_path / "nope"), backend="onnx", cache_dir=tmp_path)
    embedder.start_loading()
    with pytest.raises(BotError, match="not a local model folder"):
        embedder.encode(["x"])
    with pytest.raises(BotError, match="not a local model folder"):  # and again, not a hang
        embedder.encode(["x"])


@pytest.mark.model
def test_a_background_load_can_be_waited_for(cache_dir):
    embedder = SentenceTransformerEmbedder(backend="auto", cache_dir=cache_dir)
    embedder.start_loading()
    embedder.finish_loading()
    assert embedder.backend == "onnx" and not embedder._loader.is_alive()
