"""Index: passages, their vectors (FAISS) and BM25, saved and loaded as one version.

Layout of the index folder::

    index/
      CURRENT                 name of the live version folder (replaced atomically)
      v-<time>-<id>/          one complete build
        manifest.json         format, model, dimension, counts, source hashes, file hashes
        documents.jsonl       the documents (metadata and text), for context and metadata answers
        passages.jsonl        the passages with offsets and sentence spans
        acronyms.json         acronyms of the corpus and their long forms, for BM25
        common_words.txt      English words common enough not to be a question's focus (from wordfreq, at build time)
        passages.faiss        passage vectors, inner product on unit vectors (= cosine)
        sentences.faiss       sentence vectors, in passage order
        bm25.npz, bm25.json   BM25 scores of every term in every passage, and how text was split (bot.search.lexical)

A build writes a new version folder and switches CURRENT to it atomically
(``bot.search.store``): killing it at any moment leaves the previous version live.
Loading checks every file against the sha256 recorded in the manifest, and
refuses an index of another format, model or dimension with the command that
fixes it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.errors import IndexCorrupt, IndexMismatch, IndexMissing
from bot.ingest.chunking import CHUNKER_VERSION
from bot.ingest.corpus import file_hashes
from bot.records import Document, Passage, document_from, passage_from
from bot.search import ann
from bot.search.backend import FaissSearch, SearchBackend
from bot.search.lexical import LexicalIndex, Tokenizer
from bot.search.store import (  # noqa: F401 - CURRENT re-exported
    CURRENT,
    BuildLock,
    hash_files,
    live_name,
    live_version,
    new_workspace,
    prune,
    publish,
    remove_leftovers,
    verify_files,
)

log = logging.getLogger(__name__)

#: Bump when the files or what goes into the vectors change.
FORMAT_VERSION = 6


@dataclass(frozen=True)
class Manifest:
    format: int
    model: str
    dim: int
    passages: int
    sentences: int
    chunker: int
    sources: dict[str, str]
    files: dict[str, str]
    created: str
    warnings: tuple[str, ...] = ()
    reading: tuple[str, ...] = ()  # per file: sections, passages, code blocks, visible words kept
    embedded: int = -1  # texts this build embedded (-1: built without the embedding cache)
    reused: int = 0  # texts it took from the embedding cache instead


@dataclass(frozen=True)
class Status:
    state: str  # fresh | missing | stale
    reason: str = ""


# --- status and loading -------------------------------------------------------------


def read_manifest(folder: Path) -> Manifest:
    """The manifest, refused with the fix when it is unreadable or of another format."""
    try:
        raw = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"The index manifest in {folder} is unreadable ({exc}): run `python -m bot index --rebuild`.") from exc
    return manifest_from(raw, folder, folder.parent)


def manifest_from(raw: object, where: object, index: object) -> Manifest:
    """A manifest read from JSON (a version folder's file, or a vector engine's collection metadata)."""
    version = raw.get("format") if isinstance(raw, dict) else None
    if not isinstance(version, int):
        raise IndexCorrupt(f"The index manifest in {where} has no format number: run `python -m bot index --rebuild`.")
    if version > FORMAT_VERSION:
        raise IndexMismatch(
            f"The index in {index} has format {version}, written by a newer version of the bot; this version reads "
            f"format {FORMAT_VERSION}: upgrade the bot, or run `python -m bot index --rebuild` to rebuild it for this version."
        )
    if version < FORMAT_VERSION:
        raise IndexMismatch(
            f"The index in {index} has format {version}, written by an older version of the bot; this version reads "
            f"format {FORMAT_VERSION}: run `python -m bot index --rebuild`."
        )
    try:
        raw = {**raw, "warnings": tuple(raw.get("warnings", ())), "reading": tuple(raw.get("reading", ()))}
        return Manifest(**raw)
    except (TypeError, ValueError) as exc:
        raise IndexCorrupt(f"The index manifest in {where} is unreadable ({exc}): run `python -m bot index --rebuild`.") from exc


def check_manifest(manifest: Manifest, model: str | None, dim: int | None, where: object) -> None:
    """Refuse an index built for another model or dimension, with the fix."""
    if model is not None and manifest.model != model:
        raise IndexMismatch(
            f"The index was built with model {manifest.model!r} but {model!r} is configured: run `python -m bot index --rebuild`, "
            "or set BOT_EMBED_MODEL to the index's model."
        )
    if dim is not None and manifest.dim != dim:
        raise IndexMismatch(
            f"The index in {where} holds {manifest.dim}-dimensional vectors but the model {model or manifest.model!r} gives {dim}: "
            "run `python -m bot index --rebuild`."
        )


def index_status(corpus_dir: Path, index_dir: Path, model: str) -> Status:
    """Is the index there, and was it built from this corpus with this model?"""
    try:
        manifest = read_manifest(live_version(index_dir))
    except IndexMissing:
        return Status("missing", "no index yet")
    except (IndexCorrupt, IndexMismatch) as exc:
        return Status("stale", str(exc))
    if manifest.chunker != CHUNKER_VERSION:
        return Status("stale", "chunking has changed since the index was built")
    if manifest.model != model:
        return Status("stale", f"built with model {manifest.model!r}, configured model is {model!r}")
    current = file_hashes(corpus_dir)
    if current != manifest.sources:
        changed = sorted(set(current) ^ set(manifest.sources) | {k for k in current if manifest.sources.get(k) != current[k]})
        return Status("stale", "corpus changed: " + ", ".join(changed[:5]) + (" …" if len(changed) > 5 else ""))
    return Status("fresh")


@dataclass(frozen=True)
class LoadedIndex:
    """Everything retrieval needs, in memory."""

    folder: Path
    manifest: Manifest
    documents: dict[str, Document]
    passages: tuple[Passage, ...]
    search: SearchBackend  # vectors and BM25: FAISS files (FaissSearch) or a vector engine (bot.search.qdrant)
    tokenizer: Tokenizer  # how the passages were split into BM25 terms
    acronyms: dict[str, str]
    common_words: frozenset[str]  # English words too common to be a question's focus (bot.answer.focus)

    def terms(self, text: str) -> list[str]:
        """The BM25 terms of a text, split as the passages were, acronyms expanded both ways."""
        return self.tokenizer.terms(text, self.acronyms)


def load_index(index_dir: Path, model: str | None = None, dim: int | None = None) -> LoadedIndex:
    """Load the live version, verifying every file; refuse one built for another model or dimension."""
    folder = live_version(index_dir)
    try:
        return _load_version(folder, model, dim)
    except IndexCorrupt:
        # A build that finished meanwhile may have switched versions and removed this one: read the new one.
        if live_name(index_dir) == folder.name:
            raise
        return _load_version(live_version(index_dir), model, dim)


@dataclass(frozen=True)
class Records:
    """What a version holds besides vectors and BM25 scores: read from its files, wherever they are kept."""

    documents: dict[str, Document]
    passages: tuple[Passage, ...]
    acronyms: dict[str, str]
    common_words: frozenset[str]


def read_records(read: Callable[[str], str]) -> Records:
    """The records of a version, given a function that returns one of its text files by name."""
    documents = {d["doc_id"]: document_from(d) for d in _jsonl(read("documents.jsonl"))}
    passages = tuple(passage_from(row) for row in _jsonl(read("passages.jsonl")))
    return Records(documents, passages, json.loads(read("acronyms.json")), frozenset(read("common_words.txt").split()))


def check_records(records: Records, manifest: Manifest, passage_count: int, sentence_count: int, dim: int, where: object) -> None:
    """Refuse a version whose parts do not fit together (vector, passage and document counts)."""
    counts = [len(p.sentences) for p in records.passages]
    if (
        passage_count != len(records.passages)
        or sentence_count != sum(counts)
        or dim != manifest.dim
        or len(records.passages) != manifest.passages
        or sum(counts) != manifest.sentences
        or any(p.pid != i or p.doc_id not in records.documents for i, p in enumerate(records.passages))
    ):
        raise IndexCorrupt(
            f"The index in {where} is inconsistent (vector, passage and document counts differ): run `python -m bot index --rebuild`."
        )


def _load_version(folder: Path, model: str | None, dim: int | None) -> LoadedIndex:
    import faiss

    manifest = read_manifest(folder)
    check_manifest(manifest, model, dim, folder.parent)
    _verify_files(folder, manifest)
    try:
        records = read_records(lambda name: (folder / name).read_text(encoding="utf-8"))
        pvecs = faiss.read_index(str(folder / "passages.faiss"))
        svecs = faiss.read_index(str(folder / "sentences.faiss"))
        for vectors in (pvecs, svecs):
            ann.prepare(vectors)
        lexical = LexicalIndex.load(folder)
    except Exception as exc:  # noqa: BLE001 - whatever broke, the fix is the same
        raise IndexCorrupt(f"The index in {folder} could not be read ({exc}): run `python -m bot index --rebuild`.") from exc
    check_records(records, manifest, pvecs.ntotal, svecs.ntotal, pvecs.d if pvecs.d == svecs.d else -1, folder)
    if lexical.passages != len(records.passages):
        raise IndexCorrupt(f"The index in {folder} is inconsistent (BM25 and passage counts differ): run `python -m bot index --rebuild`.")
    owner, offsets = sentence_rows(records.passages)
    search = FaissSearch(pvecs, svecs, owner, offsets, lexical)
    return LoadedIndex(
        folder, manifest, records.documents, records.passages, search, lexical.tokenizer, records.acronyms, records.common_words
    )


def sentence_rows(passages: tuple[Passage, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Sentence row -> passage id, and passage id -> first sentence row: sentences are stored in passage order."""
    counts = [len(p.sentences) for p in passages]
    owner = np.repeat(np.arange(len(passages), dtype=np.int64), counts)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64) if counts else np.zeros(0, dtype=np.int64)
    return owner, offsets


#: Files every version holds, besides manifest.json.
REQUIRED_FILES = (
    "documents.jsonl",
    "passages.jsonl",
    "acronyms.json",
    "common_words.txt",
    "passages.faiss",
    "sentences.faiss",
    "bm25.npz",
    "bm25.json",
)


def _verify_files(folder: Path, manifest: Manifest) -> None:
    listed = set(manifest.files)
    unlisted = [n for n in REQUIRED_FILES if n not in listed]
    if unlisted:
        raise IndexCorrupt(f"The index manifest in {folder} does not list {', '.join(unlisted)}: run `python -m bot index --rebuild`.")
    verify_files(folder, manifest.files)


def _jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
