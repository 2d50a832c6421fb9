"""Logs on stderr: one JSON line per question, and the usual lines of the libraries (more with --verbose).

A question's line says when it was asked, how long the answer took, whether the
bot abstained and which passages it cited; the question itself is left out
unless --verbose is given::

    {"time": "2026-01-02T03:04:05.678Z", "event": "question", "outcome": "answered", "latency_ms": 41.2,
     "abstained": false, "cited": [12, 3], "sources": ["a.txt", "b.txt"], "confidence": 0.93,
     "question_chars": 27, "turn": 1}

``outcome`` is ``answered``, ``abstained``, ``refused`` (empty or too long: the
person was told why) or ``error`` (a bug; its traceback is logged by the caller).
"""

from __future__ import annotations

import functools
import json
import logging
import sys
import time
from collections.abc import Callable
from typing import TextIO

from bot.errors import QuestionError

QUESTIONS = logging.getLogger("bot.questions")
_HANDLER_MARK = "_bot_handler"
_verbose = False


def setup(verbose: bool = False, questions: bool = True, stream: TextIO | None = None) -> None:
    """Log to stderr: warnings (everything with verbose), and question lines when asked for.

    Calling it again replaces what the earlier call set up.
    """
    global _verbose
    _verbose = verbose
    stream = stream or sys.stderr
    for logger, fmt in ((logging.getLogger(), "%(asctime)s %(levelname)s %(name)s: %(message)s"), (QUESTIONS, "%(message)s")):
        for old in [h for h in logger.handlers if getattr(h, _HANDLER_MARK, False)]:
            logger.removeHandler(old)
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter(fmt))
        setattr(handler, _HANDLER_MARK, True)
        logger.addHandler(handler)
    logging.getLogger().setLevel(logging.INFO if verbose else logging.WARNING)
    QUESTIONS.propagate = False
    QUESTIONS.setLevel(logging.INFO if questions else logging.WARNING)


def logged(respond: Callable) -> Callable:
    """Wrap ``Chatbot.respond``: one question line per call, whatever the outcome."""

    @functools.wraps(respond)
    def wrapper(bot, question, history=()):
        if not QUESTIONS.isEnabledFor(logging.INFO):
            return respond(bot, question, history)
        started = time.perf_counter()
        base = {"question_chars": len(question) if isinstance(question, str) else 0, "turn": len(history) + 1}
        try:
            turn = respond(bot, question, history)
        except QuestionError as exc:
            _emit(started, "refused", {**base, "reason": str(exc)}, question)
            raise
        except Exception as exc:
            _emit(started, "error", {**base, "error": exc.__class__.__name__}, question)
            raise
        answer = turn.answer
        _emit(
            started,
            "abstained" if answer.abstained else "answered",
            {
                "abstained": answer.abstained,
                "cited": [c.pid for c in answer.citations],
                "sources": [c.doc_id for c in answer.citations],
                "confidence": round(float(answer.confidence), 3),
                **base,
            },
            turn.question,
        )
        return turn

    return wrapper


def _emit(started: float, outcome: str, fields: dict, question: object) -> None:
    now = time.time()
    line = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z",
        "event": "question",
        "outcome": outcome,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
        **fields,
    }
    if _verbose:
        line["question"] = (question if isinstance(question, str) else repr(question))[:500]
    QUESTIONS.info(json.dumps(line))  # ASCII: lone surrogates and control characters arrive escaped
