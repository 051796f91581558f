"""REST trading against the recorded book: order types, fees as OKX charges them, balances to the last unit,
the documented sCode errors, amend, the batch endpoints, and resting orders filled by the capture."""
from __future__ import annotations

from decimal import Decimal as D

from okx_fixtures import fresh, server  # noqa: F401  (fixtures)
from okx_client import MAIN, OTHER


def data(reply) -> list:
    body = reply.json()
    assert body["code"] == "0", body
    return body["data"]


def rejected(reply) -> dict:
    body = reply.json()
    assert reply.status_code == 200 and body["code"] == "1" and body["msg"] == "Operation failed.", body
    return body["data"][0]


def details(server, ord_id: str, creds=MAIN) -> dict:
    return data(server.signed("GET", "/api/v5/trade/order", creds, params={"instId": "BTC-USDT", "ordId": ord_id}))[0]


def test_limit_rests_is_found_and_canceled(fresh):
    server = fresh
    before = server.balances("main")
    ack = data(server.order(instId="BTC-USDT", side="buy", ordType="limit", px="20000", sz="0.01", clOrdId="rest1"))
    assert ack[0]["sCode"] == "0" and ack[0]["clOrdId"] == "rest1" and ack[0]["ordId"].isdigit()
    ord_id = ack[0]["ordId"]
    order = details(server, ord_id)
    assert (order["state"], order["px"], order["sz"], order["accFillSz"], order["avgPx"]) == \
        ("live", "20000", "0.01", "0", "")
    assert (order["tdMode"], order["instType"], order["feeCcy"], order["fee"]) == ("cash", "SPOT", "BTC", "0")
    avail, frozen = server.balances("main")["USDT"]
    assert D(frozen) == D("200") and D(avail) == D(before["USDT"][0]) - 200
    by_client = data(server.signed("GET", "/api/v5/trade/order", params={"instId": "BTC-USDT", "clOrdId": "rest1"}))
    assert by_client[0]["ordId"] == ord_id
    pending = data(server.signed("GET", "/api/v5/trade/orders-pending", params={"instType": "SPOT"}))
    assert [o["ordId"] for o in pending] == [ord_id]
    cancel = data(server.signed("POST", "/api/v5/trade/cancel-order", body={"instId": "BTC-USDT", "ordId": ord_id}))
    assert cancel[0]["sCode"] == "0" and cancel[0]["ordId"] == ord_id
    assert (details(server, ord_id)["state"], details(server, ord_id)["cancelSource"]) == ("canceled", "1")
    assert server.balances("main")["USDT"] == before["USDT"]
    again = rejected(server.signed("POST", "/api/v5/trade/cancel-order", body={"instId": "BTC-USDT", "ordId": ord_id}))
    assert again["sCode"] == "51400"
    missing = server.signed("GET", "/api/v5/trade/order", params={"instId": "BTC-USDT", "ordId": "1"}).json()
    assert missing == {"code": "51603", "msg": "Order does not exist.", "data": []}
    history = data(server.signed("GET", "/api/v5/trade/orders-history", params={"instType": "SPOT"}))
    assert ord_id in [o["ordId"] for o in history]


