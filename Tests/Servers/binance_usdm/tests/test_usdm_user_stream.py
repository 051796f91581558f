"""The listenKey user data stream: ORDER_TRADE_UPDATE and ACCOUNT_UPDATE in the documented shapes, funding fees,
keepalive and expiry."""
from __future__ import annotations

from decimal import Decimal

import aiohttp

from usdm_client import MAIN, OTHER, Ws, sync
from usdm_fixtures import fresh, server  # noqa: F401  (fixtures)

D = Decimal
ORDER_KEYS = {"s", "c", "S", "o", "f", "q", "p", "ap", "sp", "x", "X", "i", "l", "z", "L", "N", "n", "T", "t", "b",
              "a", "m", "R", "wt", "ot", "ps", "cp", "rp", "pP", "si", "ss", "V", "pm", "gtd", "er"}


def listen_key(server, creds=MAIN) -> str:
    response = server.keyed("POST", "/fapi/v1/listenKey", creds)
    assert response.status_code == 200
    return response.json()["listenKey"]


def is_order(x=None):
    return lambda m: m.get("e") == "ORDER_TRADE_UPDATE" and (x is None or m["o"]["x"] == x)


def is_account(reason):
    return lambda m: m.get("e") == "ACCOUNT_UPDATE" and m["a"]["m"] == reason


@sync
async def test_fills_come_as_order_trade_update_and_account_update(fresh):
    fresh.script("ETHUSDT", [], [])
    fresh.script("ETHUSDT", [["2000.00", "10.000"]], [["2001.00", "0.300"], ["2002.00", "1.000"]])
    key = listen_key(fresh)
    assert listen_key(fresh) == key             # an active key is returned again
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, f"{fresh.stream}/ws/{key}")
        other = await Ws.connect(http, f"{fresh.stream}/ws/{listen_key(fresh, OTHER)}")
        answer = fresh.order(symbol="ETHUSDT", side="BUY", type="LIMIT", timeInForce="IOC", quantity="0.500",
                             price="2001.00", newClientOrderId="ws-ioc")
        assert answer.json()["status"] == "NEW"          # ACK: the order as accepted, fills follow on the stream
        new = await ws.wait(is_order("NEW"))
        assert set(new["o"]) == ORDER_KEYS and set(new) == {"e", "E", "T", "o"}
        assert (new["o"]["c"], new["o"]["X"], new["o"]["ps"], new["o"]["R"]) == ("ws-ioc", "NEW", "BOTH", False)
        account = await ws.wait(is_account("ORDER"))
        assert account["a"]["B"] == [{"a": "USDT", "wb": account["a"]["B"][0]["wb"],
                                      "cw": account["a"]["B"][0]["wb"], "bc": "0.00000000"}]
        assert account["a"]["P"][0]["s"] == "ETHUSDT" and account["a"]["P"][0]["pa"] == "0.300"
        assert D(account["a"]["P"][0]["ep"]) == D("2001")
        trade = await ws.wait(is_order("TRADE"))
        o = trade["o"]
        assert (o["X"], o["l"], o["z"], o["L"], o["N"], o["m"]) == ("PARTIALLY_FILLED", "0.300", "0.300", "2001.00",
                                                                    "USDT", False)
        assert D(o["n"]) == D("2001") * D("0.3") * D("0.0004") and o["t"] > 0 and o["rp"] == "0.00000000"
        expired = await ws.wait(is_order("EXPIRED"))
        assert (expired["o"]["X"], expired["o"]["z"], expired["o"]["er"]) == ("EXPIRED", "0.300", "2")
        # closing: rp is the realized profit of the trade
        fresh.script("ETHUSDT", [["2011.00", "1.000"]], [["2012.00", "1.000"]])
        fresh.order(symbol="ETHUSDT", side="SELL", type="MARKET", quantity="0.300", reduceOnly="true")
        close = await ws.wait(is_order("TRADE"))
        assert (close["o"]["X"], close["o"]["R"], D(close["o"]["rp"])) == ("FILLED", True, D("0.3") * D("10"))
        flat = await ws.wait(is_account("ORDER"))
        assert flat["a"]["P"][0]["pa"] == "0.000" and D(flat["a"]["P"][0]["cr"]) == D("3")
        # a resting order's cancel
        placed = fresh.order(symbol="ETHUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.100",
                             price="1990.00").json()
        await ws.wait(is_order("NEW"))
        fresh.signed("DELETE", "/fapi/v1/order", symbol="ETHUSDT", orderId=placed["orderId"])
        canceled = await ws.wait(is_order("CANCELED"))
        assert canceled["o"]["i"] == placed["orderId"] and canceled["o"]["X"] == "CANCELED"
        assert not [m for m in await other.drain(0.2) if m.get("e") == "ORDER_TRADE_UPDATE"]   # not the other's
        await ws.close()
        await other.close()


