"""ccxt (PyPI, offline: only this loopback server) as an independent OKX client.

Its requests are built and signed by ccxt's own code; the server must accept them, answer what ccxt can parse, and
what ccxt reports must match the server's truth on the control port. ccxt places orders through
/api/v5/trade/batch-orders by default (a batch of one); one test switches it to /api/v5/trade/order.
"""
from __future__ import annotations

from decimal import Decimal

import ccxt
import pytest

from okx_fixtures import server  # noqa: F401  (fixtures)
from okx_client import DEMO, MAIN


def client(server, creds=MAIN, **options) -> ccxt.okx:
    exchange = ccxt.okx({"apiKey": creds[0], "secret": creds[1], "password": creds[2], "enableRateLimit": False,
                         "timeout": 20000, "options": {"fetchMarkets": {"types": ["spot"]}, **options}})
    exchange.urls["api"]["rest"] = server.rest
    exchange.has["fetchCurrencies"] = False        # /api/v5/asset/currencies is not served
    return exchange


@pytest.fixture(scope="module")
def exchange(server):
    ex = client(server)
    ex.load_markets()
    return ex


def truth(server, ord_id: str) -> dict:
    return next(row for row in server.orders() if row["ordId"] == ord_id)


def test_load_markets_reads_the_instruments(exchange):
    assert set(exchange.markets) == {"BTC/USDT", "ETH/USDT", "LTC/USDT"}
    btc = exchange.markets["BTC/USDT"]
    assert btc["id"] == "BTC-USDT" and btc["spot"] is True and btc["active"] is True
    assert btc["precision"]["price"] == 0.1 and btc["precision"]["amount"] == 0.00000001
    assert btc["limits"]["amount"]["min"] == 0.00001


def test_order_book_and_time_are_the_servers(exchange, server):
    book = exchange.fetch_order_book("BTC/USDT", 5)
    mine = server.book("BTC-USDT", 5)
    assert [level[:2] for level in book["bids"]] == [[float(p), float(q)] for p, q, *_ in mine["bids"]]
    assert [level[:2] for level in book["asks"]] == [[float(p), float(q)] for p, q, *_ in mine["asks"]]
    assert abs(exchange.fetch_time() - exchange.milliseconds()) < 5000


def test_create_fetch_cancel_and_balances(exchange, server):
    before = server.balances("main")
    resting = exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 20000)
    assert truth(server, resting["id"])["state"] == "live"
    fetched = exchange.fetch_order(resting["id"], "BTC/USDT")
    assert fetched["status"] == "open" and fetched["price"] == 20000 and fetched["remaining"] == 0.01
    assert [o["id"] for o in exchange.fetch_open_orders("BTC/USDT")] == [resting["id"]]
    exchange.cancel_order(resting["id"], "BTC/USDT")
    assert exchange.fetch_order(resting["id"], "BTC/USDT")["status"] == "canceled"
    assert exchange.fetch_open_orders("BTC/USDT") == []
    ask = float(server.book("BTC-USDT", 1)["asks"][0][0])
    direct = client(server, createOrder="privatePostTradeOrder")
    direct.load_markets()
    ioc = direct.create_order("BTC/USDT", "limit", "buy", 0.01, ask, {"timeInForce": "IOC"})
    filled = exchange.fetch_order(ioc["id"], "BTC/USDT")
    assert filled["status"] == "closed" and filled["filled"] == 0.01 and truth(server, ioc["id"])["ordType"] == "ioc"
    assert filled["fee"]["currency"] == "BTC" and Decimal(str(filled["fee"]["cost"])) == Decimal("0.00001")
    market = exchange.create_order("BTC/USDT", "market", "buy", 0.002)
    assert exchange.fetch_order(market["id"], "BTC/USDT")["filled"] == 0.002
    sold = exchange.create_order("BTC/USDT", "market", "sell", 0.003)
    assert truth(server, sold["id"])["state"] == "filled"
    trades = exchange.fetch_my_trades("BTC/USDT")
    assert {t["order"] for t in trades} == {ioc["id"], market["id"], sold["id"]}
    for trade in trades:
        row = next(f for f in truth(server, trade["order"])["fills"] if f["tradeId"] == trade["id"])
        assert Decimal(str(trade["fee"]["cost"])) == -Decimal(row["fee"]) and trade["fee"]["currency"] == row["feeCcy"]
    balance = exchange.fetch_balance()
    after = server.balances("main")
    for ccy in ("BTC", "USDT", "ETH"):
        avail, frozen = after[ccy]
        assert Decimal(str(balance[ccy]["free"])) == Decimal(avail)
        assert Decimal(str(balance[ccy]["total"])) == Decimal(avail) + Decimal(frozen)
    assert after != before


def test_ccxt_signature_is_accepted_a_wrong_one_refused_and_demo_mode_works(server):
    with pytest.raises(ccxt.AuthenticationError) as raised:
        client(server, (MAIN[0], "wrong-secret", MAIN[2])).fetch_balance()
    assert '"code":"50113"' in str(raised.value)
    demo = client(server, DEMO)
    demo.set_sandbox_mode(True)           # ccxt then sends x-simulated-trading: 1
    demo.urls["api"]["rest"] = server.rest
    assert demo.fetch_balance()["USDT"]["free"] == 1000
    live_key_in_demo = client(server)
    live_key_in_demo.set_sandbox_mode(True)
    live_key_in_demo.urls["api"]["rest"] = server.rest
    with pytest.raises(ccxt.AuthenticationError):
        live_key_in_demo.fetch_balance()
