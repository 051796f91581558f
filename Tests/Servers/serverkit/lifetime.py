"""How long a test server lives: until it is told to stop (SIGTERM / SIGINT) or whoever started it is gone.

A Swift test process starts the servers with SIGTERM blocked (its runtime's threads block it and a child inherits the
mask), so a TERM to a server would stay pending forever; and a test process that crashes, or is killed outright,
sends nothing at all: its servers would outlive it, holding ports. So every server calls `stop_with_parent` once its
loop runs: the mask is cleared, the signals stop it, and a watcher thread stops it when its parent process is gone
(its parent pid changes: the orphan is adopted by init or a subreaper). `scripts/evm-node.sh` does the same in shell.

Servers import this module early: the parent is taken at import, before anything could have orphaned the server.
"""
from __future__ import annotations

import asyncio
import os
import signal
import threading
from typing import Callable

PARENT = os.getppid()
# How often the parent is looked for, and how long a stop may take once it is gone before the process ends anyway.
POLL_SECONDS = 0.25
GRACE_SECONDS = 10.0


def release_signals() -> None:
    """Clears the inherited signal mask (whatever the starter blocked): a pending TERM is delivered now."""
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


def parent_alive(parent: int = PARENT) -> bool:
    return os.getppid() == parent


def stop_with_parent(loop: asyncio.AbstractEventLoop, stop: Callable[[], None]) -> threading.Thread:
    """`stop` runs (on `loop`) on SIGTERM, SIGINT, or the parent's death; past `GRACE_SECONDS` after the parent's
    death the process exits whatever its stop is doing. Call it from inside the running loop."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    # Handlers first, then the mask: a TERM that arrived while starting (pending) reaches the handler.
    release_signals()
    watcher = threading.Thread(target=_watch, args=(loop, stop), name="parent-watch", daemon=True)
    watcher.start()
    return watcher


def _watch(loop: asyncio.AbstractEventLoop, stop: Callable[[], None]) -> None:
    while parent_alive():
        threading.Event().wait(POLL_SECONDS)
    try:
        loop.call_soon_threadsafe(stop)
    except RuntimeError:
        pass  # the loop is already closed: the process is on its way out
    # A stop stuck on a half-open connection must not keep an orphan alive.
    threading.Event().wait(GRACE_SECONDS)
    os._exit(0)
