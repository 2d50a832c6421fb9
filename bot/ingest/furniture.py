"""Page furniture: blocks that are not the article, never to become passages.

Breadcrumbs, "back to top", social and newsletter calls to action, author bios, and the trailer
of a page (from the first such block near the end, once most of what follows is furniture too).
Repeated blocks (a subtitle that restates the first paragraph) and the title line are dropped too.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.ingest.blocks import BYLINE
from bot.records import Block
from bot.text import for_matching, word_count

_CRUMB = re.compile(r"\s[\u00bb\u203a>|/]\s")
_HOME = re.compile(r"^home\s*[\u00bb\u203a>]", re.I)
#: A repeated block of at most this many words is a label (a caption, "New in version 3.1."), kept each time.
REPEAT_MIN_WORDS = 5
_CUE = re.compile(
    r"\b(back to top|tweet (at|to) (me|us)|follow (me|us)|subscribe|newsletter|sign up for our|share (this|on)"
    r"|all rights reserved|cookie|privacy policy|terms of (use|service)|click here|read more|my name is"
    r"|don'?t miss|leave a (comment|reply)|ready to help|who can help|we can help|contact us"
    r"|related (posts|articles)|questions or comments)\b",
    re.I,
)
#: A block that only dates the page ("This page last modified on 2017-02-02 23:55:23 UTC", "Last updated: Jan 5"):
#: the page's own notice, not what it says (and never its date: that comes from what the document declares).
_DATE_NOTICE = re.compile(r"^\W*(this page (was )?(last )?|last )(modified|updated|edited|changed)\b[^!?]{0,60}$", re.I)
_FURNITURE_HEADING = re.compile(
    r"^(author|authors|about the author|about me|about us|related|related (posts|articles)|share|share this"
    r"|comments?|leave a (reply|comment)|newsletter|tags?|categories)$",
    re.I,
)


#: A block with a call to action ("read more", "subscribe") this short is furniture; in a document whose
#: reader found its structure (HTML, Markdown, PDF: its navigation already left out) only a very short one is.
CUED_MAX_WORDS = 25
CUED_MAX_WORDS_STRUCTURED = 8


def mark_furniture(folded: str, blocks: list[Block], title: str) -> list[Block]:
    """Flag furniture blocks, the title line and repeated blocks."""
    structured = any(b.level for b in blocks if b.kind == "heading")
    cued_max = CUED_MAX_WORDS_STRUCTURED if structured else CUED_MAX_WORDS
    title_key = for_matching(title)
    seen: dict[str, str] = {}  # each line's key, and the kind of block it first was
    section: list[str] = []  # the keys of the section's lines that are no heading: in a page with headings, its own
    kept: list[Block] = []
    dropped: set[int] = set()
    title_lines: set[int] = set()
    prev_key = None
    for b in blocks:
        key = for_matching(folded[b.body_start : b.end])
        if b.kind in ("code", "row") or (b.kind == "heading" and b.level > 1):
            pass  # code and table rows repeat for a reason; a document's own sections may share a name
        elif b.kind != "rule":
            if key and key == prev_key and _repeats(b, folded):
                dropped.add(len(kept) - 1)  # a subtitle restating the next line: keep the later one
            elif not key or key == title_key or (key in seen and _repeats(b, folded) and (b.kind != "heading" or seen[key] == "heading")):
                dropped.add(len(kept))  # the title line, a repeat, or punctuation only
                if key and key == title_key:
                    title_lines.add(len(kept))
        if structured and b.kind == "heading":  # two answers may say the same ("Upgrade."): a repeat is within a section
            for k in section:
                del seen[k]
            section = []
        if key not in seen:  # a heading that repeats a line of a contents box is still the section's
            seen[key] = b.kind
            if b.kind != "heading":
                section.append(key)
        prev_key = key
        kept.append(b)

    def cued(b: Block) -> bool:
        body = folded[b.body_start : b.end]
        if b.kind in ("code", "row"):
            return False
        if b.kind == "rule":
            return True
        if _crumbs(body, b.kind == "item") and word_count(body) <= 30 and b.kind != "heading":
            return True
        if b.kind == "heading":
            return bool(_FURNITURE_HEADING.match(body.strip()) or _CUE.search(body))
        if BYLINE.match(body) and word_count(body) <= 12:
            return True
        return bool(_CUE.search(body))

    flags = [cued(b) for b in kept]
    furniture = [False] * len(kept)
    # Short cued blocks anywhere; sections under a furniture heading.
    in_furniture_section = False
    for i, b in enumerate(kept):
        body = folded[b.body_start : b.end]
        if b.kind == "heading":
            in_furniture_section = flags[i]
            furniture[i] = flags[i]
        elif b.kind == "rule":
            in_furniture_section = False
        else:
            notice = bool(_DATE_NOTICE.match(body.strip()))
            furniture[i] = in_furniture_section or notice or (flags[i] and word_count(body) <= cued_max)
    # The trailer: from the first cued block after which most blocks are cued.
    for i in range(len(kept)):
        rest = [flags[j] or furniture[j] for j in range(i, len(kept)) if kept[j].kind != "rule"]
        starts = furniture[i] if structured else flags[i] or furniture[i]  # structured: a short call to action, not any mention
        if starts and (not rest or sum(rest) * 2 >= len(rest)):
            for j in range(i, len(kept)):
                furniture[j] = True
            break
    if not any(not furniture[i] and i not in dropped and b.kind != "rule" for i, b in enumerate(kept)):
        dropped -= title_lines  # a one-line document is its title line: keep it rather than lose everything
    for i in dropped:
        furniture[i] = True
    out: list[Block] = []
    for i, (b, f) in enumerate(zip(kept, furniture, strict=True)):
        kind = "para" if i in dropped and b.kind == "heading" and not flags[i] else b.kind  # a boundary, not a section
        out.append(replace(b, kind=kind, furniture=f))
    return _furniture_headings_hide_sections(out)


def _repeats(b: Block, folded: str) -> bool:
    """A block whose second copy says nothing new: not a list item ("• simple" in two lists, an option each theme
    lists) and not a label of a few words (a code block's caption "docs/source/usage.rst", "New in version 3.1.")."""
    return b.kind != "item" and word_count(folded[b.body_start : b.end]) > REPEAT_MIN_WORDS


def _crumbs(body: str, item: bool) -> bool:
    """A breadcrumb trail: "Home » …", two separators or more ("Docs › Guide › Install"), or one in a list item that
    is no sentence (a linked page's trail, "Other ways to access Gmail > POP"). One alone in a paragraph is a shell
    redirection ("echo 0 > /proc/sys/net/ipv4/tcp_timestamps") or a path in a sentence: text."""
    trail = item and not body.rstrip().endswith((".", "!", "?"))  # a sentence in a list is no trail
    return bool(_HOME.search(body)) or len(_CRUMB.findall(body)) >= (1 if trail else 2)


def _furniture_headings_hide_sections(blocks: list[Block]) -> list[Block]:
    """Blocks under a furniture heading are furniture until the next real heading."""
    out = []
    hidden = False
    for b in blocks:
        if b.kind == "heading":
            hidden = b.furniture
        elif b.kind == "rule":
            hidden = hidden and b.furniture
        if hidden and not b.furniture:
            b = replace(b, furniture=True)
        out.append(b)
    return out
