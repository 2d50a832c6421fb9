"""Evaluation: run a question set through the chat path and compute its metrics.

The format and the metrics are those of ``eval/README.md``: gold phrases
matched after normalization (NFKC, lower case, non-alphanumeric runs to one
space); history questions answered in order before the question.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bot.answer.chatbot import Chatbot
from bot.errors import BotError
from bot.records import Answer, Turn
from bot.text import for_matching, word_count


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    question: str
    expect: tuple[str, ...]
    history: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    case: Case
    answer: Answer
    seconds: float

    def hit(self, text: str) -> bool:
        norm = f" {for_matching(text)} "
        return any(f" {for_matching(g)} " in norm for g in self.case.expect)

    @property
    def answer_hit(self) -> bool:
        return not self.answer.abstained and self.hit(answer_body(self.answer))

    def cite_rank(self, limit: int = 5) -> int:
        """1-based rank of the first cited passage holding a gold phrase; 0 if none in the first `limit`."""
        for c in self.answer.citations[:limit]:
            if self.hit(c.text):
                return c.n
        return 0


def answer_body(answer: Answer) -> str:
    return answer.text


def load_cases(path: Path) -> list[Case]:
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            cases.append(Case(row["id"], row["kind"], row["question"], tuple(row.get("expect", ())), tuple(row.get("history", ()))))
        except (ValueError, KeyError) as exc:
            raise BotError(f"{path}:{n}: not a question record ({exc}); see eval/README.md for the format.") from exc
    return cases


def run_case(bot: Chatbot, case: Case) -> Outcome:
    turns: list[Turn] = []
    for earlier in case.history:
        turns.append(bot.respond(earlier, turns))
    start = time.perf_counter()
    answer = bot.ask(case.question, turns)
    return Outcome(case, answer, time.perf_counter() - start)


def metrics(outcomes: list[Outcome]) -> dict:
    answerable = [o for o in outcomes if o.case.kind != "oos"]
    oos = [o for o in outcomes if o.case.kind == "oos"]
    follow = [o for o in answerable if o.case.kind == "followup"]
    answered = [o for o in outcomes if not o.answer.abstained]

    def share(items, pred) -> float:
        return round(sum(1 for o in items if pred(o)) / len(items), 4) if items else 0.0

    ranks = [o.cite_rank() for o in answerable]
    words = [word_count(answer_body(o.answer)) for o in answered]
    pwords = [word_count(c.text) for o in answered for c in o.answer.citations]
    ms = sorted(o.seconds * 1000 for o in outcomes)
    return {
        "n": len(outcomes),
        "n_oos": len(oos),
        "answer_hit": share(answerable, lambda o: o.answer_hit),
        "cite_hit@1": share(answerable, lambda o: o.cite_rank(1) == 1),
        "cite_hit@3": share(answerable, lambda o: 0 < o.cite_rank(3) <= 3),
        "mrr": round(sum(1 / r for r in ranks if r) / len(ranks), 4) if ranks else 0.0,
        "followup_answer_hit": share(follow, lambda o: o.answer_hit),
        "oos_abstain": share(oos, lambda o: o.answer.abstained and not o.answer.citations),
        "false_abstain": share(answerable, lambda o: o.answer.abstained),
        "mean_answer_words": round(statistics.mean(words), 1) if words else 0.0,
        "max_answer_words": max(words) if words else 0,
        "mean_passage_words": round(statistics.mean(pwords), 1) if pwords else 0.0,
        "p50_ms": round(_percentile(ms, 50), 1),
        "p95_ms": round(_percentile(ms, 95), 1),
    }


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    k = (len(sorted_values) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def by_kind(outcomes: list[Outcome]) -> dict[str, tuple[int, int]]:
    """(right, total) per kind: an oos question is right when it abstains, any other when its answer hits."""
    out: dict[str, tuple[int, int]] = {}
    for o in outcomes:
        right = o.answer.abstained if o.case.kind == "oos" else o.answer_hit
        r, n = out.get(o.case.kind, (0, 0))
        out[o.case.kind] = (r + int(right), n + 1)
    return out


def misses(outcomes: list[Outcome]) -> list[Outcome]:
    """Questions answered wrongly: a miss, a false abstention, or an answered out-of-scope question."""
    out = []
    for o in outcomes:
        if o.case.kind == "oos":
            if not o.answer.abstained:
                out.append(o)
        elif not o.answer_hit or o.cite_rank(3) == 0:
            out.append(o)
    return out


def evaluate(bot: Chatbot, cases: list[Case]) -> tuple[dict, list[Outcome]]:
    outcomes = [run_case(bot, c) for c in cases]
    return metrics(outcomes), outcomes
