"""Fixtures: a server process per test module (loopback, free ports, manual replay), accounts with known keys.
Not a conftest.py: every server's suite runs in one pytest process; test modules import these fixtures."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bybit_client import ACCOUNTS, Server
from serverkit.testing import start_server, stop_server

SERVER = Path(__file__).resolve().parents[1] / "server.py"
REPO = Path(__file__).resolve().parents[4]
SHARED = Path(os.environ.get("DEXTER_SHARED", str((REPO / ".." / "shared").resolve())))
os.environ.setdefault("DEXTER_SHARED", str(SHARED))


def start(tmp: Path, *extra: str):
    path = tmp / "accounts.json"
    path.write_text(json.dumps(ACCOUNTS))
    process, ports = start_server(SERVER, ["--speed", "0", "--accounts", str(path), *extra], REPO)
    return process, Server(ports)


@pytest.fixture(scope="module")
def server(tmp_path_factory, request):
    process, handle = start(tmp_path_factory.mktemp("bybit"), *getattr(request.module, "SERVER_ARGS", ()))
    yield handle
    stop_server(process)


def loosen(server, per_second: int = 1000) -> None:
    """Raises every per-UID endpoint limit (for suites that send bursts; the limits have their own tests)."""
    endpoints = server.control("POST", "/control/limits", {})["endpoints"]
    server.control("POST", "/control/limits", {"endpoints": {path: per_second for path in endpoints}})


@pytest.fixture
def fresh(server):
    """Clears faults and rate-limit windows before a test."""
    server.control("POST", "/control/fault", {"type": "clear"})
    server.control("POST", "/control/limits", {"reset": True})
    return server
