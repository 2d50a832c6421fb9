"""Malformed corpus files: each is named in a warning and skipped (or read with a note); the rest is indexed.

Every entry of ``MALFORMED`` is one kind of bad file, with what its warning must say. Each is
checked alone beside a good article, and all of them together in one corpus that is then indexed.
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.errors import CorpusError
from bot.ingest import corpus as corpus_mod
from bot.search.build import build_index
from bot.search.embedding import HashEmbedder
from bot.search.index import index_status, load_index

from .conftest import ROOT
from .test_corpus import NO_MAIN_TEXT_HTML, make_pdf

GOOD = {
    "good.txt": "Good Article\nData engineers build pipelines that move data to where it is needed.\n",
    "sub/also-good.md": "# Another Good One\n\nAnalysts turn data into decisions, and they explain them to people.\n",
}


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(make_pdf(["A secret article about careers."]))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sparse(size: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with open(path, "wb") as fh:
            fh.truncate(size)  # no disk used; reading it would take the memory

    return make


def write(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


@dataclass(frozen=True)
class Bad:
    name: str
    make: Callable[[Path], None]
    says: str  # a fragment of its warning
    skipped: bool = True  # False: read, with a note that names it


MALFORMED = [
    # Encodings
    Bad("latin1.txt", write("Caf\xe9 owners earn \x81 little.\n".encode("latin-1")), "read as Latin-1", skipped=False),
    Bad(
        "windows.txt",
        write("Na\u00efve \u201cdata\u201d people \u2013 earn \u20ac40k.\n".encode("cp1252")),
        "read as Windows-1252",
        skipped=False,
    ),
    Bad("utf16-bom.txt", write("A UTF-16 article about analysts.\n".encode("utf-16")), "read as UTF-16", skipped=False),
    Bad("utf16-no-bom.txt", write("A UTF-16 article without a BOM.\n".encode("utf-16-le")), "UTF-16 without a byte-order mark"),
    # Nothing in it
    Bad("empty.txt", write(b""), "no text"),
    Bad("whitespace.md", write(b" \n\t\r\n  \n"), "no text"),
    Bad("front-matter-only.md", write(b"---\ntitle: Only a title\n---\n"), "no text"),
    # Not text
    Bad("binary.txt", write(bytes(random.Random(1).randrange(256) for _ in range(4096)) + b"\x00" * 64), "binary data"),
    Bad("image.md", write(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)), "binary data"),
    Bad("huge.txt", sparse(corpus_mod.MAX_FILE_BYTES + 1), "limit"),
    Bad("enormous.md", sparse(4 << 30), "limit"),
    # PDFs
    Bad("broken.pdf", write(random.Random(7).randbytes(512).replace(b"%PDF", b"xxxx")), "not a readable PDF"),
    Bad("truncated.pdf", write(make_pdf(["Will be cut off."])[:60]), "not a readable PDF"),
    Bad("text-named.pdf", write(b"Just plain text in a file called .pdf\n"), "not a readable PDF"),
    Bad("blank.pdf", write(make_pdf([])), "no text layer"),
    Bad("encrypted.pdf", write(encrypted_pdf()), "encrypted"),
    # HTML
    Bad(
        "scripts-only.html",
        write(b"<html><head><script>var a = 1;</script></head><body><script>go()</script></body></html>"),
        "no main text",
    ),
    Bad("nav-only.html", write(NO_MAIN_TEXT_HTML.encode()), "no main text"),
    Bad("malformed.htm", write(b"<<<<>>>>&&&&<</p></div>>"), "no main text"),
    Bad("empty.html", write(b""), "no main text"),
    Bad("binary.html", write(b"<html>\x00\x01\x02\x03" * 100), "binary data"),
    # Not a file
    Bad("folder.txt", lambda p: p.mkdir(), "is a folder"),
    Bad("dangling.txt", lambda p: p.symlink_to(p.parent / "no-such-target.txt"), "does not exist"),
    Bad("loop.txt", lambda p: p.symlink_to(p.name), "leads back to itself"),
    Bad("pipe.txt", lambda p: os.mkfifo(p), "not a regular file"),
    # File system trouble (through seams: see the fixture below)
    Bad("vanishes.txt", write(b"This file is deleted between listing and reading.\n"), "disappeared"),
    Bad("vanishes-on-open.txt", write(b"This file is deleted just before it is opened.\n"), "No such file"),
    Bad("locked.txt", write(b"Permission is refused for this one.\n"), "Permission denied"),
    Bad(os.fsdecode(b"caf\xe9-name.txt"), write(b"A good text whose file name is not UTF-8.\n"), "not valid UTF-8"),
    # Not an article at all
    Bad("notes.docx", write(b"PK\x03\x04 a word document"), "are not read"),
    Bad("README", write(b"Files without an extension are not read.\n"), "are not read"),
]
MALFORMED_IDS = [b.name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") for b in MALFORMED]


def shown(bad: Bad) -> str:
    return bad.name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@pytest.fixture
def seams(monkeypatch):
    """While the corpus is being loaded (not hashed): 'vanishes.txt' is deleted right after the folder
    is listed, 'vanishes-on-open.txt' right before it is opened; 'locked.txt' cannot be read."""
    from bot.search import build as build_mod

    real_load, real_list, real_read = corpus_mod.load_corpus, corpus_mod.corpus_files, corpus_mod.read_file_bytes
    loading = []

    def load_corpus(corpus_dir, cache=None):
        loading.append(True)
        try:
            return real_load(corpus_dir, cache)
        finally:
            loading.pop()

    def corpus_files(corpus_dir):
        listed = real_list(corpus_dir)
        for path in listed:
            if loading and path.name == "vanishes.txt":
                path.unlink(missing_ok=True)
        return listed

    def read_file_bytes(path, limit=None):
        if path.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(path))
        if loading and path.name == "vanishes-on-open.txt":
            path.unlink(missing_ok=True)
        return real_read(path, limit)

    for module in (corpus_mod, build_mod):
        monkeypatch.setattr(module, "load_corpus", load_corpus)
    monkeypatch.setattr(corpus_mod, "corpus_files", corpus_files)
    monkeypatch.setattr(corpus_mod, "read_file_bytes", read_file_bytes)


def make_corpus(folder: Path, bad: list[Bad]) -> Path:
    folder.mkdir()
    for name, text in GOOD.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    for b in bad:
        b.make(folder / b.name)
    return folder


def test_there_are_at_least_twenty_kinds():
    assert len({b.name for b in MALFORMED}) == len(MALFORMED) >= 20


@pytest.mark.timeout(60)
@pytest.mark.parametrize("bad", MALFORMED, ids=MALFORMED_IDS)
def test_each_bad_file_is_named_and_the_rest_is_read(tmp_path, seams, bad):
    corpus = make_corpus(tmp_path / "corpus", [bad])
    started = time.monotonic()
    load = corpus_mod.load_corpus(corpus)
    assert time.monotonic() - started < 20  # nothing blocks (a pipe) or reads gigabytes (a sparse file)
    mine = [w for w in load.warnings if shown(bad) in w]
    assert mine, load.warnings
    assert any(bad.says in w for w in mine), mine
    ids = {d.doc_id for d in load.documents}
    assert set(GOOD) <= ids
    if bad.skipped:
        assert ids == set(GOOD)
    else:
        assert ids == set(GOOD) | {bad.name}
    json.dumps(load.warnings, ensure_ascii=False).encode("utf-8")  # printable and storable in the manifest


@pytest.mark.timeout(120)
def test_all_of_them_together_still_build_an_index(tmp_path, seams):
    corpus = make_corpus(tmp_path / "corpus", MALFORMED)
    index_dir = tmp_path / "index"
    manifest = build_index(corpus, index_dir, HashEmbedder())
    for bad in MALFORMED:
        assert any(shown(bad) in w and bad.says in w for w in manifest.warnings), (bad.name, manifest.warnings)
    loaded = load_index(index_dir, model="hash-test")
    read_with_a_note = {b.name for b in MALFORMED if not b.skipped}
    assert set(loaded.documents) == set(GOOD) | read_with_a_note
    assert loaded.manifest.warnings == manifest.warnings
    assert "also-good" not in "".join(manifest.warnings)


def test_a_file_gone_during_the_build_leaves_the_index_stale_not_fresh(tmp_path, monkeypatch):
    # gone.txt is hashed as a source, then deleted before it is read: the index does not hold it,
    # so the next status check must not call the index fresh for a corpus that has it... and the
    # corpus no longer has it either, so one rebuild settles it.
    from bot.search import build as build_mod

    corpus = make_corpus(tmp_path / "corpus", [Bad("gone.txt", write(b"Deleted after hashing, before reading.\n"), "")])
    real_load = corpus_mod.load_corpus

    def load_after_deletion(corpus_dir, cache=None):
        (corpus_dir / "gone.txt").unlink()
        return real_load(corpus_dir, cache)

    monkeypatch.setattr(build_mod, "load_corpus", load_after_deletion)
    index_dir = tmp_path / "index"
    manifest = build_index(corpus, index_dir, HashEmbedder())
    monkeypatch.undo()
    assert "gone.txt" in manifest.sources and "gone.txt" not in load_index(index_dir).documents
    assert index_status(corpus, index_dir, "hash-test").state == "stale"
    build_index(corpus, index_dir, HashEmbedder())
    assert index_status(corpus, index_dir, "hash-test").state == "fresh"


def test_lone_surrogates_from_an_extractor_are_replaced_not_fatal(tmp_path, monkeypatch):
    # A PDF with a broken character map can give lone surrogates, which UTF-8 cannot store.
    from bot.ingest import pdf

    monkeypatch.setattr(pdf, "read_pdf", lambda raw: ({"title": "Bad \ud835 map"}, "Careers in data \ud835 engineering pay well.", [], 6))
    corpus = make_corpus(tmp_path / "corpus", [Bad("map.pdf", write(b"%PDF-1.4"), "")])
    build_index(corpus, tmp_path / "index", HashEmbedder())
    doc = load_index(tmp_path / "index").documents["map.pdf"]
    assert doc.text == "Careers in data \ufffd engineering pay well." and doc.title == "Bad \ufffd map"


def test_an_empty_corpus_is_a_clear_error(tmp_path):
    (tmp_path / "corpus").mkdir()
    with pytest.raises(CorpusError, match=r"No readable articles in .*add \.txt, \.md, \.html or \.pdf files"):
        build_index(tmp_path / "corpus", tmp_path / "index", HashEmbedder())


def test_a_corpus_of_only_bad_files_names_some_and_counts_the_rest(tmp_path, seams):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for bad in MALFORMED[4:12]:
        bad.make(corpus / bad.name)
    with pytest.raises(CorpusError, match=r"No readable articles .*skipped .*; and \d+ more\)"):
        build_index(corpus, tmp_path / "index", HashEmbedder())


def test_the_cli_says_so_for_an_empty_corpus(tmp_path):
    (tmp_path / "corpus").mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "index"), "index"],
        cwd=ROOT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "No readable articles" in done.stderr and "Traceback" not in done.stderr
