"""Publishing a built index version to Qdrant: new collections, then the aliases moved to them in one request.

The layout and how BM25 travels as sparse vectors: ``bot.search.qdrant``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from bot.config import TUNING
from bot.search.index import live_version, read_manifest, read_records, sentence_rows
from bot.search.lexical import LexicalIndex
from bot.search.qdrant import DF_FILE, KINDS, parse, reachable

#: Text files of a version kept in the engine (the vectors and BM25 scores go into points).
FILES = ("documents.jsonl", "passages.jsonl", "acronyms.json", "common_words.txt", "bm25.json")
PART_CHARS = 1_000_000  # a file is kept in parts of this many characters (a request stays far under 32 MB)
BATCH = 256  # points per upsert


def publish(index_dir: Path, url: str) -> str:
    """Copy the live local version into new collections and move the aliases to them; returns the version name."""
    from qdrant_client import models

    location = parse(url)
    folder = live_version(index_dir)
    manifest = read_manifest(folder)
    client = reachable(location)
    version = folder.name.lower()
    names = {kind: f"{location.name}-{version}-{kind}" for kind in KINDS}
    meta = {"manifest": (folder / "manifest.json").read_text(encoding="utf-8"), "version": folder.name}
    for kind, collection in names.items():
        if client.collection_exists(collection):
            client.delete_collection(collection)  # a publish killed before its switch: start it again
        vectors = {} if kind == "files" else {"dense": models.VectorParams(size=manifest.dim, distance=models.Distance.DOT)}
        sparse = {"bm25": models.SparseVectorParams()} if kind == "passages" else None
        hnsw = models.HnswConfigDiff(m=TUNING.engine_hnsw_m, ef_construct=TUNING.engine_hnsw_ef_construct)
        client.create_collection(collection, vectors_config=vectors, sparse_vectors_config=sparse, hnsw_config=hnsw, metadata=meta)

    lexical = LexicalIndex.load(folder)
    for lo, dense, rows in passage_batches(folder, manifest, lexical, BATCH):
        points = [
            models.PointStruct(
                id=lo + i, vector={"dense": v.tolist(), "bm25": models.SparseVector(indices=r[0], values=r[1])}, payload={"pid": lo + i}
            )
            for i, (v, r) in enumerate(zip(dense, rows, strict=True))
        ]
        client.upsert(names["passages"], points, wait=True)
    for lo, dense, owner in sentence_batches(folder, manifest, BATCH):
        points = [
            models.PointStruct(id=lo + i, vector={"dense": v.tolist()}, payload={"pid": int(o)})
            for i, (v, o) in enumerate(zip(dense, owner, strict=True))
        ]
        client.upsert(names["sentences"], points, wait=True)
    texts = {name: (folder / name).read_text(encoding="utf-8") for name in FILES}
    texts[DF_FILE] = json.dumps(lexical.document_frequency(), ensure_ascii=False)
    point = 0
    for name, text in texts.items():
        parts = max(1, math.ceil(len(text) / PART_CHARS))
        for part in range(parts):
            chunk = text[part * PART_CHARS : (part + 1) * PART_CHARS]
            client.upsert(
                names["files"], [models.PointStruct(id=point, vector={}, payload={"name": name, "part": part, "text": chunk})], wait=True
            )
            point += 1

    before = {a.alias_name: a.collection_name for a in client.get_aliases().aliases}
    operations = [
        models.CreateAliasOperation(create_alias=models.CreateAlias(collection_name=names[k], alias_name=location.alias(k))) for k in KINDS
    ]
    client.update_collection_aliases(operations)  # one request: the three move together
    previous = {before.get(location.alias(k)) for k in KINDS} - {None}
    mine = f"{location.name}-v-"
    for c in client.get_collections().collections:
        if c.name.startswith(mine) and c.name not in previous and c.name not in names.values():
            client.delete_collection(c.name)  # keep this version and the one before it
    return folder.name


def live(url: str) -> str:
    """The name of the version the engine serves, or "" when it has none."""
    location = parse(url)
    client = reachable(location)
    aliases = {a.alias_name: a.collection_name for a in client.get_aliases().aliases}
    collection = aliases.get(location.alias("passages"))
    if not collection:
        return ""
    return str((client.get_collection(collection).config.metadata or {}).get("version", ""))


def passage_batches(folder: Path, manifest, lexical: LexicalIndex, batch: int):
    """A version's passages for an engine, ``batch`` at a time: (first passage id, dense vectors, BM25 rows)."""
    import faiss

    rows = bm25_rows(lexical)
    vectors = faiss.read_index(str(folder / "passages.faiss"))
    for lo in range(0, manifest.passages, batch):
        hi = min(lo + batch, manifest.passages)
        yield lo, vectors.reconstruct_n(lo, hi - lo), rows[lo:hi]


def sentence_batches(folder: Path, manifest, batch: int):
    """A version's sentences for an engine, ``batch`` at a time: (first sentence row, dense vectors, owning passage ids)."""
    import faiss

    owner = sentence_rows(read_records(lambda name: (folder / name).read_text(encoding="utf-8")).passages)[0]
    vectors = faiss.read_index(str(folder / "sentences.faiss"))
    for lo in range(0, manifest.sentences, batch):
        hi = min(lo + batch, manifest.sentences)
        yield lo, vectors.reconstruct_n(lo, hi - lo), owner[lo:hi]


def bm25_rows(lexical: LexicalIndex) -> list[tuple[list[int], list[float]]]:
    """Each passage's (term columns, BM25 scores): the score matrix read by rows instead of columns."""
    columns = np.repeat(np.arange(len(lexical.indptr) - 1), np.diff(lexical.indptr))
    order = np.lexsort((columns, lexical.indices))
    starts = np.searchsorted(lexical.indices[order], np.arange(lexical.passages + 1))
    out = []
    for pid in range(lexical.passages):
        sel = order[starts[pid] : starts[pid + 1]]
        out.append((columns[sel].tolist(), lexical.data[sel].astype(float).tolist()))
    return out
