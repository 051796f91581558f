"""Faults injected on the control port, and the documented connection rules, each produce the documented behaviour
a connector must survive: sequence gaps, bad checksums, sequence resets, late and lost acks, 5xx, 429, clock skew,
idle disconnects, the connect rate."""
from __future__ import annotations

import asyncio
import threading
import time

import aiohttp
import pytest
import requests

from okx_fixtures import away_from_window_edge, fresh, server  # noqa: F401  (fixtures)
from okx_client import MAIN, WsClient, iso_now, push

BOOKS = {"channel": "books", "instId": "BTC-USDT"}
ORDER = {"instId": "BTC-USDT", "side": "buy", "ordType": "limit", "px": "20000", "sz": "0.001"}


def find(server, cl_ord_id: str) -> list[dict]:
    return [row for row in server.orders() if row["clOrdId"] == cl_ord_id]


def cancel_all(server) -> None:
    for row in server.orders():
        if row["state"] in ("live", "partially_filled"):
            server.signed("POST", "/api/v5/trade/cancel-order", body={"instId": "BTC-USDT", "ordId": row["ordId"]})


def test_book_faults_break_the_chain_the_way_a_client_can_see(fresh):
    server = fresh

    async def run():
        async with aiohttp.ClientSession() as http:
            ws = await WsClient.connect(http, server.public_ws)
            await ws.subscribe(BOOKS)
            last = (await ws.wait(push("books")))["data"][0]["seqId"]
            server.fault(type="skip_update", count=1, instId="BTC-USDT")
            server.advance(updates=2, instId="BTC-USDT")
            after_gap = (await ws.wait(push("books")))["data"][0]
            assert after_gap["prevSeqId"] != last          # the skipped update's seqId
            server.fault(type="corrupt_checksum", count=1)
            server.advance(updates=1, instId="BTC-USDT")
            corrupt = (await ws.wait(push("books")))["data"][0]
            assert corrupt["checksum"] != server.book("BTC-USDT", 25)["checksum"]
            server.fault(type="seq_reset", instId="BTC-USDT", seqId=3)
            server.advance(updates=2, instId="BTC-USDT")
            reset = (await ws.wait(push("books")))["data"][0]
            assert reset["seqId"] == 3 < reset["prevSeqId"] == corrupt["seqId"]
            following = (await ws.wait(push("books")))["data"][0]
            assert following["prevSeqId"] == 3 < following["seqId"]
            assert server.public("/api/v5/market/books", instId="BTC-USDT").json()["data"][0]["seqId"] == \
                following["seqId"]
    asyncio.run(run())


def test_book_heartbeat_idle_close_and_connect_rate(fresh):
    server = fresh
    server.control("POST", "/control/options", {"bookHeartbeatSeconds": 0.5, "idleTimeoutSeconds": 1.5})

    async def run():
        async with aiohttp.ClientSession() as http:
            ws = await WsClient.connect(http, server.public_ws)
            await ws.subscribe(BOOKS)
            await ws.wait(push("books"))
            beat = (await ws.wait(push("books"), timeout=3))["data"][0]
            assert beat["asks"] == beat["bids"] == [] and beat["seqId"] == beat["prevSeqId"]
            quiet = await WsClient.connect(http, server.public_ws)      # never subscribes
            with pytest.raises(ConnectionError) as closed:
                await quiet.wait(lambda m: True, timeout=4)
            assert "4004" in str(closed.value)
            server.control("POST", "/control/options", {"wsConnectsPerSecond": 3})
            await asyncio.sleep(1.1)
            results = []
            for _ in range(4):
                try:
                    conn = await http.ws_connect(server.public_ws)
                    results.append("ok")
                    await conn.close()
                except aiohttp.WSServerHandshakeError as error:
                    results.append(error.status)
            assert results == ["ok", "ok", "ok", 429]
    try:
        asyncio.run(run())
    finally:
        server.control("POST", "/control/options", {"bookHeartbeatSeconds": 60, "idleTimeoutSeconds": 30,
                                                    "wsConnectsPerSecond": 50})


def test_drop_every_websocket(fresh):
    server = fresh

    async def run():
        async with aiohttp.ClientSession() as http:
            public = await WsClient.connect(http, server.public_ws)
            private = await WsClient.connect(http, server.private_ws)
            await asyncio.sleep(0.1)
            assert server.fault(type="drop_ws")["dropped"] == 2
            for ws in (public, private):
                msg = await ws.ws.receive(timeout=5)
                assert msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSE)
    asyncio.run(run())


