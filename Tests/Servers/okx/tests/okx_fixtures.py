"""Fixtures: a server process per test module (loopback, free ports, manual replay), accounts with known keys.

Not a conftest.py: the Binance suite's test modules import their own `conftest` by that name, and pytest would
put ours in its place in sys.modules when both suites run in one process. Test modules import these fixtures.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from okx_client import ACCOUNTS, Server

SERVER = Path(__file__).resolve().parents[1] / "server.py"
REPO = Path(__file__).resolve().parents[4]
os.environ.setdefault("DEXTER_SHARED", str((REPO / ".." / "shared").resolve()))


def start_server(tmp: Path, *extra: str) -> tuple[subprocess.Popen, Server]:
    accounts = tmp / "accounts.json"
    accounts.write_text(json.dumps(ACCOUNTS))
    # tests open a few WebSockets at once: the documented 3 connects/s is checked by its own test
    process = subprocess.Popen(
        [sys.executable, str(SERVER), "--speed", "0", "--accounts", str(accounts), "--ws-connects-per-second", "50",
         *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise RuntimeError(f"server did not start: {process.stderr.read()}")
    return process, Server(json.loads(line))


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory, request):
    extra = getattr(request.module, "SERVER_ARGS", ())
    process, handle = start_server(tmp_path_factory.mktemp("okx"), *extra)
    yield handle
    stop_server(process)


def away_from_window_edge(window_ms: int = 2000, margin_ms: int = 400) -> None:
    """Rate-limit windows are fixed 2 s intervals: a test that counts requests must not straddle two."""
    into = int(time.time() * 1000) % window_ms
    if into > window_ms - margin_ms:
        time.sleep((window_ms - into) / 1000 + 0.02)


@pytest.fixture
def fresh(server):
    """Clears faults, rate-limit counters and limits before a test."""
    server.control("POST", "/control/fault", {"type": "clear"})
    server.control("POST", "/control/limits", {"reset": True, "defaults": True})
    return server
