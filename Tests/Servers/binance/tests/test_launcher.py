"""scripts/binance-server.sh: loopback only, one JSON line with the ports, free ports for 0, the no-listen-key mode."""
from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import requests

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
            if len(address) == 8:
                ip = ".".join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0))
            else:
                ip = "ipv6:" + address
            found.setdefault(int(port, 16), set()).add(ip)
    return found


def test_launcher_prints_ports_and_binds_loopback():
    process = subprocess.Popen([str(REPO / "scripts" / "binance-server.sh"), "--speed", "0", "--no-listen-key",
                                "--notional-filter", "MIN_NOTIONAL"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = json.loads(process.stdout.readline())
        assert {"rest", "stream", "wsApi", "control"} <= set(line)
        assert len({line["rest"], line["stream"], line["wsApi"], line["control"]}) == 4
        for name in ("restUrl", "streamUrl", "wsApiUrl", "controlUrl"):
            assert "://127.0.0.1:" in line[name]
        reply = requests.get(line["restUrl"] + "/api/v3/ping", timeout=10)
        assert reply.status_code == 200
        gone = requests.post(line["restUrl"] + "/api/v3/userDataStream", headers={"X-MBX-APIKEY": "abc"}, timeout=10)
        assert gone.status_code == 410
        info = requests.get(line["restUrl"] + "/api/v3/exchangeInfo", params={"symbol": "ETHUSDT"}, timeout=10)
        assert "MIN_NOTIONAL" in {f["filterType"] for f in info.json()["symbols"][0]["filters"]}
        listening = listeners()
        for port in (line["rest"], line["stream"], line["wsApi"], line["control"]):
            assert listening.get(port) == {"127.0.0.1"}
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
