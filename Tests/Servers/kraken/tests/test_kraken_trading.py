"""Trading through REST against the replayed book: exact taker fills, fees in quote (default) or base (fcib),
balances and holds, post-only, IOC, the order rules as Kraken spells their errors, cancel by cl_ord_id, queries."""
from __future__ import annotations

from decimal import Decimal

from kraken_client import OTHER
from kraken_fixtures import fresh, server  # noqa: F401  (fixtures)

D = Decimal


def levels(server, symbol: str, side: str, depth: int = 10) -> list[tuple[Decimal, Decimal]]:
    truth = server.book(symbol, depth)
    consumed = {D(p): D(q) for p, q in truth["consumed"][side].items()}
    return [(D(p), D(q) - consumed.get(D(p), D(0))) for p, q in truth[side]]


def test_ioc_taker_buy_walks_levels_exactly(fresh):
    server = fresh
    asks = levels(server, "BTC/CHF", "asks")
    volume = asks[0][1] + asks[1][1] + D("0.00001234")
    before = server.balances()
    placed = server.private("AddOrder", pair="XBTCHF", type="buy", ordertype="limit", price=str(asks[2][0]),
                            volume=str(volume), timeinforce="IOC", cl_ord_id="ioc-buy-1", userref="42")
    assert placed["error"] == [] and placed["result"]["descr"]["order"].startswith("buy ")
    txid = placed["result"]["txid"][0]
    cost = asks[0][0] * asks[0][1] + asks[1][0] * asks[1][1] + asks[2][0] * D("0.00001234")
    fee = cost * D("0.26") / 100
    after = server.balances()
    assert D(after["CHF"][0]) == D(before["CHF"][0]) - cost - fee and D(after["CHF"][1]) == 0
    assert D(after["XXBT"][0]) == D(before["XXBT"][0]) + volume
    order = server.private("QueryOrders", cl_ord_id="ioc-buy-1", trades="true")["result"][txid]
    assert order["status"] == "closed" and D(order["vol_exec"]) == volume and order["userref"] == 42
    assert D(order["cost"]) == cost and D(order["fee"]) == fee and len(order["trades"]) == 3
    assert D(order["price"]) == cost / volume and order["cl_ord_id"] == "ioc-buy-1"
    trades = server.private("TradesHistory")["result"]["trades"]
    mine = sorted((t for t in trades.values() if t["ordertxid"] == txid), key=lambda t: t["trade_id"])
    assert [D(t["price"]) for t in mine] == [a[0] for a in asks[:3]] and not any(t["maker"] for t in mine)
    assert sum(D(t["fee"]) for t in mine) == fee
    # the liquidity taken stays used: the same levels are now smaller for the next order
    assert levels(server, "BTC/CHF", "asks")[2][1] == asks[2][1] - D("0.00001234")


def test_ioc_sell_fee_in_base_and_leftover_canceled(fresh):
    server = fresh
    bids = levels(server, "XMR/USD", "bids")
    first = min(bids[0][1], D("20"))
    volume = first + D("0.5")
    before = server.balances()
    placed = server.private("AddOrder", pair="XMRUSD", type="sell", ordertype="limit", price=str(bids[0][0]),
                            volume=str(volume), timeinforce="IOC", oflags="fcib")
    txid = placed["result"]["txid"][0]
    order = server.private("QueryOrders", txid=txid)["result"][txid]
    filled = D(order["vol_exec"])
    assert filled == min(volume, bids[0][1]) and "fcib" in order["oflags"]
    if filled < volume:
        assert order["status"] == "canceled" and order["reason"] == "Order killed"
    fee = filled * D("0.26") / 100                     # fcib: the fee is charged in the base currency
    assert D(order["fee"]) == fee and D(order["cost"]) == filled * bids[0][0]
    after = server.balances()
    assert D(after["XXMR"][0]) == D(before["XXMR"][0]) - filled - fee and D(after["XXMR"][1]) == 0
    assert D(after["ZUSD"][0]) == D(before["ZUSD"][0]) + filled * bids[0][0]


