"""ccxt 4.5.90 (PyPI, offline: only this loopback server) as an independent Kraken client.

Its requests are built and signed by ccxt's own code (form bodies, its own nonce); the server must accept them and
answer what ccxt parses, and what ccxt reports must match the server's truth on the control port.
"""
from __future__ import annotations

from decimal import Decimal

import ccxt
import pytest

from kraken_client import MAIN
from kraken_fixtures import server  # noqa: F401  (fixtures)


@pytest.fixture(scope="module")
def exchange(server):
    ex = ccxt.kraken({"apiKey": MAIN[0], "secret": MAIN[1], "enableRateLimit": False, "timeout": 20000})
    ex.urls["api"]["public"] = server.rest
    ex.urls["api"]["private"] = server.rest
    ex.load_markets()
    return ex


def test_markets_and_order_book(exchange, server):
    assert {"BTC/CHF", "XMR/USD", "ADA/BTC", "ETH/CHF"} <= set(exchange.markets) and len(exchange.markets) == 10
    btc = exchange.markets["BTC/CHF"]
    assert btc["id"] == "XBTCHF" and btc["precision"]["price"] == 0.1 and btc["limits"]["amount"]["min"] == 0.0002
    book = exchange.fetch_order_book("BTC/CHF", 5)
    truth = server.book("BTC/CHF", 5)
    assert [level[:2] for level in book["bids"]] == [[float(p), float(q)] for p, q in truth["bids"]]
    assert [level[:2] for level in book["asks"]] == [[float(p), float(q)] for p, q in truth["asks"]]
    assert abs(exchange.fetch_time() - exchange.milliseconds()) < 5000


def test_balance_create_fetch_cancel(exchange, server):
    balance = exchange.fetch_balance()
    assert balance["total"]["BTC"] == 2 and balance["total"]["CHF"] == 100000 and balance["free"]["USD"] == 100000
    bid = Decimal(server.book("BTC/CHF", 10)["bids"][0][0]) - 100
    resting = exchange.create_order("BTC/CHF", "limit", "buy", 0.01, float(bid),
                                    {"clientOrderId": "ccxt-rest", "postOnly": True})
    truth = next(o for o in server.orders() if o["txid"] == resting["id"])
    assert truth["status"] == "open" and truth["cl_ord_id"] == "ccxt-rest" and "post" in truth["oflags"]
    fetched = exchange.fetch_order(resting["id"])
    assert fetched["status"] == "open" and fetched["amount"] == 0.01 and fetched["price"] == float(bid)
    assert exchange.fetch_balance()["used"]["CHF"] == pytest.approx(float(bid * Decimal("0.01") * Decimal("1.0026")))
    assert [o["id"] for o in exchange.fetch_open_orders("BTC/CHF")] == [resting["id"]]
    exchange.cancel_order(resting["id"])
    assert exchange.fetch_order(resting["id"])["status"] == "canceled"
    with pytest.raises(ccxt.InvalidOrder):
        exchange.cancel_order("OAAAAA-BBBBB-CCCCCC")


def test_ioc_taker_through_ccxt(exchange, server):
    ask = server.book("XMR/USD", 10)["asks"][0]
    order = exchange.create_order("XMR/USD", "limit", "buy", 0.1, float(ask[0]), {"timeInForce": "IOC"})
    fetched = exchange.fetch_order(order["id"])
    truth = next(o for o in server.orders() if o["txid"] == order["id"])
    assert fetched["status"] == "closed" and fetched["filled"] == 0.1 and truth["status"] == "closed"
    assert Decimal(truth["fee"]) == Decimal(ask[0]) * Decimal("0.1") * Decimal("0.0026")
    assert Decimal(str(fetched["fee"]["cost"])) == Decimal(truth["fee"])
    trades = exchange.fetch_my_trades("XMR/USD")
    assert [t["order"] for t in trades] == [order["id"]] and trades[0]["takerOrMaker"] == "taker"
    with pytest.raises(ccxt.InsufficientFunds):
        exchange.create_order("XMR/USD", "limit", "buy", 1000, float(ask[0]))
    with pytest.raises(ccxt.InvalidOrder):
        exchange.create_order("BTC/CHF", "limit", "buy", 0.0001, 40000)
