"""The private WebSocket v2: the GetWebSocketsToken token (15 minutes unless used), `executions` (snapshot of open
orders, then pending_new / new / trade / filled / canceled), `balances`, and the methods add_order, cancel_order,
cancel_all and batch_add with their answers (req_id, success, result / error, time_in, time_out)."""
from __future__ import annotations

import asyncio
from decimal import Decimal

import aiohttp

from kraken_client import WsClient, channel
from kraken_fixtures import fresh, server  # noqa: F401  (fixtures)

D = Decimal


def execs(message) -> bool:
    return message.get("channel") == "executions" and message.get("type") == "update"


async def private_client(http, server, **subscription) -> tuple[WsClient, str]:
    token = server.token()
    ws = await WsClient.connect(http, server.private_ws)
    await ws.wait(channel("status"))
    ack = await ws.request("subscribe", {"channel": "executions", "token": token, **subscription}, req_id=1)
    assert ack["success"] is True and ack["result"]["channel"] == "executions"
    return ws, token


async def next_exec(ws: WsClient) -> dict:
    return (await ws.wait(execs))["data"][0]


def test_executions_sequence_for_an_ioc_taker_and_a_resting_order(fresh):
    server = fresh

    async def run():
        async with aiohttp.ClientSession() as http:
            ws, token = await private_client(http, server)
            snapshot = await ws.wait(channel("executions", "snapshot"))
            assert snapshot["data"] == []
            asks = server.book("BTC/CHF", 10)["asks"]
            volume = D(asks[0][1]) + D("0.0001")
            answer = await ws.request("add_order", {
                "order_type": "limit", "side": "buy", "order_qty": float(volume), "symbol": "BTC/CHF",
                "limit_price": float(asks[1][0]), "time_in_force": "ioc", "cl_ord_id": "ws-ioc-1",
                "order_userref": 7, "token": token}, req_id=11)
            assert answer["success"] is True and answer["result"]["cl_ord_id"] == "ws-ioc-1"
            assert answer["result"]["order_userref"] == 7 and answer["time_in"] <= answer["time_out"]
            order_id = answer["result"]["order_id"]
            pending = await next_exec(ws)
            assert pending["exec_type"] == "pending_new" and pending["order_id"] == order_id
            first, second = await next_exec(ws), await next_exec(ws)
            for trade, (price, qty) in ((first, asks[0]), (second, (asks[1][0], "0.0001"))):
                assert trade["exec_type"] == "trade" and trade["liquidity_ind"] == "t"
                assert trade["last_price"] == D(price) and trade["last_qty"] == D(qty)
                assert trade["cost"] == D(price) * D(qty) and trade["order_status"] == "partially_filled"
                assert trade["fees"] == [{"asset": "CHF", "qty": D(price) * D(qty) * D("0.0026")}]
                assert trade["exec_id"] and isinstance(trade["trade_id"], int) and trade["cl_ord_id"] == "ws-ioc-1"
            done = await next_exec(ws)
            assert done["exec_type"] == "filled" and done["order_status"] == "filled" and done["cum_qty"] == volume
            assert done["avg_price"] == (first["cost"] + second["cost"]) / volume
            # a resting post-only order, then cancel_order by cl_ord_id
            bid = D(server.book("BTC/CHF", 10)["bids"][0][0]) - 50
            placed = await ws.request("add_order", {
                "order_type": "limit", "side": "buy", "order_qty": 0.001, "symbol": "BTC/CHF",
                "limit_price": float(bid), "post_only": True, "cl_ord_id": "ws-rest", "token": token}, req_id=12)
            assert placed["success"] is True
            assert (await next_exec(ws))["exec_type"] == "pending_new"
            new = await next_exec(ws)
            assert new["exec_type"] == "new" and new["order_status"] == "new" and new["limit_price"] == bid
            canceled = await ws.request("cancel_order", {"cl_ord_id": ["ws-rest"], "token": token}, req_id=13)
            assert canceled["success"] is True and canceled["result"] == {"order_id": placed["result"]["order_id"],
                                                                        "cl_ord_id": "ws-rest"}
            end = await next_exec(ws)
            assert end["exec_type"] == "canceled" and end["reason"] == "User requested"
            unknown = await ws.request("cancel_order", {"order_id": ["OAAAAA-BBBBB-CCCCCC"], "token": token},
                                       req_id=14)
            assert unknown["success"] is False and unknown["error"] == "EOrder:Unknown order"
            refused = await ws.request("add_order", {
                "order_type": "limit", "side": "buy", "order_qty": 100, "symbol": "BTC/CHF", "limit_price": 1000,
                "token": token}, req_id=15)
            assert refused == {**refused, "success": False, "error": "EOrder:Insufficient funds", "req_id": 15}
    asyncio.run(run())


