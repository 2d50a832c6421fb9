"""The chunk cache: a file read once and a document chunked once, whatever build reads them again.

Splitting text into sentences (pysbd) is most of what reading and chunking a corpus costs.
A rebuild after one file changed would split every unchanged file again; with the cache it
takes their passages as they were. They are kept in one SQLite file under
``Settings.cache_dir``, keyed by the chunker's version, a digest of its code, its passage sizes
and a SHA-256 of the whole document record (its text, blocks and metadata), so a changed
document, reader or chunker never meets an old entry. Passages are stored as JSON with document-local numbers and renumbered by
``chunk_documents``. Deleting the file is always safe.

Reading HTML or PDF costs as much again, so the same file also keeps each file's Document as read,
keyed by its path, the SHA-256 of its bytes and a digest of the readers' own code and libraries
(``readers_version``): an unchanged file is not parsed again, and a changed reader never meets an
old entry.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import sqlite3
from dataclasses import asdict
from pathlib import Path

from bot.records import Document, Passage, document_from, passage_from

log = logging.getLogger(__name__)

FILE = "chunks.sqlite3"


def document_key(doc: Document, version: int) -> bytes:
    """The chunker's version, its code and passage sizes, and the document: a chunker changed without a version
    bump (or with other ``Tuning`` sizes) never meets an old entry either."""
    from bot.config import TUNING

    sizes = (TUNING.min_passage_words, TUNING.min_unheaded_passage_words, TUNING.max_passage_words, TUNING.parent_max_words)
    record = json.dumps(
        {"chunker": version, "code": readers_version(), "sizes": sizes, "document": asdict(doc)}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(record.encode("utf-8", "surrogatepass")).digest()


#: The libraries whose output is a Document: another version of one may read a file differently.
_READING_LIBRARIES = ("lxml", "trafilatura", "pypdf", "markdown-it-py", "pysbd")


@functools.cache
def readers_version() -> str:
    """A digest of the code that turns a file into a Document (bot/ingest, bot/text.py, bot/records.py) and of the
    libraries it uses."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    package = Path(__file__).parent
    for source in [*sorted(package.glob("*.py")), package.parent / "text.py", package.parent / "records.py"]:
        digest.update(source.name.encode() + source.read_bytes())
    for name in _READING_LIBRARIES:
        try:
            digest.update(f"{name}=={version(name)}".encode())
        except PackageNotFoundError:
            digest.update(f"{name} absent".encode())
    return digest.hexdigest()


def file_key(doc_id: str, sha256: str) -> bytes:
    return hashlib.sha256(
        json.dumps({"readers": readers_version(), "file": doc_id, "sha256": sha256}).encode("utf-8", "surrogatepass")
    ).digest()


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
            self._db.execute("CREATE TABLE IF NOT EXISTS documents (key BLOB PRIMARY KEY, document TEXT NOT NULL)")
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

    def read(self, doc_id: str, sha256: str) -> tuple[Document, list[str]] | None:
        """The Document and notes a file with these bytes gave when it was last read, or None."""
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT document FROM documents WHERE key = ?", (file_key(doc_id, sha256),)).fetchone()
            if row is None:
                return None
            record = json.loads(row[0])
            return document_from(record["document"]), [str(n) for n in record["notes"]]
        except (sqlite3.Error, ValueError, TypeError, KeyError) as exc:
            log.warning("an unreadable entry of %s is read again (%s)", self.path, exc)
            return None

    def keep_read(self, doc: Document, notes: list[str]) -> None:
        if self._db is None:
            return
        try:
            record = json.dumps({"document": asdict(doc), "notes": notes}, ensure_ascii=False)
            self._db.execute("INSERT OR REPLACE INTO documents VALUES (?, ?)", (file_key(doc.doc_id, doc.sha256), record))
        except sqlite3.Error as exc:
            log.warning("could not keep a read document in %s (%s)", self.path, exc)

    def close(self) -> None:
        if self._db is not None:
            try:
                self._db.commit()
            except sqlite3.Error as exc:
                log.warning("could not keep chunks in %s (%s)", self.path, exc)
            self._db.close()
            self._db = None
