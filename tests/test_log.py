"""bot.log: one JSON line per question on stderr; the question's text only with --verbose."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys

import pytest

from bot import log
from bot.answer.chatbot import Chatbot
from bot.errors import QuestionError

from .conftest import ROOT

FIELDS = {"time", "event", "outcome", "latency_ms", "question_chars", "turn"}


@pytest.fixture
def stream():
    """Question lines into a buffer; the logging set-up of the test session restored afterwards."""
    root, questions = logging.getLogger(), log.QUESTIONS
    saved = (root.handlers[:], root.level, questions.handlers[:], questions.level, questions.propagate)
    buffer = io.StringIO()
    yield buffer
    log.setup(verbose=False, stream=buffer)  # back to quiet, then the handlers as they were
    root.handlers[:], questions.handlers[:] = saved[0], saved[2]
    root.setLevel(saved[1])
    questions.setLevel(saved[3])
    questions.propagate = saved[4]


@pytest.fixture
def bot(fake_bot):
    return fake_bot


def lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_one_line_per_question_with_what_was_cited(bot, stream):
    log.setup(stream=stream)
    turn = bot.respond("What skills do machine learning engineers need?")
    bot.respond("And why?", [turn])
    first, second = lines(stream)
    assert FIELDS <= set(first) and first["event"] == "question"
    assert first["outcome"] == ("abstained" if turn.answer.abstained else "answered")
    assert first["abstained"] is turn.answer.abstained
    assert first["cited"] == [c.pid for c in turn.answer.citations]
    assert first["sources"] == [c.doc_id for c in turn.answer.citations]
    assert first["question_chars"] == len("What skills do machine learning engineers need?")
    assert first["turn"] == 1 and second["turn"] == 2
    assert 0 <= first["latency_ms"] < 10_000
    assert first["time"].endswith("Z") and "T" in first["time"]
    assert "question" not in first and "machine learning" not in stream.getvalue()  # not the question's text


def test_verbose_adds_the_question(bot, stream):
    log.setup(verbose=True, stream=stream)
    bot.respond("What skills do I need?")
    (line,) = lines(stream)
    assert line["question"] == "What skills do I need?"


@pytest.mark.parametrize("question", ["", "x" * 3000, None])
def test_refused_questions_are_logged_as_refused(bot, stream, question):
    log.setup(stream=stream)
    with pytest.raises(QuestionError):
        bot.respond(question)
    (line,) = lines(stream)
    assert line["outcome"] == "refused" and line["reason"]
    assert line["question_chars"] == (len(question) if isinstance(question, str) else 0)


def test_a_bug_is_logged_as_an_error_and_still_raised(bot, stream, monkeypatch):
    log.setup(stream=stream)
    monkeypatch.setattr(Chatbot, "_route", lambda self, text, resolved: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        bot.respond("What skills do I need?")
    (line,) = lines(stream)
    assert line["outcome"] == "error" and line["error"] == "ZeroDivisionError"


def test_a_replayed_chat_logs_only_the_question_asked(bot, stream):
    log.setup(stream=stream)
    turns = bot.replay(["What skills do I need?", "And the salary?", "Is it stressful?"])
    bot.respond("Do I need a degree?", turns)
    (line,) = lines(stream)  # the three earlier questions were logged when they were asked
    assert line["turn"] == 4


def test_lines_are_ascii_even_for_lone_surrogates(bot, stream):
    log.setup(verbose=True, stream=stream)
    bot.respond("Skills \ud800 and \x00 more?")
    raw = stream.getvalue()
    raw.encode("ascii")
    assert len(lines(stream)) == 1


def test_no_lines_unless_set_up(bot, stream):
    log.setup(questions=False, stream=stream)
    bot.respond("What skills do I need?")
    assert stream.getvalue() == ""


@pytest.mark.model
def test_cli_ask_writes_one_line_to_stderr_and_the_answer_to_stdout(real_settings, real_bot):
    env = {**os.environ, "BOT_INDEX_DIR": str(real_settings.index_dir), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "Do I need a master's degree?", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    json_lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    (line,) = json_lines
    assert line["outcome"] == "answered" and line["cited"] and "question" not in line
    assert json.loads(done.stdout)["abstained"] is False
