"""Chunking: a Document becomes Passages that read well as citations.

The text is read as lines (blocks). Each block is a heading, a list item, a
paragraph or a thematic break (``---``). Headings are short title-case lines
(or ``#`` lines) followed by text; a short title-case bullet followed by a
paragraph is a heading too (some pages style section names as bullets).

Page furniture never becomes a passage: breadcrumbs, "back to top", social and
newsletter calls to action, author bios, and the trailer of a page (from the
first such block near the end, once most of what follows is furniture too).
Repeated blocks (a subtitle that restates the first paragraph) and the title
line are dropped as well.

Passages keep list items with the sentence that introduces them, stay within
one section, end on sentence boundaries and aim for MIN_WORDS..MAX_WORDS words.
Offsets are half-open into ``Document.text``: ``doc.text[p.start:p.end] == p.text``.
Each passage also carries the spans of its sentences, for answers and highlights.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from bot.records import Document, Passage, Span
from bot.text import fold, for_matching, word_count

#: Bump when the output of chunking changes: the index manifest records it.
CHUNKER_VERSION = 6
MIN_WORDS = 40
MAX_WORDS = 120
#: A heading with at most this many words of its own, then another heading, introduces sub-sections.
PARENT_MAX_WORDS = 15

_LINE = re.compile(r"[^\r\n]+")
_BULLET = re.compile(r"([-*\u2022\u00b7\u2023\u25aa\u25e6\u25cf\u2013]|\d{1,3}[.)])\s+")
_RULE = re.compile(r"^([-*_=])(\s*\1){2,}$")
_MD_HEADING = re.compile(r"#{1,6}\s+")
_BREADCRUMB = re.compile(r"\s[\u00bb\u203a>|/]\s|^home\s*[\u00bb\u203a>]", re.I)
_CUE = re.compile(
    r"\b(back to top|tweet (at|to) (me|us)|follow (me|us)|subscribe|newsletter|sign up for our|share (this|on)"
    r"|all rights reserved|cookie|privacy policy|terms of (use|service)|click here|read more|my name is"
    r"|don'?t miss|leave a (comment|reply)|ready to help|who can help|we can help|contact us"
    r"|related (posts|articles)|questions or comments)\b",
    re.I,
)
_FURNITURE_HEADING = re.compile(
    r"^(author|authors|about the author|about me|about us|related|related (posts|articles)|share|share this"
    r"|comments?|leave a (reply|comment)|newsletter|tags?|categories)$",
    re.I,
)
_BYLINE = re.compile(r"^(published|posted|updated|last updated|written by|by)\b", re.I)
_SMALL_WORDS = frozenset("a an the and or but nor for of to in on at by as is are be vs via with from into than".split())




@dataclass(frozen=True)
class _Block:
    start: int
    end: int
    kind: str  # heading | item | para | rule
    body_start: int  # after a bullet marker or '#'s
    furniture: bool = False


def chunk_documents(documents: tuple[Document, ...] | list[Document]) -> list[Passage]:
    """All passages of all documents, numbered in order."""
    passages: list[Passage] = []
    for doc in documents:
        for p in chunk_document(doc):
            passages.append(_renumber(p, len(passages)))
    return passages


def _renumber(p: Passage, pid: int) -> Passage:
    return replace(p, pid=pid)


def chunk_document(doc: Document) -> list[Passage]:
    text = doc.text
    folded = fold(text)
    blocks = _mark_furniture(folded, _classify(folded), doc.title)
    passages: list[Passage] = []
    heading = parent = ""
    parents = _parent_headings(folded, blocks)
    unit: list[_Block] = []
    section_units: list[list[_Block]] = []

    heading_start: int | None = None

    def close_section() -> None:
        for k, (start, end, sents) in enumerate(_pack(folded, section_units)):
            if k == 0 and heading_start is not None:
                start = heading_start  # the first passage of a section quotes its heading line
            passages.append(
                Passage(
                    pid=0, doc_id=doc.doc_id, title=doc.title, heading=heading, start=start, end=end, text=text[start:end],
                    sentences=sents, parent=parent if parent != heading else "",
                )
            )
        section_units.clear()

    for i, block in enumerate(blocks):
        if block.kind in ("heading", "rule"):
            if unit:
                section_units.append(unit)
                unit = []
            close_section()
            heading = text[block.body_start : block.end].strip() if block.kind == "heading" and not block.furniture else ""
            heading_start = block.start if heading else None
            if block.kind == "rule" or block.furniture:
                parent = ""
            elif i in parents:
                parent = heading
            continue
        if block.furniture:  # a passage never spans what was left out
            if unit:
                section_units.append(unit)
                unit = []
            close_section()
            heading_start = None
            continue
        joins = (
            block.kind == "item"
            and unit
            and (unit[-1].kind == "item" or folded[unit[-1].start : unit[-1].end].rstrip().endswith(":"))
        )
        if joins:
            unit.append(block)
        else:
            if unit:
                section_units.append(unit)
            unit = [block]
    if unit:
        section_units.append(unit)
    close_section()
    return passages


def _parent_headings(folded: str, blocks: list[_Block]) -> set[int]:
    """Headings that introduce sub-sections: little text of their own, then another heading."""
    out = set()
    for i, b in enumerate(blocks):
        if b.kind != "heading" or b.furniture:
            continue
        words = 0
        for nxt in blocks[i + 1 :]:
            if nxt.kind in ("heading", "rule"):
                if nxt.kind == "heading" and not nxt.furniture and words <= PARENT_MAX_WORDS:
                    out.add(i)
                break
            if not nxt.furniture:
                words += word_count(folded[nxt.start : nxt.end])
    return out


# --- classification ---------------------------------------------------------------


def _lines(folded: str) -> list[tuple[int, int]]:
    out = []
    for m in _LINE.finditer(folded):
        start, end = m.start(), m.end()
        while start < end and folded[start].isspace():
            start += 1
        while end > start and folded[end - 1].isspace():
            end -= 1
        if end > start:
            out.append((start, end))
    return out


def _classify(folded: str) -> list[_Block]:
    raw = []
    for start, end in _lines(folded):
        line = folded[start:end]
        if _RULE.match(line):
            raw.append(("rule", start, end, start))
            continue
        md = _MD_HEADING.match(line)
        if md:
            raw.append(("mdheading", start, end, start + md.end()))
            continue
        bullet = _BULLET.match(line)
        if bullet:
            raw.append(("item", start, end, start + bullet.end()))
        else:
            raw.append(("para", start, end, start))
    blocks: list[_Block] = []
    for i, (kind, start, end, body_start) in enumerate(raw):
        nxt = raw[i + 1][0] if i + 1 < len(raw) else None
        body = folded[body_start:end]
        if kind == "mdheading":
            kind = "heading"
        elif nxt is not None and _heading_shaped(body):
            if kind == "para" and nxt in ("para", "item"):
                kind = "heading"
            elif kind == "item" and nxt == "para":
                kind = "heading"
        blocks.append(_Block(start, end, kind, body_start))
    return blocks


def _heading_shaped(line: str) -> bool:
    """A short, single-sentence, title-case line without closing punctuation."""
    line = line.strip()
    if not line or line[-1] in ".,;:!" or not line[0].isupper() or _BYLINE.match(line):
        return False
    if re.search(r"[\u00bb\u203a]|^home\s*>", line, re.I):  # a breadcrumb ("Home » Title"), not a heading
        return False
    tokens = line.split()
    if len(tokens) > 14 or re.search(r"[.?!]\s+[A-Z]", line):
        return False
    content = [t for t in tokens[1:] if t[:1].isalpha() and t.lower().strip("?'\"") not in _SMALL_WORDS]
    if not content:
        return True
    capitalized = sum(1 for t in content if t[0].isupper())
    return capitalized / len(content) >= 0.6


def _mark_furniture(folded: str, blocks: list[_Block], title: str) -> list[_Block]:
    """Flag furniture blocks, the title line and repeated blocks."""
    title_key = for_matching(title)
    seen: set[str] = set()
    kept: list[_Block] = []
    dropped: set[int] = set()
    prev_key = None
    for b in blocks:
        key = for_matching(folded[b.body_start : b.end])
        if b.kind != "rule":
            if key and key == prev_key:
                dropped.add(len(kept) - 1)  # a subtitle restating the next line: keep the later one
            elif not key or key == title_key or key in seen:
                dropped.add(len(kept))  # the title line, a repeat, or punctuation only
        seen.add(key)
        prev_key = key
        kept.append(b)

    def cued(b: _Block) -> bool:
        body = folded[b.body_start : b.end]
        if b.kind == "rule":
            return True
        if _BREADCRUMB.search(body) and word_count(body) <= 30 and b.kind != "heading":
            return True
        if b.kind == "heading":
            return bool(_FURNITURE_HEADING.match(body.strip()) or _CUE.search(body))
        if _BYLINE.match(body) and word_count(body) <= 12:
            return True
        return bool(_CUE.search(body))

    flags = [cued(b) for b in kept]
    furniture = [False] * len(kept)
    # Short cued blocks anywhere; sections under a furniture heading.
    in_furniture_section = False
    for i, b in enumerate(kept):
        body = folded[b.body_start : b.end]
        if b.kind == "heading":
            in_furniture_section = flags[i]
            furniture[i] = flags[i]
        elif b.kind == "rule":
            in_furniture_section = False
        else:
            furniture[i] = in_furniture_section or (flags[i] and word_count(body) <= 25)
    # The trailer: from the first cued block after which most blocks are cued.
    for i in range(len(kept)):
        rest = [flags[j] or furniture[j] for j in range(i, len(kept)) if kept[j].kind != "rule"]
        if (flags[i] or furniture[i]) and (not rest or sum(rest) * 2 >= len(rest)):
            for j in range(i, len(kept)):
                furniture[j] = True
            break
    for i in dropped:
        furniture[i] = True
    out: list[_Block] = []
    for i, (b, f) in enumerate(zip(kept, furniture, strict=True)):
        kind = "para" if i in dropped and b.kind == "heading" and not flags[i] else b.kind  # a boundary, not a section
        out.append(_Block(b.start, b.end, kind, b.body_start, f))
    return _furniture_headings_hide_sections(out)


def _furniture_headings_hide_sections(blocks: list[_Block]) -> list[_Block]:
    """Blocks under a furniture heading are furniture until the next real heading."""
    out = []
    hidden = False
    for b in blocks:
        if b.kind == "heading":
            hidden = b.furniture
        elif b.kind == "rule":
            hidden = hidden and b.furniture
        if hidden and not b.furniture:
            b = _Block(b.start, b.end, b.kind, b.body_start, True)
        out.append(b)
    return out


# --- packing ---------------------------------------------------------------------


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd
    from pysbd.utils import TextSpan

    class Segmenter(pysbd.Segmenter):
        r"""pysbd's sentences, their offsets found with ``str.find`` rather than one new regex per sentence.

        pysbd locates each sentence it returns with ``re.finditer(re.escape(sentence) + r"\s*")``: a new
        pattern per sentence, which pushes pysbd's few hundred abbreviation patterns out of ``re``'s cache
        (512 entries), so every build compiled them all again: 0.2 of the 0.3 s chunking took beside 2 s of
        embedding. The same search (the first occurrence, with the whitespace after it, that ends past the
        previous sentence) without regexes gives the same spans (tests/test_chunking.py checks it).
        """

        def sentences_with_char_spans(self, sentences):
            text, spans, prior = self.original_text, [], 0
            for sent in sentences:
                pos = 0
                while sent and (start := text.find(sent, pos)) >= 0:
                    end = start + len(sent)
                    while end < len(text) and text[end].isspace():
                        end += 1
                    if end > prior:
                        spans.append(TextSpan(text[start:end], start, end))
                        prior = end
                        break
                    pos = end
            return spans

    return Segmenter(language="en", clean=False, char_span=True)


def sentence_spans(folded: str, start: int, end: int) -> list[Span]:
    """Sentence spans inside folded[start:end], absolute, whitespace trimmed."""
    piece = folded[start:end]
    if not piece.strip():
        return []
    spans: list[Span] = []
    try:
        segments = [(s.start, s.end) for s in _segmenter().segment(piece)]
    except Exception:  # noqa: BLE001 - the splitter failing on odd text must not lose the text
        segments = [(0, len(piece))]
    cursor = 0
    for s, e in segments:
        s, e = max(s, cursor), min(max(e, s), len(piece))
        cursor = max(cursor, e)
        while s < e and piece[s].isspace():
            s += 1
        while e > s and piece[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((start + s, start + e))
    return spans or [(start, end)]


def _split_long(folded: str, span: Span, limit: int) -> list[Span]:
    """Cut a sentence with more than `limit` words at word boundaries."""
    s, e = span
    if word_count(folded[s:e]) <= limit:
        return [span]
    bounds = [m.start() + s for m in re.finditer(r"\S+", folded[s:e])]
    ends = [m.end() + s for m in re.finditer(r"\S+", folded[s:e])]
    return [(bounds[i], ends[min(i + limit, len(ends)) - 1]) for i in range(0, len(bounds), limit)]


def _atoms(folded: str, unit: list[_Block]) -> list[tuple[Span, list[Span]]]:
    """Pieces a passage may not cut: a list item whole when short, else sentences."""
    atoms: list[tuple[Span, list[Span]]] = []
    for b in unit:
        sents = [piece for sp in sentence_spans(folded, b.body_start, b.end) for piece in _split_long(folded, sp, MAX_WORDS)]
        if b.kind == "item" and word_count(folded[b.start : b.end]) <= MAX_WORDS:
            atoms.append(((b.start, b.end), sents))
        else:
            for k, sp in enumerate(sents):
                begin = b.start if k == 0 else sp[0]
                atoms.append(((begin, sp[1]), [sp]))
    return atoms


def _pack(folded: str, units: list[list[_Block]]) -> list[tuple[int, int, tuple[Span, ...]]]:
    """Pack a section's units into passages of MIN_WORDS..MAX_WORDS words where possible."""
    pieces: list[list[tuple[Span, list[Span]]]] = []
    for unit in units:
        atoms = _atoms(folded, unit)
        total = sum(word_count(folded[a[0][0] : a[0][1]]) for a in atoms)
        n = max(1, math.ceil(total / MAX_WORDS))
        target = total / n
        current: list[tuple[Span, list[Span]]] = []
        words = 0
        for atom in atoms:
            w = word_count(folded[atom[0][0] : atom[0][1]])
            if current and (words + w > MAX_WORDS or words >= target):
                pieces.append(current)
                current, words = [], 0
            current.append(atom)
            words += w
        if current:
            pieces.append(current)
    merged: list[list[tuple[Span, list[Span]]]] = []
    for piece in pieces:
        if merged:
            prev_words = _words_of(folded, merged[-1])
            this_words = _words_of(folded, piece)
            if (prev_words < MIN_WORDS or this_words < MIN_WORDS) and prev_words + this_words <= MAX_WORDS:
                merged[-1] = merged[-1] + piece
                continue
        merged.append(piece)
    out = []
    for piece in merged:
        start, end = piece[0][0][0], piece[-1][0][1]
        sents = tuple(sp for _, spans in piece for sp in spans)
        out.append((start, end, sents))
    return out


def _words_of(folded: str, piece: list[tuple[Span, list[Span]]]) -> int:
    return word_count(folded[piece[0][0][0] : piece[-1][0][1]])
