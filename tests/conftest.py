"""Shared fixtures: the real model over the project's corpus, indexed into a temporary folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def cache_dir(tmp_path_factory):
    """The ONNX export of the model, made once per session in a temporary folder; subprocesses inherit it."""
    path = tmp_path_factory.mktemp("cache")
    os.environ["BOT_CACHE_DIR"] = str(path)
    return path


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory, cache_dir):
    from bot.config import Settings

    tmp = tmp_path_factory.mktemp("real")
    return Settings(corpus_dir=ROOT / "corpus", index_dir=tmp / "index", feedback_path=tmp / "feedback.jsonl", cache_dir=cache_dir)


@pytest.fixture(scope="session")
def real_bot(real_settings):
    """The real embedding model and a real FAISS index on disk (built once per test session)."""
    from bot.chatbot import Chatbot

    return Chatbot.from_settings(real_settings)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(log_path: Path, timeout: float = 180, **env: str):
    """`python -m bot serve` on a free loopback port, with the given environment; yields its URL."""
    port = free_port()
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "HF_HUB_OFFLINE": "1", **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + timeout
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"server exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if time.time() > deadline:
                    raise AssertionError(f"server did not start in {timeout:.0f} s:\n{log_path.read_text()[-3000:]}") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
