"""ccxt 4.5.90 bybit (PyPI, offline: only this loopback server) as an independent v5 client: its sign() agrees with
this suite's own HMAC and with the recorded oracle, its signed requests are accepted, its unified calls parse what
the server answers, and it maps the server's refusals to the classes the shared oracle recorded for Bybit's
answers."""
from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import ccxt
import pytest

from bybit_client import EXAMPLE, MAIN, POOR, sign
from bybit_fixtures import fresh, loosen, server  # noqa: F401  (fixtures)

ORACLE = Path(os.environ["DEXTER_SHARED"]) / "vectors" / "exchanges" / "oracle_examples"
D = Decimal


def client(server, creds=MAIN, secret: str | None = None) -> ccxt.bybit:
    exchange = ccxt.bybit({"apiKey": creds[0], "secret": secret or creds[1], "enableRateLimit": False,
                           "timeout": 20000,
                           "options": {"fetchMarkets": {"types": ["linear"]}, "loadAllOptions": False,
                                       "enableUnifiedAccount": True, "enableUnifiedMargin": False,
                                       "defaultType": "swap"}})
    exchange.has["fetchCurrencies"] = False
    for name, url in list(exchange.urls["api"].items()):
        if isinstance(url, str):
            exchange.urls["api"][name] = server.rest
    return exchange


@pytest.fixture(scope="module")
def exchange(server):
    loosen(server)
    ex = client(server)
    ex.load_markets()
    return ex


def oracle_errors() -> dict[int | str, str]:
    """retCode (or HTTP 403) -> the ccxt class the shared oracle recorded for Bybit's answer."""
    ins = json.loads((ORACLE / "errors_examples.json").read_text())
    outs = json.loads((ORACLE / "errors_examples.out.json").read_text())
    table = {}
    for example, result in zip(ins, outs):
        if example.get("exchange") != "bybit":
            continue
        body = example["responses"][0]["body"]
        table[body["retCode"] if isinstance(body, dict) else example["responses"][0]["status"]] = \
            result["error"]["type"]
    return table


def test_ccxt_sign_equals_the_documented_hmac_and_the_recorded_oracle():
    ex = ccxt.bybit({"apiKey": EXAMPLE[0], "secret": EXAMPLE[1], "options": {"timeDifference": 0}})
    ex.milliseconds = lambda: 1_700_000_000_000
    params = {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.001",
              "price": "30000", "timeInForce": "GTC", "orderLinkId": "my-link-1"}
    signed = ex.sign("v5/order/create", ["private"], "POST", dict(params))
    headers = signed["headers"]
    assert headers["X-BAPI-SIGN"] == sign(EXAMPLE[1], "1700000000000" + EXAMPLE[0] + "5000" + signed["body"])
    recorded = json.loads((ORACLE / "sign_examples.out.json").read_text())
    (entry,) = [r["result"] for r in recorded if r.get("exchange") == "bybit"]
    assert (signed["url"], signed["body"], headers) == (entry["url"], entry["body"], entry["headers"])
    get = ex.sign("v5/position/list", ["private"], "GET", {"category": "linear", "symbol": "BTCUSDT"})
    query = get["url"].split("?", 1)[1]
    assert get["headers"]["X-BAPI-SIGN"] == sign(EXAMPLE[1], "1700000000000" + EXAMPLE[0] + "5000" + query)


def test_ccxt_signed_requests_are_accepted(fresh):
    ex = client(fresh)
    for path, method, params in (("v5/account/wallet-balance", "GET", {"accountType": "UNIFIED"}),
                                 ("v5/order/cancel-all", "POST", {"category": "linear", "symbol": "ETHUSDT"})):
        signed = ex.sign(path, ["private"], method, params)
        reply = fresh.http.request(method, signed["url"], data=signed["body"], headers=signed["headers"], timeout=10)
        assert reply.json()["retCode"] == 0, reply.text


def test_markets_book_ticker_and_funding(exchange, server):
    assert {"BTC/USDT:USDT", "ETH/USDT:USDT", "ADA/USDT:USDT", "BCH/USDT:USDT"} <= set(exchange.markets)
    ada = exchange.markets["ADA/USDT:USDT"]
    assert ada["linear"] and ada["swap"] and ada["settle"] == "USDT" and ada["contractSize"] == 1
    assert (ada["precision"]["amount"], ada["precision"]["price"], ada["limits"]["cost"]["min"]) == (1.0, 0.0001, 5.0)
    book = exchange.fetch_order_book("BCH/USDT:USDT", 50)
    truth = server.book("BCHUSDT", 50)
    assert book["bids"][:3] == [[float(p), float(q)] for p, q in truth["bids"][:3]]
    assert book["asks"][:3] == [[float(p), float(q)] for p, q in truth["asks"][:3]]
    server.control("POST", "/control/funding", {"symbol": "BCHUSDT", "rate": "0.0002", "markPrice": "1054.40"})
    rate = exchange.fetch_funding_rate("BCH/USDT:USDT")
    assert rate["fundingRate"] == 0.0002 and rate["markPrice"] == 1054.40
    ticker = exchange.fetch_ticker("BCH/USDT:USDT")
    assert ticker["bid"] == float(truth["bids"][0][0]) and ticker["ask"] == float(truth["asks"][0][0])
    server.control("POST", "/control/funding", {"symbol": "BCHUSDT", "rate": "0.0001", "markPrice": None})


