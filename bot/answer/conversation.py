"""Conversation: read a follow-up question in the light of the turns before it.

An elliptical question ("in which fields?", "why that one?", "what does it
depend on?") has few words of its own or leans on a pronoun. It is searched
together with the question it follows (itself already resolved), and the
passages cited in the previous answer get a small boost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.records import Turn

_ANAPHORA = re.compile(r"\b(it|its|that|this|those|these|them|they|their|one|ones|there|such)\b", re.I)
_OPENERS = re.compile(r"^\s*(and|but|so|or|also|what about|how about|in which|which ones?|how so|then)\b", re.I)
_STOP = frozenset(
    "a an the and or but so of to in on at by for with from is are was were be been do does did i you we me my your it its "
    "that this those these them they their one ones there then what which who whom why how when where can could should would "
    "will shall may might must have has had need needs all any some more most about also just right now really very".split()
)
#: Previous-answer passages get this much added to their fused score on a follow-up.
FOLLOWUP_BOOST = 0.05




@dataclass(frozen=True)
class Resolved:
    query: str  # what retrieval searches
    question: str  # what the user typed
    followup_of: str  # the resolved earlier question, or ""
    boost: dict[int, float]

    @property
    def interpreted_as(self) -> str:
        return f"{self.question} (about: {self.followup_of})" if self.followup_of else ""


def content_words(question: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9']+", question.lower()) if w not in _STOP and len(w) > 1]


def is_elliptical(question: str) -> bool:
    """Few words of its own, or a pronoun/opener that points back."""
    content = content_words(question)
    if len(content) <= 2:
        return True
    return len(content) <= 6 and bool(_ANAPHORA.search(question) or _OPENERS.search(question))


def resolve(question: str, history: list[Turn]) -> Resolved:
    """The query to search for this question, given the earlier turns of the chat."""
    previous = next((t for t in reversed(history) if not t.answer.abstained), None)
    if previous is None or not is_elliptical(question):
        return Resolved(question, question, "", {})
    boost = {c.pid: FOLLOWUP_BOOST for c in previous.answer.citations if c.pid is not None}
    return Resolved(f"{previous.resolved} {question}", question, previous.resolved, boost)
