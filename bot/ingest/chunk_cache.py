"""The chunk cache: a document chunked once, whatever build reads it again.

Splitting text into sentences (pysbd) is most of what reading and chunking a corpus costs.
A rebuild after one file changed would split every unchanged file again; with the cache it
takes their passages as they were. They are kept in one SQLite file under
``Settings.cache_dir``, keyed by the chunker's version and a SHA-256 of the whole document
record (its text, blocks and metadata), so a changed document, reader or chunker never meets
an old entry. Passages are stored as JSON with document-local numbers and renumbered by
``chunk_documents``. Deleting the file is always safe.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from dataclasses import asdict
from pathlib import Path

from bot.records import Document, Passage, passage_from

log = logging.getLogger(__name__)

FILE = "chunks.sqlite3"


def document_key(doc: Document, version: int) -> bytes:
    record = json.dumps({"chunker": version, "document": asdict(doc)}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(record.encode("utf-8", "surrogatepass")).digest()


class ChunkCache:
    """Passages by document, in ``folder``/chunks.sqlite3; a cache that cannot be opened is skipped with a warning."""

    def __init__(self, folder: Path, version: int) -> None:
        self.path = Path(folder) / FILE
        self.version = version
        self.hits = self.misses = 0
        self._db: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30)
            self._db.execute("CREATE TABLE IF NOT EXISTS chunks (key BLOB PRIMARY KEY, passages TEXT NOT NULL)")
        except sqlite3.Error as exc:
            log.warning("chunking without the cache %s (%s)", self.path, exc)
            self._db = None

    def get(self, doc: Document) -> list[Passage] | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT passages FROM chunks WHERE key = ?", (document_key(doc, self.version),)).fetchone()
            found = None if row is None else [passage_from(p) for p in json.loads(row[0])]
        except (sqlite3.Error, ValueError, TypeError, KeyError) as exc:
            log.warning("an unreadable entry of %s is chunked again (%s)", self.path, exc)
            found = None
        self.hits += found is not None
        self.misses += found is None
        return found

    def put(self, doc: Document, passages: list[Passage]) -> None:
        if self._db is None:
            return
        try:
            rows = json.dumps([asdict(p) for p in passages], ensure_ascii=False)
            self._db.execute("INSERT OR REPLACE INTO chunks VALUES (?, ?)", (document_key(doc, self.version), rows))
        except sqlite3.Error as exc:
            log.warning("could not keep chunks in %s (%s)", self.path, exc)

    def close(self) -> None:
        if self._db is not None:
            try:
                self._db.commit()
            except sqlite3.Error as exc:
                log.warning("could not keep chunks in %s (%s)", self.path, exc)
            self._db.close()
            self._db = None
