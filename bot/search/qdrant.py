"""Qdrant behind the search backend: the same vectors and BM25 scores, in a vector engine that shards and replicates.

``BOT_INDEX_URL`` selects it; unset (or a path), the index is the embedded FAISS default.

    http://host:6333/faq       a Qdrant server (or cluster), index named "faq"
    file:///var/lib/faq/faq    qdrant-client's local mode on disk (the same client API, in process)
    memory:faq                 qdrant-client's local mode in memory (tests)

A build writes a local version as always (``bot.search.build``) and then publishes it
(``bot.search.qdrant_publish``): three new collections named after the version,

    <name>-<version>-passages   point id = passage id; "dense" (cosine) and "bm25" (sparse) vectors
    <name>-<version>-sentences  point id = sentence row; "dense", and the passage id in the payload
    <name>-<version>-files      the version's text files (documents, passages, acronyms, word lists,
                                the BM25 vocabulary and document frequencies), in parts of 1 MB

with the manifest in each collection's metadata. When all three are written, the aliases
``<name>-passages``, ``<name>-sentences`` and ``<name>-files`` are moved to them in one
request, and older versions but the one before are deleted: a build killed midway leaves the
previous version serving. Connecting checks the manifest (format, model, dimension) as the
embedded default does.

BM25 travels as sparse vectors. A passage's vector holds, for each term it contains, that
term's BM25 score in that passage, as bm25s computed it over the whole corpus at build time;
a question's vector holds each of its terms once per occurrence. Their dot product is the sum
a question's BM25 score is, so scores match the embedded path to float rounding. IDF is
therefore global: it is computed once over all passages before they are sharded, not per
shard (Qdrant's own IDF modifier would count each shard's documents apart). Adding
passages means a rebuild, as for the embedded index.
"""

from __future__ import annotations

import atexit
import json
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.config import TUNING
from bot.errors import IndexCorrupt, IndexMissing
from bot.search.backend import LexicalHits
from bot.search.index import LoadedIndex, check_manifest, check_records, manifest_from, read_records, sentence_rows
from bot.search.lexical import Tokenizer

KINDS = ("passages", "sentences", "files")
DF_FILE = "bm25_df.json"  # the BM25 document frequencies, beside the version's own text files


@dataclass(frozen=True)
class Location:
    """Where an index lives in Qdrant: how to reach it, and its name."""

    url: str  # as configured
    name: str
    server: str = ""  # http(s)://host:port
    path: str = ""  # local mode on disk; ":memory:" in memory

    def client(self):
        from qdrant_client import QdrantClient

        if self.server:
            return QdrantClient(url=self.server, timeout=30)
        return _local_client(self.path)

    def alias(self, kind: str) -> str:
        return f"{self.name}-{kind}"


_LOCAL: dict[str, object] = {}
_LOCAL_LOCK = threading.Lock()


def _local_client(path: str):
    """One local-mode client per folder (or for memory) per process: local mode locks its folder against a second
    client, and a build and a connect in one process must see the same collections."""
    from qdrant_client import QdrantClient

    with _LOCAL_LOCK:
        if not _LOCAL:
            atexit.register(_close_local)  # before the interpreter tears down what their own __del__ needs
        if path not in _LOCAL:
            _LOCAL[path] = QdrantClient(":memory:") if path == ":memory:" else QdrantClient(path=path)
        return _LOCAL[path]


def _close_local() -> None:
    with _LOCAL_LOCK:
        for client in _LOCAL.values():
            client.close()
        _LOCAL.clear()


def parse(url: str) -> Location:
    """``http(s)://host:port/name``, ``file:///folder/name`` or ``memory:name``; anything else is refused with the forms."""
    forms = "http://host:6333/NAME, file:///FOLDER/NAME or memory:NAME"
    if url.startswith("memory:"):
        name = url[len("memory:") :]
        path, server = ":memory:", ""
    elif url.startswith("file://"):
        folder, _, name = url[len("file://") :].rstrip("/").rpartition("/")
        path, server = folder, ""
    elif url.startswith(("http://", "https://")):
        scheme, _, rest = url.partition("://")
        host, _, name = rest.rstrip("/").partition("/")
        path, server = "", f"{scheme}://{host}"
    else:
        raise IndexMissing(f"BOT_INDEX_URL={url!r} is not a Qdrant address: use {forms}, or unset it for the embedded index.")
    if not name or "/" in name or not path and not server:
        raise IndexMissing(f"BOT_INDEX_URL={url!r} names no index: use {forms}.")
    return Location(url, name, server, path)


def reachable(location: Location):
    """A client that has answered once; an unreachable server is a clear error, not a stack trace."""
    try:
        client = location.client()
        client.get_collections()
        return client
    except Exception as exc:  # noqa: BLE001 - connection refused, DNS, timeouts, a locked local folder: one message
        raise IndexMissing(
            f"Cannot reach Qdrant at {location.server or location.path} ({exc.__class__.__name__}: {exc}): "
            "start it, fix BOT_INDEX_URL, or unset BOT_INDEX_URL for the embedded index."
        ) from exc


# --- connecting ---------------------------------------------------------------------


