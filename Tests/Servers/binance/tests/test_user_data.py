"""User data: the WebSocket API (order.place / status / cancel, userDataStream.subscribe.signature, session.logon)
and the listenKey stream, with executionReport and outboundAccountPosition as user-data-stream.md documents them;
resting orders fill when the recording crosses them."""
from __future__ import annotations

import asyncio
from decimal import Decimal

import aiohttp

from client import WsApiClient, now_ms, ws_sign
from conftest import ED_KEY, MAIN_KEY, MAIN_SECRET, OTHER_KEY, OTHER_SECRET, ed_sign

REPORT_KEYS = set("e E s c S o f q p P F g C x X r i l z L n N T t I w m M O Z Y Q V".split())


def test_ws_api_orders_and_signature_subscription(fresh):
    server = fresh

    async def run():
        async with aiohttp.ClientSession() as http:
            api = WsApiClient(await http.ws_connect(server.wsapi))
            time_reply = await api.call("time")
            assert time_reply["status"] == 200 and abs(time_reply["result"]["serverTime"] - now_ms()) < 2000
            assert time_reply["rateLimits"][0]["rateLimitType"] == "REQUEST_WEIGHT"
            sub = await api.call("userDataStream.subscribe.signature", api.signed_params(OTHER_KEY, OTHER_SECRET))
            assert sub["status"] == 200 and sub["result"] == {"subscriptionId": 0}
            ask = server.book("ETHUSDT", 1)["asks"][0][0]
            placed = await api.call("order.place", api.signed_params(
                OTHER_KEY, OTHER_SECRET, symbol="ETHUSDT", side="BUY", type="LIMIT", timeInForce="IOC",
                quantity="0.01", price=ask, newClientOrderId="wsapi-ioc-1"))
            assert placed["status"] == 200, placed
            result = placed["result"]
            assert result["status"] == "FILLED" and result["fills"][0]["price"] == ask
            kinds = {row["rateLimitType"] for row in placed["rateLimits"]}
            assert kinds == {"ORDERS", "REQUEST_WEIGHT"}
            await api.events_until(lambda e: e["event"]["e"] == "outboundAccountPosition")
            reports = [e["event"] for e in api.events if e["event"]["e"] == "executionReport"]
            assert [r["x"] for r in reports] == ["NEW", "TRADE"]
            assert all(e["subscriptionId"] == 0 for e in api.events)
            trade = reports[1]
            assert REPORT_KEYS <= set(trade) and trade["X"] == "FILLED" and trade["c"] == "wsapi-ioc-1"
            assert trade["N"] == "ETH" and Decimal(trade["n"]) == Decimal("0.01") * Decimal("0.00075")
            status = await api.call("order.status", api.signed_params(
                OTHER_KEY, OTHER_SECRET, symbol="ETHUSDT", origClientOrderId="wsapi-ioc-1"))
            assert status["result"]["status"] == "FILLED"
            resting = await api.call("order.place", api.signed_params(
                OTHER_KEY, OTHER_SECRET, symbol="ETHUSDT", side="SELL", type="LIMIT", timeInForce="GTC",
                quantity="0.01", price="9000", newOrderRespType="ACK"))
            assert set(resting["result"]) == {"symbol", "orderId", "orderListId", "clientOrderId", "transactTime"}
            cancel = await api.call("order.cancel", api.signed_params(
                OTHER_KEY, OTHER_SECRET, symbol="ETHUSDT", orderId=resting["result"]["orderId"]))
            assert cancel["result"]["status"] == "CANCELED"
            await api.events_until(lambda e: e["event"].get("x") == "CANCELED")
            gone = await api.call("order.cancel", api.signed_params(
                OTHER_KEY, OTHER_SECRET, symbol="ETHUSDT", orderId=resting["result"]["orderId"]))
            assert gone["status"] == 400 and gone["error"] == {"code": -2011, "msg": "Unknown order sent."}
            bad = await api.call("order.status", {**api.signed_params(OTHER_KEY, "wrong", symbol="ETHUSDT",
                                                                        orderId=1)})
            assert bad["error"]["code"] == -1022
            await api.ws.close()
    asyncio.run(run())


