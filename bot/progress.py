"""Progress of a long build: a bar with count and ETA on a terminal (tqdm), JSON lines for programs, else silence.

The bar appears only once a build has run for ``DELAY`` seconds: a rebuild that embeds a handful of new
texts shows nothing.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

DELAY = 2.0


@contextmanager
def reporter(json_lines: bool = False, stream=None) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback (done, total) for ``bot.search.build``: JSON lines on stdout, a bar on a terminal, or None."""
    if json_lines:

        def line(done: int, total: int) -> None:
            print(json.dumps({"event": "progress", "stage": "embedding", "done": done, "total": total}), flush=True)

        yield line
        return
    stream = stream or sys.stderr
    if not getattr(stream, "isatty", lambda: False)():
        yield None
        return
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc="embedding", unit="text", delay=DELAY, file=stream, leave=False)
        bar.update(done - bar.n)  # update, not a set: tqdm's delay is applied there

    try:
        yield update
    finally:
        if bar is not None:
            bar.close()