def connect(url: str, model: str | None = None, dim: int | None = None) -> LoadedIndex:
    """The live version in Qdrant, checked as a local one is; its texts read once, its vectors searched in the engine."""
    location = parse(url)
    client = reachable(location)
    aliases = {a.alias_name: a.collection_name for a in client.get_aliases().aliases}
    if location.alias("passages") not in aliases:
        raise IndexMissing(f"No index {location.name!r} in Qdrant at {location.server or location.path}: run `python -m bot index`.")
    names = {k: aliases.get(location.alias(k), "") for k in KINDS}
    manifest = _manifest(client, names["passages"], url)
    check_manifest(manifest, model, dim, url)
    texts = _files(client, names["files"])
    try:
        records = read_records(lambda name: texts[name])
        settings = json.loads(texts["bm25.json"])
        df = json.loads(texts[DF_FILE])
    except (KeyError, ValueError, TypeError) as exc:
        raise IndexCorrupt(
            f"The index {location.name!r} in Qdrant is missing a part ({exc}): run `python -m bot index --rebuild`."
        ) from exc
    counts = {k: client.count(names[k], exact=True).count for k in ("passages", "sentences")}
    check_records(records, manifest, counts["passages"], counts["sentences"], manifest.dim, url)
    tokenizer = Tokenizer.from_settings(settings)
    offsets = sentence_rows(records.passages)[1]
    vocab = {str(t): int(c) for t, c in settings["vocab"].items()}
    search = QdrantSearch(client, names["passages"], names["sentences"], vocab, df, offsets, manifest.passages, bool(location.server))
    return LoadedIndex(
        Path(location.url), manifest, records.documents, records.passages, search, tokenizer, records.acronyms, records.common_words
    )


def _manifest(client, collection: str, url: str):
    raw = (client.get_collection(collection).config.metadata or {}).get("manifest")
    try:
        return manifest_from(json.loads(raw), collection, url)
    except (TypeError, ValueError) as exc:
        raise IndexCorrupt(f"The collection {collection} has no readable manifest ({exc}): run `python -m bot index --rebuild`.") from exc


def manifest(url: str):
    """The manifest of the version the engine serves now (None when it has none): a replica compares it with its own."""
    location = parse(url)
    client = reachable(location)
    collection = {a.alias_name: a.collection_name for a in client.get_aliases().aliases}.get(location.alias("passages"))
    return _manifest(client, collection, url) if collection else None


def _files(client, collection: str) -> dict[str, str]:
    parts: dict[str, list[tuple[int, str]]] = {}
    offset = None
    while True:
        points, offset = client.scroll(collection, limit=64, offset=offset, with_payload=True)
        for p in points:
            parts.setdefault(p.payload["name"], []).append((int(p.payload["part"]), p.payload["text"]))
        if offset is None:
            break
    return {name: "".join(text for _, text in sorted(chunks)) for name, chunks in parts.items()}


@dataclass(frozen=True)
class QdrantSearch:
    """The search backend over a version's collections in Qdrant."""

    client: object
    passages_collection: str
    sentences_collection: str
    vocab: dict[str, int]  # BM25 term -> sparse index
    df: dict[str, int]
    sentence_offsets: np.ndarray
    count: int
    server: bool  # a Qdrant server (not the local mode)

    @property
    def exact(self) -> bool:
        """As the embedded default: exact search up to Tuning.exact_up_to vectors, the engine's HNSW index past it."""
        return self.count <= TUNING.exact_up_to

    def _search_params(self):
        from qdrant_client import models

        if not self.server:
            return None  # local mode always searches exactly
        return models.SearchParams(exact=True) if self.exact else models.SearchParams(hnsw_ef=TUNING.engine_hnsw_ef)

    def _nearest(self, collection: str, query: np.ndarray, k: int, **kw):
        if k <= 0:
            return []
        return self.client.query_points(
            collection, query=query.astype(np.float32).tolist(), using="dense", limit=k, search_params=self._search_params(), **kw
        ).points

    def passages(self, query: np.ndarray, k: int) -> dict[int, float]:
        return {int(p.id): float(p.score) for p in self._nearest(self.passages_collection, query, k, with_payload=False)}

    def sentences(self, query: np.ndarray, k: int) -> dict[int, float]:
        best: dict[int, float] = {}
        for p in self._nearest(self.sentences_collection, query, k, with_payload=["pid"]):
            pid = int(p.payload["pid"])
            best[pid] = max(best.get(pid, -1.0), float(p.score))
        return best

    def sentence_vectors_of(self, pid: int, count: int) -> np.ndarray:
        first = int(self.sentence_offsets[pid])
        records = self.client.retrieve(self.sentences_collection, ids=list(range(first, first + count)), with_vectors=["dense"])
        by_id = {int(r.id): r.vector["dense"] for r in records}
        return np.asarray([by_id[i] for i in range(first, first + count)], dtype=np.float32).reshape(count, -1)

    def lexical(self, terms: Sequence[str], k: int, among: Iterable[int]) -> LexicalHits:
        from qdrant_client import models

        among = sorted(set(among))
        counts = Counter(self.vocab[t] for t in terms if t in self.vocab)
        if not counts:
            return LexicalHits({}, {p: 0.0 for p in among}, 0.0)
        query = models.SparseVector(indices=list(counts), values=[float(c) for c in counts.values()])
        top = self.client.query_points(self.passages_collection, query=query, using="bm25", limit=k, with_payload=False).points
        scores = {int(p.id): float(p.score) for p in top if p.score > 0}
        of = {p: 0.0 for p in among}
        if among:
            found = self.client.query_points(
                self.passages_collection,
                query=query,
                using="bm25",
                limit=len(among),
                query_filter=models.Filter(must=[models.HasIdCondition(has_id=among)]),
                with_payload=False,
            ).points
            of.update({int(p.id): float(p.score) for p in found})
        return LexicalHits(scores, of, max(scores.values(), default=0.0))

    def document_frequency(self) -> dict[str, int]:
        return dict(self.df)

    def describe(self) -> str:
        return f"Qdrant ({'exact' if self.exact else 'HNSW'})"
