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
                calls[0] += 1  # the earlier questions are answered again but not logged again
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
    assert question_lines(live_server) - lines_before == calls[0]  # one log line per question asked
    assert not server_errors(live_server)


@pytest.fixture(scope="module")
def busy_server(real_settings, real_bot, tmp_path_factory):
    """The real server with room for one question being answered and two waiting.

    It embeds with torch: on ONNX Runtime answers are fast enough that the queue can drain before
    the flood arrives, and the test is about a full queue, not about speed.
    """
    env = {"BOT_QUEUE_SIZE": "2", "BOT_CONCURRENCY": "1", "BOT_EMBED_BACKEND": "torch"}
    server = LiveServer(real_settings.index_dir, tmp_path_factory.mktemp("busy") / "server.log", env)
    yield server.wait()
    server.stop()


def ask_fn_index(url: str) -> int:
    config = json.load(urllib.request.urlopen(url + "config", timeout=30))
    return next(d.get("id", i) for i, d in enumerate(config["dependencies"]) if d.get("api_name") == "ask")


def raw_join(url: str, fn: int) -> tuple[int, str]:
    """Join the queue for /ask as a browser would; (HTTP status, detail)."""
    body = json.dumps({"data": ["Why become an engineer?", []], "fn_index": fn, "session_hash": uuid.uuid4().hex}).encode()
    request = urllib.request.Request(url + "gradio_api/queue/join", body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def waiting(url: str) -> int:
    return json.load(urllib.request.urlopen(url + "gradio_api/queue/status", timeout=30))["queue_size"]


@pytest.mark.timeout(300)
def test_past_the_queue_limit_people_are_told_to_try_again_at_once(busy_server, capsys):
    from gradio_client import Client
    from gradio_client.utils import QueueError

    url, flood = busy_server.url, 30
    fn = ask_fn_index(url)
    fillers = 12
    with ThreadPoolExecutor(max_workers=8) as pool:
        clients = list(pool.map(lambda _: Client(url, verbose=False), range(flood + fillers)))
    # Fill the server: one question being answered, two waiting. Each filler replays as many earlier
    # questions as the server reads (max_history), so it takes a while; while fewer than two are seen
    # waiting, another filler is sent as soon as fewer than three are outstanding, so a fast answer or a
    # slow join under load cannot leave the queue short.
    slow_history = [
        f"What skills do I need for {topic}?"
        for topic in ("python", "maths", "cloud", "data", "models", "tests", "sql", "linux", "statistics", "deployment")
    ]
    slow: list[tuple[object, str]] = []
    deadline = time.monotonic() + 120
    while waiting(url) < 2:
        assert time.monotonic() < deadline, f"the queue never filled ({len(slow)} fillers sent)"
        if sum(not job.done() for job, _ in slow) < 3 and len(slow) < fillers:
            tag = f"tag-{uuid.uuid4().hex[:12]}-0"
            job = clients[flood + len(slow)].submit(f"Why become a machine learning engineer? {tag}", slow_history, api_name="/ask")
            slow.append((job, tag))
        time.sleep(0.05)
    full_before = waiting(url)

    start = threading.Barrier(flood + 4)
    outcomes: list[tuple[str, float, str]] = []
    lock = threading.Lock()

    def ask(i: int) -> None:
        tag = f"tag-{uuid.uuid4().hex[:12]}-0"
        start.wait(timeout=120)
        began = time.monotonic()
        try:
            reply = clients[i].submit(f"Do I need a master's degree? {tag}", [], api_name="/ask").result(timeout=240)
            outcome, detail = ("answered" if tag in reply["question"] else "crossed"), ""
        except QueueError as exc:
            outcome, detail = "busy", str(exc)
        except Exception as exc:  # noqa: BLE001 - anything else is a failure to report
            outcome, detail = "error", f"{exc.__class__.__name__}: {exc}"
        with lock:
            outcomes.append((outcome, time.monotonic() - began, detail))

    def join(_: int) -> None:
        start.wait(timeout=120)
        began = time.monotonic()
        status, detail = raw_join(url, fn)
        with lock:
            outcomes.append((f"http {status}", time.monotonic() - began, detail))

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(flood)] + [threading.Thread(target=join, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=280)
    full_after = waiting(url)
    busy = [took for outcome, took, _ in outcomes if outcome == "busy"]
    answered = [took for outcome, took, _ in outcomes if outcome == "answered"]
    refused_http = [(took, detail) for outcome, took, detail in outcomes if outcome == "http 503"]
    slow_replies = []
    for job, tag in slow:  # a filler sent when the queue had just filled may have been told busy itself
        try:
            slow_replies.append((job.result(timeout=240), tag))
        except QueueError:
            continue
    with capsys.disabled():
        print(
            f"\nqueue full (2 waiting, 1 answered at a time; {full_before} waiting before the flood, {full_after} after): "
            f"of {flood} gradio_client questions {len(busy)} told busy (p50 {percentile(busy, 0.5) if busy else 0:.2f} s, "
            f"max {max(busy, default=0):.2f} s), {len(answered)} answered; {len(refused_http)} of 4 raw joins refused with HTTP 503 "
            f"(max {max((t for t, _ in refused_http), default=0):.2f} s); other: {[o for o in outcomes if o[0] not in ('busy', 'answered', 'http 503')]}"
        )
    assert [o for o in outcomes if o[0] not in ("busy", "answered", "http 503", "http 200")] == []
    assert all("try again" in detail for outcome, _, detail in outcomes if outcome == "busy")
    assert all("Queue is full" in detail for _, detail in refused_http)
    admitted = [o for o in outcomes if o[0] in ("answered", "http 200")]
    if full_after >= 2 and not admitted:  # the queue stayed full through the flood: every one of them was turned away
        assert len(busy) == flood and len(refused_http) == 4
    # (a slow question that finishes mid-flood opens a place; whoever takes it refills the queue, so a full queue
    # after the flood alone does not show it was full throughout: a join let in once was seen to do exactly that)
    assert len(busy) >= flood // 2
    # Turned away at once, not after waiting for a place (that would take the slow questions' time).
    # Bounds are generous: 34 clients in one test process share two busy cores with the server.
    assert percentile(busy, 0.5) < 3.0 and max(busy) < 8.0
    assert all(took < 3.0 for took, _ in refused_http)
    assert len(slow_replies) >= 3 and all(tag in reply["question"] for reply, tag in slow_replies)
    assert not server_errors(busy_server), server_errors(busy_server)[:5]
    assert Client(url, verbose=False).predict("Do I need a master's degree?", [], api_name="/ask")["abstained"] is False
