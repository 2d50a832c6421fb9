"""The chat UI: a thin Gradio layer over ``bot.Chatbot``.

All formatting of answers and sources lives in ``bot.render``; this file only
wires components. Run ``make run`` (or ``python -m bot serve``); the API
endpoint ``/ask`` returns the structure of ``python -m bot ask --json``.
"""

from __future__ import annotations

import logging
import os

import gradio as gr

from bot import log as bot_log
from bot import serving
from bot.chatbot import Chatbot
from bot.config import Settings
from bot.conversation import Turn
from bot.errors import BotError, QuestionError
from bot.render import corpus_overview, to_dict, to_markdown
from bot.text import clean

log = logging.getLogger("app")


def build_demo(chatbot: Chatbot) -> gr.Blocks:
    documents = chatbot.index.documents

    def chat(message: str, history: list, turns: list[Turn]):
        history = list(history or [])
        turns = list(turns or [])
        try:
            turn = chatbot.respond(message, turns)
            reply = to_markdown(turn.answer, documents)
            turns.append(turn)
        except QuestionError as exc:
            reply = str(exc)
        except Exception:  # noqa: BLE001 - a person sees a plain sentence; the details go to the log
            log.exception("answering failed")
            reply = "Sorry, something went wrong on our side while answering. The error has been logged."
        shown = clean(message) if isinstance(message, str) else ""  # lone surrogates cannot be sent back as JSON
        history += [{"role": "user", "content": shown[:2000]}, {"role": "assistant", "content": reply}]
        return "", history, turns

    def ask(question: str, history: list[str] | None = None) -> dict:
        """The API: one question, with the earlier questions of the chat; same structure as `ask --json`."""
        try:
            turns: list[Turn] = []
            for earlier in history or []:
                turns.append(chatbot.respond(str(earlier), turns))
            return to_dict(chatbot.respond(question, turns).answer, documents)
        except BotError as exc:
            raise gr.Error(str(exc), print_exception=False) from exc  # the person's mistake, not ours: no traceback

    with gr.Blocks(title="Ask the articles") as demo:
        gr.Markdown(corpus_overview(documents.values()))
        turns = gr.State([])
        chat_view = gr.Chatbot(label="Chat", height=520, sanitize_html=True, render_markdown=True, buttons=["copy"])
        box = gr.Textbox(placeholder="Ask a question about the articles…", autofocus=True, show_label=False, max_lines=4)
        with gr.Row():
            send = gr.Button("Ask", variant="primary")
            clear = gr.Button("Clear chat")
        gr.Examples(examples=[[q] for q in chatbot.examples()], inputs=box, label="Questions the articles answer")
        box.submit(chat, [box, chat_view, turns], [box, chat_view, turns], api_visibility="private")
        send.click(chat, [box, chat_view, turns], [box, chat_view, turns], api_visibility="private")
        clear.click(lambda: ("", [], []), None, [box, chat_view, turns], api_visibility="private")
        gr.api(ask, api_name="ask")
    return demo


def launch(settings: Settings | None = None, credentials: list[tuple[str, str]] | None = None) -> None:
    """Serve on settings.host (loopback unless --listen) behind bot.serving's policy; see README "Safety and integrity"."""
    settings = settings or Settings.from_env()
    credentials = serving.read_credentials() if credentials is None else credentials
    serving.check_exposure(settings.host, credentials)  # refuse before the model loads, not after
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    chatbot = Chatbot.from_settings(settings)  # builds the index first if it is missing or stale
    serving.serve(build_demo(chatbot), settings, credentials)  # with the queue bounds of settings


def __getattr__(name: str):
    """`app.demo` for tools that import it (e.g. `gradio app.py`), built on first access."""
    if name == "demo":
        return build_demo(Chatbot.from_settings(Settings.from_env()))
    raise AttributeError(name)


if __name__ == "__main__":
    bot_log.setup()
    try:
        launch()
    except BotError as exc:
        raise SystemExit(f"error: {exc}") from None
