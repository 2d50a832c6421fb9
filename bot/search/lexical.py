"""Lexical search: BM25 over the passages, scored by bm25s when the index is built, read with numpy when asked.

bm25s computes the BM25 score of every (term, passage) pair at build time and
keeps them as a sparse matrix with one column per term. Scoring a question is
then a sum of its terms' columns. The question path does that sum itself on the
saved arrays and does not import bm25s, whose import (SciPy with it) took about
a fifth of a second of every cold start on this machine.

Terms are split as bm25s splits them (scikit-learn's token pattern, lower case,
stop words out, Snowball stems from PyStemmer). The stop words are saved with
the index, so a question is split exactly as the passages were.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.text import expand_acronyms, stems

#: The files of a lexical index inside an index version folder.
ARRAYS, SETTINGS = "bm25.npz", "bm25.json"
TOKEN_PATTERN = r"(?u)\b\w\w+\b"


@lru_cache(maxsize=4)
def _splitter(pattern: str):
    return re.compile(pattern).findall


@dataclass(frozen=True)
class Tokenizer:
    """Text to BM25 terms: lower case, split, stop words out, stemmed."""

    stopwords: frozenset[str]
    pattern: str = TOKEN_PATTERN
    language: str = "english"

    @classmethod
    def english(cls) -> Tokenizer:
        """bm25s's English stop words (imports bm25s: for building, not for answering)."""
        from bm25s.stopwords import STOPWORDS_EN

        return cls(frozenset(STOPWORDS_EN))

    @classmethod
    def from_settings(cls, settings: dict) -> Tokenizer:
        """The tokenizer saved with an index (``bm25.json``)."""
        return cls(frozenset(settings["stopwords"]), settings["pattern"], settings["language"])

    def terms(self, text: str, acronyms: dict[str, str] | None = None) -> list[str]:
        """The terms of one text; with ``acronyms``, an acronym also gives its long form and the reverse."""
        if acronyms:
            text = expand_acronyms(text, acronyms)
        words = [w for w in _splitter(self.pattern)(text.lower()) if w not in self.stopwords]
        return stems(words, self.language)


@dataclass(frozen=True)
class LexicalIndex:
    """BM25 scores of every term in every passage, as the columns of a sparse matrix (CSC arrays)."""

    tokenizer: Tokenizer
    vocab: dict[str, int]  # term -> column
    data: np.ndarray  # the scores, column after column
    indices: np.ndarray  # the passage of each score
    indptr: np.ndarray  # column j is data[indptr[j]:indptr[j + 1]]
    passages: int
    params: dict = field(default_factory=dict)  # how bm25s scored: k1, b, method, version

    @classmethod
    def build(cls, texts: Sequence[str], tokenizer: Tokenizer | None = None) -> LexicalIndex:
        """Score ``texts`` (one per passage, in passage order) with bm25s's BM25 (Lucene variant, k1 1.5, b 0.75)."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets DEBUG on import, and logs each build
        tokenizer = tokenizer or Tokenizer.english()
        bm25 = bm25s.BM25(k1=1.5, b=0.75, method="lucene")  # Lucene's BM25 scores absent terms 0: a column sum is exact
        bm25.index([tokenizer.terms(t) for t in texts], show_progress=False)
        s = bm25.scores
        columns = len(s["indptr"]) - 1  # bm25s adds an empty term after the last column: no text has it
        return cls(
            tokenizer,
            {str(t): int(i) for t, i in bm25.vocab_dict.items() if int(i) < columns},
            np.asarray(s["data"], dtype=np.float32),
            np.asarray(s["indices"], dtype=np.int64),
            np.asarray(s["indptr"], dtype=np.int64),
            int(s["num_docs"]),
            {"k1": bm25.k1, "b": bm25.b, "method": bm25.method, "bm25s": bm25s.__version__},
        )

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """The BM25 score of every passage for these terms (a repeated term counts again, as in bm25s)."""
        out = np.zeros(self.passages, dtype=np.float32)
        for term in terms:
            column = self.vocab.get(term)
            if column is not None:
                lo, hi = self.indptr[column], self.indptr[column + 1]
                out[self.indices[lo:hi]] += self.data[lo:hi]  # a passage appears once per column
        return out

    def document_frequency(self) -> dict[str, int]:
        """How many passages hold each term."""
        df = np.diff(self.indptr)
        return {term: int(df[column]) for term, column in self.vocab.items()}

    def save(self, folder: Path) -> None:
        np.savez(folder / ARRAYS, data=self.data, indices=self.indices, indptr=self.indptr)
        settings = {
            "passages": self.passages,
            "pattern": self.tokenizer.pattern,
            "language": self.tokenizer.language,
            "stopwords": sorted(self.tokenizer.stopwords),
            "params": self.params,
            "vocab": self.vocab,
        }
        (folder / SETTINGS).write_text(json.dumps(settings, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """Read a saved index; raises ValueError (or OSError, KeyError) when the files do not fit together."""
        settings = json.loads((folder / SETTINGS).read_text(encoding="utf-8"))
        with np.load(folder / ARRAYS, allow_pickle=False) as arrays:
            data, indices, indptr = (np.asarray(arrays[k]) for k in ("data", "indices", "indptr"))
        vocab = {str(t): int(i) for t, i in settings["vocab"].items()}
        passages = int(settings["passages"])
        if (
            len(indptr) != len(vocab) + 1
            or sorted(vocab.values()) != list(range(len(vocab)))
            or len(data) != len(indices)
            or int(indptr[-1]) != len(data)
            or np.any(np.diff(indptr) < 0)
            or (len(indices) and (int(indices.min()) < 0 or int(indices.max()) >= passages))
        ):
            raise ValueError("the BM25 arrays do not match its vocabulary and passage count")
        return cls(
            Tokenizer.from_settings(settings),
            vocab,
            data.astype(np.float32, copy=False),
            indices,
            indptr,
            passages,
            settings.get("params", {}),
        )
