"""REST signing and WebSocket login: signatures made by independent code (ccxt's, recorded in shared/vectors/
exchanges/oracle_examples with a fixed clock) are accepted byte for byte; each documented failure has its code."""
from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import aiohttp

from okx_fixtures import fresh, server  # noqa: F401  (fixtures)
from okx_client import DEMO, MAIN, READER, WsClient, b64_hmac, iso_now

ORACLE = Path(os.environ["DEXTER_SHARED"]) / "vectors" / "exchanges" / "oracle_examples"


def oracle_vectors() -> list[tuple[dict, dict]]:
    ins = json.loads((ORACLE / "sign_examples.json").read_text())
    outs = json.loads((ORACLE / "sign_examples.out.json").read_text())
    return [(a, b["result"]) for a, b in zip(ins, outs) if a.get("exchange") == "okx"]


def test_ccxt_signatures_from_the_shared_vectors_are_accepted(fresh):
    server = fresh
    vectors = oracle_vectors()
    assert len(vectors) == 2
    try:
        for example, result in vectors:
            # the server's clock at the vector's timestamp, so its fixed OK-ACCESS-TIMESTAMP is current
            server.fault(type="clock_shift", ms=example["timestamp_ms"] - int(time.time() * 1000))
            path = result["url"].replace("https://www.okx.com", "")
            reply = server.http.request(result["method"], server.rest + path, data=result["body"],
                                        headers=result["headers"], timeout=10)
            assert reply.status_code == 200, reply.text
            assert reply.json()["code"] == "0", reply.text
            tampered = dict(result["headers"], **{"OK-ACCESS-SIGN": "A" + result["headers"]["OK-ACCESS-SIGN"][1:]})
            bad = server.http.request(result["method"], server.rest + path, data=result["body"], headers=tampered,
                                      timeout=10)
            assert bad.status_code == 401 and bad.json()["code"] == "50113"
    finally:
        server.fault(type="clear")
    placed = server.orders("example")
    assert [(o["clOrdId"], o["px"], o["sz"], o["state"]) for o in placed] == [("myid1", "30000", "0.01", "live")]


def test_every_header_failure_has_its_code(fresh):
    server = fresh
    path = "/api/v5/account/balance"
    good = server.signed("GET", path)
    assert good.status_code == 200 and good.json()["code"] == "0"
    stamp = iso_now()
    headers = {"OK-ACCESS-KEY": MAIN[0], "OK-ACCESS-PASSPHRASE": MAIN[2], "OK-ACCESS-TIMESTAMP": stamp,
               "OK-ACCESS-SIGN": b64_hmac(MAIN[1], stamp + "GET" + path)}
    for header, code in (("OK-ACCESS-KEY", "50103"), ("OK-ACCESS-PASSPHRASE", "50104"),
                         ("OK-ACCESS-SIGN", "50106"), ("OK-ACCESS-TIMESTAMP", "50107")):
        reply = server.http.get(server.rest + path, headers={k: v for k, v in headers.items() if k != header})
        assert (reply.status_code, reply.json()["code"]) == (401, code)
    cases = [
        (("unknownKey", MAIN[1], MAIN[2]), {}, "50111"),
        (MAIN, {"timestamp": iso_now(-31_000)}, "50102"),
        (MAIN, {"timestamp": iso_now(31_000)}, "50102"),
        (MAIN, {"timestamp": "1700000000"}, "50112"),
        ((MAIN[0], MAIN[1], "wrongPass"), {}, "50105"),
        ((MAIN[0], "wrongSecret", MAIN[2]), {}, "50113"),
        (MAIN, {"simulated": True}, "50101"),
        (DEMO, {}, "50101"),
    ]
    for creds, extra, code in cases:
        reply = server.signed("GET", path, creds, **extra)
        assert (reply.status_code, reply.json()) == (401, {"code": code, "msg": reply.json()["msg"], "data": []})
    assert server.signed("GET", path, DEMO, simulated=True).json()["code"] == "0"
    within = server.signed("GET", path, timestamp=iso_now(-25_000))
    assert within.json()["code"] == "0"
    # the query string is part of the signed requestPath
    stamp = iso_now()
    unsigned_query = dict(headers, **{"OK-ACCESS-TIMESTAMP": stamp,
                                      "OK-ACCESS-SIGN": b64_hmac(MAIN[1], stamp + "GET" + path)})
    assert server.http.get(server.rest + path + "?ccy=BTC", headers=unsigned_query).json()["code"] == "50113"


def test_read_only_key_cannot_trade(fresh):
    server = fresh
    assert server.signed("GET", "/api/v5/account/config", READER).json()["data"][0]["perm"] == "read_only"
    reply = server.order(READER, instId="BTC-USDT", side="buy", ordType="limit", px="20000", sz="0.001")
    assert reply.json()["code"] == "50120"


def test_websocket_login(server):
    async def run():
        async with aiohttp.ClientSession() as http:
            ws = await WsClient.connect(http, server.private_ws)
            await ws.send({"op": "subscribe", "args": [{"channel": "orders", "instType": "SPOT"}]})
            error = await ws.wait(lambda m: m.get("event") == "error")
            assert error["code"] == "60011"
            assert (await ws.login(("unknownKey", MAIN[1], MAIN[2])))["code"] == "60005"
            assert (await ws.login((MAIN[0], MAIN[1], "wrong")))["code"] == "60024"
            assert (await ws.login((MAIN[0], "wrongSecret", MAIN[2])))["code"] == "60007"
            assert (await ws.login(MAIN, seconds=time.time() - 40))["code"] == "60006"
            ok = await ws.login(MAIN)
            assert ok == {"event": "login", "code": "0", "msg": "", "connId": ok["connId"]}
            # a decimal timestamp (the docs' example divides Date.now() by 1000) is accepted too
            stamp = f"{time.time():.3f}"
            await ws.send({"op": "login", "args": [{"apiKey": MAIN[0], "passphrase": MAIN[2], "timestamp": stamp,
                                                    "sign": b64_hmac(MAIN[1], stamp + "GET/users/self/verify")}]})
            assert (await ws.wait(lambda m: m.get("event") in ("login", "error")))["event"] == "login"
            public = await WsClient.connect(http, server.public_ws)
            await public.send({"op": "login", "args": [{}]})
            assert (await public.wait(lambda m: m.get("event") == "error"))["code"] == "60028"
    asyncio.run(run())
