"""Feedback: entries appended to and read back from the JSONL file, and thumbs-down exported as question cases."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone

import pytest

from bot.answer.compose import abstain, compose
from bot.bench.evaluate import load_cases
from bot.cli import main
from bot.errors import FeedbackError
from bot.records import Candidate, Document, Passage
from bot.serve.feedback import Feedback, FeedbackLog, export_cases, judge, with_reason

DOC = Document(doc_id="doc.txt", title="Careers", text="Seniors earn $150,000 a year.", author="Ann Author")
P = Passage(
    pid=0, doc_id=DOC.doc_id, title=DOC.title, heading="Pay", start=0, end=len(DOC.text), text=DOC.text, sentences=((0, len(DOC.text)),)
)


def answered(question="How much do seniors earn?", interpreted_as=""):
    return compose(
        question,
        [Candidate(passage=P, span=(P.start, P.end), text=DOC.text, score=0.9, passage_score=0.9)],
        max_citations=3,
        interpreted_as=interpreted_as,
    )


def at(minute: int) -> datetime:
    return datetime(2025, 1, 2, 3, minute, tzinfo=timezone.utc)


def test_an_entry_holds_what_the_chat_showed():
    entry = judge(answered(), ["Do I need a degree?"], "down", {DOC.doc_id: DOC}, now=at(4))
    assert entry.verdict == "down" and entry.question == "How much do seniors earn?" and entry.history == ("Do I need a degree?",)
    assert entry.answer.endswith("[1]") and entry.time == "2025-01-02T03:04:00+00:00" and len(entry.id) == 12
    assert entry.citations == (
        {
            "n": 1,
            "title": "Careers",
            "heading": "Pay",
            "source": "doc.txt",
            "start": 0,
            "end": 29,
            "text": DOC.text,
            "highlights": [[0, 29]],
        },
    )


def test_a_verdict_must_be_known():
    with pytest.raises(ValueError, match="verdict"):
        judge(answered(), [], "meh")


def test_entries_round_trip_and_a_reason_replaces_its_entry(tmp_path):
    log = FeedbackLog(tmp_path / "new" / "feedback.jsonl")  # the folder is made on first use
    first = judge(answered(), [], "down", now=at(1))
    other = judge(abstain("Weather?", ("Do I need a degree?",)), ["How much do seniors earn?"], "up", now=at(2))
    log.append(first)
    log.append(other)
    log.append(with_reason(first, "  wrong section  ", now=at(3)))
    lines = log.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and all(json.loads(line)["id"] for line in lines)
    read = log.read()
    assert read.warnings == ()
    assert read.entries == (with_reason(first, "wrong section", now=at(3)), other)


def test_bad_lines_are_skipped_with_a_warning(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    log.append(judge(answered(), [], "down"))
    with log.path.open("a", encoding="utf-8") as fh:
        fh.write('{"id": "x", "verdict": "down"\n{"id": "y", "time": "t", "verdict": "sideways", "question": "q"}\n[1, 2]\n\n')
    read = log.read()
    assert len(read.entries) == 1
    assert len(read.warnings) == 3 and read.warnings[0].startswith(f"{log.path}:2: skipped")


def test_a_missing_file_says_where_feedback_comes_from(tmp_path):
    with pytest.raises(FeedbackError, match="BOT_FEEDBACK_PATH"):
        FeedbackLog(tmp_path / "none.jsonl").read()


def test_an_unwritable_file_says_how_to_fix_it(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(FeedbackError, match="set BOT_FEEDBACK_PATH to a writable file"):
        FeedbackLog(tmp_path / "file" / "feedback.jsonl").append(judge(answered(), [], "up"))


def test_appends_from_many_threads_stay_whole_lines(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    entry = judge(answered(), ["x" * 5000], "down")
    threads = [threading.Thread(target=lambda i=i: [log.append(with_reason(entry, f"{i}-{k}")) for k in range(20)]) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = log.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 160 and all(Feedback.from_row(json.loads(line)).history == ("x" * 5000,) for line in lines)


def test_export_keeps_the_latest_thumbs_down_per_question():
    down = judge(answered(), [], "down", now=at(1))
    again = with_reason(judge(answered(), [], "down", now=at(2)), "still wrong", now=at(3))
    withdrawn = [judge(answered("Q2?"), [], "down", now=at(1)), judge(answered("Q2?"), [], "withdrawn", now=at(2))]
    liked = judge(answered("Q3?"), [], "up", now=at(1))
    followup = judge(
        answered("And juniors?", interpreted_as="And juniors? (about: How much do seniors earn?)"),
        ["How much do seniors earn?"],
        "down",
        now=at(5),
    )
    abstained = judge(abstain("Weather?", ()), ["How much do seniors earn?"], "down", now=at(6))
    cases = export_cases([down, again, *withdrawn, liked, followup, abstained])
    assert [c["question"] for c in cases] == ["How much do seniors earn?", "And juniors?", "Weather?"]
    assert cases[0]["id"] == f"fb-{again.id}" and cases[0]["review"]["reason"] == "still wrong" and cases[0]["kind"] == "fact"
    assert cases[0]["expect"] == [] and cases[0]["review"]["cited"] == ["doc.txt#0-29"] and "history" not in cases[0]
    assert cases[1]["kind"] == "followup" and cases[1]["history"] == ["How much do seniors earn?"]
    assert (
        cases[2]["kind"] == "fact"
        and cases[2]["history"] == ["How much do seniors earn?"]
        and cases[2]["review"]["answered"] == "(abstained)"
    )


def test_cli_exports_cases_in_the_question_set_format(tmp_path, monkeypatch, capsys):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    log.append(judge(answered(), ["Do I need a degree?"], "down", {DOC.doc_id: DOC}))
    log.append(judge(answered("Q3?"), [], "up"))
    monkeypatch.setenv("BOT_FEEDBACK_PATH", str(log.path))
    out = tmp_path / "review" / "cases.jsonl"
    assert main(["feedback", "export", "--out", str(out)]) == 0
    assert "1 thumbs-down case written" in capsys.readouterr().err
    cases = load_cases(out)
    assert [(c.kind, c.question, c.history, c.expect) for c in cases] == [
        ("fact", "How much do seniors earn?", ("Do I need a degree?",), ())
    ]
    assert main(["feedback", "export"]) == 0
    assert json.loads(capsys.readouterr().out)["question"] == "How much do seniors earn?"


def test_cli_export_without_feedback_fails_with_a_message(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BOT_FEEDBACK_PATH", str(tmp_path / "none.jsonl"))
    assert main(["feedback", "export"]) == 2
    assert "No feedback file at" in capsys.readouterr().err
