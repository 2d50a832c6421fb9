"""Text normalization shared by every stage.

Two kinds of normalization, for two purposes:

* ``fold`` maps look-alike characters one-for-one (typographic quotes, the
  low-9 quotation mark U+201A that some pages use as a comma, odd spaces), so
  offsets in the folded text are offsets in the original. Chunking and sentence
  splitting work on it; citations still quote the original.
* ``for_model`` adds NFKC and whitespace folding: the text the embedding model
  and BM25 see. Its length may differ from the original; it is never sliced.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from bot.errors import QuestionError

_ONE_FOR_ONE = str.maketrans(
    {
        "\u2018": "'",  # left single quote
        "\u2019": "'",  # right single quote / apostrophe
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u201a": ",",  # single low-9 quotation mark, used as a comma on some pages
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200a": " ",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)

# Characters that carry no text: zero-width, bidi controls, BOM, and C0/C1 controls
# other than tab and newline.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SPACES = re.compile(r"\s+")
#: What opens a list item in plain text: a bullet or a number ("- ", "• ", "3. ", "2) ").
LIST_MARKER = re.compile(r"([-*\u2022\u00b7\u2023\u25aa\u25e6\u25cf\u2013]|\d{1,3}[.)])\s+")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")


def fold(text: str) -> str:
    """Map look-alike punctuation to ASCII, one character for one."""
    return text.translate(_ONE_FOR_ONE)


def clean(text: str) -> str:
    """Drop characters that carry no text (lone surrogates, controls, zero-width)."""
    text = _SURROGATE.sub("", text)
    return _INVISIBLE.sub("", text)


def for_model(text: str) -> str:
    """The text models and BM25 see: cleaned, folded, NFKC, single spaces."""
    text = unicodedata.normalize("NFKC", fold(clean(text)))
    return _SPACES.sub(" ", text).strip()


def for_matching(text: str) -> str:
    """Normalization of the evaluation format: NFKC, lower case, non-[a-z0-9] runs to one space."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def words(text: str) -> list[str]:
    """Words as a reader counts them."""
    return _WORD.findall(fold(text))


def word_count(text: str) -> int:
    return len(words(text))


@lru_cache(maxsize=4)
def _stemmer(language: str):
    import Stemmer  # PyStemmer: the Snowball stemmers

    return Stemmer.Stemmer(language)


def stems(tokens: list[str], language: str = "english") -> list[str]:
    """Snowball stems ("salaries" and "salary" -> "salari"): the one stemmer, of BM25 and of question analysis."""
    return _stemmer(language).stemWords(tokens) if tokens else []


#: Function words: what a question or a sentence says besides them is its content. The one list of the
#: project's own (BM25 keeps the short list its tokenizer was scored with, bm25s's, saved in the index).
STOP_WORDS = frozenset(
    "a an the and or but nor so of to in on at by for with from as into than if then about "
    "is are was were be been being am do does did have has had can could will would shall should may might must "
    "not no don't doesn't isn't aren't "
    "i me my we our you your it its he she his her they them their one ones there "
    "this that these those such what which who whom why how when where "
    "need needs all any some more most also just right now really very tip note".split()
)
_ACRONYM = re.compile(r"\b[A-Z]{2,5}\b")
_WORDS = re.compile(r"(\w+)")


def find_acronyms(texts: list[str]) -> dict[str, str]:
    """Acronyms used in the texts, each with the phrase of matching initials found most often there.

    "ML" -> "machine learning" when both occur; an acronym with no such phrase is left out. A phrase is
    as many whole lowercase words of two letters or more as the acronym has letters, apart only by white
    space; one pass over each text's words finds them for every acronym at once (a pattern per acronym
    over the whole corpus took 0.35 s of every build of 500 passages).
    """
    folded = [for_model(t) for t in texts]
    candidates = {a for t in folded for a in _ACRONYM.findall(t)}
    if not candidates:
        return {}
    line, tokens = initials_line(folded)
    found = {acronym: phrases_with_initials(acronym.lower(), line, tokens) for acronym in candidates}
    out = {}
    for acronym in sorted(found):
        counts = {k: v for k, v in found[acronym].items() if v >= 2 and not set(k.split()) & STOP_WORDS}
        if counts:
            out[acronym] = max(sorted(counts), key=lambda k: counts[k])
    return out


def initials_line(folded: Iterable[str]) -> tuple[str, list[str]]:
    """Every word's first letter in one string, and the words aligned with it.

    A word that no phrase may hold (one letter, a number, not ASCII) stands as "#"; "|" follows a word followed by
    more than white space, and ends each text, so a phrase never runs across punctuation ("docs/build") or texts.
    """
    lines: list[str] = []
    tokens: list[str] = []  # aligned with the joined lines, "" at each break
    for text in folded:
        parts = _WORDS.split(text.lower())  # gap, word, gap, word, ..., gap
        words, gaps = parts[1::2], parts[2::2]
        lines.append(
            "".join(
                (w[0] if len(w) >= 2 and w.isascii() and w.isalpha() else "#") + ("" if g.isspace() else "|")
                for w, g in zip(words, gaps, strict=True)
            )
        )
        tokens.extend(t for w, g in zip(words, gaps, strict=True) for t in ((w,) if g.isspace() else (w, "")))
        if not gaps or gaps[-1].isspace():  # a text ends a run too
            lines.append("|"), tokens.append("")
    return "".join(lines), tokens


def phrases_with_initials(initials: str, line: str, tokens: list[str]) -> dict[str, int]:
    """How often each phrase whose words' first letters spell ``initials`` (lower case) occurs, by ``initials_line``."""
    found: dict[str, int] = {}
    for hit in re.finditer(re.escape(initials), line):  # left to right, not overlapping
        phrase = " ".join(tokens[hit.start() : hit.end()])
        found[phrase] = found.get(phrase, 0) + 1
    return found


def expand_acronyms(text: str, acronyms: dict[str, str]) -> str:
    """Append the long form of each acronym present, and the acronym of each long form present."""
    extra = []
    lowered = text.lower()
    for acronym, phrase in acronyms.items():
        if re.search(rf"\b{acronym}\b", text):
            extra.append(phrase)
        elif phrase in lowered:
            extra.append(acronym)
    return f"{text} {' '.join(extra)}" if extra else text


def validate_question(question: object, max_chars: int) -> str:
    """The question cleaned of invisible characters; a QuestionError if it is empty or too long."""
    if not isinstance(question, str):
        raise QuestionError("Please type a question.")
    if len(question) > max_chars:
        raise QuestionError(
            f"That question is {len(question):,} characters long; the limit is {max_chars:,}. Please ask it in fewer words."
        )
    text = re.sub(r"\s+", " ", clean(question)).strip()
    if not re.search(r"\w", text):
        raise QuestionError("Please type a question, for example: “Do I need a master's degree?”")
    return text
