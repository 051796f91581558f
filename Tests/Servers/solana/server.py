"""A local Solana node for tests: LiteSVM (solders) behind the documented JSON-RPC over HTTP and the PubSub
WebSocket API, with slots, blocks and blockhash expiry modelled as a validator has them, and a control port.

Binds 127.0.0.1 only. Port 0 picks a free port. Once every port listens, prints one JSON line on stdout:
{"rpc": P, "ws": P, "control": P, "rpcUrl": ..., "wsUrl": ..., "controlUrl": ...}

Slots advance every --slot-ms milliseconds (400 by default, as on mainnet); --slot-ms 0 moves them only on
POST /control/advance. The server exits on SIGTERM/SIGINT and when its parent process dies. See README.md.
"""
from __future__ import annotations

import argparse
import base64
import asyncio
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))   # Tests/Servers: the shared `serverkit` package

from serverkit import lifetime  # noqa: E402  (first: it takes the parent's pid)

from aiohttp import web  # noqa: E402

import codec  # noqa: E402
import rpc  # noqa: E402
import rpc_tx  # noqa: E402
from chain import Chain  # noqa: E402
from control import Control  # noqa: E402
from faults import RATE_LIMIT_MESSAGE, Faults  # noqa: E402
from solders.transaction import VersionedTransaction  # noqa: E402
from pubsub import PubSub  # noqa: E402


def fee_payer(request) -> str | None:
    """The fee payer of the transaction a sendTransaction / simulateTransaction request carries, or None."""
    if not isinstance(request, dict) or request.get("method") not in ("sendTransaction", "simulateTransaction"):
        return None
    params = request.get("params")
    if not isinstance(params, list) or not params or not isinstance(params[0], str):
        return None
    encoding = params[1].get("encoding", "base58") if len(params) > 1 and isinstance(params[1], dict) else "base58"
    try:
        raw = base64.b64decode(params[0]) if encoding == "base64" else codec.b58decode(params[0])
        return str(VersionedTransaction.from_bytes(raw).message.account_keys[0])
    except Exception:  # a malformed transaction is the RPC method's to refuse
        return None


HOST = "127.0.0.1"
METHODS = {**rpc.READS, **rpc_tx.TRANSACTIONS}


class Server:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.chain = Chain()
        self.node = rpc.Node(self.chain)
        self.pubsub = PubSub(self.node)
        self.faults = Faults()
        self.control = Control(self.node, self.pubsub, self.faults, self.go_down)
        self.runners: dict[str, web.AppRunner] = {}
        self.sites: dict[str, web.TCPSite] = {}
        self.ports: dict[str, int] = {}

    async def rpc_handler(self, request: web.Request) -> web.StreamResponse:
        text = await request.text()
        try:
            payload = json.loads(text)
        except ValueError:
            payload = None
        first = payload[0] if isinstance(payload, list) and payload else payload
        method = first.get("method") if isinstance(first, dict) else None
        self.control.requests["count"] += 1
        for entry in payload if isinstance(payload, list) else [payload]:
            if isinstance(entry, dict) and isinstance(entry.get("method"), str):
                methods = self.control.requests["methods"]
                methods[entry["method"]] = methods.get(entry["method"], 0) + 1
        fault = self.faults.take(method, fee_payer(first))
        if fault is not None:
            if fault.kind == "drop":
                request.transport.close()
                raise asyncio.CancelledError()
            if fault.kind == "hang":
                await asyncio.sleep(float(fault.spec.get("seconds", 3600)))
                request.transport.close()
                raise asyncio.CancelledError()
            if fault.kind == "http_error":
                return web.Response(status=int(fault.spec.get("status", 500)), text="Service Unavailable")
            if fault.kind == "rate_limit":
                return web.json_response({"jsonrpc": "2.0", "error": {"code": 429, "message": RATE_LIMIT_MESSAGE},
                                          "id": first.get("id") if isinstance(first, dict) else None}, status=429)
        if payload is None:
            body = {"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": None}
        else:
            body = rpc.handle(self.node, METHODS, payload)
        return web.Response(text=json.dumps(body), content_type="application/json")

    async def health(self, request: web.Request) -> web.Response:
        # The node's plain GET /health: "ok", or "behind" while it lags.
        return web.Response(text="behind" if self.node.behind else "ok")

    async def start_site(self, name: str, port: int) -> None:
        site = web.TCPSite(self.runners[name], HOST, port, reuse_address=True)
        await site.start()
        self.sites[name] = site
        self.ports[name] = site._server.sockets[0].getsockname()[1]

    async def go_down(self, seconds: float) -> None:
        """The RPC and WebSocket ports close, open connections with them, and come back after `seconds`."""
        for name in ("rpc", "ws"):
            await self.sites[name].stop()
            server = self.runners[name].server
            for connection in list(getattr(server, "connections", [])):
                if connection.transport is not None:
                    connection.transport.close()
        self.pubsub.drop_all()

        async def come_back() -> None:
            await asyncio.sleep(seconds)
            for name in ("rpc", "ws"):
                await self.start_site(name, self.ports[name])
        asyncio.get_running_loop().create_task(come_back())

    async def tick(self) -> None:
        while True:
            await asyncio.sleep(self.args.slot_ms / 1000)
            self.chain.advance(1)

    async def serve(self) -> None:
        rpc_app = web.Application(client_max_size=4 * 1024 * 1024)
        rpc_app.router.add_post("/", self.rpc_handler)
        rpc_app.router.add_get("/health", self.health)
        ws_app = web.Application()
        ws_app.router.add_get("/", self.pubsub.handler)
        for name, app, port in (("rpc", rpc_app, self.args.port), ("ws", ws_app, self.args.ws_port),
                                ("control", self.control.app(), self.args.control_port)):
            # A held (`hang`) request must not hold up a stop.
            self.runners[name] = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
            await self.runners[name].setup()
            await self.start_site(name, port)
        ports = self.ports
        print(json.dumps({**ports, "rpcUrl": f"http://{HOST}:{ports['rpc']}", "wsUrl": f"ws://{HOST}:{ports['ws']}",
                          "controlUrl": f"http://{HOST}:{ports['control']}"}), flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        # SIGTERM / SIGINT stop it (whatever mask it inherited), and so does its parent's death.
        lifetime.stop_with_parent(loop, stop.set)
        tasks = []
        if self.args.slot_ms > 0:
            tasks.append(loop.create_task(self.tick()))
        await stop.wait()
        for task in tasks:
            task.cancel()
        for runner in self.runners.values():
            await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="JSON-RPC over HTTP (0: a free port)")
    parser.add_argument("--ws-port", type=int, default=0, help="PubSub WebSocket (0: a free port)")
    parser.add_argument("--control-port", type=int, default=0)
    parser.add_argument("--slot-ms", type=int, default=400,
                        help="milliseconds per slot; 0: slots move only on POST /control/advance")
    args = parser.parse_args()
    if args.slot_ms < 0:
        parser.error(f"--slot-ms must be ≥ 0, got {args.slot_ms}")
    asyncio.run(Server(args).serve())


if __name__ == "__main__":
    main()

