"""Safe serving: loopback by default, a password for any other address, no files served.

The Gradio app is mounted inside a small FastAPI app of our own, so that what
Gradio allows by default can be refused:

* Gradio grants CORS to any Origin when the Host header is not localhost (as
  when reached through a LAN address); here no foreign Origin is ever granted.
* Uploads, file downloads (``/file=``), the proxy route and the monitoring page
  are refused: this app takes text and serves no files. The corpus, index and
  project folders are also Gradio blocked paths. Request bodies are capped.
* On loopback, a request naming another Host is refused (DNS rebinding).
* Listening on any other address needs the --listen flag *and* credentials
  (``BOT_AUTH=user:password`` or an --auth-file of ``user:password`` lines).

Internal errors reach the person as a plain sentence (``show_error=False``);
their tracebacks go to the log.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from bot.config import PROJECT_ROOT, Settings
from bot.errors import ConfigError

#: Refused outright, with or without Gradio's /gradio_api prefix: this app neither takes nor serves files.
_REFUSED = ("/upload", "/file=", "/file/", "/proxy=", "/process_recording", "/monitoring")
#: No request of this app needs a larger body: a question is at most a few kB, even with a long chat before it.
MAX_BODY_BYTES = 256 * 1024


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def read_credentials(env: Mapping[str, str] = os.environ, auth_file: Path | None = None) -> list[tuple[str, str]]:
    """``user:password`` pairs from BOT_AUTH and from an auth file (one per line, # comments)."""
    lines: list[tuple[str, str]] = []
    if env.get("BOT_AUTH", "").strip():
        lines.append(("BOT_AUTH", env["BOT_AUTH"].strip()))
    if auth_file is not None:
        try:
            text = auth_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Cannot read the auth file {auth_file} ({exc}): give a readable file of user:password lines.") from exc
        lines += [
            (f"{auth_file}:{n}", line.strip())
            for n, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.lstrip().startswith("#")
        ]
        if not any(where.startswith(str(auth_file)) for where, _ in lines):
            raise ConfigError(f"The auth file {auth_file} holds no user:password line: add one.")
    credentials = []
    for where, line in lines:
        user, sep, password = line.partition(":")
        if not sep or not user.strip() or not password:
            raise ConfigError(f"{where} must be user:password with both parts given: fix it.")
        credentials.append((user.strip(), password))
    return credentials


def check_exposure(host: str, credentials: list[tuple[str, str]]) -> None:
    """Refuse to listen beyond loopback without credentials."""
    if not is_loopback(host) and not credentials:
        raise ConfigError(
            f"Listening on {host} lets other machines reach the bot, so it needs a password: "
            "set BOT_AUTH=user:password or give --auth-file FILE (user:password lines), or leave out --listen to stay on 127.0.0.1."
        )


def blocked_paths(settings: Settings) -> list[str]:
    """Folders Gradio must never serve a file from, even if told to allow them elsewhere."""
    folders = {PROJECT_ROOT, settings.corpus_dir, settings.index_dir, settings.feedback_path.parent}
    return sorted(str(Path(f).resolve()) for f in folders)


class _Refuse:
    """ASGI middleware, before Gradio sees a request: 403 for the routes in _REFUSED; 413 for a body over
    MAX_BODY_BYTES and 411 for one of unstated length (it would be read whole before any check of ours)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            refusal = _refusal(scope)
            if refusal:
                from starlette.responses import PlainTextResponse

                await PlainTextResponse(refusal[1], status_code=refusal[0])(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _refusal(scope) -> tuple[int, str] | None:
    path = scope.get("path", "")
    bare = path[len("/gradio_api") :] if path.startswith("/gradio_api/") else path
    if any(bare.startswith(r) for r in _REFUSED) or "/file=" in path or "/proxy=" in path:
        return 403, "Not served here."
    headers = dict(scope.get("headers", ()))
    length = headers.get(b"content-length")
    if length is None and b"transfer-encoding" in headers:
        return 411, "A request body needs a Content-Length."
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
        return 413, f"Requests are limited to {MAX_BODY_BYTES // 1024} kB."
    return None


def build_app(demo, settings: Settings, credentials: list[tuple[str, str]]):
    """The FastAPI app: the Gradio demo, its queue bounded, mounted at / behind our CORS, Host and route policy."""
    import gradio as gr
    from fastapi import FastAPI
    from starlette.middleware.cors import CORSMiddleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    check_exposure(settings.host, credentials)
    # Past queue_size waiting questions, Gradio answers at once with HTTP 503; the browser shows
    # "This application is currently busy. Please try again." and gradio_client raises QueueError.
    demo.queue(max_size=settings.queue_size, default_concurrency_limit=settings.concurrency)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    # A CORSMiddleware on the parent app makes Gradio leave CORS to it; no origin is allowed.
    app.add_middleware(CORSMiddleware, allow_origins=[], allow_credentials=False)
    app.add_middleware(_Refuse)
    if is_loopback(settings.host):
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=sorted({"127.0.0.1", "localhost", settings.host}))
    return gr.mount_gradio_app(
        app,
        demo,
        path="/",
        auth=credentials or None,
        auth_message="Ask the articles: sign in with the user name and password you were given.",
        blocked_paths=blocked_paths(settings),
        allowed_paths=[],
        show_error=False,
        max_file_size=0,
        enable_monitoring=False,
        mcp_server=False,
        ssr_mode=False,
    )


def serve(demo, settings: Settings, credentials: list[tuple[str, str]]) -> None:
    """Serve until interrupted."""
    import uvicorn

    app = build_app(demo, settings, credentials)
    shown = f"[{settings.host}]" if ":" in settings.host else settings.host
    guard = "password required" if credentials else "no password: loopback only"
    print(f"Serving on http://{shown}:{settings.port} ({guard}); Ctrl+C stops.", file=sys.stderr, flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", timeout_graceful_shutdown=5)
