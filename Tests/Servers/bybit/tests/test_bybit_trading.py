"""Signed REST trading against scripted books: order matching with exact fees, one-way and hedge positions, the
documented refusals (110007, 110017, 110072, 110001, 110094, 10001), settings, executions, the transaction log and
funding settlement with exact amounts."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from bybit_client import MAIN, OTHER, POOR, code, ok
from bybit_fixtures import fresh, loosen, server  # noqa: F401  (fixtures)

D = Decimal
TAKER, MAKER = D("0.00055"), D("0.0002")
BTC_BIDS = [["30000.00", "1.000"], ["29990.00", "2.000"]]
BTC_ASKS = [["30010.00", "0.500"], ["30020.00", "1.000"]]


@pytest.fixture(autouse=True)
def bursts(server):
    loosen(server)


def reset(server, symbol="BTCUSDT", bids=BTC_BIDS, asks=BTC_ASKS):
    """The book exactly these levels, with nothing of it consumed by earlier tests; mark back to the mid."""
    server.script(symbol, [], [])
    server.script(symbol, bids, asks)
    server.control("POST", "/control/funding", {"symbol": symbol, "markPrice": None, "indexPrice": None,
                                                "lastPrice": None})


def wallet(server, name="main") -> Decimal:
    return D(server.account(name)["walletBalance"])


def position(server, creds=MAIN, symbol="BTCUSDT") -> dict:
    return ok(server.get("/v5/position/list", creds, category="linear", symbol=symbol))["list"][0]


def order_row(server, link: str, creds=MAIN, symbol="BTCUSDT") -> dict:
    rows = ok(server.get("/v5/order/realtime", creds, category="linear", symbol=symbol, orderLinkId=link))["list"]
    assert len(rows) == 1, rows
    return rows[0]


def flatten(server, creds=MAIN, name="main", symbol="BTCUSDT"):
    for row in server.control("GET", f"/control/positions?account={name}"):
        if row["symbol"] != symbol:
            continue
        amount = D(row["size"])
        reset(server, symbol, [["29990.00", "100.000"]], [["30010.00", "100.000"]])
        assert code(server.order(creds, symbol=symbol, side="Sell" if amount > 0 else "Buy", orderType="Market",
                                 qty=str(abs(amount)), reduceOnly=True, positionIdx=row["positionIdx"])) == 0
    ok(server.post("/v5/order/cancel-all", {"category": "linear", "symbol": symbol}, creds))


def test_ioc_walks_the_book_with_exact_fees_and_positions(fresh):
    flatten(fresh)
    reset(fresh)
    before = wallet(fresh)
    created = fresh.order(symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.800", price="30020.00",
                          timeInForce="IOC", orderLinkId="ioc-1")
    result = ok(created)
    assert set(result) == {"orderId", "orderLinkId"} and result["orderLinkId"] == "ioc-1"
    assert {"X-Bapi-Limit", "X-Bapi-Limit-Status", "X-Bapi-Limit-Reset-Timestamp"} <= set(created.headers)
    row = order_row(fresh, "ioc-1")
    fee = (D("30010") * D("0.5") + D("30020") * D("0.3")) * TAKER
    assert fee == D("13.20605")
    assert (row["orderStatus"], row["cumExecQty"], row["cumExecValue"], row["cumExecFee"], row["avgPrice"],
            row["leavesQty"], row["timeInForce"], row["positionIdx"]) == \
        ("Filled", "0.800", "24011", "13.20605", "30013.75", "0.000", "IOC", 0)
    assert wallet(fresh) == before - fee
    pos = position(fresh)
    assert (pos["side"], pos["size"], pos["avgPrice"], pos["curRealisedPnl"]) == ("Buy", "0.800", "30013.75",
                                                                                  "-13.20605")
    executions = ok(fresh.get("/v5/execution/list", category="linear", symbol="BTCUSDT", orderId=result["orderId"]))
    assert sorted((e["execPrice"], e["execQty"], e["execFee"], e["isMaker"], e["execType"], e["feeRate"])
                  for e in executions["list"]) == [("30010.00", "0.500", "8.25275", False, "Trade", "0.00055"),
                                                   ("30020.00", "0.300", "4.9533", False, "Trade", "0.00055")]
    # the rest of an IOC that cannot fill is cancelled; liquidity taken is gone until the book sets it again
    ok(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Limit", qty="1.000", price="30020.00", timeInForce="IOC",
                   orderLinkId="ioc-2"))
    rest = order_row(fresh, "ioc-2")
    assert (rest["orderStatus"], rest["cumExecQty"], rest["leavesQty"], rest["cancelType"], rest["rejectReason"]) == \
        ("Cancelled", "0.700", "0.000", "UNKNOWN", "EC_NoError")
    # closing realises (fill - avgPrice) x size; avgPrice is kept to 8 decimals
    entry = ((D("24011") + D("0.7") * D("30020")) / D("1.5")).quantize(D("0.00000001"), rounding=ROUND_HALF_UP)
    assert position(fresh)["avgPrice"] == str(entry) == "30016.66666667"
    before = wallet(fresh)
    ok(fresh.order(symbol="BTCUSDT", side="Sell", orderType="Market", qty="0.300", reduceOnly=True,
                   orderLinkId="close-1"))
    # Market: IOC at the last price (here the mid, 30005) - 3 % for BTC, rounded to the tick away from the book
    assert order_row(fresh, "close-1")["price"] == "29105.00"
    closed = D("0.3") * (D("30000") - entry)
    close_fee = D("30000") * D("0.3") * TAKER
    assert wallet(fresh) == before + closed - close_fee
    log = ok(fresh.get("/v5/account/transaction-log", accountType="UNIFIED", category="linear", type="TRADE"))
    latest = log["list"][0]
    assert (latest["symbol"], latest["side"], latest["qty"], latest["size"], latest["tradePrice"], latest["fee"],
            latest["cashFlow"], latest["change"], latest["cashBalance"]) == \
        ("BTCUSDT", "Sell", "0.300", "1.2", "30000.00", str(close_fee.normalize()), str(closed),
         str(closed - close_fee), str(wallet(fresh)))
    assert D(position(fresh)["curRealisedPnl"]) == -fee - D("0.7") * D("30020") * TAKER + closed - close_fee
    flatten(fresh)


def test_reduce_only_refusals_and_caps(fresh):
    flatten(fresh)
    reset(fresh)
    refused = fresh.order(symbol="BTCUSDT", side="Sell", orderType="Market", qty="0.100", reduceOnly=True)
    assert refused.json()["retCode"] == 110017 and refused.json()["retMsg"] == "Reduce-only rule not satisfied"
    ok(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.200"))
    assert code(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.100", price="29000.00",
                            reduceOnly=True)) == 110017          # would grow the long
    ok(fresh.order(symbol="BTCUSDT", side="Sell", orderType="Market", qty="1.000", reduceOnly=True,
                   orderLinkId="cap-1"))
    capped = order_row(fresh, "cap-1")
    assert (capped["orderStatus"], capped["cumExecQty"]) == ("Cancelled", "0.200")   # only what reduces
    assert position(fresh)["size"] == "0.000" and position(fresh)["side"] == ""
    # a resting reduce-only order is cancelled when the position it reduces is gone
    ok(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.100"))
    ok(fresh.order(symbol="BTCUSDT", side="Sell", orderType="Limit", qty="0.100", price="31000.00", reduceOnly=True,
                   orderLinkId="ro-rest"))
    ok(fresh.order(symbol="BTCUSDT", side="Sell", orderType="Market", qty="0.100"))
    gone = order_row(fresh, "ro-rest")
    assert (gone["orderStatus"], gone["cancelType"]) == ("Cancelled", "CancelByReduceOnly")


def test_margin_notional_post_only_fok_and_parameter_refusals(fresh):
    reset(fresh)
    ok(fresh.order(POOR, symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.008", price="29000.00"))
    balance = ok(fresh.get("/v5/account/wallet-balance", POOR, accountType="UNIFIED"))["list"][0]
    assert (D(balance["totalInitialMargin"]), D(balance["totalAvailableBalance"])) == (D("46.4"), D("3.6"))
    more = fresh.order(POOR, symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.001", price="29000.00")
    assert more.json()["retCode"] == 110007 and more.json()["retMsg"] == "ab not enough for new order"
    ok(fresh.post("/v5/order/cancel-all", {"category": "linear", "symbol": "BTCUSDT"}, POOR))
    reset(fresh, "ETHUSDT", [["2000.00", "10.00"]], [["2001.00", "10.00"]])
    small = fresh.order(symbol="ETHUSDT", side="Buy", orderType="Limit", qty="0.01", price="100.00")
    assert small.json()["retCode"] == 110094
    ok(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.100", price="30010.00",
                   timeInForce="PostOnly", orderLinkId="po-1"))
    post_only = order_row(fresh, "po-1")
    assert (post_only["orderStatus"], post_only["rejectReason"], post_only["cumExecQty"]) == \
        ("Cancelled", "EC_PostOnlyWillTakeLiquidity", "0.000")
    ok(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Limit", qty="2.000", price="30020.00",
                   timeInForce="FOK", orderLinkId="fok-1"))
    assert order_row(fresh, "fok-1")["orderStatus"] == "Cancelled"
    assert fresh.book("BTCUSDT")["consumed"] == {"bids": {}, "asks": {}}       # FOK took nothing
    for fields, message in (
            ({"price": "30000.25", "qty": "0.100"}, "tickSize"), ({"price": "30000.00", "qty": "0.0015"}, "qtyStep"),
            ({"price": "30000.00", "qty": "101.000"}, "maximum"), ({"qty": "0.100"}, "price is required")):
        answer = fresh.order(symbol="BTCUSDT", side="Buy", orderType="Limit", **fields).json()
        assert answer["retCode"] == 10001 and message in answer["retMsg"], answer
    assert code(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Stop", qty="0.1")) == 10001
    assert code(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.1", positionIdx=1)) == 10001
    assert code(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.1", reduceOnly="true")) == 10001
    assert code(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.1",
                            orderLinkId="x" * 37)) == 10001
    assert code(fresh.post("/v5/order/create", {"category": "spot", "symbol": "BTCUSDT", "side": "Buy",
                                                "orderType": "Market", "qty": "0.1"})) == 10001
    assert code(fresh.post("/v5/order/create", "{not json")) == 10001
    assert not [o for o in fresh.orders(symbol="BTCUSDT") if o["orderStatus"] in ("New", "PartiallyFilled")]


def test_resting_order_fills_as_maker_cancel_and_duplicates(fresh):
    flatten(fresh)
    reset(fresh)
    placed = ok(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.200", price="30005.00",
                            orderLinkId="rest-1"))
    assert order_row(fresh, "rest-1")["orderStatus"] == "New"
    duplicate = fresh.order(symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.200", price="29000.00",
                            orderLinkId="rest-1")
    assert duplicate.json()["retCode"] == 110072 and duplicate.json()["retMsg"] == "OrderLinkedID is duplicate"
    before = wallet(fresh)
    fresh.script("BTCUSDT", BTC_BIDS, [["30004.00", "0.100"], ["30010.00", "0.500"]])
    row = order_row(fresh, "rest-1")
    assert (row["orderStatus"], row["cumExecQty"], row["avgPrice"], row["leavesQty"], row["leavesValue"]) == \
        ("PartiallyFilled", "0.100", "30005", "0.100", "3000.5")
    assert wallet(fresh) == before - D("30005") * D("0.1") * MAKER              # maker rate, at its own price
    maker = ok(fresh.get("/v5/execution/list", category="linear", orderLinkId="rest-1"))["list"]
    assert [(e["execPrice"], e["isMaker"], e["feeRate"], e["execFee"]) for e in maker] == \
        [("30005.00", True, "0.0002", "0.6001")]
    listed = ok(fresh.get("/v5/order/realtime", category="linear", symbol="BTCUSDT"))["list"]
    assert [o["orderLinkId"] for o in listed] == ["rest-1"]
    canceled = ok(fresh.post("/v5/order/cancel", {"category": "linear", "symbol": "BTCUSDT",
                                                  "orderId": placed["orderId"]}))
    assert canceled == placed
    after = order_row(fresh, "rest-1")
    assert (after["orderStatus"], after["cumExecQty"], after["cancelType"]) == ("Cancelled", "0.100", "CancelByUser")
    again = fresh.post("/v5/order/cancel", {"category": "linear", "symbol": "BTCUSDT", "orderLinkId": "rest-1"})
    assert again.json()["retCode"] == 110001 and again.json()["retMsg"] == "Order does not exist"
    assert code(fresh.post("/v5/order/cancel", {"category": "linear", "symbol": "BTCUSDT", "orderId": "nope"})) == \
        110001
    assert code(fresh.post("/v5/order/cancel", {"category": "linear", "symbol": "BTCUSDT"})) == 10001
    history = ok(fresh.get("/v5/order/history", category="linear", symbol="BTCUSDT", orderLinkId="rest-1"))
    assert history["list"][0]["orderStatus"] == "Cancelled"
    closed = ok(fresh.get("/v5/order/realtime", category="linear", symbol="BTCUSDT", openOnly=1))["list"]
    assert "rest-1" in [o["orderLinkId"] for o in closed]
    # orderLinkId stays taken after the order is done (ids are unique per account here: see the README)
    assert code(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.100", price="29000.00",
                            orderLinkId="rest-1")) == 110072
    ok(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.100", price="29000.00", orderLinkId="a"))
    ok(fresh.order(symbol="BTCUSDT", side="Sell", orderType="Limit", qty="0.100", price="31000.00", orderLinkId="b"))
    done = ok(fresh.post("/v5/order/cancel-all", {"category": "linear", "symbol": "BTCUSDT"}))
    assert sorted(o["orderLinkId"] for o in done["list"]) == ["a", "b"] and done["success"] == "1"
    assert ok(fresh.get("/v5/order/realtime", category="linear", settleCoin="USDT"))["list"] == []
    assert code(fresh.get("/v5/order/realtime", category="linear")) == 10001
    flatten(fresh)


def test_positions_leverage_modes_and_account(fresh):
    flatten(fresh)
    reset(fresh)
    ok(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.400"))
    fresh.control("POST", "/control/funding", {"symbol": "BTCUSDT", "markPrice": "30100"})
    pos = position(fresh)
    assert (pos["size"], pos["avgPrice"], pos["markPrice"], pos["leverage"], pos["positionIdx"]) == \
        ("0.400", "30010", "30100.00", "10", 0)
    assert (D(pos["unrealisedPnl"]), D(pos["positionIM"]), D(pos["positionMM"]), D(pos["positionValue"])) == \
        (D("36"), D("1204"), D("60.2"), D("12004"))
    listed = ok(fresh.get("/v5/position/list", category="linear", settleCoin="USDT"))["list"]
    assert [p["symbol"] for p in listed] == ["BTCUSDT"]
    assert code(fresh.get("/v5/position/list", category="linear")) == 10001
    balance = ok(fresh.get("/v5/account/wallet-balance", accountType="UNIFIED"))["list"][0]
    assert D(balance["totalEquity"]) == D(balance["totalWalletBalance"]) + 36 and balance["accountType"] == "UNIFIED"
    assert D(balance["totalInitialMargin"]) == D("1204") and D(balance["totalMaintenanceMargin"]) == D("60.2")
    assert balance["coin"][0]["coin"] == "USDT" and D(balance["coin"][0]["unrealisedPnl"]) == 36
    assert code(fresh.get("/v5/account/wallet-balance", accountType="CONTRACT")) == 10001
    same = fresh.post("/v5/position/set-leverage", {"category": "linear", "symbol": "BTCUSDT", "buyLeverage": "10",
                                                    "sellLeverage": "10"})
    assert same.json()["retCode"] == 110043 and same.json()["retMsg"] == "Set leverage not modified"
    assert ok(fresh.post("/v5/position/set-leverage", {"category": "linear", "symbol": "BTCUSDT",
                                                       "buyLeverage": "20", "sellLeverage": "20"})) == {}
    assert D(position(fresh)["positionIM"]) == D("602")
    assert code(fresh.post("/v5/position/set-leverage", {"category": "linear", "symbol": "BTCUSDT",
                                                         "buyLeverage": "150", "sellLeverage": "150"})) == 10001
    assert code(fresh.post("/v5/position/set-leverage", {"category": "linear", "symbol": "BTCUSDT",
                                                         "buyLeverage": "5", "sellLeverage": "6"})) == 10001
    assert code(fresh.post("/v5/position/switch-mode", {"category": "linear", "symbol": "BTCUSDT", "mode": 3})) == \
        110024
    assert code(fresh.post("/v5/position/switch-mode", {"category": "linear", "symbol": "BTCUSDT", "mode": 0})) == \
        110025
    fee = ok(fresh.get("/v5/account/fee-rate", category="linear", symbol="BTCUSDT"))
    assert fee == {"list": [{"symbol": "BTCUSDT", "takerFeeRate": "0.00055", "makerFeeRate": "0.0002",
                             "baseCoin": ""}]}
    info = ok(fresh.get("/v5/account/info"))
    assert (info["unifiedMarginStatus"], info["marginMode"]) == (6, "REGULAR_MARGIN")
    fresh.control("POST", "/control/funding", {"symbol": "BTCUSDT", "markPrice": None})
    flatten(fresh)
    ok(fresh.post("/v5/position/set-leverage", {"category": "linear", "symbol": "BTCUSDT", "buyLeverage": "10",
                                                "sellLeverage": "10"}))


def test_hedge_mode_positions(fresh):
    flatten(fresh)
    reset(fresh)
    ok(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.100", price="29000.00", orderLinkId="h0"))
    assert code(fresh.post("/v5/position/switch-mode", {"category": "linear", "symbol": "BTCUSDT", "mode": 3})) == \
        110028
    ok(fresh.post("/v5/order/cancel-all", {"category": "linear", "symbol": "BTCUSDT"}))
    assert ok(fresh.post("/v5/position/switch-mode", {"category": "linear", "symbol": "BTCUSDT", "mode": 3})) == {}
    assert code(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.100")) == 10001   # idx 0
    ok(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.300", positionIdx=1))
    ok(fresh.order(symbol="BTCUSDT", side="Sell", orderType="Market", qty="0.200", positionIdx=2))
    rows = ok(fresh.get("/v5/position/list", category="linear", symbol="BTCUSDT"))["list"]
    assert [(r["positionIdx"], r["side"], r["size"]) for r in rows] == [(1, "Buy", "0.300"), (2, "Sell", "0.200")]
    # a Sell on the Buy side closes it and never goes through zero
    ok(fresh.order(symbol="BTCUSDT", side="Sell", orderType="Market", qty="0.500", positionIdx=1))
    rows = ok(fresh.get("/v5/position/list", category="linear", symbol="BTCUSDT"))["list"]
    assert [(r["positionIdx"], r["size"]) for r in rows] == [(1, "0.000"), (2, "0.200")]
    assert code(fresh.post("/v5/position/switch-mode", {"category": "linear", "symbol": "BTCUSDT", "mode": 0})) == \
        110024
    ok(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.200", positionIdx=2))
    assert ok(fresh.post("/v5/position/switch-mode", {"category": "linear", "coin": "USDT", "mode": 0})) == {}
    assert position(fresh)["positionIdx"] == 0


def test_funding_settlement_is_exact_for_both_sides(fresh):
    flatten(fresh)
    flatten(fresh, OTHER, "other")
    reset(fresh, bids=[["30000.00", "5.000"]], asks=[["30010.00", "5.000"]])
    ok(fresh.order(symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.500"))
    ok(fresh.order(OTHER, symbol="BTCUSDT", side="Sell", orderType="Market", qty="0.100"))
    next_time = int(ok(fresh.public("/v5/market/tickers", category="linear", symbol="BTCUSDT"))["list"][0][
        "nextFundingTime"])
    fresh.control("POST", "/control/funding", {"symbol": "BTCUSDT", "rate": "0.00012345", "markPrice": "30123.45"})
    long_before, short_before = wallet(fresh), wallet(fresh, "other")
    long_pnl = D(position(fresh)["curRealisedPnl"])
    settled = fresh.control("POST", "/control/settle_funding", {"symbol": "BTCUSDT"})
    long_fee = D("0.5") * D("30123.45") * D("0.00012345")
    short_fee = D("0.1") * D("30123.45") * D("0.00012345")
    assert long_fee == D("1.85936995125")
    assert wallet(fresh) == long_before - long_fee                 # the long pays a positive rate ...
    assert wallet(fresh, "other") == short_before + short_fee      # ... to the short
    assert {row["account"]: D(row["funding"]) for row in settled["rows"]} == {"main": -long_fee, "other": short_fee}
    assert D(position(fresh)["curRealisedPnl"]) == long_pnl - long_fee
    funding = ok(fresh.get("/v5/execution/list", category="linear", symbol="BTCUSDT", execType="Funding"))["list"]
    assert len(funding) == 1
    row = funding[0]
    assert (row["execType"], row["side"], row["execQty"], row["execPrice"], row["execValue"], row["feeRate"],
            row["execFee"], row["isMaker"]) == \
        ("Funding", "Buy", "0.500", "30123.45", "15061.725", "0.00012345", "1.85936995125", False)
    short = ok(fresh.get("/v5/execution/list", OTHER, category="linear", execType="Funding"))["list"][0]
    assert (short["side"], short["feeRate"], D(short["execFee"])) == ("Sell", "-0.00012345", -short_fee)
    log = ok(fresh.get("/v5/account/transaction-log", accountType="UNIFIED", type="SETTLEMENT"))["list"][0]
    assert (log["symbol"], log["side"], log["size"], log["funding"], log["fee"], log["change"], log["cashBalance"],
            log["feeRate"], log["tradePrice"]) == \
        ("BTCUSDT", "Buy", "0.5", "-1.85936995125", "0", "-1.85936995125", str(wallet(fresh)), "0.00012345",
         "30123.45")
    history = ok(fresh.public("/v5/market/funding/history", category="linear", symbol="BTCUSDT"))["list"][0]
    assert history == {"symbol": "BTCUSDT", "fundingRate": "0.00012345", "fundingRateTimestamp": str(next_time)}
    ticker = ok(fresh.public("/v5/market/tickers", category="linear", symbol="BTCUSDT"))["list"][0]
    assert ticker["nextFundingTime"] == str(next_time + 8 * 3600_000)
    fresh.control("POST", "/control/funding", {"symbol": "BTCUSDT", "rate": "-0.0003"})
    before = wallet(fresh)
    fresh.control("POST", "/control/settle_funding", {"symbol": "BTCUSDT"})
    assert wallet(fresh) == before + D("0.5") * D("30123.45") * D("0.0003")    # shorts pay longs
    fresh.control("POST", "/control/funding", {"symbol": "BTCUSDT", "rate": "0.0001", "markPrice": None})
    flatten(fresh)
    flatten(fresh, OTHER, "other")
