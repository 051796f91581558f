"""The private WebSocket: auth (expiry, signature), topics order / execution / execution.fast / position / wallet in
their documented shapes after a fill, a cancel and a funding settlement (execType Funding), ping/pong and
max_active_time."""
from __future__ import annotations

import time
from decimal import Decimal

import aiohttp
import pytest

from bybit_client import MAIN, OTHER, code, ok, sign, ws_auth
from bybit_fixtures import fresh, loosen, server  # noqa: F401  (fixtures)
from serverkit.testing import Ws, sync

D = Decimal
ORDER_KEYS = {"orderId", "orderLinkId", "blockTradeId", "symbol", "price", "qty", "side", "isLeverage", "positionIdx",
              "orderStatus", "createType", "cancelType", "rejectReason", "avgPrice", "leavesQty", "leavesValue",
              "cumExecQty", "cumExecValue", "cumExecFee", "timeInForce", "orderType", "stopOrderType", "orderIv",
              "marketUnit", "triggerPrice", "takeProfit", "stopLoss", "tpslMode", "ocoTriggerBy", "tpLimitPrice",
              "slLimitPrice", "tpTriggerBy", "slTriggerBy", "triggerDirection", "triggerBy", "lastPriceOnCreated",
              "reduceOnly", "closeOnTrigger", "placeType", "smpType", "smpGroup", "smpOrderId", "createdTime",
              "updatedTime", "category", "feeCurrency"}


@pytest.fixture(autouse=True)
def bursts(server):
    loosen(server)


async def private(http, server, creds=MAIN, topics=("order", "execution", "position", "wallet")) -> Ws:
    ws = await Ws.connect(http, server.private_ws)
    await ws.send({**ws_auth(creds), "req_id": "auth-1"})
    answer = await ws.wait(lambda m: m.get("op") == "auth")
    assert answer == {"success": True, "ret_msg": "", "op": "auth", "conn_id": answer["conn_id"], "req_id": "auth-1"}
    await ws.send({"op": "subscribe", "args": list(topics)})
    ack = await ws.wait(lambda m: m.get("op") == "subscribe")
    assert (ack["success"], ack["ret_msg"]) == (True, "")
    return ws


def topic(name):
    return lambda m: m.get("topic") == name


def book(server):
    server.script("ETHUSDT", [], [])
    server.script("ETHUSDT", [["2000.00", "10.00"]], [["2001.00", "0.30"], ["2002.00", "1.00"]])


@sync
async def test_auth_expiry_signature_and_subscribe_before_auth(fresh):
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, fresh.private_ws)
        await ws.send({"op": "subscribe", "args": ["order"], "req_id": "early"})
        early = await ws.wait(lambda m: m.get("op") == "subscribe")
        assert (early["success"], early["ret_msg"], early["req_id"]) == (False, "Request not authorized", "early")
        now = int(time.time() * 1000)
        for message, expected in (
                (ws_auth(MAIN, expires=now - 1000), "Params Error"),              # expired
                (ws_auth(MAIN, secret="wrong"), "Request not authorized"),        # bad signature
                (ws_auth(("unknownKey", "x")), "Request not authorized"),         # unknown key
                ({"op": "auth", "args": [MAIN[0], "soon", "x"]}, "Params Error"),
                ({"op": "auth", "args": [MAIN[0]]}, "Params Error")):
            await ws.send(message)
            answer = await ws.wait(lambda m: m.get("op") == "auth")
            assert (answer["success"], answer["ret_msg"]) == (False, expected), message
        expires = now + 5000
        await ws.send({"op": "auth", "args": [MAIN[0], str(expires), sign(MAIN[1], f"GET/realtime{expires}")]})
        assert (await ws.wait(lambda m: m.get("op") == "auth"))["success"] is True     # expires as a string too
        await ws.send(ws_auth(MAIN))
        assert (await ws.wait(lambda m: m.get("op") == "auth"))["ret_msg"] == "Repeat auth"
        await ws.send({"op": "subscribe", "args": ["order", "nope"]})
        ack = await ws.wait(lambda m: m.get("op") == "subscribe")
        assert (ack["success"], ack["ret_msg"]) == (False, "error:handler not found,topic:nope")
        await ws.send({"op": "ping", "req_id": "hb"})
        pong = await ws.wait(lambda m: m.get("op") == "pong")
        assert pong["req_id"] == "hb" and int(pong["args"][0]) >= now and set(pong) == {"req_id", "op", "args",
                                                                                     "conn_id"}
        await ws.close()


