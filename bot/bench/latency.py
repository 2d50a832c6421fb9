"""Serving benchmark: each cost beside the floor the hardware sets, measured side by side in one run.

Timings on a shared machine drift, so every figure is a ratio of two timings
taken in the same run, interleaved:

* ``answer_over_embed``: answering the dev questions (warm) over embedding the
  same questions with the same model: the model is the floor of an answer;
* ``build_over_embed``: building the index (chunk, embed, BM25, write) over
  embedding the same passages and sentences in the same batches;
* ``build_over_st``: the same build over sentence-transformers' own ``encode``
  (torch, its defaults) embedding those texts: what the build costs beside the
  library's way of embedding them;
* ``cold_over_load``: a fresh ``python -m bot ask`` over a fresh process that
  only loads the model and encodes the question once;
* ``peak_rss_mb``: the peak memory of a fresh process answering every dev question.
"""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from bot.config import PROJECT_ROOT, Settings

#: Loads the configured model and encodes one text, and nothing else: the floor of a cold start.
_BARE_LOAD = {
    "onnx": (
        "import sys; from pathlib import Path; from bot.search.embedding import resolve_model_path; from bot.search.onnx_embedding import OnnxModel; "
        "OnnxModel(Path(resolve_model_path(sys.argv[1])), Path(sys.argv[2])).encode([sys.argv[3]], 1)"
    ),
    "torch": (
        "import sys; from sentence_transformers import SentenceTransformer; from bot.search.embedding import resolve_model_path; "
        "SentenceTransformer(resolve_model_path(sys.argv[1]), device='cpu').encode([sys.argv[3]])"
    ),
}


@dataclass(frozen=True)
class Figures:
    backend: str  # onnx | torch
    index: str  # the kind of the passage index
    p50_ms: float  # warm answer latency over the dev questions
    p95_ms: float
    embed_p50_ms: float  # embedding the same questions alone
    answer_over_embed: float  # total answer time / total embedding time
    build_s: float
    build_embed_s: float
    build_over_embed: float
    build_st_s: float  # sentence-transformers' encode of the same texts (torch, defaults)
    build_over_st: float
    cold_s: float
    load_s: float
    cold_over_load: float
    peak_rss_mb: float


def _ms(values: Sequence[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(values) * 1e3, q)), 2) if len(values) else 0.0


def answer_latency(bot, cases, rounds: int) -> tuple[list[float], list[float]]:
    """Seconds per answer and per bare embedding of the same question, interleaved, after one warm-up round."""
    from bot.bench.evaluate import run_case

    answers, embeds = [], []
    for r in range(rounds + 1):
        for case in cases:
            start = time.perf_counter()
            bot.embedder.encode([case.question])
            embed = time.perf_counter() - start
            outcome = run_case(bot, case)  # times bot.ask alone, after any earlier questions of the chat
            if r:  # round 0 warms the caches (sentence displays, outline and suggestion vectors)
                answers.append(outcome.seconds)
                embeds.append(embed)
    return answers, embeds


def build_cost(settings: Settings, embedder, rounds: int) -> tuple[float, float, float]:
    """Median seconds of a full index build, of embedding the same texts in the same batches with the bot's
    embedder, and of sentence-transformers' own ``encode`` (torch, defaults) embedding them: taken in turn."""
    from sentence_transformers import SentenceTransformer

    from bot.ingest.chunking import chunk_documents
    from bot.ingest.corpus import load_corpus
    from bot.search.build import build_index, passage_view, sentence_view
    from bot.search.embedding import resolve_model_path

    docs = load_corpus(settings.corpus_dir).documents
    by_id = {d.doc_id: d for d in docs}
    passages = chunk_documents(docs)
    views = [passage_view(p) for p in passages]
    sentences = [sentence_view(p, by_id[p.doc_id].text[s:e]) for p in passages for s, e in p.sentences]
    library = SentenceTransformer(resolve_model_path(settings.embed_model), device="cpu")
    embedder.encode(views[:2]), library.encode(views[:2])  # loaded before anything is timed
    builds, embeds, libs = [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        for r in range(3 * rounds):  # in turn, so that none always runs first
            start = time.perf_counter()
            if r % 3 == 1:
                embedder.encode(views)
                embedder.encode(sentences)
                embeds.append(time.perf_counter() - start)
            elif r % 3 == 2:
                library.encode(views)
                library.encode(sentences)
                libs.append(time.perf_counter() - start)
            else:
                build_index(settings.corpus_dir, Path(tmp) / f"index{r}", embedder)  # no cache: every text embedded
                builds.append(time.perf_counter() - start)
    return float(np.median(builds)), float(np.median(embeds)), float(np.median(libs))


def _env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "BOT_CORPUS_DIR": str(settings.corpus_dir),
        "BOT_INDEX_DIR": str(settings.index_dir),
        "BOT_EMBED_MODEL": settings.embed_model,
        "BOT_EMBED_BACKEND": settings.embed_backend,
        "BOT_CACHE_DIR": str(settings.cache_dir),
    }


