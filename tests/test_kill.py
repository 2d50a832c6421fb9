"""Index integrity under SIGKILL: rebuilds killed at random moments never leave a bad index.

Two kinds of kill, both against a temporary copy of the corpus and a temporary index:

* ``python -m bot index --rebuild`` itself (the real model), killed at a random moment of
  the whole build, or at a random moment after its new version folder appears (the write
  and switch phase, which lasts milliseconds and would rarely be hit by chance).
* ``build_index`` with the fake embedder in a child process whose write and switch steps
  are slowed down, so that many kills land inside them.

After every kill the index must load (every checksum verified), hold as many passages as
its manifest says, answer a question, and be either the version before the kill or the new
one; it may say "fresh" only if it was built from the corpus as it now is. The next build
must remove whatever the killed one left behind.

``BOT_KILLS`` (default 2) and ``BOT_FAST_KILLS`` (default 20) set how many kills of each kind;
`make stress` runs 50 and 200. The tally is printed at the end of each test.
"""

from __future__ import annotations

import collections
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.answer.chatbot import Chatbot
from bot.config import DEFAULT_MODEL, Settings
from bot.ingest.corpus import load_corpus
from bot.search.embedding import HashEmbedder
from bot.search.index import index_status, load_index
from bot.search.store import CURRENT, live_name

from .conftest import ROOT

KILLS = int(os.environ.get("BOT_KILLS", "2"))
FAST_KILLS = int(os.environ.get("BOT_FAST_KILLS", "20"))
QUESTION = "Do I need a master's degree?"

# The child for fast kills: the real build_index with the fake embedder, each write and switch step
# slowed by DELAY seconds so that a random kill lands inside that phase about half the time.
FAST_CHILD = """
import sys, time
from pathlib import Path
import faiss
from bot.search import build, store
from bot.search.embedding import HashEmbedder

DELAY = float(sys.argv[3])

def slow(fn):
    def wrapper(*args, **kwargs):
        time.sleep(DELAY)
        return fn(*args, **kwargs)
    return wrapper

for owner, name in ((build, "_write_jsonl"), (faiss, "write_index"), (build, "hash_files"), (store, "_fsync_file"),
                    (store.os, "rename"), (store.os, "replace"), (store, "_discard")):
    setattr(owner, name, slow(getattr(owner, name)))
build.build_index(Path(sys.argv[1]), Path(sys.argv[2]), HashEmbedder())
"""


def real_build(corpus: Path, index_dir: Path) -> list[str]:
    return [sys.executable, "-m", "bot", "--corpus", str(corpus), "--index", str(index_dir), "index", "--rebuild"]


def fast_build(corpus: Path, index_dir: Path, delay: float = 0.02) -> list[str]:
    return [sys.executable, "-c", FAST_CHILD, str(corpus), str(index_dir), str(delay)]


def spawn(command: list[str]) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def timed_build(command: list[str], index_dir: Path) -> tuple[float, float]:
    """Run one build to the end: (seconds until its .tmp folder appeared, seconds until it exited)."""
    started = time.monotonic()
    proc = spawn(command)
    tmp_at = None
    while proc.poll() is None:
        if tmp_at is None and any(index_dir.glob(".tmp-*")):
            tmp_at = time.monotonic() - started
        time.sleep(0.001)
    assert proc.returncode == 0, f"the unkilled build failed: {command}"
    end = time.monotonic() - started
    return tmp_at or end, end


def change_corpus(corpus: Path, step: int) -> None:
    """Each rebuild has something new to index, so a stale index cannot pass for a fresh one."""
    for old in corpus.glob("extra-*.txt"):
        old.unlink()
    if step % 3 != 2:
        (corpus / f"extra-{step}.txt").write_text(
            f"Extra Article {step}\nA mentor number {step} says that machine learning engineers should practise SQL every week.\n",
            encoding="utf-8",
        )


def kill_at(command: list[str], index_dir: Path, rng: random.Random, timing: tuple[float, float], write_phase: bool) -> bool:
    """Start a build and SIGKILL it; False if it finished first."""
    tmp_at, end = timing
    started = time.monotonic()
    proc = spawn(command)
    if write_phase:
        # From the moment the new version folder appears to the end: writing, switching, pruning.
        window = max(0.005, end - tmp_at)
        while proc.poll() is None and not any(index_dir.glob(".tmp-*")) and time.monotonic() - started < end * 3:
            time.sleep(0.0005)
        deadline = time.monotonic() + rng.uniform(0, window)
    else:
        deadline = started + rng.uniform(0.05, end)
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.0005)
    if proc.poll() is not None:
        return False
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    return True


