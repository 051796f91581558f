"""A local Jupiter Swap API server for tests: GET /quote and POST /swap (at /swap/v1/… and /v6/…) over
constant-product pools whose vaults live on the local Solana node (Tests/Servers/solana), so that the swap
transaction it returns really executes there, signed by the user alone. See README.md and api.py.

Binds 127.0.0.1 only. Port 0 picks a free port. Needs the node's URLs: --rpc-url and --node-control-url. Once both
ports listen (and its fee payer is funded on the node), prints one JSON line on stdout:
{"rest": P, "control": P, "restUrl": ..., "controlUrl": ..., "authority": <the vaults' owner>}

Control port (not Jupiter's protocol):
POST /control/pool    {"mintA", "mintB", "reserveA", "reserveB", "feeBps", "label"?, "ammKey"?}: a pool (one per pair
                      and label; ammKey: the address its routes name, e.g. a real pool's), its vaults created and
                      funded on the node → the pool (ammKey, vaults, reserves). GET /quote's `dexes` (labels,
                      comma-separated) limits the pools a quote may use
GET  /control/pools   the pools with their live reserves
POST /control/fault   a fault (serverkit/aggfaults.py; "mismatch" = a swap paying another owner, a quote for
                      amount + 1)                  GET /control/faults    pending faults
GET  /control/requests {"count": N, "last": {method, path, query}}
The server exits on SIGTERM/SIGINT and when its parent process dies.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))   # Tests/Servers: the shared `serverkit` package

from serverkit import lifetime  # noqa: E402  (first: it takes the parent's pid)

from aiohttp import web  # noqa: E402
from solders.keypair import Keypair  # noqa: E402
from solders.pubkey import Pubkey  # noqa: E402

import api  # noqa: E402
from node import Node, NodeError  # noqa: E402
from pools import BadPool, Pools  # noqa: E402
from serverkit.aggfaults import Faults  # noqa: E402

HOST = "127.0.0.1"
FEE_PAYER_LAMPORTS = 1_000 * 10**9


class Server:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.node = Node(args.rpc_url, args.node_control_url)
        self.authority = Keypair()
        self.pools = Pools(self.node, self.authority)
        self.faults = Faults()
        self.count = 0
        self.last: dict | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.count += 1
        self.last = {"method": request.method, "path": request.path, "query": dict(request.query)}
        fault = self.faults.take()
        if fault and fault.kind == "drop":
            request.transport.close()
            raise asyncio.CancelledError()
        if fault and fault.kind == "delay":
            await asyncio.sleep(float(fault.spec.get("seconds", 1.0)))
        if fault and fault.kind == "http_error":
            return web.Response(status=int(fault.spec.get("status", 500)), text="Internal Server Error")
        headers = {}
        try:
            if fault and fault.kind == "rate_limit":
                retry = fault.spec.get("retryAfter", 1)
                headers = {} if retry is None else {"Retry-After": str(retry)}
                raise api.ApiError("Too Many Requests", "RATE_LIMITED", 429)
            mismatch = bool(fault and fault.kind == "mismatch")
            if request.match_info["method"] == "quote":
                query = dict(request.query)
                if mismatch and query.get("amount", "").isdigit():
                    query["amount"] = str(int(query["amount"]) + 1)
                body = await api.quote(self.pools, query)
            else:
                try:
                    payload = await request.json()
                except ValueError:
                    raise api.ApiError("the body must be JSON", "INVALID_REQUEST") from None
                body = await api.swap(self.pools, payload, mismatch)
            status = 200
        except api.ApiError as problem:
            body, status = problem.body(), problem.status
        except NodeError as problem:
            body, status = {"error": str(problem), "errorCode": "RPC_ERROR"}, 500
        text = json.dumps(body)
        if fault and fault.kind == "malformed":
            text = text[: len(text) // 2]
        return web.Response(status=status, text=text, content_type="application/json", headers=headers)

    def api_app(self) -> web.Application:
        app = web.Application()
        for prefix in ("/swap/v1", "/v6"):
            app.router.add_get(prefix + "/{method:quote}", self.handle)
            app.router.add_post(prefix + "/{method:swap}", self.handle)
        return app

    def control_app(self) -> web.Application:
        async def create_pool(request):
            try:
                body = await request.json()
                if not isinstance(body, dict):
                    raise BadPool("the body must be a JSON object")
                fields = {}
                for name in ("mintA", "mintB"):
                    try:
                        fields[name] = Pubkey.from_string(body.get(name) or "")
                    except Exception:
                        raise BadPool(f"`{name}` must be a base-58 mint address, got {body.get(name)!r}") from None
                for name in ("reserveA", "reserveB", "feeBps"):
                    fields[name] = api.whole(body.get(name), name, api.curve.BPS - 1 if name == "feeBps" else 2**64 - 1)
                amm_key = None
                if body.get("ammKey") is not None:
                    try:
                        amm_key = Pubkey.from_string(body["ammKey"])
                    except Exception:
                        raise BadPool(f"`ammKey` must be a base-58 address, got {body.get('ammKey')!r}") from None
                pool = await self.pools.create(fields["mintA"], fields["mintB"], fields["reserveA"],
                                               fields["reserveB"], fields["feeBps"], str(body.get("label", "Local CP")),
                                               amm_key)
            except (BadPool, api.ApiError, ValueError) as problem:
                return web.json_response({"error": f"/control/pool: {problem}"}, status=400)
            except NodeError as problem:
                return web.json_response({"error": f"/control/pool: {problem}"}, status=502)
            return web.json_response(next(view for view in await self.pools.view()
                                          if view["ammKey"] == str(pool.amm_key)))

        async def pools(_):
            return web.json_response({"pools": await self.pools.view()})

        async def fault(request):
            try:
                self.faults.add(await request.json())
            except (ValueError, TypeError) as problem:
                return web.json_response({"error": f"/control/fault: {problem}"}, status=400)
            return web.json_response({"ok": True})

        app = web.Application()
        app.router.add_post("/control/pool", create_pool)
        app.router.add_get("/control/pools", pools)
        app.router.add_post("/control/fault", fault)
        app.router.add_get("/control/faults", lambda _: web.json_response({"faults": self.faults.state()}))
        app.router.add_get("/control/requests", lambda _: web.json_response({"count": self.count, "last": self.last}))
        return app

    async def serve(self) -> None:
        await self.node.open()
        await self.node.control("/control/airdrop", {"pubkey": str(self.authority.pubkey()),
                                                     "lamports": FEE_PAYER_LAMPORTS})
        runners, ports = [], {}
        for name, app, port in (("rest", self.api_app(), self.args.port),
                                ("control", self.control_app(), self.args.control_port)):
            runner = web.AppRunner(app, access_log=None, handle_signals=False)
            await runner.setup()
            site = web.TCPSite(runner, HOST, port)
            await site.start()
            ports[name] = site._server.sockets[0].getsockname()[1]
            runners.append(runner)
        print(json.dumps({**ports, "restUrl": f"http://{HOST}:{ports['rest']}",
                          "controlUrl": f"http://{HOST}:{ports['control']}",
                          "authority": str(self.authority.pubkey())}), flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        # SIGTERM / SIGINT stop it (whatever mask it inherited), and so does its parent's death.
        lifetime.stop_with_parent(loop, stop.set)
        await stop.wait()
        for runner in runners:
            await runner.cleanup()
        await self.node.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--control-port", type=int, default=0)
    parser.add_argument("--rpc-url", required=True, help="the local Solana node's JSON-RPC URL (its rpcUrl)")
    parser.add_argument("--node-control-url", required=True, help="the local Solana node's controlUrl")
    asyncio.run(Server(parser.parse_args()).serve())


if __name__ == "__main__":
    main()
