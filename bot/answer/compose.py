"""Answer: scored sentences become a short answer with numbered citations.

Pure functions. The best sentence leads; other sentences join it when they
score nearly as well, say something new and fit the length budget, so that
where two articles speak to a question both are quoted and cited. Markers
[n] number the cited passages in order of first use.
"""

from __future__ import annotations

from dataclasses import replace

from bot.answer.display import FENCE, display_sentence
from bot.answer.placement import (
    after,
    continuation,
    introduction,
    item_starts,
    neighbours,
    position,
    runs_into_code,
    runs_on,
    runs_on_code,
    same_item,
)
from bot.answer.roles import is_lead_in, is_signpost, refers_back
from bot.config import TUNING, Tuning
from bot.records import Answer, Candidate, Citation, Passage, Span
from bot.text import for_matching, word_count


def _similar(a: str, b: str, overlap: float) -> bool:
    wa, wb = set(for_matching(a).split()), set(for_matching(b).split())
    if not wa or not wb:
        return False
    return len(wa & wb) / min(len(wa), len(wb)) > overlap


def select_sentences(candidates: list[Candidate], tuning: Tuning = TUNING, how: bool = True) -> list[Candidate]:
    """The best sentence, then near-best ones that add something and fit; a code block among them only when the
    question asks how to do something (``how``) or with the sentence that introduces it."""
    max_words, max_sentences = tuning.max_answer_words, tuning.max_answer_sentences
    ranked = sorted(candidates, key=lambda c: -c.score)
    if not ranked:
        return []
    best = ranked[0]
    chosen = [best]
    words = word_count(best.text)
    items = _list_after(best, ranked, tuning) if best.incomplete else []
    if items:  # it introduces a list: the list is the answer
        chosen += items
        words += sum(word_count(c.text) for c in items)
    elif best.incomplete:  # it only introduces the answer: what follows it in its passage says it
        rest = _completion(best, ranked, chosen, words, max_words, tuning.introductions_in_a_row)
        chosen += rest
        words += sum(word_count(c.text) for c in rest)
    elif best.code:  # a code block is read with the sentence that introduces it
        intro = introduction(best, ranked)
        if intro is not None:
            chosen.append(intro)
            words += word_count(intro.text)
    if not best.incomplete and not best.code:  # what the best sentence says is often finished by the next one
        following = neighbours(best, (1,))
        for c in ranked[1:]:
            if c.span[0] in following and c.passage.pid == best.passage.pid and _turns(c, tuning):
                reply = next((o for o in ranked if runs_on(c, o)), None)  # "… In machine learning? Not so much."
                for r in (c, reply) if reply is not None else ():  # the turn and its reply, or neither
                    if words + word_count(r.text) <= max_words:
                        chosen.append(r)
                        words += word_count(r.text)
                        max_sentences += 1
                break
            goes_on = same_item(best, c) or refers_back(c.text)  # one point, or "In these cases, …" after its case
            if c.span[0] in following and not c.code and (c.score >= best.score - tuning.continue_margin or goes_on):
                if word_count(c.text) > tuning.continue_max_words or is_signpost(c.text):
                    break  # a long one says more than the best sentence's rest: it competes for its place
                if words + word_count(c.text) <= max_words and c.passage.pid == best.passage.pid:
                    chosen.append(c)
                    words += word_count(c.text)
                    max_sentences += 1  # it finishes the best sentence: the others still have their places
                break
    if not best.typed:  # the question asks for an amount the best sentence lacks: take it from a neighbour
        around = neighbours(best, (-1, 1))
        for c in ranked[1:]:
            if (
                c.typed
                and c.passage.pid == best.passage.pid
                and (c.span[0] in around or c.span[1] in around)
                and c not in chosen
                and words + word_count(c.text) <= max_words
            ):
                chosen.append(c)
                words += word_count(c.text)
                break
    for c in ranked[1:]:
        if len(chosen) >= max_sentences or c.score < best.score - tuning.join_margin:
            break
        w = word_count(c.text)
        if not c.code and runs_into_code(c.passage, c.span, c.text):
            # "… delete the branch with" is read with its code, or not at all: alone it leaves the reader hanging
            code = next((o for o in ranked if o.code and runs_on_code(c, o)), None)
            if code is None or c in chosen or code in chosen or words + w + word_count(code.text) > 2 * max_words:
                continue
            chosen += [c, code]
            words += w + word_count(code.text)
            continue
        intro = introduction(c, ranked) if c.code else None
        if c.code and not how and intro not in chosen:
            continue  # code without the sentence that introduces it does not say what a thing is or why
        if c in chosen or words + w > max_words or any(_similar(c.text, o.text, tuning.same_sentence_overlap) for o in chosen):
            continue
        chosen.append(c)
        words += w
        turn = next((o for o in ranked if runs_on(c, o) and _turns(o, tuning)), None)
        reply = next((o for o in ranked if runs_on(turn, o)), None) if turn is not None else None
        if (
            reply is not None
            and turn not in chosen
            and reply not in chosen
            and words + word_count(turn.text) + word_count(reply.text) <= max_words
        ):
            chosen += [turn, reply]  # "For most careers, … In machine learning? Not so much.", wherever it stands
            words += word_count(turn.text) + word_count(reply.text)
            max_sentences += 2
        if intro is not None and intro not in chosen and words + word_count(intro.text) <= max_words:
            chosen.append(intro)  # code is read with the sentence that introduces it, when that fits
            words += word_count(intro.text)
    for code in [c for c in chosen if c.symptom]:  # the log lines asked about: the text after them answers
        prose = sum(word_count(c.text) for c in chosen if not c.code)
        for c in after(code, ranked):
            if c.code or prose + word_count(c.text) > max_words:
                break
            if c not in chosen:
                chosen.append(c)
                prose += word_count(c.text)
    for code in [c for c in chosen if c.code and introduction(c, ranked) in chosen]:  # "Type [biff n] to turn it off."
        rest = continuation(code, ranked)
        if rest is not None and rest not in chosen and words + word_count(rest.text) <= max_words:
            chosen.append(rest)
            words += word_count(rest.text)
    for c in [c for c in chosen[1:] if c.incomplete and not c.code]:  # an answer does not stop on "… as follows:"
        rest = _completion(c, ranked, chosen, words, max_words, 1)
        chosen += rest
        words += sum(word_count(o.text) for o in rest)
    while dangling := [c for c in chosen[1:] if is_lead_in(c.text) and not c.code and not after(c, chosen) and not refers_back(c.text)]:
        for c in dangling:  # a lead-in whose sequel did not fit leaves the reader hanging: it goes, and so may its own
            # (not one that answers the case before it: "… In these cases, add the --restrict-filenames flag:")
            chosen.remove(c)
    # Read in order: the best passage first, sentences of one passage in text order.
    first_use = {}
    for c in chosen:
        first_use.setdefault(c.passage.pid, len(first_use))
    return sorted(chosen, key=lambda c: (first_use[c.passage.pid], c.span[0]))


