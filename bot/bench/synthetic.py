"""Synthetic data for the scale benchmark: articles made of the corpus's own word pairs, and vectors.

Uniform unit vectors have no neighbourhood structure (the worst case for an approximate index);
embedding-like vectors are real passage vectors perturbed, with the clusters of real text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

# --- synthetic text -------------------------------------------------------------


def bigram_chain(texts: Sequence[str]) -> dict[str, list[str]]:
    """Word → the words that follow it in the corpus (with repeats, so sampling follows their frequency)."""
    chain: dict[str, list[str]] = {}
    for text in texts:
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            words = re.findall(r"[A-Za-z][A-Za-z'’-]*|\d+", sentence)
            for a, b in zip(["<s>", *words], [*words, "</s>"], strict=True):
                chain.setdefault(a, []).append(b)
    return chain


def sentence_from(chain: dict[str, list[str]], rng: np.random.Generator, lo: int = 8, hi: int = 24) -> str:
    words, word = [], "<s>"
    while len(words) < hi:
        options = chain.get(word) or chain["<s>"]
        word = options[rng.integers(len(options))]
        if word == "</s>":
            if len(words) >= lo:
                break
            word = "<s>"
            continue
        words.append(word)
    return " ".join(words).capitalize() + "."


def synthetic_articles(chain: dict[str, list[str]], n_passages: int, seed: int = 0) -> list[str]:
    """Articles (front matter, headings, paragraphs of 45–90 words) holding about ``n_passages`` passages."""
    rng = np.random.default_rng(seed)
    articles, made = [], 0
    while made < n_passages:
        sections = []
        for _ in range(min(10, n_passages - made)):
            body = []
            while sum(len(s.split()) for s in body) < rng.integers(45, 90):
                body.append(sentence_from(chain, rng))
            heading = " ".join(w.capitalize() for w in sentence_from(chain, rng, 3, 6).rstrip(".").split()[:6])
            sections.append(f"{heading}\n{' '.join(body)}")
            made += 1
        title = sentence_from(chain, rng, 4, 8).rstrip(".")
        articles.append(f"---\ntitle: {title}\n---\n" + "\n\n".join(sections) + "\n")
    return articles


# --- synthetic vectors -----------------------------------------------------------


def uniform_vectors(n: int, dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, 100_000):
        block = rng.standard_normal((min(100_000, n - start), dim), dtype=np.float32)
        out[start : start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def embedding_like_vectors(real: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Unit vectors from a Gaussian with the mean and covariance of ``real`` (rows of real embeddings)."""
    rng = np.random.default_rng(seed)
    mean = real.mean(axis=0)
    cov = np.cov(real, rowvar=False) + 1e-6 * np.eye(real.shape[1])
    root = np.linalg.cholesky(cov).astype(np.float32)
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):
        z = rng.standard_normal((min(100_000, n - start), real.shape[1]), dtype=np.float32)
        block = mean.astype(np.float32) + z @ root.T
        out[start : start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out
