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
        import onnxruntime as ort
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
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.dim = int(self.session.get_outputs()[0].shape[1] or 0) or self._probe_dim()
        self.path = path

    def _probe_dim(self) -> int:
        return int(self.encode(["x"], 1).shape[1])

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """Unit vectors, one row per text; texts are batched by length, as sentence-transformers does, to pad little."""
        texts = [t.lower() if self.lower else t for t in texts]
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), 0), dtype=np.float32)
        rows = []
        for start in range(0, len(order), batch_size):
            batch = [texts[i] for i in order[start : start + batch_size]]
            encodings = self.tokenizer.encode_batch(batch)
            width = max(len(e.ids) for e in encodings)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, e in enumerate(encodings):
                ids[row, : len(e.ids)] = e.ids
                mask[row, : len(e.ids)] = 1
            rows.append(self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0])
        if rows:
            sorted_vectors = np.concatenate(rows)
            out = np.empty_like(sorted_vectors)
            out[order] = sorted_vectors
        return np.ascontiguousarray(out, dtype=np.float32)
