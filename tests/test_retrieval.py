"""bot.search.retrieval: FAISS's -1 ids (fewer hits than asked for) never become hits or citations."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from bot.answer.chatbot import Chatbot
from bot.config import Settings
from bot.search.build import build_index
from bot.search.embedding import HashEmbedder
from bot.search.index import load_index
from bot.search.retrieval import Retriever

from .conftest import write_articles


class OverAsking:
    """A real FAISS index asked for more neighbours than it holds: FAISS pads with id -1."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.ntotal, self.d = inner.ntotal, inner.d
        self.padded = 0

    def search(self, q, k):
        scores, ids = self.inner.search(q, k + 5)
        self.padded += int((ids < 0).sum())
        return scores, ids

    def reconstruct_n(self, first, count):
        return self.inner.reconstruct_n(first, count)


@pytest.fixture
def padded(tmp_path):
    corpus = write_articles(tmp_path / "corpus")
    build_index(corpus, tmp_path / "index", HashEmbedder())
    index = load_index(tmp_path / "index")
    search = dataclasses.replace(
        index.search, passage_vectors=OverAsking(index.search.passage_vectors), sentence_vectors=OverAsking(index.search.sentence_vectors)
    )
    return dataclasses.replace(index, search=search)


def test_minus_one_ids_are_not_hits(padded):
    retrieval = Retriever(padded, HashEmbedder()).search("What skills do machine learning engineers need?", k=50)
    assert padded.search.passage_vectors.padded > 0 and padded.search.sentence_vectors.padded > 0  # FAISS really returned -1s
    pids = [h.passage.pid for h in retrieval.hits]
    assert len(pids) == len(set(pids)) == len(padded.passages)
    assert all(np.isfinite(h.score) for h in retrieval.hits)


def test_minus_one_ids_never_become_citations(padded, tmp_path):
    bot = Chatbot(padded, HashEmbedder(), Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index"))
    bot.calibration = dataclasses.replace(bot.calibration, bias=50.0)  # always confident: answer, never abstain
    answer = bot.ask("What skills do machine learning engineers need?")
    assert padded.search.passage_vectors.padded > 0
    assert answer.citations and not answer.abstained
    for c in answer.citations:
        assert padded.passages[c.pid].text == c.text
        doc = padded.documents[c.doc_id]
        assert doc.text[c.start : c.end] == c.text
