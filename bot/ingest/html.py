"""HTML reader: the page's main content as blocks, headings from the DOM, code kept verbatim.

Parsed with lxml (a real HTML parser, forgiving of broken markup) and walked in document order:
``h1``–``h6`` are headings, ``dt`` terms and question-shaped bold paragraphs are headings one level
down, ``pre`` is code, list items and table rows are blocks of their own. Navigation, sidebars,
headers and footers, tables of contents, "edit this page" links and permalinks (¶) are left out
(``bot.ingest.html_furniture``).
The main content is the first of the usual containers (``main``, ``[role=main]``, ``article``, Sphinx's
``div.body``, AsciiDoc's ``#content``, MediaWiki's ``#mw-content-text``, …) that holds most of the
page's text, else the body: a whole section is never lost to a boilerplate guess.

Metadata comes only from what the page declares: ``<title>`` (or its one ``h1``), ``<meta>`` author,
date and site name, a ``<time datetime>``, the canonical link. Nothing is guessed from the body text.
"""

from __future__ import annotations

import re

from bot.ingest.declared import declared_metadata
from bot.ingest.html_furniture import ENDNOTES, HEADINGS, drop_contents_lines, dropped, tokens
from bot.ingest.layout import BULLET, CELL, TextBuilder, heading_text, inline
from bot.text import word_count

_ADMONITIONS = frozenset("admonition note tip warning caution important hint attention danger error seealso".split())
_FIELDS = frozenset({"field-list", "docinfo"})  # docutils field lists: name and value, not terms

