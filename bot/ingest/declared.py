"""Declared metadata of an HTML page: what its head says, never what its body text suggests.

``<title>``, ``<meta>`` author, date and site name (in their common spellings: plain names, Dublin
Core, Open Graph), the canonical link, and otherwise the first ``<time datetime>``.
"""

from __future__ import annotations

import re

from bot.ingest.layout import heading_text, inline

_DATE_META = ("date", "dcterms.date", "dc.date", "dcterms.created", "article:published_time", "datepublished")


def declared_metadata(root) -> dict[str, str]:
    meta: dict[str, str] = {}
    title = root.find(".//title")
    if title is not None and heading_text(title.text_content()):
        meta["title"] = heading_text(title.text_content())
    for el in root.iter("meta"):
        name = (el.get("name") or el.get("property") or el.get("itemprop") or "").strip().lower()
        content = inline(el.get("content") or "")
        if not content:
            continue
        if name in ("author", "article:author", "dc.creator", "dcterms.creator") and "author" not in meta:
            meta["author"] = content
        elif name in _DATE_META and "date" not in meta:
            meta["date"] = content[:10] if re.match(r"\d{4}-\d{2}-\d{2}", content) else content
        elif name in ("og:site_name", "application-name") and "publisher" not in meta:
            meta["publisher"] = content
        elif name == "og:url" and "url" not in meta:
            meta["url"] = content
    for el in root.iter("link"):
        if (el.get("rel") or "").lower() == "canonical" and el.get("href") and "url" not in meta:
            meta["url"] = el.get("href")
    if "date" not in meta:
        for el in root.iter("time"):
            value = (el.get("datetime") or "").strip()
            if re.match(r"\d{4}-\d{2}-\d{2}", value):
                meta["date"] = value[:10]
                break
    return meta
