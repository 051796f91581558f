"""A local WebSocket front for the local EVM node (HTTP only): eth_subscribe / eth_unsubscribe for "newHeads" as geth
documents them (geth.ethereum.org/docs/rpc/pubsub), fed by polling the node for new blocks, with faults on request.

Binds 127.0.0.1 only. Port 0 picks a free port. Once both ports listen, prints one JSON line on stdout:
{"ws": P, "control": P, "wsUrl": "ws://127.0.0.1:P", "controlUrl": "http://127.0.0.1:P"}

The WebSocket (any path), as geth answers on its WebSocket endpoint:
  {"id": 1, "jsonrpc": "2.0", "method": "eth_subscribe", "params": ["newHeads"]}
      -> {"jsonrpc": "2.0", "id": 1, "result": "0x<16 random bytes>"}
      then per new block: {"jsonrpc": "2.0", "method": "eth_subscription",
                           "params": {"subscription": "0x…", "result": {header}}}
  {"id": 2, "jsonrpc": "2.0", "method": "eth_unsubscribe", "params": ["0x…"]}  -> {"jsonrpc": "2.0", "id": 2, "result": true}
  any other method is passed to the node over HTTP and its answer returned (as a geth WebSocket serves every method).
The header is the node's block without the fields a header does not have (transactions, uncles, size,
totalDifficulty). Every block after the last one notified is notified, in order (a burst of blocks between two polls
is not conflated); a head at or below the last one notified (a reorg) is notified as it is. As in geth, a subscription
lives with its connection: nothing is notified for blocks before it was made.

Choices where geth's documentation leaves a case open: an unknown subscription name answers error -32602
("no \\"NAME\\" subscription in eth namespace"); eth_unsubscribe of an unknown id answers error -32000
("subscription not found"); a message that is not JSON answers error -32700 with a null id; batches are not served
(error -32600).

Control port (not geth's protocol):
  POST /control/fault {"type": T}: a fault that stands until {"type": "clear"}:
     "drop"       every open connection is cut now (TCP closed, no close frame)
     "silence"    no notification is sent (connections and subscriptions stay)
     "malformed"  each notification is replaced by a malformed one; "shape": "json" (not JSON),
                  "header" (the header without its hash: the default), "subscription" (no subscription id)
     "refuse"     new connections are refused (HTTP 503 to the upgrade)
     "clear"      every standing fault goes
  GET /control/state: {"connections", "subscriptions", "notified", "lastHead", "refused", "faults"}
"""
from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # Tests/Servers: the shared `serverkit`
from serverkit import lifetime  # noqa: E402  (first: it takes the parent's pid)

import aiohttp  # noqa: E402
from aiohttp import web

HOST = "127.0.0.1"
HEADER_ONLY_DROPPED = ("transactions", "uncles", "size", "totalDifficulty")
FAULTS = ("drop", "silence", "malformed", "refuse")
MALFORMED_SHAPES = ("json", "header", "subscription")


