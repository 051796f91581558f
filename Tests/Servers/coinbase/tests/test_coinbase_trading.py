"""Orders against a scripted BTC-USDT book: exact fills, commission and balances; client_order_id idempotency;
failure reasons; get / list orders; fills with cursor pagination; batch_cancel; resting orders filled as maker."""
from __future__ import annotations

from decimal import Decimal as D

from coinbase_client import OTHER
from coinbase_fixtures import fresh, server  # noqa: F401

IOC = "sor_limit_ioc"


def script(server, bids, asks):
    return server.script("BTC-USDT", bids, asks)


def test_ioc_walks_the_book_exactly(fresh):
    script(fresh, [["49000.00", "0.5"]], [["50000.00", "0.1"], ["50001.00", "0.2"], ["50100.00", "1"]])
    before = fresh.balances()
    answer = fresh.order("BTC-USDT", "BUY", {IOC: {"base_size": "0.25", "limit_price": "50001.00"}}, "ioc-1")
    assert answer["success"] is True
    response = answer["success_response"]
    assert (response["product_id"], response["side"], response["client_order_id"]) == ("BTC-USDT", "BUY", "ioc-1")
    order = fresh.get(f"/orders/historical/{response['order_id']}")["order"]
    assert (order["status"], order["filled_size"], order["filled_value"], order["total_fees"]) == \
        ("FILLED", "0.25", "12500.15", "75.0009")
    assert order["time_in_force"] == "IMMEDIATE_OR_CANCEL" and order["order_type"] == "LIMIT"
    after = fresh.balances()
    assert after["USDT"][0] == before["USDT"][0] - D("12500.15") - D("75.0009")
    assert after["BTC"][0] == before["BTC"][0] + D("0.25")
    fills = fresh.get("/orders/historical/fills", order_ids=response["order_id"])["fills"]
    assert sorted((f["price"], f["size"], f["commission"]) for f in fills) == \
        [("50000", "0.1", "30"), ("50001", "0.15", "45.0009")]
    assert all(f["liquidity_indicator"] == "TAKER" and f["trade_type"] == "FILL" and f["side"] == "BUY"
               for f in fills)
    # IOC beyond the liquidity up to the limit: partial fill, rest cancelled
    partial = fresh.order("BTC-USDT", "BUY", {IOC: {"base_size": "0.2", "limit_price": "50001.00"}}, "ioc-2")
    order = fresh.get(f"/orders/historical/{partial['success_response']['order_id']}")["order"]
    assert (order["status"], order["filled_size"]) == ("CANCELLED", "0.05")
    # a sell IOC at the bid
    sell = fresh.order("BTC-USDT", "SELL", {IOC: {"base_size": "0.1", "limit_price": "49000.00"}}, "ioc-3")
    order = fresh.get(f"/orders/historical/{sell['success_response']['order_id']}")["order"]
    assert (order["filled_value"], order["total_fees"], order["total_value_after_fees"]) == ("4900", "29.4", "4870.6")


def test_client_order_id_is_idempotent(fresh):
    script(fresh, [], [["51000.00", "1"]])
    first = fresh.order("BTC-USDT", "BUY", {IOC: {"base_size": "0.01", "limit_price": "51000.00"}}, "same-id")
    again = fresh.order("BTC-USDT", "BUY", {IOC: {"base_size": "0.5", "limit_price": "51000.00"}}, "same-id")
    assert again["success"] is True
    assert again["success_response"]["order_id"] == first["success_response"]["order_id"]
    mine = [o for o in fresh.control("GET", "/control/orders?account=main") if o["client_order_id"] == "same-id"]
    assert len(mine) == 1 and mine[0]["filled_size"] == "0.01"


def test_failure_reasons(fresh):
    script(fresh, [["48000.00", "1"]], [["52000.00", "1"]])
    cases = [
        ({IOC: {"base_size": "0.000000001", "limit_price": "52000.00"}}, "BUY", "INVALID_SIZE_PRECISION"),
        ({IOC: {"base_size": "0.01", "limit_price": "52000.001"}}, "BUY", "INVALID_PRICE_PRECISION"),
        ({IOC: {"base_size": "0.00001", "limit_price": "52000.00"}}, "BUY", "PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL"),
        ({IOC: {"base_size": "3", "limit_price": "52000.00"}}, "BUY", "INSUFFICIENT_FUND"),
        ({"limit_limit_gtc": {"base_size": "0.01", "limit_price": "52000.00", "post_only": True}}, "BUY",
         "INVALID_LIMIT_PRICE_POST_ONLY"),
        ({"stop_limit_stop_limit_gtc": {"base_size": "0.01"}}, "BUY", "UNSUPPORTED_ORDER_CONFIGURATION"),
        ({IOC: {"base_size": "0.01", "limit_price": "52000.00"}}, "HOLD", "INVALID_SIDE"),
    ]
    for index, (config, side, reason) in enumerate(cases):
        answer = fresh.order("BTC-USDT", side, config, f"bad-{index}")
        assert answer["success"] is False, reason
        assert answer["error_response"]["error"] == reason
    funds = fresh.order("BTC-USDT", "BUY", {IOC: {"base_size": "1", "limit_price": "52000.00"}}, "poor", OTHER)
    assert funds["error_response"]["new_order_failure_reason"] == "INSUFFICIENT_FUND"
    assert funds["error_response"]["preview_failure_reason"] == "PREVIEW_INSUFFICIENT_FUND"
    fresh.control("POST", "/control/options", {"product": {"BTC-USDT": {"trading_disabled": True}}})
    try:
        disabled = fresh.order("BTC-USDT", "BUY", {IOC: {"base_size": "0.01", "limit_price": "52000.00"}}, "off")
        assert disabled["error_response"]["new_order_failure_reason"] == "ORDER_ENTRY_DISABLED"
    finally:
        fresh.control("POST", "/control/options", {"product": {"BTC-USDT": {"trading_disabled": False}}})
    assert fresh.call("GET", "/orders/historical/00000000-0000-0000-0000-000000000000").status_code == 404


