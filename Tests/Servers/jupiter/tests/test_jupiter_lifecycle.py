"""The Jupiter server's process: SIGTERM stops it even when started with SIGTERM blocked, and it exits by itself
when its parent dies."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from jupiter_fixtures import NODE, REPO, SERVER
from serverkit.testing import start_server, stop_server


def gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1].startswith("Z")     # exited, not yet reaped
    except FileNotFoundError:
        return True


def test_sigterm_when_blocked_and_exit_with_the_parent():
    node, ports = start_server(NODE, ["--slot-ms", "0"], REPO)
    try:
        arguments = [sys.executable, str(SERVER), "--rpc-url", ports["rpcUrl"], "--node-control-url",
                     ports["controlUrl"]]
        blocked = subprocess.Popen(arguments, stdout=subprocess.PIPE, text=True, cwd=REPO,
                                   preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM}))
        assert "restUrl" in json.loads(blocked.stdout.readline())
        blocked.send_signal(signal.SIGTERM)
        assert blocked.wait(timeout=30) is not None

        parent_code = ("import subprocess, sys, time\n"
                       f"child = subprocess.Popen({arguments!r}, stdout=subprocess.PIPE, text=True)\n"
                       "print(child.pid, child.stdout.readline().strip(), flush=True)\n"
                       "time.sleep(3600)\n")
        parent = subprocess.Popen([sys.executable, "-c", parent_code], stdout=subprocess.PIPE, text=True, cwd=REPO)
        pid, ready = parent.stdout.readline().split(" ", 1)
        assert "restUrl" in json.loads(ready)
        parent.kill()
        parent.wait()
        for _ in range(300):       # a wait for the exit, not a bound on how fast it comes
            if gone(int(pid)):
                break
            time.sleep(0.1)
        else:
            os.kill(int(pid), signal.SIGKILL)
            raise AssertionError("the Jupiter server outlived its parent")
    finally:
        stop_server(node)
