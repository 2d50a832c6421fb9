"""Chunking: a Document becomes Passages that read well as citations.

The text is read as blocks (``bot.ingest.blocks``: headings, list items,
paragraphs, rules); page furniture is left out (``bot.ingest.furniture``).
Passages keep list items with the sentence that introduces them, stay within
one section, end on sentence boundaries (``bot.ingest.sentences``) and aim for
Tuning.min_passage_words..max_passage_words words.
Offsets are half-open into ``Document.text``: ``doc.text[p.start:p.end] == p.text``.
Each passage also carries the spans of its sentences, for answers and highlights.
"""

from __future__ import annotations

import math
from dataclasses import replace

from bot.config import TUNING
from bot.ingest.blocks import Block, classify
from bot.ingest.chunk_cache import ChunkCache
from bot.ingest.furniture import mark_furniture
from bot.ingest.sentences import sentence_spans, split_long
from bot.records import Document, Passage, Span
from bot.text import fold, word_count

#: Bump when what a file becomes changes (its reader or its chunking): the index manifest records it.
CHUNKER_VERSION = 24


def chunk_documents(documents: tuple[Document, ...] | list[Document], cache: ChunkCache | None = None) -> list[Passage]:
    """All passages of all documents, numbered in order; with ``cache``, a document chunked before is not chunked again."""
    passages: list[Passage] = []
    for doc in documents:
        own = cache.get(doc) if cache is not None else None
        if own is None:
            own = chunk_document(doc)
            if cache is not None:
                cache.put(doc, own)
        for p in own:
            passages.append(_renumber(p, len(passages)))
    return passages


def _renumber(p: Passage, pid: int) -> Passage:
    return replace(p, pid=pid)


def chunk_document(doc: Document) -> list[Passage]:
    text = doc.text
    folded = fold(text)
    found = [b if b.body_start >= 0 else replace(b, body_start=b.start) for b in doc.blocks] if doc.blocks else classify(folded)
    blocks = mark_furniture(folded, _code_cut(folded, found), doc.title)
    passages: list[Passage] = []
    heading = parent = ""
    leveled = any(b.level for b in blocks if b.kind == "heading")
    parents = set() if leveled else _parent_headings(folded, blocks)
    ancestors: list[tuple[int, str]] = []  # (level, heading) of the sections the current one sits in
    code = {(b.start, b.end) for b in blocks if b.kind == "code"}
    unit: list[Block] = []
    section_units: list[list[Block]] = []

    heading_start: int | None = None

    def close_section() -> None:
        least = TUNING.min_passage_words if heading else TUNING.min_unheaded_passage_words
        for k, (start, end, sents) in enumerate(_pack(folded, section_units, least)):
            if k == 0 and heading_start is not None:
                start = heading_start  # the first passage of a section quotes its heading line
            passages.append(
                Passage(
                    pid=0,
                    doc_id=doc.doc_id,
                    title=doc.title,
                    heading=heading,
                    start=start,
                    end=end,
                    text=text[start:end],
                    sentences=sents,
                    parent=parent if parent != heading else "",
                    code=tuple(sp for sp in sents if sp in code),
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
            if leveled and heading:
                while ancestors and ancestors[-1][0] >= block.level:
                    ancestors.pop()
                parent = ancestors[-1][1] if ancestors else ""
                ancestors.append((block.level, heading))
            elif block.kind == "rule" or block.furniture:
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
        lead_in = bool(unit) and folded[unit[-1].start : unit[-1].end].rstrip().endswith(":")
        joins = bool(unit) and (
            (block.kind in ("item", "row") and (unit[-1].kind in ("item", "row") or lead_in))
            or block.kind == "code"  # code stays with the sentence that introduces it
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


def _parent_headings(folded: str, blocks: list[Block]) -> set[int]:
    """Headings that introduce sub-sections: little text of their own, then another heading."""
    out = set()
    for i, b in enumerate(blocks):
        if b.kind != "heading" or b.furniture:
            continue
        words = 0
        for nxt in blocks[i + 1 :]:
            if nxt.kind in ("heading", "rule"):
                if nxt.kind == "heading" and not nxt.furniture and words <= TUNING.parent_max_words:
                    out.add(i)
                break
            if not nxt.furniture:
                words += word_count(folded[nxt.start : nxt.end])
    return out


def _atoms(folded: str, unit: list[Block]) -> list[tuple[Span, list[Span]]]:
    """Pieces a passage may not cut: a list item whole when short, else sentences."""
    atoms: list[tuple[Span, list[Span]]] = []
    for b in unit:
        if b.kind == "code":  # verbatim: never cut into sentences (a long one was cut at line ends by _code_cut)
            atoms.append(((b.start, b.end), [(b.start, b.end)]))
            continue
        sents = [piece for sp in sentence_spans(folded, b.body_start, b.end) for piece in split_long(folded, sp, TUNING.max_passage_words)]
        if b.kind in ("item", "row") and word_count(folded[b.start : b.end]) <= TUNING.max_passage_words:
            atoms.append(((b.start, b.end), sents))
        else:
            for k, sp in enumerate(sents):
                begin = b.start if k == 0 else sp[0]
                atoms.append(((begin, sp[1]), [sp]))
    return atoms


def _pack(folded: str, units: list[list[Block]], least: int) -> list[tuple[int, int, tuple[Span, ...]]]:
    """Pack a section's units into passages of ``least``..max_passage_words words where possible."""
    pieces: list[list[tuple[Span, list[Span]]]] = []
    for unit in units:
        atoms = _atoms(folded, unit)
        total = sum(word_count(folded[a[0][0] : a[0][1]]) for a in atoms)
        n = max(1, math.ceil(total / TUNING.max_passage_words))
        target = total / n
        current: list[tuple[Span, list[Span]]] = []
        words = 0
        for atom in atoms:
            w = word_count(folded[atom[0][0] : atom[0][1]])
            if current and (words + w > TUNING.max_passage_words or words >= target):
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
            if (prev_words < least or this_words < least) and prev_words + this_words <= TUNING.max_passage_words:
                merged[-1] = merged[-1] + piece
                continue
        merged.append(piece)
    out = []
    for piece in merged:
        start, end = piece[0][0][0], piece[-1][0][1]
        sents = tuple(sp for _, spans in piece for sp in spans)
        out.append((start, end, sents))
    return out


def _code_cut(folded: str, blocks: list[Block]) -> list[Block]:
    """Code blocks over twice the passage size as several code blocks, cut at line ends."""
    out = []
    for b in blocks:
        if b.kind != "code":
            out.append(b)
            continue
        out.extend(replace(b, start=s, end=e, body_start=s) for s, e in code_pieces(folded, b.start, b.end, 2 * TUNING.max_passage_words))
    return out


def code_pieces(folded: str, start: int, end: int, limit: int) -> list[Span]:
    """A code block whole, or cut at line ends into pieces of at most ``limit`` words."""
    if word_count(folded[start:end]) <= limit:
        return [(start, end)]
    pieces, begin, words, pos = [], start, 0, start
    while pos < end:
        newline = folded.find("\n", pos, end)
        line_end = end if newline < 0 else newline
        line_words = word_count(folded[pos:line_end])
        if words and words + line_words > limit:
            pieces.append((begin, pos - 1))  # up to the line break before this line
            begin, words = pos, 0
        words += line_words
        pos = line_end + 1
    pieces.append((begin, end))
    return [(s, e) for s, e in pieces if folded[s:e].strip()]


def _words_of(folded: str, piece: list[tuple[Span, list[Span]]]) -> int:
    return word_count(folded[piece[0][0][0] : piece[-1][0][1]])
