"""Signed REST trading against scripted books: signing, order matching exactness, positions, margin and reduce-only
refusals, settings, funding settlement exact, income."""
from __future__ import annotations

import time
from decimal import Decimal

from usdm_client import MAIN, OTHER, POOR
from usdm_fixtures import fresh, server  # noqa: F401  (fixtures)

D = Decimal
BTC_BIDS = [["30000.00", "1.000"], ["29990.00", "2.000"]]
BTC_ASKS = [["30010.00", "0.500"], ["30020.00", "1.000"]]


def reset(server, symbol="BTCUSDT", bids=BTC_BIDS, asks=BTC_ASKS):
    """The book exactly these levels, with nothing of it consumed by earlier tests."""
    server.script(symbol, [], [])
    server.script(symbol, bids, asks)
    server.control("POST", "/control/funding", {"symbol": symbol, "markPrice": None, "indexPrice": None})


def wallet(server, name="main") -> Decimal:
    return D(server.account(name)["walletBalance"])


def position(server, name="main", symbol="BTCUSDT") -> dict:
    rows = [p for p in server.control("GET", f"/control/positions?account={name}") if p["symbol"] == symbol]
    return rows[0] if rows else {"positionAmt": "0", "entryPrice": "0"}


def flatten(server, creds=MAIN, name="main", symbol="BTCUSDT"):
    amount = D(position(server, name, symbol)["positionAmt"])
    if amount:
        reset(server, symbol, [["29000.00", "100.000"]], [["31000.00", "100.000"]])
        side = "SELL" if amount > 0 else "BUY"
        assert server.order(creds, symbol=symbol, side=side, type="MARKET", quantity=str(abs(amount)),
                            reduceOnly="true").status_code == 200
    server.signed("DELETE", "/fapi/v1/allOpenOrders", creds, symbol=symbol)


def test_signing_and_timing_refusals(fresh):
    ok = fresh.signed("GET", "/fapi/v2/account")
    assert ok.status_code == 200 and ok.json()["totalWalletBalance"] == "100000.00000000"
    assert fresh.signed("GET", "/fapi/v2/account", in_body=False, secret="wrong").json()["code"] == -1022
    stale = fresh.signed("GET", "/fapi/v2/account", timestamp=int(time.time() * 1000) - 6000)
    assert stale.json() == {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."}
    assert fresh.signed("GET", "/fapi/v2/account", timestamp=int(time.time() * 1000) - 6000,
                        recvWindow=10000).status_code == 200
    ahead = fresh.signed("GET", "/fapi/v2/account", timestamp=int(time.time() * 1000) + 5000)
    assert ahead.json()["code"] == -1021
    unknown = fresh.signed("GET", "/fapi/v2/account", ("nobodyKey", "x"))
    assert unknown.status_code == 401 and unknown.json()["code"] == -2015
    assert fresh.http.get(fresh.rest + "/fapi/v2/account", headers={"X-MBX-APIKEY": MAIN[0]}).json()["code"] == -1102
    # a POST signed over its form body, as ccxt and the docs' example 2 do
    body = fresh.signed("POST", "/fapi/v1/leverage", in_body=True, symbol="BTCUSDT", leverage="10")
    assert body.status_code == 200 and body.json()["leverage"] == 10


def test_limit_ioc_walks_the_book_exactly(fresh):
    reset(fresh)
    before = wallet(fresh)
    answer = fresh.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="IOC", quantity="0.800",
                         price="30020.00", newClientOrderId="ioc-1", newOrderRespType="RESULT")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["status"], body["executedQty"], body["cumQuote"]) == ("FILLED", "0.800", "24011.00000000")
    assert D(body["avgPrice"]) == D("30013.75") and body["clientOrderId"] == "ioc-1"
    assert body["positionSide"] == "BOTH" and body["reduceOnly"] is False
    assert answer.headers["X-MBX-ORDER-COUNT-10S"] == "1" and answer.headers["X-MBX-ORDER-COUNT-1M"] == "1"
    commission = D("30010") * D("0.5") * D("0.0004") + D("30020") * D("0.3") * D("0.0004")
    assert commission == D("9.6044")
    assert wallet(fresh) == before - commission
    pos = position(fresh)
    assert D(pos["positionAmt"]) == D("0.8") and D(pos["entryPrice"]) == D("30013.75")
    trades = fresh.signed("GET", "/fapi/v1/userTrades", symbol="BTCUSDT").json()
    assert [(t["price"], t["qty"], t["commission"], t["maker"], t["buyer"]) for t in trades[-2:]] == \
        [("30010.00", "0.500", "6.00200000", False, True), ("30020.00", "0.300", "3.60240000", False, True)]
    # the rest of an IOC that cannot fill expires; the consumed liquidity is gone until the book sets it again
    second = fresh.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="IOC", quantity="1.000",
                         price="30020.00", newOrderRespType="RESULT").json()
    assert (second["status"], second["executedQty"]) == ("EXPIRED", "0.700")
    # closing at a loss realizes exactly (fill - entry) x qty
    before = wallet(fresh)
    sell = fresh.order(symbol="BTCUSDT", side="SELL", type="MARKET", quantity="0.300", reduceOnly="true",
                       newOrderRespType="RESULT").json()
    assert (sell["status"], sell["avgPrice"]) == ("FILLED", "30000.00000000")
    pos_after = position(fresh)
    entry = (D("0.8") * D("30013.75") + D("0.7") * D("30020")) / D("1.5")
    realized = (D("0.3") * (D("30000") - entry)).quantize(D("0.00000001"))
    assert D(pos_after["positionAmt"]) == D("1.2") and D(pos_after["entryPrice"]) == entry
    assert wallet(fresh) == before + realized - D("30000") * D("0.3") * D("0.0004")
    income = fresh.signed("GET", "/fapi/v1/income", symbol="BTCUSDT", incomeType="REALIZED_PNL").json()
    assert D(income[-1]["income"]) == realized and income[-1]["asset"] == "USDT"
    flatten(fresh)


