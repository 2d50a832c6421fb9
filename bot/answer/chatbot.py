"""The chatbot: one loaded index and embedder answering questions in a chat.

``Chatbot.ask`` is the one answer path used by the CLI, the evaluation and the
UI: validate the question, resolve a follow-up, retrieve, score sentences,
decide whether the articles answer it, compose the cited answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.answer.about import about_question, answer_about, referenced_documents
from bot.answer.calibration import Calibration, load_calibration
from bot.answer.compose import abstain, compose, display_sentence, select_sentences
from bot.answer.conversation import Resolved, resolve
from bot.answer.outline import Outline, compose_outline, find_outlines
from bot.answer.roles import is_echo, is_lead_in, is_signpost
from bot.config import Settings
from bot.errors import QuestionError
from bot.log import logged
from bot.records import Answer, Candidate, Hit, Turn
from bot.search.embedding import Embedder, embedder_for
from bot.search.index import LoadedIndex, build_index, index_status, load_index
from bot.search.retrieval import Retriever
from bot.text import for_matching, validate_question

log = logging.getLogger(__name__)

#: Earlier questions of a chat replayed from the API or the command line.
MAX_HISTORY = 10
#: Passages whose sentences may go into an answer.
ANSWER_PASSAGES = 4
#: Sentence score = cosine + LEXICAL * idf-weighted term overlap + PASSAGE * (passage score - best passage score),
#: less QUESTION_PENALTY for a sentence that is itself a question (it asks, it does not answer), plus
#: QUANTITY_BONUS for a sentence with a figure when the question asks for an amount, a time or a count.
LEXICAL = 0.2
PASSAGE = 1.0
QUESTION_PENALTY = 0.15
#: A question that points at one article ("the MentorCruise article") favours that article's passages.
DOCUMENT_BOOST = 0.2
#: An outline (a section's list of sub-sections) answers when it matches the question this much
#: better than the best single sentence.
OUTLINE_MARGIN = 0.05
#: Sentence roles (bot.answer.roles): a signpost about the article, a lead-in to a list, or a restatement of
#: the question points at an answer without giving it.
SIGNPOST_PENALTY = 0.2
LEAD_IN_PENALTY = 0.1
ECHO_PENALTY = 0.1
#: Answer typing: a question about money wants a sentence with an amount; one about a count,
#: a duration or a date wants a sentence with a figure.
MONEY_BONUS = 0.2
NUMBER_BONUS = 0.1
#: The same typing for passages: one that states an amount is boosted when the question is about money.
MONEY_PASSAGE_BOOST = 0.3
_ASKS_MONEY = re.compile(r"\b(how much|salar(y|ies)|pay|paid|earn\w*|income|wage\w*|cost\w*|price\w*|money)\b", re.I)
_ASKS_NUMBER = re.compile(r"\b(how (many|long|old|often)|when|what year|which year|age|percent\w*|number of)\b", re.I)
_MONEY = re.compile(r"[$€£¥]\s?\d|\d\s?(k|dollars|euros|pounds|usd|eur)\b", re.I)


def ensure_index(settings: Settings, embedder: Embedder, rebuild: bool = False) -> tuple[str, list[str]]:
    """Build the index when it is missing or stale. Returns (what happened, warnings)."""
    status = index_status(settings.corpus_dir, settings.index_dir, embedder.name)
    if status.state == "fresh" and not rebuild:
        return "fresh", []
    log.info("building the index (%s)", status.reason or "asked to")
    manifest = build_index(settings.corpus_dir, settings.index_dir, embedder)
    return f"built ({status.reason or 'rebuild'}): {manifest.passages} passages", list(manifest.warnings)


@dataclass(frozen=True)
class Features:
    """What the abstention decision looks at."""

    best_sentence: float  # best sentence cosine among the top passages
    best_passage: float  # best passage cosine
    coverage: float  # idf-weighted share of the question's terms known to the corpus


@dataclass(frozen=True)
class _Found:
    hits: tuple[Hit, ...]
    qvec: np.ndarray
    own: np.ndarray
    terms: tuple[str, ...]
    features: Features


def features_of(bot: Chatbot, question: str) -> Features:
    """The abstention features of a standalone question (for calibration)."""
    text = validate_question(question, bot.settings.max_question_chars)
    return bot._retrieve(resolve(text, [])).features


class Chatbot:
    def __init__(self, index: LoadedIndex, embedder: Embedder, settings: Settings, calibration: Calibration | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self.retriever = Retriever(index, embedder)
        self.calibration = calibration or load_calibration(embedder.name)
        self._suggestion_vectors: np.ndarray | None = None
        self._sentences: dict[tuple[str, int, int], tuple[str, frozenset[str]]] = {}
        self._money_passages = {p.pid for p in index.passages if _MONEY.search(p.text)}
        self._suggestion_sources = suggestion_questions(index)
        self._passages_of: dict[str, list[int]] = {}
        for p in index.passages:
            self._passages_of.setdefault(p.doc_id, []).append(p.pid)
        self.outlines = find_outlines(index.passages, index.documents)
        self._outline_vectors: np.ndarray | None = None
        self.suggestion_pool = tuple(q for q, _ in self._suggestion_sources)

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder | None = None, build: bool = True) -> Chatbot:
        embedder = embedder or embedder_for(settings)
        if build:
            ensure_index(settings, embedder)
        return cls(load_index(settings.index_dir, embedder.name, embedder.dim), embedder, settings)

    # --- the answer path ----------------------------------------------------------

    def replay(self, questions: Sequence[str]) -> list[Turn]:
        """The turns of a chat given only its earlier questions (the API's and the CLI's history).

        Only the last MAX_HISTORY count: a follow-up leans on the turn before it, and a long history
        would tie up a worker answering it all again. An empty or refused question gives no context.
        """
        turns: list[Turn] = []
        for earlier in list(questions)[-MAX_HISTORY:]:
            try:
                turns.append(self.respond(str(earlier), turns))
            except QuestionError:
                continue
        return turns

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        return self.respond(question, history).answer

    @logged
    def respond(self, question: str, history: Sequence[Turn] = ()) -> Turn:
        """Answer one question of a chat; the Turn carries how it was read, for the next one."""
        text = validate_question(question, self.settings.max_question_chars)
        resolved = resolve(text, list(history))
        return Turn(question=text, resolved=resolved.query, answer=self._answer(text, resolved))

    def _answer(self, text: str, resolved: Resolved) -> Answer:
        asked = about_question(text, self.index.documents, resolved.followup_of)
        if asked is not None:  # who wrote an article, who published it, when: from its metadata
            return answer_about(text, asked, resolved.interpreted_as)
        found = self._retrieve(resolved)
        confidence = self.calibration.confidence(found.features)
        candidates = self._candidates(found.hits, found.qvec, found.own, found.terms, resolved.query)
        if not candidates or confidence < 0.5:
            return abstain(text, self.suggest(found.own), resolved.interpreted_as, confidence)
        outline = self._best_outline(found, max(c.score for c in candidates))
        if outline is not None:
            return compose_outline(text, outline, self.settings.max_citations, resolved.interpreted_as, confidence)
        return compose(text, select_sentences(candidates), self.settings.max_citations, resolved.interpreted_as, confidence)

    def _retrieve(self, resolved: Resolved) -> _Found:
        qvec = self.retriever.embed(resolved.query)
        own = self.retriever.embed(resolved.question) if resolved.followup_of else qvec
        boost = dict(resolved.boost)
        for doc in referenced_documents(resolved.question, self.index.documents):  # "in the MentorCruise article, …"
            for pid in self._passages_of.get(doc.doc_id, ()):
                boost[pid] = boost.get(pid, 0.0) + DOCUMENT_BOOST
        if _ASKS_MONEY.search(resolved.query):
            for pid in self._money_passages:
                boost[pid] = boost.get(pid, 0.0) + MONEY_PASSAGE_BOOST
        retrieval = self.retriever.search(resolved.query, k=8, vector=qvec, boost=boost)
        hits = retrieval.hits[:ANSWER_PASSAGES]
        features = Features(
            best_sentence=max((h.sentence for h in hits), default=0.0),
            best_passage=max((h.dense for h in hits), default=0.0),
            coverage=retrieval.coverage,
        )
        return _Found(hits, qvec, own, retrieval.query_terms, features)

    def _candidates(self, hits: Sequence[Hit], qvec: np.ndarray, own: np.ndarray, terms: tuple[str, ...], query: str) -> list[Candidate]:
        if not hits:
            return []
        top = hits[0].score
        weights = {t: self.retriever.term_idf(t) for t in set(terms)}
        total = sum(weights.values()) or 1.0
        wants_money, wants_number = bool(_ASKS_MONEY.search(query)), bool(_ASKS_NUMBER.search(query))
        out = []
        for hit in hits:
            p = hit.passage
            cos = self.retriever.sentence_scores(qvec, p.pid)
            cos_own = self.retriever.sentence_scores(own, p.pid) if own is not qvec else cos
            for (s, e), c1, c2 in zip(p.sentences, cos, cos_own, strict=True):
                shown, stems = self._sentence(p.doc_id, s, e)
                if len(shown.split()) < 3:
                    continue
                lexical = sum(w for t, w in weights.items() if t in stems) / total
                score = 0.5 * (float(c1) + float(c2)) + LEXICAL * lexical + PASSAGE * (hit.score - top)
                if shown.endswith("?"):
                    score -= QUESTION_PENALTY
                if is_signpost(shown):
                    score -= SIGNPOST_PENALTY
                lead_in, echo = is_lead_in(shown), is_echo(shown, query)
                if lead_in:
                    score -= LEAD_IN_PENALTY
                elif echo:
                    score -= ECHO_PENALTY
                typed = False
                if wants_money and _MONEY.search(shown):
                    score += MONEY_BONUS
                    typed = True
                elif (wants_number or wants_money) and re.search(r"\d", shown):
                    score += NUMBER_BONUS
                    typed = True
                out.append(
                    Candidate(
                        passage=p, span=(s, e), text=shown, score=score, passage_score=hit.score,
                        typed=typed or not (wants_money or wants_number), incomplete=lead_in or echo,
                    )
                )
        return out

    def _sentence(self, doc_id: str, start: int, end: int) -> tuple[str, frozenset[str]]:
        """A sentence's display text and BM25 stems: fixed for the index, so computed once."""
        key = (doc_id, start, end)
        if key not in self._sentences:
            shown = display_sentence(self.index.documents[doc_id].text[start:end])
            self._sentences[key] = (shown, frozenset(self.index.terms(shown)))
        return self._sentences[key]

    def _best_outline(self, found: _Found, best_sentence: float) -> Outline | None:
        """An outline whose introduction was retrieved and which matches the question better than any one sentence."""
        retrieved = {h.passage.pid for h in found.hits}
        if not any(o.intro in retrieved for o in self.outlines):
            return None
        qvec, terms = found.own, found.terms
        weights = {t: self.retriever.term_idf(t) for t in set(terms)}
        total = sum(weights.values()) or 1.0
        scores = []
        for o, vec in zip(self.outlines, self.outline_vectors(), strict=True):
            if o.intro not in retrieved:
                scores.append(-1.0)
                continue
            stems = frozenset(self.index.terms(o.lead))
            scores.append(float(vec @ qvec) + LEXICAL * sum(w for t, w in weights.items() if t in stems) / total)
        i = int(np.argmax(scores))
        return self.outlines[i] if scores[i] >= best_sentence + OUTLINE_MARGIN else None

    # --- suggestions --------------------------------------------------------------

    def examples(self, n: int = 4) -> list[str]:
        """Example questions for the start screen: the articles' own questions first, taking turns across articles."""
        asked = [(q, d) for q, d in self._suggestion_sources if not q.startswith(TOPIC_PREFIX)]
        topics = [(q, d) for q, d in self._suggestion_sources if q.startswith(TOPIC_PREFIX)]
        picked: list[str] = []
        for pool in (asked, topics):
            by_doc: dict[str, list[str]] = {}
            for q, d in pool:
                by_doc.setdefault(d, []).append(q)
            while len(picked) < n and any(by_doc.values()):
                for queue in by_doc.values():
                    if queue and len(picked) < n:
                        picked.append(queue.pop(0))
        return picked

    # --- vectors embedded on first use -------------------------------------------------

    def outline_vectors(self) -> np.ndarray:
        """One vector per outline (title and lead), embedded on first use."""
        if self._outline_vectors is None:
            docs = self.index.documents
            self._outline_vectors = self.embedder.encode([f"{docs[o.doc_id].title}. {o.text}" for o in self.outlines])
        return self._outline_vectors

    def suggestion_vectors(self) -> np.ndarray:
        """One vector per suggested question, embedded on first use."""
        if self._suggestion_vectors is None:
            self._suggestion_vectors = self.embedder.encode(list(self.suggestion_pool))
        return self._suggestion_vectors

    def warm(self) -> None:
        """Embed now what is otherwise embedded on first use: a server's first abstention or outline answer
        would wait for it (about 0.1 s for the suggestions of the project's corpus)."""
        self.outline_vectors()
        self.suggestion_vectors()

    def suggest(self, qvec: np.ndarray, n: int = 3) -> tuple[str, ...]:
        """Questions the articles answer, closest to what was asked."""
        if not self.suggestion_pool:
            return ()
        order = np.argsort(-(self.suggestion_vectors() @ qvec))
        return tuple(self.suggestion_pool[i] for i in order[:n])


TOPIC_PREFIX = "What do the articles say about "


def suggestion_questions(index: LoadedIndex) -> tuple[tuple[str, str], ...]:
    """(question, doc_id) drawn from the corpus: question-shaped headings, and the other headings as topics."""
    seen, out = set(), []
    for p in index.passages:
        heading = p.heading.strip()
        if not heading:
            continue
        question = heading if heading.endswith("?") else f"{TOPIC_PREFIX}“{heading}”?"
        key = for_matching(question)
        if key not in seen:
            seen.add(key)
            out.append((question, p.doc_id))
    return tuple(out)


