"""bot.search.qdrant and bot.search.qdrant_edge: the index in Qdrant answers as the embedded FAISS index does.

By default against qdrant-client's local mode (the same client API as a server, in process: in
memory and on disk) and against Qdrant Edge (the server's engine, in process). Set
BOT_TEST_QDRANT_URL=http://host:6333 to run the client tests against a real Qdrant server or
cluster instead of the local mode; each test uses its own index name there.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import numpy as np
import pytest

from bot.config import Settings
from bot.errors import IndexCorrupt, IndexMismatch, IndexMissing
from bot.search import backend, qdrant, qdrant_edge
from bot.search.build import build_index
from bot.search.embedding import HashEmbedder
from bot.search.index import load_index
from bot.search.retrieval import Retriever

from .conftest import write_articles

SERVER = os.environ.get("BOT_TEST_QDRANT_URL", "").rstrip("/")
QUESTIONS = ("Which skills do I need?", "Do ML jobs pay well?", "How do I get started?", "python python sql", "zzzz unknown")


CLIENTS = ["memory", "disk"] if not SERVER else ["server"]


def url_for(kind: str, tmp_path) -> str:
    name = f"t{uuid.uuid4().hex[:10]}"
    return {
        "server": f"{SERVER}/{name}",
        "memory": f"memory:{name}",
        "disk": f"file://{tmp_path / 'qdrant'}/{name}",
        "edge": f"edge://{tmp_path / 'edge'}/{name}",
    }[kind]


@pytest.fixture(params=[*CLIENTS, "edge"])
def engine_url(request, tmp_path):
    return url_for(request.param, tmp_path)


@pytest.fixture(params=CLIENTS)
def client_url(request, tmp_path):
    return url_for(request.param, tmp_path)


def publish(index_dir, url: str) -> str:
    return backend.engine(url).publish(index_dir, url)


def connect(url: str, model: str | None = None, dim: int | None = None):
    return backend.engine(url).connect(url, model, dim)


def sync(index_dir, url: str) -> str:
    return backend.sync(index_dir, url)


@pytest.fixture
def built(tmp_path):
    corpus = write_articles(tmp_path / "corpus")
    build_index(corpus, tmp_path / "index", HashEmbedder())
    return corpus, tmp_path / "index"


def test_urls_name_the_engine_and_the_index():
    assert qdrant.parse("http://db:6333/faq") == qdrant.Location("http://db:6333/faq", "faq", server="http://db:6333")
    assert qdrant.parse("file:///var/lib/q/faq") == qdrant.Location("file:///var/lib/q/faq", "faq", path="/var/lib/q")
    assert qdrant.parse("memory:faq").path == ":memory:"
    for bad in ("ftp://x/faq", "http://db:6333", "http://db:6333/a/b"):
        with pytest.raises(IndexMissing, match="http://host:6333/NAME"):
            qdrant.parse(bad)
    assert qdrant_edge.folder_of("edge:///var/lib/q/faq") == Path("/var/lib/q/faq")
    for bad in ("edge://relative/faq", "edge:///", "edge://"):
        with pytest.raises(IndexMissing, match="edge:///FOLDER/NAME"):
            qdrant_edge.folder_of(bad)
    assert Settings.from_env().index_url == "" or Settings.from_env().index_url.startswith(("http", "file", "memory", "edge"))


def test_the_engine_ranks_and_scores_as_the_embedded_index(built, engine_url):
    _, index_dir = built
    publish(index_dir, engine_url)
    embedded, engine = load_index(index_dir, "hash-test", 64), connect(engine_url, "hash-test", 64)
    assert engine.passages == embedded.passages and engine.documents == embedded.documents
    assert engine.acronyms == embedded.acronyms and engine.common_words == embedded.common_words
    assert engine.search.document_frequency() == embedded.search.document_frequency()
    a, b = Retriever(embedded, HashEmbedder()), Retriever(engine, HashEmbedder())
    for question in QUESTIONS:
        x, y = a.search(question, k=8), b.search(question, k=8)
        assert [h.passage.pid for h in x.hits] == [h.passage.pid for h in y.hits], question
        for h, g in zip(x.hits, y.hits, strict=True):
            assert abs(h.score - g.score) < 1e-5 and abs(h.lexical - g.lexical) < 1e-5
        for hit in x.hits[:3]:
            pid = hit.passage.pid
            assert np.allclose(a.sentence_scores(x.query_vector, pid), b.sentence_scores(x.query_vector, pid), atol=1e-6)
    terms = embedded.terms("python sql python")
    assert engine.search.lexical(terms, 5, [0, 1, 2]).among == pytest.approx(embedded.search.lexical(terms, 5, [0, 1, 2]).among, abs=1e-5)


def test_a_model_or_dimension_the_engine_was_not_built_with_is_refused(built, engine_url):
    _, index_dir = built
    publish(index_dir, engine_url)
    with pytest.raises(IndexMismatch, match="built with model 'hash-test'"):
        connect(engine_url, "another-model", 64)
    with pytest.raises(IndexMismatch, match="64-dimensional"):
        connect(engine_url, "hash-test", 384)


def test_an_unreachable_server_or_a_missing_index_says_the_fix(engine_url):
    with pytest.raises(IndexMissing, match="Cannot reach Qdrant at http://127.0.0.1:9 .*unset BOT_INDEX_URL"):
        connect("http://127.0.0.1:9/faq")
    with pytest.raises(IndexMissing, match="run `python -m bot index`"):
        connect(engine_url)


def test_a_new_build_switches_all_collections_at_once_and_a_killed_publish_keeps_the_old_one(built, client_url, monkeypatch):
    corpus, index_dir = built
    assert sync(index_dir, client_url).startswith("published") and sync(index_dir, client_url) == ""  # once per version
    first = connect(client_url).manifest
    (corpus / "added.md").write_text("# Added Page\n\nGradient descent with a learning rate schedule.\n", encoding="utf-8")
    build_index(corpus, index_dir, HashEmbedder())

    client = qdrant.reachable(qdrant.parse(client_url))
    real = type(client).update_collection_aliases
    monkeypatch.setattr(type(client), "update_collection_aliases", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        publish(index_dir, client_url)  # killed after writing the new collections, before the switch
    assert connect(client_url).manifest == first  # still the old version, whole
    monkeypatch.setattr(type(client), "update_collection_aliases", real)

    publish(index_dir, client_url)
    now = connect(client_url)
    assert "added.md" in now.manifest.sources and "added.md" not in first.sources
    assert any("Gradient descent" in p.text for p in now.passages)
    build_index(corpus, index_dir, HashEmbedder(), cache_dir=None)
    publish(index_dir, client_url)  # a third version: the first one's collections go
    names = {c.name for c in client.get_collections().collections if c.name.startswith(qdrant.parse(client_url).name + "-v-")}
    assert len(names) == 2 * len(qdrant.KINDS)


def test_a_new_build_switches_the_edge_version_at_once_and_a_killed_publish_keeps_the_old_one(built, tmp_path, monkeypatch):
    corpus, index_dir = built
    url = url_for("edge", tmp_path)
    assert sync(index_dir, url).startswith("published") and sync(index_dir, url) == ""  # once per version
    first = connect(url).manifest
    (corpus / "added.md").write_text("# Added Page\n\nGradient descent with a learning rate schedule.\n", encoding="utf-8")
    build_index(corpus, index_dir, HashEmbedder())
    real = qdrant_edge.switch_to
    monkeypatch.setattr(qdrant_edge, "switch_to", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        publish(index_dir, url)  # killed after writing the new shards, before the switch
    assert connect(url).manifest == first  # still the old version, whole
    monkeypatch.setattr(qdrant_edge, "switch_to", real)
    publish(index_dir, url)
    now = connect(url)
    assert "added.md" in now.manifest.sources and "added.md" not in first.sources
    assert any("Gradient descent" in p.text for p in now.passages)
    build_index(corpus, index_dir, HashEmbedder())
    publish(index_dir, url)  # a third version: the first one goes, and so does the killed publish's leftover
    folder = qdrant_edge.folder_of(url)
    assert len(list(folder.glob("v-*"))) == 2 and not list(folder.glob(".tmp-*"))


def test_a_damaged_edge_index_is_refused_with_the_fix(built, tmp_path):
    import shutil

    _, index_dir = built
    url = url_for("edge", tmp_path)
    publish(index_dir, url)
    live = qdrant_edge.live_version(qdrant_edge.folder_of(url))
    shutil.rmtree(live / "sentences")
    with pytest.raises(IndexCorrupt, match="--rebuild"):
        connect(url)
    (live / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="no readable manifest"):
        connect(url)


def test_the_chat_answers_from_the_engine_when_bot_index_url_is_set(built, engine_url, tmp_path):
    from bot.answer.chatbot import Chatbot

    corpus, index_dir = built
    settings = Settings(corpus_dir=corpus, index_dir=index_dir, index_url=engine_url, cache_dir=tmp_path / "cache")
    bot = Chatbot.from_settings(settings, HashEmbedder())  # publishes the fresh local version, then connects
    assert isinstance(bot.index.search, qdrant_edge.EdgeSearch if engine_url.startswith("edge://") else qdrant.QdrantSearch)
    local = Chatbot(load_index(index_dir), HashEmbedder(), settings)
    for question in QUESTIONS:
        assert same(bot.ask(question), local.ask(question)), question
    replica = Settings(corpus_dir=tmp_path / "no-corpus-here", index_dir=tmp_path / "no-index", index_url=engine_url)
    assert same(Chatbot.from_settings(replica, HashEmbedder()).ask(QUESTIONS[0]), local.ask(QUESTIONS[0]))  # a stateless replica


def test_a_chat_replica_switches_to_a_version_published_elsewhere_without_a_restart(built, engine_url, tmp_path):
    import time

    from bot.answer.chatbot import Chatbot
    from bot.serve.live import LiveBot

    corpus, index_dir = built
    sync(index_dir, engine_url)
    replica = Settings(corpus_dir=tmp_path / "no-corpus", index_dir=tmp_path / "no-index", index_url=engine_url, follow_seconds=0.2)
    live = LiveBot(Chatbot.from_settings(replica, HashEmbedder()))
    before = live.current.index.manifest
    assert live.refresh().changed is False  # nothing new yet
    live.watch()
    try:
        (corpus / "added.md").write_text("# Added Page\n\nGradient descent with a learning rate schedule.\n", encoding="utf-8")
        build_index(corpus, index_dir, HashEmbedder())
        sync(index_dir, engine_url)  # the builder publishes; the replica has no corpus and did not build
        deadline = time.monotonic() + 30
        while live.current.index.manifest == before:
            assert time.monotonic() < deadline, "the replica never switched"
            time.sleep(0.1)
    finally:
        live.stop()
    assert "added.md" in live.current.index.manifest.sources
    assert any("Gradient descent" in p.text for p in live.current.index.passages)


def same(a, b) -> bool:
    """The same answer, citations and all; scores and confidence to float rounding (the engine sums in float32)."""
    import dataclasses

    def exact(answer):
        cites = tuple(dataclasses.replace(c, score=0.0) for c in answer.citations)
        return dataclasses.replace(answer, confidence=0.0, citations=cites)

    close = all(abs(x.score - y.score) < 1e-5 for x, y in zip(a.citations, b.citations, strict=False))
    return exact(a) == exact(b) and close and abs(a.confidence - b.confidence) < 1e-5


@pytest.mark.model
@pytest.mark.parametrize("kind", [CLIENTS[0], "edge"])
def test_with_the_real_model_every_dev_and_held_out_answer_is_the_embedded_ones(real_settings, real_bot, kind, tmp_path):
    from bot.answer.chatbot import Chatbot
    from bot.bench.evaluate import load_cases
    from bot.config import PROJECT_ROOT

    url = url_for(kind, tmp_path)
    publish(real_settings.index_dir, url)
    engine = Chatbot(connect(url, real_bot.embedder.name, real_bot.embedder.dim), real_bot.embedder, real_settings)
    for name in ("dev", "heldout"):
        for case in load_cases(PROJECT_ROOT / "eval" / f"{name}.jsonl"):
            turns = real_bot.replay(case.history)
            a, b = real_bot.respond(case.question, turns).answer, engine.respond(case.question, engine.replay(case.history)).answer
            assert same(a, b), json.dumps(case.question)