@sync
async def test_funding_fee_comes_as_account_update_with_reason_funding_fee(fresh):
    fresh.script("ETHUSDT", [], [])
    fresh.script("ETHUSDT", [["2000.00", "10.000"]], [["2001.00", "10.000"]])
    assert fresh.order(symbol="ETHUSDT", side="SELL", type="MARKET", quantity="1.000").status_code == 200
    fresh.control("POST", "/control/funding", {"symbol": "ETHUSDT", "rate": "0.0001", "markPrice": "2000.00"})
    key = listen_key(fresh)
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, f"{fresh.stream}/ws/{key}")
        before = D(fresh.account()["walletBalance"])
        fresh.control("POST", "/control/settle_funding", {"symbol": "ETHUSDT"})
        event = await ws.wait(is_account("FUNDING_FEE"))
        assert event["a"]["P"] == []                                  # cross: the balance only
        assert event["a"]["B"][0]["bc"] == "0.20000000"               # the short receives 1 x 2000 x 0.0001
        assert D(event["a"]["B"][0]["wb"]) == before + D("0.2")
        await ws.close()
    fresh.order(symbol="ETHUSDT", side="BUY", type="MARKET", quantity="1.000", reduceOnly="true")
    fresh.control("POST", "/control/funding", {"symbol": "ETHUSDT", "markPrice": None})


@sync
async def test_listen_key_keepalive_expiry_and_delete(fresh):
    key = listen_key(fresh)
    assert fresh.keyed("PUT", "/fapi/v1/listenKey").json() == {"listenKey": key}
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, f"{fresh.stream}/ws/{key}")
        fresh.fault(type="expire_listen_key", apiKey=MAIN[0])
        expired = await ws.wait(lambda m: m.get("e") == "listenKeyExpired")
        assert expired["listenKey"] == key
        put = fresh.keyed("PUT", "/fapi/v1/listenKey")
        assert put.status_code == 400 and put.json() == {"code": -1125, "msg": "This listenKey does not exist."}
        fresh.order(symbol="ETHUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.100",
                    price="1990.00")
        assert not [m for m in await ws.drain(0.2) if m.get("e") == "ORDER_TRADE_UPDATE"]   # the key is gone
        await ws.close()
    fresh.signed("DELETE", "/fapi/v1/allOpenOrders", symbol="ETHUSDT")
    fresh_key = listen_key(fresh)
    assert fresh_key != key
    assert fresh.keyed("DELETE", "/fapi/v1/listenKey").json() == {}
    assert fresh.keyed("PUT", "/fapi/v1/listenKey").json()["code"] == -1125
    assert fresh.keyed("POST", "/fapi/v1/listenKey", ("badkey!", "x")).json()["code"] == -2014


@sync
async def test_listen_key_runs_out_by_itself(fresh):
    fresh.control("POST", "/control/options", {"listenKeyMinutes": 0.01})   # 0.6 s
    try:
        key = listen_key(fresh)
        async with aiohttp.ClientSession() as http:
            ws = await Ws.connect(http, f"{fresh.stream}/ws/{key}")
            expired = await ws.wait(lambda m: m.get("e") == "listenKeyExpired", timeout=3)
            assert expired["listenKey"] == key and isinstance(expired["E"], int)
            await ws.close()
    finally:
        fresh.control("POST", "/control/options", {"listenKeyMinutes": 60})
