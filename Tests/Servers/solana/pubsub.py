"""The WebSocket PubSub API (solana.com/docs/rpc/websocket): accountSubscribe, slotSubscribe and
signatureSubscribe with their unsubscribes, notifications `accountNotification`, `slotNotification` and
`signatureNotification` in the documented shapes (a notification's context carries only the slot).

Account notifications are sent when a change reaches the subscription's commitment (default finalized), with the
account as it was right after the change. A signature subscription fires once, when its transaction reaches the
commitment, and is then gone (as the docs say)."""
from __future__ import annotations

import asyncio
import json

from aiohttp import WSMsgType, web
from solders.pubkey import Pubkey

import params as p
from chain import Chain
from codec import RpcError, invalid_params
from rpc import Node
from rpc_tx import signature_param


class Connection:
    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.queue: asyncio.Queue = asyncio.Queue()

    def send(self, payload: dict) -> None:
        self.queue.put_nowait(json.dumps(payload))

    async def writer(self) -> None:
        while True:
            text = await self.queue.get()
            if self.ws.closed:
                return
            await self.ws.send_str(text)


class PubSub:
    def __init__(self, node: Node) -> None:
        self.node = node
        self.chain: Chain = node.chain
        self.next_id = 0
        self.subs: dict[int, dict] = {}            # id → {kind, connection, key/signature, cfg, commitment}
        self.pending: list[tuple[int, int, object]] = []   # (slot, subscription id, account) waiting to be final
        self.connections: set[Connection] = set()
        self.notifications = 0
        self.chain.listeners.append(self)

    # ---- chain events ----

    def on_block(self, block) -> None:
        for sub_id, sub in list(self.subs.items()):
            if sub["kind"] == "slot":
                self._notify(sub_id, "slotNotification",
                             {"parent": block.parent_slot, "root": self.chain.at("finalized").slot,
                              "slot": block.slot})
        self._flush()

    def on_accounts(self, slot: int, changed: dict) -> None:
        for sub_id, sub in list(self.subs.items()):
            if sub["kind"] == "account" and sub["key"] in changed:
                self.pending.append((slot, sub_id, changed[sub["key"]]))
        self._flush()

    def _flush(self) -> None:
        waiting = []
        for slot, sub_id, account in self.pending:
            sub = self.subs.get(sub_id)
            if sub is None:
                continue
            if not self.chain.reached(slot, sub["commitment"]):
                waiting.append((slot, sub_id, account))
                continue
            value = self.node.encode_account(Pubkey.from_string(sub["key"]), account, sub["cfg"])
            if value is None:
                # A closed account is reported as emptied, as the node does.
                value = {"data": ["", "base64"], "executable": False, "lamports": 0,
                         "owner": "11111111111111111111111111111111", "rentEpoch": 0, "space": 0}
            self._notify(sub_id, "accountNotification", {"context": {"slot": slot}, "value": value})
        self.pending = waiting
        for sub_id, sub in list(self.subs.items()):
            if sub["kind"] != "signature":
                continue
            landed = self.chain.landed.get(sub["signature"])
            if landed is not None and self.chain.reached(landed.slot, sub["commitment"]):
                self._notify(sub_id, "signatureNotification",
                             {"context": {"slot": landed.slot}, "value": {"err": landed.err}})
                del self.subs[sub_id]

    def _notify(self, sub_id: int, method: str, result) -> None:
        sub = self.subs[sub_id]
        self.notifications += 1
        sub["connection"].send({"jsonrpc": "2.0", "method": method,
                                "params": {"result": result, "subscription": sub_id}})

    # ---- requests ----

    def _subscribe(self, connection: Connection, kind: str, **fields) -> int:
        self.next_id += 1
        self.subs[self.next_id] = {"kind": kind, "connection": connection, **fields}
        return self.next_id

    def request(self, connection: Connection, method: str, params):
        if method == "accountSubscribe":
            key = str(p.pubkey(p.positional(params, 0, "pubkey")))
            cfg = p.config(params, 1)
            self.node.check_encoding(cfg)
            return self._subscribe(connection, "account", key=key, cfg=cfg, commitment=p.commitment(cfg))
        if method == "slotSubscribe":
            return self._subscribe(connection, "slot")
        if method == "signatureSubscribe":
            signature = signature_param(p.positional(params, 0, "signature"))
            cfg = p.config(params, 1)
            sub_id = self._subscribe(connection, "signature", signature=signature, commitment=p.commitment(cfg))
            if cfg.get("enableReceivedNotification"):
                self._notify(sub_id, "signatureNotification",
                             {"context": {"slot": self.chain.tip.slot}, "value": "receivedSignature"})
            self._flush_later()
            return sub_id
        kinds = {"accountUnsubscribe": "account", "slotUnsubscribe": "slot", "signatureUnsubscribe": "signature"}
        if method in kinds:
            sub_id = p.integer(p.positional(params, 0, "subscription"), "subscription")
            sub = self.subs.get(sub_id)
            if sub is None or sub["connection"] is not connection or sub["kind"] != kinds[method]:
                raise invalid_params("Invalid subscription id.")
            del self.subs[sub_id]
            return True
        raise RpcError(-32601, "Method not found")

    def _flush_later(self) -> None:
        # The subscription's id goes out first; a transaction already final is reported right after it.
        asyncio.get_running_loop().call_soon(self._flush)

    async def handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        connection = Connection(ws)
        self.connections.add(connection)
        writer = asyncio.create_task(connection.writer())
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                connection.send(self._answer(connection, msg.data))
        finally:
            self.connections.discard(connection)
            for sub_id in [i for i, s in self.subs.items() if s["connection"] is connection]:
                del self.subs[sub_id]
            writer.cancel()
        return ws

    def _answer(self, connection: Connection, text: str) -> dict:
        try:
            request = json.loads(text)
        except ValueError:
            return {"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": None}
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            return {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid request"}, "id": None}
        try:
            result = self.request(connection, request["method"], request.get("params"))
            return {"jsonrpc": "2.0", "result": result, "id": request.get("id")}
        except RpcError as problem:
            return {"jsonrpc": "2.0", "error": problem.body(), "id": request.get("id")}

    def drop_all(self) -> int:
        """The control's `ws_close`: every socket closes without a close frame, as a network drop would."""
        count = len(self.connections)
        for connection in list(self.connections):
            transport = connection.ws._req.transport if connection.ws._req is not None else None
            if transport is not None:
                transport.close()
        return count
