"""scripts/coinbase-server.sh: loopback only, one JSON line with the ports, free ports for 0, a default account
whose key (a temp PEM file, mode 0600) signs, the replay running at --speed, and scripted books."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import aiohttp
from cryptography.hazmat.primitives import serialization

from coinbase_client import Key, Server, WsClient, channel

REPO = Path(__file__).resolve().parents[4]


def test_launcher_default_key_replay_and_script():
    process = subprocess.Popen([str(REPO / "scripts" / "coinbase-server.sh"), "--speed", "50",
                                "--scripted-product", "BTC-USDT"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = json.loads(process.stdout.readline())
        assert {"rest", "ws", "wsUser", "control", "restUrl", "publicWsUrl", "privateWsUrl", "controlUrl",
                "defaultKeyName", "defaultKeyFile"} == set(line)
        for name in ("restUrl", "publicWsUrl", "privateWsUrl", "controlUrl"):
            assert "://127.0.0.1:" in line[name]
        key_file = Path(line["defaultKeyFile"])
        assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
        key = Key(line["defaultKeyName"])
        key.private = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        server = Server(line)
        assert server.get("/accounts", key)["accounts"]
        deadline = time.monotonic() + 5
        while not server.control("GET", "/control/replay")["finished"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.control("GET", "/control/replay")["finished"] is True

        async def scripted():
            async with aiohttp.ClientSession() as http:
                ws = await WsClient.connect(http, server.public_ws)
                await ws.subscribe("level2", ["BTC-USDT"])
                empty = await ws.wait(channel("l2_data", "snapshot"))
                assert empty["events"][0]["updates"] == []
                answer = server.script("BTC-USDT", [["50000.00", "0.1"]], [["50001.00", "0.2"]])
                assert answer["changes"] == {"bids": [["50000", "0.1"]], "asks": [["50001", "0.2"]]}
                update = await ws.wait(channel("l2_data", "update"))
                assert {(u["side"], u["price_level"], u["new_quantity"]) for u in update["events"][0]["updates"]} == \
                    {("bid", "50000", "0.1"), ("offer", "50001", "0.2")}
                server.script("BTC-USDT", [], [["50001.00", "0.2"]])
                gone = await ws.wait(channel("l2_data", "update"))
                assert [(u["side"], u["new_quantity"]) for u in gone["events"][0]["updates"]] == [("bid", "0")]
                assert server.script("BTC-USDT", [], [["50001.00", "0.2"]])["changes"] is None
                bad = server.http.post(server.control_url + "/control/script", timeout=10,
                                       json={"product_id": "BTC-USDT", "bids": [["50002.00", "1"]],
                                             "asks": [["50001.00", "1"]]})
                assert bad.status_code == 400
                await ws.ws.close()
        asyncio.run(scripted())
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
    assert not key_file.exists()
