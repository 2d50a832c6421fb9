"""`python -m bot bench`: which benchmark the flags ask for, run and reported (docs/performance.md)."""

from __future__ import annotations

import json
import sys

from bot.config import PROJECT_ROOT, Settings
from bot.errors import BotError


def sizes(text: str) -> list[int]:
    units = {"k": 1_000, "m": 1_000_000}
    try:
        return [int(float(x[:-1]) * units[x[-1].lower()]) if x[-1].lower() in units else int(x) for x in text.split(",") if x.strip()]
    except (ValueError, IndexError) as exc:
        raise BotError(f"Sizes are comma-separated counts such as 10k,100k,1M, not {text!r}.") from exc


def questions_of(args) -> list[str]:
    """The scale benchmarks' questions: the chosen set and the held-out one."""
    from bot.bench.evaluate import load_cases

    questions = [c.question for c in load_cases(args.questions)]
    for extra in sorted((PROJECT_ROOT / "eval").glob("heldout.jsonl")):
        questions += [c.question for c in load_cases(extra)]
    return questions


def bench(settings: Settings, args) -> int:
    """`python -m bot bench`: the latency figures, or the scale or engine benchmark (see the flags)."""

    def say(message: str) -> None:
        print(f"... {message}", file=sys.stderr, flush=True)

    if args.engines:
        import tempfile

        from bot.bench.engines import run_engines, table
        from bot.search.embedding import embedder_for

        with tempfile.TemporaryDirectory(prefix="bench-engines-") as tmp:
            runs, base = run_engines(sizes(args.engines), embedder_for(settings), settings.corpus_dir, questions_of(args), tmp, say)
        print(table(runs, base))
        if args.json:
            print(json.dumps({"base_mb": base, "runs": [r.__dict__ for r in runs]}))
        return 0
    if args.scale:
        import tempfile

        from bot.bench.report import as_dict, plot, tables
        from bot.bench.scale import run_scale
        from bot.search.embedding import embedder_for

        questions = questions_of(args)
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
            result = run_scale(
                sizes(args.scale), sizes(args.text) if args.text else [], embedder_for(settings), settings.corpus_dir, questions, tmp, say
            )
        print(tables(result))
        print(f"\nplot: {plot(result, args.plot)}")
        if args.json:
            print(json.dumps(as_dict(result)))
        return 0
    from bot.bench.latency import as_dict, report, run

    if not args.questions.is_file():
        raise BotError(f"No question set at {args.questions}.")
    figures = run(settings, args.questions, rounds=max(1, args.rounds), cold_runs=2 * max(1, args.rounds), say=say)
    print(report(figures))
    if args.json:
        print(json.dumps(as_dict(figures)))
    return 0
