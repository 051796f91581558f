"""Fixtures: a server process per test module (loopback, free ports, manual replay), accounts with known keys.
Not a conftest.py: every server's suite runs in one pytest process; test modules import these fixtures."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import serverkit.testing
from serverkit.testing import stop_server
from usdm_client import ACCOUNTS, Server

SERVER = Path(__file__).resolve().parents[1] / "server.py"
REPO = Path(__file__).resolve().parents[4]
SHARED = Path(os.environ.get("DEXTER_SHARED", str((REPO / ".." / "shared").resolve())))
os.environ.setdefault("DEXTER_SHARED", str(SHARED))


def start_server(tmp: Path, *extra: str, accounts: bool = True) -> tuple[subprocess.Popen, Server]:
    args = []
    if accounts:
        path = tmp / "accounts.json"
        path.write_text(json.dumps(ACCOUNTS))
        args = ["--accounts", str(path)]
    process, ports = serverkit.testing.start_server(SERVER, ["--speed", "0", *args, *extra], REPO)
    return process, Server(ports)


@pytest.fixture(scope="module")
def server(tmp_path_factory, request):
    process, handle = start_server(tmp_path_factory.mktemp("usdm"), *getattr(request.module, "SERVER_ARGS", ()))
    yield handle
    stop_server(process)


@pytest.fixture
def fresh(server):
    """Clears faults and rate-limit windows before a test."""
    server.control("POST", "/control/fault", {"type": "clear"})
    server.control("POST", "/control/limits", {"reset": True})
    return server
