"""Sentences: pysbd's sentence boundaries as character spans, and over-long sentences cut at word boundaries."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.records import Span
from bot.text import word_count


@lru_cache(maxsize=1)
def segmenter():
    import pysbd
    from pysbd.utils import TextSpan

    class Segmenter(pysbd.Segmenter):
        r"""pysbd's sentences, their offsets found with ``str.find`` rather than one new regex per sentence.

        pysbd locates each sentence it returns with ``re.finditer(re.escape(sentence) + r"\s*")``: a new
        pattern per sentence, which pushes pysbd's few hundred abbreviation patterns out of ``re``'s cache
        (512 entries), so every build compiled them all again: most of the time chunking took. The same search (the first occurrence, with the whitespace after it, that ends past the
        previous sentence) without regexes gives the same spans (tests/test_chunking.py checks it).
        """

        def sentences_with_char_spans(self, sentences):
            text, spans, prior = self.original_text, [], 0
            for sent in sentences:
                pos = 0
                while sent and (start := text.find(sent, pos)) >= 0:
                    end = start + len(sent)
                    while end < len(text) and text[end].isspace():
                        end += 1
                    if end > prior:
                        spans.append(TextSpan(text[start:end], start, end))
                        prior = end
                        break
                    pos = end
            return spans

    return Segmenter(language="en", clean=False, char_span=True)


def sentence_spans(folded: str, start: int, end: int) -> list[Span]:
    """Sentence spans inside folded[start:end], absolute, whitespace trimmed."""
    piece = folded[start:end]
    if not piece.strip():
        return []
    spans: list[Span] = []
    try:
        segments = [(s.start, s.end) for s in segmenter().segment(piece)]
    except Exception:  # noqa: BLE001 - the splitter failing on odd text must not lose the text
        segments = [(0, len(piece))]
    cursor = 0
    for s, e in segments:
        s, e = max(s, cursor), min(max(e, s), len(piece))
        cursor = max(cursor, e)
        while s < e and piece[s].isspace():
            s += 1
        while e > s and piece[e - 1].isspace():
            e -= 1
        if e <= s:
            continue
        if spans and _glued(piece, spans[-1][1] - start, s):
            spans[-1] = (spans[-1][0], start + e)
        else:
            spans.append((start + s, start + e))
    return spans or [(start, end)]


def _glued(piece: str, prev_end: int, s: int) -> bool:
    """pysbd ends a sentence at a dot inside a word (".gitignore", "hello.*"): no space after it, no sentence end."""
    return prev_end == s and piece[s - 1] == "."


def split_long(folded: str, span: Span, limit: int) -> list[Span]:
    """Cut a sentence with more than `limit` words at word boundaries."""
    s, e = span
    if word_count(folded[s:e]) <= limit:
        return [span]
    bounds = [m.start() + s for m in re.finditer(r"\S+", folded[s:e])]
    ends = [m.end() + s for m in re.finditer(r"\S+", folded[s:e])]
    return [(bounds[i], ends[min(i + limit, len(ends)) - 1]) for i in range(0, len(bounds), limit)]
