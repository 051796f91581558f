"""A local 0x Swap API v2 server for tests: GET /swap/allowance-holder/{price,quote} and /swap/permit2/{price,quote}
as the docs show them (docs.0x.org, Swap API v2 getPrice / getQuote; errors {name, message, data}; headers
`0x-api-key` and `0x-version: v2`), priced from the constant-product book of book.py, and a control port.

Binds 127.0.0.1 only. Port 0 picks a free port. Once both ports listen, prints one JSON line on stdout:
{"rest": P, "control": P, "restUrl": ..., "controlUrl": ...}

Control port (not 0x's protocol):
POST /control/fault     a fault (faults.py)            GET /control/faults    pending faults
GET  /control/book      the pools and reserves          POST /control/book     {"pools": [...]}: new pools
POST /control/taker     {"address", "balances": {TOKEN: amount}, "allowances": {TOKEN: amount}}: what `issues` reports
GET  /control/requests  {"count": N, "last": {method, path, query, version}}: requests the API port received

Where the docs leave a case open, this server picks one and says so (see README.md).
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

from serverkit.pairbook import NATIVE, TOKENS, Book  # noqa: E402
from serverkit.aggfaults import Faults  # noqa: E402
from serverkit import aggchain  # noqa: E402

HOST = "127.0.0.1"
# 0x's contracts on Ethereum (docs.0x.org, "0x Cheat Sheet"): AllowanceHolder, the Permit2 contract, and a Settler
# (Settler's address changes with each deployment; the docs say to read it from the answer, never to hard-code it).
ALLOWANCE_HOLDER = "0x0000000000001fF3684f28c67538d4D072C22734"
PERMIT2 = "0x000000000022D473030F116dDEE9F6B43aC78BA3"
SETTLER = "0x7f6cee965959295cc64d0e6c00d99d6532d8e86b"   # lowercase: the docs example fails EIP-55
# The calldata is a stand-in, not Settler's ABI: AllowanceHolder.exec's selector, then sellToken, buyToken, sellAmount,
# minBuyAmount and taker as 32-byte words, so a test can read back what the server built.
EXEC_SELECTOR = "2213bc0b"
GAS = 180_000
GAS_PRICE = 20 * 10**9
BLOCK = 21_000_000


class ApiError(Exception):
    def __init__(self, status: int, name: str, message: str, data: dict | None = None,
                 headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.name, self.message, self.data, self.headers = status, name, message, data or {}, headers or {}


class State:
    def __init__(self, args: argparse.Namespace) -> None:
        self.api_key = args.api_key
        self.chains = set(args.chain or [1])
        # Local-chain mode (serverkit/aggchain.py): allowance-holder swaps call this V2 router for real.
        self.v2_router = args.v2_router
        self.book = Book()
        self.faults = Faults()
        self.takers: dict[str, dict] = {}
        self.count = 0
        self.last: dict | None = None

    def zid(self) -> str:
        return f"0x{self.count:024x}"

    def error_body(self, problem: ApiError) -> dict:
        return {"name": problem.name, "message": problem.message, "data": {"zid": self.zid(), **problem.data}}


def invalid(field: str, reason: str) -> ApiError:
    # The documented INPUT_INVALID: data.details lists each field and why.
    return ApiError(400, "INPUT_INVALID", "The input is invalid", {"details": [{"field": field, "reason": reason}]})


def address(params, name: str, required: bool = True) -> str | None:
    value = params.get(name)
    if value is None:
        if required:
            raise invalid(name, "Required")
        return None
    if len(value) != 42 or not value.startswith("0x") or any(c not in "0123456789abcdefABCDEF" for c in value[2:]):
        raise invalid(name, "Invalid ethereum address")
    return value


def token(params, name: str) -> str:
    value = address(params, name)
    symbol = Book.symbol(value)
    if symbol is None:
        raise ApiError(400, "TOKEN_NOT_SUPPORTED", "Token is not supported", {"details": {name: value}})
    return symbol


def integer(params, name: str, low: int, high: int | None = None, default: int | None = None) -> int:
    value = params.get(name)
    if value is None and default is not None:
        return default
    if value is None or not value.isdigit() or (len(value) > 1 and value[0] == "0"):
        raise invalid(name, "Expected an integer")
    number = int(value)
    if number < low or (high is not None and number > high):
        raise invalid(name, f"Expected an integer from {low}" + (f" to {high}" if high is not None else ""))
    return number


def word(value: int | str) -> str:
    number = int(value, 16) if isinstance(value, str) else value
    return f"{number:064x}"


def issues(state: State, taker: str | None, sell: str, sell_symbol: str, amount: int, spender: str) -> dict:
    """What the taker lacks, from POST /control/taker; a taker the server was not told of lacks nothing."""
    known = state.takers.get((taker or "").lower())
    allowance = balance = None
    if known is not None:
        held = int(known.get("balances", {}).get(sell_symbol, 0))
        allowed = int(known.get("allowances", {}).get(sell_symbol, 0))
        if allowed < amount and sell.lower() != NATIVE.lower():
            allowance = {"actual": str(allowed), "spender": spender}
        if held < amount:
            balance = {"token": sell, "actual": str(held), "expected": str(amount)}
    return {"allowance": allowance, "balance": balance, "simulationIncomplete": False, "invalidSourcesPassed": []}


def answer(state: State, request: web.Request) -> dict:
    flow, method = request.match_info["flow"], request.match_info["method"]
    params = request.query
    chain = integer(params, "chainId", 1)
    if chain not in state.chains:
        raise invalid("chainId", f"Chain {chain} is not supported")
    sell_symbol, buy_symbol = token(params, "sellToken"), token(params, "buyToken")
    sell, buy = params["sellToken"], params["buyToken"]
    amount = integer(params, "sellAmount", 1)
    taker = address(params, "taker", required=method == "quote")
    slippage = integer(params, "slippageBps", 0, 10_000, default=100)
    if sell_symbol == buy_symbol:
        raise invalid("buyToken", "buyToken and sellToken must differ")
    out = state.book.quote(sell_symbol, buy_symbol, amount)
    if out is None:
        # The documented answer for no route: 200, liquidityAvailable false, nothing else but zid.
        return {"liquidityAvailable": False, "zid": state.zid()}
    minimum = out * (10_000 - slippage) // 10_000
    spender = ALLOWANCE_HOLDER if flow == "allowance-holder" else PERMIT2
    # Local-chain mode (serverkit/aggchain.py): the V2 router takes the allowance and runs the swap.
    local = state.v2_router if flow == "allowance-holder" else None
    if local:
        spender = local
    body = {
        "allowanceTarget": spender, "blockNumber": str(BLOCK), "buyAmount": str(out), "buyToken": buy,
        "fees": {"integratorFee": None, "zeroExFee": {"amount": "0", "token": buy, "type": "volume"}, "gasFee": None},
        "issues": issues(state, taker, sell, sell_symbol, amount, spender), "liquidityAvailable": True,
        "minBuyAmount": str(minimum),
        "route": {"fills": [{"from": sell, "to": buy, "source": "Uniswap_V2", "proportionBps": "10000"}],
                  "tokens": [{"address": sell, "symbol": sell_symbol}, {"address": buy, "symbol": buy_symbol}]},
        "sellAmount": str(amount), "sellToken": sell,
        "tokenMetadata": {"buyToken": {"buyTaxBps": "0", "sellTaxBps": "0"},
                          "sellToken": {"buyTaxBps": "0", "sellTaxBps": "0"}},
        "totalNetworkFee": str(GAS * GAS_PRICE), "zid": state.zid(),
    }
    if method == "price":
        body.update({"gas": str(GAS), "gasPrice": str(GAS_PRICE)})
        return body
    data = "0x" + EXEC_SELECTOR + word(sell) + word(buy) + word(amount) + word(minimum) + word(taker)
    if local:
        data = aggchain.v2_swap(amount, minimum, sell, buy, taker)
    value = amount if sell.lower() == NATIVE.lower() else 0
    body["transaction"] = {"to": local or (ALLOWANCE_HOLDER if flow == "allowance-holder" else SETTLER), "data": data,
                           "gas": str(GAS), "gasPrice": str(GAS_PRICE), "value": str(value)}
    if flow == "permit2":
        # Shape only: the EIP-712 message the taker signs before the transaction may be sent.
        body["permit2"] = {"type": "Permit2", "hash": "0x" + word(amount),
                           "eip712": {"types": {}, "domain": {"name": "Permit2", "chainId": chain,
                                                              "verifyingContract": PERMIT2},
                                      "message": {"permitted": {"token": sell, "amount": str(amount)},
                                                  "spender": SETTLER}, "primaryType": "PermitTransferFrom"}}
    return body


def api_app(state: State) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        state.count += 1
        state.last = {"method": request.method, "path": request.path, "query": dict(request.query),
                      "version": request.headers.get("0x-version")}
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
                # 429's body is not shown in the docs: the documented envelope, name RATE_LIMITED.
                raise ApiError(429, "RATE_LIMITED", "Too many requests",
                               headers={} if retry is None else {"Retry-After": str(retry)})
            presented = request.headers.get("0x-api-key")
            if presented != state.api_key:
                # Not shown in the docs: 401 in the documented envelope, echoing the key it was given (the strictest
                # case for a client that must keep its key out of errors).
                raise ApiError(401, "UNAUTHORIZED", f"Invalid API key {presented!r}")
            if request.headers.get("0x-version") != "v2":
                raise invalid("0x-version", "Required header 0x-version: v2")
            body, status, headers = answer(state, request), 200, {}
            if fault and fault.kind == "mismatch" and "sellAmount" in body:
                body["sellAmount"] = str(int(body["sellAmount"]) + 1)
        except ApiError as problem:
            body, status, headers = state.error_body(problem), problem.status, problem.headers
        text = json.dumps(body)
        if fault and fault.kind == "malformed":
            text = text[: len(text) // 2]
        return web.Response(status=status, text=text, content_type="application/json", headers=headers)

    app = web.Application()
    app.router.add_get(r"/swap/{flow:allowance-holder|permit2}/{method:price|quote}", handle)
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

    async def taker(request):
        spec = await request.json()
        state.takers[spec["address"].lower()] = spec
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/control/fault", fault)
    app.router.add_get("/control/faults", lambda _: web.json_response({"faults": state.faults.state()}))
    app.router.add_get("/control/book", lambda _: web.json_response(state.book.view()))
    app.router.add_post("/control/book", set_book)
    app.router.add_post("/control/taker", taker)
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
    parser.add_argument("--api-key", default="zeroex-test-key-0001", help="the key 0x-api-key must carry")
    parser.add_argument("--chain", type=int, action="append", help="a chain id served (repeatable; default 1)")
    aggchain.add_arguments(parser)
    args = parser.parse_args()
    aggchain.apply(args)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
