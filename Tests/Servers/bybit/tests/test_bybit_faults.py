"""Every fault of POST /control/fault: what the client sees and what the server's truth says."""
from __future__ import annotations

import time
from decimal import Decimal

import aiohttp
import pytest
import requests

from bybit_client import MAIN, code, ok, ws_auth
from bybit_fixtures import fresh, server  # noqa: F401  (fixtures)
from serverkit.testing import Ws, sync
from test_bybit_market import LocalBook, levels


def book(server):
    server.script("ETHUSDT", [], [])
    server.script("ETHUSDT", [["2000.00", "10.00"]], [["2001.00", "10.00"]])


def buy(server, link: str, timeout: float = 30) -> requests.Response:
    return server.post("/v5/order/create", {"category": "linear", "symbol": "ETHUSDT", "side": "Buy",
                                            "orderType": "Limit", "qty": "0.10", "price": "1990.00",
                                            "orderLinkId": link}, timeout=timeout)


def truth(server, link: str) -> list[dict]:
    return [o for o in server.orders(symbol="ETHUSDT") if o["orderLinkId"] == link]


def cancel_all(server):
    ok(server.post("/v5/order/cancel-all", {"category": "linear", "symbol": "ETHUSDT"}))


def test_error_not_executed_and_executed(fresh):
    book(fresh)
    fresh.fault(type="error", code=10016, scope="orders")
    answer = buy(fresh, "err-1")
    assert answer.status_code == 200 and answer.json()["retCode"] == 10016 and answer.json()["retMsg"] == \
        "Server error." and not truth(fresh, "err-1")
    fresh.fault(type="error", code=10000, msg="Server Timeout", execute=True, scope="orders")
    answer = buy(fresh, "err-2")
    assert (answer.json()["retCode"], answer.json()["retMsg"]) == (10000, "Server Timeout")
    assert [o["orderStatus"] for o in truth(fresh, "err-2")] == ["New"]          # executed all the same
    assert code(buy(fresh, "err-2")) == 110072                                    # a blind resend is refused
    fresh.fault(type="error", code=10016, count=2)
    assert code(fresh.public("/v5/market/time")) == 10016
    assert code(fresh.public("/v5/market/time")) == 10016
    assert code(fresh.public("/v5/market/time")) == 0
    cancel_all(fresh)


def test_http_error_bare_5xx(fresh):
    book(fresh)
    fresh.fault(type="http_error", status=502, scope="orders")
    answer = buy(fresh, "http-1")
    assert answer.status_code == 502 and answer.text == "Bad Gateway" and not truth(fresh, "http-1")
    fresh.fault(type="http_error", status=503, execute=True, scope="orders")
    answer = buy(fresh, "http-2")
    assert answer.status_code == 503 and [o["orderStatus"] for o in truth(fresh, "http-2")] == ["New"]
    bad = fresh.http.post(fresh.control_url + "/control/fault", json={"type": "http_error", "status": 404})
    assert bad.status_code == 400
    cancel_all(fresh)


def test_lose_ack_and_delay_ack(fresh):
    book(fresh)
    fresh.fault(type="lose_ack")
    with pytest.raises(requests.exceptions.ConnectionError):
        buy(fresh, "lost-1")
    assert [o["orderStatus"] for o in truth(fresh, "lost-1")] == ["New"]          # executed, answer never sent
    found = ok(fresh.get("/v5/order/realtime", category="linear", symbol="ETHUSDT", orderLinkId="lost-1"))["list"]
    assert [o["orderLinkId"] for o in found] == ["lost-1"]                        # the query finds it
    fresh.fault(type="delay_ack", seconds=0.6)
    started = time.monotonic()
    assert code(buy(fresh, "slow-1")) == 0
    assert time.monotonic() - started >= 0.6
    cancel_all(fresh)