@sync
async def test_a_fill_pushes_order_execution_position_and_wallet(fresh):
    book(fresh)
    async with aiohttp.ClientSession() as http:
        ws = await private(http, fresh)
        fast = await private(http, fresh, topics=("execution.fast", "order.linear"))
        other = await private(http, fresh, OTHER)
        ok(fresh.order(symbol="ETHUSDT", side="Buy", orderType="Limit", qty="0.50", price="2001.00",
                       timeInForce="IOC", orderLinkId="ws-ioc"))
        order = await ws.wait(topic("order"))
        assert set(order) == {"id", "topic", "creationTime", "data"}
        row = order["data"][0]
        assert set(row) == ORDER_KEYS
        assert (row["orderLinkId"], row["orderStatus"], row["cumExecQty"], row["cumExecValue"], row["avgPrice"],
                row["category"]) == ("ws-ioc", "Cancelled", "0.30", "600.3", "2001", "linear")
        execution = await ws.wait(topic("execution"))
        (fill,) = execution["data"]
        assert (fill["execType"], fill["execQty"], fill["execPrice"], fill["execValue"], fill["execFee"],
                fill["isMaker"], fill["orderLinkId"], fill["closedSize"]) == \
            ("Trade", "0.30", "2001.00", "600.3", str(D("600.3") * D("0.00055")), False, "ws-ioc", "0.00")
        position = await ws.wait(topic("position"))
        assert (position["data"][0]["symbol"], position["data"][0]["size"], position["data"][0]["side"]) == \
            ("ETHUSDT", "0.30", "Buy")
        wallet = await ws.wait(topic("wallet"))
        assert wallet["data"][0]["accountType"] == "UNIFIED"
        assert D(wallet["data"][0]["totalWalletBalance"]) == D(fresh.account()["walletBalance"])
        quick = await fast.wait(topic("execution.fast"))
        assert set(quick["data"][0]) == {"category", "symbol", "execId", "execPrice", "execQty", "orderId", "isMaker",
                                         "orderLinkId", "side", "execTime", "seq"}
        assert quick["data"][0]["execId"] == fill["execId"]
        assert (await fast.wait(topic("order.linear")))["data"][0]["orderLinkId"] == "ws-ioc"
        # a resting order: New, then its cancel
        placed = ok(fresh.order(symbol="ETHUSDT", side="Buy", orderType="Limit", qty="0.10", price="1990.00"))
        new = await ws.wait(lambda m: m.get("topic") == "order" and m["data"][0]["orderStatus"] == "New")
        assert new["data"][0]["orderId"] == placed["orderId"]
        ok(fresh.post("/v5/order/cancel", {"category": "linear", "symbol": "ETHUSDT", "orderId": placed["orderId"]}))
        canceled = await ws.wait(lambda m: m.get("topic") == "order" and m["data"][0]["orderStatus"] == "Cancelled")
        assert canceled["data"][0]["cancelType"] == "CancelByUser"
        # closing: closedSize and the realised PnL in the position push
        fresh.script("ETHUSDT", [["2011.00", "1.00"]], [["2012.00", "1.00"]])
        ok(fresh.order(symbol="ETHUSDT", side="Sell", orderType="Market", qty="0.30", reduceOnly=True))
        close = await ws.wait(lambda m: m.get("topic") == "execution" and m["data"][0]["side"] == "Sell")
        assert close["data"][0]["closedSize"] == "0.30"
        flat = await ws.wait(lambda m: m.get("topic") == "position" and m["data"][0]["size"] == "0.00")
        fees = D("600.3") * D("0.00055") + D("603.3") * D("0.00055")
        assert D(flat["data"][0]["curRealisedPnl"]) == D("0.3") * D("10") - fees
        assert not [m for m in await other.drain(0.2) if m.get("topic")]        # not the other account's
        for conn in (ws, fast, other):
            await conn.close()


@sync
async def test_funding_settlement_pushes_a_funding_execution(fresh):
    book(fresh)
    ok(fresh.order(symbol="ETHUSDT", side="Sell", orderType="Market", qty="1.00"))
    fresh.control("POST", "/control/funding", {"symbol": "ETHUSDT", "rate": "0.0001", "markPrice": "2000.00"})
    async with aiohttp.ClientSession() as http:
        ws = await private(http, fresh)
        before = D(fresh.account()["walletBalance"])
        fresh.control("POST", "/control/settle_funding", {"symbol": "ETHUSDT"})
        execution = await ws.wait(topic("execution"))
        (row,) = execution["data"]
        assert (row["execType"], row["side"], row["execQty"], row["execPrice"], row["feeRate"], row["execFee"]) == \
            ("Funding", "Sell", "1.00", "2000.00", "-0.0001", "-0.2")     # the short receives 1 x 2000 x 0.0001
        position = await ws.wait(topic("position"))
        assert position["data"][0]["side"] == "Sell"
        wallet = await ws.wait(topic("wallet"))
        assert D(wallet["data"][0]["totalWalletBalance"]) == before + D("0.2")
        await ws.close()
    ok(fresh.order(symbol="ETHUSDT", side="Buy", orderType="Market", qty="1.00", reduceOnly=True))
    fresh.control("POST", "/control/funding", {"symbol": "ETHUSDT", "markPrice": None})


@sync
async def test_max_active_time_closes_an_idle_private_connection(fresh):
    async with aiohttp.ClientSession() as http:
        refused = await http.get(fresh.private_ws.replace("ws://", "http://") + "?max_active_time=5s",
                                 headers={"Upgrade": "websocket", "Connection": "Upgrade",
                                          "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZQ=="})
        assert refused.status == 400
        fresh.control("POST", "/control/options", {"idleTimeoutSeconds": 0.6})
        try:
            ws = await Ws.connect(http, fresh.public_ws)
            with pytest.raises(ConnectionError):
                await ws.wait(lambda m: False, timeout=4)
        finally:
            fresh.control("POST", "/control/options", {"idleTimeoutSeconds": 600})
        alive = await Ws.connect(http, fresh.private_ws + "?max_active_time=30s")
        await alive.send({"op": "ping"})
        assert (await alive.wait(lambda m: m.get("op") == "pong"))["op"] == "pong"
        await alive.close()
    assert code(fresh.get("/v5/account/info")) == 0