def test_ioc_takes_the_book_and_fees_follow_okx(fresh):
    server = fresh
    before = {ccy: D(v[0]) for ccy, v in server.balances("main").items()}
    book = server.book("BTC-USDT", 3)
    ask, bid = book["asks"][0], book["bids"][0]
    buy = data(server.order(instId="BTC-USDT", side="buy", ordType="ioc", px=ask[0], sz="0.01"))[0]["ordId"]
    order = details(server, buy)
    assert (order["state"], order["accFillSz"], order["avgPx"], order["fillPx"]) == ("filled", "0.01", ask[0], ask[0])
    assert order["feeCcy"] == "BTC" and D(order["fee"]) == D("-0.00001")       # 0.01 BTC x taker -0.001
    sell = data(server.order(instId="BTC-USDT", side="sell", ordType="ioc", px=bid[0], sz=bid[1]))[0]["ordId"]
    sold = details(server, sell)
    quote = D(bid[0]) * D(bid[1])
    assert sold["state"] == "filled" and sold["feeCcy"] == "USDT" and D(sold["fee"]) == quote * D("-0.001")
    after = {ccy: D(v[0]) for ccy, v in server.balances("main").items()}
    assert after["BTC"] == before["BTC"] + D("0.01") - D("0.00001") - D(bid[1])
    assert after["USDT"] == before["USDT"] - D(ask[0]) * D("0.01") + quote + D(sold["fee"])
    rows = data(server.signed("GET", "/api/v5/trade/fills", params={"instType": "SPOT", "instId": "BTC-USDT"}))
    mine = {row["ordId"]: row for row in rows}
    assert mine[buy]["execType"] == "T" and mine[buy]["fee"] == order["fee"] and mine[buy]["feeRate"] == "-0.001"
    assert mine[buy]["subType"] == "1" and mine[sell]["subType"] == "2" and mine[sell]["fillSz"] == bid[1]
    # the bid level is used up: another sell at that price finds nothing, and the IOC is canceled (source 14)
    again = data(server.order(instId="BTC-USDT", side="sell", ordType="ioc", px=bid[0], sz="0.001"))[0]["ordId"]
    assert (details(server, again)["state"], details(server, again)["cancelSource"], details(server, again)[
        "accFillSz"]) == ("canceled", "14", "0")


def test_fok_post_only_and_market(fresh):
    server = fresh
    ask = server.book("BTC-USDT", 1)["asks"][0]
    fok = data(server.order(instId="BTC-USDT", side="buy", ordType="fok", px=ask[0], sz="2"))[0]["ordId"]
    assert (details(server, fok)["state"], details(server, fok)["cancelSource"]) == ("canceled", "13")
    post = data(server.order(instId="BTC-USDT", side="buy", ordType="post_only", px="30300", sz="0.001"))[0]
    assert post["sCode"] == "0"        # accepted, then canceled instead of taking (docs: post_only)
    assert (details(server, post["ordId"])["state"], details(server, post["ordId"])["cancelSource"]) == \
        ("canceled", "31")
    maker = data(server.order(instId="BTC-USDT", side="buy", ordType="post_only", px="29000", sz="0.001"))[0]
    assert details(server, maker["ordId"])["state"] == "live"
    spent = data(server.order(instId="BTC-USDT", side="buy", ordType="market", sz="100"))[0]["ordId"]
    bought = details(server, spent)
    assert bought["tgtCcy"] == "quote_ccy" and bought["sz"] == "100" and bought["state"] == "filled"
    assert D(bought["accFillSz"]) * D(bought["avgPx"]) <= 100 and D(bought["accFillSz"]) > 0
    sold = data(server.order(instId="BTC-USDT", side="sell", ordType="market", sz="0.002"))[0]["ordId"]
    assert (details(server, sold)["tgtCcy"], details(server, sold)["accFillSz"]) == ("base_ccy", "0.002")
    base = data(server.order(instId="BTC-USDT", side="buy", ordType="market", sz="0.003", tgtCcy="base_ccy"))
    assert details(server, base[0]["ordId"])["accFillSz"] == "0.003"
    server.signed("POST", "/api/v5/trade/cancel-order", body={"instId": "BTC-USDT", "ordId": maker["ordId"]})


