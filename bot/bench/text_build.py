"""The scale benchmark's real builds: synthetic text passages indexed by ``build_index`` in a fresh process,
timed beside embedding the same texts alone, with the build's peak resident memory."""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.bench.synthetic import synthetic_articles


@dataclass(frozen=True)
class TextBuild:
    """The real build over synthetic text passages, in a fresh process."""

    passages: int
    sentences: int
    seconds: float  # the build alone, the model loaded before it
    embed_seconds: float  # embedding the same passages and sentences alone (0: not measured at this size)
    peak_mb: float  # the build process's peak resident memory, model included

    @property
    def per_s(self) -> float:
        return self.passages / self.seconds if self.seconds else 0.0


#: Embedding the texts alone again, beside the build, up to this many passages (beyond, it would double the run).
EMBED_ALONE_UP_TO = 10_000

#: A fresh process that loads the model, builds an index without the embedding cache (every text embedded) and prints
#: the build's seconds, counts and the process's peak resident memory (VmHWM) as JSON.
_BUILD_WITH_PEAK = (
    "import json, sys, time\n"
    "from pathlib import Path\n"
    "from bot.search.build import build_index\n"
    "from bot.search.embedding import SentenceTransformerEmbedder\n"
    "embedder = SentenceTransformerEmbedder(sys.argv[1], backend=sys.argv[2], cache_dir=Path(sys.argv[3]))\n"
    "embedder.encode(['load the model before the build is timed'])\n"
    "start = time.perf_counter()\n"
    "manifest = build_index(Path(sys.argv[4]), Path(sys.argv[5]), embedder)\n"
    "seconds = time.perf_counter() - start\n"
    "peak = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
    "print(json.dumps({'passages': manifest.passages, 'sentences': manifest.sentences, 'seconds': seconds, 'peak_kb': peak}))\n"
)


def text_build(chain: dict[str, list[str]], n_passages: int, embedder, workdir) -> TextBuild:
    """Write synthetic articles, build a real index over them in a fresh process, and embed the same texts alone."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from bot.config import PROJECT_ROOT
    from bot.ingest.chunking import chunk_documents
    from bot.ingest.corpus import load_corpus
    from bot.search.build import passage_view, sentence_view

    corpus = Path(workdir) / f"corpus-{n_passages}"
    corpus.mkdir(parents=True, exist_ok=True)
    for i, text in enumerate(synthetic_articles(chain, n_passages, seed=n_passages)):
        (corpus / f"a{i:06d}.txt").write_text(text, encoding="utf-8")
    args = [
        embedder.name,
        getattr(embedder, "requested", "auto"),
        str(embedder.cache_dir),
        str(corpus),
        str(Path(workdir) / f"index-{n_passages}"),
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    done = subprocess.run([sys.executable, "-c", _BUILD_WITH_PEAK, *args], env=env, capture_output=True, text=True, cwd=PROJECT_ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"the build of {n_passages} synthetic passages failed: {done.stderr[-2000:]}")
    built = json.loads(done.stdout.strip().splitlines()[-1])
    embed_seconds = 0.0
    if n_passages <= EMBED_ALONE_UP_TO:
        docs = load_corpus(corpus).documents
        by_id = {d.doc_id: d for d in docs}
        passages = chunk_documents(docs)
        start = time.perf_counter()
        embedder.encode([passage_view(p) for p in passages])
        embedder.encode([sentence_view(p, by_id[p.doc_id].text[s:e]) for p in passages for s, e in p.sentences])
        embed_seconds = time.perf_counter() - start
    return TextBuild(built["passages"], built["sentences"], built["seconds"], embed_seconds, round(built["peak_kb"] / 1024, 1))
