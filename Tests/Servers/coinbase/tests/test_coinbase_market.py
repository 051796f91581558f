"""Products, the public endpoints, level2 from the capture, and the connection-wide sequence_num rule."""
from __future__ import annotations

from decimal import Decimal

import aiohttp

from coinbase_client import MAIN, WsClient, channel, run
from coinbase_fixtures import fresh, server  # noqa: F401


def test_products_from_the_capture(fresh):
    answer = fresh.public("/market/products").json()
    ids = {p["product_id"] for p in answer["products"]}
    assert {"SKL-USD", "DASH-BTC", "YFI-BTC", "BTC-USDT"} <= ids and answer["num_products"] == len(ids) == 11
    dash = fresh.public("/market/products/DASH-BTC").json()
    assert (dash["base_increment"], dash["price_increment"], dash["quote_increment"]) == ("0.00000001",
                                                                                         "0.00000001", "0.00000001")
    assert dash["status"] == "online" and dash["product_type"] == "SPOT" and dash["trading_disabled"] is False
    assert (dash["base_currency_id"], dash["quote_currency_id"], dash["base_display_symbol"]) == ("DASH", "BTC", "DASH")
    btc = fresh.get("/products/BTC-USDT")
    assert (btc["base_increment"], btc["quote_increment"], btc["base_min_size"], btc["quote_min_size"]) == \
        ("0.00000001", "0.01", "0.00000001", "1")
    assert fresh.public("/market/products/NOPE-USD").status_code == 404
    clock = fresh.public("/time").json()
    assert set(clock) == {"iso", "epochSeconds", "epochMillis"}
    for product in answer["products"]:        # every captured level is on the product's grid
        book = fresh.book(product["product_id"])
        for price, size in book["bids"] + book["asks"]:
            assert Decimal(price) % Decimal(product["price_increment"]) == 0
            assert Decimal(size) % Decimal(product["base_increment"]) == 0


def test_public_rate_limit(fresh):
    codes = [fresh.public("/time").status_code for _ in range(12)]
    assert codes.count(429) >= 1 and codes[:10] == [200] * 10


def test_level2_snapshot_updates_and_sequence(fresh):
    async def body():
        async with aiohttp.ClientSession() as http:
            ws = await WsClient.connect(http, fresh.public_ws)
            await ws.subscribe("level2", ["SKL-BTC"])
            subs = await ws.wait(channel("subscriptions"))
            assert subs["events"][0]["subscriptions"] == {"level2": ["SKL-BTC"]}
            snap = await ws.wait(channel("l2_data", "snapshot"))
            book = fresh.book("SKL-BTC")
            bids = [[u["price_level"], u["new_quantity"]] for u in snap["events"][0]["updates"] if u["side"] == "bid"]
            assert bids == book["bids"]
            await ws.subscribe("heartbeats", key=MAIN)
            await ws.wait(channel("heartbeats"))
            fresh.advance(updates=3, product_id="SKL-BTC")
            update = await ws.wait(channel("l2_data", "update"))
            change = update["events"][0]["updates"][0]
            assert change["side"] in ("bid", "offer") and "price_level" in change and "new_quantity" in change
            await ws.quiet(0.3)
            numbers = [m["sequence_num"] for m in ws.messages]
            assert numbers == list(range(len(numbers)))        # per connection, +1 on every message, all channels
            fresh.fault(type="skip_sequence")
            fresh.advance(updates=1, product_id="SKL-BTC")
            after = await ws.wait(lambda m: m["sequence_num"] > numbers[-1])
            assert after["sequence_num"] >= numbers[-1] + 2
            await ws.ws.close()
    run(body())


def test_protocol_rules(fresh):
    fresh.control("POST", "/control/options", {"subscribeTimeoutSeconds": 0.4})
    try:
        async def body():
            async with aiohttp.ClientSession() as http:
                ws = await WsClient.connect(http, fresh.public_ws)
                await ws.send({"type": "subscribe", "product_ids": ["SKL-USD"], "channels": ["level2", "ticker"]})
                error = await ws.wait(lambda m: m.get("type") == "error")
                assert "one channel" in error["message"]
                await ws.send({"type": "subscribe", "product_ids": ["NOPE-USD"], "channel": "level2"})
                await ws.wait(lambda m: m.get("type") == "error")
                msg = await ws.ws.receive(timeout=3)               # no subscribe within the timeout: closed
                assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING)
                user_host = await WsClient.connect(http, fresh.private_ws)
                await user_host.subscribe("level2", ["SKL-USD"])
                assert "not available" in (await user_host.wait(lambda m: m.get("type") == "error"))["message"]
                await user_host.ws.close()
                flood = await WsClient.connect(http, fresh.public_ws)
                for _ in range(10):
                    await flood.subscribe("heartbeats")
                await flood.quiet(0.3)
                assert any(m.get("message") == "rate limit exceeded" for m in flood.messages)
                await flood.ws.close()
        run(body())
        assert fresh.control("GET", "/control/replay")["closes"]["noSubscribe"] >= 1
    finally:
        fresh.control("POST", "/control/options", {"subscribeTimeoutSeconds": 5})
