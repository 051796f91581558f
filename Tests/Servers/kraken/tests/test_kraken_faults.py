"""Faults injected on the control port each produce what a connector must survive: bad checksums, a skipped
update, dropped sockets, late and lost answers, Kraken error strings, rate limits, clock shift, idle closes."""
from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
import requests

from kraken_client import WsClient, channel
from kraken_fixtures import fresh, server  # noqa: F401  (fixtures)
from test_kraken_market import LocalBook, v2_checksum

ORDER = {"pair": "XBTCHF", "type": "buy", "ordertype": "limit", "price": "40000", "volume": "0.001"}


async def book_client(http, server, symbol="XMR/USD"):
    ws = await WsClient.connect(http, server.public_ws)
    await ws.request("subscribe", {"channel": "book", "symbol": [symbol], "depth": 10}, req_id=1)
    local = LocalBook(10)
    local.apply((await ws.wait(channel("book", "snapshot")))["data"][0])
    return ws, local


def test_corrupt_checksum_and_skip_update(fresh):
    server = fresh

    async def run():
        async with aiohttp.ClientSession() as http:
            ws, local = await book_client(http, server)
            server.fault(type="corrupt_checksum", count=1, symbol="XMR/USD")
            server.advance(updates=10, symbol="XMR/USD")
            data = (await ws.wait(channel("book", "update")))["data"][0]
            local.apply(data)
            assert v2_checksum(local.top("asks"), local.top("bids"), 2, 8) != data["checksum"]
            await ws.quiet(0.3)
            ws2, local2 = await book_client(http, server)
            server.fault(type="skip_update", count=1, symbol="XMR/USD")
            server.advance(updates=60, symbol="XMR/USD")
            mismatch = False
            for message in [m for m in await ws2.quiet(0.5) if m.get("channel") == "book"]:
                local2.apply(message["data"][0])
                mismatch |= v2_checksum(local2.top("asks"), local2.top("bids"), 2, 8) != message["data"][0]["checksum"]
            assert mismatch
            assert server.control("GET", "/control/faults")["skipUpdates"] == {"XMR/USD": 0}
    asyncio.run(run())


def test_drop_ws_and_idle_close(fresh):
    server = fresh

    async def run():
        async with aiohttp.ClientSession() as http:
            ws, _ = await book_client(http, server)
            assert server.fault(type="drop_ws", which="public")["dropped"] >= 1
            with pytest.raises((ConnectionError, asyncio.TimeoutError, TimeoutError)):
                await ws.wait(lambda m: False, timeout=2)
            server.control("POST", "/control/options", {"idleTimeoutSeconds": 0.4})
            try:
                before = server.control("GET", "/control/replay")["idleCloses"]
                idle = await WsClient.connect(http, server.public_ws)
                await idle.wait(channel("status"))
                with pytest.raises((ConnectionError, asyncio.TimeoutError, TimeoutError)):
                    await idle.wait(lambda m: False, timeout=2)
                assert server.control("GET", "/control/replay")["idleCloses"] == before + 1
            finally:
                server.control("POST", "/control/options", {"idleTimeoutSeconds": 60})
    asyncio.run(run())


def test_rest_error_rate_limit_delay_and_lost_answers(fresh):
    server = fresh
    server.fault(type="error", error="EService:Unavailable", method="AddOrder")
    assert server.private("AddOrder", **ORDER) == {"error": ["EService:Unavailable"]}
    assert server.orders() == []
    server.fault(type="error", error="EService:Busy", method="AddOrder", execute=True)
    assert server.private("AddOrder", cl_ord_id="exec-then-error", **ORDER) == {"error": ["EService:Busy"]}
    assert [o["cl_ord_id"] for o in server.orders()] == ["exec-then-error"]
    server.fault(type="rate_limit", kind="api")
    assert server.private("Balance") == {"error": ["EAPI:Rate limit exceeded"]}
    server.fault(type="rate_limit", kind="order")
    assert server.private("Balance")["error"] == []
    assert server.private("AddOrder", **ORDER) == {"error": ["EOrder:Rate limit exceeded"]}
    server.fault(type="delay_ack", seconds=0.6)
    started = time.monotonic()
    assert server.private("CancelAll")["result"] == {"count": 1}
    assert time.monotonic() - started >= 0.6
    server.fault(type="lose_ack")
    with pytest.raises(requests.exceptions.ConnectionError):
        server.private("AddOrder", cl_ord_id="lost-answer", **ORDER)
    assert [o["status"] for o in server.orders() if o["cl_ord_id"] == "lost-answer"] == ["open"]
    found = server.private("QueryOrders", cl_ord_id="lost-answer")["result"]
    assert [o["cl_ord_id"] for o in found.values()] == ["lost-answer"]
    server.private("CancelAll")
    server.fault(type="error", error="EGeneral:Internal error", method="Time")
    assert server.public("Time") == {"error": ["EGeneral:Internal error"]}
    server.fault(type="clock_shift", seconds=-3600)
    assert abs(server.public("Time")["result"]["unixtime"] - (time.time() - 3600)) < 5
    server.fault(type="clear")
    assert abs(server.public("Time")["result"]["unixtime"] - time.time()) < 5
    with pytest.raises(requests.HTTPError):
        server.fault(type="no_such_fault")


def test_ws_faults_on_order_methods(fresh):
    server = fresh

    async def run():
        async with aiohttp.ClientSession() as http:
            token = server.token()
            ws = await WsClient.connect(http, server.private_ws)
            await ws.request("subscribe", {"channel": "executions", "token": token}, req_id=1)
            params = {"order_type": "limit", "side": "buy", "order_qty": 0.001, "symbol": "BTC/CHF",
                      "limit_price": 40000, "token": token}
            server.fault(type="error", error="EService:Unavailable", method="add_order")
            failed = await ws.request("add_order", params, req_id=2)
            assert failed["success"] is False and failed["error"] == "EService:Unavailable"
            server.fault(type="delay_ack", seconds=0.4)
            await ws.send({"method": "add_order", "params": {**params, "cl_ord_id": "late"}, "req_id": 3})
            first = await ws.wait(lambda m: m.get("channel") == "executions" or m.get("req_id") == 3)
            assert first.get("channel") == "executions"          # the pushes went out before the late answer
            assert (await ws.wait(lambda m: m.get("req_id") == 3))["success"] is True
            server.fault(type="lose_ack")
            await ws.send({"method": "add_order", "params": {**params, "cl_ord_id": "lost"}, "req_id": 4})
            with pytest.raises((ConnectionError, asyncio.TimeoutError, TimeoutError)):
                await ws.wait(lambda m: m.get("req_id") == 4, timeout=2)
            assert any(o["cl_ord_id"] == "lost" and o["status"] == "open" for o in server.orders())
            server.private("CancelAll")
    asyncio.run(run())