def _run(args: list[str], settings: Settings) -> float:
    """Wall seconds of a fresh Python process."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], env=_env(settings), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=PROJECT_ROOT)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])} failed: {done.stderr.decode(errors='replace')[-2000:]}")
    return seconds


def cold_start(settings: Settings, backend: str, question: str, runs: int) -> tuple[float, float]:
    """Median wall seconds of a fresh ``ask`` and of a fresh bare model load plus one encode, alternated.

    The bot's bytecode is compiled first, as an installed package's is (and ``make run`` does): otherwise, where
    PYTHONDONTWRITEBYTECODE is set, every ``ask`` would compile each module again while the libraries' is cached.
    """
    compileall.compile_dir(str(PROJECT_ROOT / "bot"), quiet=1)
    bare = ["-c", _BARE_LOAD[backend], settings.embed_model, str(settings.cache_dir), question]
    ask = ["-m", "bot", "ask", question]
    _run(bare, settings), _run(ask, settings)  # files in the page cache for both
    asks, loads = [], []
    for _ in range(runs):
        loads.append(_run(bare, settings))
        asks.append(_run(ask, settings))
    return float(np.median(asks)), float(np.median(loads))


#: Runs the command line and, at exit, prints the process's peak resident memory (VmHWM: that of this program
#: alone; ``getrusage`` would also count the benchmark's own memory, which a forked child starts with).
_WITH_PEAK = (
    "import atexit, runpy, sys\n"
    "def peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'): print('peak-kb', line.split()[1], file=sys.stderr)\n"
    "atexit.register(peak)\n"
    "sys.argv = ['bot', *sys.argv[1:]]\n"
    "runpy.run_module('bot', run_name='__main__')\n"
)


def serving_rss_mb(settings: Settings, questions: Path) -> float:
    """Peak resident megabytes of a fresh process that loads everything and answers every question of the set."""
    done = subprocess.run(
        [sys.executable, "-c", _WITH_PEAK, "eval", str(questions), "--json"],
        env=_env(settings),
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    peaks = [line.split()[1] for line in done.stderr.splitlines() if line.startswith("peak-kb ")]
    if done.returncode != 0 or not peaks:
        raise RuntimeError(f"eval failed: {done.stderr[-2000:]}")
    return int(peaks[-1]) / 1024


def run(settings: Settings, questions: Path, rounds: int = 5, cold_runs: int = 5, say: Callable[[str], None] = print) -> Figures:
    from bot.answer.chatbot import Chatbot
    from bot.bench.evaluate import load_cases

    bot = Chatbot.from_settings(settings)
    bot.embedder.encode(["load the model"])
    backend = getattr(bot.embedder, "backend", "") or "torch"
    cases = load_cases(questions)
    say(f"answering {len(cases)} questions x {rounds} rounds, each beside embedding it ({backend})")
    answers, embeds = answer_latency(bot, cases, rounds)
    say("building the index beside embedding its texts")
    build_s, build_embed_s, build_st_s = build_cost(settings, bot.embedder, max(1, min(rounds, 3)))
    say(f"cold starts x {cold_runs}: ask beside a bare model load")
    cold_s, load_s = cold_start(settings, backend, cases[0].question, cold_runs)
    say("peak memory of a process answering every question")
    rss = serving_rss_mb(settings, questions)
    return Figures(
        backend=backend,
        index=bot.index.search.describe(),
        p50_ms=_ms(answers, 50),
        p95_ms=_ms(answers, 95),
        embed_p50_ms=_ms(embeds, 50),
        answer_over_embed=round(sum(answers) / sum(embeds), 3),
        build_s=round(build_s, 3),
        build_embed_s=round(build_embed_s, 3),
        build_over_embed=round(build_s / build_embed_s, 3),
        build_st_s=round(build_st_s, 3),
        build_over_st=round(build_s / build_st_s, 3),
        cold_s=round(cold_s, 3),
        load_s=round(load_s, 3),
        cold_over_load=round(cold_s / load_s, 3),
        peak_rss_mb=round(rss, 1),
    )


TARGETS = {"answer_over_embed": 2.0, "build_over_embed": 1.2, "build_over_st": 0.6, "cold_over_load": 1.3}


def report(figures: Figures) -> str:
    rows = [
        ("warm answer p50 / p95", f"{figures.p50_ms} / {figures.p95_ms} ms", f"embedding alone p50 {figures.embed_p50_ms} ms"),
        ("answer_over_embed", f"{figures.answer_over_embed}", f"target ≤ {TARGETS['answer_over_embed']}"),
        ("index build", f"{figures.build_s} s", f"embedding its texts {figures.build_embed_s} s"),
        ("build_over_embed", f"{figures.build_over_embed}", f"target ≤ {TARGETS['build_over_embed']}"),
        (
            "build_over_st",
            f"{figures.build_over_st}",
            f"sentence-transformers encode {figures.build_st_s} s; target ≤ {TARGETS['build_over_st']}",
        ),
        ("cold ask", f"{figures.cold_s} s", f"bare model load + one encode {figures.load_s} s"),
        ("cold_over_load", f"{figures.cold_over_load}", f"target ≤ {TARGETS['cold_over_load']}"),
        ("peak memory answering", f"{figures.peak_rss_mb} MB", ""),
    ]
    width = max(len(r[0]) for r in rows)
    head = f"backend {figures.backend}, passage index {figures.index}"
    return "\n".join([head, *(f"{a:<{width}}  {b:<16}  {c}".rstrip() for a, b, c in rows)])


def as_dict(figures: Figures) -> dict:
    return asdict(figures)
