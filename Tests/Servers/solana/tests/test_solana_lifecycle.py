"""The node's process: it stops on SIGTERM even when started with SIGTERM blocked (as a Swift test process starts
its children), and it exits by itself when its parent dies."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from solana_fixtures import REPO, SERVER


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie still answers kill(0): read its state.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1].startswith("Z")
    except FileNotFoundError:
        return True


def wait_until(condition, what: str) -> None:
    for _ in range(300):       # a wait for the event, not a bound on how fast it happens
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen")


def test_sigterm_stops_it_even_when_blocked_by_the_parent():
    process = subprocess.Popen([sys.executable, str(SERVER), "--slot-ms", "0"], stdout=subprocess.PIPE, text=True,
                               cwd=REPO,
                               preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM}))
    json.loads(process.stdout.readline())
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) is not None


def test_it_exits_when_its_parent_dies():
    # A parent that starts the node, reports its pid and ready line, then waits to be killed.
    parent_code = (
        "import subprocess, sys\n"
        f"child = subprocess.Popen([sys.executable, {str(SERVER)!r}, '--slot-ms', '50'], stdout=subprocess.PIPE,"
        " text=True)\n"
        "print(child.pid, child.stdout.readline().strip(), flush=True)\n"
        "import time\n"
        "time.sleep(3600)\n")
    parent = subprocess.Popen([sys.executable, "-c", parent_code], stdout=subprocess.PIPE, text=True, cwd=REPO)
    pid, ready = parent.stdout.readline().split(" ", 1)
    assert "rpcUrl" in json.loads(ready)
    child = int(pid)
    assert not gone(child)
    parent.kill()
    parent.wait()
    wait_until(lambda: gone(child), "the node's exit after its parent died")
