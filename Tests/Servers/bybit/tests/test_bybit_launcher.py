"""scripts/bybit-server.sh: --help, one JSON line with the ports, loopback only, free ports for 0, the default
account keyed with the shared oracle's Bybit example key, and the capture replaying at --speed."""
from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

from bybit_client import EXAMPLE, Server, ok
from serverkit.testing import listening_ips

REPO = Path(__file__).resolve().parents[4]
LAUNCHER = REPO / "scripts" / "bybit-server.sh"


def test_help_lists_the_options():
    out = subprocess.run([str(LAUNCHER), "--help"], capture_output=True, text=True, timeout=60).stdout
    for option in ("--speed", "--scripted-symbol", "--accounts", "--account", "--ip-limit", "--ban-seconds",
                   "--idle-timeout", "--level1-repeat", "--rest-port", "--ws-port", "--control-port", "--shared",
                   "--keep-recorded-times"):
        assert option in out


def test_launcher_prints_ports_binds_loopback_and_replays():
    process = subprocess.Popen([str(LAUNCHER), "--speed", "0.5", "--account", "cliKey:cliSecret:USDT=2500"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = json.loads(process.stdout.readline())
        assert set(line) == {"rest", "ws", "control", "restUrl", "publicWsUrl", "privateWsUrl", "controlUrl"}
        assert line["restUrl"] == f"http://127.0.0.1:{line['rest']}"
        assert line["publicWsUrl"] == f"ws://127.0.0.1:{line['ws']}/v5/public/linear"
        assert line["privateWsUrl"] == f"ws://127.0.0.1:{line['ws']}/v5/private"
        for port in (line["rest"], line["ws"], line["control"]):
            assert port > 0 and listening_ips(port) == {"127.0.0.1"}
        server = Server(line)
        wallet = ok(server.get("/v5/account/wallet-balance", ("cliKey", "cliSecret"), accountType="UNIFIED"))
        assert wallet["list"][0]["totalWalletBalance"] == "2500"
        assert server.get("/v5/account/info", EXAMPLE).json()["retCode"] == 10003   # --account replaces the default
        start = server.control("GET", "/control/replay")["position"]
        time.sleep(0.5)
        assert server.control("GET", "/control/replay")["position"] > start         # the capture moves by itself
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)


def test_default_account_is_the_oracle_example_key():
    process = subprocess.Popen([str(LAUNCHER), "--speed", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    try:
        server = Server(json.loads(process.stdout.readline()))
        wallet = ok(server.get("/v5/account/wallet-balance", EXAMPLE, accountType="UNIFIED"))
        assert wallet["list"][0]["totalWalletBalance"] == "100000"
        assert "bybit-test-secret" not in json.dumps(server.control("GET", "/control/account"))   # never served
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
