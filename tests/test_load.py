"""Load on the real server: many chat sessions at once each get their own answers; a full queue says "busy" fast.

Sessions are gradio_client clients in threads, each with its own tags: every question carries
a unique tag, which must come back in that question's reply and in no other session's.
``BOT_LOAD_SESSIONS`` (default 25) and ``BOT_LOAD_QUESTIONS`` (questions per session, default 3)
set the size; the figures are printed.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import LiveServer

pytestmark = [pytest.mark.model, pytest.mark.server]

SESSIONS = int(os.environ.get("BOT_LOAD_SESSIONS", "25"))
QUESTIONS = int(os.environ.get("BOT_LOAD_QUESTIONS", "3"))
ASKED = [
    "What about the salary? {tag}",
    "Do I need a master's degree? {tag}",
    "In which fields? {tag}",
    "What skills does a machine learning engineer need? {tag}",
    "Why become a machine learning engineer? {tag}",
]
TAG = re.compile(r"tag-[0-9a-f]{12}-\d+")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def question_lines(server: LiveServer) -> int:
    return sum(1 for line in server.log().splitlines() if line.startswith('{"time"'))


def server_errors(server: LiveServer) -> list[str]:
    return [line for line in server.log().splitlines() if "Traceback" in line or " ERROR " in line or line.startswith("ERROR")]


@pytest.mark.timeout(600)
def test_concurrent_sessions_each_get_their_own_answers(live_server, capsys):
    from gradio_client import Client

    lines_before = question_lines(live_server)
    clients = [None] * SESSIONS
    with ThreadPoolExecutor(max_workers=8) as pool:  # clients first, so the questions start together
        for i, client in enumerate(pool.map(lambda _: Client(live_server.url, verbose=False), range(SESSIONS))):
            clients[i] = client
    start = threading.Barrier(SESSIONS)
    latencies: list[float] = []
    errors: list[str] = []
    crossed: list[str] = []
    calls = [0]
    lock = threading.Lock()

    def session(i: int) -> None:
        base = f"tag-{uuid.uuid4().hex[:12]}"
        asked: list[str] = []
        start.wait(timeout=120)
        for j in range(QUESTIONS):
            tag = f"{base}-{j}"
            question = ASKED[(i + j) % len(ASKED)].format(tag=tag)
            began = time.monotonic()
            try:
                reply = clients[i].submit(question, asked, api_name="/ask").result(timeout=240)
            except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
                with lock:
                    errors.append(f"session {i} question {j}: {exc.__class__.__name__}: {exc}")
                continue
            took = time.monotonic() - began
            seen = set(TAG.findall(json.dumps(reply)))
            with lock:
                latencies.append(took)
                calls[0] += 1 + len(asked)  # the server answers each earlier question again
                if tag not in reply["question"] or any(not t.startswith(base) for t in seen):
                    crossed.append(f"session {i} asked {tag}, got {sorted(seen)}")
            asked.append(question)

    began = time.monotonic()
    threads = [threading.Thread(target=session, args=(i,)) for i in range(SESSIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=540)
    wall = time.monotonic() - began
    with capsys.disabled():
        n = len(latencies)
        print(
            f"\nload: {SESSIONS} sessions x {QUESTIONS} questions = {n} answers in {wall:.1f} s ({n / wall:.1f}/s); "
            f"latency p50 {percentile(latencies, 0.5):.2f} s, p95 {percentile(latencies, 0.95):.2f} s, max {max(latencies):.2f} s; "
            f"errors {len(errors)}, crossed {len(crossed)}"
        )
    assert not errors, errors[:5]
    assert not crossed, crossed[:5]
    assert len(latencies) == SESSIONS * QUESTIONS
    assert question_lines(live_server) - lines_before == calls[0]  # one log line per question answered
    assert not server_errors(live_server)


@pytest.fixture(scope="module")
def busy_server(real_settings, real_bot, tmp_path_factory):
    """The real server with room for one question being answered and two waiting."""
    server = LiveServer(real_settings.index_dir, tmp_path_factory.mktemp("busy") / "server.log", {"BOT_QUEUE_SIZE": "2", "BOT_CONCURRENCY": "1"})
    yield server.wait()
    server.stop()


def raw_join(url: str) -> tuple[int, str]:
    """Join the queue for /ask as a browser would; (HTTP status, detail)."""
    config = json.load(urllib.request.urlopen(url + "config", timeout=30))
    fn = next(d.get("id", i) for i, d in enumerate(config["dependencies"]) if d.get("api_name") == "ask")
    history = [f"What skills do I need? {k}" for k in range(8)]
    body = json.dumps({"data": ["Why become an engineer?", history], "fn_index": fn, "session_hash": uuid.uuid4().hex}).encode()
    request = urllib.request.Request(url + "gradio_api/queue/join", body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


@pytest.mark.timeout(300)
def test_past_the_queue_limit_people_are_told_to_try_again_at_once(busy_server, capsys):
    from gradio_client import Client
    from gradio_client.utils import QueueError

    flood = 30
    with ThreadPoolExecutor(max_workers=8) as pool:
        clients = list(pool.map(lambda _: Client(busy_server.url, verbose=False), range(flood)))
    start = threading.Barrier(flood + 4)
    outcomes: list[tuple[str, float, str]] = []
    lock = threading.Lock()
    # Each question replays eight earlier ones: slow enough that one worker and two places fill up.
    history = [f"What skills do I need? {k}" for k in range(8)]

    def ask(i: int) -> None:
        tag = f"tag-{uuid.uuid4().hex[:12]}-0"
        start.wait(timeout=120)
        began = time.monotonic()
        try:
            reply = clients[i].submit(f"Why become a machine learning engineer? {tag}", history, api_name="/ask").result(timeout=240)
            outcome = "answered" if tag in reply["question"] else "crossed"
            detail = ""
        except QueueError as exc:
            outcome, detail = "busy", str(exc)
        except Exception as exc:  # noqa: BLE001 - anything else is a failure to report
            outcome, detail = "error", f"{exc.__class__.__name__}: {exc}"
        with lock:
            outcomes.append((outcome, time.monotonic() - began, detail))

    def join(_: int) -> None:
        start.wait(timeout=120)
        time.sleep(0.2)  # while the flood holds the queue
        began = time.monotonic()
        status, detail = raw_join(busy_server.url)
        with lock:
            outcomes.append((f"http {status}", time.monotonic() - began, detail))

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(flood)] + [threading.Thread(target=join, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=280)
    busy = [took for outcome, took, _ in outcomes if outcome == "busy"]
    answered = [took for outcome, took, _ in outcomes if outcome == "answered"]
    refused_http = [(took, detail) for outcome, took, detail in outcomes if outcome == "http 503"]
    with capsys.disabled():
        print(
            f"\nqueue full (size 2, 1 at a time): {len(answered)} answered (max {max(answered, default=0):.2f} s), "
            f"{len(busy)} told busy in at most {max(busy, default=0):.2f} s (p95 {percentile(busy, 0.95) if busy else 0:.2f} s), "
            f"{len(refused_http)} raw joins refused with HTTP 503 in at most {max((t for t, _ in refused_http), default=0):.2f} s; busy times {sorted(round(b, 2) for b in busy)}; "
            f"other: {[o for o in outcomes if o[0] not in ('busy', 'answered', 'http 503', 'http 200')]}"
        )
    assert [o for o in outcomes if o[0] in ("error", "crossed")] == []
    assert len(busy) >= flood // 2 and answered
    assert all("try again" in detail for outcome, _, detail in outcomes if outcome == "busy")
    # Refused at once, not after waiting for a place (which would take the whole flood's time); generous
    # bounds because 30 clients in one test process share two busy cores with the server.
    assert percentile(busy, 0.5) < 2.0 and max(busy) < 5.0
    assert all("Queue is full" in detail for _, detail in refused_http)
    assert not server_errors(busy_server), server_errors(busy_server)[:5]
    # Once the flood has passed, the server answers again.
    time.sleep(1)
    assert Client(busy_server.url, verbose=False).predict("Do I need a master's degree?", [], api_name="/ask")["abstained"] is False
