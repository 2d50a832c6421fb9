"""The embedding cache: a text is embedded once per model, and an index built from the cache is the index
a build without it gives (bot.search.vector_cache)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.search.build import build_index
from bot.search.embedding import HashEmbedder
from bot.search.index import live_version, read_manifest
from bot.search.vector_cache import FILE, CachedEmbedder

from .conftest import ROOT, write_articles


class Counting(HashEmbedder):
    """The fake embedder, counting the texts it is asked to embed."""

    def __init__(self, name: str = "hash-test") -> None:
        super().__init__(name=name)
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen.extend(texts)
        return super().encode(texts)


def test_a_text_is_embedded_once_and_read_back_the_same(tmp_path):
    inner = Counting()
    first = CachedEmbedder(inner, tmp_path).encode(["alpha beta", "gamma", "alpha beta"])
    assert inner.seen == ["alpha beta", "gamma"]  # a repeat within one call is embedded once
    again = CachedEmbedder(inner, tmp_path)
    second = again.encode(["gamma", "alpha beta", "delta"])
    assert inner.seen[2:] == ["delta"] and (again.use.reused, again.use.embedded) == (2, 1)
    assert np.array_equal(second[0], first[1]) and np.array_equal(second[1], first[0])
    assert np.array_equal(second, HashEmbedder().encode(["gamma", "alpha beta", "delta"]))


def test_another_model_does_not_read_this_ones_vectors(tmp_path):
    CachedEmbedder(Counting("model-a"), tmp_path).encode(["alpha"])
    other = Counting("model-b")
    CachedEmbedder(other, tmp_path).encode(["alpha"])
    assert other.seen == ["alpha"]


def test_a_corrupt_cache_file_costs_time_not_vectors(tmp_path, caplog):
    (tmp_path / FILE).write_bytes(b"this is not a database" * 100)
    inner = Counting()
    with caplog.at_level(logging.WARNING):
        vectors = CachedEmbedder(inner, tmp_path).encode(["alpha", "beta"])
    assert np.array_equal(vectors, HashEmbedder().encode(["alpha", "beta"])) and inner.seen == ["alpha", "beta"]
    assert "embedding cache" in caplog.text


def _version_files(index_dir: Path) -> dict[str, bytes]:
    folder = live_version(index_dir)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != "manifest.json"}


def test_adding_changing_and_deleting_files_embeds_only_new_text_and_gives_the_full_builds_index(tmp_path, monkeypatch):
    from bot.ingest import chunking
    from bot.ingest import corpus as corpus_mod

    chunked: list[str] = []
    parsed: list[str] = []
    real_chunk, real_parse = chunking.chunk_document, corpus_mod._parse
    monkeypatch.setattr(chunking, "chunk_document", lambda doc: chunked.append(doc.doc_id) or real_chunk(doc))
    monkeypatch.setattr(corpus_mod, "_parse", lambda path, doc_id, *a: parsed.append(doc_id) or real_parse(path, doc_id, *a))
    corpus = write_articles(tmp_path / "corpus")
    (corpus / "kept.html").write_text("<h1>Kept</h1><p>A page that does not change: feature stores and pipelines.</p>", encoding="utf-8")
    cache = tmp_path / "cache"
    first = build_index(corpus, tmp_path / "inc", Counting(), cache)
    assert first.embedded > 0 and first.reused < first.embedded

    (corpus / "added.md").write_text("# Added Page\n\nA new page about gradient descent and learning rates.\n", encoding="utf-8")
    text = (corpus / "careers.txt").read_text(encoding="utf-8")
    (corpus / "careers.txt").write_text(text.replace("Communication matters too", "Writing matters too"), encoding="utf-8")
    (corpus / "guide.md").unlink()
    inner = Counting()
    chunked.clear(), parsed.clear()
    second = build_index(corpus, tmp_path / "inc", inner, cache)
    assert sorted(chunked) == ["added.md", "careers.txt"]  # unchanged files: their passages from the chunk cache
    assert sorted(parsed) == ["added.md", "careers.txt"]  # and their documents as read before
    assert 0 < second.embedded == len(inner.seen) < second.passages + second.sentences
    assert any("gradient descent" in t for t in inner.seen) and any("Writing matters" in t for t in inner.seen)
    assert not any("Build small projects" in t or "first steps" in t for t in inner.seen)  # unchanged or deleted: not embedded

    full = build_index(corpus, tmp_path / "full", HashEmbedder())  # no cache at all
    assert full.embedded == -1 and full.sources == second.sources
    assert _version_files(tmp_path / "inc") == _version_files(tmp_path / "full")  # passages, vectors, BM25, word lists


def test_a_build_killed_after_embedding_leaves_the_previous_version_live(tmp_path, monkeypatch):
    corpus = write_articles(tmp_path / "corpus")
    cache = tmp_path / "cache"
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir, HashEmbedder(), cache)
    before = live_version(index_dir).name
    (corpus / "added.md").write_text("# Added\n\nSomething new about model serving.\n", encoding="utf-8")

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("bot.search.build.publish", killed)
    with pytest.raises(KeyboardInterrupt):
        build_index(corpus, index_dir, HashEmbedder(), cache)
    monkeypatch.undo()
    assert live_version(index_dir).name == before and "added.md" not in read_manifest(live_version(index_dir)).sources
    inner = Counting()
    again = build_index(corpus, index_dir, inner, cache)  # what the killed build embedded is kept
    assert "added.md" in again.sources and inner.seen == [] and again.embedded == 0


@pytest.mark.model
def test_with_the_real_model_an_incremental_index_answers_as_a_full_rebuild(tmp_path, real_settings):
    from dataclasses import replace

    from bot.answer.chatbot import Chatbot
    from bot.search.embedding import embedder_for
    from bot.search.index import load_index

    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    held_back = sorted(corpus.glob("*.txt"))[0]
    kept = held_back.read_text(encoding="utf-8")
    held_back.unlink()
    embedder = embedder_for(real_settings)
    cache = tmp_path / "cache"
    build_index(corpus, tmp_path / "inc", embedder, cache)
    held_back.write_text(kept, encoding="utf-8")
    incremental = build_index(corpus, tmp_path / "inc", embedder, cache)
    full = build_index(corpus, tmp_path / "full", embedder)
    assert 0 < incremental.embedded < incremental.reused and full.embedded == -1

    a, b = load_index(tmp_path / "inc"), load_index(tmp_path / "full")
    assert a.passages == b.passages
    for x, y in ((a.search.passage_vectors, b.search.passage_vectors), (a.search.sentence_vectors, b.search.sentence_vectors)):
        assert np.allclose(x.reconstruct_n(0, x.ntotal), y.reconstruct_n(0, y.ntotal), atol=1e-5)
    settings = replace(real_settings, corpus_dir=corpus)
    bots = [Chatbot(index, embedder, settings) for index in (a, b)]
    for line in (ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        question = json.loads(line)["question"]
        one, two = (bot.ask(question) for bot in bots)
        assert (one.text, [c.pid for c in one.citations]) == (two.text, [c.pid for c in two.citations]), question


def test_a_file_is_parsed_again_when_the_readers_change(tmp_path, monkeypatch):
    from bot.ingest import chunk_cache
    from bot.ingest import corpus as corpus_mod

    parsed: list[str] = []
    real_parse = corpus_mod._parse
    monkeypatch.setattr(corpus_mod, "_parse", lambda path, doc_id, *a: parsed.append(doc_id) or real_parse(path, doc_id, *a))
    corpus, cache = write_articles(tmp_path / "corpus"), tmp_path / "cache"
    build_index(corpus, tmp_path / "index", HashEmbedder(), cache)
    parsed.clear()
    (corpus / "guide.md").touch()  # the same bytes: still taken as read
    build_index(corpus, tmp_path / "again", HashEmbedder(), cache)
    assert parsed == []
    monkeypatch.setattr(chunk_cache, "readers_version", lambda: "another reader")
    build_index(corpus, tmp_path / "third", HashEmbedder(), cache)
    assert sorted(parsed) == ["careers.txt", "guide.md"]


def test_passages_are_chunked_again_when_the_chunking_code_or_sizes_change(tmp_path, monkeypatch):
    """A chunker changed without a CHUNKER_VERSION bump, or other passage sizes, never meets an old entry."""
    from dataclasses import replace

    from bot import config
    from bot.ingest import chunk_cache
    from bot.ingest.chunk_cache import ChunkCache
    from bot.ingest.corpus import load_corpus

    doc = load_corpus(write_articles(tmp_path / "corpus")).documents[0]
    cache = ChunkCache(tmp_path / "cache", 1)
    cache.put(doc, [])
    assert cache.get(doc) == []
    monkeypatch.setattr(chunk_cache, "readers_version", lambda: "another chunker")
    assert cache.get(doc) is None
    monkeypatch.undo()
    assert cache.get(doc) == []
    monkeypatch.setattr(config, "TUNING", replace(config.TUNING, max_passage_words=60))
    assert cache.get(doc) is None
