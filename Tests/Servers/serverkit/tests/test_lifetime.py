"""Servers end with whoever started them (serverkit.lifetime): a parent killed outright (a crashed Swift test sends
nothing) leaves no server behind, and a SIGTERM stops a server that inherited a mask blocking it (as a Swift test
process's children do). Each test starts a stand-in parent — a Python process that blocks SIGTERM as the Swift
runtime does, then starts the real server and reports its pid — and kills that parent with SIGKILL."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SERVERS = Path(__file__).resolve().parents[2]

# The stand-in parent: SIGTERM blocked (inherited by the child), the server started with its stdout piped here;
# the server's first line (its ports) is passed on with the server's pid, then the parent sleeps until killed.
PARENT = r"""
import json, signal, subprocess, sys, time
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
server = subprocess.Popen([sys.executable, *sys.argv[1:]], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True)
line = server.stdout.readline()
print(json.dumps({"pid": server.pid, "line": line}), flush=True)
while True:
    time.sleep(60)
"""

# Servers that start with no recording or node behind them.
STANDALONE = [["oneinch/server.py"], ["zeroex/server.py"]]


def start_under_parent(args: list[str]) -> tuple[subprocess.Popen, int, dict]:
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(SERVERS / args[0]), *args[1:]],
                              stdout=subprocess.PIPE, text=True, cwd=SERVERS)
    started = json.loads(parent.stdout.readline())
    assert started["line"], "the server printed no ports line"
    return parent, started["pid"], json.loads(started["line"])


def running(pid: int) -> bool:
    """Whether `pid` still runs (an exited child not yet reaped by its adopter shows as a zombie: not running)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def wait_until_gone(pid: int, seconds: float = 60.0) -> bool:
    """Waits for the process to end (the bound is for a broken server, not a measure)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not running(pid):
            return True
        time.sleep(0.05)
    return not running(pid)


def kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.mark.parametrize("args", STANDALONE, ids=lambda a: a[0].split("/")[0])
def test_a_server_exits_when_its_parent_is_killed(args):
    parent, pid, _ = start_under_parent(args)
    try:
        assert running(pid)
        parent.kill()
        parent.wait()
        assert wait_until_gone(pid), f"{args[0]} outlived its parent"
    finally:
        kill(pid)


@pytest.mark.parametrize("args", STANDALONE, ids=lambda a: a[0].split("/")[0])
def test_a_server_started_with_sigterm_blocked_stops_on_sigterm(args):
    parent, pid, _ = start_under_parent(args)
    try:
        blocked = Path(f"/proc/{pid}/status").read_text()
        os.kill(pid, signal.SIGTERM)
        assert wait_until_gone(pid), f"{args[0]} ignored SIGTERM; its status was {blocked}"
        assert parent.poll() is None, "the parent is untouched"
    finally:
        kill(pid)
        parent.kill()
        parent.wait()


def test_the_watch_stops_a_loop_and_takes_the_parent_at_import():
    # A bare loop using serverkit.lifetime, under a parent that dies: the loop's stop runs (it prints), then it exits.
    script = r"""
import asyncio, sys
sys.path.insert(0, sys.argv[1])
from serverkit import lifetime
async def main():
    stop = asyncio.Event()
    lifetime.stop_with_parent(asyncio.get_running_loop(), stop.set)
    print("listening", flush=True)
    await stop.wait()
    open(sys.argv[2], "w").write("stopped by the watch")
asyncio.run(main())
"""
    marker = Path(f"/tmp/dexter-lifetime-{os.getpid()}.txt")
    marker.unlink(missing_ok=True)
    stand_in = PARENT.replace('[sys.executable, *sys.argv[1:]]', '[sys.executable, "-c", sys.argv[1], *sys.argv[2:]]')
    parent = subprocess.Popen([sys.executable, "-c", stand_in, script, str(SERVERS), str(marker)],
                              stdout=subprocess.PIPE, text=True)
    started = json.loads(parent.stdout.readline())
    try:
        assert started["line"].strip() == "listening"
        parent.kill()
        parent.wait()
        assert wait_until_gone(started["pid"])
        assert marker.read_text() == "stopped by the watch", "the stop ran: a graceful end, not the grace timer"
    finally:
        kill(started["pid"])
        marker.unlink(missing_ok=True)
