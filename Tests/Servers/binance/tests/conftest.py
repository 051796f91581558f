"""Fixtures: a server process per test module (loopback, free ports, manual replay), accounts with known keys."""
from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from client import Server

SERVER = Path(__file__).resolve().parents[1] / "server.py"
REPO = Path(__file__).resolve().parents[4]

MAIN_KEY = "mainKey0000000000000000000000000000000000000000000000000000000001"
MAIN_SECRET = "mainSecret00000000000000000000000000000000000000000000000000001"
READER_KEY = "readerKey000000000000000000000000000000000000000000000000000002"
READER_SECRET = "readerSecret000000000000000000000000000000000000000000000000002"
OTHER_KEY = "otherKey00000000000000000000000000000000000000000000000000000003"
OTHER_SECRET = "otherSecret0000000000000000000000000000000000000000000000000003"
ED_KEY = "edKey0000000000000000000000000000000000000000000000000000000004"
DOC_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
DOC_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"

ED_PRIVATE = Ed25519PrivateKey.generate()
ED_PUBLIC_PEM = ED_PRIVATE.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def ed_sign(payload: str) -> str:
    return base64.b64encode(ED_PRIVATE.sign(payload.encode())).decode()


ACCOUNTS = {"accounts": [
    {"name": "main", "uid": 1001, "balances": {"USDT": "100000", "BTC": "2", "ETH": "20"},
     "commission": {"maker": "0.001", "taker": "0.001"},
     "keys": [{"apiKey": MAIN_KEY, "secretKey": MAIN_SECRET},
              {"apiKey": READER_KEY, "secretKey": READER_SECRET, "enableSpotAndMarginTrading": False}]},
    {"name": "other", "uid": 1002, "balances": {"USDT": "50000", "ETH": "5"},
     "commission": {"maker": "0.00075", "taker": "0.00075"},
     "keys": [{"apiKey": OTHER_KEY, "secretKey": OTHER_SECRET, "enableWithdrawals": True}]},
    {"name": "ed", "uid": 1003, "balances": {"USDT": "10000", "ETH": "2"},
     "keys": [{"apiKey": ED_KEY, "secretKey": "unused-for-ed25519", "ed25519PublicKey": ED_PUBLIC_PEM}]},
    {"name": "doc", "uid": 1004, "balances": {"USDT": "1000", "BTC": "1"},
     "keys": [{"apiKey": DOC_KEY, "secretKey": DOC_SECRET}]},
]}


def start_server(tmp: Path, *extra: str) -> tuple[subprocess.Popen, Server]:
    accounts = tmp / "accounts.json"
    accounts.write_text(json.dumps(ACCOUNTS))
    process = subprocess.Popen(
        [sys.executable, str(SERVER), "--speed", "0", "--accounts", str(accounts), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    deadline = time.monotonic() + 60
    line = process.stdout.readline()
    if not line or time.monotonic() > deadline:
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
    process, handle = start_server(tmp_path_factory.mktemp("binance"), *extra)
    yield handle
    stop_server(process)


def away_from_window_edge(window_ms: int, margin_ms: int) -> None:
    """Rate-limit windows are fixed intervals: a test that counts weight or orders must not straddle two."""
    into = int(time.time() * 1000) % window_ms
    if into > window_ms - margin_ms:
        time.sleep((window_ms - into) / 1000 + 0.05)


@pytest.fixture
def fresh(server):
    """Clears faults and rate-limit counters before a test (not within 3 s of a minute's end)."""
    away_from_window_edge(60_000, 3_000)
    server.control("POST", "/control/fault", {"type": "clear"})
    server.control("POST", "/control/limits", {"reset": True})
    return server


def pytest_configure(config):
    os.environ.setdefault("DEXTER_SHARED", str((REPO / ".." / "shared").resolve()))