def test_rate_limit_10006_with_headers_then_403(fresh):
    fresh.fault(type="rate_limit")
    first = fresh.get("/v5/account/info")
    assert first.status_code == 200 and first.json()["retCode"] == 10006 and first.json()["retMsg"] == \
        "Too many visits!"
    assert first.headers["X-Bapi-Limit-Status"] == "0" and first.headers["X-Bapi-Limit"] == "50"
    assert int(first.headers["X-Bapi-Limit-Reset-Timestamp"]) > time.time() * 1000
    second = fresh.get("/v5/account/info")                        # sent before the reset timestamp: banned
    assert second.status_code == 403 and second.text == "access too frequent"
    assert fresh.public("/v5/market/time").status_code == 403     # the IP, every endpoint
    fresh.control("POST", "/control/limits", {"reset": True})
    assert code(fresh.get("/v5/account/info")) == 0


def test_uid_limit_per_endpoint_and_ip_limit(fresh):
    book(fresh)
    fresh.control("POST", "/control/limits", {"endpoints": {"/v5/order/create": 2}, "reset": True})
    try:
        first = buy(fresh, "lim-1")
        assert (first.headers["X-Bapi-Limit"], first.headers["X-Bapi-Limit-Status"]) == ("2", "1")
        assert buy(fresh, "lim-2").headers["X-Bapi-Limit-Status"] == "0"
        third = buy(fresh, "lim-3")
        assert third.json()["retCode"] == 10006 and not truth(fresh, "lim-3")   # not executed
        assert int(third.headers["X-Bapi-Limit-Reset-Timestamp"]) >= int(first.headers["Timenow"])
        assert code(fresh.get("/v5/account/info")) == 0                         # other endpoints have their own
    finally:
        fresh.control("POST", "/control/limits", {"endpoints": {"/v5/order/create": 10}, "reset": True})
    cancel_all(fresh)
    fresh.control("POST", "/control/limits", {"ipPer5s": 5, "reset": True})
    try:
        statuses = [fresh.public("/v5/market/time").status_code for _ in range(7)]
        assert statuses == [200] * 5 + [403, 403]
    finally:
        fresh.control("POST", "/control/limits", {"ipPer5s": 600, "reset": True})


@sync
async def test_drop_ws_public_private_and_all(fresh):
    async with aiohttp.ClientSession() as http:
        public = await Ws.connect(http, fresh.public_ws)
        private = await Ws.connect(http, fresh.private_ws)
        await private.send(ws_auth(MAIN))
        await private.wait(lambda m: m.get("op") == "auth")
        assert fresh.fault(type="drop_ws", which="public")["dropped"] == 1
        with pytest.raises(ConnectionError):
            await public.wait(lambda m: True, timeout=2)
        await private.send({"op": "ping"})
        assert (await private.wait(lambda m: m.get("op") == "pong"))["op"] == "pong"     # the private one stays
        assert fresh.fault(type="drop_ws")["dropped"] == 1
        with pytest.raises(ConnectionError):
            await private.wait(lambda m: True, timeout=2)


async def follow(fresh, fault: dict, scripts: int = 4):
    """A documented-rule client on orderbook.50.ETHUSDT while `fault` is pending; it resubscribes on a gap."""
    book(fresh)
    client, seen = LocalBook(), []
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, fresh.public_ws)
        await ws.send({"op": "subscribe", "args": ["orderbook.50.ETHUSDT"]})
        first = await ws.wait(lambda m: m.get("topic") == "orderbook.50.ETHUSDT")
        client.on(first)
        seen.append(first)
        fresh.fault(**fault)
        for step in range(1, scripts + 1):
            fresh.script("ETHUSDT", [["2000.00", f"{10 + step}.00"]], [["2001.00", "10.00"]])
        for message in await ws.drain(0.3):
            if message.get("topic") != "orderbook.50.ETHUSDT":
                continue
            seen.append(message)
            client.on(message)
            if client.bids is None:        # a gap: a new subscription brings a fresh snapshot
                await ws.send({"op": "unsubscribe", "args": ["orderbook.50.ETHUSDT"]})
                await ws.send({"op": "subscribe", "args": ["orderbook.50.ETHUSDT"]})
                client.on(await ws.wait(lambda m: m.get("topic") == "orderbook.50.ETHUSDT"
                                        and m["type"] == "snapshot"))
        await ws.close()
    truth_book = fresh.book("ETHUSDT", 50)
    assert (client.bids, client.asks) == (levels(truth_book["bids"]), levels(truth_book["asks"]))
    assert client.u == truth_book["u"]["50"]
    return client, seen


