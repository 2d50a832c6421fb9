"""bot.ingest.corpus: files in a folder become Documents; bad files are skipped with a warning."""

from __future__ import annotations

import logging
import random
from pathlib import Path

import pytest

from bot.errors import CorpusError
from bot.ingest import corpus as corpus_mod
from bot.ingest.corpus import file_hashes, load_corpus

# --- fixtures and builders ------------------------------------------------------------------

FRONT_MATTER_TXT = (
    "---\n"
    "title: Is Data Science a Good Career?\n"
    'author: "Jane Doe"\n'
    "date: 2021-03-04\n"
    "ignored: not a known key\n"
    "---\n"
    "Data science is a growing field.\n"
    "\n"
    "It rewards curiosity.\n"
)
FRONT_MATTER_BODY = "Data science is a growing field.\n\nIt rewards curiosity.\n"

ARTICLE_HTML = """<!doctype html>
<html><head><title>Careers in Data Engineering</title>
<script>var trackingSecret = "SCRIPT_ONLY_TOKEN"; window.analytics = true;</script>
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/blog">NAV_ONLY_TOKEN blog index</a></li></ul></nav>
<article>
<h1>Careers in Data Engineering</h1>
<p>Data engineering is a career that rewards patience and curiosity. Engineers build pipelines that move data
from where it is produced to where it is needed.</p>
<p>Most data engineers start as software developers or analysts. They learn SQL, a programming language such as
Python, and the basics of distributed systems.</p>
<p>The work is rarely glamorous, but it is essential: without reliable pipelines, no model and no dashboard can
be trusted by anyone in the company.</p>
</article>
<footer><p>FOOTER_ONLY_TOKEN Copyright 2024. All rights reserved.</p></footer>
<script>console.log("SCRIPT_ONLY_TOKEN");</script>
</body></html>
"""

# Only navigation and a script: trafilatura finds no main text in it.
NO_MAIN_TEXT_HTML = """<html><head><title>Only a title</title><script>var x = 1;</script></head>
<body><nav><ul><li><a href="/">Home</a></li><li><a href="/about">About us</a></li></ul></nav></body></html>
"""


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(lines: list[str], title: str | None = None, author: str | None = None) -> bytes:
    """A minimal valid one-page PDF: Helvetica text drawn with Tj, a correct xref table."""
    content = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({_pdf_string(line)}) Tj T*" for line in lines) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content.encode("latin-1")) + content.encode("latin-1") + b"\nendstream",
    ]
    if title or author:
        info = "<<" + (f" /Title ({_pdf_string(title)})" if title else "") + (f" /Author ({_pdf_string(author)})" if author else "") + " >>"
        objects.append(info.encode("latin-1"))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    trailer = b"<< /Size %d /Root 1 0 R" % (len(objects) + 1)
    if title or author:
        trailer += b" /Info %d 0 R" % len(objects)
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def docs_by_id(load) -> dict:
    return {d.doc_id: d for d in load.documents}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    return folder


# --- text and markdown ----------------------------------------------------------------------


def test_txt_front_matter_is_parsed_and_body_is_exact(corpus):
    (corpus / "career.txt").write_text(FRONT_MATTER_TXT, encoding="utf-8")
    load = load_corpus(corpus)
    (doc,) = load.documents
    assert doc.doc_id == "career.txt"
    assert doc.title == "Is Data Science a Good Career?"
    assert doc.author == "Jane Doe"  # quotes stripped
    assert doc.date == "2021-03-04"
    assert doc.text == FRONT_MATTER_BODY
    assert load.warnings == ()


def test_front_matter_with_crlf_and_bom(corpus):
    raw = "\ufeff" + FRONT_MATTER_TXT.replace("\n", "\r\n")
    (corpus / "crlf.txt").write_bytes(raw.encode("utf-8"))
    (doc,) = load_corpus(corpus).documents
    assert doc.title == "Is Data Science a Good Career?"
    assert doc.text == FRONT_MATTER_BODY.replace("\n", "\r\n")


def test_txt_without_front_matter_keeps_everything_and_titles_from_first_line(corpus):
    text = "\nA Plain Title\nSome body text here.\n"
    (corpus / "plain.txt").write_text(text, encoding="utf-8")
    (doc,) = load_corpus(corpus).documents
    assert doc.text == text
    assert doc.title == "A Plain Title"
    assert doc.author == ""


def test_unclosed_front_matter_is_body(corpus):
    text = "---\ntitle: never closed\nbody goes on\n"
    (corpus / "open.txt").write_text(text, encoding="utf-8")
    (doc,) = load_corpus(corpus).documents
    assert doc.text == text


def test_markdown_title_from_hash_heading(corpus):
    text = "# Learning Paths\n\nStart with statistics, then programming.\n"
    (corpus / "paths.md").write_text(text, encoding="utf-8")
    (doc,) = load_corpus(corpus).documents
    assert doc.doc_id == "paths.md"
    assert doc.title == "Learning Paths"
    assert doc.text == "Learning Paths\n\nStart with statistics, then programming."  # the rendered text: no markup
    assert [(b.kind, b.level) for b in doc.blocks] == [("heading", 1), ("para", 0)]