def test_session_logon_needs_ed25519(fresh):
    server = fresh

    async def run():
        async with aiohttp.ClientSession() as http:
            api = WsApiClient(await http.ws_connect(server.wsapi))
            hmac_logon = await api.call("session.logon", api.signed_params(MAIN_KEY, MAIN_SECRET))
            assert hmac_logon["error"] == {"code": -4056, "msg": "HMAC_SHA256 API key is not supported."}
            params = {"apiKey": ED_KEY, "timestamp": now_ms()}
            payload = "&".join(f"{k}={params[k]}" for k in sorted(params))
            logon = await api.call("session.logon", {**params, "signature": ed_sign(payload)})
            assert logon["status"] == 200 and logon["result"]["apiKey"] == ED_KEY
            sub = await api.call("userDataStream.subscribe")
            assert sub["result"] == {"subscriptionId": 0}
            placed = await api.call("order.place", {"symbol": "ETHUSDT", "side": "SELL", "type": "MARKET",
                                                    "quantity": "0.01", "timestamp": now_ms()})
            assert placed["result"]["status"] == "FILLED"
            await api.events_until(lambda e: e["event"].get("X") == "FILLED")
            status = await api.call("session.status")
            assert status["result"]["userDataStream"] is True
            await api.ws.close()
    asyncio.run(run())


def test_listen_key_stream_and_resting_fill_from_the_recording(fresh):
    server = fresh
    key = server.http.post(server.rest + "/api/v3/userDataStream", headers={"X-MBX-APIKEY": MAIN_KEY}).json()
    assert len(key["listenKey"]) == 64
    again = server.http.post(server.rest + "/api/v3/userDataStream", headers={"X-MBX-APIKEY": MAIN_KEY}).json()
    assert again == key                                   # an active key is returned again, extended
    keepalive = server.http.put(server.rest + "/api/v3/userDataStream", params=key,
                                headers={"X-MBX-APIKEY": MAIN_KEY})
    assert keepalive.status_code == 200 and keepalive.json() == {}

    async def run():
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(server.stream + f"/ws/{key['listenKey']}")
            bid = Decimal(server.book("BTCUSDT", 1)["bids"][0][0])
            # a buy just under the best bid rests; it fills when the recorded asks come down to it
            price = bid - Decimal("0.01")
            placed = server.signed("POST", "/api/v3/order", MAIN_KEY, MAIN_SECRET, {
                "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.001",
                "price": str(price), "newClientOrderId": "rest-gtc-1"})
            assert placed.json()["status"] == "NEW"
            filled = None
            for _ in range(200):
                server.advance(diffs=5, symbol="BTCUSDT")
                row = next(o for o in server.control("GET", "/control/orders?account=main&symbol=BTCUSDT")
                           if o["clientOrderId"] == "rest-gtc-1")
                if row["status"] != "NEW":
                    filled = row
                    break
            assert filled is not None, "the recording never crossed the order"
            events = []
            while True:
                try:
                    events.append(await ws.receive_json(timeout=1))
                except asyncio.TimeoutError:
                    break
            await ws.close()
            return filled, events
    filled, events = asyncio.run(run())
    reports = [e for e in events if e["e"] == "executionReport" and e["c"] == "rest-gtc-1"]
    assert reports[0]["x"] == "NEW" and reports[0]["w"] is True and "W" in reports[0]
    trades = [r for r in reports if r["x"] == "TRADE"]
    assert trades and all(r["m"] is True and r["L"] == filled["price"] for r in trades)  # maker, at its own price
    assert any(e["e"] == "outboundAccountPosition" for e in events)
    assert filled["fills"][0]["maker"] is True
    ids = [f["tradeId"] for o in server.control("GET", "/control/orders?symbol=BTCUSDT") for f in o["fills"]]
    assert len(ids) == len(set(ids))
    closed = server.http.delete(server.rest + "/api/v3/userDataStream", params=key,
                                headers={"X-MBX-APIKEY": MAIN_KEY})
    assert closed.json() == {}
    unknown = server.http.put(server.rest + "/api/v3/userDataStream", params=key, headers={"X-MBX-APIKEY": MAIN_KEY})
    assert unknown.json() == {"code": -1125, "msg": "This listenKey does not exist."}


def test_ws_sign_matches_the_documented_example():
    params = {"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01000000",
              "price": "52000.00", "newOrderRespType": "ACK", "recvWindow": 100, "timestamp": 1645423376532,
              "apiKey": "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"}
    secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    assert ws_sign(params, secret) == "cc15477742bd704c29492d96c7ead9414dfd8e0ec4a00f947bb5bb454ddbd08a"