def test_snapshot_balances_batch_add_and_cancel_all(fresh):
    server = fresh

    async def run():
        async with aiohttp.ClientSession() as http:
            low = float(D(server.book("XMR/USD", 10)["bids"][-1][0]) - 5)
            server.private("AddOrder", pair="XMRUSD", type="buy", ordertype="limit", price=str(low), volume="0.1",
                           cl_ord_id="rest-open")
            ws, token = await private_client(http, server, snap_orders=True)
            snapshot = await ws.wait(channel("executions", "snapshot"))
            assert [row["cl_ord_id"] for row in snapshot["data"]] == ["rest-open"]
            assert snapshot["data"][0]["order_status"] == "new" and snapshot["data"][0]["symbol"] == "XMR/USD"
            ack = await ws.request("subscribe", {"channel": "balances", "token": token}, req_id=2)
            assert ack["success"] is True
            balances = {row["asset"]: row["balance"] for row in (await ws.wait(channel("balances", "snapshot")))["data"]}
            assert balances["BTC"] == D(server.balances()["XXBT"][0]) and "CHF" in balances
            batch = await ws.request("batch_add", {"symbol": "XMR/USD", "token": token, "orders": [
                {"order_type": "limit", "side": "buy", "order_qty": 0.1, "limit_price": low, "cl_ord_id": "b1"},
                {"order_type": "limit", "side": "buy", "order_qty": 0.2, "limit_price": low, "cl_ord_id": "b2"}]},
                req_id=3)
            assert batch["success"] is True and [r["cl_ord_id"] for r in batch["result"]] == ["b1", "b2"]
            bad = await ws.request("batch_add", {"symbol": "XMR/USD", "token": token, "orders": [
                {"order_type": "limit", "side": "buy", "order_qty": 0.1, "limit_price": low},
                {"order_type": "limit", "side": "buy", "order_qty": 0.001, "limit_price": low}]}, req_id=4)
            assert bad["success"] is False and bad["error"] == "EOrder:Order minimum not met"
            assert len([o for o in server.orders() if o["status"] == "open"]) == 3       # nothing of the bad batch
            everything = await ws.request("cancel_all", {"token": token}, req_id=5)
            assert everything["result"] == {"count": 3}
    asyncio.run(run())


def test_tokens(fresh):
    server = fresh

    async def run():
        async with aiohttp.ClientSession() as http:
            ws = await WsClient.connect(http, server.private_ws)
            bad = await ws.request("subscribe", {"channel": "executions", "token": "nope"}, req_id=1)
            assert bad["success"] is False and bad["error"] == "ESession:Invalid session"
            server.control("POST", "/control/options", {"tokenTtlSeconds": 0.4})
            try:
                used, unused = server.token(), server.token()
                ok = await ws.request("subscribe", {"channel": "executions", "token": used}, req_id=2)
                assert ok["success"] is True
                await asyncio.sleep(0.6)
                late = await ws.request("subscribe", {"channel": "balances", "token": unused}, req_id=3)
                assert late["error"] == "ESession:Invalid session"
                still = await ws.request("cancel_all", {"token": used}, req_id=4)     # used in time: still valid
                assert still["success"] is True
            finally:
                server.control("POST", "/control/options", {"tokenTtlSeconds": 900})
            public = await WsClient.connect(http, server.public_ws)
            nope = await public.request("add_order", {"token": "x"}, req_id=9)
            assert nope["success"] is False
    asyncio.run(run())
