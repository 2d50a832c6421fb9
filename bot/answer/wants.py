"""Answer typing: what kind of answer a question asks for, and whether a text holds one.

A question about money wants an amount ("$85,000"); one about a count, a duration or a
date wants a figure, and one that only a figure answers ("how long does it take", ``asks_figure``)
is not answered by sentences that state none. Sentences and passages that hold what is asked for score higher
(``Tuning.money_bonus``, ``number_bonus``, ``money_passage_boost``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: "how much" asks for money on its own ("how much do they make", "how much ML engineers earn"), not before another
#: noun ("how much math", "how much memory does it use").
_ASKS_MONEY = re.compile(
    r"\b(salar(y|ies)|pay|paid|earn\w*|income|wage\w*|cost\w*|price\w*|money)\b"
    r"|\bhow much\b(?=\s*([?.!,]|$|(do|does|did|can|could|will|would|should|is|are|was|were|might|may|must"
    r"|i|you|he|she|they|we|it|one|a|an|the)\b))"
    r"|\bhow much\b.*\b(make|makes|making|made|charges?|worth|spend)\b",
    re.I,
)
#: "percent" and "percentage" ask for a share; "percent characters", "a percent sign" name the character.
_PERCENT = r"percent(?:age)?s?\b(?!\s*(?:characters?|signs?|symbols?|escap\w*|encod\w*))"
_ASKS_NUMBER = re.compile(
    rf"\b(how (many|long|old|often)|when|what year|which year|age|{_PERCENT}|number of|(which|what) (\w+ )?versions?)\b", re.I
)
_MONEY = re.compile(r"[$€£¥]\s?\d|\d\s?(k|dollars|euros|pounds|usd|eur)\b", re.I)
_DIGIT = re.compile(r"\d")
#: A question about how to do something, which a command or a code block answers.
_ASKS_HOW = re.compile(r"\b(how (do|can|should|would|to)|what command|which command|command|syntax|example)\b", re.I)


@dataclass(frozen=True, kw_only=True)
class Wants:
    """The kind of answer a question asks for."""

    money: bool = False
    number: bool = False
    how: bool = False  # how to do something: a code block may answer it on its own

    @property
    def typed(self) -> bool:
        """The question asks for an amount or a figure."""
        return self.money or self.number

    def met_by(self, text: str) -> bool:
        """The text holds the kind of answer asked for (always, when the question asks for none)."""
        return not self.typed or (states_money(text) if self.money else False) or states_number(text)


def wants(question: str) -> Wants:
    return Wants(money=bool(_ASKS_MONEY.search(question)), number=bool(_ASKS_NUMBER.search(question)), how=bool(_ASKS_HOW.search(question)))


#: A sentence that tells how to do something: "You can use PRAGMA quick_check to …", "To stop tracking a file, use …",
#: "Run git status", "… by setting the option".
_DO = r"(use|run|set|add|type|call|install|create|edit|put|pass|enable|disable|open|make sure|try|remove|delete|change)\b"
_INSTRUCTS = re.compile(
    rf"^(you (can|could|should|need to|must|may|might want to)\b|(first|then|simply|just) |{_DO}|to \w+\b[^.,]*, {_DO})"
    r"|\bby (using|running|setting|adding|calling|passing|typing|putting|editing)\b",
    re.I,
)


def instructs(text: str) -> bool:
    """The sentence tells the reader what to do."""
    return bool(_INSTRUCTS.search(text.strip()))


def states_money(text: str) -> bool:
    return bool(_MONEY.search(text))


def states_number(text: str) -> bool:
    return bool(_DIGIT.search(text))


#: The questions that only a figure answers: "how long does it take" is not answered by "it won't be easy".
#: Narrower than _ASKS_NUMBER: "when should I apply" and "at what age" can be answered in words.
#: "The number of" asks for it; "after a certain number of days" only speaks of one.
_ASKS_FIGURE = re.compile(rf"\b(how (many|long|old|often)|what year|which year|{_PERCENT}|the number of)\b", re.I)


def asks_figure(question: str) -> bool:
    """The question can only be answered with a figure (a count, a duration, a year, a share)."""
    return bool(_ASKS_FIGURE.search(question))