def test_delayed_ack_the_order_is_live_before_its_answer(fresh):
    server = fresh
    server.fault(type="delay_ack", seconds=1.0)
    seen = {}

    def peek():
        time.sleep(0.4)
        seen["rows"] = find(server, "late1")
    thread = threading.Thread(target=peek)
    thread.start()
    started = time.monotonic()
    reply = server.order(**ORDER, clOrdId="late1")
    thread.join()
    assert reply.json()["code"] == "0" and time.monotonic() - started >= 1.0
    assert [row["state"] for row in seen["rows"]] == ["live"]

    async def run():
        async with aiohttp.ClientSession() as http:
            ws = WsClient(await http.ws_connect(server.private_ws))
            await ws.login(MAIN)
            await ws.subscribe({"channel": "orders", "instType": "SPOT"})
            server.fault(type="delay_ack", seconds=0.5)
            answer = await ws.op("order", [{**ORDER, "tdMode": "cash", "clOrdId": "late2"}])
            pushed = next(m for m in ws.messages if push("orders")(m) and m["data"][0]["clOrdId"] == "late2")
            assert ws.messages.index(pushed) < ws.messages.index(answer)    # the push came first
    asyncio.run(run())
    cancel_all(server)


def test_lost_ack_the_order_is_placed_and_found_by_client_id(fresh):
    server = fresh
    server.fault(type="lose_ack")
    with pytest.raises(requests.exceptions.ConnectionError):
        server.order(**ORDER, clOrdId="lost1")
    found = server.signed("GET", "/api/v5/trade/order", params={"instId": "BTC-USDT", "clOrdId": "lost1"}).json()
    assert found["data"][0]["state"] == "live"
    again = server.order(**ORDER, clOrdId="lost1").json()
    assert again["code"] == "1" and again["data"][0]["sCode"] == "51016"
    server.fault(type="lose_ack")

    async def run():
        async with aiohttp.ClientSession() as http:
            ws = WsClient(await http.ws_connect(server.private_ws))
            await ws.login(MAIN)
            with pytest.raises((ConnectionError, asyncio.TimeoutError)):
                await ws.op("order", [{**ORDER, "tdMode": "cash", "clOrdId": "lost2"}])
    asyncio.run(run())
    assert [row["state"] for row in find(server, "lost2")] == ["live"]
    cancel_all(server)


def test_errors_then_recovery(fresh):
    server = fresh
    server.fault(type="error", count=2, status=503, code="50001")
    for _ in range(2):
        reply = server.public("/api/v5/public/time")
        assert reply.status_code == 503 and reply.json()["code"] == "50001"
    assert server.public("/api/v5/public/time").status_code == 200
    # 5xx after execution: the answer says failure, but the order exists
    server.fault(type="error", status=500, code="50026", msg="System error. Try again later", execute=True,
                 scope="orders")
    reply = server.order(**ORDER, clOrdId="x500")
    assert reply.status_code == 500 and [row["state"] for row in find(server, "x500")] == ["live"]
    cancel_all(server)


def test_rate_limits(fresh):
    server = fresh
    server.fault(type="rate_limit", path="/api/v5/public/time")
    limited = server.public("/api/v5/public/time")
    assert (limited.status_code, limited.json()) == (429, {"code": "50011", "msg": "Too Many Requests", "data": []})
    assert server.public("/api/v5/public/time").status_code == 200
    server.control("POST", "/control/limits", {"limits": {"order": 3}, "reset": True})
    away_from_window_edge()
    codes = [server.order(**ORDER).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    # the limit is per instrument: ETH-USDT still has room, and cancels have their own count
    eth = server.order(instId="ETH-USDT", side="buy", ordType="limit", px="1000", sz="0.01")
    assert eth.json()["code"] == "0"
    cancel_all(server)
    eth_id = eth.json()["data"][0]["ordId"]
    server.signed("POST", "/api/v5/trade/cancel-order", body={"instId": "ETH-USDT", "ordId": eth_id})


def test_clock_shift_gives_timestamp_expired(fresh):
    server = fresh
    server.fault(type="clock_shift", ms=-60_000)
    server_time = int(server.public("/api/v5/public/time").json()["data"][0]["ts"])
    assert abs(server_time - (int(time.time() * 1000) - 60_000)) < 2000
    assert server.signed("GET", "/api/v5/account/balance").json()["code"] == "50102"
    assert server.signed("GET", "/api/v5/account/balance", timestamp=iso_now(-60_000)).json()["code"] == "0"

    async def run():
        async with aiohttp.ClientSession() as http:
            ws = WsClient(await http.ws_connect(server.private_ws))
            assert (await ws.login(MAIN))["code"] == "60006"
            assert (await ws.login(MAIN, seconds=time.time() - 60))["code"] == "0"
    asyncio.run(run())
    server.fault(type="clear")
