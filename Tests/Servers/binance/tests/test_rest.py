"""REST: public endpoints, weights, request security and order errors, as rest-api.md and errors.md document them."""
from __future__ import annotations

from decimal import Decimal

from client import now_ms
from conftest import DOC_KEY, MAIN_KEY, MAIN_SECRET, OTHER_KEY, OTHER_SECRET, READER_KEY, READER_SECRET


def test_public_endpoints_and_weights(fresh):
    s = fresh
    r = s.public("/api/v3/ping")
    assert r.status_code == 200 and r.json() == {}
    assert r.headers["X-MBX-USED-WEIGHT-1M"] == "1"
    assert abs(s.public("/api/v3/time").json()["serverTime"] - now_ms()) < 2000
    info = s.public("/api/v3/exchangeInfo").json()
    assert {x["symbol"] for x in info["symbols"]} == {"BTCUSDT", "ETHUSDT"}
    for symbol in info["symbols"]:
        assert symbol["status"] == "TRADING"
        kinds = {f["filterType"] for f in symbol["filters"]}
        assert {"PRICE_FILTER", "LOT_SIZE", "NOTIONAL", "MARKET_LOT_SIZE"} <= kinds
    assert s.public("/api/v3/exchangeInfo").headers["X-MBX-USED-WEIGHT-1M"] == str(1 + 1 + 20 + 20)
    used = int(s.public("/api/v3/time").headers["X-MBX-USED-WEIGHT-1M"])
    r = s.public("/api/v3/depth", symbol="BTCUSDT", limit=1000)
    assert int(r.headers["X-MBX-USED-WEIGHT-1M"]) == used + 50
    depth = r.json()
    assert len(depth["bids"]) == 1000 and depth["lastUpdateId"] == s.book("BTCUSDT")["lastUpdateId"]
    r = s.public("/api/v3/ticker/bookTicker", symbol="ETHUSDT")
    assert int(r.headers["X-MBX-USED-WEIGHT-1M"]) == used + 52
    top = s.book("ETHUSDT", 1)
    assert r.json() == {"symbol": "ETHUSDT", "bidPrice": top["bids"][0][0], "bidQty": top["bids"][0][1],
                        "askPrice": top["asks"][0][0], "askQty": top["asks"][0][1]}
    bad = s.public("/api/v3/depth", symbol="LTCBTC")
    assert bad.status_code == 400 and bad.json() == {"code": -1121, "msg": "Invalid symbol."}


def test_min_notional_variant(fresh):
    info = fresh.public("/api/v3/exchangeInfo", symbol="BTCUSDT").json()
    assert info["symbols"][0]["filters"][2]["filterType"] == "NOTIONAL"


def test_documented_signature_examples_are_accepted(fresh):
    """rest-api.md's HMAC examples, byte for byte: with the clock at the example's time, the signature passes and the
    request fails later, on the example's symbol (LTCBTC is not listed here)."""
    s = fresh
    example_ts = 1499827319559
    s.control("POST", "/control/fault", {"type": "clock_shift", "ms": example_ts - now_ms() + 100})
    body = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
    headers = {"X-MBX-APIKEY": DOC_KEY, "Content-Type": "application/x-www-form-urlencoded"}
    sig = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    as_body = s.http.post(s.rest + "/api/v3/order", data=f"{body}&signature={sig}", headers=headers)
    assert as_body.json() == {"code": -1121, "msg": "Invalid symbol."}
    as_query = s.http.post(s.rest + f"/api/v3/order?{body}&signature={sig.upper()}", headers=headers)
    assert as_query.json()["code"] == -1121            # the signature is not case sensitive
    mixed = s.http.post(s.rest + "/api/v3/order?symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
                        data="quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559&signature="
                             "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77", headers=headers)
    assert mixed.json()["code"] == -1121
    tampered = s.http.post(s.rest + "/api/v3/order", data=f"{body.replace('0.1', '0.2')}&signature={sig}",
                           headers=headers)
    assert tampered.json() == {"code": -1022, "msg": "Signature for this request is not valid."}
    s.control("POST", "/control/fault", {"type": "clear"})


