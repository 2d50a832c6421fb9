"""Shared fixtures: a tiny corpus, the fake embedder and a bot over them (instant), and the real model
over the project's corpus, indexed into a temporary folder (seconds)."""

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


ARTICLES = {
    "careers.txt": (
        "---\ntitle: Machine Learning Careers\nauthor: Jane Doe\n---\n"
        "Machine learning (ML) is a growing field. ML engineers build and deploy models that learn from data.\n\n"
        "Why Choose ML\n"
        "Machine learning jobs pay well. Demand for machine learning engineers keeps rising every year, "
        "and the work is varied and interesting.\n\n"
        "Skills You Need\n"
        "You need Python, statistics and linear algebra. Communication matters too, because models serve people.\n"
    ),
    "guide.md": (
        "# Getting Started\n\n"
        "Start with a statistics course. Then learn Python and build small projects.\n\n"
        "Here are the first steps:\n- Learn Python\n- Learn statistics\n- Build a portfolio\n"
    ),
}


def write_articles(folder: Path) -> Path:
    """The small test articles as a corpus folder (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def fake_bot_over(corpus: Path, index_dir: Path, **settings):
    """A Chatbot over a corpus, indexed with the deterministic fake embedder (HashEmbedder)."""
    from bot.answer.chatbot import Chatbot
    from bot.config import Settings
    from bot.search.build import build_index
    from bot.search.embedding import HashEmbedder
    from bot.search.index import load_index

    build_index(corpus, index_dir, HashEmbedder())
    return Chatbot(load_index(index_dir), HashEmbedder(), Settings(corpus_dir=corpus, index_dir=index_dir, **settings))


def fake_bot_of(tmp_path: Path, files: dict[str, str]):
    """A fake-embedder Chatbot over a corpus of just these files (name: text), in tmp_path/corpus."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return fake_bot_over(corpus, tmp_path / "index")


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    """The small test articles in tmp_path/corpus."""
    return write_articles(tmp_path / "corpus")


@pytest.fixture
def fake_embedder():
    from bot.search.embedding import HashEmbedder

    return HashEmbedder()


@pytest.fixture
def fake_bot(tiny_corpus: Path, tmp_path: Path):
    """A Chatbot over the tiny corpus with the fake embedder: instant, for tests of the answer path's plumbing."""
    return fake_bot_over(tiny_corpus, tmp_path / "index")


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory, cache_dir):
    from bot.config import Settings

    tmp = tmp_path_factory.mktemp("real")
    return Settings(corpus_dir=ROOT / "corpus", index_dir=tmp / "index", feedback_path=tmp / "feedback.jsonl", cache_dir=cache_dir)


@pytest.fixture(scope="session")
def real_bot(real_settings):
    """The real embedding model and a real FAISS index on disk (built once per test session)."""
    from bot.answer.chatbot import Chatbot

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


def start_in_process(app, host: str = "127.0.0.1"):
    """Serve an ASGI app with uvicorn in a thread; returns (url, stop)."""
    import threading
    import time

    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise AssertionError("in-process server did not start")
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=15)

    return f"http://{host}:{port}/", stop


def run_event(url: str, api_name: str, data: list, session_hash: str, timeout: float = 60, headers: dict | None = None) -> dict:
    """Call a Gradio event by its api_name through the queue, as the browser does (private ones too).

    Returns the final message: {"msg": "process_completed", "success": ..., "output": {...}}.
    """
    import json
    import urllib.request

    config = json.load(urllib.request.urlopen(url + "config", timeout=timeout))
    fn = next(d.get("id", i) for i, d in enumerate(config["dependencies"]) if d.get("api_name") == api_name)
    body = json.dumps({"data": data, "fn_index": fn, "session_hash": session_hash, "event_data": None, "trigger_id": None}).encode()
    request = urllib.request.Request(url + "gradio_api/queue/join", body, {"Content-Type": "application/json", **(headers or {})})
    event_id = json.load(urllib.request.urlopen(request, timeout=timeout))["event_id"]
    stream = urllib.request.Request(url + f"gradio_api/queue/data?session_hash={session_hash}", headers=headers or {})
    with urllib.request.urlopen(stream, timeout=timeout) as sse:
        for raw in sse:
            line = raw.decode("utf-8").strip()
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            if message.get("msg") == "unexpected_error":
                return message
            if message.get("msg") == "process_completed" and message.get("event_id") == event_id:
                return message
    raise AssertionError("the event stream ended without a result")


class LiveServer:
    """`python -m bot serve` in a subprocess on a free loopback port; its stderr goes to a file."""

    def __init__(self, index_dir: Path, log_path: Path, env: dict[str, str] | None = None) -> None:
        import subprocess
        import sys

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = log_path
        full = {**os.environ, "BOT_INDEX_DIR": str(index_dir), "GRADIO_SERVER_PORT": str(self.port), "HF_HUB_OFFLINE": "1", **(env or {})}
        full.pop("BOT_AUTH", None)
        self._log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=full, stdout=self._log, stderr=subprocess.STDOUT)

    def wait(self, seconds: float = 180) -> LiveServer:
        import time
        import urllib.request

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited: {self.log()}")
            try:
                urllib.request.urlopen(self.url, timeout=2)
                return self
            except OSError:
                time.sleep(0.5)
        raise AssertionError(f"server did not start in {seconds:.0f} s: {self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except Exception:  # noqa: BLE001 - a server that will not stop is killed
            self.proc.kill()
            self.proc.wait(timeout=30)
        self._log.close()


@pytest.fixture(scope="session")
def live_server(real_settings, real_bot, tmp_path_factory):
    """The real server over the real index, shared by the server and load tests."""
    server = LiveServer(real_settings.index_dir, tmp_path_factory.mktemp("server") / "server.log").wait()
    yield server
    server.stop()


#: Fixtures that load the real embedding model: a test that uses one is marked `model` (make test-fast leaves it out).
_MODEL_FIXTURES = {"real_settings", "real_bot", "live_server"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)
