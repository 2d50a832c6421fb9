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
