"""The private WebSocket: orders and account channels, the order ops, and their shapes against the docs' examples
(nautilus' OKX fixtures in shared/vectors/exchanges/wire/okx, which copy docs-v5's push examples)."""
from __future__ import annotations

import asyncio
import json
import os
from decimal import Decimal as D
from pathlib import Path

import aiohttp

from okx_fixtures import server  # noqa: F401  (fixtures)
from okx_client import MAIN, OTHER, WsClient, push

FIXTURES = Path(os.environ["DEXTER_SHARED"]) / "vectors" / "exchanges" / "wire" / "okx" / "nautilus"
SPOT = {"channel": "orders", "instType": "SPOT"}


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


async def logged_in(http, creds=MAIN, *subs) -> WsClient:
    ws = await WsClient.connect(http, http._server.private_ws)
    assert (await ws.login(creds))["code"] == "0"
    if subs:
        acks = await ws.subscribe(*subs)
        assert all(a["event"] == "subscribe" for a in acks), acks
    return ws


def session(server) -> aiohttp.ClientSession:
    http = aiohttp.ClientSession()
    http._server = server
    return http


def test_order_op_answers_first_then_the_pushes(server):
    async def run():
        async with session(server) as http:
            ws = await logged_in(http, MAIN, SPOT, {"channel": "account", "ccy": "USDT"})
            snapshot = await ws.wait(push("account"))
            assert snapshot["eventType"] == "snapshot" and snapshot["lastPage"] is True
            assert [d["ccy"] for d in snapshot["data"][0]["details"]] == ["USDT"]
            count = await ws.wait(lambda m: m.get("event") == "channel-conn-count")
            assert count["connCount"] == "1"
            answer = await ws.op("order", [{"instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit",
                                            "px": "20000", "sz": "0.01", "clOrdId": "ws1"}])
            assert answer["code"] == "0" and answer["data"][0]["sCode"] == "0" and answer["inTime"]
            assert ws.messages.index(answer) < len(ws.messages)
            live = await ws.wait(push("orders"))
            assert ws.messages.index(answer) < ws.messages.index(live)     # the answer came before the push
            body = live["data"][0]
            assert live["arg"] == {"channel": "orders", "instType": "SPOT", "uid": "1001"}
            assert (body["state"], body["clOrdId"], body["fillSz"], body["avgPx"], body["tradeId"]) == \
                ("live", "ws1", "0", "0", "")
            account = await ws.wait(push("account"))
            assert account["eventType"] == "event_update"
            assert D(account["data"][0]["details"][0]["frozenBal"]) == 200
            amended = await ws.op("amend-order", [{"instId": "BTC-USDT", "clOrdId": "ws1", "newPx": "20001",
                                                   "reqId": "a1"}], ident="r2")
            assert amended["code"] == "0" and amended["data"][0]["reqId"] == "a1"
            change = (await ws.wait(push("orders")))["data"][0]
            assert (change["px"], change["amendResult"], change["reqId"]) == ("20001", "0", "a1")
            canceled = await ws.op("cancel-order", [{"instId": "BTC-USDT", "ordId": answer["data"][0]["ordId"]}],
                                   ident="r3")
            assert canceled["code"] == "0"
            final = (await ws.wait(push("orders")))["data"][0]
            assert (final["state"], final["cancelSource"]) == ("canceled", "1")
            failed = await ws.op("cancel-order", [{"instId": "BTC-USDT", "ordId": "1"}], ident="r4")
            assert failed["code"] == "1" and failed["data"][0]["sCode"] == "51400"
            bad = await ws.op("order", "not a list", ident="r5")
            assert (bad["code"], bad["msg"], bad["data"]) == ("60013", "Invalid args", [])
            missing = await ws.op("order", [{"instId": "BTC-USDT", "side": "buy"}], ident="r6")
            assert missing["code"] == "1" and missing["data"][0]["sCode"] == "50014"
            expired = await ws.op("order", [{"instId": "BTC-USDT", "tdMode": "cash", "side": "buy",
                                             "ordType": "limit", "px": "20000", "sz": "0.01"}], ident="r7",
                                  expTime="1")
            assert expired["data"][0]["sCode"] == "50037"
            by_code = await ws.op("order", [{"instIdCode": 1000000000, "tdMode": "cash", "side": "sell",
                                             "ordType": "ioc", "px": "30000", "sz": "0.001"}], ident="r8")
            assert by_code["code"] == "0"
            fill = (await ws.wait(lambda m: push("orders")(m) and m["data"][0]["tradeId"]))["data"][0]
            assert fill["execType"] == "T" and fill["fillFeeCcy"] == "USDT" and D(fill["fillFee"]) < 0
    asyncio.run(run())


def test_pushes_have_the_documented_keys(server):
    async def run():
        async with session(server) as http:
            ws = await logged_in(http, OTHER, {"channel": "orders", "instType": "ANY"}, {"channel": "account"})
            rest = server.order(OTHER, instId="BTC-USDT", side="buy", ordType="ioc", px="30300", sz="0.001")
            assert rest.json()["code"] == "0"
            order = await ws.wait(lambda m: push("orders")(m) and m["data"][0]["state"] == "filled")
            account = await ws.wait(lambda m: push("account")(m) and m["eventType"] == "event_update")
            return order, account
    order, account = asyncio.run(run())
    documented = fixture("ws_orders.json")["data"][0]
    missing = set(documented) - set(order["data"][0])
    assert not missing, missing
    documented_detail = fixture("ws_account.json")["data"][0]["details"][0]
    ours = account["data"][0]["details"][0]
    core = {"ccy", "eq", "cashBal", "availBal", "availEq", "frozenBal", "ordFrozen", "uTime", "eqUsd"}
    assert core <= set(documented_detail) and core <= set(ours)
    assert {d["ccy"] for d in account["data"][0]["details"]} == {"BTC", "USDT"}


def test_login_is_needed_and_connection_counts(server):
    async def run():
        async with session(server) as http:
            anonymous = await WsClient.connect(http, server.private_ws)
            answer = await anonymous.op("order", [{"instId": "BTC-USDT"}])
            assert answer["code"] == "60011"
            server.control("POST", "/control/options", {"channelConnLimit": 1})
            try:
                first = await logged_in(http, MAIN, SPOT)
                second = await logged_in(http, MAIN)
                await second.send({"op": "subscribe", "args": [SPOT]})
                error = await second.wait(lambda m: m.get("event") == "channel-conn-count-error")
                assert error["channel"] == "orders" and error["connCount"] == "1"
                assert first.ws.closed is False
            finally:
                server.control("POST", "/control/options", {"channelConnLimit": 30})
    asyncio.run(run())
