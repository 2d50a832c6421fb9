"""bot.serve.serving: who may connect and what is never served, on a real uvicorn server in this process.

The chatbot here runs on the fake HashEmbedder over a tiny corpus, so these tests need no model;
tests/test_server.py repeats the file and CORS checks against `python -m bot serve` itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import ConfigError
from bot.search.index import load_index
from bot.serve import serving

from .conftest import ROOT, fake_bot_over, run_event, start_in_process, write_articles

SECRET = "secret-detail-7f3a"


def http(url: str, method: str = "GET", headers: dict | None = None, data: bytes | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


@pytest.fixture(scope="module")
def small_bot(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serving")
    corpus = write_articles(tmp / "corpus")
    bot = fake_bot_over(corpus, tmp / "index", feedback_path=tmp / "feedback" / "f.jsonl")
    settings = bot.settings
    answer = bot.respond

    def respond(question, history=()):
        if isinstance(question, str) and "EXPLODE" in question:
            raise RuntimeError(SECRET)  # stands for any bug deep in the answer path
        return answer(question, history)

    bot.respond = respond
    return bot, settings


def serve(bot, settings, credentials=()):
    import app

    return start_in_process(serving.build_app(app.build_demo(bot), settings, list(credentials)))


@pytest.fixture(scope="module")
def server(small_bot):
    url, stop = serve(*small_bot)
    yield url, small_bot[1]
    stop()


# --- credentials and where to listen -----------------------------------------------------------


def test_credentials_from_env_and_file(tmp_path):
    auth = tmp_path / "auth"
    auth.write_text("# people allowed in\nann:pass:with:colons\n\n  bob : s3cret\n", encoding="utf-8")
    assert serving.read_credentials({"BOT_AUTH": "eve:pw"}, auth) == [("eve", "pw"), ("ann", "pass:with:colons"), ("bob", " s3cret")]
    assert serving.read_credentials({}, None) == []


@pytest.mark.parametrize("value", ["nopassword", ":pw", "user:", "  :  "])
def test_malformed_credentials_say_the_form(value):
    with pytest.raises(ConfigError, match="user:password"):
        serving.read_credentials({"BOT_AUTH": value})


def test_auth_file_problems_are_clear(tmp_path):
    with pytest.raises(ConfigError, match="Cannot read the auth file"):
        serving.read_credentials({}, tmp_path / "missing")
    (tmp_path / "empty").write_text("# nobody\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="holds no user:password line"):
        serving.read_credentials({}, tmp_path / "empty")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.0.0.2", "::1", "[::1]"])
def test_loopback_needs_no_password(host):
    serving.check_exposure(host, [])


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "10.0.0.1", "example.org"])
def test_any_other_address_needs_a_password(host):
    with pytest.raises(ConfigError, match="BOT_AUTH=user:password.*--auth-file"):
        serving.check_exposure(host, [])
    serving.check_exposure(host, [("ann", "pw")])


def test_build_app_for_every_interface_refuses_without_and_sets_auth_with_credentials(small_bot):
    import app

    bot, settings = small_bot
    wide = Settings(**{**settings.__dict__, "host": "0.0.0.0"})
    with pytest.raises(ConfigError):
        serving.build_app(app.build_demo(bot), wide, [])
    demo = app.build_demo(bot)
    serving.build_app(demo, wide, [("ann", "pw")])
    assert demo.auth == [("ann", "pw")]
    assert demo.show_error is False and demo.max_file_size == 0
    assert set(serving.blocked_paths(settings)) >= {str(settings.corpus_dir.resolve()), str(settings.index_dir.resolve()), str(ROOT)}


def cli(*args, env=None, timeout=120):
    full = {k: v for k, v in os.environ.items() if k != "BOT_AUTH"}
    full.update({"HF_HUB_OFFLINE": "1", **(env or {})})
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=full, capture_output=True, text=True, timeout=timeout)


def test_cli_refuses_to_listen_widely_without_a_password_before_loading_anything():
    started = time.monotonic()
    done = cli("serve", "--listen", "0.0.0.0", "--port", "9")
    assert done.returncode == 2, done.stderr
    assert "needs a password" in done.stderr and "BOT_AUTH=user:password" in done.stderr and "--auth-file" in done.stderr
    assert "Traceback" not in done.stderr
    assert time.monotonic() - started < 30  # refused before the model or the index is touched


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["serve", "--listen", "0.0.0.0", "--auth-file", "/nonexistent/auth"], {}, "Cannot read the auth file"),
        (["serve", "--listen", "0.0.0.0"], {"BOT_AUTH": "no-colon"}, "user:password"),
        (["serve"], {"BOT_QUEUE_SIZE": "lots"}, "BOT_QUEUE_SIZE must be a whole number"),
        (["serve"], {"BOT_CONCURRENCY": "0"}, "BOT_CONCURRENCY must be at least 1"),
    ],
)
def test_cli_settings_errors_are_clear(args, env, says):
    done = cli(*args, env=env)
    assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr, done.stderr


# --- what is never served --------------------------------------------------------------------


def refused_targets(settings: Settings) -> list[str]:
    index_version = load_index(settings.index_dir).folder
    return [
        str(settings.corpus_dir / "careers.txt"),
        "corpus/why-become-a-machine-learning-engineer.txt",
        str(ROOT / "corpus" / "why-become-a-machine-learning-engineer.txt"),
        str(settings.index_dir / "CURRENT"),
        str(index_version / "manifest.json"),
        str(index_version / "passages.jsonl"),
        "/etc/passwd",
        "../../../../../../etc/passwd",
        str(ROOT / "app.py"),
        "bot/config.py",
        str(Path(sys.executable)),
    ]


def test_no_file_route_serves_corpus_index_or_anything_else(server):
    url, settings = server
    base = url.rstrip("/")
    urls = [
        f"{base}{prefix}{target}"
        for target in refused_targets(settings)
        for prefix in ("/gradio_api/file=", "/file=", "/gradio_api/file/", "/file/")
    ]
    urls += [
        f"{base}/static/..%2f..%2f..%2f..%2fetc/passwd",
        f"{base}/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        f"{base}/gradio_api/proxy={base}/config",
        f"{base}/monitoring",
        f"{base}/gradio_api/file=http://127.0.0.1:1/x",
    ]
    served = []
    for u in urls:
        status, _, body = http(u)
        if not 400 <= status < 500 or b"root:" in body or b"Machine learning" in body or b"passages" in body:
            served.append((u, status))
    assert not served
    assert len(urls) >= 45


def test_uploads_are_refused(server):
    url, _ = server
    boundary = "b" + uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="x.txt"\r\n\r\n' + "A" * 10_000 + f"\r\n--{boundary}--\r\n"
    ).encode()
    for path in ("gradio_api/upload", "upload", "gradio_api/process_recording"):
        status, _, _ = http(url + path, "POST", {"Content-Type": f"multipart/form-data; boundary={boundary}"}, body)
        assert status == 403, path


def status_before_the_body(url: str, path: str, headers: dict) -> int:
    """Send only a request's headers and read the answer: a refusal must not wait for the body."""
    import http.client
    from urllib.parse import urlparse

    where = urlparse(url)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    connection.putrequest("POST", "/" + path)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    try:
        return connection.getresponse().status
    finally:
        connection.close()


