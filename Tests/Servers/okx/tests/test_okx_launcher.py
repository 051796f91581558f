"""scripts/okx-server.sh: loopback only, one JSON line with the ports (what Tests/TestServers/LocalOKX.swift reads),
free ports for 0, a default account with the shared signing example's key, and the replay running at --speed."""
from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import requests

from okx_client import EXAMPLE, Server

REPO = Path(__file__).resolve().parents[4]


def listeners() -> dict[int, set[str]]:
    """Listening TCP sockets from /proc/net/tcp{,6}: port -> local addresses."""
    found: dict[int, set[str]] = {}
    for name in ("tcp", "tcp6"):
        path = Path("/proc/net") / name
        if not path.exists():
            continue
        for row in path.read_text().splitlines()[1:]:
            fields = row.split()
            if fields[3] != "0A":            # LISTEN
                continue
            address, port = fields[1].split(":")
            ip = ".".join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0)) if len(address) == 8 \
                else "ipv6:" + address
            found.setdefault(int(port, 16), set()).add(ip)
    return found


def test_launcher_prints_ports_binds_loopback_and_replays():
    process = subprocess.Popen([str(REPO / "scripts" / "okx-server.sh"), "--speed", "20"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = json.loads(process.stdout.readline())
        assert {"rest", "ws", "control"} <= set(line) and len({line["rest"], line["ws"], line["control"]}) == 3
        assert line["publicWsUrl"].endswith("/ws/v5/public") and line["privateWsUrl"].endswith("/ws/v5/private")
        for name in ("restUrl", "publicWsUrl", "privateWsUrl", "controlUrl"):
            assert "://127.0.0.1:" in line[name]
        assert requests.get(line["restUrl"] + "/api/v5/public/time", timeout=10).json()["code"] == "0"
        server = Server(line)
        assert server.signed("GET", "/api/v5/account/balance", EXAMPLE).json()["code"] == "0"
        listening = listeners()
        for port in (line["rest"], line["ws"], line["control"]):
            assert listening.get(port) == {"127.0.0.1"}
        deadline = time.monotonic() + 5          # the 10.5 s capture at 20x: over in about half a second
        while not server.control("GET", "/control/replay")["finished"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.control("GET", "/control/replay")["finished"] is True
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
