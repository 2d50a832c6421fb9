"""Qdrant Edge behind the search backend: the Qdrant server's own engine, in process, on local disk.

``BOT_INDEX_URL=edge:///FOLDER/NAME`` selects it. Qdrant Edge (``qdrant-edge-py``) runs the
segments, HNSW graphs and sparse indexes of a Qdrant server inside the chat process, with no
server to run: the nearest real form of the engine that runs here, and a way to serve from the
engine's on-disk layout on one machine. It has shards but no collections or aliases, so an index
is versioned as the embedded default is (``bot.search.store``): ``FOLDER/NAME`` holds versions,
and ``CURRENT`` names the live one. A version holds

    passages/    an Edge shard: point id = passage id; "dense" (dot product) and "bm25" (sparse) vectors
    sentences/   an Edge shard: point id = sentence row; "dense", and the passage id in the payload
    the local version's text files, its manifest, the BM25 document frequencies, and source.txt
    (the name of the local version it was copied from)

A version is written once and never changed, so its shards have no write-ahead log: they are
flushed before the version goes live (and fsynced with it), and any number of chat processes can
open them at once (a WAL would lock each shard to one).

BM25 travels as sparse vectors with global IDF exactly as for a Qdrant server (``bot.search.qdrant``):
the same rows (``bot.search.qdrant_publish.bm25_rows``), so the scores are the embedded path's.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.config import TUNING
from bot.errors import IndexCorrupt, IndexMissing
from bot.search.backend import LexicalHits
from bot.search.index import LoadedIndex, check_manifest, check_records, manifest_from, read_manifest, read_records, sentence_rows
from bot.search.lexical import LexicalIndex, Tokenizer
from bot.search.qdrant import DF_FILE
from bot.search.store import BuildLock, live_name, live_version, new_workspace, prune, remove_leftovers
from bot.search.store import publish as switch_to

SCHEME = "edge://"
FILES = ("manifest.json", "documents.jsonl", "passages.jsonl", "acronyms.json", "common_words.txt", "bm25.json")
SOURCE = "source.txt"
BATCH = 1024  # points per update


def folder_of(url: str) -> Path:
    """``edge:///FOLDER/NAME`` -> FOLDER/NAME; anything else is refused with the form."""
    path = url[len(SCHEME) :] if url.startswith(SCHEME) else ""
    if not path.startswith("/") or path.rstrip("/") in ("", "/") or not Path(path).name:
        raise IndexMissing(f"BOT_INDEX_URL={url!r} is not a Qdrant Edge address: use edge:///FOLDER/NAME (an absolute path).")
    return Path(path.rstrip("/"))


def _edge():
    try:
        import qdrant_edge
    except ImportError as exc:
        raise IndexMissing(f"Qdrant Edge is not installed ({exc}): run `make install`, or unset BOT_INDEX_URL.") from exc
    return qdrant_edge


# --- publishing ---------------------------------------------------------------------


def publish(index_dir: Path, url: str) -> str:
    """Copy the live local version into a new Edge version and make it live; returns the local version's name."""
    from bot.search.qdrant_publish import passage_batches, sentence_batches

    qe = _edge()
    source = live_version(index_dir)
    manifest = read_manifest(source)
    target = folder_of(url)
    target.mkdir(parents=True, exist_ok=True)
    with BuildLock(target):
        remove_leftovers(target)
        previous = live_name(target)
        work = new_workspace(target)
        dense = {"dense": qe.EdgeVectorParams(size=manifest.dim, distance=qe.Distance.Dot)}
        passages = qe.EdgeShard.create(str(work / "passages"), edge_config(qe, dense, sparse_vectors={"bm25": qe.EdgeSparseVectorParams()}))
        lexical = LexicalIndex.load(source)
        for lo, block, rows in passage_batches(source, manifest, lexical, BATCH):
            points = [
                qe.Point(lo + i, {"dense": v.tolist(), "bm25": qe.SparseVector(*r)}, {"pid": lo + i})
                for i, (v, r) in enumerate(zip(block, rows, strict=True))
            ]
            passages.update(qe.UpdateOperation.upsert_points(points))
        finish(passages)
        sentences = qe.EdgeShard.create(str(work / "sentences"), edge_config(qe, dense))
        for lo, block, owner in sentence_batches(source, manifest, BATCH):
            points = [qe.Point(lo + i, {"dense": v.tolist()}, {"pid": int(o)}) for i, (v, o) in enumerate(zip(block, owner, strict=True))]
            sentences.update(qe.UpdateOperation.upsert_points(points))
        finish(sentences)
        for name in FILES:
            shutil.copyfile(source / name, work / name)
        (work / DF_FILE).write_text(json.dumps(lexical.document_frequency(), ensure_ascii=False), encoding="utf-8")
        (work / SOURCE).write_text(source.name + "\n", encoding="utf-8")
        version = switch_to(work, target)
        prune(target, {version, previous} - {""})  # this version and the one before it
    return source.name


def edge_config(qe, dense: dict, **more):
    """A new shard's configuration: no write-ahead log (see the module docstring), HNSW as Tuning says."""
    hnsw = qe.HnswIndexConfig(m=TUNING.engine_hnsw_m, ef_construct=TUNING.engine_hnsw_ef_construct, full_scan_threshold=10_000)
    return qe.EdgeConfig(vectors=dense, wal_enabled=False, hnsw_config=hnsw, **more)


def finish(shard) -> None:
    """Build the shard's HNSW graphs and indexes now (not at the first question), write it and let it go."""
    shard.optimize()
    shard.flush()
    shard.close()


