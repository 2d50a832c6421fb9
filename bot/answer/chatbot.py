"""The chatbot: one loaded index and embedder answering the questions of a chat.

``Chatbot.respond`` is the one answer path of the CLI, the evaluation and the UI:
validate the question, resolve it against the chat, route it (metadata, the page's
left-out text, outline or sentences), decide whether the articles answer it, and
compose the cited answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.answer.about import about_question, answer_about, names_of_articles, referenced_documents
from bot.answer.calibration import Calibration, Features, load_calibration
from bot.answer.compose import abstain, compose, select_sentences
from bot.answer.conversation import Resolved, resolve
from bot.answer.focus import Vocabulary
from bot.answer.leftout import LeftOut
from bot.answer.outline import Outlines, compose_outline
from bot.answer.places import countries_named
from bot.answer.scoring import Query, Sentences, score_sentences, term_weights
from bot.answer.suggestions import Suggestions
from bot.answer.thesaurus import Thesaurus, bundled_wordnet, related
from bot.answer.wants import asks_figure, states_money, wants
from bot.config import TUNING, Settings, Tuning
from bot.errors import QuestionError
from bot.log import logged
from bot.records import Answer, Candidate, Hit, Turn
from bot.search.backend import open_index
from bot.search.build import ensure_index
from bot.search.embedding import Embedder, embedder_for
from bot.search.index import LoadedIndex
from bot.search.retrieval import Retriever
from bot.text import STOP_WORDS, validate_question

log = logging.getLogger(__name__)
#: A name and its version inside a question ("… from Debian 11 to Debian 12?", "… in Python 3.11"): not its first word
#: ("Top 10 …"), not a one-digit number ("Python 3" is every Python 3).
_VERSIONED = re.compile(r"(?<=\w[\s,(])([A-Z][\w+-]*) (\d+\.\d+(?:\.\d+)*|\d\d+)\b")


@dataclass(frozen=True, kw_only=True)
class Found:
    """What retrieval found for one question: the passages to answer from, and the question as searched."""

    hits: tuple[Hit, ...]
    query: Query
    features: Features


class Chatbot:
    def __init__(
        self, index: LoadedIndex, embedder: Embedder, settings: Settings, calibration: Calibration | None = None, tuning: Tuning = TUNING
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self.tuning = tuning
        self.retriever = Retriever(index, embedder, tuning)
        self.calibration = calibration or load_calibration(embedder.name)
        self.sentences = Sentences(index)
        self.leftout = LeftOut(index, self.retriever.known_terms, embedder.encode, tuning)
        self.suggestions = Suggestions(index.passages, embedder)
        self.outlines = Outlines(index.passages, index.documents, embedder)
        named = " ".join(f"{d.title} {d.author} {d.publisher}" for d in index.documents.values())

        def words() -> list[str]:  # only when a question has a rare word no passage holds: not at start-up
            return re.findall(r"\w\w+", " ".join([named, *(p.text for p in index.passages)]).lower())

        def texts() -> list[str]:
            return [named, *(p.text for p in index.passages)]

        self.thesaurus = Thesaurus(bundled_wordnet())
        self.vocabulary = Vocabulary(self.retriever.known_terms | set(index.terms(named)), words, index.common_words, texts)
        self._money_passages = {p.pid for p in index.passages if states_money(p.text)}
        self._passages_of: dict[str, list[int]] = {}
        self._terms_of: dict[int, frozenset[str]] = {}  # per passage, on first need (bot.answer.chatbot._held)
        for p in index.passages:
            self._passages_of.setdefault(p.doc_id, []).append(p.pid)

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder | None = None, build: bool = True) -> Chatbot:
        embedder = embedder or embedder_for(settings)
        if build:
            ensure_index(settings, embedder)
        return cls(open_index(settings.index_dir, settings.index_url, embedder.name, embedder.dim), embedder, settings)

    # --- the answer path ----------------------------------------------------------

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        return self.respond(question, history).answer

    @logged
    def respond(self, question: str, history: Sequence[Turn] = ()) -> Turn:
        """Answer one question of a chat (one line in the question log); the Turn carries how it was read."""
        return self._respond(question, history)

    def replay(self, questions: Sequence[str]) -> list[Turn]:
        """The turns of a chat given only its earlier questions (the API's and the CLI's history).

        Only the last ``max_history`` count: a follow-up leans on the turn before it, and a long history
        would tie up a worker answering it all again. An empty or refused question gives no context.
        Replayed questions were asked and logged before: they are not logged again.
        """
        turns: list[Turn] = []
        for earlier in list(questions)[-self.tuning.max_history :]:
            try:
                turns.append(self._respond(str(earlier), turns))
            except QuestionError:
                continue
        return turns

    def _respond(self, question: str, history: Sequence[Turn]) -> Turn:
        text = validate_question(question, self.settings.max_question_chars)
        resolved = self._read(text, history)
        return Turn(question=text, resolved=resolved.query, answer=self._route(text, resolved))

    def _read(self, text: str, history: Sequence[Turn]) -> Resolved:
        """The question as read: typos corrected (bot.answer.focus), then resolved against the chat."""
        spelled = self.vocabulary.correct(text, self._stem, self.tuning)
        resolved = resolve(spelled.text, list(history), self.tuning, typed=text)
        related = self._related(resolved.question)
        return replace(resolved, query=f"{resolved.query} {' '.join(related)}", related=related) if related else resolved

    def _related(self, question: str) -> tuple[str, ...]:
        """What the question is searched with besides its own words: WordNet synonyms, else broader words, of its
        words and idioms the documents never use (bot.answer.thesaurus.related)."""
        t = self.tuning
        return related(
            question, self.thesaurus, self._stem, self.vocabulary.known, self.vocabulary.writes, t.synonym_senses, t.synonym_max_senses
        )

    def _route(self, text: str, resolved: Resolved) -> Answer:
        """Metadata (who wrote it, when), else the page's left-out text when only it holds a word of the question, else an
        outline or sentences of the passages found, else abstain."""
        asked = about_question(text, self.index.documents, resolved.followup_of)
        if asked is not None:
            return answer_about(text, asked, resolved.interpreted_as)
        found = self._retrieve(resolved)
        pairs = self._word_stems(resolved.question)  # (word, stem): for the left-out text and both focus checks
        naming = set(self.index.terms(names_of_articles(resolved.question, self.index.documents)))  # "the X article"
        stems = [s for w, s in pairs if w not in STOP_WORDS and len(w) >= self.tuning.focus_min_chars and s not in naming]
        left = self.leftout.answer(text, stems, found.query.own, resolved.interpreted_as)  # "how often is the newsletter"
        if left is not None:
            return left
        confidence = self.calibration.confidence(found.features)
        candidates = score_sentences(found.hits, found.query, self.retriever, self.sentences, self.tuning)
        unknown = self._unknown_words(resolved.question, pairs)
        if not candidates or confidence < self.tuning.answer_confidence or unknown:
            return abstain(text, self.suggestions.closest(found.query.own), resolved.interpreted_as, confidence, unknown)
        unmentioned = self._unmentioned(resolved.question, found.hits, pairs)
        if unmentioned:
            why = "The passages closest to it never mention " + " or ".join(f"“{w}”" for w in unmentioned) + "."
            return abstain(text, self.suggestions.closest(found.query.own), resolved.interpreted_as, confidence, why=why)
        outline = self._outline(found, max(candidates, key=lambda c: c.score))
        if outline is not None:
            return compose_outline(text, outline, self.settings.max_citations, resolved.interpreted_as, confidence)
        chosen = select_sentences(candidates, self.tuning, how=found.query.wants.how)
        if asks_figure(resolved.query) and not any(c.typed for c in chosen):  # "how long does it take": no figure, no answer
            why = "The passages closest to it state no figure."
            return abstain(text, self.suggestions.closest(found.query.own), resolved.interpreted_as, confidence, why=why)
        return compose(text, chosen, self.settings.max_citations, resolved.interpreted_as, confidence)

    def _stem(self, word: str) -> str | None:
        stems = self.index.terms(word)
        return stems[0] if stems else None

    def _word_stems(self, question: str) -> list[tuple[str, str]]:
        """The question's words (lower case, two characters or more) that have a BM25 stem, with it."""
        return [(word, stem) for word in re.findall(r"\w\w+", question.lower()) if (stem := self._stem(word))]

    def _unknown_words(self, question: str, pairs: list[tuple[str, str]] | None = None) -> tuple[str, ...]:
        """The rare words of the question that the documents never use, in any spelling near them, and the countries
        it names that they never mention (bot.answer.focus)."""
        pairs = self._word_stems(question) if pairs is None else pairs
        places = [p for p in countries_named(question) if not all(self._stem(w) in self.vocabulary.known for w in p.lower().split())]
        return tuple(self.vocabulary.uncovered(pairs, self.tuning)) + tuple(places)

    def _unmentioned(self, question: str, hits: Sequence[Hit], pairs: list[tuple[str, str]] | None = None) -> tuple[str, ...]:
        """The rare words of the question (bot.answer.focus) that the documents use but none of the passages found: the
        question is about that thing ("squash commits with interactive rebase" over pages that speak of rebasing
        elsewhere and of squash merges here), and an answer without it is about something else. Not a word of the
        corpus's own topic, which many passages hold and an answer need not repeat ("reStructuredText" over its FAQ)."""
        held: set[str] = set()
        for h in hits:
            held |= self._held(h.passage)
        out = []
        texts = [h.passage.text for h in hits]
        for name, number in _VERSIONED.findall(question):  # that version, not another: its number after its name
            stated = re.compile(rf"\b{re.escape(name)}\W+(?:[\w/]+\W+){{0,3}}?(?<![\d.]){re.escape(number)}(?!\d|\.\d)", re.I)
            if not any(stated.search(t) for t in texts):
                out.append(f"{name} {number}")
        for word, stem in dict.fromkeys(self._word_stems(question) if pairs is None else pairs):  # rare(): letters only
            share, held_by = self.retriever.term_share(stem)  # the corpus's topic: "reStructuredText" over its FAQ
            topic = share >= self.tuning.focus_topic_share and held_by >= self.tuning.focus_topic_passages
            if stem in self.vocabulary.known and stem not in held and self.vocabulary.rare(word, self.tuning) and not topic:
                if not self.vocabulary.clips(word, held):  # "repos" over passages that say "repositories"
                    out.append(word)
        return tuple(out)

    def _held(self, passage) -> frozenset[str]:
        """The BM25 terms of what a passage says and of what names its document ("the MentorCruise article"), once."""
        if passage.pid not in self._terms_of:
            doc = self.index.documents.get(passage.doc_id)
            named = f"{doc.title} {doc.author} {doc.publisher}" if doc else passage.title
            self._terms_of[passage.pid] = frozenset(self.index.terms(f"{named} {passage.heading} {passage.text}"))
        return self._terms_of[passage.pid]

    def _retrieve(self, resolved: Resolved) -> Found:
        vector = self.retriever.embed(resolved.query)
        own = self.retriever.embed(resolved.question) if resolved.followup_of else vector
        asks = wants(resolved.query)
        if resolved.followup_of:  # what a follow-up asks for is in its own words, when they say ("does that cost anything?")
            mine = wants(resolved.question)
            asks = mine if mine.how or mine.typed else asks
        boost = dict(resolved.boost)
        for doc in referenced_documents(resolved.question, self.index.documents):  # "in the MentorCruise article, …"
            for pid in self._passages_of.get(doc.doc_id, ()):
                boost[pid] = boost.get(pid, 0.0) + self.tuning.document_boost
        if resolved.followup_of:  # a chat goes on in the documents it was answered from
            passages = self.index.passages  # a turn answered over an older index may cite a passage this one lacks
            for doc_id in {passages[pid].doc_id for pid in resolved.boost if pid < len(passages)}:
                for pid in self._passages_of[doc_id]:
                    boost[pid] = boost.get(pid, 0.0) + self.tuning.followup_document_boost
        if asks.money:
            for pid in self._money_passages:
                boost[pid] = boost.get(pid, 0.0) + self.tuning.money_passage_boost
        retrieval = self.retriever.search(resolved.query, vector=vector, boost=boost)
        hits = retrieval.hits[: self.tuning.answer_passages]
        if resolved.followup_of and not resolved.chooses and self.tuning.followup_own_passages:
            hits = hits + self._own_hits(resolved.question, own, hits, boost)
        features = Features(
            best_sentence=max((h.sentence for h in hits), default=0.0),
            best_passage=max((h.dense for h in hits), default=0.0),
            coverage=retrieval.coverage,
        )
        query = Query(text=resolved.query, vector=vector, own=own, terms=retrieval.query_terms, wants=asks)
        return Found(hits=hits, query=query, features=features)

    def _own_hits(self, question: str, own, hits: tuple[Hit, ...], boost: dict[int, float]) -> tuple[Hit, ...]:
        """A follow-up's best passages by its own words alone, which the joined query ranks below the previous
        topic's, when they hold one of its words and a sentence closer to them than any of the joined query's passages
        (a cosine with "and libraries?" alone is noise: a passage that never says "libraries" is not what it asks): on the
        joined query's scale (the first of them at its best), for their sentences to compete."""
        mine = self.retriever.search(question, vector=own, boost=boost).hits
        if not mine or not hits:
            return ()
        taken = {h.passage.pid for h in hits}
        matched = max(float(self.retriever.sentence_scores(own, h.passage.pid).max(initial=0.0)) for h in hits)
        fresh = [h for h in mine if h.passage.pid not in taken and h.sentence > matched and h.lexical > 0]  # holds a word of it
        fresh = fresh[: self.tuning.followup_own_passages]
        shift = hits[0].score - fresh[0].score if fresh else 0.0
        return tuple(replace(h, score=h.score + shift) for h in fresh)

    def _outline(self, found: Found, best: Candidate):
        """An outline that matches the question better than any one sentence, or None.

        A sentence of the passage that opens a section's sub-sections ("The Cons: … Okay, it's not all sunshine
        and roses.") only leads into them: there the outline needs to match as well as it, not better by the margin."""
        weights = term_weights(self.retriever, found.query.terms)
        total = sum(weights.values()) or 1.0

        def match(lead: str) -> float:
            stems = frozenset(self.index.terms(lead))
            return self.tuning.sentence_lexical * sum(w for t, w in weights.items() if t in stems) / total

        retrieved = {h.passage.pid for h in found.hits}
        return self.outlines.best(
            retrieved, found.query.own, match, best.score, best.passage.pid, self.tuning.outline_margin, self.tuning.outline_intro_words
        )

    # --- for calibration and the UI -------------------------------------------------

    def features(self, question: str) -> Features:
        """The abstention features of a standalone question (what `calibrate` fits on)."""
        text = validate_question(question, self.settings.max_question_chars)
        return self._retrieve(self._read(text, [])).features

    def examples(self, n: int = 4) -> list[str]:
        """Example questions for the start screen."""
        return self.suggestions.examples(n)

    def warm(self) -> None:
        """Embed now what is otherwise embedded on first use: a server's first abstention or outline answer
        would wait for it."""
        self.outlines.vectors()
        self.suggestions.vectors()
