"""Outlines: a section of sub-sections, or a lead-in followed by sections, answers with their headings."""

from __future__ import annotations

from bot.answer.outline import compose_outline, find_outlines
from bot.records import Document, Passage

TEXT = (
    "The Pros\n\nLet's talk.\n\nGood Pay\n\nYou earn a lot.\n\nFun Work\n\nIt is fun.\n\n"
    "My story. Here are a few reasons why I love it:\n\nOpen Questions\n\nMany.\n\nCommunity\n\nFriendly.\n"
)


def _p(pid, heading, parent, text, split_at=None):
    start = TEXT.index(text)
    end = start + len(text)
    sentences = ((start, start + split_at), (start + split_at + 1, end)) if split_at else ((start, end),)
    return Passage(
        pid=pid, doc_id="a.txt", title="Title", heading=heading, start=start, end=end, text=text, sentences=sentences, parent=parent
    )


PASSAGES = (
    _p(0, "The Pros", "", "The Pros\n\nLet's talk."),
    _p(1, "Good Pay", "The Pros", "Good Pay\n\nYou earn a lot."),
    _p(2, "Fun Work", "The Pros", "Fun Work\n\nIt is fun."),
    _p(3, "", "", "My story. Here are a few reasons why I love it:", split_at=9),
    _p(4, "Open Questions", "", "Open Questions\n\nMany."),
    _p(5, "Community", "", "Community\n\nFriendly."),
)
DOCS = {"a.txt": Document(doc_id="a.txt", title="Title", text=TEXT)}


def test_parent_headings_and_lead_ins_become_outlines():
    outlines = find_outlines(PASSAGES, DOCS)
    assert [(o.lead, [p.pid for p in o.items], o.intro) for o in outlines] == [
        ("The Pros", [1, 2], 0),
        ("Here are a few reasons why I love it:", [4, 5], 3),
    ]


def test_a_passage_that_does_not_end_in_a_lead_in_starts_no_outline():
    passages = PASSAGES[:3] + (_p(3, "", "", "My story."),) + PASSAGES[4:]
    assert [o.lead for o in find_outlines(passages, DOCS)] == ["The Pros"]


def test_the_outline_answer_names_each_section_with_its_citation():
    outline = find_outlines(PASSAGES, DOCS)[0]
    answer = compose_outline("What are the pros?", outline, max_items=3)
    assert answer.text == "The Pros: Good Pay [1]; Fun Work [2]."
    assert [c.pid for c in answer.citations] == [1, 2]
    s, e = answer.citations[0].highlights[0]
    assert TEXT[s:e] == "Good Pay"
    assert len(compose_outline("q", outline, max_items=1).citations) == 1


def test_a_sentence_that_only_opens_a_sections_list_needs_no_margin_to_be_beaten():
    import numpy as np

    from bot.answer.outline import Outlines

    class Flat:  # every outline's vector is the question's: cosine 1.0
        def encode(self, texts):
            return np.ones((len(texts), 1), dtype=np.float32)

    outlines = Outlines(PASSAGES, DOCS, Flat())
    q, no_match = np.ones(1, dtype=np.float32), lambda lead: 0.0
    assert [o.section for o in outlines.items] == [True, False]
    # a sentence scoring 1.0 elsewhere holds against an outline that is only as good
    assert outlines.best({0, 3}, q, no_match, 1.0, sentence_pid=5, margin=0.05) is None
    # the same sentence inside the section's own opening text gives way to the section's outline
    assert outlines.best({0, 3}, q, no_match, 1.0, sentence_pid=0, margin=0.05).lead == "The Pros"
    # a lead-in's passage holds sentences of its own: the margin stays
    assert outlines.best({3}, q, no_match, 1.0, sentence_pid=3, margin=0.05) is None


def test_a_best_sentence_in_a_short_opening_of_sub_sections_gives_way_to_them():
    """ "Okay, it's not all sunshine and roses." scores best for "what about the cons?": a section's opening passage of
    at most Tuning.outline_intro_words words only opens its sub-sections, whatever the outline's own score."""
    import numpy as np

    from bot.answer.outline import Outlines

    class Opposite:  # every outline's vector points away from the question: cosine -1.0
        def encode(self, texts):
            return -np.ones((len(texts), 1), dtype=np.float32)

    outlines = Outlines(PASSAGES, DOCS, Opposite())
    q, no_match = np.ones(1, dtype=np.float32), lambda lead: 0.0
    words = len(PASSAGES[0].text.split())
    assert outlines.best({0}, q, no_match, 0.9, sentence_pid=0, margin=0.05, short_intro=words).lead == "The Pros"
    assert outlines.best({0}, q, no_match, 0.9, sentence_pid=0, margin=0.05, short_intro=words - 1) is None
    assert outlines.best({0}, q, no_match, 0.9, sentence_pid=5, margin=0.05, short_intro=words) is None
