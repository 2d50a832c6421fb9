"""The real Gradio server on a free loopback port, asked through gradio_client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import ROOT, free_port

pytestmark = [pytest.mark.model, pytest.mark.server]


@pytest.fixture(scope="module")
def server(real_settings, real_bot):
    port = free_port()
    env = {**os.environ, "BOT_INDEX_DIR": str(real_settings.index_dir), "GRADIO_SERVER_PORT": str(port), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    try:
        while time.time() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"server exited: {proc.stdout.read()}")
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise AssertionError("server did not start in 180 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


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

    from bot.render import to_dict

    question, history = "In which fields?", ["Do I need a master's degree?"]
    turns = [real_bot.respond(history[0])]
    expected = json.loads(json.dumps(to_dict(real_bot.ask(question, turns), real_bot.index.documents)))  # as `ask --json` prints it
    assert Client(server, verbose=False).predict(question, history, api_name="/ask") == expected