def live(url: str) -> str:
    """The name of the local version the Edge index was copied from, or "" when it has none."""
    folder = folder_of(url)
    name = live_name(folder)
    if not name:
        return ""
    try:
        return (folder / name / SOURCE).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


# --- connecting ---------------------------------------------------------------------


def connect(url: str, model: str | None = None, dim: int | None = None) -> LoadedIndex:
    """The live Edge version, checked as a local one is; its texts read once, its vectors searched in the engine."""
    qe = _edge()
    folder = folder_of(url)
    if not live_name(folder):
        raise IndexMissing(f"No Qdrant Edge index in {folder}: run `python -m bot index`.")
    version = live_version(folder)
    manifest = _manifest(version, url)
    check_manifest(manifest, model, dim, url)
    try:
        records = read_records(lambda name: (version / name).read_text(encoding="utf-8"))
        settings = json.loads((version / "bm25.json").read_text(encoding="utf-8"))
        df = json.loads((version / DF_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError) as exc:
        raise IndexCorrupt(f"The Qdrant Edge index in {version} is missing a part ({exc}): run `python -m bot index --rebuild`.") from exc
    try:
        passages, sentences = (qe.EdgeShard.load(str(version / kind)) for kind in ("passages", "sentences"))
    except Exception as exc:  # noqa: BLE001 - the engine raises a bare Exception for a missing or damaged shard
        raise IndexCorrupt(f"The Qdrant Edge index in {version} is missing a part ({exc}): run `python -m bot index --rebuild`.") from exc
    counts = [shard.count(qe.CountRequest(exact=True)) for shard in (passages, sentences)]
    check_records(records, manifest, counts[0], counts[1], manifest.dim, url)
    vocab = {str(t): int(c) for t, c in settings["vocab"].items()}
    search = EdgeSearch(passages, sentences, vocab, df, sentence_rows(records.passages)[1], manifest.passages)
    tokenizer = Tokenizer.from_settings(settings)
    return LoadedIndex(version, manifest, records.documents, records.passages, search, tokenizer, records.acronyms, records.common_words)


def _manifest(version: Path, url: str):
    try:
        return manifest_from(json.loads((version / "manifest.json").read_text(encoding="utf-8")), version, url)
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(
            f"The Qdrant Edge index in {version} has no readable manifest ({exc}): run `python -m bot index --rebuild`."
        ) from exc


def manifest(url: str):
    """The manifest of the live Edge version (None when there is none): a replica compares it with its own."""
    folder = folder_of(url)
    return _manifest(live_version(folder), url) if live_name(folder) else None


@dataclass(frozen=True)
class EdgeSearch:
    """The search backend over a version's Edge shards."""

    passage_shard: object  # qdrant_edge.EdgeShard
    sentence_shard: object
    vocab: dict[str, int]  # BM25 term -> sparse index
    df: dict[str, int]
    sentence_offsets: np.ndarray
    count: int

    @property
    def exact(self) -> bool:
        """As the embedded default: exact search up to Tuning.exact_up_to vectors, the engine's HNSW index past it."""
        return self.count <= TUNING.exact_up_to

    def _nearest(self, shard, query: np.ndarray, k: int, payload):
        qe = _edge()
        if k <= 0:
            return []
        params = qe.SearchParams(exact=True) if self.exact else qe.SearchParams(hnsw_ef=TUNING.engine_hnsw_ef)
        nearest = qe.Query.Nearest(query.astype(np.float32).tolist(), using="dense")
        return shard.query(qe.QueryRequest(limit=k, query=nearest, with_payload=payload, params=params))

    def passages(self, query: np.ndarray, k: int) -> dict[int, float]:
        return {int(p.id): float(p.score) for p in self._nearest(self.passage_shard, query, k, False)}

    def sentences(self, query: np.ndarray, k: int) -> dict[int, float]:
        best: dict[int, float] = {}
        for p in self._nearest(self.sentence_shard, query, k, True):
            pid = int(p.payload["pid"])
            best[pid] = max(best.get(pid, -1.0), float(p.score))
        return best

    def sentence_vectors_of(self, pid: int, count: int) -> np.ndarray:
        first = int(self.sentence_offsets[pid])
        records = self.sentence_shard.retrieve(list(range(first, first + count)), False, ["dense"])
        by_id = {int(r.id): r.vector["dense"] for r in records}
        return np.asarray([by_id[i] for i in range(first, first + count)], dtype=np.float32).reshape(count, -1)

    def lexical(self, terms: Sequence[str], k: int, among: Iterable[int]) -> LexicalHits:
        qe = _edge()
        among = sorted(set(among))
        counts = Counter(self.vocab[t] for t in terms if t in self.vocab)
        if not counts:
            return LexicalHits({}, {p: 0.0 for p in among}, 0.0)
        query = qe.Query.Nearest(qe.SparseVector(list(counts), [float(c) for c in counts.values()]), using="bm25")
        top = self.passage_shard.query(qe.QueryRequest(limit=k, query=query, with_payload=False))
        scores = {int(p.id): float(p.score) for p in top if p.score > 0}
        of = {p: 0.0 for p in among}
        if among:
            found = self.passage_shard.query(
                qe.QueryRequest(limit=len(among), query=query, filter=qe.Filter(must=[qe.HasIdCondition(set(among))]), with_payload=False)
            )
            of.update({int(p.id): float(p.score) for p in found})
        return LexicalHits(scores, of, max(scores.values(), default=0.0))

    def document_frequency(self) -> dict[str, int]:
        return dict(self.df)

    def describe(self) -> str:
        return f"Qdrant Edge ({'exact' if self.exact else 'HNSW'})"
