"""Corpus: files in a folder become ``Document`` records.

Reads ``.txt`` and ``.md`` (each with an optional front matter of ``key: value``
lines between ``---`` fences), ``.html``/``.htm`` (main text only, through
trafilatura) and ``.pdf`` (text layer, through pypdf). A file that cannot be
read is named in a warning and skipped; it never stops the rest.

``Document.text`` is the body exactly as it will be quoted: passages are
slices of it.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import logging
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import CorpusError
from bot.ingest.chunk_cache import ChunkCache
from bot.records import Document
from bot.text import word_count

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
MARKDOWN_SUFFIXES = (".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + PDF_SUFFIXES
#: Files larger than this are skipped with a warning: no article is this long.
MAX_FILE_BYTES = 20 * 1024 * 1024
_META_KEYS = ("title", "author", "date", "publisher", "url")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


@dataclass(frozen=True)
class CorpusLoad:
    documents: tuple[Document, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Entries with a supported suffix under the folder, in a stable order (hidden ones left out).

    Besides regular files this lists what only looks like one (a folder named ``x.txt``, a broken
    link, a pipe) so that loading can name it in a warning.
    """
    if not corpus_dir.is_dir():
        raise CorpusError(f"Corpus folder {corpus_dir} does not exist: create it and put articles (.txt, .md, .html, .pdf) in it.")
    return sorted(
        p
        for p in corpus_dir.rglob("*")
        if p.suffix.lower() in SUPPORTED_SUFFIXES and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
    )


def file_hashes(corpus_dir: Path) -> dict[str, str]:
    """sha256 of each regular file's bytes, keyed by relative path ('' for what cannot be read).

    A file over the size limit is not read: its size and time of change stand in for its bytes.
    """
    out = {}
    for path in corpus_files(corpus_dir):
        try:
            info = path.stat()
        except OSError:
            out[display_name(path, corpus_dir)] = ""
            continue
        if stat.S_ISDIR(info.st_mode):
            continue
        if not stat.S_ISREG(info.st_mode):
            out[display_name(path, corpus_dir)] = ""
        elif info.st_size > MAX_FILE_BYTES:
            out[display_name(path, corpus_dir)] = f"too-large:{info.st_size}:{info.st_mtime_ns}"
        else:
            try:
                out[display_name(path, corpus_dir)] = hashlib.sha256(read_file_bytes(path)).hexdigest()
            except (OSError, ValueError):
                out[display_name(path, corpus_dir)] = ""
    return out


def display_name(path: Path, corpus_dir: Path) -> str:
    """The path relative to the corpus folder, printable: bytes that are not UTF-8 shown as \\xNN."""
    rel = path.relative_to(corpus_dir).as_posix()
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def load_corpus(corpus_dir: Path, cache: ChunkCache | None = None) -> CorpusLoad:
    """Read every supported file; collect a warning for each one skipped. With ``cache``, a file whose bytes
    were read before is taken as it was read (``bot.ingest.chunk_cache``)."""
    documents: list[Document] = []
    warnings: list[str] = []
    for path in corpus_files(corpus_dir):
        rel = display_name(path, corpus_dir)
        problem = _not_a_file(path, rel)
        if problem:
            warnings.append(problem)
            continue
        try:
            if rel != path.relative_to(corpus_dir).as_posix():
                raise ValueError("the file name is not valid UTF-8: rename the file")
            doc, notes = read_document(path, rel, cache)
        except Exception as exc:  # noqa: BLE001 - any failure of one file must not stop the rest
            warnings.append(f"skipped {rel}: {_reason(exc)}")
            continue
        warnings.extend(f"{rel}: {note}" for note in notes)
        if not doc.text.strip():
            warnings.append(f"skipped {rel}: no text in it")
            continue
        documents.append(doc)
    warnings.extend(_unsupported(corpus_dir))
    for message in warnings:
        log.warning(message)
    return CorpusLoad(tuple(documents), tuple(warnings))


def _unsupported(corpus_dir: Path) -> list[str]:
    """A note for each visible file that is not read because of its kind (a .docx, a .png, a README)."""
    out = []
    for path in sorted(corpus_dir.rglob("*")):
        parts = path.relative_to(corpus_dir).parts
        if path.suffix.lower() not in SUPPORTED_SUFFIXES and not any(part.startswith(".") for part in parts) and path.is_file():
            kind = f"{path.suffix} files" if path.suffix else "files without an extension"
            out.append(f"ignored {display_name(path, corpus_dir)}: {kind} are not read; save it as .txt, .md, .html or .pdf to include it")
    return out


