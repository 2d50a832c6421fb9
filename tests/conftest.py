"""Shared fixtures: the real model over the project's corpus, indexed into a temporary folder."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory):
    from bot.config import Settings

    tmp = tmp_path_factory.mktemp("real")
    return Settings(corpus_dir=ROOT / "corpus", index_dir=tmp / "index", feedback_path=tmp / "feedback.jsonl")


@pytest.fixture(scope="session")
def real_bot(real_settings):
    """The real embedding model and a real FAISS index on disk (built once per test session)."""
    from bot.chatbot import Chatbot

    return Chatbot.from_settings(real_settings)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