def test_market_fok_gtc_cancel_and_maker_fill(fresh):
    script(fresh, [["47000.00", "1"]], [["53000.00", "0.1"], ["53010.00", "0.1"]])
    market = fresh.order("BTC-USDT", "BUY", {"market_market_ioc": {"quote_size": "5300.00"}}, "mkt-1")
    order = fresh.get(f"/orders/historical/{market['success_response']['order_id']}")["order"]
    assert (order["status"], order["filled_size"], order["filled_value"]) == ("FILLED", "0.1", "5300")
    fok = fresh.order("BTC-USDT", "BUY", {"limit_limit_fok": {"base_size": "0.5", "limit_price": "53010.00"}}, "fok")
    order = fresh.get(f"/orders/historical/{fok['success_response']['order_id']}")["order"]
    assert (order["status"], order["filled_size"], order["time_in_force"]) == ("CANCELLED", "0", "FILL_OR_KILL")
    gtc = fresh.order("BTC-USDT", "BUY", {"limit_limit_gtc": {"base_size": "0.2", "limit_price": "46000.00",
                                                              "post_only": True}}, "gtc-1")
    gtc_id = gtc["success_response"]["order_id"]
    assert fresh.balances()["USDT"][1] == D("46000") * D("0.2") * D("1.006")
    listed = fresh.get("/orders/historical/batch", order_status="OPEN", product_ids="BTC-USDT")["orders"]
    assert [o["order_id"] for o in listed] == [gtc_id]
    script(fresh, [["45000.00", "1"]], [["45900.00", "0.05"], ["53010.00", "0.1"]])     # the market crosses it
    order = fresh.get(f"/orders/historical/{gtc_id}")["order"]
    assert (order["status"], order["filled_size"], order["average_filled_price"]) == ("OPEN", "0.05", "46000")
    fill = fresh.get("/orders/historical/fills", order_ids=gtc_id)["fills"][0]
    assert (fill["liquidity_indicator"], fill["commission"]) == ("MAKER", "9.2")         # 2300 x 0.004
    result = fresh.call("POST", "/orders/batch_cancel", body={"order_ids": [gtc_id, "nope"]}).json()["results"]
    assert result[0]["success"] is True and result[1]["failure_reason"] == "UNKNOWN_CANCEL_ORDER"
    assert fresh.get(f"/orders/historical/{gtc_id}")["order"]["status"] == "CANCELLED"
    assert fresh.balances()["USDT"][1] == 0


def test_pagination_accounts_and_fee_tier(fresh):
    script(fresh, [], [[f"{54000 + i}.00", "0.01"] for i in range(5)])
    fresh.order("BTC-USDT", "BUY", {IOC: {"base_size": "0.05", "limit_price": "54004.00"}}, "walk-5")
    first = fresh.get("/orders/historical/fills", product_ids="BTC-USDT", limit=2)
    second = fresh.get("/orders/historical/fills", product_ids="BTC-USDT", limit=2, cursor=first["cursor"])
    assert len(first["fills"]) == 2 and first["cursor"] and len(second["fills"]) == 2
    assert not {f["trade_id"] for f in first["fills"]} & {f["trade_id"] for f in second["fills"]}
    page = fresh.get("/accounts", limit=2)
    assert page["has_next"] is True and page["size"] == 2
    rest = fresh.get("/accounts", limit=250, cursor=page["cursor"])
    currencies = [a["currency"] for a in page["accounts"] + rest["accounts"]]
    assert len(currencies) == len(set(currencies)) and "USDT" in currencies
    usdt = next(a for a in page["accounts"] + rest["accounts"] if a["currency"] == "USDT")
    assert usdt["available_balance"]["currency"] == "USDT" and "value" in usdt["hold"]
    tier = fresh.get("/transaction_summary")["fee_tier"]
    assert (tier["taker_fee_rate"], tier["maker_fee_rate"]) == ("0.006", "0.004")
