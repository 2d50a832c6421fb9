"""The chat in a real browser: Debian's chromium, driven by Playwright, against the real server.

Two servers, each started once for the module: the project's articles (the
real model and index), and a temporary corpus holding one hostile document.
Screenshots go to tests/screenshots/ (not committed), to be looked at.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from .conftest import ROOT, running_server

pytestmark = [pytest.mark.model, pytest.mark.server, pytest.mark.browser]

CHROMIUM = os.environ.get("BOT_CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "tests" / "screenshots"
MASTERS = "Do I need a master's degree?"
OUT_OF_SCOPE = "What is the weather on Mars tomorrow?"

# Every way a document could try to become markup or run code: in the front matter, a heading, the body.
HOSTILE = """---
title: Clove <script>window.pwned = "title"; alert("title")</script> farming <img src=x onerror="window.pwned='title-img'">
author: <b onmouseover="alert('author')">Mallory</b> ![avatar](http://127.0.0.1:9/avatar.png)
date: 2024-03-01
---
## How are cloves <img src=x onerror="window.pwned='heading'; alert('heading')"> harvested on Zanzibar?

Clove buds on Zanzibar are picked by hand <script>window.pwned = "body"; alert("body")</script> just before they open, \
then dried in the sun for five days until they turn dark brown. <img src=x onerror="window.pwned='body-img'; alert('img')"> \
**Growers** _say_ the drying [matters most](javascript:alert('link')) ![drying racks](http://127.0.0.1:9/racks.png) \
<a href="javascript:alert('a')">see more</a> <iframe src="javascript:alert('iframe')"></iframe> \
<style>body { display: none }</style> $$\\href{javascript:alert(1)}{x}$$ and `code`.

<div onclick="alert('div')">A raw HTML block with a <b>bold</b> tag and a <table><tr><td>table</td></tr></table>.</div>

## What do clove growers <script>alert('h2')</script> earn?

A clove grower on Zanzibar earns most of the year's income in the harvest months, when the dried buds are sold \
at a fixed price per kilogram.
"""


# --- fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"The browser tests need Debian's chromium at {CHROMIUM}: run `apt-get install chromium` (make test does), or set BOT_CHROMIUM."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(real_settings, real_bot, tmp_path_factory):
    """The project's articles, served with the index the real_bot fixture built; feedback into a temporary file."""
    tmp = tmp_path_factory.mktemp("browser")
    feedback = tmp / "feedback.jsonl"
    with running_server(tmp / "server.log", BOT_INDEX_DIR=str(real_settings.index_dir), BOT_FEEDBACK_PATH=str(feedback)) as url:
        yield url, feedback


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """A temporary corpus of one hostile document, indexed by the server as it starts."""
    tmp = tmp_path_factory.mktemp("hostile")
    (tmp / "corpus").mkdir()
    # Plain text is quoted as it is, so every payload reaches the chat as text (a Markdown file's inline HTML is
    # markup, dropped by its parser: tests/test_readers.py).
    (tmp / "corpus" / "cloves.txt").write_text(HOSTILE, encoding="utf-8")
    env = {"BOT_CORPUS_DIR": str(tmp / "corpus"), "BOT_INDEX_DIR": str(tmp / "index"), "BOT_FEEDBACK_PATH": str(tmp / "feedback.jsonl")}
    with running_server(tmp / "server.log", **env) as url:
        yield url


class Page:
    """One browser tab on the chat, with the dialogs it opened."""

    def __init__(self, page, url: str):
        self.page, self.dialogs = page, []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.goto(url)
        page.wait_for_selector("#chat")
        page.wait_for_selector("#question textarea")

    def ask(self, question: str):
        """Type a question, press Enter, wait for its answer; returns the answer's element."""
        before = self.page.locator("#chat .bot-answer").count()
        self.page.fill("#question textarea", question)
        self.page.keyboard.press("Enter")
        return self.wait_for_answer(before + 1)

    def wait_for_answer(self, n: int):
        self.page.wait_for_function(f"document.querySelectorAll('#chat .bot-answer').length >= {n}", timeout=60_000)
        self.page.wait_for_timeout(300)  # let the chat settle its scroll
        return self.page.locator("#chat .bot-answer").nth(n - 1)

    def shot(self, name: str, full_page: bool = False) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


@pytest.fixture
def chat(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, permissions=["clipboard-read", "clipboard-write"])
    yield Page(context.new_page(), site[0])
    context.close()


def in_chat_view(page, selector: str) -> dict:
    """Where an element sits relative to the visible part of the chat's scrolling area."""
    return page.evaluate(
        """(selector) => {
            const el = document.querySelector(selector);
            let box = el.parentElement;
            while (box && !/(auto|scroll)/.test(getComputedStyle(box).overflowY)) box = box.parentElement;
            const r = el.getBoundingClientRect(), v = box.getBoundingClientRect();
            return {top: r.top - v.top, bottom: r.bottom - v.top, height: v.height, target: el.matches(':target')};
        }""",
        selector,
    )


# --- the project's articles -----------------------------------------------------------


def test_start_screen_lists_the_articles_offers_examples_and_focuses_the_input(chat, real_bot):
    page = chat.page
    page.wait_for_selector("#chat .bot-start")
    for doc in real_bot.index.documents.values():
        assert doc.title in page.inner_text("#chat .bot-start")
    shown = [e.inner_text().strip() for e in page.locator("#chat button.example").all()]
    assert shown == real_bot.examples()
    assert page.evaluate("document.activeElement === document.querySelector('#question textarea')")
    chat.shot("start")
    page.locator("#chat button.example").nth(1).click()  # an example asks itself
    answer = chat.wait_for_answer(1)
    assert page.locator("#chat .bot-question").inner_text() == shown[1] and answer.locator(".bot-source").count() >= 1


def test_a_question_is_answered_with_its_source_and_quoted_sentence(chat):
    answer = chat.ask(MASTERS)
    assert "not always mandatory" in answer.locator(".bot-text").inner_text()
    source = answer.locator("#src-1-1")
    assert "Is Being a Machine Learning Engineer a Good Career Choice?" in source.locator(".bot-title").inner_text()
    assert "Is a Master’s Degree Required" in source.locator(".bot-heading").inner_text()
    assert "Nick Starovski" in source.locator(".bot-meta").inner_text()
    assert "not always mandatory" in source.locator(".bot-passage mark").first.inner_text()
    chat.shot("answer")


def test_a_citation_marker_lands_on_its_source(chat):
    chat.ask(MASTERS)
    chat.ask("What salary can a machine learning engineer expect?")
    marker = chat.page.locator("#chat .bot-answer").first.locator("a.bot-cite").first
    marker.scroll_into_view_if_needed()
    before = in_chat_view(chat.page, "#src-1-1")
    marker.click()
    chat.page.wait_for_timeout(400)
    after = in_chat_view(chat.page, "#src-1-1")
    assert chat.page.evaluate("location.hash") == "#src-1-1" and after["target"]
    assert 0 <= after["top"] < 40 < before["top"], (before, after)  # scrolled: the source now starts the visible chat
    chat.shot("citation-clicked")


def test_expanding_a_source_shows_the_passage_in_its_article(chat):
    answer = chat.ask(MASTERS)
    article = answer.locator("#src-1-1 .bot-article")
    assert not article.is_visible()
    answer.locator("#src-1-1 summary").click()
    assert article.is_visible()
    chat.page.wait_for_timeout(300)
    cited = in_chat_view(chat.page, "#src-1-1 .bot-cited")
    assert 0 <= cited["top"] < cited["height"], cited  # scrolled so the passage shows, not just the text before it
    text = article.inner_text()
    assert text.index("Frequently Asked Questions") < text.index("not always mandatory") < text.index("Best Programming Languages")
    assert "not always mandatory" in article.locator(".bot-cited mark").first.inner_text()
    chat.shot("source-expanded")


def test_a_thumbs_down_with_a_reason_is_kept_and_exported(chat, site, monkeypatch, capsys):
    feedback = site[1]
    chat.ask(MASTERS)
    chat.page.locator("#chat button[aria-label='Dislike']").last.click()
    reason = chat.page.locator("#reason textarea")
    reason.wait_for(state="visible")
    reason.fill("It should say which fields count.")
    chat.shot("feedback-reason")
    chat.page.click("#send-reason")
    reason.wait_for(state="hidden")
    deadline = time.time() + 10
    while time.time() < deadline and "which fields" not in (feedback.read_text() if feedback.exists() else ""):
        time.sleep(0.1)
    last = json.loads(feedback.read_text().splitlines()[-1])
    assert last["verdict"] == "down" and last["question"] == MASTERS and last["reason"] == "It should say which fields count."
    assert last["history"] == [] and "not always mandatory" in last["answer"] and last["time"]
    assert last["citations"][0]["source"] == "machine-learning-engineer-career-pros-and-cons.txt"

    from bot.cli import main

    monkeypatch.setenv("BOT_FEEDBACK_PATH", str(feedback))
    assert main(["feedback", "export"]) == 0
    cases = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert any(c["question"] == MASTERS and c["review"]["reason"] == "It should say which fields count." for c in cases)


def test_a_followup_says_how_it_was_interpreted(chat):
    chat.ask(MASTERS)
    answer = chat.ask("In which fields?")
    assert answer.locator(".bot-interpreted").inner_text() == f"Interpreted as: In which fields? (about: {MASTERS})"
    assert "Computer Science" in answer.locator(".bot-text").inner_text()
    chat.shot("followup")


def test_an_answer_from_the_page_around_the_article_says_so_and_shows_that_text(chat):
    answer = chat.ask("How often does the MentorCruise newsletter go out?")
    text = answer.locator(".bot-text").inner_text()
    assert text.startswith("Outside the article itself, the page says:") and "once per month" in text
    source = answer.locator("#src-1-1")
    assert "Is Machine Learning a Good Career Choice?" in source.locator(".bot-title").inner_text()
    assert "once per month" in source.locator(".bot-passage mark").first.inner_text()
    chat.shot("left-out-text")


def test_a_synonym_searched_for_a_word_the_articles_never_use_is_shown(chat):
    answer = chat.ask("Is this a dull job?")
    assert answer.locator(".bot-interpreted").inner_text() == "Interpreted as: Is this a dull job? (also searched: boring)"
    assert "never boring" in answer.locator(".bot-text").inner_text()


def test_an_abstention_offers_questions_that_ask_themselves_when_clicked(chat):
    answer = chat.ask(OUT_OF_SCOPE)
    assert "The articles don't cover this" in answer.inner_text() and answer.locator(".bot-source").count() == 0
    options = chat.page.locator("#chat button.option")
    assert options.count() >= 1
    chat.shot("abstention")
    picked = options.first.inner_text().strip()
    options.first.click()
    answer = chat.wait_for_answer(2)
    assert chat.page.locator("#chat .bot-question").last.inner_text() == picked
    assert answer.locator(".bot-source").count() >= 1  # the suggested question is one the articles answer
    assert picked in chat.page.locator("#chat .bot-answer").first.locator(".bot-suggestions").inner_text()  # now listed as text
    chat.shot("suggestion-asked")


def test_copy_gives_plain_text_and_clear_starts_over(chat):
    answer = chat.ask(MASTERS)
    answer.locator(".bot-copy").click()
    copied = chat.page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("While not always mandatory") and "[1] Is Being a Machine Learning Engineer" in copied and "<" not in copied
    chat.page.click("#clear")
    chat.page.wait_for_selector("#chat .bot-start")
    assert chat.page.locator("#chat .bot-answer").count() == 0
    answer = chat.ask("In which fields?")  # nothing earlier to lean on after a clear
    assert answer.locator(".bot-interpreted").count() == 0


def test_phone_width_has_no_horizontal_overflow(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    chat = Page(context.new_page(), site[0])
    try:
        chat.shot("phone-start")
        answer = chat.ask(MASTERS)
        answer.locator("#src-1-1 summary").click()
        chat.page.wait_for_timeout(300)
        chat.shot("phone-answer")
        width = chat.page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], width
    finally:
        context.close()


# --- a hostile document -----------------------------------------------------------------


def test_a_hostile_document_renders_as_inert_text(browser, hostile_site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    chat = Page(page, hostile_site)
    try:
        start = page.inner_text("#chat .bot-start")
        assert 'Clove <script>window.pwned = "title"' in start and "![avatar](http://127.0.0.1:9/avatar.png)" in start
        assert "How are cloves <img src=x onerror=" in page.locator("#chat button.example").first.inner_text()
        chat.shot("hostile-start")

        answer = chat.ask("How are cloves harvested on Zanzibar?")
        answer.locator(".bot-source summary").first.click()
        chat.ask(OUT_OF_SCOPE)
        page.locator("#chat button.option", has_text="<img").click()  # a suggestion drawn from a hostile heading
        chat.wait_for_answer(3)
        assert page.locator("#chat .bot-question").last.inner_text().startswith("How are cloves <img src=x onerror=")
        page.wait_for_timeout(500)
        chat.shot("hostile-answer", full_page=True)

        text = page.inner_text("#chat")
        for payload in (
            '<script>window.pwned = "body"; alert("body")</script>',
            "<img src=x onerror=\"window.pwned='body-img'; alert('img')\">",
            "**Growers** _say_",
            "[matters most](javascript:alert('link'))",
            "![drying racks](http://127.0.0.1:9/racks.png)",
            "$$\\href{javascript:alert(1)}{x}$$",
            "How are cloves <img src=x",
        ):
            assert payload in text, payload
        assert chat.dialogs == [] and page.evaluate("window.pwned") is None
        assert page.locator("#chat img, #chat script, #chat iframe, #chat table, #chat .bot-answer b, #chat .katex").count() == 0
        hrefs = page.evaluate(
            "Array.from(document.querySelectorAll('#chat .bot-answer a, #chat .bot-question a, #chat .bot-start a')).map(a => a.getAttribute('href'))"
        )
        assert all(h.startswith("#src-") for h in hrefs), hrefs
        assert not [u for u in requests if "127.0.0.1:9/" in u]
    finally:
        context.close()