def test_sha256_is_of_the_file_bytes(corpus):
    import hashlib

    (corpus / "a.txt").write_text(FRONT_MATTER_TXT, encoding="utf-8")
    (doc,) = load_corpus(corpus).documents
    assert doc.sha256 == hashlib.sha256(FRONT_MATTER_TXT.encode("utf-8")).hexdigest()


# --- HTML -----------------------------------------------------------------------------------


def test_html_keeps_main_text_and_drops_script_nav_footer(corpus):
    (corpus / "page.html").write_text(ARTICLE_HTML, encoding="utf-8")
    load = load_corpus(corpus)
    (doc,) = load.documents
    assert "Data engineering is a career that rewards patience and curiosity." in doc.text
    assert "They learn SQL, a programming language such as" in doc.text
    assert "no dashboard can" in doc.text
    for token in ("SCRIPT_ONLY_TOKEN", "NAV_ONLY_TOKEN", "FOOTER_ONLY_TOKEN", "trackingSecret", "analytics"):
        assert token not in doc.text
    assert doc.title == "Careers in Data Engineering"


def test_html_without_main_text_is_skipped_with_warning(corpus):
    (corpus / "nav-only.html").write_text(NO_MAIN_TEXT_HTML, encoding="utf-8")
    (corpus / "ok.txt").write_text("Real text here.\n", encoding="utf-8")
    load = load_corpus(corpus)
    assert [d.doc_id for d in load.documents] == ["ok.txt"]
    assert any("nav-only.html" in w and "no main text" in w for w in load.warnings)


# --- PDF ------------------------------------------------------------------------------------


def test_pdf_text_layer_is_read(corpus):
    pdf = make_pdf(
        ["Machine learning engineers deploy models.", "They also monitor them in production."], title="PDF Careers", author="Ann Author"
    )
    (corpus / "guide.pdf").write_bytes(pdf)
    load = load_corpus(corpus)
    (doc,) = load.documents
    assert "Machine learning engineers deploy models." in doc.text
    assert "They also monitor them in production." in doc.text
    assert doc.title == "PDF Careers"
    assert doc.author == "Ann Author"
    assert load.warnings == ()


def test_pdf_without_metadata_titles_from_first_line(corpus):
    (corpus / "untitled.pdf").write_bytes(make_pdf(["First Line Title", "Body sentence."]))
    (doc,) = load_corpus(corpus).documents
    assert doc.title == "First Line Title"


def test_pdf_without_text_is_skipped(corpus):
    (corpus / "blank.pdf").write_bytes(make_pdf([]))
    load = load_corpus(corpus)
    assert load.documents == ()
    assert any("blank.pdf" in w and "no text layer" in w for w in load.warnings)


def test_pdf_protected_only_by_an_owner_password_is_read(corpus):
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(make_pdf(["Owner-only protection still lets anyone read this."]))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    (corpus / "protected.pdf").write_bytes(out.getvalue())
    (doc,) = load_corpus(corpus).documents
    assert "Owner-only protection still lets anyone read this." in doc.text


# --- bad files are skipped, the rest still load -----------------------------------------------


def test_bad_files_are_skipped_and_named(corpus, caplog):
    good = "Good Article\nThis article is perfectly readable.\n"
    (corpus / "good.txt").write_text(good, encoding="utf-8")
    (corpus / "binary.txt").write_bytes(b"PK\x03\x04\x00\x00\x00binary\x00junk" * 10)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "whitespace.md").write_text(" \n\t\n", encoding="utf-8")
    (corpus / "broken.pdf").write_bytes(random.Random(7).randbytes(256).replace(b"%PDF", b"xxxx"))
    (corpus / "truncated.pdf").write_bytes(make_pdf(["Will be cut off."])[:40])
    (corpus / "nav-only.html").write_text(NO_MAIN_TEXT_HTML, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="bot.ingest.corpus"):
        load = load_corpus(corpus)
    assert [d.doc_id for d in load.documents] == ["good.txt"]
    assert load.documents[0].text == good
    for name in ("binary.txt", "empty.txt", "whitespace.md", "broken.pdf", "truncated.pdf", "nav-only.html"):
        assert any(w.startswith(f"skipped {name}:") for w in load.warnings), (name, load.warnings)
        assert any(name in r.getMessage() for r in caplog.records), name
    assert any("binary" in w for w in load.warnings if "binary.txt" in w)
    assert any("no text" in w for w in load.warnings if "empty.txt" in w)


def test_cp1252_text_is_loaded_with_a_warning(corpus):
    text = "Caf\u00e9 owners \u2013 and na\u00efve \u201cdata\u201d people \u2013 earn \u20ac40k.\n"
    (corpus / "windows.txt").write_bytes(text.encode("cp1252"))
    load = load_corpus(corpus)
    (doc,) = load.documents
    assert doc.text == text
    (warning,) = load.warnings
    assert "windows.txt" in warning and "not UTF-8" in warning


