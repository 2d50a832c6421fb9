"""Markdown reader: headings (ATX and setext), paragraphs, list items, tables and fenced code, by markdown-it-py.

A real CommonMark parser rather than line patterns: a ``#`` inside a fenced block is code, not a
heading; a paragraph wrapped over several lines is one paragraph; emphasis and link markup are
dropped from the text while their words stay. The text quoted is the rendered text, built by
``bot.ingest.layout``.
"""

from __future__ import annotations

from bot.ingest.layout import BULLET, CELL, TextBuilder


def read_markdown(source: str) -> TextBuilder:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    out = TextBuilder()
    tokens = md.parse(source)
    skipped = _contents(tokens)
    in_item = 0
    row: list[str] | None = None
    level = 0
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            level = int(tok.tag[1])
        elif tok.type == "inline":
            if i in skipped or _badges(tok):
                continue
            text = _inline_text(tok)
            parent = tokens[i - 1].type if i else ""
            if parent == "heading_open":
                out.add("heading", text, level=level)
            elif row is not None:
                row.append(text)
            elif in_item and parent == "paragraph_open" and not _item_started(tokens, i):
                out.add("item", text, marker=BULLET)
            else:
                out.add("para", text)
        elif tok.type == "list_item_open":
            in_item += 1
        elif tok.type == "list_item_close":
            in_item -= 1
        elif tok.type in ("fence", "code_block"):
            out.add("code", tok.content)
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close":
            if row and any(c.strip() for c in row):
                out.add("row", CELL.join(c for c in row if c.strip()))
            row = None
        elif tok.type == "html_block":
            text = _html_text(tok.content)
            if text:
                out.add("para", text)
        elif tok.type == "hr":
            continue
    return out


def _contents(tokens) -> set[int]:
    """The inline tokens of the page's own contents: a list (nested or not) of three or more items that are each one
    link to a place on the same page ("- [INSTALLATION](#installation)"), which the sections below say in full."""
    out: set[int] = set()
    i = 0
    while i < len(tokens):
        if tokens[i].type not in ("bullet_list_open", "ordered_list_open"):
            i += 1
            continue
        depth, j = 0, i
        for j in range(i, len(tokens)):
            depth += tokens[j].nesting if tokens[j].type.endswith("_list_open") or tokens[j].type.endswith("_list_close") else 0
            if depth == 0:
                break
        inline = [k for k in range(i, j) if tokens[k].type == "inline"]
        if len(inline) >= 3 and all(_anchor_only(tokens[k]) for k in inline):
            out.update(inline)
        i = j + 1
    return out


def _anchor_only(tok) -> bool:
    """An inline that is one link to a place on this page and nothing else."""
    kids = [c for c in tok.children or () if not (c.type == "text" and not c.content.strip())]
    return (
        bool(kids)
        and kids[0].type == "link_open"
        and (kids[0].attrs.get("href") or "").startswith("#")
        and kids[-1].type == "link_close"
        and sum(c.type == "link_open" for c in kids) == 1
    )


def _badges(tok) -> bool:
    """A paragraph of images only, linked or not (a README's build and version badges, a logo): no text to read."""
    kids = [c for c in tok.children or () if not (c.type in ("text", "softbreak") and not c.content.strip())]
    return bool(kids) and any(c.type == "image" for c in kids) and all(c.type in ("image", "link_open", "link_close") for c in kids)


def _item_started(tokens, i: int) -> bool:
    """True when this paragraph is not the first one of its list item (a later paragraph of the item)."""
    depth = 0
    for tok in reversed(tokens[: i - 1]):
        if tok.type == "list_item_open":
            return depth > 0
        if tok.type == "paragraph_close":
            depth += 1
    return False


def _inline_text(tok) -> str:
    parts = []
    for child in tok.children or ():
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content if child.type != "html_inline" else "")
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)


def _html_text(html: str) -> str:
    import lxml.html

    try:
        return " ".join(lxml.html.fragment_fromstring(html, create_parent="div").text_content().split())
    except (ValueError, lxml.etree.ParserError):
        return ""
