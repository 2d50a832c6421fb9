"""Build progress (bot.progress): JSON lines for programs, a bar only on a terminal, and the same index either way."""

from __future__ import annotations

import io
import json
import subprocess
import sys

from bot.progress import reporter
from bot.search import build
from bot.search.build import build_index
from bot.search.embedding import HashEmbedder
from bot.search.index import live_version

from .conftest import ROOT, write_articles


def test_json_lines_and_silence_off_a_terminal(capsys):
    with reporter(json_lines=True) as progress:
        progress(3, 10)
    assert json.loads(capsys.readouterr().out) == {"event": "progress", "stage": "embedding", "done": 3, "total": 10}
    with reporter(stream=io.StringIO()) as progress:  # not a terminal: no bar, no callback
        assert progress is None


def test_progress_counts_every_text_and_changes_no_vector(tmp_path, monkeypatch):
    corpus = write_articles(tmp_path / "corpus")
    build_index(corpus, tmp_path / "plain", HashEmbedder())
    monkeypatch.setattr(build, "STEP", 3)  # several steps even on the tiny corpus
    seen = []
    manifest = build_index(corpus, tmp_path / "stepped", HashEmbedder(), progress=lambda done, total: seen.append((done, total)))
    total = manifest.passages + manifest.sentences
    assert seen[0] == (0, total) and seen[-1] == (total, total) and len(seen) > 3
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    for name in ("passages.faiss", "sentences.faiss"):
        assert (live_version(tmp_path / "plain") / name).read_bytes() == (live_version(tmp_path / "stepped") / name).read_bytes()


def test_index_json_prints_progress_then_the_result(tmp_path):
    corpus = write_articles(tmp_path / "corpus")
    env = {"BOT_CORPUS_DIR": str(corpus), "BOT_INDEX_DIR": str(tmp_path / "index"), "BOT_EMBED_MODEL": "hash-test"}
    code = (
        "import sys; from bot.search import embedding; from bot.search.embedding import HashEmbedder;"
        "embedding.embedder_for = lambda settings: HashEmbedder(); from bot.cli import main; sys.exit(main(['index', '--json']))"
    )
    import os

    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert lines[0]["event"] == "progress" and lines[-1]["event"] == "done"
    assert lines[-2]["done"] == lines[-2]["total"] > 0 and "built" in lines[-1]["index"] and len(lines[-1]["files"]) == 2


def test_on_a_terminal_a_bar_with_count_and_rate_appears_once_the_build_runs_long(monkeypatch):
    import time

    from bot import progress as module

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    quick, slow = Terminal(), Terminal()
    with reporter(stream=quick) as progress:
        progress(0, 10), progress(10, 10)  # done before the delay: nothing shown
    assert "embedding" not in quick.getvalue()
    monkeypatch.setattr(module, "DELAY", 0.1)
    with reporter(stream=slow) as progress:
        progress(0, 10)
        time.sleep(0.3)
        progress(5, 10)
    assert "embedding:  50%" in slow.getvalue() and "5/10" in slow.getvalue() and "text/s" in slow.getvalue()