def _not_a_file(path: Path, rel: str) -> str:
    """A warning for an entry that is not a regular file, or "" for a file to read."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return f"skipped {rel}: a link to a file that does not exist" if path.is_symlink() else f"skipped {rel}: it disappeared"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"skipped {rel}: a link that leads back to itself"
        return f"skipped {rel}: {_reason(exc)}"
    if stat.S_ISDIR(info.st_mode):
        return f"{rel} is a folder, not an article; the files in it are read"
    if not stat.S_ISREG(info.st_mode):
        return f"skipped {rel}: not a regular file (a pipe, socket or device)"
    return ""


def _reason(exc: Exception) -> str:
    text = (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)).strip() or exc.__class__.__name__
    return text.splitlines()[0][:200]


def read_file_bytes(path: Path, limit: int | None = None) -> bytes:
    """A regular file's bytes; ValueError if it is larger than the limit (it is then not read)."""
    limit = MAX_FILE_BYTES if limit is None else limit
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a pipe swapped in after listing must not block
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_size > limit:
            raise ValueError(f"{info.st_size / 1024 / 1024:.1f} MiB, larger than the {limit / 1024 / 1024:g} MiB limit for one article")
        raw = fh.read(limit + 1)
    if len(raw) > limit:  # grew while being read
        raise ValueError(f"larger than the {limit / 1024 / 1024:g} MiB limit for one article")
    return raw


def read_document(path: Path, doc_id: str, cache: ChunkCache | None = None) -> tuple[Document, list[str]]:
    """One file to one Document, plus notes worth a warning (e.g. a decoding fallback)."""
    raw = read_file_bytes(path)
    digest = hashlib.sha256(raw).hexdigest()
    known = cache.read(doc_id, digest) if cache is not None else None
    if known is not None:
        return known
    doc, notes = _parse(path, doc_id, raw, digest)
    if cache is not None:
        cache.keep_read(doc, notes)
    return doc, notes


def _parse(path: Path, doc_id: str, raw: bytes, digest: str) -> tuple[Document, list[str]]:
    suffix = path.suffix.lower()
    notes: list[str] = []
    if suffix in PDF_SUFFIXES:
        from bot.ingest.pdf import read_pdf

        meta, body, blocks, source_words = read_pdf(raw)
    else:
        text, note = decode(raw)
        if note:
            notes.append(note)
        if suffix in HTML_SUFFIXES:
            from bot.ingest.html import read_html

            meta, body, built = read_html(text)
            blocks, source_words = built.blocks, built.source_words
        elif suffix in MARKDOWN_SUFFIXES:
            from bot.ingest.markdown import read_markdown

            meta, source = split_front_matter(text)
            built = read_markdown(source)
            body, blocks, source_words = built.text, built.blocks, word_count(built.text)
        else:
            from bot.ingest.plaintext import text_blocks

            meta, body = split_front_matter(text)
            blocks, source_words = text_blocks(body), word_count(body)
    # Extractors can emit lone surrogates (a PDF's broken character map); they cannot be written as UTF-8.
    body = _SURROGATE.sub("\ufffd", body)
    meta = {k: _SURROGATE.sub("\ufffd", v) for k, v in meta.items()}
    title = meta.get("title") or _first_line_title(body) or path.stem.replace("-", " ").replace("_", " ")
    fields = {k: meta.get(k, "") for k in _META_KEYS if k != "title"}
    return Document(doc_id=doc_id, title=title, text=body, sha256=digest, blocks=tuple(blocks), source_words=source_words, **fields), notes


def decode(raw: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), UTF-16 with a BOM; otherwise cp1252, then latin-1, and say so.

    NUL bytes mean binary data or UTF-16 without a BOM: refused rather than read as garbage.
    """
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return raw.decode(codec), f"read as {codec.upper()} (save it as UTF-8 to silence this)"
            except UnicodeDecodeError:
                break
    if b"\x00" in raw[:8192]:
        raise ValueError("binary data, not text (or UTF-16 without a byte-order mark): save it as UTF-8 text")
    try:
        return raw.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "not UTF-8; read as Windows-1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "not UTF-8; read as Latin-1"


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """``---`` fenced ``key: value`` lines at the very start; the rest is the body."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in _META_KEYS:
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, text[match.end() :]


def _first_line_title(body: str) -> str:
    for line in body.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line if len(line) <= 120 else ""
    return ""
