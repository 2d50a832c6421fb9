"""The pipeline's layers: each package imports only from the layers before it.

ingest -> search -> answer -> serve / bench. The shared modules (records, config, text, errors, log)
import none of them; only the entry points (bot.cli, bot.__main__, app.py) see everything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"
SHARED = ("bot.records", "bot.config", "bot.text", "bot.errors", "bot.log", "bot.progress")
#: What each layer may not import.
FORBIDDEN = {
    "bot.ingest": ("bot.search", "bot.answer", "bot.serve", "bot.bench"),
    "bot.search": ("bot.answer", "bot.serve", "bot.bench"),
    "bot.answer": ("bot.serve", "bot.bench"),
    "bot.serve": ("bot.bench",),
    **{m: ("bot.ingest", "bot.search", "bot.answer", "bot.serve", "bot.bench") for m in SHARED},
}


def imported(source: str) -> set[str]:
    """Every module a source imports, at the top or inside a function."""
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def violations(module: str, source: str) -> list[str]:
    layer = next((k for k in FORBIDDEN if module == k or module.startswith(k + ".")), None)
    if layer is None:
        return []
    return sorted(f"{module} imports {m}" for m in imported(source) if any(m == f or m.startswith(f + ".") for f in FORBIDDEN[layer]))


def modules() -> list[tuple[str, Path]]:
    return [(".".join(("bot", *p.relative_to(BOT).with_suffix("").parts)).removesuffix(".__init__"), p) for p in sorted(BOT.rglob("*.py"))]


@pytest.mark.parametrize("module,path", modules(), ids=[m for m, _ in modules()])
def test_no_module_imports_a_later_layer(module, path):
    assert violations(module, path.read_text(encoding="utf-8")) == []


def test_the_check_sees_a_forbidden_import_at_the_top_and_inside_a_function():
    assert violations("bot.ingest.corpus", "from bot.search.index import build_index\n") == [
        "bot.ingest.corpus imports bot.search.index",
        "bot.ingest.corpus imports bot.search.index.build_index",
    ]
    assert violations("bot.answer.chatbot", "def f():\n    from bot.serve import render\n") == [
        "bot.answer.chatbot imports bot.serve",
        "bot.answer.chatbot imports bot.serve.render",
    ]
    assert violations("bot.search.index", "import bot.bench.scale\n") == ["bot.search.index imports bot.bench.scale"]
    assert violations("bot.answer.chatbot", "from bot.search.index import load_index\n") == []


def test_every_package_is_covered():
    packages = {m for m, p in modules() if p.name == "__init__.py" and m != "bot"}
    assert packages <= set(FORBIDDEN) | {"bot.bench"}, "a new package needs its place in FORBIDDEN"


def test_no_module_is_over_300_lines():
    long = [
        f"{m}: {len(p.read_text(encoding='utf-8').splitlines())}"
        for m, p in modules()
        if len(p.read_text(encoding="utf-8").splitlines()) > 300
    ]
    assert long == []
