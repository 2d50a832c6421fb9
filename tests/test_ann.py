"""bot.search.ann: the index kind by size, each kind built, searched, reconstructed, saved and loaded."""

from __future__ import annotations

import numpy as np
import pytest

from bot.bench import kinds
from bot.config import TUNING
from bot.ingest.chunking import chunk_documents
from bot.ingest.corpus import load_corpus
from bot.search import ann
from bot.search.build import build_index
from bot.search.embedding import HashEmbedder
from bot.search.index import load_index
from bot.search.retrieval import Retriever

from .conftest import write_articles


def unit_vectors(n: int, dim: int, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_small_corpora_stay_exact_and_large_ones_go_approximate():
    assert ann.choose(0, 384).kind == "exact"
    assert ann.choose(35, 384) == ann.EXACT  # the project's own corpus
    assert ann.choose(TUNING.exact_up_to, 384).kind == "exact"
    assert ann.choose(TUNING.exact_up_to + 1, 384).kind == "ivf-pq-refine"
    # the measured settings: ~4·√n lists, a quarter probed up to 2,048 lists and 3/16 above; 2 dimensions per 4-bit code
    big = ann.choose(1_000_000, 384)
    assert (ann.choose(100_000, 384).nlist, ann.choose(100_000, 384).nprobe) == (1024, 256)
    assert (big.nlist, big.nprobe, big.pq_m, big.k_factor) == (4096, 768, 192, 20)
    assert big.label == "IVF4096,PQ192x4fs,RFlat nprobe=768 k_factor=20"
    assert (kinds.ivf_sq8(1_000_000).nlist, kinds.ivf_sq8(1_000_000).nprobe) == (4096, 1024)


def test_ivf_never_has_more_lists_than_its_vectors_can_train():
    for n in (1, 10, 100, 1000):
        for choice in (kinds.ivf_sq8(n), ann.ivf_pq_refine(n, 32)):
            assert 1 <= choice.nlist <= max(1, n // 39) and 1 <= choice.nprobe <= choice.nlist


def test_a_dimension_of_zero_is_refused():
    with pytest.raises(ValueError, match="positive dimension"):
        ann.choose(10, 0)


def test_an_unknown_kind_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="exact or ivf-pq-refine"):
        ann.build(unit_vectors(4, 8), ann.IndexChoice("lsh"))
    with pytest.raises(ValueError, match="bot.bench.kinds builds the others"):
        ann.build(unit_vectors(4, 8), kinds.hnsw())


@pytest.mark.parametrize(
    "choice, min_recall, max_reconstruct_error",
    [
        (ann.EXACT, 1.0, 0.0),
        (kinds.hnsw(m=16, ef_construction=64, ef_search=64), 0.9, 0.0),  # vectors stored as they are
        (ann.IndexChoice("ivf-sq8", nlist=16, nprobe=16), 0.95, 0.01),  # all lists probed: only the 8-bit codes differ
        # all lists probed, 200 candidates re-scored with the stored vectors, which reconstruct_n returns
        (ann.IndexChoice("ivf-pq-refine", nlist=16, nprobe=16, pq_m=16, k_factor=20, refine="Flat"), 0.95, 0.0),
        (
            ann.IndexChoice("ivf-pq-refine", nlist=16, nprobe=16, pq_m=16, k_factor=20, refine="SQ8"),
            0.95,
            0.02,
        ),  # 8-bit over the whole range, not a residual
    ],
    ids=["exact", "hnsw", "ivf-sq8", "ivf-pq-refine", "ivf-pq-refine-sq8"],
)
def test_each_kind_finds_the_exact_neighbours_and_reconstructs_its_vectors(tmp_path, choice, min_recall, max_reconstruct_error):
    import faiss

    x = unit_vectors(2000, 32)
    queries = unit_vectors(50, 32, seed=1)
    truth = ann.build(x, ann.EXACT).search(queries, 10)[1]
    index = kinds.build(x, choice)
    faiss.write_index(index, str(tmp_path / "v.faiss"))  # what the index folder holds
    index = faiss.read_index(str(tmp_path / "v.faiss"))
    ann.prepare(index)
    found = index.search(queries, 10)[1]
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)])
    assert recall >= min_recall
    assert np.abs(index.reconstruct_n(100, 5) - x[100:105]).max() <= max_reconstruct_error
    assert index.ntotal == 2000 and choice.label.split()[0] in ann.describe(index)
    if choice.kind == "ivf-pq-refine":  # the search settings are kept in the file
        assert ann.describe(index) == choice.label


def test_ivf_pq_refine_answers_as_many_neighbours_as_retrieval_asks_for():
    x = unit_vectors(3000, 32)
    index = ann.build(x, ann.ivf_pq_refine(len(x), 32))
    ann.prepare(index)
    scores, ids = index.search(unit_vectors(3, 32, seed=2), ann.MAX_K)
    assert (ids >= 0).all() and (np.diff(scores, axis=1) <= 1e-6).all()


