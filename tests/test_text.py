"""bot.text: folding, cleaning, matching normalization and acronyms."""

from __future__ import annotations

import pytest

from bot.text import clean, expand_acronyms, find_acronyms, fold, for_matching, for_model, word_count, words

# --- fold -------------------------------------------------------------------------------

AWKWARD = [
    "So\u201a you\u2019re thinking",  # low-9 quote used as a comma, curly apostrophe
    "\u201cquoted\u201d and \u2018single\u2019 and \u201elow\u201f",
    "non\u00a0breaking\u202fthin\u2009spaces\u2007here\u200a",
    "dash \u2013 em \u2014 minus \u2212",
    "emoji \U0001f600 and CJK \u6f22\u5b57 stay",
    "",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_fold_is_one_for_one(text):
    folded = fold(text)
    assert len(folded) == len(text)
    # Every character either stays or becomes one ASCII character.
    for before, after in zip(text, folded, strict=True):
        assert after == before or (after.isascii() and len(after) == 1)


def test_fold_maps_low9_quote_to_comma():
    assert fold("So\u201a you") == "So, you"


def test_fold_maps_typographic_quotes_to_ascii():
    assert fold("\u2018a\u2019 \u201cb\u201d \u201ec\u201f \u201bd") == '\'a\' "b" "c" \'d'


def test_fold_maps_odd_spaces_and_dashes():
    assert fold("a\u00a0b\u2013c\u2014d") == "a b-c-d"


def test_fold_leaves_plain_text_alone():
    text = "Plain ASCII, with 'quotes' and \"more\"."
    assert fold(text) == text


# --- for_matching / for_model -------------------------------------------------------------


def test_for_matching_follows_eval_normalization():
    assert for_matching("Master\u2019s degree in Computer Science\u201a Statistics") == "master s degree in computer science statistics"


def test_for_matching_collapses_and_strips_punctuation_runs():
    assert for_matching("  --Hello,   WORLD!!  ") == "hello world"


def test_for_matching_applies_nfkc():
    # U+FB01 (fi ligature) and fullwidth digits become plain letters and digits under NFKC.
    assert for_matching("\ufb01ne \uff11\uff12") == "fine 12"


def test_for_model_cleans_folds_and_collapses_spaces():
    assert for_model("  It\u2019s\u200b \n\n a\u00a0test\u201a ok  ") == "It's a test, ok"


# --- clean --------------------------------------------------------------------------------


def test_clean_removes_nul():
    assert clean("a\x00b") == "ab"


def test_clean_removes_lone_surrogate():
    out = clean("bad\ud800text\udfff")
    assert out == "badtext"
    out.encode("utf-8")  # would raise on a surrogate


@pytest.mark.parametrize("ch", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
def test_clean_removes_zero_width(ch):
    assert clean(f"zero{ch}width") == "zerowidth"


@pytest.mark.parametrize(
    "ch", ["\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
)
def test_clean_removes_bidi_controls(ch):
    assert clean(f"bi{ch}di") == "bidi"


def test_clean_keeps_tab_newline_emoji_and_cjk():
    text = "tab\there\nnew line \U0001f600 \u6f22\u5b57 caf\u00e9"
    assert clean(text) == text


# --- words --------------------------------------------------------------------------------


def test_words_keep_apostrophes_typographic_or_not():
    assert words("It\u2019s Nick's 2nd try.") == ["It's", "Nick's", "2nd", "try"]
    assert word_count("") == 0


# --- acronyms -------------------------------------------------------------------------------


def test_find_acronyms_maps_ml_to_machine_learning():
    texts = [
        "ML is everywhere. Machine learning engineers build models.",
        "A career in ML pays well, and machine learning keeps growing.",
    ]
    assert find_acronyms(texts) == {"ML": "machine learning"}


def test_find_acronyms_needs_the_phrase_twice():
    texts = ["ML is everywhere. Machine learning engineers build models.", "ML again."]
    assert "ML" not in find_acronyms(texts)


def test_find_acronyms_ignores_acronym_without_phrase():
    assert find_acronyms(["The NASA budget. The NASA mission."]) == {}


def test_find_acronyms_rejects_function_word_phrases():
    texts = [
        "Become a CTO one day. It is the best job you can think of.",
        "Ask any CTO: it is the hardest job you can think of.",
    ]
    assert "CTO" not in find_acronyms(texts)


def test_find_acronyms_prefers_most_frequent_phrase():
    texts = ["AI and artificial intelligence, artificial intelligence, and also apple interest, apple interest, apple interest."]
    assert find_acronyms(texts) == {"AI": "apple interest"}


def test_expand_acronyms_adds_long_form():
    out = expand_acronyms("Is ML a good career?", {"ML": "machine learning"})
    assert out == "Is ML a good career? machine learning"


def test_expand_acronyms_adds_acronym_for_long_form():
    out = expand_acronyms("Is Machine Learning a good career?", {"ML": "machine learning"})
    assert out == "Is Machine Learning a good career? ML"


def test_expand_acronyms_leaves_unrelated_text_alone():
    acronyms = {"ML": "machine learning"}
    # 'ML' inside 'HTML' / 'XML' is not the acronym, and the long form is absent.
    assert expand_acronyms("HTML and XML", acronyms) == "HTML and XML"
    assert expand_acronyms("Nothing to expand.", {}) == "Nothing to expand."


def _acronyms_by_pattern(texts: list[str]) -> dict[str, str]:
    """The definition find_acronyms implements in one pass: a regex per acronym over every text."""
    import re

    from bot.text import STOP_WORDS

    lowered = [for_model(t).lower() for t in texts]
    out = {}
    for acronym in sorted({a for t in texts for a in re.findall(r"\b[A-Z]{2,5}\b", for_model(t))}):
        pattern = re.compile(r"\b" + r"\s+".join(f"{ch.lower()}[a-z]+" for ch in acronym) + r"\b")
        counts: dict[str, int] = {}
        for t in lowered:
            for m in pattern.finditer(t):
                phrase = re.sub(r"\s+", " ", m.group(0))
                counts[phrase] = counts.get(phrase, 0) + 1
        counts = {k: v for k, v in counts.items() if v >= 2 and not set(k.split()) & STOP_WORDS}
        if counts:
            out[acronym] = max(sorted(counts), key=lambda k: counts[k])
    return out


def test_find_acronyms_equals_the_pattern_definition_on_any_text():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    word = st.sampled_from(["machine", "learning", "ML", "MLE", "model", "engineer", "m", "l", "Ma", "café", "x2", "CI", "ci", "of"])
    gap = st.sampled_from([" ", "  ", "\n", ", ", "-", "'s ", "_", "\t"])
    text = st.lists(st.tuples(word, gap), max_size=30).map(lambda parts: "".join(w + g for w, g in parts))

    @settings(max_examples=300, deadline=None)
    @given(st.lists(text, min_size=1, max_size=4))
    def check(texts):
        assert find_acronyms(texts) == _acronyms_by_pattern(texts)

    check()
