"""scripts/binance-usdm-server.sh: --help, one JSON line with the ports, loopback only, free ports for 0, the default
account keyed with Binance's documented signing example, and the capture replaying at --speed."""
from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

from serverkit.testing import listening_ips
from usdm_client import DOC_KEY, DOC_SECRET, Server

REPO = Path(__file__).resolve().parents[4]
LAUNCHER = REPO / "scripts" / "binance-usdm-server.sh"


def test_help_lists_the_options():
    out = subprocess.run([str(LAUNCHER), "--help"], capture_output=True, text=True, timeout=60).stdout
    for option in ("--speed", "--scripted-symbol", "--accounts", "--account", "--weight-limit", "--orders-per-10s",
                   "--listen-key-minutes", "--rest-port", "--stream-port", "--control-port", "--shared"):
        assert option in out


def test_launcher_prints_ports_binds_loopback_and_replays():
    process = subprocess.Popen([str(LAUNCHER), "--speed", "20"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        line = json.loads(process.stdout.readline())
        assert set(line) == {"rest", "stream", "control", "restUrl", "streamUrl", "controlUrl"}
        assert line["restUrl"] == f"http://127.0.0.1:{line['rest']}"
        assert line["streamUrl"] == f"ws://127.0.0.1:{line['stream']}"
        for port in (line["rest"], line["stream"], line["control"]):
            assert port > 0 and listening_ips(port) == {"127.0.0.1"}
        server = Server(line)
        account = server.signed("GET", "/fapi/v2/balance", (DOC_KEY, DOC_SECRET)).json()
        assert account[0]["balance"] == "100000.00000000"
        start = server.control("GET", "/control/replay")["position"]
        time.sleep(1.0)
        assert server.control("GET", "/control/replay")["position"] > start   # the capture moves by itself
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
