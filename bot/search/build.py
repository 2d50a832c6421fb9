"""Building: the corpus read, chunked, embedded and written as a new index version, switched in atomically.

``passage_view`` and ``sentence_view`` are what the models see of a passage and of a sentence.
The layout of a version and how it is loaded: ``bot.search.index``.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from bot.config import TUNING, Settings
from bot.errors import CorpusError
from bot.ingest.chunk_cache import ChunkCache
from bot.ingest.chunking import CHUNKER_VERSION, chunk_documents
from bot.ingest.corpus import file_hashes, load_corpus
from bot.ingest.report import reports
from bot.records import Document, Passage
from bot.search import ann
from bot.search.embedding import Embedder, release_memory
from bot.search.index import FORMAT_VERSION, Manifest, index_status
from bot.search.lexical import LexicalIndex
from bot.search.spool import Spool, SpoolWriter
from bot.search.store import BuildLock, hash_files, live_name, new_workspace, prune, publish, remove_leftovers
from bot.search.vector_cache import CachedEmbedder
from bot.text import expand_acronyms, find_acronyms, for_model

log = logging.getLogger(__name__)


# --- what the models see ------------------------------------------------------------


def passage_view(p: Passage) -> str:
    """The text embedded and BM25-indexed for a passage: title, parent heading, heading, body."""
    heading = "" if p.text.startswith(p.heading) else p.heading  # the first passage of a section quotes it
    parts = [p.title, p.parent, heading, p.text]
    return for_model(". ".join(x.strip().rstrip(".") for x in parts if x.strip()))


def sentence_view(p: Passage, text: str) -> str:
    """The text embedded for one sentence: the section heading gives it context."""
    return for_model(f"{p.heading}. {text}" if p.heading else text)


# --- building ---------------------------------------------------------------------


#: What a build reports as it embeds: (texts done, texts in all).
Progress = Callable[[int, int], None]
#: Documents to numbered passages: ``chunk_documents``, or the same on a cluster.
Chunker = Callable[[Sequence[Document]], list[Passage]]
#: Texts embedded per call: each step's vectors go to disk before the next (bot.search.spool), and progress is
#: reported after each. Within a step the embedder batches passages and sentences together by length.
STEP = 1024


#: From this many texts, a build lets the embedder free what its encodes held before building the indexes (about
#: 250 MB of per-core sessions): making them again costs the next build about 0.35 s, nothing beside a build this size.
RELEASE_FROM = 20_000


def _embed_to_spool(embedder: Embedder, texts: list[str], path: Path, progress: Progress | None) -> Spool:
    """Embed ``texts`` in steps of STEP, each distinct text of a step once, writing the vectors to ``path``."""
    writer = SpoolWriter(path)
    try:
        if progress:
            progress(0, len(texts))
        for lo in range(0, len(texts), STEP):
            step = texts[lo : lo + STEP]
            distinct = list(dict.fromkeys(step))
            row = {t: i for i, t in enumerate(distinct)}
            writer.write(embedder.encode(distinct)[np.asarray([row[t] for t in step], dtype=np.int64)])
            if progress:
                progress(lo + len(step), len(texts))
    finally:
        writer.close()
    return Spool(path, writer.dim or embedder.dim, 0, writer.rows)


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    chunk: Chunker | None = None,
) -> Manifest:
    """Read the corpus, chunk, embed and write a new index version; switch to it atomically.

    With ``cache_dir``, documents chunked by an earlier build are taken from the chunk cache
    (``bot.ingest.chunk_cache``) and texts it embedded from the embedding cache (``bot.search.vector_cache``),
    so a rebuild after a change chunks and embeds only what changed. ``chunk`` replaces ``chunk_documents``
    (``bot.search.ray_build`` chunks on a cluster)."""
    import faiss

    if cache_dir is not None:
        embedder = CachedEmbedder(embedder, cache_dir)

    index_dir.mkdir(parents=True, exist_ok=True)
    with BuildLock(index_dir):
        remove_leftovers(index_dir)  # of builds killed before they finished
        previous = live_name(index_dir)
        sources = file_hashes(corpus_dir)
        chunk_cache = ChunkCache(cache_dir, CHUNKER_VERSION) if cache_dir is not None and chunk is None else None
        try:
            load = load_corpus(corpus_dir, chunk_cache)
            if not load.documents:
                more = f"; and {len(load.warnings) - 3} more" if len(load.warnings) > 3 else ""
                detail = f" ({'; '.join(load.warnings[:3])}{more})" if load.warnings else ""
                raise CorpusError(f"No readable articles in {corpus_dir}{detail}: add .txt, .md, .html or .pdf files.")
            passages = chunk(load.documents) if chunk is not None else chunk_documents(load.documents, chunk_cache)
        finally:
            if chunk_cache is not None:
                chunk_cache.close()
        if not passages:
            raise CorpusError(f"The articles in {corpus_dir} gave no passages: are they empty?")
        reading = reports(load.documents, passages)
        docs_by_id = {d.doc_id: d for d in load.documents}
        sentence_texts = [sentence_view(p, docs_by_id[p.doc_id].text[s:e]) for p in passages for s, e in p.sentences]
        acronyms = find_acronyms([d.text for d in load.documents])
        work = new_workspace(index_dir)
        try:
            views = [passage_view(p) for p in passages]
            spool = _embed_to_spool(embedder, views + sentence_texts, work / "vectors.f32", progress)
            dim = spool.dim
            if len(spool) >= RELEASE_FROM:  # the per-core sessions would otherwise sit under the index built next
                release_memory(embedder)
            embedded, reused = -1, 0  # -1: built without the cache
            if isinstance(embedder, CachedEmbedder):
                embedder.close()
                embedded, reused = embedder.use.embedded, embedder.use.reused
                log.info("embedded %d texts, %d taken from the embedding cache", embedded, reused)
            parts = {
                "passages.faiss": Spool(spool.path, dim, 0, len(views)),
                "sentences.faiss": Spool(spool.path, dim, len(views), len(sentence_texts)),
            }
            for name, vecs in parts.items():
                faiss.write_index(ann.build(vecs, ann.choose(len(vecs), dim)), str(work / name))
            spool.path.unlink()
            _write_jsonl(work / "documents.jsonl", (asdict(d) for d in load.documents))
            _write_jsonl(work / "passages.jsonl", (asdict(p) for p in passages))
            (work / "acronyms.json").write_text(json.dumps(acronyms, indent=2), encoding="utf-8")
            (work / "common_words.txt").write_text("\n".join(_common_words_cached(cache_dir)) + "\n", encoding="utf-8")
            LexicalIndex.build([expand_acronyms(v, acronyms) for v in views]).save(work)
            manifest = Manifest(
                format=FORMAT_VERSION,
                model=embedder.name,
                dim=dim,
                passages=len(passages),
                sentences=len(sentence_texts),
                chunker=CHUNKER_VERSION,
                sources=sources,
                files=hash_files(work),
                created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                warnings=load.warnings + tuple(w for r in reading for w in r.warnings()),
                reading=tuple(r.line() for r in reading),
                embedded=embedded,
                reused=reused,
            )
            (work / "manifest.json").write_text(json.dumps(asdict(manifest), indent=2, ensure_ascii=False), encoding="utf-8")
            version = publish(work, index_dir)
        finally:
            remove_leftovers(index_dir)
        prune(index_dir, keep={version, previous})
        return manifest


@functools.lru_cache(maxsize=2)
def common_words(max_zipf: float = TUNING.focus_max_zipf) -> tuple[str, ...]:
    """English words with a Zipf frequency of at least ``max_zipf`` (wordfreq), written with each index so that
    answering reads a word list instead of importing wordfreq (0.35 s of a cold start). Made once per process:
    a server that rebuilds as its corpus changes does not sort wordfreq's list again each time (0.05 s)."""
    from wordfreq import get_frequency_dict

    floor = 10 ** (max_zipf - 9)  # Zipf = log10 of the frequency per billion words
    return tuple(sorted(w for w, f in get_frequency_dict("en").items() if f >= floor and w.isalpha()))


