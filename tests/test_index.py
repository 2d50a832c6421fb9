"""bot.search.index: build, status, versioning and tamper detection, with the fake HashEmbedder."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from bot.errors import CorpusError, IndexCorrupt, IndexMismatch, IndexMissing
from bot.ingest.chunking import chunk_documents
from bot.ingest.corpus import load_corpus
from bot.search import index as index_mod
from bot.search.build import build_index, passage_view
from bot.search.embedding import HashEmbedder
from bot.search.index import CURRENT, index_status, live_version, load_index

from .conftest import ARTICLES

MODEL = "hash-test"
REBUILD_HINT = "python -m bot index"


@pytest.fixture
def corpus(tiny_corpus: Path) -> Path:
    return tiny_corpus


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture
def built(corpus: Path, index_dir: Path):
    manifest = build_index(corpus, index_dir, HashEmbedder())
    return corpus, index_dir, manifest


def versions(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.glob("v-*") if p.is_dir())


def current_name(index_dir: Path) -> str:
    return (index_dir / CURRENT).read_text(encoding="utf-8").strip()


# --- round trip -------------------------------------------------------------------------------


def test_round_trip(built):
    corpus, index_dir, manifest = built
    loaded = load_index(index_dir, model=MODEL)
    expected = chunk_documents(load_corpus(corpus).documents)
    assert len(loaded.passages) == manifest.passages == len(expected) > 0
    assert list(loaded.passages) == expected
    assert loaded.manifest == manifest
    assert set(loaded.documents) == set(ARTICLES)
    assert loaded.documents["careers.txt"].author == "Jane Doe"
    assert loaded.search.passage_vectors.ntotal == manifest.passages
    assert loaded.search.sentence_vectors.ntotal == manifest.sentences == sum(len(p.sentences) for p in expected)
    assert loaded.search.passage_vectors.d == manifest.dim == HashEmbedder().dim
    assert loaded.acronyms == {"ML": "machine learning"}
    assert manifest.model == MODEL and manifest.warnings == ()


def test_sentence_owner_and_offsets_agree(built):
    _, index_dir, _ = built
    loaded = load_index(index_dir, model=MODEL)
    for pid, p in enumerate(loaded.passages):
        first = int(loaded.search.sentence_offsets[pid])
        rows = loaded.search.sentence_owner[first : first + len(p.sentences)]
        assert list(rows) == [pid] * len(p.sentences)


def test_passage_vectors_match_the_embedder(built):
    _, index_dir, _ = built
    loaded = load_index(index_dir, model=MODEL)
    vec = HashEmbedder().encode([passage_view(loaded.passages[0])])
    scores, ids = loaded.search.passage_vectors.search(vec, 1)
    assert ids[0][0] == 0 and scores[0][0] == pytest.approx(1.0, abs=1e-5)


def test_load_without_model_accepts_any(built):
    _, index_dir, manifest = built
    assert load_index(index_dir).manifest == manifest


def test_build_leaves_no_temporary_folders(built):
    _, index_dir, _ = built
    assert not list(index_dir.glob(".tmp-*"))
    assert not list(index_dir.glob(f".{CURRENT}.*"))


def test_a_large_build_lets_the_embedder_free_its_encode_memory_once_everything_is_embedded(corpus, index_dir, tmp_path, monkeypatch):
    from bot.search import build

    calls: list[str] = []

    class Releasing(HashEmbedder):
        def encode(self, texts):
            calls.append("encode")
            return super().encode(texts)

        def release(self) -> None:
            calls.append("release")

    build_index(corpus, tmp_path / "small", Releasing())
    assert "encode" in calls and "release" not in calls  # a small build keeps them: making them again would cost more
    monkeypatch.setattr(build, "RELEASE_FROM", 1)
    build_index(corpus, index_dir, Releasing())
    assert calls[-1] == "release" and calls.count("release") == 1  # after the last encode, before the index is built
    build_index(corpus, tmp_path / "cached", Releasing(), cache_dir=tmp_path / "cache")  # through the embedding cache too
    assert calls.count("release") == 2


# --- status ---------------------------------------------------------------------------------


def test_status_fresh_after_build(built):
    corpus, index_dir, _ = built
    assert index_status(corpus, index_dir, MODEL).state == "fresh"


def test_status_stale_after_edit(built):
    corpus, index_dir, _ = built
    with open(corpus / "guide.md", "a", encoding="utf-8") as fh:
        fh.write("\nOne more line.\n")
    status = index_status(corpus, index_dir, MODEL)
    assert status.state == "stale" and "guide.md" in status.reason


def test_status_stale_after_add(built):
    corpus, index_dir, _ = built
    (corpus / "new.txt").write_text("A brand new article.\n", encoding="utf-8")
    status = index_status(corpus, index_dir, MODEL)
    assert status.state == "stale" and "new.txt" in status.reason


def test_status_stale_after_remove(built):
    corpus, index_dir, _ = built
    (corpus / "guide.md").unlink()
    status = index_status(corpus, index_dir, MODEL)
    assert status.state == "stale" and "guide.md" in status.reason


def test_status_unchanged_by_hidden_or_unsupported_files(built):
    corpus, index_dir, _ = built
    (corpus / ".notes.txt").write_text("hidden\n", encoding="utf-8")
    (corpus / "image.png").write_bytes(b"\x89PNG")
    assert index_status(corpus, index_dir, MODEL).state == "fresh"


def test_status_stale_when_model_differs(built):
    corpus, index_dir, _ = built
    status = index_status(corpus, index_dir, "another-model")
    assert status.state == "stale" and "another-model" in status.reason


def test_status_stale_when_chunker_changed(built, monkeypatch):
    corpus, index_dir, _ = built
    monkeypatch.setattr(index_mod, "CHUNKER_VERSION", index_mod.CHUNKER_VERSION + 1)
    assert index_status(corpus, index_dir, MODEL).state == "stale"


def test_status_missing_for_empty_or_absent_folder(corpus, tmp_path):
    empty = tmp_path / "empty-index"
    empty.mkdir()
    assert index_status(corpus, empty, MODEL).state == "missing"
    assert index_status(corpus, tmp_path / "no-such-index", MODEL).state == "missing"


def test_status_stale_when_current_is_broken(built):
    corpus, index_dir, _ = built
    (index_dir / CURRENT).write_text("v-gone\n", encoding="utf-8")
    assert index_status(corpus, index_dir, MODEL).state == "stale"


def test_rebuild_makes_status_fresh_again(built):
    corpus, index_dir, _ = built
    (corpus / "new.txt").write_text("Another article about data engineering careers.\n", encoding="utf-8")
    assert index_status(corpus, index_dir, MODEL).state == "stale"
    build_index(corpus, index_dir, HashEmbedder())
    assert index_status(corpus, index_dir, MODEL).state == "fresh"
    assert "new.txt" in load_index(index_dir, model=MODEL).documents


# --- versions ---------------------------------------------------------------------------------


def test_second_build_switches_current_and_keeps_old_loadable(built):
    corpus, index_dir, first_manifest = built
    first = current_name(index_dir)
    (corpus / "extra.txt").write_text("Extra article. It adds a passage about salaries.\n", encoding="utf-8")
    second_manifest = build_index(corpus, index_dir, HashEmbedder())
    second = current_name(index_dir)
    assert second != first
    assert live_version(index_dir).name == second
    assert versions(index_dir) == sorted([first, second])
    assert load_index(index_dir, model=MODEL).manifest == second_manifest
    # The old version is intact: point CURRENT back at it and it loads.
    (index_dir / CURRENT).write_text(first + "\n", encoding="utf-8")
    old = load_index(index_dir, model=MODEL)
    assert old.manifest == first_manifest
    assert "extra.txt" not in old.documents


def test_at_most_one_old_version_is_kept(built):
    corpus, index_dir, _ = built
    names = [current_name(index_dir)]
    for k in range(3):
        (corpus / f"more-{k}.txt").write_text(f"Article number {k}. It talks about careers.\n", encoding="utf-8")
        build_index(corpus, index_dir, HashEmbedder())
        names.append(current_name(index_dir))
    assert len(set(names)) == 4
    # The live version and the one before it, even when builds fall within the same second.
    assert versions(index_dir) == sorted(names[-2:])
    (index_dir / CURRENT).write_text(names[-2] + "\n", encoding="utf-8")
    assert "more-2.txt" not in load_index(index_dir, model=MODEL).documents
    assert "more-1.txt" in load_index(index_dir, model=MODEL).documents


def test_failed_build_keeps_previous_version_live(built, monkeypatch):
    corpus, index_dir, manifest = built
    before = current_name(index_dir)
    import faiss

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(faiss, "write_index", boom)
    (corpus / "extra.txt").write_text("Extra article.\n", encoding="utf-8")
    with pytest.raises(OSError, match="disk full"):
        build_index(corpus, index_dir, HashEmbedder())
    monkeypatch.undo()
    assert current_name(index_dir) == before
    assert versions(index_dir) == [before]
    assert not list(index_dir.glob(".tmp-*"))
    assert load_index(index_dir, model=MODEL).manifest == manifest


# --- tampering and mismatches ---------------------------------------------------------------------


def _live(index_dir: Path) -> Path:
    return index_dir / current_name(index_dir)


def test_flipped_byte_in_faiss_is_corrupt(built):
    _, index_dir, _ = built
    path = _live(index_dir) / "passages.faiss"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorrupt, match=REBUILD_HINT) as info:
        load_index(index_dir, model=MODEL)
    assert "passages.faiss" in str(info.value)


def test_truncated_passages_jsonl_is_corrupt(built):
    _, index_dir, _ = built
    path = _live(index_dir) / "passages.jsonl"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexCorrupt, match=REBUILD_HINT):
        load_index(index_dir, model=MODEL)


def test_missing_index_file_is_corrupt(built):
    _, index_dir, _ = built
    (_live(index_dir) / "sentences.faiss").unlink()
    with pytest.raises(IndexCorrupt, match=REBUILD_HINT) as info:
        load_index(index_dir, model=MODEL)
    assert "sentences.faiss" in str(info.value)


def test_unreadable_manifest_is_corrupt(built):
    _, index_dir, _ = built
    (_live(index_dir) / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorrupt, match=REBUILD_HINT):
        load_index(index_dir, model=MODEL)


def test_consistent_but_wrong_counts_are_corrupt(built):
    # A manifest edited to claim another passage count: checksums pass, the counts do not.
    _, index_dir, _ = built
    path = _live(index_dir) / "manifest.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["passages"] += 1
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(IndexCorrupt, match=REBUILD_HINT):
        load_index(index_dir, model=MODEL)


def test_other_model_is_mismatch(built):
    _, index_dir, _ = built
    with pytest.raises(IndexMismatch, match=REBUILD_HINT) as info:
        load_index(index_dir, model="other")
    assert "other" in str(info.value) and MODEL in str(info.value)


def test_other_format_is_mismatch(built):
    _, index_dir, _ = built
    path = _live(index_dir) / "manifest.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["format"] = 999
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(IndexMismatch, match=REBUILD_HINT) as info:
        load_index(index_dir, model=MODEL)
    assert "999" in str(info.value)


def test_current_naming_missing_folder_is_corrupt(built):
    _, index_dir, _ = built
    (index_dir / CURRENT).write_text("v-20000101000000-abcdef\n", encoding="utf-8")
    with pytest.raises(IndexCorrupt, match=REBUILD_HINT):
        load_index(index_dir, model=MODEL)


def test_current_naming_a_non_version_folder_is_corrupt(built):
    _, index_dir, _ = built
    (index_dir / "elsewhere").mkdir()
    (index_dir / CURRENT).write_text("elsewhere\n", encoding="utf-8")
    with pytest.raises(IndexCorrupt):
        load_index(index_dir, model=MODEL)


def test_no_index_is_missing(tmp_path):
    with pytest.raises(IndexMissing, match=REBUILD_HINT):
        load_index(tmp_path / "index", model=MODEL)


# --- building from awkward corpora ----------------------------------------------------------------


def test_empty_corpus_folder_raises_corpus_error(tmp_path, index_dir):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CorpusError):
        build_index(empty, index_dir, HashEmbedder())
    assert not (index_dir / CURRENT).exists()
    assert versions(index_dir) == []


def test_missing_corpus_folder_raises_corpus_error(tmp_path, index_dir):
    with pytest.raises(CorpusError):
        build_index(tmp_path / "nope", index_dir, HashEmbedder())


def test_corpus_of_only_broken_files_names_them(tmp_path, index_dir):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "junk.pdf").write_bytes(b"not a pdf at all")
    with pytest.raises(CorpusError, match="junk.pdf"):
        build_index(folder, index_dir, HashEmbedder())


def test_broken_file_is_skipped_and_named_in_manifest(corpus, index_dir):
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\n this is not really a pdf \x00\x01\x02")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02\x03 binary")
    manifest = build_index(corpus, index_dir, HashEmbedder())
    assert any("broken.pdf" in w for w in manifest.warnings)
    assert any("binary.txt" in w for w in manifest.warnings)
    loaded = load_index(index_dir, model=MODEL)
    assert set(loaded.documents) == set(ARTICLES)
    assert loaded.manifest.warnings == manifest.warnings
    # The broken files are part of the recorded sources: the index is fresh until they change.
    assert "broken.pdf" in manifest.sources
    assert index_status(corpus, index_dir, MODEL).state == "fresh"


def test_manifest_on_disk_matches_returned_manifest(built):
    _, index_dir, manifest = built
    raw = json.loads((_live(index_dir) / "manifest.json").read_text(encoding="utf-8"))
    assert raw == json.loads(json.dumps(asdict(manifest)))
    assert set(raw["files"]) == set(index_mod.REQUIRED_FILES)


# --- formats, dimensions, listings ----------------------------------------------------------------


def _edit_manifest(index_dir: Path, **changes) -> None:
    path = _live(index_dir) / "manifest.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw.update(changes)
    path.write_text(json.dumps(raw), encoding="utf-8")


def test_newer_format_says_upgrade_or_rebuild(built):
    # A newer manifest may carry fields this version does not know: the format is read first.
    _, index_dir, _ = built
    _edit_manifest(index_dir, format=index_mod.FORMAT_VERSION + 1, shards=4)
    with pytest.raises(IndexMismatch) as info:
        load_index(index_dir, model=MODEL)
    message = str(info.value)
    assert "newer version" in message and "upgrade" in message and "python -m bot index --rebuild" in message


def test_older_format_says_rebuild(built):
    _, index_dir, _ = built
    _edit_manifest(index_dir, format=index_mod.FORMAT_VERSION - 1)
    with pytest.raises(IndexMismatch, match="older version.*python -m bot index --rebuild"):
        load_index(index_dir, model=MODEL)


@pytest.mark.parametrize("value", [None, "2", [2]])
def test_manifest_without_a_format_number_is_corrupt(built, value):
    _, index_dir, _ = built
    _edit_manifest(index_dir, format=value)
    with pytest.raises(IndexCorrupt, match="format number"):
        load_index(index_dir, model=MODEL)


def test_status_of_another_format_is_stale_so_a_build_replaces_it(built):
    corpus, index_dir, _ = built
    _edit_manifest(index_dir, format=index_mod.FORMAT_VERSION + 1)
    status = index_status(corpus, index_dir, MODEL)
    assert status.state == "stale" and "newer" in status.reason
    build_index(corpus, index_dir, HashEmbedder())
    assert load_index(index_dir, model=MODEL).manifest.format == index_mod.FORMAT_VERSION


def test_other_dimension_is_mismatch(built):
    # The same model name giving vectors of another size (a local model folder replaced, say).
    _, index_dir, _ = built
    with pytest.raises(IndexMismatch, match="64-dimensional.*gives 32.*python -m bot index --rebuild"):
        load_index(index_dir, model=MODEL, dim=32)
    assert load_index(index_dir, model=MODEL, dim=64).manifest.dim == 64


def test_chatbot_refuses_an_index_of_another_dimension(built, tmp_path):
    from bot.answer.chatbot import Chatbot
    from bot.config import Settings

    corpus, index_dir, _ = built
    settings = Settings(corpus_dir=corpus, index_dir=index_dir, feedback_path=tmp_path / "f.jsonl")
    with pytest.raises(IndexMismatch, match="python -m bot index --rebuild"):
        Chatbot.from_settings(settings, HashEmbedder(dim=32), build=False)


def test_file_left_out_of_the_manifest_is_corrupt(built):
    _, index_dir, manifest = built
    files = dict(manifest.files)
    del files["sentences.faiss"]
    _edit_manifest(index_dir, files=files)
    with pytest.raises(IndexCorrupt, match="does not list sentences.faiss"):
        load_index(index_dir, model=MODEL)


def test_manifest_listing_nothing_is_corrupt(built):
    _, index_dir, _ = built
    _edit_manifest(index_dir, files={})
    with pytest.raises(IndexCorrupt, match="does not list"):
        load_index(index_dir, model=MODEL)


def test_file_not_in_the_manifest_is_corrupt(built):
    _, index_dir, _ = built
    (_live(index_dir) / "extra.json").write_text("{}", encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="extra.json.*not in its manifest"):
        load_index(index_dir, model=MODEL)


def test_truncated_bm25_file_is_corrupt(built):
    _, index_dir, _ = built
    path = _live(index_dir) / "bm25.npz"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(IndexCorrupt, match="bm25.npz.*checksum"):
        load_index(index_dir, model=MODEL)


def test_altered_documents_with_matching_length_are_corrupt(built):
    # Same size, one letter changed: only the checksum can tell.
    _, index_dir, _ = built
    path = _live(index_dir) / "documents.jsonl"
    path.write_text(path.read_text(encoding="utf-8").replace("growing", "glowing", 1), encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="documents.jsonl.*checksum"):
        load_index(index_dir, model=MODEL)


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00garbage", b"../../etc\n", b"v-x/../../etc\n"])
def test_current_with_garbage_is_corrupt(built, content):
    corpus, index_dir, _ = built
    (index_dir / CURRENT).write_bytes(content)
    with pytest.raises(IndexCorrupt, match="python -m bot index --rebuild"):
        load_index(index_dir, model=MODEL)
    assert index_status(corpus, index_dir, MODEL).state == "stale"


# --- what killed builds leave behind ----------------------------------------------------------------


def test_next_build_removes_leftovers_of_killed_builds_and_keeps_the_previous_live_version(built):
    corpus, index_dir, _ = built
    first = current_name(index_dir)
    # What kills at different moments leave: a half-written version, a pointer never renamed into
    # place, a complete version that never went live, and a half-deleted old version.
    (index_dir / ".tmp-deadbeef" / "bm25").mkdir(parents=True)
    (index_dir / ".tmp-deadbeef" / "passages.jsonl").write_text("{half", encoding="utf-8")
    (index_dir / f".{CURRENT}.abc123").write_text("v-99990101000000000000-abcdef\n", encoding="utf-8")
    orphan = index_dir / "v-99990101000000000000-abcdef"
    orphan.mkdir()
    (orphan / "manifest.json").write_text("{}", encoding="utf-8")
    (index_dir / ".old-v-1-abcdef").mkdir()
    assert load_index(index_dir, model=MODEL).folder.name == first  # leftovers never disturb the live version
    build_index(corpus, index_dir, HashEmbedder())
    second = current_name(index_dir)
    assert sorted(p.name for p in index_dir.iterdir()) == sorted([".lock", CURRENT, first, second])
    # The version kept is the one that was live, not the newer orphan.
    (index_dir / CURRENT).write_text(first + "\n", encoding="utf-8")
    assert load_index(index_dir, model=MODEL).folder.name == first


def test_a_build_failing_after_its_version_is_written_leaves_the_old_one_live(built, monkeypatch):
    corpus, index_dir, manifest = built
    before = current_name(index_dir)
    from bot.search import store

    def refuse(*args, **kwargs):
        raise OSError("no space left for the pointer")

    monkeypatch.setattr(store.os, "replace", refuse)
    (corpus / "extra.txt").write_text("Extra article about salaries.\n", encoding="utf-8")
    with pytest.raises(OSError, match="pointer"):
        build_index(corpus, index_dir, HashEmbedder())
    monkeypatch.undo()
    assert current_name(index_dir) == before
    assert load_index(index_dir, model=MODEL).manifest == manifest
    assert index_status(corpus, index_dir, MODEL).state == "stale"  # not claimed fresh: extra.txt is not in it
    assert not list(index_dir.glob(f".{CURRENT}.*")) and not list(index_dir.glob(".tmp-*"))
    build_index(corpus, index_dir, HashEmbedder())
    assert len(versions(index_dir)) == 2 and before in versions(index_dir)


def test_load_reads_the_new_version_when_a_build_removed_the_old_one_meanwhile(built, monkeypatch):
    corpus, index_dir, _ = built
    old = _live(index_dir)
    (corpus / "extra.txt").write_text("Extra article about salaries.\n", encoding="utf-8")
    real_verify = index_mod.verify_files
    calls = []

    def verify_then_switch(folder, listed):
        calls.append(folder.name)
        if len(calls) == 1:  # a reader between reading CURRENT and reading the files; two builds finish
            build_index(corpus, index_dir, HashEmbedder())
            build_index(corpus, index_dir, HashEmbedder())
            assert not old.exists()
        return real_verify(folder, listed)

    monkeypatch.setattr(index_mod, "verify_files", verify_then_switch)
    loaded = load_index(index_dir, model=MODEL)
    assert loaded.folder.name == current_name(index_dir) != old.name
    assert "extra.txt" in loaded.documents
