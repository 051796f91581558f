"""ccxt (PyPI, offline: only this loopback server) as an independent Binance client.

Its requests are built and signed by ccxt's own code; the server must accept them, answer what ccxt can parse, and
what ccxt reports must match the server's truth on the control port.
"""
from __future__ import annotations

from decimal import Decimal

import ccxt
import pytest

from conftest import MAIN_KEY, MAIN_SECRET


def client(server, secret: str = MAIN_SECRET) -> ccxt.binance:
    exchange = ccxt.binance({
        "apiKey": MAIN_KEY, "secret": secret, "enableRateLimit": False, "timeout": 20000,
        # spot only: no margin pairs, no sapi capital/config/getall, no futures exchangeInfo
        "options": {"fetchMarkets": {"types": ["spot"]}, "fetchCurrencies": False, "fetchMargins": False,
                    "defaultType": "spot"},
    })
    for name in ("public", "private", "v1", "sapi", "sapiV2", "sapiV3", "sapiV4"):
        exchange.urls["api"][name] = exchange.urls["api"][name].replace("https://api.binance.com", server.rest)
    return exchange


@pytest.fixture(scope="module")
def exchange(server):
    ex = client(server)
    ex.load_markets()
    return ex


def control_order(server, order_id: str, symbol: str = "ETHUSDT") -> dict:
    rows = server.control("GET", f"/control/orders?account=main&symbol={symbol}")
    return next(row for row in rows if str(row["orderId"]) == order_id)


def test_load_markets_reads_the_filters(exchange):
    assert set(exchange.markets) == {"BTC/USDT", "ETH/USDT"}
    btc = exchange.markets["BTC/USDT"]
    assert btc["precision"]["price"] == 0.01 and btc["precision"]["amount"] == 0.00001
    assert btc["limits"]["cost"]["min"] == 5.0
    assert exchange.markets["ETH/USDT"]["precision"]["amount"] == 0.0001
    assert btc["active"] is True


def test_order_book_is_the_servers(exchange, server):
    book = exchange.fetch_order_book("ETH/USDT", 100)
    truth = server.book("ETHUSDT", 100)
    assert book["nonce"] == truth["lastUpdateId"]
    assert book["bids"][:5] == [[float(p), float(q)] for p, q in truth["bids"][:5]]
    assert book["asks"][:5] == [[float(p), float(q)] for p, q in truth["asks"][:5]]


def test_limit_ioc_gtc_market_fetch_cancel_balance(exchange, server):
    before = server.balances("main")
    ask = Decimal(server.book("ETHUSDT", 1)["asks"][0][0])
    # IOC above the ask: takes the book
    ioc = exchange.create_order("ETH/USDT", "limit", "buy", 0.02, float(ask + 1), {"timeInForce": "IOC"})
    truth = control_order(server, ioc["id"])
    assert ioc["status"] == "closed" and truth["status"] == "FILLED"
    assert ioc["filled"] == float(truth["executedQty"]) == 0.02
    assert Decimal(str(ioc["cost"])) == Decimal(truth["cummulativeQuoteQty"])
    # GTC far below: rests
    gtc = exchange.create_order("ETH/USDT", "limit", "buy", 0.01, 2000.0)
    assert gtc["status"] == "open" and control_order(server, gtc["id"])["status"] == "NEW"
    fetched = exchange.fetch_order(gtc["id"], "ETH/USDT")
    assert fetched["status"] == "open" and fetched["price"] == 2000.0 and fetched["remaining"] == 0.01
    opened = exchange.fetch_open_orders("ETH/USDT")
    assert [o["id"] for o in opened] == [gtc["id"]]
    canceled = exchange.cancel_order(gtc["id"], "ETH/USDT")
    assert canceled["status"] == "canceled" and control_order(server, gtc["id"])["status"] == "CANCELED"
    assert exchange.fetch_open_orders("ETH/USDT") == []
    # market buy by quantity, then a market sell by quote amount
    market = exchange.create_order("ETH/USDT", "market", "buy", 0.05)
    assert market["status"] == "closed" and market["filled"] == 0.05
    assert market["fee"]["currency"] == "ETH"
    sell = exchange.create_order("ETH/USDT", "market", "sell", None, None, {"quoteOrderQty": "50"})
    assert sell["status"] == "closed" and sell["side"] == "sell"
    # balances: ccxt's view == the server's, to the last unit
    balance = exchange.fetch_balance()
    after = server.balances("main")
    for asset in ("ETH", "USDT", "BTC"):
        free, locked = after[asset]
        assert Decimal(str(balance[asset]["free"])) == Decimal(free)
        assert Decimal(str(balance[asset]["used"])) == Decimal(locked)
    # and the server's balances moved exactly by the fills and commissions
    orders = [control_order(server, o["id"]) for o in (ioc, market, sell)]
    eth = Decimal(before["ETH"][0])
    usdt = Decimal(before["USDT"][0])
    for row in orders:
        for fill in row["fills"]:
            qty, quote, fee = Decimal(fill["qty"]), Decimal(fill["quoteQty"]), Decimal(fill["commission"])
            if row["side"] == "BUY":
                eth += qty - fee
                usdt -= quote
            else:
                eth -= qty
                usdt += quote - fee
    assert Decimal(after["ETH"][0]) == eth and Decimal(after["USDT"][0]) == usdt


def test_ccxt_signature_is_accepted_and_a_wrong_secret_refused(server):
    good = client(server)
    assert good.fetch_balance()["info"]["accountType"] == "SPOT"
    bad = client(server, secret="wrong-secret")
    with pytest.raises(ccxt.AuthenticationError) as raised:
        bad.fetch_balance()
    assert '"code":-1022' in str(raised.value)
