"""The build on Ray Data: documents chunked and texts embedded by workers of a Ray cluster.

``python -m bot index --ray auto`` joins the cluster ``RAY_ADDRESS`` or ``ray start`` made on
this machine, or starts a local one when there is none; ``--ray ADDRESS`` joins that cluster.
The build is ``bot.search.build.build_index`` with two stages handed to the cluster:

* chunking (sentence splitting is most of what reading costs): the documents as a Ray Dataset,
  ``map_batches`` of ``chunk_document`` over the workers;
* embedding: the texts as a Dataset, ``map_batches`` with one model per worker actor
  (``_Encoder``), each using the cores Ray gives it.

Reading files, BM25 and writing the version stay on the driver: they are a small share of a
build, and the version is written and switched atomically as always (or published to a vector
engine with ``BOT_INDEX_URL``). Every worker needs the project installed (the same
``requirements.lock``) and the model it is told to load. A text's vector does not depend on
the batch it was embedded in beyond float rounding, so the index equals a single-process
build's (``tests/test_ray_build.py``).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from bot.errors import ConfigError
from bot.records import Document, Passage, document_from, passage_from

log = logging.getLogger(__name__)

#: Texts per embedding batch sent to a worker, and documents per chunking batch.
EMBED_BATCH, CHUNK_BATCH = 1024, 4


@contextmanager
def cluster(address: str):
    """Ray initialized for the block: ``auto`` joins a running cluster or starts a local one; else join ``address``."""
    try:
        import ray
    except ImportError as exc:
        raise ConfigError(f"Ray is not installed ({exc}): run `make install` (ray[data] is in requirements.lock).") from exc
    os.environ.setdefault("RAY_DATA_DISABLE_PROGRESS_BARS", "1")
    try:
        if address == "auto":
            try:
                ray.init(address="auto", logging_level=logging.WARNING, log_to_driver=False)
            except ConnectionError:
                ray.init(logging_level=logging.WARNING, log_to_driver=False, include_dashboard=False)
        else:
            _check_reachable(address)
            ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
    except Exception as exc:  # noqa: BLE001 - unreachable head, bad address: one message with the fix
        raise ConfigError(f"Could not join the Ray cluster {address!r} ({exc.__class__.__name__}: {exc}): check --ray.") from exc
    try:
        yield ray
    finally:
        ray.shutdown()


def ensure_index_on(address: str | None, settings, embedder, rebuild: bool, progress) -> tuple[str, list[str], list[str]]:
    """``ensure_index`` with chunking and embedding on the cluster at ``address`` (the local model gives the name,
    runtime and dimension the workers must match); in this process when ``address`` is None."""
    from bot.search.build import ensure_index

    if not address:
        return ensure_index(settings, embedder, rebuild, progress)
    with cluster(address):
        on_cluster = RayEmbedder(embedder.name, embedder.backend or settings.embed_backend, settings.cache_dir, embedder.dim)
        return ensure_index(settings, on_cluster, rebuild, progress, chunk=chunk_on_cluster)


def _check_reachable(address: str, seconds: float = 5.0) -> None:
    """Fail fast on a head that does not answer (Ray itself retries for a minute or more)."""
    import socket

    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"{address!r} is not HOST:PORT")
    with socket.create_connection((host, int(port)), timeout=seconds):
        pass


def _cpus_per_worker() -> int:
    import ray

    nodes = [n for n in ray.nodes() if n.get("Alive")]
    per_node = min((int(n["Resources"].get("CPU", 1)) for n in nodes), default=1)
    return max(1, per_node)


class _Encoder:
    """One embedding model per Ray actor."""

    def __init__(self, name: str, backend: str, cache_dir: str) -> None:
        from bot.search.embedding import SentenceTransformerEmbedder

        self.embedder = SentenceTransformerEmbedder(name, backend=backend, cache_dir=Path(cache_dir))

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {"row": batch["row"], "vector": self.embedder.encode([str(t) for t in batch["text"]])}


class RayEmbedder:
    """An embedder whose ``encode`` runs on the cluster's workers (Ray Data ``map_batches`` over actors)."""

    def __init__(self, name: str, backend: str, cache_dir: Path, dim: int) -> None:
        self.name, self.backend, self.cache_dir, self._dim = name, backend, cache_dir, dim

    @property
    def dim(self) -> int:
        return self._dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import ray

        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        if not texts:
            return out
        cpus = _cpus_per_worker()
        workers = max(1, min(int(ray.cluster_resources().get("CPU", 1)) // cpus, -(-len(texts) // EMBED_BATCH)))
        ds = ray.data.from_items([{"row": i, "text": t} for i, t in enumerate(texts)])
        vectors = ds.map_batches(
            _Encoder,
            fn_constructor_args=(self.name, self.backend, str(self.cache_dir)),
            batch_size=EMBED_BATCH,
            batch_format="numpy",
            concurrency=workers,
            num_cpus=cpus,
        )
        for batch in vectors.iter_batches(batch_format="numpy", batch_size=None):
            out[batch["row"]] = batch["vector"]
        return out


def _chunk(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    from bot.ingest.chunking import chunk_document

    rows = []
    for raw in batch["document"]:
        doc = document_from(json.loads(str(raw)))
        rows.append(json.dumps([asdict(p) for p in chunk_document(doc)], ensure_ascii=False))
    return {"order": batch["order"], "passages": np.asarray(rows, dtype=object)}


def chunk_on_cluster(documents: Sequence[Document]) -> list[Passage]:
    """``chunk_documents`` with the sentence splitting done by the cluster's workers; the same passages, in order."""
    import ray

    items = [{"order": i, "document": json.dumps(asdict(d), ensure_ascii=False)} for i, d in enumerate(documents)]
    found: dict[int, list[Passage]] = {}
    chunks = ray.data.from_items(items).map_batches(_chunk, batch_size=CHUNK_BATCH, batch_format="numpy")
    for batch in chunks.iter_batches(batch_format="numpy", batch_size=None):
        for order, rows in zip(batch["order"], batch["passages"], strict=True):
            found[int(order)] = [passage_from(p) for p in json.loads(str(rows))]
    passages: list[Passage] = []
    for i in range(len(documents)):
        for p in found[i]:
            passages.append(replace(p, pid=len(passages)))
    return passages
