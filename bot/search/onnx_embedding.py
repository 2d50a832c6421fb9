"""The embedding model run by ONNX Runtime: the same vectors as sentence-transformers, without loading torch.

A sentence-transformers folder made of a BERT-style transformer, mean pooling
and (optionally) normalization is exported once to ONNX with the pooling and
the normalization inside the graph, into a cache folder of the project (never
next to the model, never downloaded). The export needs torch and transformers,
both installed with the project; serving then needs only onnxruntime and
tokenizers, which load in a fraction of the time torch takes. The vectors agree
with sentence-transformers' to about 1e-7 (``tests/test_onnx_embedding.py``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import uuid
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.errors import BotError

log = logging.getLogger(__name__)

#: Bump when the exported graph changes: older exports are then made again.
EXPORT_VERSION = 1
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
#: Padded tokens a batch: 1,024 was the fastest of 512–4,096 for one session on 2 cores (attention grows with the
#: square of the width); 512 for one single-threaded session per core. Measured in docs/performance.md, "Building faster".
TOKEN_BUDGET, TOKEN_BUDGET_PARALLEL = 1024, 512
#: Texts from which batches run side by side, one session per core: a build, not a question.
PARALLEL_FROM = 64


def supported(model_dir: Path) -> str:
    """Why this model folder cannot run on ONNX Runtime here, or "" when it can."""
    if not model_dir.is_dir():
        return f"{model_dir} is not a local model folder"
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        pooling_dir = next(model_dir / m["path"] for m in modules if m["type"].endswith("Pooling"))
        pooling = json.loads((pooling_dir / "config.json").read_text(encoding="utf-8"))
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, StopIteration) as exc:
        return f"cannot read its sentence-transformers configuration ({exc})"
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return f"its modules are {kinds}, the export knows Transformer, Pooling[, Normalize]"
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode") and v}
    if modes != {"pooling_mode_mean_tokens"}:
        return f"its pooling is {sorted(modes)}, the export knows mean pooling"
    if config.get("model_type") not in ("bert",):
        return f"its transformer is {config.get('model_type')!r}, the export is checked on BERT"
    if not (model_dir / "tokenizer.json").is_file():
        return "it has no tokenizer.json (a fast tokenizer)"
    return ""


def cache_key(model_dir: Path) -> str:
    """Names the export: changes when the model's files change (size and time, not a hash of 90 MB)."""
    parts = [str(model_dir.resolve()), str(EXPORT_VERSION)]
    for path in sorted(model_dir.glob("*")):
        if path.is_file():
            st = path.stat()
            parts.append(f"{path.name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def export(model_dir: Path, target: Path) -> Path:
    """Export the transformer with mean pooling and L2 normalization to ``target`` (atomically)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    class Pooled(torch.nn.Module):
        def __init__(self, model) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    sample = tokenizer(["an example question", "a second, longer example sentence"], padding=True, return_tensors="pt")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}")
    axes = {name: {0: "batch", 1: "tokens"} for name in _INPUTS}
    try:
        # The tracer warns that shapes it sees become constants; the graph is checked against
        # sentence-transformers on batches and lengths of every kind in tests/test_onnx_embedding.py.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Pooled(model),
                tuple(sample[name] for name in _INPUTS),
                str(tmp),
                input_names=list(_INPUTS),
                output_names=["embedding"],
                dynamic_axes={**axes, "embedding": {0: "batch"}},
                opset_version=17,
                dynamo=False,  # the TorchScript exporter: no onnxscript needed, and exact for BERT
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


class OnnxModel:
    """Tokenizer and ONNX Runtime session for one exported model."""

    def __init__(self, model_dir: Path, cache_dir: Path) -> None:
        from tokenizers import Tokenizer

        path = cache_dir / "onnx" / f"{model_dir.name}-{cache_key(model_dir)}" / "model.onnx"
        if not path.is_file():
            log.info("exporting %s to ONNX in %s (once)", model_dir, path.parent)
            try:
                export(model_dir, path)
            except Exception as exc:  # noqa: BLE001 - any failure: the caller falls back or says the fix
                raise BotError(
                    f"Could not export {model_dir} to ONNX ({exc.__class__.__name__}: {exc}). Set BOT_EMBED_BACKEND=torch."
                ) from exc
        config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
        self.max_tokens = int(config.get("max_seq_length") or 512)
        self.lower = bool(config.get("do_lower_case"))
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_tokens)
        self.tokenizer.no_padding()
        self.path = path
        self.session = _session(path)
        self._workers: list | None = None  # one single-threaded session per core, made at the first large encode
        self._workers_lock = threading.Lock()
        self.dim = int(self.session.get_outputs()[0].shape[1] or 0) or self._probe_dim()

    def _probe_dim(self) -> int:
        return int(self.session.run(None, _feeds(self.tokenizer.encode("x").ids))[0].shape[1])

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """Unit vectors, one row per text.

        All texts are tokenized first and batched by their token counts, longest first, with at most
        ``batch_size`` texts and about a token budget of padded tokens a batch: short sentences go many
        to a batch, long passages few, and almost nothing is padded. From ``PARALLEL_FROM`` texts on (a
        build), the batches run side by side on one single-threaded session per core instead of one
        session spreading each batch over the cores. Against sentence-transformers' ``encode`` of the
        same texts: 0.5x the time (docs/performance.md, "Building faster")."""
        texts = [t.lower() if self.lower else t for t in texts]
        encodings = self.tokenizer.encode_batch(texts)
        lengths = [len(e.ids) for e in encodings]
        workers = self._parallel() if len(texts) >= PARALLEL_FROM else None
        budget = TOKEN_BUDGET_PARALLEL if workers else TOKEN_BUDGET
        order = sorted(range(len(texts)), key=lambda i: -lengths[i])
        batches, start = [], 0
        while start < len(order):
            count = max(1, min(batch_size, budget // max(lengths[order[start]], 1)))
            batches.append(order[start : start + count])
            start += count
        out = np.zeros((len(texts), self.dim), dtype=np.float32)

        def run(session, rows: list[int]) -> None:
            width = lengths[rows[0]]
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for row, i in enumerate(rows):
                ids[row, : lengths[i]] = encodings[i].ids
                mask[row, : lengths[i]] = 1
            out[rows] = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]

        if workers:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(len(workers), thread_name_prefix="embed") as pool:  # ONNX Runtime lets go of the GIL
                list(pool.map(lambda k: run(workers[k % len(workers)], batches[k]), range(len(batches))))
        else:
            for rows in batches:
                run(self.session, rows)
        return out

    def release(self) -> None:
        """Drop the per-core sessions and give their freed memory back to the system: a build calls it once it
        has embedded everything, so that the index it builds next does not sit on top of them (about 250 MB).
        The next large encode makes them again."""
        with self._workers_lock:
            self._workers = None
        trim_heap()

    def _parallel(self) -> list | None:
        """The per-core sessions (None on one core)."""
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        if cores < 2:
            return None
        with self._workers_lock:
            if self._workers is None:
                self._workers = [_session(self.path, threads=1) for _ in range(cores)]
        return self._workers


def trim_heap() -> None:
    """Return the C heap's free pages to the system (glibc's malloc_trim; nothing elsewhere): memory that ONNX
    Runtime and FAISS free stays counted in the process's resident size until then."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        trim = None
    if trim is not None:
        trim(0)


def _session(path: Path, threads: int = 0):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _feeds(ids: list[int]) -> dict[str, np.ndarray]:
    row = np.asarray([ids], dtype=np.int64)
    return {"input_ids": row, "attention_mask": np.ones_like(row), "token_type_ids": np.zeros_like(row)}
