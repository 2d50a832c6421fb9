"""Records: the frozen value passed from each pipeline stage to the next, defined once.

    Document  (ingest: a file read)        -> Passage  (ingest: a citable slice of it)
    Passage   (search: retrieved)          -> Hit      (with its scores)
    Hit       (answer: sentences scored)   -> Candidate
    Candidate (answer: quoted)             -> Citation, inside an Answer
    Answer    (answer: one exchange)       -> Turn     (of a chat, for the next question)

Every record is built with keyword arguments. Offsets are half-open character offsets into
``Document.text``: ``document.text[p.start:p.end] == p.text`` holds for a Passage and a Citation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.text import word_count

#: A half-open (start, end) range of characters in a document's text.
Span = tuple[int, int]


@dataclass(frozen=True, kw_only=True)
class Block:
    """One structural unit of a document's text, as its reader found it: offsets into ``Document.text``."""

    kind: str  # heading | para | item | code | row (a table row) | rule
    start: int
    end: int
    body_start: int = -1  # where the text proper starts, after a bullet or '#' marker (-1: at start)
    level: int = 0  # a heading's level (1 = the page title), 0 when the reader cannot tell
    furniture: bool = False  # page furniture (set by bot.ingest.furniture, never by a reader)


@dataclass(frozen=True, kw_only=True)
class Document:
    """One article: its body text, its structure, and the metadata the file declares."""

    doc_id: str  # the path relative to the corpus folder, with forward slashes
    title: str
    text: str
    author: str = ""
    date: str = ""
    publisher: str = ""
    url: str = ""
    sha256: str = ""
    blocks: tuple[Block, ...] = ()  # the reader's structure; empty: chunking reads the text's lines
    source_words: int = 0  # words of the file's visible text, to tell how much of it was kept (0: unknown)


@dataclass(frozen=True, kw_only=True)
class Passage:
    """A citable slice of one document."""

    pid: int
    doc_id: str
    title: str
    heading: str
    start: int
    end: int
    text: str
    sentences: tuple[Span, ...]  # absolute, half-open, inside [start, end)
    parent: str = ""  # the heading this section sits under ("The Pros: …"), if any
    code: tuple[Span, ...] = ()  # those of the sentences that are code blocks, quoted verbatim

    @property
    def word_count(self) -> int:
        return word_count(self.text)


def document_from(row: dict) -> Document:
    """A document from its JSON record (``dataclasses.asdict``): lists back to tuples."""
    return Document(**{**row, "blocks": tuple(Block(**b) for b in row.get("blocks", ()))})


def passage_from(row: dict) -> Passage:
    """A passage from its JSON record (``dataclasses.asdict``): lists back to tuples."""
    return Passage(**{**row, "sentences": tuple(tuple(s) for s in row["sentences"]), "code": tuple(tuple(s) for s in row.get("code", ()))})


@dataclass(frozen=True, kw_only=True)
class Hit:
    """A retrieved passage and the scores that ranked it."""

    passage: Passage
    score: float  # fused, for ranking
    dense: float  # passage cosine
    sentence: float  # best sentence cosine
    lexical: float  # BM25, max-normalized over the candidates


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """One sentence that might go into the answer."""

    passage: Passage
    span: Span
    text: str  # display text
    score: float
    passage_score: float
    typed: bool = False  # holds the kind of answer the question asks for (an amount, a figure)
    incomplete: bool = False  # a lead-in or a restatement of the question: needs the sentence after it
    code: bool = False  # a code block, quoted verbatim
    symptom: bool = False  # a code block that restates the question (the log lines asked about): the text after it answers


@dataclass(frozen=True, kw_only=True)
class Citation:
    """What an answer's [n] points at: a passage of the index, or (pid None) a line of a document's metadata."""

    n: int
    doc_id: str
    title: str
    heading: str
    start: int
    end: int
    text: str
    score: float
    highlights: tuple[Span, ...]  # the sentences quoted in the answer (absolute offsets)
    pid: int | None = None  # the passage's id; None when the citation is not an indexed passage
    code: tuple[Span, ...] = ()  # the code blocks in it, shown as code

    @classmethod
    def of(cls, n: int, passage: Passage, score: float, highlights: tuple[Span, ...]) -> Citation:
        return cls(
            n=n,
            doc_id=passage.doc_id,
            title=passage.title,
            heading=passage.heading,
            start=passage.start,
            end=passage.end,
            text=passage.text,
            score=score,
            highlights=highlights,
            pid=passage.pid,
            code=passage.code,
        )


@dataclass(frozen=True, kw_only=True)
class Answer:
    """The reply to one question: its text with [n] markers, or an abstention with suggestions."""

    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    interpreted_as: str = ""
    suggestions: tuple[str, ...] = ()
    confidence: float = 0.0
    sentences: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True, kw_only=True)
class Turn:
    """A question as asked, how it was read, and the answer given."""

    question: str
    resolved: str
    answer: Answer
