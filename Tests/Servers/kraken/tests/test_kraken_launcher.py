"""scripts/kraken-server.sh: loopback only, one JSON line with the ports, free ports for 0, a default account with
the key of Kraken's documented signing example, and the replay running at --speed."""
from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import requests

from kraken_client import EXAMPLE, Server

REPO = Path(__file__).resolve().parents[4]


def listeners() -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for name in ("tcp", "tcp6"):
        path = Path("/proc/net") / name
        if not path.exists():
            continue
        for row in path.read_text().splitlines()[1:]:
            fields = row.split()
            if fields[3] != "0A":
                continue
            address, port = fields[1].split(":")
            ip = ".".join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0)) if len(address) == 8 \
                else "ipv6:" + address
            found.setdefault(int(port, 16), set()).add(ip)
    return found


def test_launcher_prints_ports_binds_loopback_and_replays():
    process = subprocess.Popen([str(REPO / "scripts" / "kraken-server.sh"), "--speed", "30"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = json.loads(process.stdout.readline())
        assert set(line) == {"rest", "ws", "wsAuth", "control", "restUrl", "publicWsUrl", "privateWsUrl",
                             "controlUrl"}
        assert len({line["rest"], line["ws"], line["wsAuth"], line["control"]}) == 4
        assert line["publicWsUrl"].endswith("/v2") and line["privateWsUrl"].endswith("/v2")
        for name in ("restUrl", "publicWsUrl", "privateWsUrl", "controlUrl"):
            assert "://127.0.0.1:" in line[name]
        assert requests.get(line["restUrl"] + "/0/public/Time", timeout=10).json()["error"] == []
        server = Server(line)
        assert server.private("Balance", EXAMPLE)["result"]["XXBT"] == "10"
        listening = listeners()
        for port in (line["rest"], line["ws"], line["wsAuth"], line["control"]):
            assert listening.get(port) == {"127.0.0.1"}
        deadline = time.monotonic() + 5          # the 29 s capture at 30x: about one second
        while not server.control("GET", "/control/replay")["finished"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.control("GET", "/control/replay")["finished"] is True
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
