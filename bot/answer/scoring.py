"""Sentence scoring: the sentences of the retrieved passages become ranked answer candidates.

A sentence's score is its cosine with the question (for a follow-up, mostly with its own words:
``Tuning.followup_own_weight``),
plus its share of the question's terms (idf-weighted), less how far its passage ranks below
the best one (not for the opening sentence of the best passage's FAQ entry: ``opens_entry``); sentences that only point at an answer (a question, a signpost, a lead-in, an
echo of the question) lose, sentences that hold the kind of answer asked for gain.
Every weight is in ``bot.config.Tuning``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.answer.display import display_code, display_sentence
from bot.answer.placement import runs_into_code
from bot.answer.roles import is_echo, is_lead_in, is_signpost, quotes_question
from bot.answer.wants import Wants, instructs, states_money, states_number
from bot.config import Tuning
from bot.records import Candidate, Hit
from bot.search.index import LoadedIndex
from bot.search.retrieval import Retriever


@dataclass(frozen=True, kw_only=True)
class Query:
    """A question as scoring sees it: its vectors, its BM25 terms and what kind of answer it wants."""

    text: str  # the resolved query (a follow-up joined to the question it follows)
    vector: np.ndarray
    own: np.ndarray  # the vector of the words the user typed this turn (== vector when not a follow-up)
    terms: tuple[str, ...]
    wants: Wants


class Sentences:
    """Each indexed sentence's display text and BM25 stems, computed once per sentence."""

    def __init__(self, index: LoadedIndex) -> None:
        self.index = index
        self._cache: dict[tuple[str, int, int], tuple[str, frozenset[str]]] = {}

    def get(self, doc_id: str, start: int, end: int, code: bool = False) -> tuple[str, frozenset[str]]:
        key = (doc_id, start, end)
        if key not in self._cache:
            raw = self.index.documents[doc_id].text[start:end]
            shown = display_code(raw) if code else display_sentence(raw)
            self._cache[key] = (shown, frozenset(self.index.terms(shown)))
        return self._cache[key]


def term_weights(retriever: Retriever, terms: Iterable[str]) -> dict[str, float]:
    """Each distinct term of the question with its idf."""
    return {t: retriever.term_idf(t) for t in set(terms)}


def term_share(weights: dict[str, float], stems: frozenset[str]) -> float:
    """The idf-weighted share of the question's terms that a text holds."""
    total = sum(weights.values()) or 1.0
    return sum(w for t, w in weights.items() if t in stems) / total


def score_sentences(hits: Sequence[Hit], query: Query, retriever: Retriever, sentences: Sentences, tuning: Tuning) -> list[Candidate]:
    """Every sentence of the hits worth quoting, scored."""
    if not hits:
        return []
    top = hits[0].score
    weights = term_weights(retriever, query.terms)
    out = []
    for hit in hits:
        p = hit.passage
        cos = retriever.sentence_scores(query.vector, p.pid)
        cos_own = retriever.sentence_scores(query.own, p.pid) if query.own is not query.vector else cos
        lift = top - hit.score if tuning.entry_opening and opens_entry(p, hits[0].passage) else 0.0
        for i, s, e, c1, c2, is_code in _units(p, cos, cos_own, sentences, tuning):
            shown, stems = sentences.get(p.doc_id, s, e, is_code)
            if asks_before_answer(p, i, shown) and is_signpost(sentences.get(p.doc_id, *p.sentences[i + 1])[0]):
                continue  # "But is it a good career choice for you? Let's dive into …": asked, then not answered here
            score = (
                (1.0 - tuning.followup_own_weight) * c1
                + tuning.followup_own_weight * c2
                + tuning.sentence_lexical * term_share(weights, stems)
                + tuning.sentence_passage * (hit.score - top + lift)
            )
            lift = 0.0  # the entry's opening only: the rest of its passage ranks as the passage does
            for penalty in _role_penalties(shown, query.text, tuning):
                score -= penalty
            score += _typing_bonus(shown, query.wants, tuning)
            if is_code and query.wants.how:
                score += tuning.code_bonus
            out.append(
                Candidate(
                    passage=p,
                    span=(s, e),
                    text=shown,
                    score=score,
                    passage_score=hit.score,
                    typed=query.wants.met_by(shown),
                    incomplete=(not is_code and runs_into_code(p, (s, e), shown))
                    or is_lead_in(shown)
                    or asks_before_answer(p, i, shown)
                    or is_echo(shown, query.text, tuning.echo_novelty),
                    code=is_code,
                    symptom=is_code and quotes_question(shown, query.text),
                )
            )
    return out


