"""Leaving with the parent: a test server started by a test process must not outlive it, even when the test
process is killed and never stops it. `watch_parent(stop)` polls the parent pid (a child whose parent dies is
re-parented, so getppid changes) and calls `stop()` when it does. `reset_signal_mask()` undoes the blocked signal
mask a Swift test process passes to its children, so SIGTERM and SIGINT stop the server."""
from __future__ import annotations

import asyncio
import os
import signal

# Read at import, before the server says it is ready: a parent that dies right after reading the ready line must
# still be seen as gone (a pid read later would already be the new parent's).
PARENT = os.getppid()


def reset_signal_mask() -> None:
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


async def watch_parent(stop, interval: float = 0.5) -> None:
    while True:
        if os.getppid() != PARENT:
            stop()
            return
        await asyncio.sleep(interval)
