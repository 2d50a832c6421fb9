"""Index: passages, their vectors (FAISS) and BM25, saved and loaded as one version.

Layout of the index folder::

    index/
      CURRENT                 name of the live version folder (replaced atomically)
      v-<time>-<id>/          one complete build
        manifest.json         format, model, dimension, counts, source hashes, file hashes
        documents.jsonl       the documents (metadata and text), for context and metadata answers
        passages.jsonl        the passages with offsets and sentence spans
        acronyms.json         acronyms of the corpus and their long forms, for BM25
        passages.faiss        passage vectors, inner product on unit vectors (= cosine)
        sentences.faiss       sentence vectors, in passage order
        bm25/                 the BM25 index (bm25s)

A build writes a new version folder completely, then renames a new CURRENT into
place, so a crash at any moment leaves the previous version live. Loading checks
every file against the sha256 recorded in the manifest.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import ann
from .chunking import CHUNKER_VERSION, Passage, chunk_documents
from .corpus import Document, file_hashes, load_corpus
from .embedding import Embedder
from .errors import CorpusError, IndexCorrupt, IndexMismatch, IndexMissing
from .text import expand_acronyms, find_acronyms, for_model

#: Bump when the files or what goes into the vectors change.
FORMAT_VERSION = 2
CURRENT = "CURRENT"
_KEEP_OLD_VERSIONS = 1


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


@dataclass(frozen=True)
class Status:
    state: str  # fresh | missing | stale
    reason: str = ""


# --- what the models see ------------------------------------------------------------


def passage_view(p: Passage) -> str:
    """The text embedded and BM25-indexed for a passage: title, parent heading, heading, body."""
    heading = "" if p.text.startswith(p.heading) else p.heading  # the first passage of a section quotes it
    parts = [p.title, p.parent, heading, p.text]
    return for_model(". ".join(x.strip().rstrip(".") for x in parts if x.strip()))


def sentence_view(p: Passage, text: str) -> str:
    """The text embedded for one sentence: the section heading gives it context."""
    return for_model(f"{p.heading}. {text}" if p.heading else text)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def bm25_tokens(texts: list[str], acronyms: dict[str, str] | None = None) -> list[list[str]]:
    """Stemmed BM25 terms, stop words left out; acronyms expanded both ways when given."""
    import bm25s

    if acronyms:
        texts = [expand_acronyms(t, acronyms) for t in texts]
    return bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), show_progress=False, return_ids=False)


# --- building ---------------------------------------------------------------------


def build_index(corpus_dir: Path, index_dir: Path, embedder: Embedder) -> Manifest:
    """Read the corpus, chunk, embed and write a new index version; switch to it atomically."""
    import bm25s
    import faiss

    index_dir.mkdir(parents=True, exist_ok=True)
    with _build_lock(index_dir):
        sources = file_hashes(corpus_dir)
        load = load_corpus(corpus_dir)
        if not load.documents:
            detail = f" ({'; '.join(load.warnings)})" if load.warnings else ""
            raise CorpusError(f"No readable articles in {corpus_dir}{detail}: add .txt, .md, .html or .pdf files.")
        passages = chunk_documents(load.documents)
        if not passages:
            raise CorpusError(f"The articles in {corpus_dir} gave no passages: are they empty?")
        docs_by_id = {d.doc_id: d for d in load.documents}
        sentence_texts = [
            sentence_view(p, docs_by_id[p.doc_id].text[s:e]) for p in passages for s, e in p.sentences
        ]
        acronyms = find_acronyms([d.text for d in load.documents])
        pvecs = embedder.encode([passage_view(p) for p in passages])
        svecs = embedder.encode(sentence_texts)
        dim = int(pvecs.shape[1])

        work = index_dir / f".tmp-{uuid.uuid4().hex[:8]}"
        work.mkdir()
        try:
            _write_jsonl(work / "documents.jsonl", (asdict(d) for d in load.documents))
            _write_jsonl(work / "passages.jsonl", (asdict(p) for p in passages))
            for name, vecs in (("passages.faiss", pvecs), ("sentences.faiss", svecs)):
                faiss.write_index(ann.build(vecs, ann.choose(len(vecs), dim)), str(work / name))
            (work / "acronyms.json").write_text(json.dumps(acronyms, indent=2), encoding="utf-8")
            bm25 = bm25s.BM25()
            views = [expand_acronyms(passage_view(p), acronyms) for p in passages]
            bm25.index(bm25s.tokenize(views, stopwords="en", stemmer=_stemmer(), show_progress=False), show_progress=False)
            bm25.save(str(work / "bm25"), show_progress=False)
            manifest = Manifest(
                format=FORMAT_VERSION,
                model=embedder.name,
                dim=dim,
                passages=len(passages),
                sentences=len(sentence_texts),
                chunker=CHUNKER_VERSION,
                sources=sources,
                files=_hash_files(work),
                created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                warnings=load.warnings,
            )
            (work / "manifest.json").write_text(json.dumps(asdict(manifest), indent=2, ensure_ascii=False), encoding="utf-8")
            _fsync_tree(work)
            # Microseconds in the name: versions sort in build order even within one second.
            now = time.time()
            version = f"v-{time.strftime('%Y%m%d%H%M%S', time.gmtime(now))}{int(now * 1e6) % 1_000_000:06d}-{uuid.uuid4().hex[:6]}"
            os.rename(work, index_dir / version)
            _fsync_dir(index_dir)
            pointer = index_dir / f".{CURRENT}.{uuid.uuid4().hex[:6]}"
            pointer.write_text(version + "\n", encoding="utf-8")
            _fsync_file(pointer)
            os.replace(pointer, index_dir / CURRENT)
            _fsync_dir(index_dir)
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)
        _remove_old_versions(index_dir, keep=version)
        return manifest


class _build_lock:
    """One build at a time per index folder (an advisory lock)."""

    def __init__(self, index_dir: Path) -> None:
        self.path = index_dir / ".lock"

    def __enter__(self):
        self.fh = open(self.path, "w")
        fcntl.flock(self.fh, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def _write_jsonl(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _hash_files(folder: Path) -> dict[str, str]:
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != "manifest.json":
            out[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    _fsync_file(path)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        _fsync_file(path)
    _fsync_dir(folder)


def _remove_old_versions(index_dir: Path, keep: str) -> None:
    versions = sorted(p for p in index_dir.glob("v-*") if p.is_dir() and p.name != keep)
    for old in versions[: max(0, len(versions) - _KEEP_OLD_VERSIONS)]:
        shutil.rmtree(old, ignore_errors=True)
    for tmp in index_dir.glob(".tmp-*"):
        shutil.rmtree(tmp, ignore_errors=True)


# --- status and loading -------------------------------------------------------------


def live_version(index_dir: Path) -> Path:
    pointer = index_dir / CURRENT
    if not pointer.is_file():
        raise IndexMissing(f"No index in {index_dir}: run `python -m bot index`.")
    folder = index_dir / pointer.read_text(encoding="utf-8").strip()
    if not folder.is_dir() or not folder.name.startswith("v-"):
        raise IndexCorrupt(f"{pointer} names {folder.name!r}, which is not there: run `python -m bot index` to rebuild.")
    return folder


def read_manifest(folder: Path) -> Manifest:
    try:
        raw = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        raw["warnings"] = tuple(raw.get("warnings", ()))
        return Manifest(**raw)
    except (OSError, ValueError, TypeError) as exc:
        raise IndexCorrupt(f"The index manifest in {folder} is unreadable ({exc}): run `python -m bot index` to rebuild.") from exc


def index_status(corpus_dir: Path, index_dir: Path, model: str) -> Status:
    """Is the index there, and was it built from this corpus with this model?"""
    try:
        manifest = read_manifest(live_version(index_dir))
    except IndexMissing:
        return Status("missing", "no index yet")
    except IndexCorrupt as exc:
        return Status("stale", str(exc))
    if manifest.format != FORMAT_VERSION:
        return Status("stale", f"index format {manifest.format}, this version reads {FORMAT_VERSION}")
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
    passage_vectors: object  # faiss.Index
    sentence_vectors: object  # faiss.Index
    sentence_owner: np.ndarray  # sentence row -> passage id
    sentence_offsets: np.ndarray  # passage id -> first sentence row
    bm25: object  # bm25s.BM25
    acronyms: dict[str, str]


def load_index(index_dir: Path, model: str | None = None) -> LoadedIndex:
    """Load the live version, verifying every file; refuse one built for another model."""
    import bm25s
    import faiss

    folder = live_version(index_dir)
    manifest = read_manifest(folder)
    if manifest.format != FORMAT_VERSION:
        raise IndexMismatch(
            f"The index in {index_dir} has format {manifest.format}; this version reads {FORMAT_VERSION}: run `python -m bot index` to rebuild."
        )
    if model is not None and manifest.model != model:
        raise IndexMismatch(
            f"The index was built with model {manifest.model!r} but {model!r} is configured: run `python -m bot index` to rebuild, "
            "or set BOT_EMBED_MODEL to the index's model."
        )
    _verify_files(folder, manifest)
    try:
        documents = {d["doc_id"]: Document(**d) for d in _read_jsonl(folder / "documents.jsonl")}
        passages = tuple(
            Passage(**{**row, "sentences": tuple(tuple(s) for s in row["sentences"])}) for row in _read_jsonl(folder / "passages.jsonl")
        )
        pvecs = faiss.read_index(str(folder / "passages.faiss"))
        svecs = faiss.read_index(str(folder / "sentences.faiss"))
        for vectors in (pvecs, svecs):
            ann.prepare(vectors)
        bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False)
        acronyms = json.loads((folder / "acronyms.json").read_text(encoding="utf-8"))
    except Exception as exc:  # noqa: BLE001 - whatever broke, the fix is the same
        raise IndexCorrupt(f"The index in {folder} could not be read ({exc}): run `python -m bot index` to rebuild.") from exc
    counts = [len(p.sentences) for p in passages]
    if pvecs.ntotal != len(passages) or svecs.ntotal != sum(counts) or pvecs.d != manifest.dim or len(passages) != manifest.passages:
        raise IndexCorrupt(f"The index in {folder} is inconsistent (vector and passage counts differ): run `python -m bot index` to rebuild.")
    owner = np.repeat(np.arange(len(passages), dtype=np.int64), counts)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64) if counts else np.zeros(0, dtype=np.int64)
    return LoadedIndex(folder, manifest, documents, passages, pvecs, svecs, owner, offsets, bm25, acronyms)


def _verify_files(folder: Path, manifest: Manifest) -> None:
    actual = _hash_files(folder)
    for name, digest in manifest.files.items():
        if name not in actual:
            raise IndexCorrupt(f"Index file {name} is missing from {folder}: run `python -m bot index` to rebuild.")
        if actual[name] != digest:
            raise IndexCorrupt(f"Index file {name} in {folder} does not match its checksum (truncated or altered): run `python -m bot index` to rebuild.")


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
