"""Focus and spelling: the corpus's words, for correcting a typo and for seeing a rare word no document uses.

A question word the documents never use (not as written, not as a BM25 stem) and that is not an
ordinary English word (wordfreq's Zipf frequency under ``Tuning.focus_max_zipf``) is either a typo
of a corpus word or the focus of a question the documents do not answer:

* "mashine lerning enginer pay": each is within an edit or two of a corpus word (optimal string
  alignment by rapidfuzz, so a swapped pair of letters is one edit; the distance allowed grows with
  the word's length; the first letter is kept, since a typo there is rare and a dropped prefix changes the
  word: "upsides" is not "sides", nor "unmerged" "merged", nor "xelatex" "latex"). The question is searched as corrected ("machine learning engineer pay"), and
  the answer says how it was read.
* "How do I set up git LFS?" over pages that never say LFS: no corpus word is near "lfs", so the
  documents do not answer it; so does a name with digits ("fts5") whose letters the corpus does not use
  either ("python3" is python's). Ordinary words the documents happen not to use ("point of view",
  "considered") say how a question is put, not what it is about: they are neither corrected nor a focus.

A place is the exception among ordinary words: "salary in India" asks about India, and over
documents that never name it the answer is not there, however well "salary" matches. The countries
of ISO 3166 that a question names (``bot.answer.places``) are checked as the rare words are.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from bot.answer.typos import by_length, clips, extends, omitted, single, singular, slips, undoubled, within
from bot.config import TUNING, Tuning
from bot.text import STOP_WORDS, for_model, initials_line, phrases_with_initials

_WORD = re.compile(r"[^\W\d_]+")
#: Letters and digits in one word: a name or a version ("fts5", "http3"); not a number with its unit ("9am", "64bit").
_CODED = re.compile(r"(?!\d+[^\W\d_]{1,3}$)(?=.*[^\W\d_]{2})(?=.*\d)[^\W_]{3,}")


@dataclass(frozen=True, kw_only=True)
class Spelled:
    """A question with its typos corrected, and what was changed."""

    text: str
    corrections: tuple[tuple[str, str], ...] = ()  # (as typed, as read), in the question's order


class Vocabulary:
    """The corpus's BM25 terms and its words as written."""

    def __init__(
        self, known: Iterable[str], words: Callable[[], Iterable[str]], common: frozenset[str], texts: Callable[[], Iterable[str]] = tuple
    ) -> None:
        self.known = frozenset(known)  # BM25 stems
        self.common = common  # English words too common to be a focus (written with the index by bot.search.build)
        self._words = words  # the corpus's words as written, lower case: read on first need, not at start-up
        self._texts = texts  # the corpus's texts, for phrases by their initials: read on first need too

    @cached_property
    def _counts(self) -> Counter[str]:
        return Counter(w for w in self._words() if w.isalpha())

    @cached_property
    def _forms(self) -> Counter[str]:
        """The corpus's words and the singular of its plurals ("startups": "startup"), which a typo may be near
        ("statup"), with how often the corpus writes them."""
        forms = Counter(self._counts)
        for word, n in self._counts.items():
            one = singular(word)
            if one and one not in self._counts:
                forms[one] += n
        return forms

    @cached_property
    def _by_length(self) -> dict[int, list[str]]:
        return by_length(self._forms)

    def _allowed(self, word: str, tuning: Tuning) -> int:
        return 2 if len(word) >= tuning.typo_two_edits_from else 1 if len(word) >= tuning.typo_one_edit_from else 0

    def nearest(self, word: str, tuning: Tuning = TUNING) -> str | None:
        """The corpus word closest to ``word`` within the edits allowed for its length; on a tie the one it misses a
        doubled letter of, then one it misses a letter of ("statup": "startup", not "status"), then the more frequent."""
        allowed = self._allowed(word, tuning)
        found = within(word, self._by_length, allowed) if allowed else []
        found = [f for f in found if not extends(word, f[0])]  # "coursera" is a word of its own, not "courses"
        if not found and len(word) >= tuning.typo_swap_from:
            swapped = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(1, len(word) - 1)} & self._forms.keys()
            found = [(w, 1, 0) for w in swapped]
        if not found:
            return None
        best = min(d for _, d, _ in found)
        return max((w for w, d, _ in found if d == best), key=lambda w: (undoubled(w, word), omitted(w, word), self._forms[w], w))

    def _misread(self, word: str, stem: Callable[[str], str | None], tuning: Tuning) -> str | None:
        """The corpus word a word it does not write is a typo of, though its stem is the corpus's: a word of another stem
        within the edits allowed, written ``Tuning.typo_family_ratio`` times as often as all the words of its stem, and
        no word of its own stem that near ("codes" is "code" plural, whatever "cores" counts)."""
        own = stem(word)
        right = self.nearest(word, tuning)
        if right is None or any(stem(w) == own for w, _, _ in within(word, self._by_length, self._allowed(word, tuning))):
            return None
        family = sum(n for w, n in self._counts.items() if w.startswith(own or word) and stem(w) == own)
        return right if self._forms[right] >= tuning.typo_family_ratio * max(family, 1) else None

    def near(self, word: str, tuning: Tuning = TUNING) -> bool:
        """A word of the corpus within the edit distance allowed for a word of this length."""
        return self.nearest(word, tuning) is not None

    @cached_property
    def _initials(self) -> tuple[str, list[str]]:
        return initials_line(for_model(t) for t in self._texts())

    def spelled_out(self, word: str, stem: Callable[[str], str | None], tuning: Tuning = TUNING) -> str | None:
        """The corpus phrase whose initials a short word the corpus lacks spells ("mle": "machine learning engineer").

        Only a phrase the corpus uses for them: of every phrase with those initials, those of one set of stems
        ("machine learning engineer(s)") make up at least ``tuning.initials_min_share`` and occur at least
        ``tuning.initials_min_count`` times; the most frequent spelling is taken. Chance phrases ("command ip")
        make up no such share."""
        if not (2 <= len(word) <= 4 and word.isalpha() and word.isascii()) or word in self._counts or word in STOP_WORDS:
            return None
        found = phrases_with_initials(word, *self._initials)
        families: dict[tuple, list[tuple[int, str]]] = {}
        for phrase, n in found.items():
            if not set(phrase.split()) & STOP_WORDS:
                families.setdefault(tuple(stem(w) or w for w in phrase.split()), []).append((n, phrase))
        if not families:
            return None
        best = max(families.values(), key=lambda spellings: (sum(n for n, _ in spellings), max(spellings)))
        count = sum(n for n, _ in best)
        if count < tuning.initials_min_count or count < tuning.initials_min_share * sum(found.values()):
            return None
        return max(best)[1]

    @cached_property
    def _pairs(self) -> Counter[tuple[str, str]]:
        """Each two words written next to each other in the corpus, and how often."""
        _, tokens = self._initials
        return Counter((a, b) for a, b in zip(tokens, tokens[1:], strict=False) if a not in ("", "#") and b not in ("", "#"))

    def written_apart(self, word: str, stem: Callable[[str], str | None]) -> str | None:
        """The two words the corpus writes next to each other for a compound it lacks ("burnout": "burning out"), by
        stems, the most frequent spelling; "timezone" is not "time zone" where the corpus never writes them together."""
        if len(word) < 6 or not word.isalpha():
            return None
        key = lambda w: stem(w) or w  # noqa: E731 - a stop word ("out") has no stem: itself
        wanted = {(key(word[:i]), key(word[i:])) for i in range(3, len(word) - 1) if word[:i] not in STOP_WORDS}
        if not any(a in self.known for a, _ in wanted):
            return None  # no first part the corpus uses: not worth reading its words
        found = Counter({f"{a} {b}": n for (a, b), n in self._pairs.items() if a[:3] == word[:3] and (key(a), key(b)) in wanted})
        return found.most_common(1)[0][0] if found else None

    def clipped(self, word: str) -> str | None:
        """The corpus word a clipped one starts ("langs": "languages", "repos": "repository"), the most frequent."""
        found = [w for w in self._counts if clips(word, w)]
        return max(found, key=lambda w: (self._counts[w], w)) if found else None

    def clips(self, word: str, terms: Iterable[str]) -> bool:
        """Some of these BM25 terms start with the word cut short ("repos": "repositori")."""
        return any(clips(word, t) for t in terms)

    @cached_property
    def _joined(self) -> str:
        return " " + " ".join(" ".join(_WORD.findall(t.lower())) for t in self._texts()) + " "

    def writes(self, phrase: str) -> bool:
        """The corpus writes these words one after another ("line of work"), case and punctuation aside."""
        return f" {phrase} " in self._joined

    @cached_property
    def _common_by_length(self) -> dict[int, list[str]]:
        return by_length(self.common)

    def english(self, word: str) -> str | None:
        """The one ordinary English word one edit from a word of five letters or more ("subjct": "subject"), the first
        letter kept: a typo, though the corpus lacks that word too. Two edits find chance words ("gettext": "getter")."""
        found = within(word, self._common_by_length, 1, limit=3) if len(word) >= 5 else []
        if len(found) == 1:  # only when it is the one word so near ("coders": codes, comers)
            return found[0][0]
        doubled = [w for w, *_ in found if undoubled(w, word)]  # or the one a doubled letter written once makes
        if len(doubled) == 1:  # ("accidentaly": accidentally, not accidental or accidently)
            return doubled[0]
        if found or len(word) < 5:
            return None
        moved = [w for w in self._common_by_length.get(len(word), ()) if w[0] == word[0] and single(w) == single(word)]
        return moved[0] if len(moved) == 1 else None  # or the doubling on the wrong letter ("begginer": beginner)

    def _typed_english(self, word: str) -> str | None:
        return None if self.inflects(word) else self.english(word)  # "coders" is a word, not a typo of "comers"

    def inflects(self, word: str) -> bool:
        """A form of an ordinary English word ("coders", "geeking", "terminators"): not a name the corpus lacks."""
        ends = (("s", ""), ("es", ""), ("ies", "y"), ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"))
        return any(word.endswith(a) and len(word) > len(a) + 2 and word[: -len(a)] + b in self.common for a, b in ends)

    def rare(self, word: str, tuning: Tuning = TUNING) -> bool:
        """A word rare in English (not among the common words), long enough to be a question's focus."""
        return word.isalpha() and len(word) >= tuning.focus_min_chars and word not in self.common

    def correct(self, question: str, stem: Callable[[str], str | None], tuning: Tuning = TUNING) -> Spelled:
        """The question with each unfamiliar word the corpus lacks replaced by its nearest corpus word."""
        corrections: dict[str, str] = {}
        for match in _WORD.finditer(question):
            word = match.group(0).lower()
            if word in corrections:
                continue
            if len(word) <= 4 and stem(word) not in self.known and (word not in self.common or len(word) < tuning.focus_min_chars):
                phrase = self.spelled_out(word, stem, tuning)  # "ds vs mle": abbreviations the documents spell out
                if phrase is not None:
                    corrections[word] = phrase
                    continue
            if not self.rare(word, tuning):  # checked first: most words are ordinary English, and the corpus's
                phrase = self.written_apart(word, stem) if stem(word) not in self.known else None  # words are read
                if phrase is not None:  # on first need
                    corrections[word] = phrase
                continue
            if stem(word) in self.known and len(word) < tuning.typo_two_edits_from:
                right = self._misread(word, stem, tuning) if word not in self._counts else None
                if right is not None:
                    corrections[word] = right
                continue  # else a short inflection the corpus knows by its stem ("deploys"): not a typo
            if word in self._counts:
                continue
            right = self.nearest(word, tuning) or self.written_apart(word, stem) or self.clipped(word) or self._typed_english(word)
            if right is not None and right != word:
                corrections[word] = right
        if not corrections:
            return Spelled(text=question)
        text = _WORD.sub(lambda m: corrections.get(m.group(0).lower(), m.group(0)), question)
        return Spelled(text=text, corrections=tuple(corrections.items()))

    def uncovered(self, words: Iterable[tuple[str, str]], tuning: Tuning = TUNING) -> list[str]:
        """Of (word, stem) pairs, the rare words whose stem the corpus does not hold in any spelling close to it."""
        out = []
        for word, stem in dict.fromkeys(words):
            if stem in self.known:
                continue
            if _CODED.fullmatch(word):  # "fts5", "http3": a name, unless its letters are the corpus's ("python3")
                letters = re.sub(r"\d+", "", word)
                if letters not in self.known and letters not in self._counts:
                    out.append(word)
                continue
            if not self.rare(word, tuning):
                continue
            if not (self.near(word, tuning) or self.clipped(word) or self.english(word) or self.inflects(word) or slips(word)):
                out.append(word)
        return out
