"""The user channel (JWT in the subscribe): snapshot of open orders, order-state updates, and the WebSocket faults."""
from __future__ import annotations

import aiohttp

from coinbase_client import MAIN, WsClient, channel, run
from coinbase_fixtures import fresh, server  # noqa: F401


def test_user_channel_states(fresh):
    fresh.script("BTC-USDT", [["44000.00", "1"]], [["55000.00", "0.1"]])
    resting = fresh.order("BTC-USDT", "BUY", {"limit_limit_gtc": {"base_size": "0.01", "limit_price": "43000.00",
                                                                  "post_only": False}}, "rest-1")

    async def body():
        async with aiohttp.ClientSession() as http:
            ws = await WsClient.connect(http, fresh.private_ws)
            await ws.subscribe("user")                                   # no JWT: refused
            assert "authentication" in (await ws.wait(lambda m: m.get("type") == "error"))["message"]
            await ws.subscribe("user", key=MAIN)
            snapshot = await ws.wait(channel("user", "snapshot"))
            ids = [o["order_id"] for o in snapshot["events"][0]["orders"]]
            assert resting["success_response"]["order_id"] in ids
            answer = fresh.order("BTC-USDT", "BUY", {"sor_limit_ioc": {"base_size": "0.04",
                                                                       "limit_price": "55000.00"}}, "ws-ioc")
            order_id = answer["success_response"]["order_id"]
            states = []
            while not states or states[-1]["status"] not in ("FILLED", "CANCELLED"):
                message = await ws.wait(channel("user", "update"))
                states += [o for o in message["events"][0]["orders"] if o["order_id"] == order_id]
            assert states[0]["status"] == "PENDING" and states[-1]["status"] == "FILLED"
            last = states[-1]
            assert (last["cumulative_quantity"], last["leaves_quantity"], last["avg_price"], last["total_fees"]) == \
                ("0.04", "0", "55000", "13.2")
            assert last["client_order_id"] == "ws-ioc" and last["order_side"] == "BUY"
            numbers = [m["sequence_num"] for m in ws.messages if "sequence_num" in m]
            assert numbers == list(range(len(numbers)))
            assert fresh.fault(type="drop_ws", which="private")["dropped"] == 1
            try:
                await ws.quiet(1.0)
                dropped = ws.ws.closed
            except ConnectionError:
                dropped = True
            assert dropped
    run(body())