def _completion(
    lead: Candidate, ranked: list[Candidate], chosen: list[Candidate], words: int, max_words: int, steps: int
) -> list[Candidate]:
    """What follows a sentence that only introduces it, in its passage, within the word budget: the next sentence, and
    through up to ``steps`` introductions in a row (a table's caption, its header) to what they introduce. The code a
    sentence introduces is the answer: it has twice the room."""
    out: list[Candidate] = []
    last = lead
    for _ in range(steps):
        later = after(last, ranked)
        nxt = later[0] if later else None
        if nxt is None or nxt in chosen or words + word_count(nxt.text) > (2 * max_words if nxt.code else max_words):
            break
        out.append(nxt)
        words += word_count(nxt.text)
        if nxt.code or not nxt.incomplete:
            break
        last = nxt
    return out


def _list_after(lead: Candidate, candidates: list[Candidate], tuning: Tuning) -> list[Candidate]:
    """The items of the list right after a lead-in ("Here's a glimpse into their daily tasks:"), each by its first
    sentence; by their labels alone ("Building data pipelines") when the whole items would not fit. None when no
    list of two items or more follows it."""
    p = lead.passage
    by_start = {c.span[0]: c for c in candidates if c.passage.pid == p.pid and not c.code}
    i = position(p, lead.span)
    items: list[Candidate] = []
    for s, _ in p.sentences[i + 1 :] if i >= 0 else ():
        if not item_starts(p, s):
            if "\n" in p.text[(items[-1].span[1] if items else lead.span[1]) - p.start : s - p.start]:
                break  # a paragraph after the list, or no list at all
            continue  # an item's own further sentences
        if s not in by_start:
            break
        items.append(by_start[s])
    if len(items) < 2:
        return []
    budget = tuning.list_max_words - word_count(lead.text)
    if sum(word_count(c.text) for c in items) > budget:
        labels = [c.text.split(": ", 1)[0] for c in items]
        if all(": " in c.text for c in items) and sum(map(word_count, labels)) <= budget:
            return [replace(c, text=label) for c, label in zip(items, labels, strict=True)]
        while items and sum(word_count(c.text) for c in items) > budget:
            items.pop()
    return items if len(items) >= 2 else []


