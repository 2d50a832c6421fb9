"""Left-out text: what a page says outside its passages, for the questions only that text answers.

Page furniture (a newsletter pitch, "Questions or comments? Tweet at me.", a promotional box) never
becomes a passage, so it never answers a question about the subject (``bot.ingest.furniture``). But a
user may ask about that very thing ("How often does the MentorCruise newsletter go out?"), and then
"the articles don't cover this" is wrong: the page says it. The left-out text of a document is what lies
between its passages (headings, the title line and the furniture); it is read on first need, not at
start-up, and it answers only a question holding a word that no passage holds and that a sentence of it
does, so a question the passages answer never gets furniture. The answer says where it comes from.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from bot.answer.display import display_sentence
from bot.config import TUNING, Tuning
from bot.ingest.sentences import sentence_spans
from bot.records import Answer, Citation, Span
from bot.search.index import LoadedIndex
from bot.text import fold, word_count

log = logging.getLogger(__name__)

#: What an answer from left-out text says first: the reader should know it is not the article's own text.
PREFIX = "Outside the article itself, the page says:"
#: The left-out text is read when a question first needs it: every document's, so only for a collection this small.
MAX_DOCUMENTS = 500


@dataclass(frozen=True)
class LeftSentence:
    doc_id: str
    block: Span  # the line it stands in, cited whole
    span: Span
    text: str
    terms: frozenset[str]


class LeftOut:
    """The sentences of every document's text that no passage holds."""

    def __init__(
        self, index: LoadedIndex, passage_terms: frozenset[str], embed: Callable[[list[str]], np.ndarray], tuning: Tuning = TUNING
    ) -> None:
        self.index = index
        self.passage_terms = passage_terms  # the BM25 terms some passage holds
        self.embed = embed
        self.least = tuning.leftout_cosine
        self.min_words = tuning.leftout_min_words
        self.max_words = tuning.max_answer_words  # a left-out line this short is quoted whole

    @cached_property
    def sentences(self) -> tuple[LeftSentence, ...]:
        if len(self.index.documents) > MAX_DOCUMENTS:  # read on a question, so bounded: not for a large collection
            log.info("%d documents: left-out text is not searched (at most %d)", len(self.index.documents), MAX_DOCUMENTS)
            return ()
        out = []
        covered: dict[str, list[Span]] = {}
        for p in self.index.passages:
            covered.setdefault(p.doc_id, []).append((p.start, p.end))
        for doc_id, doc in self.index.documents.items():
            folded = fold(doc.text)
            for start, end in _gaps(len(doc.text), covered.get(doc_id, [])):
                for line in re.finditer(r"[^\n]+", doc.text[start:end]):
                    block = (start + line.start(), start + line.end())
                    words = word_count(doc.text[block[0] : block[1]])
                    # a short line is one unit ("Questions or comments? Tweet at me."); a long one, its sentences
                    spans = [block] if words <= 2 * self.min_words else sentence_spans(folded, *block)
                    for s, e in spans:
                        text = display_sentence(doc.text[s:e])
                        if word_count(text) >= self.min_words:
                            out.append(LeftSentence(doc_id, block, (s, e), text, frozenset(self.index.terms(text))))
        return tuple(out)

    def holding(self, stems: Sequence[str]) -> list[LeftSentence]:
        """The left-out sentences holding one of these stems (of a question's words) that no passage holds."""
        only = {t for t in stems if t not in self.passage_terms}
        return [s for s in self.sentences if s.terms & only] if only else []

    def answer(self, question: str, stems: Sequence[str], vector: np.ndarray, interpreted_as: str = "") -> Answer | None:
        """The left-out sentence closest to the question (cosine at least ``Tuning.leftout_cosine``) among those
        holding one of its words no passage holds, as an answer that says where it comes from; None when there is none."""
        found = self.holding(stems)
        if not found:
            return None
        scores = self.embed([s.text for s in found]) @ vector
        i = int(np.argmax(scores))
        if float(scores[i]) < self.least:
            return None
        best, doc = found[i], self.index.documents[found[i].doc_id]
        start, end = best.block
        line = display_sentence(doc.text[start:end])
        quoted, span = (line, best.block) if word_count(line) <= self.max_words else (best.text, best.span)  # a short box whole
        citation = Citation(
            n=1,
            doc_id=best.doc_id,
            title=doc.title,
            heading="",
            start=start,
            end=end,
            text=doc.text[start:end],
            score=float(scores[i]),
            highlights=(span,),
        )
        return Answer(
            question=question,
            text=f"{PREFIX} {quoted} [1]",
            abstained=False,
            citations=(citation,),
            interpreted_as=interpreted_as,
            confidence=float(scores[i]),
            sentences=(quoted,),
        )


def _gaps(length: int, spans: list[Span]) -> list[Span]:
    """The stretches of [0, length) that no span covers."""
    out, at = [], 0
    for s, e in sorted(spans):
        if s > at:
            out.append((at, s))
        at = max(at, e)
    if at < length:
        out.append((at, length))
    return out