def test_orders_positions_balance_trades_and_funding_history(exchange, server):
    server.script("BTCUSDT", [], [])
    server.script("BTCUSDT", [["30000.00", "2.000"]], [["30010.00", "2.000"]])
    ioc = exchange.create_order("BTC/USDT:USDT", "limit", "buy", 0.05, 30010, {"timeInForce": "IOC",
                                                                                 "clientOrderId": "ccxt-ioc"})
    fetched = exchange.fetch_order(ioc["id"], "BTC/USDT:USDT", {"acknowledged": True})
    assert (fetched["status"], fetched["filled"], fetched["average"], fetched["clientOrderId"]) == \
        ("closed", 0.05, 30010.0, "ccxt-ioc")
    gtc = exchange.create_order("BTC/USDT:USDT", "limit", "buy", 0.01, 29000)
    assert [o["id"] for o in exchange.fetch_open_orders("BTC/USDT:USDT")] == [gtc["id"]]
    exchange.cancel_order(gtc["id"], "BTC/USDT:USDT")
    assert exchange.fetch_open_orders("BTC/USDT:USDT") == []
    (position,) = [p for p in exchange.fetch_positions(["BTC/USDT:USDT"]) if p["contracts"]]
    assert (position["side"], position["contracts"], position["entryPrice"]) == ("long", 0.05, 30010.0)
    balance = exchange.fetch_balance()
    assert D(str(balance["USDT"]["total"])) == D(server.account()["walletBalance"])
    trades = exchange.fetch_my_trades("BTC/USDT:USDT")
    assert D(str(trades[-1]["fee"]["cost"])) == D("30010") * D("0.05") * D("0.00055")
    assert (trades[-1]["fee"]["currency"], trades[-1]["takerOrMaker"], trades[-1]["price"]) == ("USDT", "taker",
                                                                                                30010.0)
    server.control("POST", "/control/funding", {"symbol": "BTCUSDT", "rate": "0.0001", "markPrice": "30000"})
    server.control("POST", "/control/settle_funding", {"symbol": "BTCUSDT"})
    (funding,) = exchange.fetch_funding_history("BTC/USDT:USDT")
    assert (funding["amount"], funding["rate"], funding["code"]) == (0.15, 0.0001, "USDT")   # 0.05 x 30000 x 1e-4
    fee = exchange.fetch_trading_fee("BTC/USDT:USDT")
    assert (fee["maker"], fee["taker"]) == (0.0002, 0.00055)
    exchange.create_order("BTC/USDT:USDT", "market", "sell", 0.05, None, {"reduceOnly": True})
    assert not [p for p in exchange.fetch_positions(["BTC/USDT:USDT"]) if p["contracts"]]
    server.control("POST", "/control/funding", {"symbol": "BTCUSDT", "markPrice": None})


def test_ccxt_maps_the_refusals_as_the_oracle_recorded(fresh, exchange):
    oracle = oracle_errors()
    assert oracle == {110007: "InsufficientFunds", 10002: "InvalidNonce", 10004: "AuthenticationError",
                      10006: "RateLimitExceeded", 110001: "OrderNotFound", 10016: "ExchangeError",
                      403: "RateLimitExceeded"}
    fresh.script("BTCUSDT", [["30000.00", "2.000"]], [["30010.00", "2.000"]])
    poor = client(fresh, POOR)
    poor.load_markets()
    cases = [
        (110007, lambda: poor.create_order("BTC/USDT:USDT", "limit", "buy", 0.01, 29000)),
        (10004, lambda: client(fresh, secret="not-the-secret").fetch_balance()),
        (110001, lambda: exchange.cancel_order("00000000-0000-0000-0000-000000000000", "BTC/USDT:USDT")),
    ]
    for ret_code, call in cases:
        with pytest.raises(ccxt.BaseError) as raised:
            call()
        assert type(raised.value).__name__ == oracle[ret_code], (ret_code, raised.value)
        assert str(ret_code) in str(raised.value)
    fresh.fault(type="clock_shift", ms=-30_000)
    with pytest.raises(ccxt.InvalidNonce):
        exchange.fetch_balance()
    fresh.fault(type="clear")
    fresh.fault(type="error", code=10016)
    with pytest.raises(ccxt.ExchangeError):
        exchange.fetch_balance()
    fresh.fault(type="rate_limit")
    with pytest.raises(ccxt.RateLimitExceeded, match="10006"):
        exchange.fetch_balance()
    with pytest.raises(ccxt.RateLimitExceeded, match="403"):           # the IP ban: HTTP 403
        exchange.fetch_balance()
    fresh.control("POST", "/control/limits", {"reset": True})
    with pytest.raises(ccxt.InvalidOrder, match="110017"):
        exchange.create_order("BTC/USDT:USDT", "market", "sell", 0.01, None, {"reduceOnly": True})
