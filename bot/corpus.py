"""Corpus: files in a folder become ``Document`` records.

Reads ``.txt`` and ``.md`` (each with an optional front matter of ``key: value``
lines between ``---`` fences), ``.html``/``.htm`` (main text only, through
trafilatura) and ``.pdf`` (text layer, through pypdf). A file that cannot be
read is named in a warning and skipped; it never stops the rest.

``Document.text`` is the body exactly as it will be quoted: passages are
slices of it.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CorpusError

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + PDF_SUFFIXES
#: Files larger than this are skipped with a warning: no article is this long.
MAX_FILE_BYTES = 20 * 1024 * 1024
_META_KEYS = ("title", "author", "date", "publisher", "url")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


@dataclass(frozen=True)
class Document:
    """One article: its body text and the metadata the file states."""

    doc_id: str  # the path relative to the corpus folder, with forward slashes
    title: str
    text: str
    author: str = ""
    date: str = ""
    publisher: str = ""
    url: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class CorpusLoad:
    documents: tuple[Document, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Supported files under the folder, in a stable order (hidden files left out)."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"Corpus folder {corpus_dir} does not exist: create it and put articles (.txt, .md, .html, .pdf) in it.")
    return sorted(
        p
        for p in corpus_dir.rglob("*")
        if p.suffix.lower() in SUPPORTED_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
        and p.is_file()
    )


def file_hashes(corpus_dir: Path) -> dict[str, str]:
    """sha256 of each supported file's bytes, keyed by relative path (unreadable files: '')."""
    out = {}
    for path in corpus_files(corpus_dir):
        rel = path.relative_to(corpus_dir).as_posix()
        try:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            out[rel] = ""
    return out


def load_corpus(corpus_dir: Path) -> CorpusLoad:
    """Read every supported file; collect a warning for each one skipped."""
    documents: list[Document] = []
    warnings: list[str] = []
    for path in corpus_files(corpus_dir):
        rel = path.relative_to(corpus_dir).as_posix()
        try:
            doc, notes = read_document(path, rel)
        except Exception as exc:  # noqa: BLE001 - any failure of one file must not stop the rest
            warnings.append(f"skipped {rel}: {_reason(exc)}")
            continue
        warnings.extend(f"{rel}: {note}" for note in notes)
        if not doc.text.strip():
            warnings.append(f"skipped {rel}: no text in it")
            continue
        documents.append(doc)
    for message in warnings:
        log.warning(message)
    return CorpusLoad(tuple(documents), tuple(warnings))


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text.splitlines()[0][:200]


def read_document(path: Path, doc_id: str) -> tuple[Document, list[str]]:
    """One file to one Document, plus notes worth a warning (e.g. a decoding fallback)."""
    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    digest = hashlib.sha256(raw).hexdigest()
    suffix = path.suffix.lower()
    notes: list[str] = []
    if suffix in PDF_SUFFIXES:
        meta, body = _read_pdf(raw)
    else:
        if b"\x00" in raw[:8192]:
            raise ValueError("binary data, not text")
        text, note = decode(raw)
        if note:
            notes.append(note)
        if suffix in HTML_SUFFIXES:
            meta, body = _read_html(text)
        else:
            meta, body = split_front_matter(text)
    title = meta.get("title") or _first_line_title(body) or path.stem.replace("-", " ").replace("_", " ")
    fields = {k: meta.get(k, "") for k in _META_KEYS if k != "title"}
    return Document(doc_id=doc_id, title=title, text=body, sha256=digest, **fields), notes


def decode(raw: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM); otherwise cp1252, then latin-1, and say so."""
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


def _read_html(html: str) -> tuple[dict[str, str], str]:
    import trafilatura  # heavy: imported only when an HTML file is met

    body = trafilatura.extract(html, output_format="txt", include_comments=False, include_tables=True, favor_precision=True)
    if not body:
        raise ValueError("no main text found in the HTML")
    meta: dict[str, str] = {}
    info = trafilatura.extract_metadata(html)
    if info is not None:
        for key in ("title", "author", "date", "url"):
            value = getattr(info, key, None)
            if value:
                meta[key] = str(value)
        if getattr(info, "sitename", None):
            meta["publisher"] = str(info.sitename)
    return meta, body


def _read_pdf(raw: bytes) -> tuple[dict[str, str], str]:
    import io

    from pypdf import PdfReader  # imported only when a PDF is met

    reader = PdfReader(io.BytesIO(raw))
    pages = [(page.extract_text() or "").strip() for page in reader.pages]
    body = "\n\n".join(p for p in pages if p)
    if not body:
        raise ValueError("the PDF has no text layer")
    meta: dict[str, str] = {}
    info = reader.metadata
    if info is not None:
        if info.title:
            meta["title"] = str(info.title)
        if info.author:
            meta["author"] = str(info.author)
    return meta, body
