"""The embedding cache: a text embedded once per model, whatever build asks for it again.

A rebuild after adding, changing or deleting one file reads and chunks the corpus again (seconds),
but embeds only the passages and sentences whose text it has not embedded before: the vectors are
kept by (model, backend, SHA-256 of the text) in one SQLite file under ``Settings.cache_dir``. SQLite
(the standard library's) gives atomic writes and safe concurrent readers for free; a killed build
loses at most the batch it was writing. A text's vector does not depend on what it was batched with
beyond float rounding, so an index built from the cache answers as one built without it (a test
compares the two).

The cache only grows (a vector of 384 floats is 1.5 KB); deleting the file is always safe.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.search.embedding import Embedder, release_memory

log = logging.getLogger(__name__)

FILE = "embeddings.sqlite3"


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


@dataclass
class CacheUse:
    """What one build took from the cache and what it embedded."""

    reused: int = 0
    embedded: int = 0


class CachedEmbedder:
    """An embedder that looks each text up before embedding it, and stores what it embeds."""

    def __init__(self, inner: Embedder, folder: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.path = Path(folder) / FILE
        self.use = CacheUse()
        self._db: sqlite3.Connection | None = None

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def space(self) -> str:
        """Whose vectors these are: the model and the runtime that computed them (ONNX and torch differ in rounding)."""
        return f"{self.inner.name}|{getattr(self.inner, 'backend', '') or 'default'}"

    def release(self) -> None:
        release_memory(self.inner)

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=30)
                db.execute("CREATE TABLE IF NOT EXISTS vectors (space TEXT, key BLOB, vector BLOB, PRIMARY KEY (space, key))")
                self._db = db
            except (OSError, sqlite3.Error) as exc:  # a cache that cannot be opened only costs time
                log.warning("embedding cache %s unusable (%s): embedding everything", self.path, exc)
                return None
        return self._db

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        dim = self.dim
        out = np.zeros((len(texts), dim), dtype=np.float32)
        db = self._connect()
        keys = [text_key(t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        if db is not None:
            space = self.space
            try:
                for lo in range(0, len(keys), 500):  # SQLite's limit on bound parameters
                    chunk = list(dict.fromkeys(keys[lo : lo + 500]))
                    marks = ",".join("?" * len(chunk))
                    for key, blob in db.execute(f"SELECT key, vector FROM vectors WHERE space = ? AND key IN ({marks})", [space, *chunk]):
                        vector = np.frombuffer(blob, dtype=np.float32)
                        if vector.shape == (dim,):
                            found[bytes(key)] = vector
            except sqlite3.Error as exc:
                log.warning("embedding cache %s unreadable (%s): embedding everything", self.path, exc)
                found = {}
        missing = [i for i, k in enumerate(keys) if k not in found]
        first = {}
        for i in missing:
            first.setdefault(keys[i], i)  # a text repeated in one build is embedded once
        todo = sorted(first.values())
        if todo:
            vectors = self.inner.encode([texts[i] for i in todo])
            for i, vector in zip(todo, vectors, strict=True):
                found[keys[i]] = np.ascontiguousarray(vector, dtype=np.float32)
            self._store([(keys[i], found[keys[i]]) for i in todo])
        for i, key in enumerate(keys):
            out[i] = found[key]
        self.use.reused += len(texts) - len(todo)
        self.use.embedded += len(todo)
        return out

    def _store(self, rows: list[tuple[bytes, np.ndarray]]) -> None:
        db = self._connect()
        if db is None:
            return
        try:
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO vectors (space, key, vector) VALUES (?, ?, ?)", [(self.space, k, v.tobytes()) for k, v in rows]
                )
        except sqlite3.Error as exc:
            log.warning("embedding cache %s not written (%s)", self.path, exc)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
