"""The real Gradio server on a free loopback port, asked through gradio_client."""

from __future__ import annotations

import json

import pytest

pytestmark = [pytest.mark.model, pytest.mark.server]


@pytest.fixture(scope="module")
def server(live_server):
    return live_server.url


def test_api_returns_a_cited_answer(server):
    from gradio_client import Client

    client = Client(server, verbose=False)
    data = client.predict("Do I need a master's degree?", [], api_name="/ask")
    assert data["abstained"] is False
    assert "not always mandatory" in data["answer"]
    assert data["citations"][0]["source"] == "machine-learning-engineer-career-pros-and-cons.txt"
    assert "[1]" in data["answer"]


def test_api_reads_followups_from_history(server):
    from gradio_client import Client

    data = Client(server, verbose=False).predict("In which fields?", ["Do I need a master's degree?"], api_name="/ask")
    assert "Computer Science" in data["answer"] and data["interpreted_as"]


def test_api_refuses_an_empty_question_with_a_message(server):
    from gradio_client import Client

    with pytest.raises(Exception, match="Please type a question"):
        Client(server, verbose=False).predict("   ", [], api_name="/ask")


def test_server_binds_loopback_only(server):
    port = int(server.rsplit(":", 1)[1].strip("/"))
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as fh:
            for row in fh.read().splitlines()[1:]:
                local, state = row.split()[1], row.split()[3]
                address, hex_port = local.rsplit(":", 1)
                if state == "0A" and int(hex_port, 16) == port:
                    listening.append(address)
    assert listening == ["0100007F"], listening  # 127.0.0.1 only, no wildcard, no IPv6 any


def test_api_returns_what_ask_json_prints(server, real_bot):
    from gradio_client import Client

    from bot.serve.render import to_dict

    question, history = "In which fields?", ["Do I need a master's degree?"]
    turns = [real_bot.respond(history[0])]
    expected = json.loads(json.dumps(to_dict(real_bot.ask(question, turns), real_bot.index.documents)))  # as `ask --json` prints it
    assert Client(server, verbose=False).predict(question, history, api_name="/ask") == expected


def test_the_limit_on_question_length_is_enforced_by_the_server(server):
    # The textbox's max_length is only checked in the browser; a client can send anything.
    from gradio_client import Client

    with pytest.raises(Exception, match="limit is 2,000"):
        Client(server, verbose=False).predict("Why? " * 2000, [], api_name="/ask")


def test_no_file_under_corpus_or_index_or_elsewhere_is_served(server, real_settings):
    from bot.search.index import load_index

    from .conftest import ROOT
    from .test_serving import http

    version = load_index(real_settings.index_dir).folder
    corpus_file = sorted((ROOT / "corpus").glob("*.txt"))[0]
    targets = [
        f"corpus/{corpus_file.name}",
        str(corpus_file),
        str(real_settings.index_dir / "CURRENT"),
        str(version / "manifest.json"),
        str(version / "passages.faiss"),
        str(version / "documents.jsonl"),
        "/etc/passwd",
        str(ROOT / "app.py"),
        "../../../../../../../etc/passwd",
    ]
    base = server.rstrip("/")
    urls = [f"{base}{prefix}{t}" for t in targets for prefix in ("/gradio_api/file=", "/file=", "/gradio_api/file/")]
    urls += [f"{base}/static/..%2f..%2f..%2f..%2f..%2fetc/passwd", f"{base}/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd", f"{base}/monitoring"]
    for url in urls:
        status, _, body = http(url)
        assert 400 <= status < 500, (url, status)
        assert b"root:" not in body and corpus_file.read_bytes()[:40] not in body, url


def test_a_foreign_origin_gets_no_cors_allowance(server):
    from .test_serving import http

    for method, path, extra in (("GET", "config", {}), ("OPTIONS", "gradio_api/queue/join", {"Access-Control-Request-Method": "POST"})):
        _, headers, _ = http(server + path, method, {"Origin": "http://evil.example", **extra})
        assert "access-control-allow-origin" not in headers, headers
