"""Feedback: a thumbs up or down on an answer, kept in a local JSONL file; thumbs-down exported as question cases.

The file is append-only, one JSON object a line. A reason typed after the
thumb is written as a second line with the same id: the last line of an id
wins. ``export_cases`` turns the thumbs-down entries into cases in the format
of ``eval/dev.jsonl`` (id, kind, question, history, expect), with an empty
``expect`` and a ``review`` object holding what was answered and why it was
judged wrong, for a person to fill in the gold phrases.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from bot.errors import FeedbackError
from bot.records import Answer, Document
from bot.serve.render import to_dict

#: A thumb up, a thumb down, or a thumb clicked off again.
VERDICTS = ("up", "down", "withdrawn")
#: The citation fields kept in the file: enough to find the passage again, and read it.
_CITATION_FIELDS = ("n", "title", "heading", "source", "start", "end", "text", "highlights")


@dataclass(frozen=True)
class Feedback:
    """One judgement of one answer, as the chat showed it."""

    id: str
    time: str  # ISO 8601, UTC
    verdict: str  # one of VERDICTS
    question: str
    history: tuple[str, ...]  # the earlier questions of the chat, oldest first
    answer: str
    abstained: bool
    interpreted_as: str = ""
    citations: tuple[Mapping, ...] = ()  # as in `ask --json`, without scores
    reason: str = ""

    def to_json(self) -> str:
        row = dataclasses.asdict(self)
        row["history"], row["citations"] = list(self.history), [dict(c) for c in self.citations]
        return json.dumps(row, ensure_ascii=False)

    @classmethod
    def from_row(cls, row: Mapping) -> Feedback:
        verdict = row["verdict"]
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
        return cls(
            id=str(row["id"]),
            time=str(row["time"]),
            verdict=verdict,
            question=str(row["question"]),
            history=tuple(str(h) for h in row.get("history", ())),
            answer=str(row.get("answer", "")),
            abstained=bool(row.get("abstained", False)),
            interpreted_as=str(row.get("interpreted_as", "")),
            citations=tuple(row.get("citations", ())),
            reason=str(row.get("reason", "")),
        )


def judge(
    answer: Answer,
    history: Sequence[str],
    verdict: str,
    documents: Mapping[str, Document] | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> Feedback:
    """A new feedback entry for an answer shown after the questions `history`."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
    data = to_dict(answer, documents)
    return Feedback(
        id=uuid.uuid4().hex[:12],
        time=_stamp(now),
        verdict=verdict,
        question=answer.question,
        history=tuple(history),
        answer=data["answer"],
        abstained=data["abstained"],
        interpreted_as=data["interpreted_as"],
        citations=tuple({k: c[k] for k in _CITATION_FIELDS} for c in data["citations"]),
        reason=reason.strip(),
    )


def with_reason(entry: Feedback, reason: str, now: datetime | None = None) -> Feedback:
    """The same judgement with a reason: appended, it replaces the entry it was given for."""
    return dataclasses.replace(entry, reason=reason.strip(), time=_stamp(now))


def _stamp(now: datetime | None) -> str:
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class FeedbackRead:
    entries: tuple[Feedback, ...]  # the last line of each id, in the order ids first appeared
    warnings: tuple[str, ...] = field(default_factory=tuple)


class FeedbackLog:
    """The JSONL file of feedback entries; safe to append to from the server's worker threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def append(self, entry: Feedback) -> None:
        line = entry.to_json() + "\n"
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as fh:
                    fh.write(line)
        except OSError as exc:
            raise FeedbackError(
                f"Cannot write feedback to {self.path} ({exc.strerror or exc}); set BOT_FEEDBACK_PATH to a writable file."
            ) from exc

    def read(self) -> FeedbackRead:
        if not self.path.is_file():
            raise FeedbackError(
                f"No feedback file at {self.path}: feedback is recorded by the thumbs under each answer in the chat (BOT_FEEDBACK_PATH sets the file)."
            )
        latest: dict[str, Feedback] = {}
        warnings = []
        for n, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                entry = Feedback.from_row(json.loads(line))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                warnings.append(f"{self.path}:{n}: skipped, not a feedback entry ({exc})")
                continue
            latest[entry.id] = entry
        return FeedbackRead(tuple(latest.values()), tuple(warnings))


def export_cases(entries: Iterable[Feedback]) -> list[dict]:
    """Thumbs-down entries as question cases for review: one per question and history, the latest judgement kept."""
    cases: dict[tuple[str, tuple[str, ...]], dict] = {}
    for entry in sorted(entries, key=lambda e: e.time):
        key = (entry.question, entry.history)
        if entry.verdict != "down":
            cases.pop(key, None)  # judged right since
            continue
        # a question read with the help of earlier ones is a follow-up; the history is kept either way, to replay the chat
        case = {"id": f"fb-{entry.id}", "kind": "followup" if entry.interpreted_as else "fact", "question": entry.question}
        if entry.history:
            case["history"] = list(entry.history)
        case["expect"] = []
        case["review"] = {
            "answered": "(abstained)" if entry.abstained else entry.answer,
            "cited": [f"{c.get('source')}#{c.get('start')}-{c.get('end')}" for c in entry.citations],
            "reason": entry.reason,
            "time": entry.time,
            "todo": "write the gold phrases in expect, or set kind to oos if the articles do not answer it",
        }
        cases.pop(key, None)
        cases[key] = case
    return list(cases.values())
