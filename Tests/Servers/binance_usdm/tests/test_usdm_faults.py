"""Every fault of POST /control/fault: what the client sees and what the server's truth says."""
from __future__ import annotations

import time
from decimal import Decimal

import aiohttp
import pytest
import requests

from usdm_client import Ws, sync
from usdm_fixtures import fresh, server  # noqa: F401  (fixtures)


def book(server):
    server.script("ETHUSDT", [], [])
    server.script("ETHUSDT", [["2000.00", "10.000"]], [["2001.00", "10.000"]])


def buy(server, client_id: str, **extra) -> requests.Response:
    return server.order(symbol="ETHUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.010",
                        price="1990.00", newClientOrderId=client_id, **extra)


def truth(server, client_id: str) -> list[dict]:
    return [o for o in server.orders(symbol="ETHUSDT") if o["clientOrderId"] == client_id]


def test_error_not_executed_and_executed(fresh):
    book(fresh)
    fresh.fault(type="error", code=-1001, status=503, scope="orders")
    answer = buy(fresh, "err-1")
    assert answer.status_code == 503 and answer.json()["code"] == -1001 and not truth(fresh, "err-1")
    fresh.fault(type="error", code=-1007, msg="Timeout waiting for response from backend server. Send status "
                "unknown; execution status unknown.", status=408, execute=True, scope="orders")
    answer = buy(fresh, "err-2")
    assert answer.status_code == 408 and answer.json()["code"] == -1007
    assert [o["status"] for o in truth(fresh, "err-2")] == ["NEW"]          # executed all the same
    fresh.fault(type="error", code=-1008, msg="Server is currently overloaded with other requests.", count=2)
    assert fresh.public("/fapi/v1/time").json()["code"] == -1008
    assert fresh.public("/fapi/v1/time").json()["code"] == -1008
    assert "serverTime" in fresh.public("/fapi/v1/time").json()
    fresh.signed("DELETE", "/fapi/v1/allOpenOrders", symbol="ETHUSDT")


def test_http_error_bare_5xx(fresh):
    book(fresh)
    fresh.fault(type="http_error", status=502, scope="orders")
    answer = buy(fresh, "http-1")
    assert answer.status_code == 502 and answer.text == "Bad Gateway" and not truth(fresh, "http-1")
    fresh.fault(type="http_error", status=503, execute=True, scope="orders")
    answer = buy(fresh, "http-2")
    assert answer.status_code == 503 and "Unknown error" in answer.text
    assert [o["status"] for o in truth(fresh, "http-2")] == ["NEW"]
    bad = fresh.http.post(fresh.control_url + "/control/fault", json={"type": "http_error", "status": 404})
    assert bad.status_code == 400
    fresh.signed("DELETE", "/fapi/v1/allOpenOrders", symbol="ETHUSDT")


def test_lose_ack_and_delay_ack(fresh):
    book(fresh)
    fresh.fault(type="lose_ack")
    with pytest.raises(requests.exceptions.ConnectionError):
        buy(fresh, "lost-1")
    assert [o["status"] for o in truth(fresh, "lost-1")] == ["NEW"]         # executed, answer never sent
    fresh.fault(type="delay_ack", seconds=0.6)
    started = time.monotonic()
    assert buy(fresh, "slow-1").status_code == 200
    assert time.monotonic() - started >= 0.6
    fresh.signed("DELETE", "/fapi/v1/allOpenOrders", symbol="ETHUSDT")


def test_rate_limit_429_then_418(fresh):
    fresh.fault(type="rate_limit")
    first = fresh.public("/fapi/v1/ping")
    assert first.status_code == 429 and first.json()["code"] == -1003 and int(first.headers["Retry-After"]) >= 1
    second = fresh.public("/fapi/v1/ping")
    assert second.status_code == 418 and int(second.headers["Retry-After"]) >= 1
    fresh.control("POST", "/control/limits", {"reset": True})
    ok = fresh.public("/fapi/v1/ping")
    assert ok.status_code == 200 and ok.headers["X-MBX-USED-WEIGHT-1M"] == "1"


def test_order_limit_429(fresh):
    book(fresh)
    fresh.control("POST", "/control/limits", {"ordersPer10s": 2, "reset": True})
    try:
        assert buy(fresh, "lim-1").status_code == 200
        second = buy(fresh, "lim-2")
        assert second.headers["X-MBX-ORDER-COUNT-10S"] == "2"
        third = buy(fresh, "lim-3")
        assert third.status_code == 429 and third.json()["code"] == -1015 and not truth(fresh, "lim-3")
    finally:
        fresh.control("POST", "/control/limits", {"ordersPer10s": 300, "reset": True})
        fresh.signed("DELETE", "/fapi/v1/allOpenOrders", symbol="ETHUSDT")


def test_clock_shift_gives_1021_and_clear_restores(fresh):
    fresh.fault(type="clock_shift", ms=-10_000)
    assert fresh.signed("GET", "/fapi/v2/balance").json()["code"] == -1021
    server_time = fresh.public("/fapi/v1/time").json()["serverTime"]
    assert server_time < time.time() * 1000 - 9000
    fresh.fault(type="clear")
    assert fresh.signed("GET", "/fapi/v2/balance").status_code == 200
    assert fresh.control("GET", "/control/faults")["clockShiftMs"] == 0


@sync
async def test_drop_ws_and_skip_update(fresh):
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, f"{fresh.stream}/ws/ctkusdt@depth")
        user = await Ws.connect(http, f"{fresh.stream}/ws/" +
                                fresh.keyed("POST", "/fapi/v1/listenKey").json()["listenKey"])
        await ws.drain(0.1)
        fresh.fault(type="skip_update", count=2, symbol="CTKUSDT")
        fresh.advance(diffs=5, symbol="CTKUSDT")
        got = await ws.drain(0.3)
        assert len(got) == 3 and got[0]["pu"] != fresh.book("CTKUSDT")["lastUpdateId"]
        assert all(b["pu"] == a["u"] for a, b in zip(got, got[1:]))
        assert got[-1]["u"] == fresh.book("CTKUSDT")["lastUpdateId"]        # applied all the same
        dropped = fresh.fault(type="drop_ws", which="market")
        assert dropped["dropped"] == 1
        with pytest.raises(ConnectionError):
            await ws.wait(lambda m: True, timeout=2)
        assert (await user.drain(0.1)) == [] and not user.ws.closed       # the user stream stays
        assert fresh.fault(type="drop_ws")["dropped"] == 1
        with pytest.raises(ConnectionError):
            await user.wait(lambda m: True, timeout=2)


def test_unknown_fault_and_faults_view(fresh):
    assert fresh.http.post(fresh.control_url + "/control/fault", json={"type": "nope"}).status_code == 400
    fresh.fault(type="delay_ack", seconds=1, count=2)
    assert fresh.control("GET", "/control/faults")["delayAcks"] == [1.0, 1.0]
    fresh.fault(type="clear")
    assert fresh.control("GET", "/control/faults")["delayAcks"] == []
    assert Decimal(fresh.account()["walletBalance"]) > 0
