"""Command line: ``python -m bot index | ask | eval | calibrate | serve | feedback export | bench``.

Only this module and app.py turn errors into words for a person: a BotError
prints its message and exits with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

from bot import log
from bot.config import PROJECT_ROOT, Settings
from bot.errors import BotError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot", description="An offline FAQ chatbot over the articles in corpus/.")
    p.add_argument("--corpus", type=Path, help="corpus folder (default: corpus/, or BOT_CORPUS_DIR)")
    p.add_argument("--index", type=Path, help="index folder (default: index/, or BOT_INDEX_DIR)")
    p.add_argument("--model", help="sentence-transformers model name or path (default: the bundled MiniLM, or BOT_EMBED_MODEL)")
    p.add_argument("-v", "--verbose", action="store_true", help="say more on stderr")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("index", help="build the index if the corpus or model changed")
    s.add_argument("--rebuild", action="store_true", help="build even when the index is fresh")
    s.add_argument("--json", action="store_true", help="progress and the result as JSON lines, for programs")
    s.add_argument("--ray", metavar="ADDRESS", help="chunk and embed on a Ray cluster: auto (a running one, or a local one) or its address")
    s = sub.add_parser("inspect", help="show what one file becomes: sections, passages, code blocks, words kept")
    s.add_argument("file", type=Path)
    s = sub.add_parser("ask", help="answer one question")
    s.add_argument("question")
    s.add_argument("--history", action="append", default=[], help="an earlier question of the same chat (repeatable, oldest first)")
    s.add_argument("--json", action="store_true", help="print the answer as JSON")
    s = sub.add_parser("eval", help="measure answers on a question set (see eval/README.md)")
    s.add_argument("file", type=Path)
    s.add_argument("--json", action="store_true", help="print the metrics as one JSON object on the last line")
    s = sub.add_parser("calibrate", help="fit when to abstain, from labelled questions")
    s.add_argument("file", type=Path, nargs="?", default=PROJECT_ROOT / "eval" / "calibration.jsonl")
    s = sub.add_parser("serve", help="serve the chat UI (default http://127.0.0.1:7860)")
    s.add_argument("--port", type=int, help="port (default 7860, or GRADIO_SERVER_PORT)")
    s.add_argument(
        "--listen",
        metavar="ADDRESS",
        help="listen on ADDRESS instead of 127.0.0.1, e.g. 0.0.0.0 for every interface; needs BOT_AUTH=user:password or --auth-file",
    )
    s.add_argument("--auth-file", type=Path, metavar="FILE", help="user:password lines; people must sign in with one of them")
    s = sub.add_parser("feedback", help="the thumbs given in the chat (BOT_FEEDBACK_PATH, default feedback/feedback.jsonl)")
    actions = s.add_subparsers(dest="action", required=True)
    e = actions.add_parser("export", help="thumbs-down answers as question cases to review (the format of eval/dev.jsonl)")
    e.add_argument("--out", type=Path, help="write the cases to this file (default: standard output)")
    s = sub.add_parser("bench", help="measure speed beside the floor of this machine (docs/performance.md)")
    s.add_argument("--json", action="store_true", help="print the figures as one JSON object on the last line")
    s.add_argument(
        "--questions", type=Path, default=PROJECT_ROOT / "eval" / "dev.jsonl", help="questions to answer (default eval/dev.jsonl)"
    )
    s.add_argument(
        "--rounds", type=int, default=5, help="rounds over the questions (default 5); twice as many cold starts, the noisiest figure"
    )
    s.add_argument("--scale", metavar="SIZES", help="the scale benchmark instead, at these sizes: e.g. 10k,100k,1M")
    s.add_argument(
        "--text", metavar="SIZES", default="1k,10k", help="with --scale: synthetic text passages built for real (default 1k,10k)"
    )
    s.add_argument("--plot", type=Path, default=PROJECT_ROOT / "docs" / "scale.png", help="with --scale: the plot (default docs/scale.png)")
    s.add_argument("--engines", metavar="SIZES", help="the vector engine beside FAISS instead (Qdrant Edge), at these sizes: e.g. 100k,1M")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    log.setup(args.verbose, questions=args.command in ("ask", "serve"))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        settings = Settings.from_env()
        overrides = {
            "corpus_dir": args.corpus,
            "index_dir": args.index,
            "embed_model": args.model,
            "port": getattr(args, "port", None),
            "host": getattr(args, "listen", None),
        }
        settings = dataclasses.replace(settings, **{k: v for k, v in overrides.items() if v is not None})
        return _COMMANDS[args.command](settings, args)
    except BotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def one_shot(argv: list[str]) -> bool:
    """Is this command line an ``ask``: a process that answers once, then may end without tearing down its libraries."""
    try:
        return _parser().parse_args(argv).command == "ask"
    except SystemExit:  # not a valid command line: main has already said why
        return False


def _index(settings: Settings, args) -> int:
    from bot.progress import reporter
    from bot.search.embedding import embedder_for
    from bot.search.ray_build import ensure_index_on

    with reporter(json_lines=args.json) as progress:
        what, warnings, reading = ensure_index_on(args.ray, settings, embedder_for(settings), args.rebuild, progress)
    if args.json:
        print(json.dumps({"event": "done", "index": what, "warnings": warnings, "files": reading}, ensure_ascii=False), flush=True)
        return 0
    for line in reading:
        print(line)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(f"index {what} in {settings.index_dir}" if what != "fresh" else f"index is up to date in {settings.index_dir}")
    return 0


def _inspect(settings: Settings, args) -> int:
    from bot.errors import CorpusError
    from bot.ingest.chunking import chunk_documents
    from bot.ingest.corpus import read_document
    from bot.ingest.report import describe

    path = args.file
    if not path.is_file():
        raise CorpusError(f"{path} is not a file: give the path of a .txt, .md, .html or .pdf file.")
    try:
        doc_id = path.resolve().relative_to(settings.corpus_dir.resolve()).as_posix()
    except ValueError:
        doc_id = path.name
    try:
        doc, notes = read_document(path, doc_id)
    except ValueError as exc:
        raise CorpusError(f"{path} cannot be read: {exc}") from exc
    for note in notes:
        print(f"note: {note}")
    print(describe(doc, chunk_documents([doc])))
    return 0


def _ask(settings: Settings, args) -> int:
    from bot.search.embedding import embedder_for
    from bot.text import validate_question

    validate_question(args.question, settings.max_question_chars)  # fail fast, before loading the model
    embedder = embedder_for(settings)
    embedder.start_loading()  # first, in the background: the model loads while the rest is imported and the index read
    try:
        from bot.answer.chatbot import Chatbot
        from bot.serve.render import to_dict, to_text

        bot = Chatbot.from_settings(settings, embedder)
        answer = bot.ask(args.question, bot.replay(args.history))
    finally:
        embedder.finish_loading()  # exiting while ONNX Runtime builds its session aborts the process
    if args.json:
        print(json.dumps(to_dict(answer, bot.index.documents), ensure_ascii=False, indent=2))
    else:
        print(to_text(answer))
    return 0


def _eval(settings: Settings, args) -> int:
    from bot.answer.chatbot import Chatbot
    from bot.bench.evaluate import by_kind, evaluate, load_cases, misses

    if not args.file.is_file():
        raise BotError(f"No question set at {args.file}.")
    cases = load_cases(args.file)
    bot = Chatbot.from_settings(settings)
    for case in cases[:1]:  # warm up: the figures are for a loaded model
        bot.ask(case.question)
    result, outcomes = evaluate(bot, cases)
    if not args.json:
        width = max(len(k) for k in result)
        for key, value in result.items():
            print(f"{key:<{width}}  {value}")
        print("\nright by kind: " + ", ".join(f"{kind} {r}/{n}" for kind, (r, n) in by_kind(outcomes).items()))
    wrong = misses(outcomes)
    print(f"\n{len(wrong)} wrong:" if wrong else "\nnothing wrong", file=sys.stdout if not args.json else sys.stderr)
    for o in wrong:
        what = "abstained" if o.answer.abstained else o.answer.text
        cited = ", ".join(f"[{c.n}] {c.doc_id}#{c.start}" for c in o.answer.citations)
        line = f"- {o.case.id} ({o.case.kind}) {o.case.question!r}\n    answered: {what}\n    cited: {cited or '-'}\n    expected: {' | '.join(o.case.expect) or 'abstain'}"
        print(line, file=sys.stdout if not args.json else sys.stderr)
    if args.json:
        print(json.dumps(result))
    return 0


def _calibrate(settings: Settings, args) -> int:
    from bot.answer.calibration import fit, save_calibration
    from bot.answer.chatbot import Chatbot

    rows = []
    bot = Chatbot.from_settings(settings)
    for line in args.file.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows.append((bot.features(row["question"]), bool(row["answerable"])))
    cal = fit(bot.embedder.name, [(tuple(dataclasses.astuple(f)), y) for f, y in rows], source=args.file.name)
    save_calibration(cal)
    bot.calibration = cal
    wrong = [(f, y) for f, y in rows if (cal.confidence(f) >= 0.5) != y]
    print(f"calibrated {cal.model}: weights {cal.weights}, bias {cal.bias:.3f}; {len(rows)} examples, {len(wrong)} misclassified")
    return 0


def _serve(settings: Settings, args) -> int:
    from bot.serve.serving import check_exposure, read_credentials

    credentials = read_credentials(os.environ, args.auth_file)
    check_exposure(settings.host, credentials)  # before anything heavy is loaded
    sys.path.insert(0, str(PROJECT_ROOT))
    import app

    app.launch(settings, credentials)
    return 0


def _feedback(settings: Settings, args) -> int:
    from bot.serve.feedback import FeedbackLog, export_cases

    read = FeedbackLog(settings.feedback_path).read()
    for w in read.warnings:
        print(f"warning: {w}", file=sys.stderr)
    cases = export_cases(read.entries)
    lines = "".join(json.dumps(case, ensure_ascii=False) + "\n" for case in cases)
    if args.out is None:
        sys.stdout.write(lines)
        return 0
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(lines, encoding="utf-8")
    except OSError as exc:
        raise BotError(f"Cannot write {args.out} ({exc.strerror or exc}); choose another file with --out.") from exc
    print(
        f"{len(cases)} thumbs-down case{'s' if len(cases) != 1 else ''} written to {args.out}: fill in expect, then add them to a question set.",
        file=sys.stderr,
    )
    return 0


def _bench(settings: Settings, args) -> int:
    from bot.bench.command import bench

    return bench(settings, args)


_COMMANDS = {
    "index": _index,
    "inspect": _inspect,
    "ask": _ask,
    "eval": _eval,
    "calibrate": _calibrate,
    "serve": _serve,
    "feedback": _feedback,
    "bench": _bench,
}
