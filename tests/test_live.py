"""A live server's bot (bot.serve.live): new documents are indexed in the background and switched in between
questions; a failed build keeps the old index answering."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from bot.answer.chatbot import Chatbot
from bot.config import Settings
from bot.search.build import build_index
from bot.search.embedding import HashEmbedder
from bot.search.index import load_index
from bot.serve.live import LiveBot

from .conftest import ROOT, running_server, write_articles

NEW_PAGE = "# Quantum Annealing Jobs\n\nQuantum annealing engineers tune qubit couplers for optimisation problems.\n"


def _live(tmp_path: Path) -> LiveBot:
    corpus = write_articles(tmp_path / "corpus")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", cache_dir=tmp_path / "cache")
    build_index(corpus, settings.index_dir, HashEmbedder(), settings.cache_dir)
    return LiveBot(Chatbot(load_index(settings.index_dir), HashEmbedder(), settings))


def test_a_new_document_is_indexed_and_switched_in_while_questions_are_answered(tmp_path):
    live = _live(tmp_path)
    before = live.current
    errors, answered, stop = [], [], threading.Event()

    def ask_all_along():
        while not stop.is_set():
            bot = live.current  # what a request does: one version for the whole answer
            try:
                answer = bot.ask("What do quantum annealing engineers tune?")
                assert all(c.doc_id in bot.index.documents for c in answer.citations)
                answered.append(answer)
            except Exception as exc:  # noqa: BLE001 - collected, asserted below
                errors.append(exc)

    askers = [threading.Thread(target=ask_all_along) for _ in range(3)]
    for t in askers:
        t.start()
    (live.current.settings.corpus_dir / "quantum.md").write_text(NEW_PAGE, encoding="utf-8")
    result = live.refresh()
    time.sleep(0.2)
    stop.set()
    for t in askers:
        t.join()
    assert result.changed and live.current is not before and not errors and answered
    assert "quantum.md" in live.current.index.documents and "quantum.md" not in before.index.documents
    answer = live.current.ask("What do quantum annealing engineers tune?")
    assert answer.citations and answer.citations[0].doc_id == "quantum.md"
    assert "3 documents" in live.status()
    assert not live.refresh().changed  # nothing new: no rebuild


def test_a_build_that_fails_keeps_the_old_index_answering_and_says_why(tmp_path):
    live = _live(tmp_path)
    before = live.current
    question = "What do machine learning engineers build and deploy?"
    earlier = before.ask(question)
    for f in live.current.settings.corpus_dir.iterdir():
        f.unlink()  # an empty corpus cannot be indexed
    result = live.refresh()
    assert not result.changed and live.current is before and "No readable articles" in result.message
    assert "could not be indexed" in live.status()
    assert live.current.ask(question) == earlier and len(live.current.index.documents) == 2


def test_the_watcher_picks_up_a_file_dropped_into_the_folder(tmp_path):
    live = _live(tmp_path)
    before = live.current
    live.watch()
    try:
        time.sleep(1.0)  # the watcher's first look, and its OS watch set up
        (live.current.settings.corpus_dir / "quantum.md").write_text(NEW_PAGE, encoding="utf-8")
        deadline = time.time() + 30
        while live.current is before and time.time() < deadline:
            time.sleep(0.2)
        assert "quantum.md" in live.current.index.documents
    finally:
        live.stop()


@pytest.mark.model
@pytest.mark.server
def test_the_real_server_answers_from_a_new_document_without_a_restart(tmp_path):
    from gradio_client import Client

    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    env = {"BOT_CORPUS_DIR": str(corpus), "BOT_INDEX_DIR": str(tmp_path / "index"), "BOT_FEEDBACK_PATH": str(tmp_path / "fb.jsonl")}
    question = "What do quantum annealing engineers tune?"
    with running_server(tmp_path / "server.log", **env) as url:
        errors, stop = [], threading.Event()

        def other_session():
            client = Client(url, verbose=False)
            while not stop.is_set():
                try:
                    data = client.predict("Do I need a master's degree?", [], api_name="/ask")
                    assert "not always mandatory" in data["answer"], data
                except Exception as exc:  # noqa: BLE001 - collected, asserted below
                    errors.append(exc)

        sessions = [threading.Thread(target=other_session) for _ in range(2)]
        for t in sessions:
            t.start()
        try:
            client = Client(url, verbose=False)
            assert client.predict(question, [], api_name="/ask")["abstained"]
            (corpus / "quantum.md").write_text(NEW_PAGE, encoding="utf-8")
            deadline, data = time.time() + 120, {}
            while time.time() < deadline:
                data = client.predict(question, [], api_name="/ask")
                if not data["abstained"]:
                    break
                time.sleep(1)
        finally:
            stop.set()
            for t in sessions:
                t.join()
        assert not data["abstained"] and data["citations"][0]["source"] == "quantum.md", data
        assert not errors, errors[:3]
    assert "now answering from 4 documents" in (tmp_path / "server.log").read_text()