_LISTS = frozenset(("ul", "ol", "menu", "dir"))
_BLOCKS = frozenset(
    "p div section article main blockquote pre ul ol dl dt dd li table thead tbody tfoot tr td th figure figcaption "
    "center details summary hr address fieldset h1 h2 h3 h4 h5 h6 menu dir header".split()
)
_MAIN = (
    "//main",
    "//*[@role='main']",
    "//article",
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' body ')]",
    "//*[@id='content']",
    "//*[@id='mw-content-text']",
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' document ')]",
)
_QUESTION = re.compile(r"\?\s*$")
_NUMBERED = re.compile(r"^\s*(\(\d+\)|\d+[.)]|Q\d*[.:])\s")  # "(3) …", "3. …", "Q: …": an FAQ's numbered entry
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def read_html(html: str) -> tuple[dict[str, str], str, TextBuilder]:
    """(metadata, text, builder) of a page; ValueError when it holds no text at all."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", html, count=1))
    except (ValueError, lxml.etree.ParserError) as exc:  # lxml's "Document is empty"
        raise ValueError("no main text found in the HTML") from exc
    meta = declared_metadata(root)
    body = root.find("body") if root.find("body") is not None else root
    drop_contents_lines(body)
    main = _main_content(root, body)
    out = TextBuilder()
    out.source_words = _visible_words(body)
    _Walker(out).walk(main)
    if not out.blocks:
        raise ValueError("no main text found in the HTML (only navigation, scripts or nothing)")
    h1 = [b for b in out.blocks if b.kind == "heading" and b.level == 1]
    if len(h1) == 1 and len(out.text[h1[0].start : h1[0].end].split()) <= 15:
        meta["title"] = out.text[h1[0].start : h1[0].end]
    return meta, out.text, out


def _visible_words(el) -> int:
    """Words a browser shows of the page, navigation and other page furniture left out (``dropped``)."""
    parts: list[str] = []

    def walk(node) -> None:
        if dropped(node):
            return
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(el)
    return word_count(" ".join(parts))


def _continued(el) -> bool:
    """The section goes on after the list: before the next heading, text that is not another definition list (a run
    of entries each in its own ``dl``, as Sphinx writes an API, is a run of sections)."""
    if (el.tail or "").strip():
        return True
    for sib in el.itersiblings():
        tag = sib.tag.lower() if isinstance(sib.tag, str) else ""
        if tag in HEADINGS:
            return False
        if tag and tag != "dl" and not dropped(sib) and sib.text_content().strip():
            return True
        if (sib.tail or "").strip():
            return True
    return False


def _text_length(el) -> int:
    return sum(len(t.strip()) for t in el.itertext())


def _main_content(root, body):
    total = _text_length(body) or 1
    for path in _MAIN:
        for el in root.xpath(path):
            if _text_length(el) >= 0.5 * total:
                return el
    return body


class _Walker:
    """Document order over the DOM, block by block; inline content gathered into paragraphs."""

    def __init__(self, out: TextBuilder) -> None:
        self.out = out
        self.level = 1  # of the last heading, for dt terms and bold questions
        self.top = 6  # the highest level of a heading so far: the page's own
        self.pending: list[str] = []
        self.item_open = False  # the text gathered next is a list item's own (before any nested block)
        self.label = ""  # an admonition's label ("Tip: "), put before the next paragraph

    def flush(self) -> None:
        text = "".join(self.pending)
        self.pending = []
        if text.strip():
            text, self.label = self.label + text.strip(), ""
            if self.item_open:
                self.out.add("item", text, marker=BULLET)
                self.item_open = False
            else:
                self.out.add("para", text)

    def heading(self, text: str, level: int) -> None:
        self.flush()
        if heading_text(text):
            self.level, self.top = level, min(self.top, level)
            self.out.add("heading", text, level=level)

    def walk(self, el, in_admonition: bool = False) -> None:
        if el.text:
            self.pending.append(el.text)
        for child in el:
            self.visit(child, in_admonition)
            if child.tail:
                self.pending.append(child.tail)

    def visit(self, el, in_admonition: bool) -> None:
        if dropped(el):
            return
        tag = el.tag.lower()
        if tag not in _BLOCKS and tag != "br":
            self.pending.append(self.inline_text(el))
            return
        if tag == "br":
            self.pending.append(" ")
            return
        if tag in HEADINGS:
            if in_admonition:  # "Tip", "Note": a label of the box, not a section
                self.flush()
                self.label = inline(self.inline_text(el)) + ": "
                return
            self.heading(self.inline_text(el), HEADINGS[tag])
            return
        self.flush()
        if ENDNOTES in tokens(el) and tag in ("div", "section"):  # the page's footnotes, not its last section's
            self.heading("Footnotes", min(self.top + 1, 6))
        if tag == "pre":
            self.out.add("code", el.text_content())
        elif tag in _LISTS:
            self.list_items(el, in_admonition)
        elif tag == "dl":
            self.definitions(el, in_admonition)
        elif tag == "table":
            self.table(el, in_admonition or bool(tokens(el) & _ADMONITIONS))
        elif tag == "p" and self.bold_question(el):
            self.heading(self.inline_text(el), min(self.level + 1, 6))
            self.level -= 1 if self.level > 1 else 0  # the next question is a sibling, not a child
        elif tag == "p" and "admonition-title" in tokens(el):
            self.label = inline(self.inline_text(el)) + ": "
            return
        elif tag == "hr":
            return
        else:
            self.walk(el, in_admonition or bool(tokens(el) & _ADMONITIONS))
        self.flush()

    def list_items(self, el, in_admonition: bool) -> None:
        for li in el:
            if not isinstance(li.tag, str) or li.tag.lower() != "li" or dropped(li):
                continue
            self.flush()
            self.item_open = True
            self.walk(li, in_admonition)
            self.flush()
            self.item_open = False

    def definitions(self, el, in_admonition: bool) -> None:
        # "Author: …", "Parameters: …": a field's name labels its value; so does a term of a list the section goes on
        # after ("0x0001: Report exact sizes …", then more of the answer): a heading would take that text as its own
        fields = bool(tokens(el) & _FIELDS) or _continued(el)
        for child in el:
            if not isinstance(child.tag, str) or dropped(child):
                continue
            tag = child.tag.lower()
            if tag == "dt":
                term = self.inline_text(child)
                if fields:
                    self.label = inline(term).rstrip(": ") + ": "
                elif 0 < len(term.split()) <= 25 and not in_admonition:
                    self.heading(term, min(self.level + 1, 6))
                    self.level -= 1 if self.level > 1 else 0  # the next term is a sibling, not a child
                else:
                    self.pending.append(term)
                    self.flush()
            else:
                self.walk(child, in_admonition)
                self.flush()

    def table(self, el, in_admonition: bool = False) -> None:
        rows = [r for r in el.iter("tr")]
        cells = [[c for c in r if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")] for r in rows]
        if in_admonition or any(c.find(".//p") is not None or c.find(".//pre") is not None for row in cells for c in row):
            for row in cells:  # a table for layout (an admonition box, a page grid): its cells are ordinary content
                for c in row:
                    if c.tag.lower() == "th" and self.inline_text(c).strip():  # the box's label: "Tip: …"
                        self.label = self.inline_text(c).strip() + ": "
                        continue
                    self.walk(c, in_admonition)
                    self.flush()
            return
        for caption in el.iter("caption"):
            self.out.add("para", self.inline_text(caption))
        header: list[str] = []
        for row, row_cells in zip(rows, cells, strict=True):
            texts = [inline(self.inline_text(c)) for c in row_cells]
            if not any(t.strip() for t in texts):
                continue
            if not header and (all(c.tag.lower() == "th" for c in row_cells) or row.getparent().tag.lower() == "thead"):
                header = texts
                self.out.add("row", CELL.join(t for t in texts if t.strip()) + ":")  # it introduces the rows
                continue
            if header and len(header) == len(texts):  # each row says what its cells are: "package: grub-pc | size: 534"
                self.out.add("row", CELL.join(f"{h}: {t}" if h.strip() else t for h, t in zip(header, texts, strict=True) if t.strip()))
            else:
                self.out.add("row", CELL.join(t for t in texts if t.strip()))

    def bold_question(self, el) -> bool:
        """A paragraph that is one bold or strong question, or a numbered bold line: an FAQ's entry styled without a
        heading tag."""
        children = [c for c in el if isinstance(c.tag, str)]
        if len(children) != 1 or children[0].tag.lower() not in ("strong", "b") or (el.text or "").strip():
            return False
        text = inline(children[0].text_content())
        shaped = _QUESTION.search(text) or _NUMBERED.match(text)  # "(3) SQLite lets me insert a string …!" is one too
        return bool(shaped) and len(text.split()) <= 50 and not (children[0].tail or "").strip()

    def inline_text(self, el) -> str:
        """The text of an element without its dropped parts (permalinks, hidden spans)."""
        if dropped(el):
            return ""
        parts = [el.text or ""]
        for child in el:
            if isinstance(child.tag, str) and not dropped(child):
                parts.append(" " if child.tag.lower() == "br" else self.inline_text(child))
            parts.append(child.tail or "")
        return "".join(parts)