def _turns(c: Candidate, tuning: Tuning) -> bool:
    """A short question after a statement, that the text then answers ("In machine learning?"): a rhetorical turn."""
    return c.text.endswith("?") and not c.code and word_count(c.text) <= tuning.turn_max_words


def _with_section(c: Candidate, bullet: bool = False) -> str:
    """Name the section a sentence comes from when its heading is a topic (not a question); a list's first item
    (``bullet``) on a line of its own."""
    heading = display_sentence(c.passage.heading)
    text = f"• {c.text}" if bullet else c.text
    if not heading or heading.endswith("?") or for_matching(heading) in for_matching(c.text):
        return text
    return f"{heading}:\n{text}" if bullet else f"{heading}: {text}"


def compose(question: str, chosen: list[Candidate], max_citations: int, interpreted_as: str = "", confidence: float = 0.0) -> Answer:
    """Sentences with [n] markers, and the citations they point to."""
    numbers: dict[int, int] = {}
    highlights: dict[int, list[Span]] = {}
    scores: dict[int, float] = {}
    passages: dict[int, Passage] = {}
    parts = []
    prev: Candidate | None = None
    named: set[tuple[str, str]] = set()  # the sections already named: a second passage of one goes without its name
    for k, c in enumerate(chosen):
        pid = c.passage.pid
        if pid not in numbers:
            if len(numbers) >= max_citations:
                continue
            numbers[pid] = len(numbers) + 1
            passages[pid] = c.passage
            scores[pid] = c.passage_score
        first_from_passage = pid not in highlights
        highlights.setdefault(pid, []).append(c.span)
        marker = f" [{numbers[pid]}]"
        if c.code:
            parts.append(f"{FENCE}\n{c.text}\n{FENCE}{marker}")
        elif prev is not None and prev.passage.pid == pid and item_starts(c.passage, c.span[0]):
            parts[-1] = f"{parts[-1].removesuffix(marker)}\n• {c.text}{marker}"  # a list item, on its own line
        elif prev is not None and runs_on(prev, c):  # one marker for a run of a passage's sentences, read as one
            after_list = "\n• " in parts[-1] and "\n" in c.passage.text[prev.span[1] - c.passage.start : c.span[0] - c.passage.start]
            parts[-1] = f"{parts[-1].removesuffix(marker)}{chr(10) if after_list else ' '}{c.text}{marker}"
        else:
            nxt = chosen[k + 1] if k + 1 < len(chosen) else None
            bullet = (
                nxt is not None and nxt.passage.pid == pid and item_starts(c.passage, c.span[0]) and item_starts(nxt.passage, nxt.span[0])
            )
            section = (c.passage.doc_id, c.passage.heading)
            text = _with_section(c, bullet) if first_from_passage and section not in named else f"• {c.text}" if bullet else c.text
            named.add(section)
            parts.append(f"{chr(10) if bullet and parts else ''}{text}{marker}")  # a list starts on a line of its own
        prev = c
    citations = tuple(
        Citation.of(n, passages[pid], scores[pid], tuple(sorted(highlights[pid])))
        for pid, n in sorted(numbers.items(), key=lambda kv: kv[1])
    )
    return Answer(
        question=question,
        text=" ".join(parts),
        abstained=False,
        citations=citations,
        interpreted_as=interpreted_as,
        confidence=confidence,
        sentences=tuple(c.text for c in chosen),
    )


def abstain(
    question: str,
    suggestions: tuple[str, ...],
    interpreted_as: str = "",
    confidence: float = 0.0,
    unknown: tuple[str, ...] = (),
    why: str = "",
) -> Answer:
    text = "The articles don't cover this, so I won't guess."
    if unknown:
        text += " They never mention " + " or ".join(f"“{w}”" for w in unknown) + "."
    elif why:
        text += f" {why}"
    if suggestions:
        text += " Questions they do answer: " + " · ".join(suggestions)
    return Answer(
        question=question, text=text, abstained=True, interpreted_as=interpreted_as, suggestions=suggestions, confidence=confidence
    )