def opens_entry(passage, best) -> bool:
    """The passage opens the section of the best passage, and that section's heading asks a question: an FAQ entry's
    first words answer its question ("3.6 There appear to be garbage characters. What's up?" "What you're seeing is
    most probably not garbage, but …"), however the entry's later passages rank against the question's wording."""
    same = (passage.doc_id, passage.heading) == (best.doc_id, best.heading)
    return same and passage.heading.rstrip().endswith("?") and passage.text.startswith(passage.heading)


def _units(passage, cos, cos_own, sentences: Sentences, tuning: Tuning) -> list[tuple[int, int, int, float, float, bool]]:
    """The passage's sentences as answer candidates (index of the last, start, end, both cosines, code): a too-short
    sentence opens the next one of its paragraph ("Yes! As long as …") or else closes the one before it ("In machine
    learning? Not so much."); alone it says nothing, and lost it would take the answer with it."""
    text = sentences.index.documents[passage.doc_id].text
    code = set(passage.code)
    units: list[tuple[int, int, int, float, float, bool]] = []
    short_from = None  # where a run of too-short sentences began
    for i, ((s, e), c1, c2) in enumerate(zip(passage.sentences, cos, cos_own, strict=True)):
        is_code = (s, e) in code
        if short_from is not None and not is_code:
            s, short_from = short_from, None
        shown, _ = sentences.get(passage.doc_id, s, e, is_code)
        if len(shown.split()) < tuning.min_sentence_words and not is_code:
            if _opens_next(passage, i, shown, sentences):
                short_from = s
            elif (
                units
                and units[-1][0] == i - 1
                and not units[-1][5]
                and _closes(text[units[-1][2] : s], shown, runs_into_code(passage, passage.sentences[i], shown))
            ):
                last = units[-1]
                units[-1] = (i, last[1], e, last[3], last[4], False)
            continue
        units.append((i, s, e, float(c1), float(c2), is_code))
    return units


def _closes(gap: str, shown: str, into_code: bool = False) -> bool:
    """A short sentence on the same line as the one before it, neither a number nor a row: it finishes that one. So
    does a fragment that runs on into a code block ("… to control this. Type" before ``biff n``)."""
    ends = shown.endswith((".", "!", "?")) or into_code
    return "\n" not in gap and ends and not any(ch.isdigit() for ch in shown)


def _opens_next(passage, i: int, shown: str, sentences: Sentences) -> bool:
    """A short sentence that opens the next one of its paragraph ("Yes! As long as …"): not a list item, a row or a number."""
    spans = passage.sentences
    if i + 1 >= len(spans) or spans[i + 1] in passage.code or not shown.endswith((".", "!", "?")) or any(ch.isdigit() for ch in shown):
        return False
    return "\n" not in sentences.index.documents[passage.doc_id].text[spans[i][1] : spans[i + 1][0]]


def asks_before_answer(passage, i: int, shown: str) -> bool:
    """A question the passage goes on to answer ("But is it a good career choice? Yes! …"): the answer follows it."""
    return shown.endswith("?") and i + 1 < len(passage.sentences) and passage.sentences[i + 1] not in passage.code


def _role_penalties(shown: str, query: str, tuning: Tuning) -> list[float]:
    """What a sentence loses for pointing at an answer rather than giving it."""
    penalties = [tuning.question_penalty] if shown.endswith("?") else []
    if is_signpost(shown):
        penalties.append(tuning.signpost_penalty)
    if is_lead_in(shown) and not _led_on(shown, tuning):  # "… in this regard. Example:" says something first
        penalties.append(tuning.lead_in_penalty)
    elif is_echo(shown, query, tuning.echo_novelty):
        penalties.append(tuning.echo_penalty)
    return penalties


def _typing_bonus(shown: str, wants: Wants, tuning: Tuning) -> float:
    """What a sentence gains for holding the kind of answer asked for."""
    if wants.money and states_money(shown):
        return tuning.money_bonus
    if wants.typed and states_number(shown):
        return tuning.number_bonus
    if wants.how and instructs(shown):
        return tuning.instruction_bonus
    return 0.0


def _led_on(shown: str, tuning: Tuning) -> bool:
    """A sentence that a short lead-in fragment closes ("… in this regard. Example:"): the sentence says something."""
    parts = re.split(r"(?<=[.!?])\s+", shown)
    return len(parts) > 1 and len(parts[-1].split()) < tuning.min_sentence_words
