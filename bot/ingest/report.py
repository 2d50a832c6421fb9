"""Reading report: what each file became, beside the words of its visible text, so nothing is lost silently.

``bot index`` prints it for every file and warns when a file keeps under ``KEPT_AT_LEAST`` of its
visible words or yields no headings; ``python -m bot inspect FILE`` prints one file's sections,
passages and code blocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.records import Document, Passage
from bot.text import for_matching, word_count

#: A file whose passages hold less than this share of its visible words gets a warning.
KEPT_AT_LEAST = 0.8


@dataclass(frozen=True, kw_only=True)
class FileReport:
    doc_id: str
    sections: int
    headings: int
    passages: int
    code_blocks: int
    words_kept: int
    words_visible: int

    @property
    def kept(self) -> float:
        return self.words_kept / self.words_visible if self.words_visible else 1.0

    def line(self) -> str:
        return (
            f"{self.doc_id}: {self.sections} sections, {self.passages} passages, {self.code_blocks} code blocks, "
            f"{self.words_kept:,} of {self.words_visible:,} visible words kept ({self.kept:.0%})"
        )

    def warnings(self) -> list[str]:
        out = []
        if self.words_visible and self.kept < KEPT_AT_LEAST:
            out.append(
                f"{self.doc_id}: only {self.kept:.0%} of its visible words reached the index "
                f"(`python -m bot inspect {self.doc_id}` shows what was kept)"
            )
        if self.passages >= 3 and not self.headings:
            out.append(f"{self.doc_id}: no headings found, so its passages carry no section names")
        return out


def report(doc: Document, passages: Sequence[Passage]) -> FileReport:
    """What one document became; ``passages`` are its own."""
    mine = [p for p in passages if p.doc_id == doc.doc_id]
    title = for_matching(doc.title)
    # The title line is not quoted in a passage: every citation shows it, and the models see it with each passage.
    title_words = next((word_count(doc.text[b.start : b.end]) for b in doc.blocks if for_matching(doc.text[b.start : b.end]) == title), 0)
    return FileReport(
        doc_id=doc.doc_id,
        sections=len({(p.parent, p.heading) for p in mine}),
        headings=sum(1 for b in doc.blocks if b.kind == "heading") or len({p.heading for p in mine if p.heading}),
        passages=len(mine),
        code_blocks=sum(1 for b in doc.blocks if b.kind == "code"),
        words_kept=min(sum(word_count(p.text) for p in mine) + title_words, doc.source_words or word_count(doc.text)),
        words_visible=doc.source_words or word_count(doc.text),
    )


def reports(documents: Sequence[Document], passages: Sequence[Passage]) -> list[FileReport]:
    by_doc: dict[str, list[Passage]] = {}
    for p in passages:
        by_doc.setdefault(p.doc_id, []).append(p)
    return [report(d, by_doc.get(d.doc_id, [])) for d in documents]


def describe(doc: Document, passages: Sequence[Passage]) -> str:
    """What one file becomes, for a person: its metadata, sections with heading paths, passages, code blocks."""
    r = report(doc, passages)
    lines = [f"{doc.doc_id}: “{doc.title}”" + "".join(f", {k} {v}" for k, v in (("by", doc.author), ("dated", doc.date)) if v), r.line()]
    lines.extend(f"warning: {w}" for w in r.warnings())
    section = None
    for p in passages:
        where = " > ".join(x for x in (p.parent, p.heading) if x) or "(no heading)"
        if where != section:
            lines.append(f"\n## {where}")
            section = where
        codes = f", {len(p.code)} code block{'s' if len(p.code) != 1 else ''}" if p.code else ""
        preview = " ".join(p.text.split())
        lines.append(f"  [{p.pid}] {p.word_count} words{codes}: {preview[:110]}{'…' if len(preview) > 110 else ''}")
    return "\n".join(lines)
