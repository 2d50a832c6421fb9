"""Where a candidate sentence sits in its passage: its neighbours, the code block it runs into or introduces, the
list item it begins or goes on with. Pure functions over passages' sentence spans."""

from __future__ import annotations

from bot.records import Candidate, Passage, Span
from bot.text import LIST_MARKER


def item_starts(p: Passage, start: int) -> bool:
    """A sentence of the passage that begins a list item: only a list marker before it on its line."""
    line = p.text[p.text.rfind("\n", 0, start - p.start) + 1 : start - p.start]
    return bool(line.strip()) and bool(LIST_MARKER.fullmatch(line.lstrip()))


def runs_into_code(passage: Passage, span: Span, text: str) -> bool:
    """A sentence that runs on into the code block after it ("delete the branch with"): it needs that code."""
    sentences = passage.sentences
    i = position(passage, span)
    return 0 <= i < len(sentences) - 1 and sentences[i + 1] in passage.code and not text.endswith((".", "!", "?"))


def position(passage: Passage, span: Span) -> int:
    """Which sentence of its passage a span ends with (a candidate may begin with a short one before it: "Yes! …")."""
    return next((i for i, (_, end) in enumerate(passage.sentences) if end == span[1]), -1)


def neighbours(c: Candidate, steps: tuple[int, ...]) -> set[int]:
    """Where the sentences at the given steps from c in its passage begin (after it) or end (before it)."""
    sentences = c.passage.sentences
    i = position(c.passage, c.span)
    if i < 0:
        return set()
    return {sentences[i + d][0 if d > 0 else 1] for d in steps if 0 <= i + d < len(sentences)}


def after(c: Candidate, candidates: list[Candidate]) -> list[Candidate]:
    """The candidates of c's passage after it, in text order."""
    return sorted((o for o in candidates if o.passage.pid == c.passage.pid and o.span[0] >= c.span[1]), key=lambda o: o.span[0])


def runs_on(prev: Candidate, c: Candidate) -> bool:
    """c is the sentence right after prev in the same passage, neither of them code."""
    return prev.passage.pid == c.passage.pid and not prev.code and not c.code and c.span[0] in neighbours(prev, (1,))


def runs_on_code(c: Candidate, code: Candidate) -> bool:
    """code is the code block right after the sentence c in its passage."""
    return c.passage.pid == code.passage.pid and code.span[0] in neighbours(c, (1,))


def introduction(code: Candidate, candidates: list[Candidate]) -> Candidate | None:
    """The candidate sentence just before a code block in its passage: the one that introduces it."""
    before = neighbours(code, (-1,))
    return next((c for c in candidates if c.passage.pid == code.passage.pid and c.span[1] in before and not c.code), None)


def same_item(best: Candidate, c: Candidate) -> bool:
    """c goes on with best in one list item: one point, whose sentences finish each other ("Colons cannot be escaped
    in menu entries. They will be replaced with semicolons.")."""
    p = best.passage
    if c.passage.pid != p.pid:
        return False
    start, end, after = best.span[0] - p.start, best.span[1] - p.start, c.span[0] - p.start
    line = p.text[p.text.rfind("\n", 0, start) + 1 :]
    return bool(LIST_MARKER.match(line.lstrip())) and "\n" not in p.text[end:after]


def continuation(code: Candidate, candidates: list[Candidate]) -> Candidate | None:
    """The candidate right after a code block that goes on with the sentence the code interrupted: it begins in lower
    case ("Type ``biff n`` to turn it off.", "Use ``…`` where NAME is the branch")."""
    following = neighbours(code, (1,))
    return next(
        (c for c in candidates if c.passage.pid == code.passage.pid and c.span[0] in following and not c.code and c.text[:1].islower()),
        None,
    )
