"""Conversation: read a follow-up question in the light of the turns before it.

An elliptical question ("in which fields?", "why that one?", "what does it
depend on?") has few words of its own or leans on a pronoun. It is searched
together with the question it follows (itself already resolved), and the
passages cited in the previous answer score a little lower: the joined
question keeps the topic, and what follows an answer asks for what it did not
say ("how do I get it working for accented letters?" after "case-insensitive
matching does not work for Unicode"). Except a question that picks among what
the answer said ("which of those is quicker?", "which one would I use on a
mac?"): its answer is in those passages, and they score a little higher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.config import TUNING, Tuning
from bot.records import Turn
from bot.text import STOP_WORDS

_ANAPHORA = re.compile(r"\b(it|its|that|this|those|these|them|they|their|one|ones|there|such)\b", re.I)
_CHOICE = re.compile(r"^\s*(and |so |but )?(which|what) (one|ones|of (those|these|them|the two|both))\b", re.I)
_OPENERS = re.compile(r"^\s*(and|but|so|or|also|what about|how about|in which|which ones?|how so|then)\b", re.I)


@dataclass(frozen=True)
class Resolved:
    query: str  # what retrieval searches
    question: str  # the question as read (typos corrected, bot.answer.focus)
    followup_of: str  # the resolved earlier question, or ""
    boost: dict[int, float]
    typed: str = ""  # what the user typed, when it differs from the question as read
    chooses: bool = False  # a follow-up that picks among what the previous answer said
    related: tuple[str, ...] = ()  # synonyms searched too, for words the documents never use (bot.answer.thesaurus)

    @property
    def interpreted_as(self) -> str:
        """How the question was read, when that is not just as typed."""
        also = f" (also searched: {', '.join(self.related)})" if self.related else ""
        if self.followup_of:
            return f"{self.question} (about: {self.followup_of}){also}"
        return f"{self.question}{also}" if also or (self.typed and self.typed != self.question) else ""


def content_words(question: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9']+", question.lower()) if w not in STOP_WORDS and len(w) > 1]


def is_elliptical(question: str, tuning: Tuning = TUNING) -> bool:
    """Few words of its own, or a pronoun/opener that points back."""
    content = content_words(question)
    if len(content) <= tuning.followup_max_words:
        return True
    return len(content) <= tuning.followup_pointing_words and bool(_ANAPHORA.search(question) or _OPENERS.search(question))


def resolve(question: str, history: list[Turn], tuning: Tuning = TUNING, typed: str = "") -> Resolved:
    """The query to search for this question (as read), given the earlier turns of the chat."""
    previous = next((t for t in reversed(history) if not t.answer.abstained), None)
    if previous is None or not is_elliptical(question, tuning):
        return Resolved(question, question, "", {}, typed)
    chooses = bool(_CHOICE.search(question))
    lift = tuning.followup_choice_boost if chooses else tuning.followup_boost
    boost = {c.pid: lift for c in previous.answer.citations if c.pid is not None}
    return Resolved(f"{previous.resolved} {question}", question, previous.resolved, boost, typed, chooses)
