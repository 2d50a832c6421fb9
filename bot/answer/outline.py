"""Outlines: a section made of sub-sections answers with the list of their headings.

"What are the pros?" is answered by no single sentence: the article answers it
with a section ("The Pros: …") whose sub-sections are the pros, or with a
lead-in ("Here are a few reasons why I love it:") followed by one section per
reason. Such a list is an outline: its heading or lead-in, and the sections
under it. The answer names the sections in order, each cited to its passage.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.answer.display import display_sentence
from bot.answer.roles import is_lead_in
from bot.records import Answer, Citation, Passage


@dataclass(frozen=True)
class Outline:
    doc_id: str
    lead: str  # the parent heading or the lead-in sentence
    items: tuple[Passage, ...]  # the first passage of each section under it, in order
    intro: int = -1  # pid of the passage that introduces the list (the parent section's own, or the lead-in's)
    section: bool = True  # a parent heading's list; False for a lead-in sentence's

    @property
    def text(self) -> str:
        """What is embedded and matched: the lead and the section headings."""
        return f"{self.lead} {' '.join(display_sentence(p.heading) for p in self.items)}"


def find_outlines(passages: Sequence[Passage], documents: dict | None = None, min_items: int = 2) -> tuple[Outline, ...]:
    """Parent headings with their sections, and lead-ins that end a passage followed by sections."""
    out: list[Outline] = []
    by_parent: dict[tuple[str, str], list[Passage]] = {}
    for p in passages:
        if p.parent and p.heading and not any(q.heading == p.heading for q in by_parent.get((p.doc_id, p.parent), [])):
            by_parent.setdefault((p.doc_id, p.parent), []).append(p)
    for (doc_id, parent), items in by_parent.items():
        if len(items) >= min_items:
            intro = next((p.pid for p in passages if p.doc_id == doc_id and p.heading == parent), -1)
            out.append(Outline(doc_id, display_sentence(parent), tuple(items), intro))
    for i, p in enumerate(passages):
        if not p.sentences or documents is None:
            continue
        s, e = p.sentences[-1]
        last = display_sentence(documents[p.doc_id].text[s:e])
        if not is_lead_in(last):
            continue
        items: list[Passage] = []
        for q in passages[i + 1 :]:
            if q.doc_id != p.doc_id or not q.heading or q.parent or q.heading == p.heading:
                break
            if not items or items[-1].heading != q.heading:  # later passages of a section are not new items
                items.append(q)
        if len(items) >= min_items:
            out.append(Outline(p.doc_id, last, tuple(items), p.pid, section=False))
    return tuple(out)


def compose_outline(question: str, outline: Outline, max_items: int, interpreted_as: str = "", confidence: float = 0.0) -> Answer:
    """ "{lead} {section} [1]; {section} [2]; …" citing each section's first passage."""
    items = outline.items[:max_items]
    names = [display_sentence(p.heading) for p in items]
    listed = "; ".join(f"{name} [{n}]" for n, name in enumerate(names, start=1))
    lead = outline.lead.rstrip(":").rstrip()
    text = f"{lead}: {listed}."
    citations = tuple(Citation.of(n, p, 1.0, _heading_span(p)) for n, p in enumerate(items, start=1))
    return Answer(
        question=question,
        text=text,
        abstained=False,
        citations=citations,
        interpreted_as=interpreted_as,
        confidence=confidence,
        sentences=tuple(names),
    )


def _heading_span(p: Passage) -> tuple[tuple[int, int], ...]:
    """Where the section's heading stands in its passage, to highlight it."""
    at = p.text.find(p.heading)
    return ((p.start + at, p.start + at + len(p.heading)),) if at >= 0 and p.heading else ()


class Outlines:
    """The corpus's outlines and their vectors (title and lead, embedded on first use)."""

    def __init__(self, passages: Sequence[Passage], documents: dict, embedder) -> None:
        self.items = find_outlines(passages, documents)
        intros = {o.intro for o in self.items}
        self._words = {p.pid: len(p.text.split()) for p in passages if p.pid in intros}
        self.documents = documents
        self.embedder = embedder
        self._vectors: np.ndarray | None = None

    def vectors(self) -> np.ndarray:
        if self._vectors is None:
            self._vectors = self.embedder.encode([f"{self.documents[o.doc_id].title}. {o.text}" for o in self.items])
        return self._vectors

    def best(
        self,
        retrieved: set[int],
        qvec: np.ndarray,
        match: Callable[[str], float],
        sentence: float,
        sentence_pid: int,
        margin: float,
        short_intro: int = 0,
    ) -> Outline | None:
        """The outline whose introduction was retrieved and whose match (cosine plus ``match`` of its lead) beats
        ``sentence``, the best single sentence's score, by ``margin`` (by nothing when that sentence is in the
        introduction of a section outline, whose own text only opens its sub-sections); None when none does."""
        if not any(o.intro in retrieved for o in self.items):
            return None
        scores = [
            float(vec @ qvec) + match(o.lead) - (0.0 if o.section and o.intro == sentence_pid else margin) if o.intro in retrieved else -1.0
            for o, vec in zip(self.items, self.vectors(), strict=True)
        ]
        for o in self.items:  # the best sentence is in a short opening of sub-sections ("Okay, it's not all sunshine …")
            if o.section and o.intro == sentence_pid and self._words.get(o.intro, short_intro + 1) <= short_intro:
                return o
        i = int(np.argmax(scores))
        return self.items[i] if scores[i] >= sentence else None