def test_post_only_rest_hold_cancel_by_cl_ord_id(fresh):
    server = fresh
    asks, bids = levels(server, "BTC/CHF", "asks"), levels(server, "BTC/CHF", "bids")
    best_ask = next(price for price, qty in asks if qty > 0)       # earlier tests took the first levels
    taking = server.private("AddOrder", pair="XBTCHF", type="buy", ordertype="limit", price=str(best_ask),
                            volume="0.001", oflags="post", cl_ord_id="post-take")
    txid = taking["result"]["txid"][0]
    order = server.private("QueryOrders", txid=txid)["result"][txid]
    assert order["status"] == "canceled" and order["reason"] == "Post only order" and order["vol_exec"] == \
        "0.00000000"
    price, before = bids[0][0] - 100, server.balances()
    resting = server.private("AddOrder", pair="XBTCHF", type="buy", ordertype="limit", price=str(price),
                             volume="0.01", oflags="post", cl_ord_id="post-rest")
    rest_id = resting["result"]["txid"][0]
    hold = price * D("0.01") * (1 + D("0.0026"))
    assert D(server.balances()["CHF"][1]) == hold and server.balances()["CHF"][0] == before["CHF"][0]
    ex = server.private("BalanceEx")["result"]["CHF"]
    assert D(ex["hold_trade"]) == hold
    opened = server.private("OpenOrders", cl_ord_id="post-rest")["result"]["open"]
    assert list(opened) == [rest_id] and opened[rest_id]["status"] == "open"
    assert server.private("AddOrder", pair="XBTCHF", type="buy", ordertype="limit", price=str(price),
                          volume="0.01", cl_ord_id="post-rest")["error"] == ["EOrder:Duplicate order"]
    assert server.private("CancelOrder", cl_ord_id="post-rest")["result"] == {"count": 1}
    assert D(server.balances()["CHF"][1]) == 0
    closed = server.private("ClosedOrders")["result"]
    assert closed["closed"][rest_id]["status"] == "canceled" and closed["closed"][rest_id]["reason"] == \
        "User requested"
    assert server.private("CancelOrder", txid="OABCDE-FGHIJ-KLMNOP") == {"error": ["EOrder:Unknown order"]}


def test_order_rules(fresh):
    server = fresh
    def add(creds=None, **fields):
        base = {"pair": "XBTCHF", "type": "buy", "ordertype": "limit", "price": "40000", "volume": "0.001"}
        return server.private("AddOrder", **({"creds": creds} if creds else {}), **{**base, **fields})["error"]
    assert add(creds=OTHER, volume="1") == ["EOrder:Insufficient funds"]
    assert add(volume="0.0001") == ["EOrder:Order minimum not met"]
    assert add(pair="XMRUSD", price="1", volume="0.1") == ["EOrder:Cost minimum not met"]
    assert add(price="40000.05") == ["EOrder:Tick size check failed"]
    assert add(pair="XBTUSD") == ["EQuery:Unknown asset pair"]
    assert add(type="hold") == ["EGeneral:Invalid arguments:type"]
    assert add(volume="0.000000001") == ["EGeneral:Invalid arguments:volume"]
    assert add(ordertype="stop-loss") == ["EGeneral:Invalid arguments:ordertype"]
    before = server.balances()
    checked = server.private("AddOrder", pair="XBTCHF", type="buy", ordertype="limit", price="40000",
                             volume="0.001", validate="true")
    assert checked["error"] == [] and "txid" not in checked["result"] and server.balances() == before


def test_market_order_and_trade_volume(fresh):
    server = fresh
    bids = levels(server, "ETH/CHF", "bids")
    placed = server.private("AddOrder", pair="ETHCHF", type="sell", ordertype="market", volume="0.01")
    txid = placed["result"]["txid"][0]
    order = server.private("QueryOrders", txid=txid)["result"][txid]
    assert order["status"] == "closed" and D(order["cost"]) == bids[0][0] * D("0.01")
    assert order["descr"]["ordertype"] == "market"
    volume = server.private("TradeVolume", pair="XBTCHF,XMRUSD")["result"]
    assert volume["fees"]["XBTCHF"]["fee"] == "0.2600" and volume["fees_maker"]["XXMRZUSD"]["fee"] == "0.1600"


def test_resting_orders_fill_as_maker_when_the_capture_crosses(fresh):
    server = fresh
    asks, bids = levels(server, "XMR/USD", "asks"), levels(server, "XMR/USD", "bids")
    tick = D("0.01")
    buy = server.private("AddOrder", pair="XMRUSD", type="buy", ordertype="limit", price=str(asks[0][0] - tick),
                         volume="0.1", cl_ord_id="maker-buy")["result"]["txid"][0]
    sell = server.private("AddOrder", pair="XMRUSD", type="sell", ordertype="limit", price=str(bids[0][0] + tick),
                          volume="0.1", cl_ord_id="maker-sell")["result"]["txid"][0]
    for _ in range(40):
        server.advance(updates=20, symbol="XMR/USD")
        rows = {o["txid"]: o for o in server.orders()}
        if rows[buy]["fills"] or rows[sell]["fills"]:
            break
    fills = [(rows[t], f) for t in (buy, sell) for f in rows[t]["fills"]]
    assert fills, "the capture never crossed either resting order"
    for order, fill in fills:
        assert fill["maker"] is True and D(fill["price"]) == D(order["descr"]["price"])
        assert D(fill["fee"]) == D(fill["cost"]) * D("0.16") / 100
    server.private("CancelAll")