def test_reduce_only_refusals_and_caps(fresh):
    flatten(fresh)
    reset(fresh)
    refused = fresh.order(symbol="BTCUSDT", side="SELL", type="MARKET", quantity="0.100", reduceOnly="true")
    assert refused.status_code == 400 and refused.json() == {"code": -2022, "msg": "ReduceOnly Order is rejected."}
    assert fresh.order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.200").status_code == 200
    grows = fresh.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.100",
                        price="29000.00", reduceOnly="true")
    assert grows.json()["code"] == -2022                       # would increase the long
    capped = fresh.order(symbol="BTCUSDT", side="SELL", type="MARKET", quantity="1.000", reduceOnly="true",
                         newOrderRespType="RESULT").json()
    assert (capped["status"], capped["executedQty"]) == ("EXPIRED", "0.200")   # only what reduces, the rest expires
    assert D(position(fresh)["positionAmt"]) == 0


def test_margin_insufficient_min_notional_fok_gtx_and_grid(fresh):
    reset(fresh)
    rests = fresh.order(POOR, symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.008",
                        price="29000.00")
    assert rests.status_code == 200 and rests.json()["status"] == "NEW"     # margin 232 / 5 = 46.4 of 50
    account = fresh.signed("GET", "/fapi/v2/account", POOR).json()
    assert D(account["totalOpenOrderInitialMargin"]) == D("46.4") and D(account["availableBalance"]) == D("3.6")
    more = fresh.order(POOR, symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.001",
                       price="29000.00")
    assert more.json() == {"code": -2019, "msg": "Margin is insufficient."}
    fresh.signed("DELETE", "/fapi/v1/allOpenOrders", POOR, symbol="BTCUSDT")
    reset(fresh, "ETHUSDT", [["2000.00", "10.000"]], [["2001.00", "10.000"]])
    small = fresh.order(symbol="ETHUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.002",
                        price="2000.00")
    assert small.json()["code"] == -4164 and "no smaller than 5" in small.json()["msg"]
    fok = fresh.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="FOK", quantity="2.000",
                      price="30020.00", newClientOrderId="fok-1")
    assert fok.json()["code"] == -5021
    assert not [o for o in fresh.orders() if o["clientOrderId"] == "fok-1"]   # not recorded
    gtx = fresh.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTX", quantity="0.100",
                      price="30010.00")
    assert gtx.json()["code"] == -5022
    assert fresh.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.100",
                       price="30000.005").json()["code"] == -1111
    assert fresh.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.0015",
                       price="30000.00").json()["code"] == -1111
    assert fresh.order(symbol="SUSHIUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="10",
                       price="7.6005").json()["code"] == -4014   # 4 decimals allowed, tick 0.001
    high = fresh.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.100",
                       price="40000.00").json()
    assert high["code"] == -4016                                # PERCENT_PRICE against the mark
    assert fresh.order(symbol="BTCUSDT", side="BUY", type="STOP", quantity="0.1").json()["code"] == -1116
    assert fresh.order(symbol="BTCUSDT", side="BUY", type="LIMIT", quantity="0.1",
                       price="30000.00").json()["code"] == -1102


