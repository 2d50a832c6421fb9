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
    in_item = 0
    row: list[str] | None = None
    level = 0
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            level = int(tok.tag[1])
        elif tok.type == "inline":
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
