"""Faults injected on the control port each produce the documented behaviour."""
from __future__ import annotations

import asyncio
import threading
import time

import aiohttp
import pytest
import requests

from client import WsApiClient, now_ms
from conftest import MAIN_KEY, MAIN_SECRET, away_from_window_edge

ORDER = {"symbol": "ETHUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01",
         "price": "2000"}


def fault(server, **spec):
    return server.control("POST", "/control/fault", spec)


def find(server, client_id):
    rows = server.control("GET", "/control/orders?account=main&symbol=ETHUSDT")
    return [row for row in rows if row["clientOrderId"] == client_id]


def test_drop_every_websocket(fresh):
    server = fresh

    async def run():
        async with aiohttp.ClientSession() as http:
            market = await http.ws_connect(server.stream + "/ws/ethusdt@depth@100ms")
            api = await http.ws_connect(server.wsapi)
            await asyncio.sleep(0.2)
            assert fault(server, type="drop_ws")["dropped"] == 2
            for ws in (market, api):
                msg = await ws.receive(timeout=5)
                assert msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSE)
    asyncio.run(run())


def test_delayed_ack_the_order_is_live_before_its_answer(fresh):
    server = fresh
    fault(server, type="delay_ack", seconds=1.5)
    started = time.monotonic()
    seen = {}

    def peek():
        time.sleep(0.5)
        seen["rows"] = find(server, "late-1")
    thread = threading.Thread(target=peek)
    thread.start()
    reply = server.signed("POST", "/api/v3/order", MAIN_KEY, MAIN_SECRET, {**ORDER, "newClientOrderId": "late-1"})
    thread.join()
    assert reply.status_code == 200 and time.monotonic() - started >= 1.5
    assert seen["rows"] and seen["rows"][0]["status"] == "NEW"
    server.signed("DELETE", "/api/v3/order", MAIN_KEY, MAIN_SECRET, {"symbol": "ETHUSDT",
                                                                     "origClientOrderId": "late-1"})


def test_lost_ack_the_order_is_placed_and_found_by_client_id(fresh):
    server = fresh
    fault(server, type="lose_ack")
    with pytest.raises(requests.exceptions.ConnectionError):
        server.signed("POST", "/api/v3/order", MAIN_KEY, MAIN_SECRET, {**ORDER, "newClientOrderId": "lost-1"})
    assert [row["status"] for row in find(server, "lost-1")] == ["NEW"]
    found = server.signed("GET", "/api/v3/order", MAIN_KEY, MAIN_SECRET, {"symbol": "ETHUSDT",
                                                                         "origClientOrderId": "lost-1"})
    assert found.json()["status"] == "NEW"
    again = server.signed("POST", "/api/v3/order", MAIN_KEY, MAIN_SECRET, {**ORDER, "newClientOrderId": "lost-1"})
    assert again.json() == {"code": -2010, "msg": "Duplicate order sent."}
    server.signed("DELETE", "/api/v3/openOrders", MAIN_KEY, MAIN_SECRET, {"symbol": "ETHUSDT"})


def test_lost_ack_on_the_websocket_api(fresh):
    server = fresh
    fault(server, type="lose_ack")

    async def run():
        async with aiohttp.ClientSession() as http:
            api = WsApiClient(await http.ws_connect(server.wsapi))
            with pytest.raises((ConnectionError, asyncio.TimeoutError)):
                await api.call("order.place", api.signed_params(MAIN_KEY, MAIN_SECRET, **ORDER,
                                                                newClientOrderId="lost-ws-1"), timeout=3)
    asyncio.run(run())
    assert [row["status"] for row in find(server, "lost-ws-1")] == ["NEW"]
    server.signed("DELETE", "/api/v3/openOrders", MAIN_KEY, MAIN_SECRET, {"symbol": "ETHUSDT"})


