"""Places: the countries a question names, by ISO 3166's names (pycountry's database).

"What does an ML engineer earn in India?" asks about India; over documents that never name it the answer is not
there, however well the rest matches (``Chatbot._unknown_words``). Whole names only, as written in the question.
"""

from __future__ import annotations

import re
from functools import cache


@cache
def _countries() -> re.Pattern:
    """ISO 3166 country names as written (pycountry's database), those without a comma or brackets, longest first."""
    names = {c.get(a, "") for c in _iso3166() for a in ("name", "common_name")}
    plain = sorted((n for n in names if n and not re.search(r"[,()]", n)), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in plain) + r")\b", re.IGNORECASE)


def _iso3166() -> list[dict]:
    """pycountry's ISO 3166-1 records, read from its JSON file without importing pycountry (70 ms of a cold start)."""
    import importlib.util
    import json
    from pathlib import Path

    spec = importlib.util.find_spec("pycountry")
    path = Path(spec.origin).parent / "databases" / "iso3166-1.json" if spec and spec.origin else None
    try:
        return json.loads(path.read_text(encoding="utf-8"))["3166-1"]
    except (AttributeError, OSError, ValueError, KeyError):  # another layout: ask pycountry itself
        import pycountry

        return [{"name": c.name, "common_name": getattr(c, "common_name", "")} for c in pycountry.countries]


def countries_named(question: str) -> list[str]:
    """The countries a question names, as written in it ("india" in "salary in india")."""
    return list(dict.fromkeys(m.group(1) for m in _countries().finditer(question)))
