"""Any question at all: generated questions through the answer path, the renderers and the chat UI.

The outcome is always an Answer or a QuestionError with a clear message, never another
exception; what comes back renders to Markdown, text and JSON (UTF-8, so no lone surrogate
survives), and the chat UI's reply serializes the way Gradio sends it.

``BOT_HYPOTHESIS_EXAMPLES`` (default 300) sets the examples through the fake embedder and
``BOT_HYPOTHESIS_REAL_EXAMPLES`` (default 40) those through the real model; `make stress`
runs 10,000 and 500. Seeded (derandomized): the same questions on every run.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.answer.about import ABOUT_HEADING
from bot.answer.chatbot import Chatbot, validate_question
from bot.errors import QuestionError
from bot.records import Answer
from bot.serve.render import to_dict, to_html, to_plain, to_text

from .conftest import ROOT, fake_bot_over

FAST_EXAMPLES = int(os.environ.get("BOT_HYPOTHESIS_EXAMPLES", "300"))
REAL_EXAMPLES = int(os.environ.get("BOT_HYPOTHESIS_REAL_EXAMPLES", "40"))
LIMIT = 2000

# Awkward characters, each on purpose: NUL and other controls, lone and paired surrogate halves,
# bidi overrides and isolates, zero-width characters and the BOM, line and paragraph separators,
# emoji (with joiners, flags, skin tones), combining marks, ligatures, non-characters, the last
# code point, and text that means something to Markdown, HTML or our own [n] markers.
AWKWARD = [
    "\x00",
    "\x01",
    "\x07",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9f",
    "\r",
    "\t",
    "\n",
    "\r\n",
    "\ud800",
    "\udbff",
    "\udc00",
    "\udfff",
    "\ud83e",
    "\udd16",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u061c",
    "\u200e",
    "\u200f",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\u034f",
    "\u180e",
    "\u2028",
    "\u2029",
    "\u00a0",
    "\u3000",
    "\u1680",
    "🤖",
    "👩‍💻",
    "🇫🇷",
    "👍🏽",
    "🏳️‍🌈",
    "e\u0301",
    "\u0301",
    "ﬁ",
    "Ⅻ",
    "①",
    "𝐌𝐋",
    "Ｍａｓｔｅｒ",
    "\ufffd",
    "\uffff",
    "\ufffe",
    "\U0010ffff",
    "\U000e0041",
    "[1]",
    "[99]",
    "**",
    "__",
    "`",
    "<script>alert(1)</script>",
    "&amp;",
    "&#0;",
    "\\",
    "#",
    "> ",
    "|",
    "$",
    "€",
    "%s",
    "{}",
    "?",
    "!",
    "...",
    "'",
    '"',
    "«",
    "»",
]
WORDS = [
    "master's",
    "degree",
    "salary",
    "machine",
    "learning",
    "engineer",
    "Python",
    "skills",
    "ML",
    "how",
    "much",
    "why",
    "it",
    "that",
    "what",
    "do",
    "I",
    "need",
]

any_character = st.characters(exclude_categories=())  # every code point, surrogates included
word = st.sampled_from(WORDS).map(lambda w: w + " ")
piece = st.one_of(word, word, st.sampled_from(AWKWARD), st.text(alphabet=any_character, max_size=6))
question_text = st.lists(piece, max_size=30).map("".join)
long_question = st.builds(
    lambda part, size: (part or "why ") * (size // max(1, len(part or "why ")) + 1),
    question_text,
    st.sampled_from([LIMIT - 1, LIMIT, LIMIT + 1, 5000, 100_000]),
)
questions = st.one_of(
    question_text, question_text, question_text, long_question, st.sampled_from(["", " ", "\u200b", "\x00", "\ud800", "?", "🤖"])
)
chats = st.tuples(st.lists(questions, max_size=2), questions)  # earlier questions, then the one asked

RUN = settings(
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def check_answer(answer: Answer, bot: Chatbot) -> None:
    assert isinstance(answer, Answer) and answer.text
    for text in (answer.question, answer.text, answer.interpreted_as, *answer.suggestions):
        text.encode("utf-8")  # no lone surrogate anywhere
        assert "\x00" not in text
    json.dumps(to_dict(answer, bot.index.documents), ensure_ascii=False).encode("utf-8")
    to_html(answer, bot.index.documents).encode("utf-8")
    to_plain(answer, bot.index.documents).encode("utf-8")
    to_text(answer).encode("utf-8")
    for c in answer.citations:
        doc = bot.index.documents[c.doc_id]
        assert doc.text[c.start : c.end] == c.text
        assert (c.pid is None and c.heading == ABOUT_HEADING) or 0 <= c.pid < len(bot.index.passages)  # FAISS's -1 never becomes a citation


def check_refusal(exc: QuestionError, question: object) -> None:
    message = str(exc)
    assert "Please type a question" in message or f"limit is {LIMIT:,}" in message, message
    message.encode("utf-8")


def ask_chat(bot: Chatbot, earlier: list, question: object) -> None:
    """The answer path as the API and the CLI use it: earlier questions first, refused ones left out."""
    turns = []
    for q in [*earlier, question]:
        try:
            turn = bot.respond(q, turns)
        except QuestionError as exc:
            check_refusal(exc, q)
            outcome = "refused"
        else:
            check_answer(turn.answer, bot)
            turns.append(turn)
            outcome = "abstained" if turn.answer.abstained else "answered"
    event(f"the last question: {outcome}")  # shown by --hypothesis-show-statistics


@pytest.fixture(scope="module")
def fake_bot(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("questions")
    return fake_bot_over(ROOT / "corpus", tmp / "index")


@pytest.fixture(scope="module")
def chat_ui(fake_bot):
    """The chat function of the real UI, and its Chatbot component to serialize replies as Gradio does."""
    import gradio as gr

    import app

    demo = app.build_demo(fake_bot)
    chat = next(f.fn for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "chat")
    view = next(b for b in demo.blocks.values() if isinstance(b, gr.Chatbot))
    return chat, view


@given(question=questions)
@RUN
def test_validate_question_cleans_or_refuses(question):
    try:
        text = validate_question(question, LIMIT)
    except QuestionError as exc:
        check_refusal(exc, question)
        return
    assert text and text == text.strip() and len(text) <= LIMIT
    text.encode("utf-8")
    assert not any(ch in text for ch in "\x00\u202e\u2066\u200b\ufeff\x1b")


@pytest.mark.timeout(120 + FAST_EXAMPLES // 10)
@given(chat=chats)
@settings(RUN, max_examples=FAST_EXAMPLES)
def test_generated_questions_through_the_answer_path(fake_bot, chat):
    earlier, question = chat
    ask_chat(fake_bot, earlier, question)


@pytest.mark.timeout(120 + FAST_EXAMPLES // 10)
@given(question=questions)
@settings(RUN, max_examples=max(50, FAST_EXAMPLES // 10))
def test_generated_questions_through_the_chat_ui_serialize(chat_ui, question):
    import orjson

    chat, view = chat_ui
    box, history, *_ = chat(question, [], [])  # the cleared textbox, the chat; then the UI's own state
    assert box == "" and [m["role"] for m in history] == ["user", "assistant"]
    assert history[1]["content"]
    orjson.dumps(view.postprocess(history).model_dump())  # what Gradio sends; fails on a lone surrogate


@pytest.mark.model
@pytest.mark.timeout(300 + REAL_EXAMPLES)
@given(chat=chats)
@settings(RUN, max_examples=REAL_EXAMPLES)
def test_generated_questions_through_the_real_model(real_bot, chat):
    earlier, question = chat
    ask_chat(real_bot, earlier, question)