def test_internal_errors_then_recovery(fresh):
    server = fresh
    fault(server, type="error", count=2, status=503, code=-1001)
    for _ in range(2):
        reply = server.public("/api/v3/time")
        assert reply.status_code == 503
        assert reply.json() == {"code": -1001,
                                "msg": "Internal error; unable to process your request. Please try again."}
    assert server.public("/api/v3/time").status_code == 200
    # 5xx after execution: the status is unknown to the client, but the order exists
    fault(server, type="error", count=1, status=500, code=-1001, execute=True, scope="orders")
    reply = server.signed("POST", "/api/v3/order", MAIN_KEY, MAIN_SECRET, {**ORDER, "newClientOrderId": "x500"})
    assert reply.status_code == 500 and [row["status"] for row in find(server, "x500")] == ["NEW"]
    server.signed("DELETE", "/api/v3/openOrders", MAIN_KEY, MAIN_SECRET, {"symbol": "ETHUSDT"})


def test_429_then_418_with_retry_after(fresh):
    server = fresh
    fault(server, type="rate_limit")
    first = server.public("/api/v3/ping")
    assert first.status_code == 429 and first.json()["code"] == -1003
    assert 1 <= int(first.headers["Retry-After"]) <= 60
    assert "X-MBX-USED-WEIGHT-1M" in first.headers
    second = server.public("/api/v3/ping")
    assert second.status_code == 418 and second.json()["code"] == -1003
    assert "IP banned until" in second.json()["msg"]
    assert 110 <= int(second.headers["Retry-After"]) <= 120
    signed = server.signed("GET", "/api/v3/account", MAIN_KEY, MAIN_SECRET)
    assert signed.status_code == 418
    server.control("POST", "/control/limits", {"reset": True})
    assert server.public("/api/v3/ping").status_code == 200


def test_weight_limit_reached_by_requests(fresh):
    server = fresh
    server.control("POST", "/control/limits", {"weightPerMinute": 30, "reset": True})
    try:
        codes = [server.public("/api/v3/depth", symbol="ETHUSDT", limit=100).status_code for _ in range(7)]
        assert codes[:6] == [200] * 6 and codes[6] == 429
    finally:
        server.control("POST", "/control/limits", {"weightPerMinute": 6000, "reset": True})


def test_order_count_limit(fresh):
    server = fresh
    server.control("POST", "/control/limits", {"ordersPer10s": 2, "reset": True})
    away_from_window_edge(10_000, 2_000)
    try:
        replies = [server.signed("POST", "/api/v3/order", MAIN_KEY, MAIN_SECRET, ORDER) for _ in range(3)]
        assert [r.status_code for r in replies[:2]] == [200, 200]
        assert replies[0].headers["X-MBX-ORDER-COUNT-10S"] == "1"
        assert replies[1].headers["X-MBX-ORDER-COUNT-10S"] == "2"
        assert replies[2].status_code == 429 and replies[2].json()["code"] == -1015
        assert "Retry-After" not in replies[2].headers
    finally:
        server.control("POST", "/control/limits", {"ordersPer10s": 100, "reset": True})
        server.signed("DELETE", "/api/v3/openOrders", MAIN_KEY, MAIN_SECRET, {"symbol": "ETHUSDT"})


def test_clock_shift_gives_minus_1021(fresh):
    server = fresh
    fault(server, type="clock_shift", ms=-10_000)
    assert abs(server.public("/api/v3/time").json()["serverTime"] - (now_ms() - 10_000)) < 2000
    reply = server.signed("GET", "/api/v3/account", MAIN_KEY, MAIN_SECRET)
    assert reply.json() == {"code": -1021, "msg": "Timestamp for this request was 1000ms ahead of the server's time."}
    server_time = server.public("/api/v3/time").json()["serverTime"]
    assert server.signed("GET", "/api/v3/account", MAIN_KEY, MAIN_SECRET, timestamp=server_time).status_code == 200
    fault(server, type="clear")
