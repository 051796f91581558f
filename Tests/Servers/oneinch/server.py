"""A local 1inch Swap API v6.0 server for tests: GET /swap/v6.0/{chain}/quote and /swap as the docs show them
(portal.1inch.dev, Swap API v6.0: QuoteResponse, SwapResponse, TransactionData; errors {error, description,
statusCode, requestId, meta}), priced from the constant-product book of book.py, and a control port.

Binds 127.0.0.1 only. Port 0 picks a free port. Once both ports listen, prints one JSON line on stdout:
{"rest": P, "control": P, "restUrl": ..., "controlUrl": ...}

Control port (not 1inch's protocol):
POST /control/fault     a fault (faults.py)            GET /control/faults    pending faults
GET  /control/book      the pools and reserves          POST /control/book     {"pools": [...]}: new pools
GET  /control/requests  {"count": N, "last": {method, path, query}}: requests the API port received, faults included

Where the docs leave a case open, this server picks one and says so (see README.md).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))   # Tests/Servers: the shared `serverkit` package
from serverkit import lifetime  # noqa: E402  (first: it takes the parent's pid)

from aiohttp import web  # noqa: E402

from serverkit.pairbook import NATIVE, TOKENS, Book  # noqa: E402
from serverkit.aggfaults import Faults  # noqa: E402
from serverkit import aggchain  # noqa: E402

HOST = "127.0.0.1"
# AggregationRouterV6, the router 1inch's v6.0 swap transactions call (the same address on every chain it serves).
ROUTER = "0x111111125421cA6dc452d289314280a0f8842A65"
# The calldata is a stand-in, not the router's ABI: the selector of AggregationRouterV6.swap, then src, dst, amount,
# minReturn and receiver as 32-byte words, so a test can read back what the server built.
SWAP_SELECTOR = "07ed2379"
QUOTE_GAS = 150_000
SWAP_GAS = 180_000
GAS_PRICE = 20 * 10**9


class ApiError(Exception):
    def __init__(self, status: int, error: str, description: str, meta: list[dict] | None = None,
                 headers: dict | None = None) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description
        self.meta, self.headers = meta or [], headers or {}


class State:
    def __init__(self, args: argparse.Namespace) -> None:
        self.api_key = args.api_key
        self.chains = set(args.chain or [1])
        # Local-chain mode (serverkit/aggchain.py): swaps call this V2 router for real.
        self.v2_router = args.v2_router
        self.book = Book()
        self.faults = Faults()
        self.count = 0
        self.last: dict | None = None

    def request_id(self) -> str:
        return f"00000000-0000-4000-8000-{self.count:012d}"

    def error_body(self, problem: ApiError) -> dict:
        # The documented 400/500 shape; 401 and 429 are not shown in the docs and use it too.
        return {"error": problem.error, "description": problem.description, "statusCode": problem.status,
                "requestId": self.request_id(), "meta": problem.meta}


def address(params, name: str) -> str:
    value = params.get(name)
    if value is None:
        raise ApiError(400, "Bad Request", f"{name} is required", [{"type": name, "value": ""}])
    if len(value) != 42 or not value.startswith("0x") or any(c not in "0123456789abcdefABCDEF" for c in value[2:]):
        raise ApiError(400, "Bad Request", f"{name} must be an address", [{"type": name, "value": value}])
    return value


def token(params, name: str) -> str:
    value = address(params, name)
    symbol = Book.symbol(value)
    if symbol is None:
        # The docs do not show this answer; 1inch refuses a token it cannot find with a 400.
        raise ApiError(400, "Bad Request", f"{name} token {value} not found", [{"type": name, "value": value}])
    return symbol


def amount(params) -> int:
    value = params.get("amount", "")
    if not value.isdigit() or (len(value) > 1 and value[0] == "0") or int(value) == 0:
        raise ApiError(400, "Bad Request", "amount must be a positive integer", [{"type": "amount", "value": value}])
    return int(value)


def word(value: int | str) -> str:
    number = int(value, 16) if isinstance(value, str) else value
    return f"{number:064x}"


def priced(state: State, request: web.Request) -> tuple[str, str, int, int]:
    chain = int(request.match_info["chain"])
    if chain not in state.chains:
        # Not in the docs (a chain outside the list 1inch serves): answered 400 in the documented shape.
        raise ApiError(400, "Bad Request", f"chain {chain} is not supported", [{"type": "chain", "value": str(chain)}])
    params = request.query
    src, dst, sell = token(params, "src"), token(params, "dst"), amount(params)
    if src == dst:
        raise ApiError(400, "Bad Request", "src and dst must differ")
    out = state.book.quote(src, dst, sell)
    if out is None:
        raise ApiError(400, "Bad Request", "insufficient liquidity")
    return params["src"], params["dst"], sell, out


def protocols(params, src: str, dst: str) -> list:
    return [[[{"name": "UNISWAP_V2", "part": 100, "fromTokenAddress": src.lower(), "toTokenAddress": dst.lower()}]]]


def quote(state: State, request: web.Request) -> dict:
    src, dst, _, out = priced(state, request)
    body: dict = {"dstAmount": str(out)}
    if request.query.get("includeProtocols") == "true":
        body["protocols"] = protocols(request.query, src, dst)
    if request.query.get("includeGas") == "true":
        body["gas"] = QUOTE_GAS
    return body


def swap(state: State, request: web.Request) -> dict:
    src, dst, sell, out = priced(state, request)
    params = request.query
    sender = address(params, "from")
    address(params, "origin")   # required by v6.0's swap; the EOA that signs
    try:
        slippage = Decimal(params.get("slippage", ""))
    except InvalidOperation:
        slippage = Decimal(-1)
    if not Decimal(0) <= slippage <= Decimal(50):
        raise ApiError(400, "Bad Request", "slippage must be a number from 0 to 50",
                       [{"type": "slippage", "value": params.get("slippage", "")}])
    minimum = int(Decimal(out) * (Decimal(100) - slippage) / Decimal(100))
    if state.v2_router:
        to, data = state.v2_router, aggchain.v2_swap(sell, minimum, src, dst, sender)
    else:
        to, data = ROUTER, "0x" + SWAP_SELECTOR + word(src) + word(dst) + word(sell) + word(minimum) + word(sender)
    value = sell if src.lower() == NATIVE.lower() else 0
    body: dict = {"dstAmount": str(out),
                  "tx": {"from": sender, "to": to, "data": data, "value": str(value), "gas": SWAP_GAS,
                         "gasPrice": str(GAS_PRICE)}}
    if params.get("includeProtocols") == "true":
        body["protocols"] = protocols(params, src, dst)
    return body


def api_app(state: State) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        state.count += 1
        state.last = {"method": request.method, "path": request.path, "query": dict(request.query)}
        fault = state.faults.take()
        if fault and fault.kind == "drop":
            request.transport.close()
            raise asyncio.CancelledError()
        if fault and fault.kind == "delay":
            await asyncio.sleep(float(fault.spec.get("seconds", 1.0)))
        if fault and fault.kind == "http_error":
            return web.Response(status=int(fault.spec.get("status", 500)), text="Internal Server Error")
        try:
            if fault and fault.kind == "rate_limit":
                retry = fault.spec.get("retryAfter", 1)
                raise ApiError(429, "Too Many Requests", "rate limit exceeded",
                               headers={} if retry is None else {"Retry-After": str(retry)})
            presented = request.headers.get("Authorization", "")
            if presented != f"Bearer {state.api_key}":
                # Echoes what it was given, the strictest case for a client that must keep its key out of errors.
                raise ApiError(401, "Unauthorized", f"invalid authorization header {presented!r}")
            handler = quote if request.match_info["method"] == "quote" else swap
            body, status, headers = handler(state, request), 200, {}
            if fault and fault.kind == "mismatch" and "tx" in body:
                body["tx"]["from"] = "0x" + "ab" * 20
        except ApiError as problem:
            body, status, headers = state.error_body(problem), problem.status, problem.headers
        text = json.dumps(body)
        if fault and fault.kind == "malformed":
            text = text[: len(text) // 2]
        return web.Response(status=status, text=text, content_type="application/json", headers=headers)

    app = web.Application()
    app.router.add_get(r"/swap/v6.0/{chain:\d+}/{method:quote|swap}", handle)
    return app


def control_app(state: State) -> web.Application:
    async def fault(request):
        try:
            state.faults.add(await request.json())
        except ValueError as problem:
            return web.json_response({"error": str(problem)}, status=400)
        return web.json_response({"ok": True})

    async def set_book(request):
        try:
            state.book.set((await request.json())["pools"])
        except (KeyError, ValueError) as problem:
            return web.json_response({"error": str(problem)}, status=400)
        return web.json_response(state.book.view())

    app = web.Application()
    app.router.add_post("/control/fault", fault)
    app.router.add_get("/control/faults", lambda _: web.json_response({"faults": state.faults.state()}))
    app.router.add_get("/control/book", lambda _: web.json_response(state.book.view()))
    app.router.add_post("/control/book", set_book)
    app.router.add_get("/control/requests", lambda _: web.json_response({"count": state.count, "last": state.last}))
    app.router.add_get("/control/tokens", lambda _: web.json_response({k: v[0] for k, v in TOKENS.items()}))
    return app


async def serve(args: argparse.Namespace) -> None:
    state = State(args)
    runners, ports = [], {}
    for name, app, port in (("rest", api_app(state), args.port), ("control", control_app(state), args.control_port)):
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, HOST, port)
        await site.start()
        ports[name] = site._server.sockets[0].getsockname()[1]
        runners.append(runner)
    print(json.dumps({**ports, "restUrl": f"http://{HOST}:{ports['rest']}",
                      "controlUrl": f"http://{HOST}:{ports['control']}"}), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # SIGTERM / SIGINT stop it (whatever mask it inherited), and so does its parent's death.
    lifetime.stop_with_parent(loop, stop.set)
    await stop.wait()
    for runner in runners:
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--control-port", type=int, default=0)
    parser.add_argument("--api-key", default="oneinch-test-key-0001", help="the key Authorization: Bearer must carry")
    parser.add_argument("--chain", type=int, action="append", help="a chain id served (repeatable; default 1)")
    aggchain.add_arguments(parser)
    args = parser.parse_args()
    aggchain.apply(args)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