def test_resting_order_fills_as_maker_when_the_book_crosses_it(fresh):
    flatten(fresh)
    reset(fresh)
    placed = fresh.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.200",
                         price="30005.00", newClientOrderId="rest-1").json()
    assert placed["status"] == "NEW"
    duplicate = fresh.order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.200",
                            price="29000.00", newClientOrderId="rest-1")
    assert duplicate.json() == {"code": -4116, "msg": "ClientOrderId is duplicated."}
    before = wallet(fresh)
    fresh.script("BTCUSDT", BTC_BIDS, [["30004.00", "0.100"], ["30010.00", "0.500"]])
    order = fresh.signed("GET", "/fapi/v1/order", symbol="BTCUSDT", origClientOrderId="rest-1").json()
    assert (order["status"], order["executedQty"], order["avgPrice"]) == ("PARTIALLY_FILLED", "0.100",
                                                                           "30005.00000000")
    assert wallet(fresh) == before - D("30005") * D("0.1") * D("0.0002")    # maker rate, at its own price
    assert [o["clientOrderId"] for o in fresh.signed("GET", "/fapi/v1/openOrders", symbol="BTCUSDT").json()] == \
        ["rest-1"]
    canceled = fresh.signed("DELETE", "/fapi/v1/order", symbol="BTCUSDT", orderId=placed["orderId"]).json()
    assert canceled["status"] == "CANCELED" and canceled["executedQty"] == "0.100"
    again = fresh.signed("DELETE", "/fapi/v1/order", symbol="BTCUSDT", orderId=placed["orderId"])
    assert again.json() == {"code": -2011, "msg": "Unknown order sent."}
    missing = fresh.signed("GET", "/fapi/v1/order", symbol="BTCUSDT", orderId="42")
    assert missing.json() == {"code": -2013, "msg": "Order does not exist."}
    assert [o["status"] for o in fresh.signed("GET", "/fapi/v1/allOrders", symbol="BTCUSDT").json()][-1] == \
        "CANCELED"
    flatten(fresh)


