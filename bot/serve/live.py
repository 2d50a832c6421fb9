"""A live server's bot: the corpus is watched, rebuilt in the background and switched in between questions.

``LiveBot.current`` is the Chatbot that answers; a request reads it once and answers wholly from that
version. When a file in the corpus is added, changed or removed (watchfiles, which waits for a burst
of writes to settle), the index is rebuilt beside the live one (the embedding cache makes that a few
seconds for one file), loaded, warmed, and only then put in ``current``: no question sees a half-built
index. A build that fails leaves the old version answering, and says why in the log.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from bot.answer.chatbot import Chatbot
from bot.errors import BotError
from bot.search.backend import engine, open_index
from bot.search.build import ensure_index

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Refresh:
    """What one look at the corpus did."""

    changed: bool
    message: str


class LiveBot:
    """The answering Chatbot of a server, replaced whole when its corpus changes."""

    def __init__(self, chatbot: Chatbot) -> None:
        self.current = chatbot
        self.last_error = ""
        self._refreshing = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def refresh(self) -> Refresh:
        """Rebuild if the corpus changed since the live index, then switch to the new version."""
        with self._refreshing:  # one rebuild at a time; the build itself also holds the index's lock
            old = self.current
            try:
                what, warnings, _ = ensure_index(old.settings, old.embedder)
                if what == "fresh" and not self._engine_moved(old):
                    return Refresh(changed=False, message="the index is up to date")
                if what == "fresh":
                    what = "the engine serves a new version"
                new = Chatbot(
                    open_index(old.settings.index_dir, old.settings.index_url, old.embedder.name, old.embedder.dim),
                    old.embedder,
                    old.settings,
                )
                new.warm()
            except (BotError, OSError) as exc:
                self.last_error = str(exc)
                log.error("the corpus changed but the new index failed (%s): still answering from the previous one", exc)
                return Refresh(changed=False, message=f"kept the previous index: {exc}")
            for warning in warnings:
                log.warning("%s", warning)
            self.current = new  # one assignment: a question in flight keeps the version it started with
            self.last_error = ""
            log.info("%s; now answering from %d documents", what, len(new.index.documents))
            return Refresh(changed=True, message=what)

    @staticmethod
    def _engine_moved(chatbot: Chatbot) -> bool:
        """With a vector engine, whether it now serves another version than this bot answers from (a build elsewhere)."""
        url = chatbot.settings.index_url
        return bool(url) and engine(url).manifest(url) != chatbot.index.manifest

    def watch(self) -> None:
        """Watch the corpus folder in a background thread until ``stop``; a chat replica (an engine and no corpus)
        looks at the engine every ``settings.follow_seconds`` instead."""
        if self._thread is not None:
            return
        settings = self.current.settings
        replica = bool(settings.index_url) and not settings.corpus_dir.is_dir()
        target = self._follow if replica else self._watch
        self._thread = threading.Thread(target=target, name="engine-follow" if replica else "corpus-watch", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        every = self.current.settings.follow_seconds
        log.info("following %s every %.0f s for new index versions", self.current.settings.index_url, every)
        while not self._stop.wait(every):
            self.refresh()

    def _watch(self) -> None:
        from watchfiles import watch

        folder = self.current.settings.corpus_dir
        log.info("watching %s for new and changed documents", folder)
        self.refresh()  # changes made while the server was starting
        try:
            for _changes in watch(folder, stop_event=self._stop, debounce=800, raise_interrupt=False):
                self.refresh()
        except Exception:  # noqa: BLE001 - a watcher that dies must not take the server with it
            log.exception("watching %s stopped; restart the server to pick up new documents", folder)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def status(self) -> str:
        """Which documents answer, and since when: for the chat's start screen."""
        index = self.current.index
        created = index.manifest.created.replace("T", " ").replace("Z", " UTC")  # when the build wrote it
        text = f"Answering from {len(index.documents)} documents, indexed {created}."
        return f"{text} The last change could not be indexed: {self.last_error}" if self.last_error else text
