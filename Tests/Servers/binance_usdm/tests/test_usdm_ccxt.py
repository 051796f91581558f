"""ccxt 4.5.90 binanceusdm (PyPI, offline: only this loopback server) as an independent USDⓈ-M client: its signing
agrees with this suite's own, and its requests, built and signed by ccxt's code, are accepted and parsed."""
from __future__ import annotations

from decimal import Decimal

import ccxt
import pytest

from usdm_client import DOC_KEY, DOC_SECRET, MAIN, sign
from usdm_fixtures import server  # noqa: F401  (fixtures)


def client(server, secret: str = MAIN[1]) -> ccxt.binanceusdm:
    exchange = ccxt.binanceusdm({"apiKey": MAIN[0], "secret": secret, "enableRateLimit": False, "timeout": 20000,
                                 "options": {"fetchCurrencies": False, "fetchMarkets": {"types": ["linear"]}}})
    for name, url in list(exchange.urls["api"].items()):
        if isinstance(url, str) and url.startswith("https://fapi.binance.com"):
            exchange.urls["api"][name] = url.replace("https://fapi.binance.com", server.rest)
    return exchange


@pytest.fixture(scope="module")
def exchange(server):
    ex = client(server)
    ex.load_markets()
    return ex


def test_ccxt_sign_equals_the_documented_hmac_offline():
    ex = ccxt.binanceusdm({"apiKey": DOC_KEY, "secret": DOC_SECRET})
    ex.milliseconds = lambda: 1591702613943
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.001", "price": "30000",
              "timeInForce": "GTC", "newClientOrderId": "dexter-1", "reduceOnly": "true"}
    signed = ex.sign("order", ["fapiPrivate"], "POST", dict(params))
    assert signed["url"] == "https://fapi.binance.com/fapi/v1/order"
    body = signed["body"]
    payload, _, signature = body.rpartition("&signature=")
    assert signature == sign(DOC_SECRET, payload)
    assert "timestamp=1591702613943" in payload and signed["headers"]["X-MBX-APIKEY"] == DOC_KEY
    get = ex.sign("positionRisk", ["fapiPrivateV2"], "GET", {"symbol": "BTCUSDT"})
    query = get["url"].split("?", 1)[1]
    payload, _, signature = query.rpartition("&signature=")
    assert signature == sign(DOC_SECRET, payload)


def test_markets_book_and_funding(exchange, server):
    assert {"BTC/USDT:USDT", "ETH/USDT:USDT", "SUSHI/USDT:USDT"} <= set(exchange.markets)
    sushi = exchange.markets["SUSHI/USDT:USDT"]
    assert sushi["linear"] and sushi["swap"] and sushi["settle"] == "USDT"
    assert sushi["precision"]["price"] == 0.001 and sushi["limits"]["cost"]["min"] == 5.0
    book = exchange.fetch_order_book("SUSHI/USDT:USDT", 100)
    truth = server.book("SUSHIUSDT", 100)
    assert book["nonce"] == truth["lastUpdateId"]
    assert book["bids"][:3] == [[float(p), float(q)] for p, q in truth["bids"][:3]]
    server.control("POST", "/control/funding", {"symbol": "SUSHIUSDT", "rate": "0.0002", "markPrice": "7.6115"})
    rate = exchange.fetch_funding_rate("SUSHI/USDT:USDT")
    assert rate["fundingRate"] == 0.0002 and rate["markPrice"] == 7.6115
    server.control("POST", "/control/funding", {"symbol": "SUSHIUSDT", "markPrice": None})


def test_orders_positions_balance(exchange, server):
    server.script("BTCUSDT", [], [])
    server.script("BTCUSDT", [["30000.00", "2.000"]], [["30010.00", "2.000"]])
    ioc = exchange.create_order("BTC/USDT:USDT", "limit", "buy", 0.05, 30010, {"timeInForce": "IOC",
                                                                                 "newOrderRespType": "RESULT"})
    assert ioc["status"] == "closed" and ioc["filled"] == 0.05 and ioc["average"] == 30010.0
    gtc = exchange.create_order("BTC/USDT:USDT", "limit", "buy", 0.01, 29000)
    assert gtc["status"] == "open"
    assert [o["id"] for o in exchange.fetch_open_orders("BTC/USDT:USDT")] == [gtc["id"]]
    fetched = exchange.fetch_order(gtc["id"], "BTC/USDT:USDT")
    assert fetched["price"] == 29000.0 and fetched["remaining"] == 0.01
    assert exchange.cancel_order(gtc["id"], "BTC/USDT:USDT")["status"] == "canceled"
    positions = [p for p in exchange.fetch_positions(["BTC/USDT:USDT"]) if p["contracts"]]
    assert len(positions) == 1 and positions[0]["side"] == "long" and positions[0]["contracts"] == 0.05
    assert positions[0]["entryPrice"] == 30010.0
    balance = exchange.fetch_balance()
    assert Decimal(str(balance["USDT"]["total"])) == Decimal(server.account()["margin_balance"])   # wallet + uPnL
    close = exchange.create_order("BTC/USDT:USDT", "market", "sell", 0.05, None, {"reduceOnly": True})
    assert close["amount"] == 0.05
    trades = exchange.fetch_my_trades("BTC/USDT:USDT")
    assert len(trades) >= 2 and trades[-1]["side"] == "sell" and trades[-1]["fee"]["currency"] == "USDT"
    assert not [p for p in exchange.fetch_positions(["BTC/USDT:USDT"]) if p["contracts"]]


def test_ccxt_maps_the_refusals(server):
    bad = client(server, secret="not-the-secret")
    bad.load_markets()
    with pytest.raises(ccxt.AuthenticationError):
        bad.fetch_balance()
    ex = client(server)
    ex.load_markets()
    server.script("BTCUSDT", [], [])
    server.script("BTCUSDT", [["30000.00", "2.000"]], [["30010.00", "2.000"]])
    # (ccxt picks its futures error map by the fapi.binance.com URL; against a loopback URL it reports the
    # documented body through its generic ExchangeError)
    with pytest.raises(ccxt.ExchangeError, match="-2022"):
        ex.create_order("BTC/USDT:USDT", "market", "sell", 0.01, None, {"reduceOnly": True})
    with pytest.raises(ccxt.ExchangeError, match="-2019"):
        ex.create_order("BTC/USDT:USDT", "limit", "buy", 300, 29000)   # 8.7M at 10x: margin 870k