def test_hnsw_answers_as_many_neighbours_as_retrieval_asks_for():
    index = kinds.build(unit_vectors(1000, 16), kinds.hnsw(m=8, ef_construction=32, ef_search=16))
    ann.prepare(index)
    ids = index.search(unit_vectors(3, 16, seed=2), ann.MAX_K)[1]
    assert (ids >= 0).all()  # with fewer candidates than k, HNSW may come back with fewer than k


def test_an_empty_exact_index_is_built():
    assert ann.build(np.zeros((0, 8), dtype=np.float32), ann.EXACT).ntotal == 0


@pytest.mark.parametrize(
    "choice",
    [kinds.hnsw(m=8, ef_construction=32, ef_search=16), ann.IndexChoice("ivf-sq8", nlist=1, nprobe=1), ann.ivf_pq_refine(40, 64)],
    ids=["hnsw", "ivf-sq8", "ivf-pq-refine"],
)
def test_retrieval_over_an_approximate_index_ranks_as_over_the_exact_one(tmp_path, monkeypatch, choice):
    corpus = write_articles(tmp_path / "corpus")
    embedder = HashEmbedder()
    build_index(corpus, tmp_path / "exact", embedder)
    exact = load_index(tmp_path / "exact")
    monkeypatch.setattr(ann, "choose", lambda n, dim: choice)
    monkeypatch.setattr(ann, "build", kinds.build)  # the benchmark's kinds too
    build_index(corpus, tmp_path / "approx", embedder)
    approx = load_index(tmp_path / "approx")
    assert choice.label.split()[0] in ann.describe(approx.search.passage_vectors) and choice.label.split()[0] in ann.describe(
        approx.search.sentence_vectors
    )
    assert len(chunk_documents(load_corpus(corpus).documents)) == len(approx.passages)
    for question in ("Which skills do I need?", "Do ML jobs pay well?", "How do I get started?"):
        a = Retriever(exact, embedder).search(question, k=5)
        b = Retriever(approx, embedder).search(question, k=5)
        # the same passages, the same best one; 8-bit codes may swap near-ties below it
        assert a.hits[0].passage.pid == b.hits[0].passage.pid
        assert {h.passage.pid for h in a.hits} == {h.passage.pid for h in b.hits}
        assert np.allclose(sorted(h.score for h in a.hits), sorted(h.score for h in b.hits), atol=0.02)
        for hit in a.hits:
            pid = hit.passage.pid
            assert np.allclose(
                Retriever(exact, embedder).sentence_scores(a.query_vector, pid),
                Retriever(approx, embedder).sentence_scores(a.query_vector, pid),
                atol=0.02,
            )


@pytest.mark.parametrize(
    "choice",
    [ann.EXACT, ann.IndexChoice("ivf-pq-refine", nlist=16, nprobe=16, pq_m=16, k_factor=20, refine="Flat")],
    ids=["exact", "ivf-pq-refine"],
)
def test_an_index_built_from_a_spool_on_disk_a_chunk_at_a_time_equals_one_built_from_the_array(tmp_path, choice, monkeypatch):
    from bot.search import spool

    x = unit_vectors(2100, 32)
    writer = spool.SpoolWriter(tmp_path / "vectors.f32")
    for lo in range(0, 2100, 700):  # written as a build embeds: a step at a time
        writer.write(x[lo : lo + 700])
    writer.close()
    assert writer.rows == 2100 and (tmp_path / "vectors.f32").stat().st_size == 2100 * 32 * 4
    monkeypatch.setattr(spool, "CHUNK_ROWS", 256)  # read back in many chunks
    part = spool.Spool(tmp_path / "vectors.f32", 32, 100, 2000)  # rows 100..2099: a passage or sentence range
    assert np.array_equal(part.take(np.array([5, 0, 1999])), x[[100, 105, 2099]])
    queries = unit_vectors(50, 32, seed=1)
    from_disk = ann.build(part, choice)
    in_memory = ann.build(x[100:], choice)
    assert from_disk.ntotal == 2000 and np.array_equal(from_disk.reconstruct_n(0, 2000), x[100:])
    found, expected = from_disk.search(queries, 10)[1], in_memory.search(queries, 10)[1]
    if choice.kind == "exact":
        assert np.array_equal(found, expected)
    else:  # trained on the same sample read in file order: the same neighbours but for near ties
        assert np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, expected, strict=True)]) >= 0.95


def test_a_spool_cut_short_says_so(tmp_path):
    from bot.search import spool

    (tmp_path / "v.f32").write_bytes(np.zeros((3, 8), dtype=np.float32).tobytes())
    with pytest.raises(ValueError, match="ends before row 4"):
        spool.Spool(tmp_path / "v.f32", 8, 0, 4).read(0, 4)