def test_documented_rejections(fresh):
    server = fresh
    order = {"instId": "BTC-USDT", "side": "buy", "ordType": "limit", "px": "20000"}
    cases = [
        ({**order, "sz": "100"}, "51008", "Order failed. Insufficient USDT balance in account"),
        ({**order, "sz": "0.000010005"}, "51121", "Order quantity must be a multiple of the lot size."),
        ({**order, "sz": "0.000001"}, "51020", "Your order should meet or exceed the minimum order amount."),
        ({**order, "sz": "0.001", "px": "20000.05"}, "51000", "Parameter px error"),
        ({**order, "sz": "0.001", "clOrdId": "not-alnum!"}, "51000", "Parameter clOrdId error"),
        ({**order, "sz": "0.001", "instId": "NOPE-USDT"}, "51001",
         "Instrument ID, Instrument ID code or Spread ID doesn't exist."),
        ({**order, "sz": "0.001", "ordType": "limit", "px": ""}, "51204",
         "The price for the limit order cannot be empty."),
        ({**order, "sz": "0.001", "side": "short"}, "51000", "Parameter side error"),
        ({**order, "sz": "-1"}, "51000", "Parameter sz error"),
    ]
    for args, code, message in cases:
        entry = rejected(server.order(**args))
        assert (entry["sCode"], entry["sMsg"]) == (code, message), args
        assert entry["ordId"] == ""
    assert rejected(server.order(**{**order, "sz": "100"}))["subCode"] == "1000"
    margin = rejected(server.signed("POST", "/api/v5/trade/order", body={**order, "sz": "0.001", "tdMode": "cross"}))
    assert margin["sCode"] == "51010"
    missing = server.signed("POST", "/api/v5/trade/order", body={**order, "tdMode": "cash"})
    assert (missing.status_code, missing.json()["code"]) == (400, "50014")
    assert "sz" in missing.json()["msg"]
    first = data(server.order(**{**order, "sz": "0.001", "clOrdId": "dup1"}))[0]
    duplicate = rejected(server.order(**{**order, "sz": "0.001", "clOrdId": "dup1"}))
    assert duplicate["sCode"] == "51016" and duplicate["clOrdId"] == "dup1"
    server.signed("POST", "/api/v5/trade/cancel-order", body={"instId": "BTC-USDT", "clOrdId": "dup1"})
    reused = data(server.order(**{**order, "sz": "0.001", "clOrdId": "dup1"}))[0]   # unique among pending only
    assert reused["ordId"] != first["ordId"]
    latest = data(server.signed("GET", "/api/v5/trade/order", params={"instId": "BTC-USDT", "clOrdId": "dup1"}))
    assert latest[0]["ordId"] == reused["ordId"]
    server.signed("POST", "/api/v5/trade/cancel-order", body={"instId": "BTC-USDT", "clOrdId": "dup1"})
    late = server.signed("POST", "/api/v5/trade/order", body={**order, "tdMode": "cash", "sz": "0.001"},
                         headers={"expTime": "1597026383085"})
    assert rejected(late)["sCode"] == "50037"          # the expTime header: the request's deadline has passed
    assert server.signed("POST", "/api/v5/trade/order", body=None).json()["code"] == "50000"
    bad_json = server.http.post(server.rest + "/api/v5/trade/order", data="{", headers={})
    assert bad_json.status_code == 400 and bad_json.json()["code"] == "50002"


def test_amend(fresh):
    server = fresh
    ord_id = data(server.order(instId="BTC-USDT", side="buy", ordType="limit", px="20000", sz="0.01"))[0]["ordId"]
    amended = data(server.signed("POST", "/api/v5/trade/amend-order",
                                 body={"instId": "BTC-USDT", "ordId": ord_id, "newPx": "21000", "newSz": "0.02",
                                       "reqId": "amend1"}))[0]
    assert (amended["sCode"], amended["reqId"], amended["ordId"]) == ("0", "amend1", ord_id)
    order = details(server, ord_id)
    assert (order["px"], order["sz"], order["state"]) == ("21000", "0.02", "live")
    assert D(server.balances("main")["USDT"][1]) == D("420")
    nothing = rejected(server.signed("POST", "/api/v5/trade/amend-order", body={"instId": "BTC-USDT", "ordId": ord_id}))
    assert nothing["sCode"] == "51500"
    server.signed("POST", "/api/v5/trade/cancel-order", body={"instId": "BTC-USDT", "ordId": ord_id})
    late = rejected(server.signed("POST", "/api/v5/trade/amend-order",
                                  body={"instId": "BTC-USDT", "ordId": ord_id, "newSz": "0.03"}))
    assert late["sCode"] == "51503"
    assert D(server.balances("main")["USDT"][1]) == 0


