"""Sentence roles: signposts, lead-ins and restatements point at an answer without giving it."""

from __future__ import annotations

import pytest

from bot.answer.roles import is_echo, is_lead_in, is_signpost, novelty


@pytest.mark.parametrize(
    "sentence",
    [
        "In this article, we’ll look at what machine learning engineers actually do.",
        "Let's dive into what it means to be an engineer, explore the pros and cons.",
        "Now that you have a somewhat clearer idea of what the career entails, it's time to think about it.",
        "Below we've gathered some of the common pros and cons of the career.",
        "Keep on reading to find out.",
        "See limits.html for a full discussion of the limits of the engine.",  # a documentation page's pointers
        "For more details, please read the README file of the images.",
        "Since the system is a moving target, you should refer to the latest documentation.",
    ],
)
def test_signposts_are_recognized(sentence):
    assert is_signpost(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Python is the most popular language for machine learning.",
        "You can expect to make between $85,000 and $200,000.",
        "The article was published in May.",  # names an article without pointing at itself
        "Let them decide for themselves.",
        "Use git rm --cached to see which files stay tracked.",
        "The overseer is notified.",
    ],
)
def test_statements_are_not_signposts(sentence):
    assert not is_signpost(sentence)


def test_lead_ins_end_with_a_colon_or_an_ellipsis():
    assert is_lead_in("Here's a glimpse into their daily tasks:")
    assert is_lead_in("So let’s break it down…")
    assert not is_lead_in("Teamwork is key!")


def test_a_restatement_of_the_question_is_an_echo():
    question = "What should I do if I find the technical jargon of machine learning intimidating?"
    assert is_echo("Tip: Don't be intimidated by the technical jargon!", question)
    assert not is_echo("Start with the basics and gradually work your way up.", question)
    assert novelty("Start with the basics.", question) == 1.0
