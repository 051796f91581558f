"""The PubSub WebSocket of the local Solana node: accountSubscribe, slotSubscribe, signatureSubscribe and their
notifications in the documented shapes (read back with solders' parse_websocket_message), unsubscribes, and the
`ws_close` fault."""
from __future__ import annotations

import asyncio

import aiohttp
import json
from solders.keypair import Keypair
from solders.rpc.responses import parse_websocket_message

from solana_fixtures import SOL, lamports_transfer, node, sign, solana  # noqa: F401
from serverkit.testing import Ws, sync


def notification(method: str, subscription: int):
    return lambda message: message.get("method") == method and message["params"]["subscription"] == subscription


async def subscribe(ws: Ws, request_id: int, method: str, params: list) -> int:
    await ws.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
    answer = await ws.wait(lambda message: message.get("id") == request_id)
    assert isinstance(answer["result"], int), answer
    return answer["result"]


@sync
async def test_account_notification_after_a_transfer(node):
    payer, receiver = node.wallet(SOL), Keypair()
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, node.ws_url)
        sub = await subscribe(ws, 1, "accountSubscribe", [str(receiver.pubkey()),
                                                          {"encoding": "base64", "commitment": "processed"}])
        node.send(sign(payer, [lamports_transfer(payer, receiver.pubkey(), 3_000_000)], node.blockhash()[0]))
        message = await ws.wait(notification("accountNotification", sub))
        value = message["params"]["result"]["value"]
        assert value["lamports"] == 3_000_000 and value["owner"] == "11111111111111111111111111111111"
        assert set(message["params"]["result"]["context"]) == {"slot"}
        parsed = parse_websocket_message(json.dumps(message, default=int))
        assert parsed[0].result.value.lamports == 3_000_000
        await ws.send({"jsonrpc": "2.0", "id": 2, "method": "accountUnsubscribe", "params": [sub]})
        assert (await ws.wait(lambda m: m.get("id") == 2))["result"] is True
        await ws.close()


@sync
async def test_finalized_account_notification_waits_for_finality(node):
    payer, receiver = node.wallet(SOL), Keypair()
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, node.ws_url)
        sub = await subscribe(ws, 1, "accountSubscribe", [str(receiver.pubkey()), {"encoding": "jsonParsed"}])
        node.send(sign(payer, [lamports_transfer(payer, receiver.pubkey(), 2_000_000)], node.blockhash()[0]))
        node.advance(31)
        early = await ws.drain(0.3)
        assert not [m for m in early if m.get("method") == "accountNotification"]
        node.advance(1)
        message = await ws.wait(notification("accountNotification", sub))
        assert message["params"]["result"]["value"]["lamports"] == 2_000_000
        await ws.close()


@sync
async def test_slot_and_signature_notifications(node):
    payer = node.wallet(SOL)
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, node.ws_url)
        slot_sub = await subscribe(ws, 1, "slotSubscribe", [])
        transaction = sign(payer, [lamports_transfer(payer, Keypair().pubkey(), 1_000_000)], node.blockhash()[0])
        signature = str(transaction.signatures[0])
        signature_sub = await subscribe(ws, 2, "signatureSubscribe", [signature, {"commitment": "confirmed"}])
        node.send(transaction)
        landed_slot = node.status(signature)["slot"]
        state = node.advance(1)
        slot_message = await ws.wait(notification("slotNotification", slot_sub))
        result = slot_message["params"]["result"]
        assert result["slot"] == state["slot"] and result["parent"] == landed_slot and result["root"] < result["slot"]
        done = await ws.wait(notification("signatureNotification", signature_sub))
        assert done["params"]["result"] == {"context": {"slot": landed_slot}, "value": {"err": None}}
        assert parse_websocket_message(json.dumps(done, default=int))[0].result.value.err is None
        # A signature subscription ends with its notification.
        await ws.send({"jsonrpc": "2.0", "id": 3, "method": "signatureUnsubscribe", "params": [signature_sub]})
        assert (await ws.wait(lambda m: m.get("id") == 3))["error"]["code"] == -32602
        await ws.close()


@sync
async def test_ws_close_fault_drops_the_socket(node):
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, node.ws_url)
        await subscribe(ws, 1, "slotSubscribe", [])
        assert node.fault(type="ws_close")["closed"] >= 1
        message = await ws.ws.receive(timeout=10)
        assert message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.ERROR)
        again = await Ws.connect(http, node.ws_url)
        await subscribe(again, 1, "slotSubscribe", [])
        await again.close()
        await asyncio.sleep(0)


@sync
async def test_slots_advance_on_the_timer():
    from serverkit.testing import start_server, stop_server
    from solana_fixtures import REPO, SERVER
    process, ports = start_server(SERVER, ["--slot-ms", "20"], REPO)
    try:
        async with aiohttp.ClientSession() as http:
            ws = await Ws.connect(http, ports["wsUrl"])
            sub = await subscribe(ws, 1, "slotSubscribe", [])
            slots = [(await ws.wait(notification("slotNotification", sub), timeout=30))["params"]["result"]["slot"]
                     for _ in range(3)]
            assert slots == sorted(slots) and len(set(slots)) == 3
            await ws.close()
    finally:
        stop_server(process)
