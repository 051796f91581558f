"""Shapes against recorded material in ../shared: every field of nautilus_trader's Bybit v5 fixtures is in what this
server answers (REST bodies and WebSocket pushes), and the request bytes ccxt's own static tests expect it to send
(ccxt_static/request/bybit.json) are parsed here, each answered 0 or a documented refusal, never a parse error."""
from __future__ import annotations

import json
import os
from pathlib import Path

import aiohttp

from bybit_client import MAIN, NAUTILUS, ok, ws_auth
from bybit_fixtures import fresh, loosen, server  # noqa: F401  (fixtures)
from serverkit.testing import Ws, sync

SHARED = Path(os.environ["DEXTER_SHARED"])
STATIC = SHARED / "vectors" / "exchanges" / "ccxt_static" / "request" / "bybit.json"


def fixture(name: str) -> dict:
    return json.loads((SHARED / NAUTILUS / f"{name}.json").read_text())


def missing(recorded: dict, ours: dict, allowed: set[str] = frozenset()) -> set[str]:
    return set(recorded) - set(ours) - set(allowed)


@sync
async def test_websocket_pushes_have_every_field_of_the_fixtures(fresh):
    fresh.script("BTCUSDT", [["30000.00", "1.000"]], [["30010.00", "1.000"]])
    async with aiohttp.ClientSession() as http:
        private = await Ws.connect(http, fresh.private_ws)
        await private.send(ws_auth(MAIN))
        await private.wait(lambda m: m.get("op") == "auth")
        await private.send({"op": "subscribe", "args": ["order", "execution", "execution.fast", "position", "wallet"],
                            "req_id": "sub-1"})
        ack = await private.wait(lambda m: m.get("op") == "subscribe")
        assert not missing(fixture("ws_subscription_ack"), ack)
        public = await Ws.connect(http, fresh.public_ws)
        await public.send({"op": "subscribe", "args": ["orderbook.1.BTCUSDT", "tickers.BTCUSDT", "nope.BTCUSDT"]})
        failure = await public.wait(lambda m: m.get("op") == "subscribe")
        assert not missing(fixture("ws_subscription_failure"), failure) and failure["success"] is False
        snapshot = await public.wait(lambda m: m.get("topic") == "orderbook.1.BTCUSDT")
        ticker = await public.wait(lambda m: m.get("topic") == "tickers.BTCUSDT")
        recorded = fixture("ws_orderbook_snapshot")
        assert not missing(recorded, snapshot) and not missing(recorded["data"], snapshot["data"])
        recorded = fixture("ws_ticker_linear")
        assert not missing(recorded, ticker) and not missing(recorded["data"], ticker["data"])
        ok(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.010"))
        got = {}
        while len(got) < 5:
            message = await private.wait(lambda m: "topic" in m)
            got[message["topic"]] = message
        await private.close()
        await public.close()
    for topic, name in (("order", "ws_account_order_filled"), ("execution", "ws_account_execution"),
                        ("execution.fast", "ws_account_execution_fast"), ("position", "ws_account_position")):
        recorded = fixture(name)
        assert not missing(recorded, got[topic]), topic
        assert not missing(recorded["data"][0], got[topic]["data"][0]), (topic, missing(recorded["data"][0],
                                                                                       got[topic]["data"][0]))
    wallet = fixture("ws_account_wallet")
    # the fixture's "totalPerpUpl" is the docs' "totalPerpUPL" (docs v5 websocket/private/wallet)
    assert not missing(wallet["data"][0], got["wallet"]["data"][0], {"totalPerpUpl"})
    assert "totalPerpUPL" in got["wallet"]["data"][0]
    assert not missing(wallet["data"][0]["coin"][1], got["wallet"]["data"][0]["coin"][0])
    ok(fresh.order(symbol="BTCUSDT", side="Sell", orderType="Market", qty="0.010", reduceOnly=True))


def test_rest_bodies_have_every_field_of_the_fixtures(fresh):
    fresh.script("BTCUSDT", [["30000.00", "1.000"]], [["30010.00", "1.000"]])
    ok(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.010"))
    ok(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.010", price="29000.00"))
    fresh.control("POST", "/control/settle_funding", {"symbol": "BTCUSDT"})
    cases = [
        ("http_get_instruments_linear", fresh.public("/v5/market/instruments-info", category="linear"),
         lambda r: r["list"][0]),
        ("http_get_orderbook", fresh.public("/v5/market/orderbook", category="linear", symbol="BTCUSDT"), None),
        ("http_get_funding_history", fresh.public("/v5/market/funding/history", category="linear", symbol="BTCUSDT"),
         lambda r: r["list"][0]),
        ("http_get_fee_rate", fresh.get("/v5/account/fee-rate", category="linear"), lambda r: r["list"][0]),
        ("http_get_account_info", fresh.get("/v5/account/info"), None),
        ("http_get_executions", fresh.get("/v5/execution/list", category="linear"), lambda r: r["list"][0]),
        ("http_get_orders_realtime", fresh.get("/v5/order/realtime", category="linear", symbol="BTCUSDT"),
         lambda r: r["list"][0]),
        ("http_get_positions", fresh.get("/v5/position/list", category="linear", symbol="BTCUSDT"),
         lambda r: r["list"][0]),
        ("http_get_wallet_balance", fresh.get("/v5/account/wallet-balance", accountType="UNIFIED"),
         lambda r: r["list"][0]),
    ]
    for name, response, row in cases:
        recorded, body = fixture(name), response.json()
        assert not missing(recorded, body, {"retExtInfo"} if "retExtInfo" not in recorded else set()), name
        recorded_row = row(recorded["result"]) if row else recorded["result"]
        served_row = row(body["result"]) if row else body["result"]
        assert not missing(recorded_row, served_row), (name, missing(recorded_row, served_row))
    wallet = fixture("http_get_wallet_balance")["result"]["list"][0]["coin"][0]
    assert not missing(wallet, fresh.get("/v5/account/wallet-balance", accountType="UNIFIED").json()["result"][
        "list"][0]["coin"][0])
    ok(fresh.post("/v5/order/cancel-all", {"category": "linear", "symbol": "BTCUSDT"}))
    ok(fresh.order(symbol="BTCUSDT", side="Sell", orderType="Market", qty="0.010", reduceOnly=True))


# ccxt's static request tests (ccxt_static/request/bybit.json, ccxt 00a587d): description -> the answer expected here
EXPECTED = {
    "Swap limit order": 0,                                              # ADAUSDT 50 @ 0.1 rests (notional 5)
    "Swap limit sell with reduceOnly and postOnly": 110017,             # nothing to reduce
    "swap limit buy with triggerPrice and triggerDirection above": 10001,   # conditional orders are not served
    "Swap cancelOrder": 110001,                                         # a fixed id no order has here
    "Swap cancel all open orders": 0,
    "Swap fetchOpenOrders": 0,
    "Swap fetchMyTrades": 0,
    "Swap fetchPositions": 0,
    "Set leverage swap linear": 0,
    "Set position Mode to hedge mode": 0,
    "Set position mode to one-way mode": 0,
    "Default conflicting id to swap": 0,
    "Swap fetch open order": 0,
    "Swap fetchClosedOrders": 0,
    "Linear fetch my liquidations": 0,
    "fetch leverage": 0,
    "linear trading fee": 0,
    "funding history linear": 0,
}


def test_ccxt_static_requests_are_parsed_byte_for_byte(fresh):
    loosen(fresh)
    cases = [case for cases in json.loads(STATIC.read_text())["methods"].values() for case in cases
             if case.get("description") in EXPECTED]
    assert {case["description"] for case in cases} == set(EXPECTED)
    for case in cases:
        target = case["url"].split(".com", 1)[1]
        path, _, query = target.partition("?")
        if case.get("output") is not None:          # a POST: the body ccxt sends, verbatim
            answer = fresh.post(path, case["output"])
        elif path == "/v5/market/tickers":
            answer = fresh.http.get(fresh.rest + target)
        else:                                       # a GET: the query string ccxt sends, verbatim
            answer = fresh.send("GET", target, query, MAIN, None, "5000", None)
        body = answer.json()
        assert body["retCode"] == EXPECTED[case["description"]], (case["description"], body)
    ok(fresh.post("/v5/order/cancel-all", {"category": "linear", "symbol": "ADAUSDT"}))
    assert ok(fresh.get("/v5/position/list", category="linear", symbol="LTCUSDT"))["list"][0]["leverage"] == "6"
