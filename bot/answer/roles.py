"""Sentence roles: does a sentence answer, or only point at an answer?

Articles are full of sentences that sound like the question but say nothing:
signposts about the article itself ("In this article, we'll look at …",
"Let's dive into …"), pointers elsewhere ("See limits.html for a full
discussion"), lead-ins to a list ("Here's a glimpse into their daily
tasks:"), and sentences that restate the question ("Tip: don't be intimidated
by the jargon!"). They match a question well and answer it badly, so the
answer path scores them down and, when one still leads, completes it with the
sentence that follows.
"""

from __future__ import annotations

import re

from bot.config import TUNING
from bot.text import STOP_WORDS, fold, stems

_SIGNPOST = re.compile(
    r"\b(in|of|through(out)?) (this|the following) (article|post|guide|piece|blog|page)\b"
    r"|\b(this|the following) (article|post|guide|blog post)\b"
    r"|\blet'?s (dive|talk|take a look|look|explore|break|get|start|be realistic)\b"
    r"|\bwe'?ll (look|explore|discuss|cover|go over|talk)\b"
    r"|\b(read|keep) on\b|\bkeep (on )?reading\b"
    r"|\b(below|above),? (we|you)\b|\bbelow we\b"
    r"|\bit'?s time to (think|look|talk)\b"
    r"|\bnow that you (have|know)\b"
    r"|^see\b|\bfor (more|further|full|additional|complete) (details|information|discussion|info)\b|\brefer to\b",
    re.I,
)
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


_REFERS_BACK = re.compile(
    r"^(in (this|that|these|those|such) (case|cases|situation|situations|instance|instances)|if so|if that is the case"
    r"|to do (this|that|so)|to fix (this|that|it))\b",
    re.I,
)


def refers_back(sentence: str) -> bool:
    """The sentence opens by pointing at the one before ("In these cases, add …", "To do this, …"): it goes on with it."""
    return bool(_REFERS_BACK.match(fold(sentence).lstrip()))


def is_signpost(sentence: str) -> bool:
    """The sentence talks about the article or the reading of it, not about the subject."""
    return bool(_SIGNPOST.search(fold(sentence)))


def is_lead_in(sentence: str) -> bool:
    """The sentence introduces what follows (ends with a colon or an ellipsis)."""
    s = fold(sentence).rstrip()
    return s.endswith(":") or s.endswith("…") or s.endswith("...")


def _content(text: str) -> set[str]:
    return set(stems([w for w in _TOKEN.findall(fold(text).lower()) if w not in STOP_WORDS and len(w) >= 3]))


def novelty(sentence: str, question: str) -> float:
    """Share of the sentence's content words that the question does not already contain (1.0 = all new)."""
    words = _content(sentence)
    if not words:
        return 0.0
    return len(words - _content(question)) / len(words)


def quotes_question(code: str, question: str) -> bool:
    """A code block that holds much of what the question says ("possible SYN flooding on port X … what is
    happening?" over the log lines an FAQ entry opens with): what the asker sees, not what they should do."""
    asked = _content(question)
    held = asked & _content(code)
    return len(held) >= 3 and 2 * len(held) >= len(asked)


def is_echo(sentence: str, question: str, threshold: float = TUNING.echo_novelty) -> bool:
    """The sentence mostly restates the question."""
    return novelty(sentence, question) <= threshold