def test_position_risk_account_and_settings(fresh):
    flatten(fresh)
    reset(fresh)
    assert fresh.order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.400").status_code == 200
    fresh.control("POST", "/control/funding", {"symbol": "BTCUSDT", "markPrice": "30100"})
    risk = fresh.signed("GET", "/fapi/v2/positionRisk", symbol="BTCUSDT").json()
    assert len(risk) == 1
    row = risk[0]
    assert (row["positionAmt"], row["entryPrice"], row["markPrice"]) == ("0.400", "30010.00000000",
                                                                        "30100.00000000")
    assert D(row["unRealizedProfit"]) == D("0.4") * (D("30100") - D("30010"))
    assert (row["leverage"], row["marginType"], row["positionSide"]) == ("10", "cross", "BOTH")
    account = fresh.signed("GET", "/fapi/v2/account").json()
    assert D(account["totalPositionInitialMargin"]) == D("0.4") * D("30100") / 10
    assert D(account["totalMaintMargin"]) == D("0.4") * D("30100") * D("0.004")
    assert D(account["totalMarginBalance"]) == D(account["totalWalletBalance"]) + D("36")
    v3 = fresh.signed("GET", "/fapi/v3/account").json()
    assert [p["symbol"] for p in v3["positions"]] == ["BTCUSDT"]
    assert fresh.signed("GET", "/fapi/v3/positionRisk").json()[0]["positionAmt"] == "0.400"
    brackets = fresh.signed("GET", "/fapi/v1/leverageBracket", symbol="BTCUSDT").json()
    assert brackets["brackets"][0] == {"bracket": 1, "initialLeverage": 125, "notionalCap": 50000,
                                       "notionalFloor": 0, "maintMarginRatio": 0.004, "cum": 0.0}
    assert brackets["brackets"][2]["cum"] == 1300.0
    assert fresh.signed("GET", "/fapi/v1/commissionRate", symbol="BTCUSDT").json() == \
        {"symbol": "BTCUSDT", "makerCommissionRate": "0.0002", "takerCommissionRate": "0.0004"}
    assert fresh.signed("POST", "/fapi/v1/leverage", symbol="BTCUSDT", leverage="150").json()["code"] == -4028
    assert fresh.signed("POST", "/fapi/v1/leverage", symbol="BTCUSDT", leverage="20").json() == \
        {"leverage": 20, "maxNotionalValue": "10000000", "symbol": "BTCUSDT"}
    assert fresh.signed("POST", "/fapi/v1/marginType", symbol="BTCUSDT", marginType="CROSSED").json()["code"] == -4046
    assert fresh.signed("POST", "/fapi/v1/marginType", symbol="BTCUSDT", marginType="ISOLATED").json()["code"] == -4048
    assert fresh.signed("GET", "/fapi/v1/positionSide/dual").json() == {"dualSidePosition": False}
    assert fresh.signed("POST", "/fapi/v1/positionSide/dual", dualSidePosition="true").json()["code"] == -4068
    assert fresh.order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001",
                       positionSide="LONG").json()["code"] == -4061
    flatten(fresh)
    assert fresh.signed("POST", "/fapi/v1/positionSide/dual", dualSidePosition="true").json() == \
        {"code": 200, "msg": "success"}
    assert fresh.order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001").json()["code"] == -4061
    assert fresh.signed("POST", "/fapi/v1/positionSide/dual", dualSidePosition="false").json()["code"] == 200
    assert fresh.signed("POST", "/fapi/v1/leverage", symbol="BTCUSDT", leverage="10").status_code == 200


def test_funding_settlement_is_exact(fresh):
    flatten(fresh)
    flatten(fresh, OTHER, "other")
    reset(fresh, bids=[["30000.00", "5.000"]], asks=[["30010.00", "5.000"]])
    assert fresh.order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.500").status_code == 200
    assert fresh.order(OTHER, symbol="BTCUSDT", side="SELL", type="MARKET", quantity="0.100").status_code == 200
    next_time = fresh.public("/fapi/v1/premiumIndex", symbol="BTCUSDT").json()["nextFundingTime"]
    fresh.control("POST", "/control/funding", {"symbol": "BTCUSDT", "rate": "0.00012345", "markPrice": "30123.45"})
    long_before, short_before = wallet(fresh), wallet(fresh, "other")
    settled = fresh.control("POST", "/control/settle_funding", {"symbol": "BTCUSDT"})
    long_fee = (D("0.5") * D("30123.45") * D("0.00012345")).quantize(D("0.00000001"))
    short_fee = (D("0.1") * D("30123.45") * D("0.00012345")).quantize(D("0.00000001"))
    assert wallet(fresh) == long_before - long_fee               # the long pays a positive rate ...
    assert wallet(fresh, "other") == short_before + short_fee    # ... to the short
    assert {row["account"]: D(row["income"]) for row in settled["rows"]} == {"main": -long_fee,
                                                                             "other": short_fee}
    income = fresh.signed("GET", "/fapi/v1/income", incomeType="FUNDING_FEE").json()
    assert D(income[-1]["income"]) == -long_fee and income[-1]["symbol"] == "BTCUSDT"
    history = fresh.public("/fapi/v1/fundingRate", symbol="BTCUSDT").json()
    assert history[-1] == {"symbol": "BTCUSDT", "fundingRate": "0.00012345", "fundingTime": next_time,
                           "markPrice": "30123.45000000"}
    assert fresh.public("/fapi/v1/premiumIndex", symbol="BTCUSDT").json()["nextFundingTime"] == \
        next_time + 8 * 3600_000
    negative = fresh.control("POST", "/control/funding", {"symbol": "BTCUSDT", "rate": "-0.0003"})
    assert negative["lastFundingRate"] == "-0.00030000"
    before = wallet(fresh)
    fresh.control("POST", "/control/settle_funding", {"symbol": "BTCUSDT"})
    assert wallet(fresh) == before + D("0.5") * D("30123.45") * D("0.0003")   # shorts pay longs
    flatten(fresh)
    flatten(fresh, OTHER, "other")