def test_request_bodies_are_capped(server):
    # FastAPI would read and parse a body of any size before the question's own limit is checked.
    url, _ = server
    json_body = {"Content-Type": "application/json"}
    assert status_before_the_body(url, "gradio_api/queue/join", {**json_body, "Content-Length": str(50 << 20)}) == 413
    assert status_before_the_body(url, "gradio_api/queue/join", {**json_body, "Transfer-Encoding": "chunked"}) == 411
    message = run_event(url, "ask", ["Which skills? " + "why " * 400, []], uuid.uuid4().hex)  # 2 kB: well under the cap
    assert message["success"] is True


def test_a_foreign_origin_gets_no_cors_allowance(server):
    url, _ = server
    own = url.rstrip("/")
    for origin in ("http://evil.example", "null", "http://localhost.evil.example", "http://127.0.0.1.evil.example"):
        for method, path, extra in (
            ("GET", "config", {}),
            ("GET", "gradio_api/info", {}),
            (
                "OPTIONS",
                "gradio_api/queue/join",
                {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
            ),
        ):
            status, headers, _ = http(url + path, method, {"Origin": origin, **extra})
            assert "access-control-allow-origin" not in headers, (origin, path, headers)
            assert headers.get("access-control-allow-credentials") != "true", (origin, path)
    status, headers, _ = http(url + "config", headers={"Origin": own})  # the page's own requests still work
    assert status == 200


def test_no_cors_allowance_when_listening_widely_either(small_bot):
    # Reached by a LAN address, Gradio alone would grant any Origin (with credentials): the Host is not
    # localhost. Served with --listen 0.0.0.0 policy (bound to loopback here), none is granted.
    bot, settings = small_bot
    wide = Settings(**{**settings.__dict__, "host": "0.0.0.0"})
    url, stop = serve(bot, wide, credentials=[("ann", "s3cret")])
    try:
        lan = {"Host": "192.168.1.5:7860", "Origin": "http://evil.example"}
        for method, path, extra in (
            ("GET", "config", {}),
            ("GET", "login_check", {}),
            ("POST", "login", {"Content-Type": "application/x-www-form-urlencoded"}),
            ("OPTIONS", "gradio_api/queue/join", {"Access-Control-Request-Method": "POST"}),
        ):
            data = b"username=ann&password=s3cret" if method == "POST" else None
            status, headers, _ = http(url + path, method, {**lan, **extra}, data)
            assert status != 400 or method == "OPTIONS", (path, status)  # the Host is accepted: only CORS is refused
            assert "access-control-allow-origin" not in headers, (path, headers)
    finally:
        stop()


def test_another_host_name_is_refused_on_loopback(server):
    url, _ = server
    assert http(url + "config", headers={"Host": "evil.example"})[0] == 400  # a DNS-rebinding page
    assert http(url + "config", headers={"Host": "localhost"})[0] == 200


# --- what a person sees --------------------------------------------------------------------


def test_internal_errors_are_logged_not_shown(server, capfd, caplog):
    from gradio_client import Client

    url, _ = server
    with pytest.raises(Exception) as info:
        Client(url, verbose=False).predict("EXPLODE please", [], api_name="/ask")
    assert SECRET not in str(info.value)
    message = run_event(url, "chat", ["EXPLODE in the chat", [], []], uuid.uuid4().hex)
    assert message["success"] is True
    reply = message["output"]["data"][1][-1]["content"]
    reply_text = json.dumps(reply)
    assert "something went wrong" in reply_text and SECRET not in reply_text
    logged = capfd.readouterr().err + "".join(r.getMessage() + str(r.exc_info) for r in caplog.records)
    assert SECRET in logged  # the details are in the server's log


@pytest.mark.parametrize(
    "question",
    [
        "Do I need Python? \ud800",  # a lone surrogate: cannot be encoded, must not reach the JSON
        "\udfff\ud800",
        "Skills\x00 you\x07 need?",
        "\u202eWhat skills do I need?\u2066\u200b\ufeff",
        "🤖🤖🤖",
        "x" * 5000,
        "",
    ],
)
def test_odd_questions_through_the_chat_ui_get_a_reply(server, question):
    url, _ = server
    message = run_event(url, "chat", [question, [], []], uuid.uuid4().hex)
    assert message.get("msg") == "process_completed" and message["success"] is True, message
    history = message["output"]["data"][1]
    assert [m["role"] for m in history] == ["user", "assistant"]
    reply = json.dumps(history[-1]["content"])
    if len(question) > 2000:
        assert "limit is 2,000" in reply
    elif not question or question == "🤖🤖🤖":
        assert "Please type a question" in reply


def test_a_password_is_asked_for_when_credentials_are_given(small_bot):
    from gradio_client import Client
    from gradio_client.exceptions import AuthenticationError

    url, stop = serve(*small_bot, credentials=[("ann", "s3cret")])
    try:
        status, _, _ = http(url + "config")
        assert status in (401, 403)
        with pytest.raises(AuthenticationError, match="credentials were not provided"):
            Client(url, verbose=False).predict("What skills do I need?", [], api_name="/ask")
        with pytest.raises(ValueError, match="Could not login"):
            Client(url, auth=("ann", "wrong"), verbose=False)
        data = Client(url, auth=("ann", "s3cret"), verbose=False).predict("What skills do I need?", [], api_name="/ask")
        assert data["question"] == "What skills do I need?"
    finally:
        stop()
