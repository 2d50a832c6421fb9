"""The command line through real subprocesses: clear errors, JSON shapes, the eval contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.model


def run(args, index_dir, timeout=300):
    env = {**os.environ, "BOT_INDEX_DIR": str(index_dir), "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def index_dir(real_settings, real_bot):
    return real_settings.index_dir  # built by the real_bot fixture


def test_empty_question_exits_non_zero_with_a_message(index_dir):
    done = run(["ask", ""], index_dir)
    assert done.returncode == 2
    assert "Please type a question" in done.stderr and "Traceback" not in done.stderr


def test_huge_question_exits_non_zero_with_a_message(index_dir):
    done = run(["ask", "x" * 100_000], index_dir)
    assert done.returncode == 2
    assert "limit" in done.stderr and "Traceback" not in done.stderr


def test_ask_json_has_the_documented_shape(index_dir):
    done = run(["ask", "Do I need a master's degree?", "--json"], index_dir)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {"answer", "abstained", "citations"} <= set(data)
    assert data["abstained"] is False and "not always mandatory" in data["answer"]
    first = data["citations"][0]
    assert {"n", "title", "heading", "source", "start", "end", "text", "score"} <= set(first)
    source = (ROOT / "corpus" / first["source"]).read_text(encoding="utf-8")
    assert first["text"] in source


def test_ask_with_history_reads_a_followup(index_dir):
    done = run(["ask", "In which fields?", "--history", "Do I need a master's degree?", "--json"], index_dir)
    assert done.returncode == 0, done.stderr
    assert "Computer Science" in json.loads(done.stdout)["answer"]


def test_eval_json_prints_the_metrics_last(index_dir):
    done = run(["eval", str(ROOT / "eval" / "dev.jsonl"), "--json"], index_dir)
    assert done.returncode == 0, done.stderr
    metrics = json.loads(done.stdout.strip().splitlines()[-1])
    for key in (
        "answer_hit",
        "cite_hit@1",
        "cite_hit@3",
        "mrr",
        "followup_answer_hit",
        "oos_abstain",
        "false_abstain",
        "mean_answer_words",
        "max_answer_words",
        "mean_passage_words",
        "p50_ms",
        "p95_ms",
        "n",
        "n_oos",
    ):
        assert key in metrics


def test_index_is_not_rebuilt_when_nothing_changed(index_dir):
    done = run(["index"], index_dir)
    assert done.returncode == 0 and "up to date" in done.stdout


def test_missing_corpus_is_a_clear_error(tmp_path):
    env_dir = tmp_path / "index"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--corpus", str(tmp_path / "nope"), "ask", "hello?"],
        cwd=ROOT,
        env={**os.environ, "BOT_INDEX_DIR": str(env_dir)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2 and "does not exist" in done.stderr and "Traceback" not in done.stderr


def test_eval_lists_each_miss_with_what_was_answered(index_dir, tmp_path):
    cases = tmp_path / "cases.jsonl"
    rows = [
        {
            "id": "x1",
            "kind": "fact",
            "question": "What salary can a machine learning engineer expect?",
            "expect": ["a phrase no article holds"],
        },
        {"id": "x2", "kind": "oos", "question": "What's the weather like in London today?", "expect": []},
    ]
    cases.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    done = run(["eval", str(cases)], index_dir)
    assert done.returncode == 0, done.stderr
    assert "right by kind: fact 0/1, oos 1/1" in done.stdout
    assert "1 wrong:" in done.stdout and "x1 (fact)" in done.stdout and "answered: " in done.stdout and "85,000" in done.stdout


def test_an_error_while_the_model_loads_in_the_background_still_exits_cleanly(tmp_path):
    # ask loads the model in a thread while it reads the corpus; failing first must not abort the process
    for _ in range(5):
        done = subprocess.run(
            [sys.executable, "-m", "bot", "--corpus", str(tmp_path / "nope"), "ask", "hello?"],
            cwd=ROOT,
            env={**os.environ, "BOT_INDEX_DIR": str(tmp_path / "index")},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 2 and "does not exist" in done.stderr and "terminate" not in done.stderr


def test_ask_starts_loading_the_model_before_importing_anything_heavy():
    # A cold start is the model's load plus what does not overlap it: ask starts the load right after parsing,
    # so what it needs until then must not import numpy (the load imports it, in its own thread).
    script = "import sys, bot.cli, bot.config, bot.search.embedding, bot.text; print(sorted(m for m in ('numpy', 'faiss', 'onnxruntime') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_only_ask_is_a_one_shot_command():
    from bot.cli import one_shot

    assert one_shot(["ask", "why?"]) and one_shot(["--verbose", "ask", "why?", "--json"])
    assert not one_shot(["eval", "ask"]) and not one_shot(["serve"]) and not one_shot(["index"]) and not one_shot(["nonsense"])