def where_it_died(index_dir: Path, live_before: str, versions_before: set[str]) -> str:
    """What the disk says about the moment of the kill."""
    versions = {p.name for p in index_dir.glob("v-*")}
    if any(index_dir.glob(".tmp-*")):
        return "writing the new version"
    if live_name(index_dir) == live_before:
        if any(index_dir.glob(f".{CURRENT}.*")):
            return "pointer written, not yet switched"
        if versions - versions_before:
            return "version renamed into place, not yet switched"
        return "reading, chunking or embedding"
    if any(index_dir.glob(".old-*")) or len(versions) > 2:
        return "switched, old versions not yet removed"
    return "switched, before exit"


def check(corpus: Path, index_dir: Path, embedder, model: str, states: dict[frozenset, str]) -> None:
    """The index after a kill: loads, verifies, counts agree, answers, and is honest about freshness."""
    index = load_index(index_dir, model=model, dim=embedder.dim)  # every file checked against its sha256
    assert len(index.passages) == index.manifest.passages == index.search.passage_vectors.ntotal
    assert index.search.sentence_vectors.ntotal == index.manifest.sentences
    docs = frozenset(index.documents)
    assert docs in states, f"the live index holds a corpus that never was: {sorted(docs)}"
    now = frozenset(d.doc_id for d in load_corpus(corpus).documents)
    fresh = index_status(corpus, index_dir, model).state == "fresh"
    assert fresh == (docs == now), f"status {'fresh' if fresh else 'stale'} but the index holds {sorted(docs)} and the corpus {sorted(now)}"
    bot = Chatbot(index, embedder, Settings(corpus_dir=corpus, index_dir=index_dir))
    answer = bot.ask(QUESTION)
    for c in answer.citations:
        assert index.documents[c.doc_id].text[c.start : c.end] == c.text
    if model == DEFAULT_MODEL:
        assert not answer.abstained and "not always mandatory" in answer.text


def run_kills(corpus: Path, index_dir: Path, command, embedder, model: str, count: int, seed: int) -> collections.Counter:
    rng = random.Random(seed)
    timing = timed_build(command(corpus, index_dir), index_dir)  # the first build, timed
    states = {frozenset(load_index(index_dir).documents): "initial"}
    tally: collections.Counter = collections.Counter()
    step = 0
    while tally["kills"] < count:
        assert step < count * 4, f"only {tally['kills']} of {step} builds could be killed before they finished"
        change_corpus(corpus, step)
        states.setdefault(frozenset(d.doc_id for d in load_corpus(corpus).documents), f"step {step}")
        before, versions_before = live_name(index_dir), {p.name for p in index_dir.glob("v-*")}
        write_phase = step % 2 == 1
        if kill_at(command(corpus, index_dir), index_dir, rng, timing, write_phase):
            tally["kills"] += 1
            tally["aimed at the write phase" if write_phase else "at a random moment"] += 1
            tally[f"died while {where_it_died(index_dir, before, versions_before)}"] += 1
            check(corpus, index_dir, embedder, model, states)
            tally["the new version is live" if live_name(index_dir) != before else "the previous version is live"] += 1
        else:
            tally["finished before the kill"] += 1
        step += 1
    # The next complete build removes what the killed ones left, keeping the live version and the one before.
    change_corpus(corpus, step)
    previous = live_name(index_dir)
    timed_build(command(corpus, index_dir), index_dir)
    leftovers = [p.name for p in index_dir.iterdir() if p.name.startswith((".tmp-", ".old-", f".{CURRENT}."))]
    assert not leftovers
    assert sorted(p.name for p in index_dir.glob("v-*")) == sorted({previous, live_name(index_dir)})
    assert index_status(corpus, index_dir, model).state == "fresh"
    return tally


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in (ROOT / "corpus").glob("*.txt"):
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


def report(title: str, tally: collections.Counter, seconds: float, capsys) -> None:
    with capsys.disabled():
        print(
            f"\n{title}: {tally['kills']} kills in {seconds:.0f} s; "
            + "; ".join(f"{k}: {v}" for k, v in sorted(tally.items()) if k != "kills")
        )


@pytest.mark.model
@pytest.mark.timeout(120 + 30 * KILLS)
def test_killing_the_real_index_command_never_breaks_the_index(corpus_copy, tmp_path, real_bot, capsys):
    index_dir = tmp_path / "index"
    started = time.monotonic()
    tally = run_kills(corpus_copy, index_dir, real_build, real_bot.embedder, DEFAULT_MODEL, KILLS, seed=20240601)
    report("python -m bot index --rebuild", tally, time.monotonic() - started, capsys)
    assert tally["kills"] == KILLS


@pytest.mark.timeout(60 + 5 * FAST_KILLS)
def test_killing_builds_in_their_write_and_switch_phase_never_breaks_the_index(corpus_copy, tmp_path, capsys):
    index_dir = tmp_path / "index"
    started = time.monotonic()
    tally = run_kills(corpus_copy, index_dir, fast_build, HashEmbedder(), "hash-test", FAST_KILLS, seed=7)
    report("build_index, write phase slowed", tally, time.monotonic() - started, capsys)
    assert tally["kills"] == FAST_KILLS
    assert tally["died while writing the new version"] > 0