@sync
async def test_skip_update_makes_a_u_gap_and_a_resubscribe_recovers(fresh):
    client, seen = await follow(fresh, {"type": "skip_update", "count": 1, "symbol": "ETHUSDT"})
    us = [m["data"]["u"] for m in seen]
    assert client.gaps == 1 and us[1] == us[0] + 2 and len(us) == 4       # one delta applied, never sent


@sync
async def test_duplicate_and_stale_deltas_are_dropped_by_u(fresh):
    client, seen = await follow(fresh, {"type": "duplicate_delta", "count": 1})
    assert [m["data"]["u"] for m in seen][1:3] == [seen[0]["data"]["u"] + 1] * 2 and client.dropped == 1
    client, seen = await follow(fresh, {"type": "stale_delta", "count": 1, "symbol": "ETHUSDT"})
    us = [m["data"]["u"] for m in seen]
    assert us[:4] == [us[0], us[0] + 1, us[0], us[0] + 2] and client.dropped == 1 and client.gaps == 0


@sync
async def test_reset_u_sends_a_u_1_snapshot_and_resnapshot_the_same_u(fresh):
    book(fresh)
    client = LocalBook()
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, fresh.public_ws)
        await ws.send({"op": "subscribe", "args": ["orderbook.50.ETHUSDT", "orderbook.1.ETHUSDT"]})
        client.on(await ws.wait(lambda m: m.get("topic") == "orderbook.50.ETHUSDT"))
        before = client.u
        assert fresh.fault(type="resnapshot", symbol="ETHUSDT")["snapshots"] == 5
        again = await ws.wait(lambda m: m.get("topic") == "orderbook.50.ETHUSDT")
        assert (again["type"], again["data"]["u"]) == ("snapshot", before)
        fresh.fault(type="reset_u", symbol="ETHUSDT")
        restart = await ws.wait(lambda m: m.get("topic") == "orderbook.50.ETHUSDT")
        assert (restart["type"], restart["data"]["u"]) == ("snapshot", 1)
        client.on(restart)
        fresh.script("ETHUSDT", [["2000.00", "3.00"]], [["2001.00", "10.00"]])
        delta = await ws.wait(lambda m: m.get("topic") == "orderbook.50.ETHUSDT")
        assert (delta["type"], delta["data"]["u"]) == ("delta", 2)
        client.on(delta)
        await ws.close()
    assert client.gaps == 0 and client.bids == {Decimal("2000.00"): Decimal("3.00")}


@sync
async def test_bad_auth_fails_the_next_auth_only(fresh):
    fresh.fault(type="bad_auth")
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, fresh.private_ws)
        await ws.send(ws_auth(MAIN))
        assert (await ws.wait(lambda m: m.get("op") == "auth"))["ret_msg"] == "Request not authorized"
        await ws.send(ws_auth(MAIN))
        assert (await ws.wait(lambda m: m.get("op") == "auth"))["success"] is True
        await ws.close()


def test_unknown_fault_and_faults_view(fresh):
    assert fresh.http.post(fresh.control_url + "/control/fault", json={"type": "nope"}).status_code == 400
    fresh.fault(type="delay_ack", seconds=1, count=2)
    fresh.fault(type="skip_update", count=3, symbol="BTCUSDT")
    state = fresh.control("GET", "/control/faults")
    assert state["delayAcks"] == [1.0, 1.0] and state["skipUpdates"] == {"BTCUSDT": 3}
    fresh.fault(type="clear")
    state = fresh.control("GET", "/control/faults")
    assert state["delayAcks"] == [] and state["skipUpdates"] == {} and state["clockShiftMs"] == 0