def test_latin1_fallback_when_not_cp1252(corpus):
    raw = b"Bytes \x81 and \x8d are undefined in cp1252 \xe9.\n"  # invalid UTF-8, invalid cp1252
    (corpus / "latin.txt").write_bytes(raw)
    load = load_corpus(corpus)
    (doc,) = load.documents
    assert doc.text == raw.decode("latin-1")
    assert any("latin.txt" in w and "Latin-1" in w for w in load.warnings)


def test_directory_named_like_a_file_and_dangling_symlink_do_not_crash(corpus):
    (corpus / "x.txt").mkdir()
    (corpus / "x.txt" / "inside.txt").write_text("Inside a folder called x.txt.\n", encoding="utf-8")
    (corpus / "gone.txt").symlink_to(corpus / "does-not-exist.txt")
    (corpus / "ok.md").write_text("Readable markdown.\n", encoding="utf-8")
    load = load_corpus(corpus)
    ids = [d.doc_id for d in load.documents]
    assert ids == ["ok.md", "x.txt/inside.txt"]
    assert any(w.startswith("skipped gone.txt:") and "does not exist" in w for w in load.warnings)
    assert any(w.startswith("x.txt is a folder") for w in load.warnings)
    # The broken link is a source too: when its target appears, the index goes stale.
    assert file_hashes(corpus) == {
        "gone.txt": "",
        "ok.md": file_hashes(corpus)["ok.md"],
        "x.txt/inside.txt": file_hashes(corpus)["x.txt/inside.txt"],
    }


def test_unreadable_file_is_skipped(corpus, monkeypatch):
    # Running as root, chmod 000 does not stop reading: the seam raises what the kernel would.
    (corpus / "locked.txt").write_text("Secret.\n", encoding="utf-8")
    (corpus / "ok.txt").write_text("Fine.\n", encoding="utf-8")
    real = corpus_mod.read_file_bytes

    def read_file_bytes(path, limit=None):
        if path.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, limit)

    monkeypatch.setattr(corpus_mod, "read_file_bytes", read_file_bytes)
    load = load_corpus(corpus)
    assert [d.doc_id for d in load.documents] == ["ok.txt"]
    assert any(w.startswith("skipped locked.txt:") and "Permission denied" in w for w in load.warnings)
    assert file_hashes(corpus)["locked.txt"] == ""


def test_oversized_file_is_skipped(corpus, monkeypatch):
    monkeypatch.setattr(corpus_mod, "MAX_FILE_BYTES", 100)
    (corpus / "big.txt").write_text("word " * 100, encoding="utf-8")
    (corpus / "small.txt").write_text("small\n", encoding="utf-8")
    load = load_corpus(corpus)
    assert [d.doc_id for d in load.documents] == ["small.txt"]
    assert any(w.startswith("skipped big.txt:") for w in load.warnings)


# --- folder handling ------------------------------------------------------------------------


def test_missing_corpus_folder_raises(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")


def test_corpus_path_that_is_a_file_raises(tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("x", encoding="utf-8")
    with pytest.raises(CorpusError):
        load_corpus(f)


def test_empty_folder_gives_no_documents(corpus):
    load = load_corpus(corpus)
    assert load.documents == () and load.warnings == ()


def test_hidden_files_and_folders_are_ignored(corpus):
    (corpus / ".hidden.txt").write_text("Hidden file.\n", encoding="utf-8")
    (corpus / ".git").mkdir()
    (corpus / ".git" / "notes.md").write_text("Hidden folder.\n", encoding="utf-8")
    (corpus / "sub").mkdir()
    (corpus / "sub" / ".cache").mkdir()
    (corpus / "sub" / ".cache" / "deep.txt").write_text("Hidden nested folder.\n", encoding="utf-8")
    (corpus / "sub" / "visible.md").write_text("Visible nested file.\n", encoding="utf-8")
    (corpus / "top.txt").write_text("Visible top file.\n", encoding="utf-8")
    load = load_corpus(corpus)
    assert [d.doc_id for d in load.documents] == ["sub/visible.md", "top.txt"]
    assert set(file_hashes(corpus)) == {"sub/visible.md", "top.txt"}


def test_unsupported_suffixes_are_ignored_and_suffix_case_is_not(corpus):
    (corpus / "notes.docx").write_bytes(b"not read")
    (corpus / "data.json").write_text("{}", encoding="utf-8")
    (corpus / "LOUD.TXT").write_text("Upper-case suffix.\n", encoding="utf-8")
    load = load_corpus(corpus)
    assert [d.doc_id for d in load.documents] == ["LOUD.TXT"]


def test_file_hashes_change_only_when_bytes_change(corpus):
    a = corpus / "a.txt"
    a.write_text("first version\n", encoding="utf-8")
    (corpus / "b.md").write_text("other\n", encoding="utf-8")
    before = file_hashes(corpus)
    assert set(before) == {"a.txt", "b.md"}
    assert file_hashes(corpus) == before  # stable
    a.write_text("first version!\n", encoding="utf-8")
    after = file_hashes(corpus)
    assert after["a.txt"] != before["a.txt"]
    assert after["b.md"] == before["b.md"]
    a.write_text("first version\n", encoding="utf-8")
    assert file_hashes(corpus) == before
