"""The chat UI: a thin Gradio layer over ``bot.Chatbot``.

All formatting of answers and sources lives in ``bot.serve.render`` and feedback
storage in ``bot.serve.feedback``; this file only wires components. Run ``make run``
(or ``python -m bot serve``); the API endpoint ``/ask`` returns the structure
of ``python -m bot ask --json``.
"""

from __future__ import annotations

import logging
import os

import gradio as gr

from bot import log as bot_log
from bot.answer.chatbot import Chatbot
from bot.answer.conversation import Turn
from bot.config import Settings
from bot.errors import BotError, QuestionError
from bot.serve import serving
from bot.serve.feedback import FeedbackLog, judge, with_reason
from bot.serve.live import LiveBot
from bot.serve.render import CSS, PAGE_JS, question_html, start_screen, to_dict, to_html
from bot.text import clean

log = logging.getLogger("app")

_FAILED = "Sorry, something went wrong on our side while answering. The error has been logged."


def build_demo(source: Chatbot | LiveBot, feedback: FeedbackLog | None = None) -> gr.Blocks:
    """The chat over one Chatbot, or over a LiveBot's current one (each request answers from one version)."""
    live = source if isinstance(source, LiveBot) else LiveBot(source)
    chatbot = live.current
    feedback = feedback or FeedbackLog(chatbot.settings.feedback_path)

    def chat(message: str, history: list, shown: list[Turn | None]):
        """One exchange. `shown` holds, per exchange of the chat, its Turn (None where an error was shown)."""
        history, shown = list(history or []), list(shown or [])
        chatbot = live.current
        documents = chatbot.index.documents
        if shown and shown[-1] is not None and history and history[-1].get("options"):
            # the clickable suggestions go with the newest message: the one before now lists them as text
            history[-1] = {"role": "assistant", "content": to_html(shown[-1].answer, documents, key=str(len(shown)))}
        turn, options = None, []
        try:
            turn = chatbot.respond(message, [t for t in shown if t])
            reply = to_html(turn.answer, documents, key=str(len(shown) + 1), list_suggestions=False)
            options = [{"value": s} for s in turn.answer.suggestions]
        except QuestionError as exc:
            reply = str(exc)
        except Exception:  # noqa: BLE001 - a person sees a plain sentence; the details go to the log
            log.exception("answering failed")
            reply = _FAILED
        shown.append(turn)
        asked = question_html(
            clean(message)[: chatbot.settings.max_question_chars] if isinstance(message, str) else ""
        )  # lone surrogates cannot go back as JSON
        history += [{"role": "user", "content": asked}, {"role": "assistant", "content": reply, "options": options}]
        return "", history, shown, gr.update(visible=False)

    def ask_picked(history: list, shown: list, picked: gr.SelectData):
        """An example or a suggested question clicked in the chat: ask it."""
        value = picked.value
        return chat(value.get("text", "") if isinstance(value, dict) else str(value), history, shown)

    def judged(shown: list, liked: gr.LikeData):
        index = liked.index if isinstance(liked.index, int) else liked.index[0]
        turn = shown[index // 2] if 0 <= index // 2 < len(shown) else None
        if turn is None:
            return None, gr.update(visible=False), ""
        verdict = "up" if liked.liked is True else "down" if liked.liked is False else "withdrawn"  # "" when a thumb is clicked off
        earlier = [t.question for t in shown[: index // 2] if t]
        entry = judge(turn.answer, earlier, verdict, live.current.index.documents)
        try:
            feedback.append(entry)
        except BotError as exc:
            log.error("%s", exc)
            raise gr.Error("Your feedback could not be saved; the error has been logged.") from exc
        if verdict == "withdrawn":
            return None, gr.update(visible=False), ""
        label = f"Saved, thank you. What was {'good' if verdict == 'up' else 'wrong'}? (optional)"
        return entry, gr.update(visible=True), gr.update(value="", label=label)

    def give_reason(entry, reason: str):
        if entry is not None and reason.strip():
            try:
                feedback.append(with_reason(entry, reason))
            except BotError as exc:
                log.error("%s", exc)
                raise gr.Error("Your feedback could not be saved; the error has been logged.") from exc
            gr.Info("Thank you: your feedback is saved.")
        return None, gr.update(visible=False), ""

    def ask(question: str, history: list[str] | None = None) -> dict:
        """The API: one question, with the earlier questions of the chat; same structure as `ask --json`."""
        chatbot = live.current
        try:
            return to_dict(chatbot.respond(question, chatbot.replay(history or [])).answer, chatbot.index.documents)
        except BotError as exc:
            raise gr.Error(str(exc), print_exception=False) from exc  # the person's mistake, not ours: no traceback

    with gr.Blocks(title="Ask the articles", analytics_enabled=False) as demo:
        # The page's styles and the messages' script travel with the demo, whoever launches it.
        gr.HTML("", head=f"<style>{CSS}</style>", js_on_load=PAGE_JS, visible="hidden")
        shown = gr.State([])
        judging = gr.State(None)
        chat_view = gr.Chatbot(
            label="Ask the articles",
            elem_id="chat",
            height="70vh",
            placeholder=start_screen(chatbot.index.documents.values(), live.status()),
            examples=[{"text": q} for q in chatbot.examples()],
            sanitize_html=True,
            render_markdown=True,
            latex_delimiters=[],
            allow_tags=False,
            buttons=[],  # the Copy button in each answer copies text, not the message HTML
            show_label=False,
            feedback_options=("Like", "Dislike"),
        )
        with gr.Row(visible=False, elem_id="reason-row") as reason_row:
            reason = gr.Textbox(label="What was wrong? (optional)", elem_id="reason", scale=4, max_lines=3)
            send_reason = gr.Button("Send", elem_id="send-reason", size="sm", scale=0, min_width=90)
        box = gr.Textbox(
            placeholder="Ask a question about the articles…", autofocus=True, show_label=False, max_lines=4, elem_id="question"
        )
        with gr.Row():
            send = gr.Button("Ask", variant="primary", elem_id="ask")
            clear = gr.Button("Clear chat", elem_id="clear")

        exchange = dict(outputs=[box, chat_view, shown, reason_row], api_visibility="private")
        box.submit(chat, [box, chat_view, shown], **exchange)
        send.click(chat, [box, chat_view, shown], **exchange)
        chat_view.example_select(ask_picked, [chat_view, shown], **exchange)
        chat_view.option_select(ask_picked, [chat_view, shown], **exchange)
        chat_view.like(judged, [shown], [judging, reason_row, reason], api_visibility="private")
        reason.submit(give_reason, [judging, reason], [judging, reason_row, reason], api_visibility="private")
        send_reason.click(give_reason, [judging, reason], [judging, reason_row, reason], api_visibility="private")
        fresh = dict(
            fn=lambda: ("", [], [], None, gr.update(visible=False)), inputs=None, outputs=[box, chat_view, shown, judging, reason_row]
        )
        clear.click(**fresh, api_visibility="private")
        chat_view.clear(**fresh, api_visibility="private")
        gr.api(ask, api_name="ask")
        # a page opened after the corpus changed lists the documents it now answers from
        demo.load(
            lambda: gr.update(placeholder=start_screen(live.current.index.documents.values(), live.status())),
            None,
            chat_view,
            api_visibility="private",
        )
    return demo


def launch(settings: Settings | None = None, credentials: list[tuple[str, str]] | None = None) -> None:
    """Serve on settings.host (loopback unless --listen) behind bot.serve.serving's policy; see docs/safety.md."""
    settings = settings or Settings.from_env()
    credentials = serving.read_credentials() if credentials is None else credentials
    serving.check_exposure(settings.host, credentials)  # refuse before the model loads, not after
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    chatbot = Chatbot.from_settings(settings)  # builds the index first if it is missing or stale
    chatbot.warm()  # so that the first visitor's abstention does not wait for the suggestions' vectors
    live = LiveBot(chatbot)
    logging.getLogger("bot.serve.live").setLevel(logging.INFO)  # a server says when it switches to a new index
    if settings.watch:
        live.watch()  # new, changed and removed documents are indexed in the background and switched in
    try:
        serving.serve(build_demo(live), settings, credentials)  # with the queue bounds of settings
    finally:
        live.stop()


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
