"""The WebSocket front of the local EVM node: eth_subscribe / eth_unsubscribe for newHeads in geth's documented shapes
(geth.ethereum.org/docs/rpc/pubsub), one notification per new block in order, and each fault."""
from __future__ import annotations

import asyncio
import json
import re

import aiohttp
import pytest

from evm_ws_fixtures import evm_front, evm_node, fresh_front  # noqa: F401  (fixtures)
from serverkit.testing import Ws, listening_ips, sync

SUBSCRIPTION_ID = re.compile(r"^0x[0-9a-f]{32}$")


def is_answer(ident):
    return lambda message: message.get("id") == ident


def is_head(message) -> bool:
    return message.get("method") == "eth_subscription"


async def subscribed(http: aiohttp.ClientSession, url: str, ident: int = 1) -> tuple[Ws, str]:
    ws = await Ws.connect(http, url)
    await ws.send({"id": ident, "jsonrpc": "2.0", "method": "eth_subscribe", "params": ["newHeads"]})
    answer = await ws.wait(is_answer(ident))
    assert set(answer) == {"jsonrpc", "id", "result"} and answer["jsonrpc"] == "2.0"
    assert SUBSCRIPTION_ID.match(answer["result"]), answer
    return ws, answer["result"]


def test_loopback_only(evm_front):
    assert listening_ips(evm_front.ports["ws"]) == {"127.0.0.1"}
    assert listening_ips(evm_front.ports["control"]) == {"127.0.0.1"}


@sync
async def test_each_new_block_is_notified_once_in_order_with_its_header(evm_node, fresh_front):
    async with aiohttp.ClientSession() as http:
        ws, subscription = await subscribed(http, fresh_front.url)
        mined = [await asyncio.to_thread(evm_node.mine) for _ in range(3)]
        heads = [await ws.wait(is_head) for _ in mined]
        for head, block in zip(heads, mined):
            assert set(head) == {"jsonrpc", "method", "params"} and head["jsonrpc"] == "2.0"
            assert set(head["params"]) == {"subscription", "result"}
            assert head["params"]["subscription"] == subscription
            header = head["params"]["result"]
            assert (header["number"], header["hash"], header["parentHash"]) == \
                (block["number"], block["hash"], block["parentHash"])
            assert "transactions" not in header and "uncles" not in header and "stateRoot" in header
        assert [m for m in await ws.drain(0.3) if is_head(m)] == []
        await ws.close()


@sync
async def test_unsubscribe_ends_the_notifications_and_an_unknown_id_is_an_error(evm_node, fresh_front):
    async with aiohttp.ClientSession() as http:
        ws, subscription = await subscribed(http, fresh_front.url)
        await ws.send({"id": 2, "jsonrpc": "2.0", "method": "eth_unsubscribe", "params": [subscription]})
        assert (await ws.wait(is_answer(2)))["result"] is True
        await asyncio.to_thread(evm_node.mine)
        assert [m for m in await ws.drain(0.3) if is_head(m)] == []
        await ws.send({"id": 3, "jsonrpc": "2.0", "method": "eth_unsubscribe", "params": [subscription]})
        assert (await ws.wait(is_answer(3)))["error"]["code"] == -32000
        await ws.send({"id": 4, "jsonrpc": "2.0", "method": "eth_subscribe", "params": ["pendingThings"]})
        assert (await ws.wait(is_answer(4)))["error"]["code"] == -32602
        await ws.send("not json")
        answer = await ws.wait(lambda m: "error" in m and m.get("id") is None)
        assert answer["error"]["code"] == -32700
        await ws.close()


@sync
async def test_other_methods_are_answered_by_the_node(evm_node, fresh_front):
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, fresh_front.url)
        await ws.send({"id": 7, "jsonrpc": "2.0", "method": "eth_blockNumber", "params": []})
        answer = await ws.wait(is_answer(7))
        assert answer["result"] == await asyncio.to_thread(evm_node.call, "eth_blockNumber")
        await ws.close()


@sync
async def test_silence_sends_nothing_until_cleared(evm_node, fresh_front):
    async with aiohttp.ClientSession() as http:
        ws, _ = await subscribed(http, fresh_front.url)
        fresh_front.fault(type="silence")
        await asyncio.to_thread(evm_node.mine)
        assert [m for m in await ws.drain(0.3) if is_head(m)] == []
        assert fresh_front.state()["subscriptions"] == 1
        fresh_front.fault(type="clear")
        block = await asyncio.to_thread(evm_node.mine)
        assert (await ws.wait(is_head))["params"]["result"]["hash"] == block["hash"]
        await ws.close()


@pytest.mark.parametrize("shape", ["json", "header", "subscription"])
@sync
async def test_malformed_notifications(evm_node, fresh_front, shape):
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, fresh_front.url)
        await ws.send({"id": 1, "jsonrpc": "2.0", "method": "eth_subscribe", "params": ["newHeads"]})
        await ws.wait(is_answer(1))
        fresh_front.fault(type="malformed", shape=shape)
        await asyncio.to_thread(evm_node.mine)
        message = await ws.ws.receive(timeout=5)
        if shape == "json":
            with pytest.raises(ValueError):
                json.loads(message.data)
        elif shape == "header":
            assert "hash" not in json.loads(message.data)["params"]["result"]
        else:
            assert "subscription" not in json.loads(message.data)["params"]
        await ws.close()


@sync
async def test_drop_cuts_every_connection_and_refuse_turns_new_ones_away(fresh_front):
    async with aiohttp.ClientSession() as http:
        ws, _ = await subscribed(http, fresh_front.url)
        fresh_front.fault(type="drop")
        message = await ws.ws.receive(timeout=5)
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
        fresh_front.fault(type="refuse")
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(fresh_front.url)
        assert refused.value.status == 503
        assert fresh_front.state()["refused"] >= 1
        fresh_front.fault(type="clear")
        ws, _ = await subscribed(http, fresh_front.url)
        await ws.close()