def _common_words_cached(cache_dir: Path | None) -> Sequence[str]:
    """``common_words()``, kept in the cache folder per wordfreq version: loading wordfreq's list took 0.5 s a build."""
    from importlib.metadata import version

    if cache_dir is None:
        return common_words()
    path = Path(cache_dir) / f"common_words-{TUNING.focus_max_zipf}-wordfreq{version('wordfreq')}.txt"
    try:
        return path.read_text(encoding="utf-8").split()
    except OSError:
        words = common_words()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text("\n".join(words) + "\n", encoding="utf-8")
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("could not keep the common-word list in %s (%s)", cache_dir, exc)
        return words


def _write_jsonl(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def ensure_index(
    settings: Settings, embedder: Embedder, rebuild: bool = False, progress: Progress | None = None, chunk: Chunker | None = None
) -> tuple[str, list[str], list[str]]:
    """Build the index when it is missing or stale. Returns (what happened, warnings, what each file became)."""
    if settings.index_url and not settings.corpus_dir.is_dir():
        return "fresh", [], []  # a chat replica: the engine serves what a build elsewhere published
    status = index_status(settings.corpus_dir, settings.index_dir, embedder.name)
    if status.state == "fresh" and not rebuild:
        return _synced("fresh", settings), [], []
    log.info("building the index (%s)", status.reason or "asked to")
    manifest = build_index(settings.corpus_dir, settings.index_dir, embedder, settings.cache_dir, progress, chunk)
    what = f"built ({status.reason or 'rebuild'}): {manifest.passages} passages"
    if manifest.embedded >= 0:
        what += f"; {manifest.embedded} texts embedded, {manifest.reused} from the embedding cache"
    return _synced(what, settings), list(manifest.warnings), list(manifest.reading)


def _synced(what: str, settings: Settings) -> str:
    """With BOT_INDEX_URL, the live local version published to the vector engine unless it serves it already."""
    if not settings.index_url:
        return what
    from bot.search.backend import sync

    done = sync(settings.index_dir, settings.index_url)
    if not done:
        return what
    return done if what == "fresh" else f"{what}; {done}"
