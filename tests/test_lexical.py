"""bot.search.lexical: the same terms and scores as bm25s, from saved arrays, without importing bm25s to answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import bm25s
import numpy as np
import pytest
import Stemmer
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ingest.corpus import load_corpus
from bot.search.lexical import ARRAYS, SETTINGS, LexicalIndex, Tokenizer

from .conftest import write_articles

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def paragraphs() -> list[str]:
    docs = load_corpus(ROOT / "corpus").documents
    return [p for d in docs for p in d.text.split("\n\n") if p.strip()]


@pytest.fixture(scope="module")
def reference(paragraphs):
    """bm25s itself, indexing the same paragraphs with its own tokenizer."""
    bm25 = bm25s.BM25(k1=1.5, b=0.75, method="lucene")
    bm25.index(bm25s.tokenize(paragraphs, stopwords="en", stemmer=Stemmer.Stemmer("english"), show_progress=False), show_progress=False)
    return bm25


def _bm25s_terms(text: str) -> list[str]:
    return list(bm25s.tokenize([text], stopwords="en", stemmer=Stemmer.Stemmer("english"), show_progress=False, return_ids=False)[0])


def test_terms_are_those_of_bm25s_on_the_corpus(paragraphs):
    tokenizer = Tokenizer.english()
    assert [tokenizer.terms(p) for p in paragraphs] == [_bm25s_terms(p) for p in paragraphs]


@settings(max_examples=int(os.environ.get("BOT_HYPOTHESIS_EXAMPLES", "200")), deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80))
def test_terms_are_those_of_bm25s_on_any_text(text):
    assert Tokenizer.english().terms(text) == _bm25s_terms(text)


@pytest.mark.parametrize(
    "question",
    ["Do I need a master's degree?", "salary salary pay", "machine learning engineer skills", "zzzz qqqq", "the and of"],
)
def test_scores_are_those_of_bm25s(paragraphs, reference, question):
    ours = LexicalIndex.build(paragraphs)
    terms = ours.tokenizer.terms(question)
    expected = reference.get_scores(terms) if terms else np.zeros(len(paragraphs))
    np.testing.assert_allclose(ours.scores(terms), expected, rtol=1e-6, atol=1e-6)


def test_document_frequency_counts_passages():
    index = LexicalIndex.build(["data science data", "data engineering", "art"])
    df = index.document_frequency()
    assert df["data"] == 2 and df["scienc"] == 1 and df["art"] == 1
    assert "" not in index.vocab  # bm25s's placeholder for empty texts is no term


def test_save_and_load_give_the_same_index(tmp_path, paragraphs):
    index = LexicalIndex.build(paragraphs)
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert loaded.vocab == index.vocab and loaded.tokenizer == index.tokenizer and loaded.passages == len(paragraphs)
    terms = index.tokenizer.terms("Is a career in machine learning worth it?")
    np.testing.assert_array_equal(loaded.scores(terms), index.scores(terms))


@pytest.mark.parametrize(
    "damage",
    [
        lambda s, a: s.update(passages=1),  # scores point past the last passage
        lambda s, a: s["vocab"].pop(next(iter(s["vocab"]))),  # a column without a term
        lambda s, a: a.update(indices=a["indices"][:-1]),  # fewer passages than scores
        lambda s, a: a.update(indptr=a["indptr"][::-1].copy()),  # columns that end before they start
    ],
)
def test_load_refuses_arrays_that_do_not_fit(tmp_path, paragraphs, damage):
    LexicalIndex.build(paragraphs).save(tmp_path)
    saved = json.loads((tmp_path / SETTINGS).read_text(encoding="utf-8"))
    with np.load(tmp_path / ARRAYS) as npz:
        arrays = dict(npz)
    damage(saved, arrays)
    (tmp_path / SETTINGS).write_text(json.dumps(saved), encoding="utf-8")
    np.savez(tmp_path / ARRAYS, **arrays)
    with pytest.raises(ValueError, match="do not match"):
        LexicalIndex.load(tmp_path)


def test_answering_imports_neither_bm25s_nor_scipy(tmp_path):
    """The question path reads the saved scores itself: importing bm25s (and SciPy) slowed every cold start."""
    from bot.search.build import build_index
    from bot.search.embedding import HashEmbedder

    corpus = write_articles(tmp_path / "corpus")
    build_index(corpus, tmp_path / "index", HashEmbedder())
    script = (
        "import sys; from pathlib import Path; from bot.config import Settings; from bot.answer.chatbot import Chatbot; "
        "from bot.search.embedding import HashEmbedder; from bot.search.index import load_index; "
        "s = Settings(corpus_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2])); "
        "bot = Chatbot(load_index(s.index_dir), HashEmbedder(), s); bot.ask('What does a machine learning engineer earn?'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('bm25s', 'scipy')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(corpus), str(tmp_path / "index")], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