def test_batch_place_and_cancel(fresh):
    server = fresh
    good = {"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit", "px": "20000", "sz": "0.001"}
    reply = server.signed("POST", "/api/v5/trade/batch-orders",
                          body=[{**good, "clOrdId": "b1"}, {**good, "clOrdId": "b2"}, {**good, "sz": "0.0000001"}])
    body = reply.json()
    assert body["code"] == "2" and body["msg"] == "Bulk operation partially succeeded."
    assert [e["sCode"] for e in body["data"]] == ["0", "0", "51020"]
    canceled = server.signed("POST", "/api/v5/trade/cancel-batch-orders",
                             body=[{"instId": "BTC-USDT", "clOrdId": "b1"}, {"instId": "BTC-USDT", "clOrdId": "b2"}])
    assert canceled.json()["code"] == "0" and [e["clOrdId"] for e in canceled.json()["data"]] == ["b1", "b2"]
    too_many = server.signed("POST", "/api/v5/trade/batch-orders", body=[good] * 21).json()
    assert too_many["code"] == "51111"


def test_account_endpoints(fresh):
    server = fresh
    config = data(server.signed("GET", "/api/v5/account/config"))[0]
    assert (config["uid"], config["acctLv"], config["posMode"], config["perm"]) == \
        ("1001", "1", "net_mode", "read_only,trade")
    fee = data(server.signed("GET", "/api/v5/account/trade-fee", OTHER, params={"instType": "SPOT",
                                                                                "instId": "BTC-USDT"}))[0]
    assert (fee["feeGroup"][0]["maker"], fee["feeGroup"][0]["taker"], fee["level"]) == ("-0.0006", "-0.0009", "Lv1")
    assert server.signed("GET", "/api/v5/account/trade-fee").json()["code"] == "50014"
    balance = data(server.signed("GET", "/api/v5/account/balance", OTHER))[0]
    rows = {d["ccy"]: d for d in balance["details"]}
    assert set(rows) == {"USDT", "BTC"} and rows["USDT"]["availBal"] == "50000" and rows["USDT"]["eq"] == "50000"
    only = data(server.signed("GET", "/api/v5/account/balance", OTHER, params={"ccy": "BTC"}))[0]["details"]
    assert [d["ccy"] for d in only] == ["BTC"] and only[0]["frozenBal"] == "0"


def test_resting_orders_fill_as_maker_when_the_capture_crosses_them(fresh):
    server = fresh
    before = {ccy: D(v[0]) + D(v[1]) for ccy, v in server.balances("other").items()}
    buy = data(server.order(OTHER, instId="BTC-USDT", side="buy", ordType="limit", px="30230", sz="0.01"))[0]["ordId"]
    sell = data(server.order(OTHER, instId="BTC-USDT", side="sell", ordType="limit", px="30250", sz="0.01"))[0]
    server.advance(events=1000)          # the capture's ask later falls to 30220.1 and its bid rises to 30251.7
    bought = details(server, buy, OTHER)
    sold = details(server, sell["ordId"], OTHER)
    assert (bought["state"], bought["avgPx"], bought["fee"]) == ("filled", "30230", "-0.000006")   # maker -0.0006
    assert (sold["state"], sold["avgPx"]) == ("filled", "30250") and D(sold["fee"]) == D("302.5") * D("-0.0006")
    fills = data(server.signed("GET", "/api/v5/trade/fills", OTHER, params={"instType": "SPOT"}))
    assert {row["execType"] for row in fills} == {"M"}
    after = {ccy: D(v[0]) + D(v[1]) for ccy, v in server.balances("other").items()}
    assert after["BTC"] == before["BTC"] + D("0.01") - D("0.000006") - D("0.01")
    assert after["USDT"] == before["USDT"] - D("302.3") + D("302.5") + D(sold["fee"])