def test_request_security_errors(fresh):
    s = fresh
    wrong = s.signed("GET", "/api/v3/account", MAIN_KEY, "not-the-secret")
    assert wrong.status_code == 400 and wrong.json()["code"] == -1022
    missing = s.http.get(s.rest + "/api/v3/account", params={"timestamp": now_ms(), "signature": "00"})
    assert missing.status_code == 401 and missing.json() == {"code": -2014, "msg": "API-key format invalid."}
    unknown = s.signed("GET", "/api/v3/account", "unknownKey123", MAIN_SECRET)
    assert unknown.status_code == 401
    assert unknown.json() == {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}
    stale = s.signed("GET", "/api/v3/account", MAIN_KEY, MAIN_SECRET, timestamp=now_ms() - 6000)
    assert stale.json() == {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."}
    ahead = s.signed("GET", "/api/v3/account", MAIN_KEY, MAIN_SECRET, timestamp=now_ms() + 1500)
    assert ahead.json() == {"code": -1021, "msg": "Timestamp for this request was 1000ms ahead of the server's time."}
    wide = s.signed("GET", "/api/v3/account", MAIN_KEY, MAIN_SECRET, {"recvWindow": 60001})
    assert wide.json()["code"] == -1102
    ok = s.signed("GET", "/api/v3/account", MAIN_KEY, MAIN_SECRET, {"recvWindow": 60000},
                  timestamp=now_ms() - 30000)
    assert ok.status_code == 200
    no_ts = s.http.get(s.rest + "/api/v3/account", headers={"X-MBX-APIKEY": MAIN_KEY})
    assert no_ts.json()["code"] == -1102
    # a read-only key cannot trade
    order = s.signed("POST", "/api/v3/order", READER_KEY, READER_SECRET,
                     {"symbol": "ETHUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.01"})
    assert order.status_code == 401 and order.json()["code"] == -2015


def test_api_restrictions_per_key(fresh):
    s = fresh
    main = s.signed("GET", "/sapi/v1/account/apiRestrictions", MAIN_KEY, MAIN_SECRET).json()
    other = s.signed("GET", "/sapi/v1/account/apiRestrictions", OTHER_KEY, OTHER_SECRET).json()
    reader = s.signed("GET", "/sapi/v1/account/apiRestrictions", READER_KEY, READER_SECRET).json()
    assert (main["enableReading"], main["enableSpotAndMarginTrading"], main["enableWithdrawals"]) == (True, True, False)
    assert other["enableWithdrawals"] is True
    assert reader["enableSpotAndMarginTrading"] is False
    s.control("POST", "/control/keys", {"apiKey": MAIN_KEY, "enableWithdrawals": True})
    assert s.signed("GET", "/sapi/v1/account/apiRestrictions", MAIN_KEY, MAIN_SECRET).json()["enableWithdrawals"]
    s.control("POST", "/control/keys", {"apiKey": MAIN_KEY, "enableWithdrawals": False})


def order(s, **params):
    return s.signed("POST", "/api/v3/order", OTHER_KEY, OTHER_SECRET, params)


def test_order_parameter_and_filter_errors(fresh):
    s = fresh
    ask = s.book("ETHUSDT", 1)["asks"][0][0]
    cases = [
        ({"symbol": "ETHUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.01", "price": ask},
         -1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed."),
        ({"symbol": "ETHUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01",
          "price": "2000.001"}, -1013, "Filter failure: PRICE_FILTER"),
        ({"symbol": "ETHUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.00001",
          "price": "2000"}, -1013, "Filter failure: LOT_SIZE"),
        ({"symbol": "ETHUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.001",
          "price": "2000"}, -1013, "Filter failure: NOTIONAL"),
        ({"symbol": "ETHUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.0100000001",
          "price": "2000"}, -1111, "Parameter 'quantity' has too much precision."),
        ({"symbol": "ETHUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "100",
          "price": "2000"}, -2010, "Account has insufficient balance for requested action."),
        ({"symbol": "ETHUSDT", "side": "BUY", "type": "MARKET"}, -1102,
         "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!"),
        ({"symbol": "ETHUSDT", "side": "UP", "type": "MARKET", "quantity": "1"}, -1117, "Invalid side."),
        ({"symbol": "ETHUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTD", "quantity": "0.01",
          "price": "2000"}, -1115, "Invalid timeInForce."),
        ({"symbol": "ETHUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01",
          "price": "2000", "newClientOrderId": "bad id!"}, -1100, None),
    ]
    for params, code, msg in cases:
        body = order(s, **params).json()
        assert body["code"] == code, (params, body)
        if msg:
            assert body["msg"] == msg
    first = order(s, symbol="ETHUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="2000",
                  newClientOrderId="dup-1")
    assert first.status_code == 200 and "X-MBX-ORDER-COUNT-10S" in first.headers
    assert "X-MBX-ORDER-COUNT-1D" in first.headers
    again = order(s, symbol="ETHUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="2000",
                  newClientOrderId="dup-1")
    assert again.json() == {"code": -2010, "msg": "Duplicate order sent."}
    missing = s.signed("GET", "/api/v3/order", OTHER_KEY, OTHER_SECRET, {"symbol": "ETHUSDT", "orderId": 999999})
    assert missing.json() == {"code": -2013, "msg": "Order does not exist."}
    cancel = s.signed("DELETE", "/api/v3/order", OTHER_KEY, OTHER_SECRET, {"symbol": "ETHUSDT", "orderId": 999999})
    assert cancel.json() == {"code": -2011, "msg": "Unknown order sent."}
    neither = s.signed("GET", "/api/v3/order", OTHER_KEY, OTHER_SECRET, {"symbol": "ETHUSDT"})
    assert neither.json()["code"] == -1102
    done = s.signed("DELETE", "/api/v3/openOrders", OTHER_KEY, OTHER_SECRET, {"symbol": "ETHUSDT"}, in_body=True)
    assert done.status_code == 200 and [o["status"] for o in done.json()] == ["CANCELED"]
    none_left = s.signed("DELETE", "/api/v3/openOrders", OTHER_KEY, OTHER_SECRET, {"symbol": "ETHUSDT"})
    assert none_left.json() == {"code": -2011, "msg": "Unknown order sent."}


def test_response_types_and_time_in_force(fresh):
    s = fresh
    book = s.book("ETHUSDT", 5)
    ask = book["asks"][0]
    result = order(s, symbol="ETHUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01",
                   price="2000", newOrderRespType="RESULT").json()
    assert result["status"] == "NEW" and "fills" not in result and result["workingTime"] > 0
    s.signed("DELETE", "/api/v3/order", OTHER_KEY, OTHER_SECRET, {"symbol": "ETHUSDT", "orderId": result["orderId"]})
    # FOK for more than the bids down to a price hold: nothing trades, the order expires (main has 20 ETH)
    cumulative, limit = Decimal(0), None
    for price, qty in s.book("ETHUSDT", 50)["bids"]:
        if cumulative + Decimal(qty) >= 19:
            break
        cumulative, limit = cumulative + Decimal(qty), price
    assert limit is not None
    too_much = str(cumulative + Decimal("0.5"))
    sell = dict(symbol="ETHUSDT", side="SELL", type="LIMIT", quantity=too_much, price=limit)
    fok = s.signed("POST", "/api/v3/order", MAIN_KEY, MAIN_SECRET, {**sell, "timeInForce": "FOK"}).json()
    assert fok["status"] == "EXPIRED" and fok["executedQty"] == "0.00000000" and fok["fills"] == []
    # IOC: the bids down to that price trade, the rest expires
    ioc = s.signed("POST", "/api/v3/order", MAIN_KEY, MAIN_SECRET, {**sell, "timeInForce": "IOC"}).json()
    assert ioc["status"] == "EXPIRED" and Decimal(ioc["executedQty"]) == cumulative
    maker = order(s, symbol="ETHUSDT", side="BUY", type="LIMIT_MAKER", quantity="0.01", price=ask[0]).json()
    assert maker == {"code": -2010, "msg": "Order would immediately match and take."}
    quote = order(s, symbol="ETHUSDT", side="BUY", type="MARKET", quoteOrderQty="100").json()
    assert quote["status"] == "FILLED" and Decimal(quote["cummulativeQuoteQty"]) <= 100
    assert quote["origQuoteOrderQty"] == "100.00000000"
    assert Decimal(quote["executedQty"]) % Decimal("0.0001") == 0          # LOT_SIZE step kept