class Front:
    def __init__(self, node_url: str, poll_seconds: float) -> None:
        self.node_url = node_url
        self.poll_seconds = poll_seconds
        self.http: aiohttp.ClientSession | None = None
        # websocket -> set of subscription ids on it
        self.connections: dict[web.WebSocketResponse, set[str]] = {}
        self.transports: dict[web.WebSocketResponse, asyncio.Transport] = {}
        self.faults: dict[str, dict] = {}
        self.notified = 0
        self.refused = 0
        self.last_head: dict | None = None
        self.next_id = 0

    async def node(self, method: str, params: list) -> dict:
        self.next_id += 1
        async with self.http.post(self.node_url, json={"jsonrpc": "2.0", "id": self.next_id, "method": method,
                                                       "params": params}) as answer:
            return await answer.json(content_type=None)

    async def block(self, tag: str) -> dict | None:
        answer = await self.node("eth_getBlockByNumber", [tag, False])
        return answer.get("result")

    # --- notifications -------------------------------------------------------------------------------------------

    async def follow(self) -> None:
        """Polls the node; every new block after the last one notified goes to every subscription."""
        while True:
            try:
                latest = await self.block("latest")
                if latest is not None:
                    await self.advance(latest)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                pass  # the node is away: nothing to notify until it answers again
            await asyncio.sleep(self.poll_seconds)

    async def advance(self, latest: dict) -> None:
        last = self.last_head
        if last is None:
            self.last_head = latest  # heads before the front started are not news
            return
        if latest["hash"] == last["hash"]:
            return
        last_number, latest_number = int(last["number"], 16), int(latest["number"], 16)
        blocks = [latest]
        if latest_number > last_number + 1:
            blocks = [await self.block(hex(n)) for n in range(last_number + 1, latest_number)] + [latest]
        for block in blocks:
            if block is not None:
                await self.notify(header(block))
                self.last_head = block

    async def notify(self, head: dict) -> None:
        if "silence" in self.faults:
            return
        for ws, subscriptions in list(self.connections.items()):
            for subscription in list(subscriptions):
                try:
                    await ws.send_str(self.notification(subscription, head))
                    self.notified += 1
                except (ConnectionError, RuntimeError):
                    pass

    def notification(self, subscription: str, head: dict) -> str:
        fault = self.faults.get("malformed")
        if fault is None:
            return json.dumps({"jsonrpc": "2.0", "method": "eth_subscription",
                               "params": {"subscription": subscription, "result": head}})
        shape = fault.get("shape", "header")
        if shape == "json":
            return '{"jsonrpc": "2.0", "method": "eth_subscription", "params": {"subscription": "' + subscription[:8]
        if shape == "subscription":
            return json.dumps({"jsonrpc": "2.0", "method": "eth_subscription", "params": {"result": head}})
        broken = {key: value for key, value in head.items() if key != "hash"}
        return json.dumps({"jsonrpc": "2.0", "method": "eth_subscription",
                           "params": {"subscription": subscription, "result": broken}})

    # --- the WebSocket -------------------------------------------------------------------------------------------

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        if "refuse" in self.faults:
            self.refused += 1
            return web.Response(status=503, text="refused (fault)")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connections[ws] = set()
        self.transports[ws] = request.transport
        try:
            async for message in ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    continue
                answer = await self.answer(ws, message.data)
                if answer is not None:
                    await ws.send_str(json.dumps(answer))
        finally:
            self.connections.pop(ws, None)
            self.transports.pop(ws, None)
        return ws

    async def answer(self, ws: web.WebSocketResponse, text: str) -> dict | None:
        try:
            request = json.loads(text)
        except ValueError:
            return error(None, -32700, "parse error")
        if isinstance(request, list):
            return error(None, -32600, "batches are not served by this test front")
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            return error(request.get("id") if isinstance(request, dict) else None, -32600, "invalid request")
        ident, method, params = request.get("id"), request["method"], request.get("params") or []
        if method == "eth_subscribe":
            name = params[0] if params else None
            if name != "newHeads":
                return error(ident, -32602, f'no "{name}" subscription in eth namespace')
            subscription = "0x" + secrets.token_hex(16)
            self.connections[ws].add(subscription)
            return {"jsonrpc": "2.0", "id": ident, "result": subscription}
        if method == "eth_unsubscribe":
            subscription = params[0] if params else None
            if subscription not in self.connections[ws]:
                return error(ident, -32000, "subscription not found")
            self.connections[ws].discard(subscription)
            return {"jsonrpc": "2.0", "id": ident, "result": True}
        try:
            answer = await self.node(method, params)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as problem:
            return error(ident, -32000, f"node unreachable: {problem}")
        answer["id"] = ident
        return answer

    # --- control -------------------------------------------------------------------------------------------------

    async def fault(self, request: web.Request) -> web.Response:
        spec = await request.json()
        kind = spec.get("type")
        if kind == "clear":
            self.faults.clear()
        elif kind not in FAULTS:
            return web.json_response({"error": f"unknown fault type {kind!r}"}, status=400)
        elif kind == "malformed" and spec.get("shape", "header") not in MALFORMED_SHAPES:
            return web.json_response({"error": f"unknown malformed shape {spec.get('shape')!r}"}, status=400)
        elif kind == "drop":
            for ws in list(self.connections):
                transport = self.transports.pop(ws, None)
                if transport is not None:
                    transport.abort()
                self.connections.pop(ws, None)
        else:
            self.faults[kind] = spec
        return web.json_response({"ok": True})

    def state(self) -> dict:
        return {"connections": len(self.connections), "subscriptions": sum(map(len, self.connections.values())),
                "notified": self.notified, "refused": self.refused, "faults": sorted(self.faults),
                "lastHead": int(self.last_head["number"], 16) if self.last_head else None}


def header(block: dict) -> dict:
    return {key: value for key, value in block.items() if key not in HEADER_ONLY_DROPPED}


def error(ident, code: int, message: str) -> dict:
    return {"jsonrpc": "2.0", "id": ident, "error": {"code": code, "message": message}}


async def serve(args: argparse.Namespace) -> None:
    front = Front(args.node_url, args.poll_ms / 1000)
    front.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
    ws_app = web.Application()
    ws_app.router.add_get("/{tail:.*}", front.websocket)
    control = web.Application()
    control.router.add_post("/control/fault", front.fault)
    control.router.add_get("/control/state", lambda _: web.json_response(front.state()))
    runners, ports = [], {}
    for name, app, port in (("ws", ws_app, args.port), ("control", control, args.control_port)):
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, HOST, port)
        await site.start()
        ports[name] = site._server.sockets[0].getsockname()[1]
        runners.append(runner)
    # The first head seen is the baseline: only blocks after it are news.
    try:
        latest = await front.block("latest")
        if latest is not None:
            await front.advance(latest)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        pass
    follower = asyncio.create_task(front.follow())
    print(json.dumps({**ports, "wsUrl": f"ws://{HOST}:{ports['ws']}", "controlUrl": f"http://{HOST}:{ports['control']}"}),
          flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # SIGTERM / SIGINT stop it (whatever mask it inherited), and so does its parent's death.
    lifetime.stop_with_parent(loop, stop.set)
    await stop.wait()
    follower.cancel()
    for ws in list(front.connections):
        await ws.close()
    for runner in runners:
        await runner.cleanup()
    await front.http.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-url", required=True, help="the HTTP JSON-RPC node to follow (loopback)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--control-port", type=int, default=0)
    parser.add_argument("--poll-ms", type=int, default=20, help="how often the node is asked for its latest block")
    args = parser.parse_args()
    if not args.node_url.startswith(("http://127.0.0.1", "http://localhost")):
        sys.exit("evm_ws: --node-url must be a loopback http:// URL")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
