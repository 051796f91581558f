"""What the server emits has the keys and value types of Binance's own messages in <shared>/vectors/exchanges/wire:
live captures (cryptofeed: depthUpdate, bookTicker, REST depth) and the docs' examples (nautilus http_json and the
wrapped user-data events). Hand-made fixtures (nautilus' bare executionReport / outboundAccountPosition) must be
covered key for key."""
from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import aiohttp
import pytest

from client import WsApiClient
from conftest import MAIN_KEY, MAIN_SECRET

WIRE = Path(os.environ["DEXTER_SHARED"]) / "vectors" / "exchanges" / "wire" / "binance"
HTTP = WIRE / "nautilus" / "spot" / "http_json"
USER = WIRE / "nautilus" / "spot" / "user_data_json"


def shape(value):
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def same_shape(ours, theirs, path="$", subset=False):
    """Keys equal (or ours a superset when `subset`), types equal; null matches any type (nullable fields)."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), path
        missing = set(theirs) - set(ours)
        assert not missing, f"{path}: missing {sorted(missing)}"
        if not subset:
            extra = set(ours) - set(theirs)
            assert not extra, f"{path}: extra {sorted(extra)}"
        for key in theirs:
            same_shape(ours[key], theirs[key], f"{path}.{key}", subset)
    elif isinstance(theirs, list):
        assert isinstance(ours, list), path
        if theirs and ours:
            same_shape(ours[0], theirs[0], f"{path}[0]", subset)
    elif "NoneType" not in (ours, theirs):
        assert ours == theirs, f"{path}: {ours} != {theirs}"


def capture_lines(name: str, marker: str) -> list[dict]:
    rows = []
    for line in (WIRE / "cryptofeed" / name).read_text().splitlines():
        if marker in line and ": {" in line:
            rows.append(json.loads(line.split(": ", 1)[1]))
    return rows


@pytest.fixture(scope="module")
def emitted(server):
    """One of everything, produced by the server through its public protocol."""
    out = {}

    async def run():
        async with aiohttp.ClientSession() as http:
            stream = await http.ws_connect(server.stream + "/stream?streams=btcusdt@depth@100ms/btcusdt@bookTicker")
            api = WsApiClient(await http.ws_connect(server.wsapi))
            await api.call("userDataStream.subscribe.signature", api.signed_params(MAIN_KEY, MAIN_SECRET))
            server.advance(diffs=3, symbol="BTCUSDT")
            while "depth" not in out or "bookTicker" not in out:
                message = await stream.receive_json(timeout=5)
                out["depth" if message["stream"].endswith("depth@100ms") else "bookTicker"] = message
            resting = server.signed("POST", "/api/v3/order", MAIN_KEY, MAIN_SECRET, {
                "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.001",
                "price": "30000", "newClientOrderId": "shape-1"}).json()
            await api.events_until(lambda e: e["event"]["e"] == "outboundAccountPosition")
            out["report_new"] = next(e for e in api.events if e["event"]["e"] == "executionReport")
            out["position"] = next(e for e in api.events if e["event"]["e"] == "outboundAccountPosition")
            out["order"] = server.signed("GET", "/api/v3/order", MAIN_KEY, MAIN_SECRET,
                                         {"symbol": "BTCUSDT", "orderId": resting["orderId"]}).json()
            out["open_orders"] = server.signed("GET", "/api/v3/openOrders", MAIN_KEY, MAIN_SECRET,
                                               {"symbol": "BTCUSDT"}).json()
            out["cancel"] = server.signed("DELETE", "/api/v3/order", MAIN_KEY, MAIN_SECRET,
                                          {"symbol": "BTCUSDT", "orderId": resting["orderId"]}).json()
            server.signed("POST", "/api/v3/order", MAIN_KEY, MAIN_SECRET, {
                "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.001",
                "price": "30000"})
            out["cancel_all"] = server.signed("DELETE", "/api/v3/openOrders", MAIN_KEY, MAIN_SECRET,
                                              {"symbol": "BTCUSDT"}).json()
            out["full"] = server.signed("POST", "/api/v3/order", MAIN_KEY, MAIN_SECRET, {
                "symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.001"}).json()
            await stream.close()
            await api.ws.close()
    asyncio.run(run())
    out["rest_depth"] = server.public("/api/v3/depth", symbol="BTCUSDT", limit=1000).json()
    out["account"] = server.signed("GET", "/api/v3/account", MAIN_KEY, MAIN_SECRET).json()
    out["time"] = server.public("/api/v3/time").json()
    out["ping"] = server.public("/api/v3/ping").json()
    out["book_ticker"] = server.public("/api/v3/ticker/bookTicker", symbol="BTCUSDT").json()
    out["exchange_info"] = server.public("/api/v3/exchangeInfo").json()
    return out


def test_market_streams_match_live_captures(emitted):
    live_depth = capture_lines("BINANCE.ws.1.0", "@depth@100ms")[0]
    live_ticker = capture_lines("BINANCE.ws.1.0", "@bookTicker")[0]
    same_shape(shape(emitted["depth"]), shape(live_depth))
    same_shape(shape(emitted["bookTicker"]), shape(live_ticker))


def test_rest_depth_matches_the_live_capture(emitted):
    live = json.loads((WIRE / "cryptofeed" / "BINANCE.http.0.0").read_text().splitlines()[0].split(": ", 1)[1])
    same_shape(shape(emitted["rest_depth"]), shape(live))


@pytest.mark.parametrize("ours,fixture", [
    ("account", "account_response.json"), ("full", "new_order_full_response.json"), ("order", "order_response.json"),
    ("open_orders", "open_orders_response.json"), ("cancel", "cancel_order_response.json"),
    ("cancel_all", "cancel_open_orders_response.json"), ("time", "server_time_response.json"),
    ("ping", "ping_response.json"), ("book_ticker", "book_ticker_response.json"),
    ("rest_depth", "depth_response.json"),
])
def test_rest_responses_match_the_documented_examples(emitted, ours, fixture):
    same_shape(shape(emitted[ours]), shape(json.loads((HTTP / fixture).read_text())))


def test_exchange_info_matches(emitted):
    documented = json.loads((HTTP / "exchange_info_response.json").read_text())
    ours = emitted["exchange_info"]
    assert set(documented) - {"sors"} == set(ours)               # "sors": only where SOR is available
    symbol = {k: v for k, v in ours["symbols"][0].items() if k not in ("filters", "permissions")}
    doc_symbol = {k: v for k, v in documented["symbols"][0].items() if k not in ("filters", "permissions")}
    same_shape(shape(symbol), shape(doc_symbol))
    live = json.loads((WIRE / "cryptofeed" / "exchangeInfo.2021-10-11.BTCUSDT_ETHBTC.json").read_text())
    same_shape(shape(ours["rateLimits"]), shape(live["rateLimits"]))
    live_filters = {f["filterType"]: f for f in live["symbols"][1]["filters"]}
    for ours_filter in ours["symbols"][0]["filters"]:
        if ours_filter["filterType"] in live_filters:                 # PRICE_FILTER, LOT_SIZE, MARKET_LOT_SIZE, ...
            same_shape(shape(ours_filter), shape(live_filters[ours_filter["filterType"]]))


def test_user_data_events_match(emitted):
    same_shape(shape(emitted["report_new"]), shape(json.loads((USER / "execution_report_wrapped.json").read_text())))
    same_shape(shape(emitted["position"]), shape(json.loads((USER / "account_position_wrapped.json").read_text())))
    for fixture in ("execution_report_new.json", "execution_report_trade.json", "execution_report_canceled.json"):
        same_shape(shape(emitted["report_new"]["event"]), shape(json.loads((USER / fixture).read_text())),
                   subset=True)
    same_shape(shape(emitted["position"]["event"]), shape(json.loads((USER / "account_position.json").read_text())))
