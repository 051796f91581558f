"""The control port (loopback, not part of Kraken's protocol): faults, the server's truth, and the replay by hand.

POST /control/fault            a fault (see faults.py)
GET  /control/faults           pending faults
GET  /control/orders           every order with its fills                    (?account=NAME&symbol=BTC/CHF)
GET  /control/account          accounts: balances, holds, fees, key names     (?name=NAME or ?apiKey=KEY)
GET  /control/book             the server's book at a depth, with its v2 checksum and checksum string
                               (?symbol=BTC/CHF&depth=10)
GET  /control/replay           position, checksumsVerified / checksumMismatches / precisionMismatches at load,
                               connections, idleCloses
POST /control/advance          {"updates": N, "symbol": S?}  (speed 0: the market moves only here)
POST /control/limits           {"reset": true} and/or {"enabled": false}  (rate-limit counters, ratelimit.py)
POST /control/options          {"idleTimeoutSeconds"?, "heartbeatSeconds"?, "tokenTtlSeconds"?, "nonceWindow"?,
                                "keepRecordedTimes"?, "systemStatus"?, "tier": {"account": "starter"}?}
"""
from __future__ import annotations

from aiohttp import web

from common import dumps, fmt
from state import State

OPTION_FIELDS = (("idleTimeoutSeconds", "idle_timeout_s", float), ("heartbeatSeconds", "heartbeat_s", float),
                 ("tokenTtlSeconds", "token_ttl_s", float), ("nonceWindow", "nonce_window", int),
                 ("keepRecordedTimes", "keep_recorded_times", bool), ("systemStatus", "system_status", str))


def _json(payload, status: int = 200) -> web.Response:
    return web.Response(text=dumps(payload), status=status, content_type="application/json")


def make_app(state: State) -> web.Application:
    app = web.Application()

    async def fault(request: web.Request) -> web.Response:
        spec = await request.json()
        try:
            action = state.faults.add(spec)
        except ValueError as error:
            return _json({"error": str(error)}, 400)
        result: dict = {"ok": True}
        if action == "drop_ws":
            result["dropped"] = await state.drop_connections(spec.get("which", "all"))
        elif action == "clock_shift":
            state.clock.shift_s = float(spec.get("seconds", 0))
        elif action == "clear":
            state.clock.shift_s = 0.0
        return _json(result)

    async def faults(request: web.Request) -> web.Response:
        return _json({**state.faults.state(), "clockShiftSeconds": state.clock.shift_s})

    async def orders(request: web.Request) -> web.Response:
        name, symbol = request.query.get("account"), request.query.get("symbol")
        rows = []
        for order in state.engine.orders.values():
            if name in (None, order.account) and symbol in (None, order.pair.symbol):
                rows.append({**order.rest(True), "txid": order.txid, "account": order.account,
                             "symbol": order.pair.symbol, "holdLeft": fmt(order.hold_left),
                             "fills": [{**order.trade_rest(f), "txid": f.txid, "feeAsset": f.fee_asset}
                                       for f in order.fills]})
        return _json(rows)

    async def account(request: web.Request) -> web.Response:
        if "apiKey" in request.query:
            found = state.accounts.lookup(request.query["apiKey"])
            return _json(found[0].view()) if found else _json({"error": "unknown key"}, 404)
        if "name" in request.query:
            found = state.accounts.find(request.query["name"])
            return _json(found.view()) if found else _json({"error": "no such account"}, 404)
        return _json([a.view() for a in state.accounts.accounts])

    async def book(request: web.Request) -> web.Response:
        symbol = request.query.get("symbol", "BTC/CHF")
        if symbol not in state.replay.books:
            return _json({"error": "unknown symbol"}, 404)
        depth = int(request.query.get("depth", "10"))
        book = state.replay.books[symbol]
        pair = book.pair
        return _json({"symbol": symbol, "depth": depth, "pricePrecision": pair.price_decimals,
                      "qtyPrecision": pair.lot_decimals,
                      "bids": [[fmt(p), fmt(q)] for p, q in book.levels("bids", depth)],
                      "asks": [[fmt(p), fmt(q)] for p, q in book.levels("asks", depth)],
                      "checksum": book.checksum(), "checksumString": book.checksum_string(),
                      "consumed": {name: {fmt(p): fmt(q) for p, q in side.items()}
                                   for name, side in book.consumed.items()}})

    async def replay(request: web.Request) -> web.Response:
        return _json({**state.replay.state(), "idleCloses": state.idle_closes, "connections": state.connections,
                      "open": {"public": len(state.public_conns), "private": len(state.private_conns)}})

    async def advance(request: web.Request) -> web.Response:
        spec = await request.json() if request.can_read_body else {}
        applied = state.replay.step(int(spec.get("updates", 1)), symbol=spec.get("symbol"))
        return _json({"applied": applied, **state.replay.state()})

    async def limits(request: web.Request) -> web.Response:
        spec = await request.json()
        if "enabled" in spec:
            state.limiter.enabled = bool(spec["enabled"])
        if spec.get("reset"):
            state.limiter.reset()
        return _json(state.limiter.view())

    async def options(request: web.Request) -> web.Response:
        spec = await request.json()
        for field, attr, cast in OPTION_FIELDS:
            if field in spec:
                setattr(state.options, attr, cast(spec[field]))
        for name, tier in (spec.get("tier") or {}).items():
            found = state.accounts.find(name)
            if found is None:
                return _json({"error": f"no such account {name}"}, 404)
            found.tier = tier
        return _json(vars(state.options))

    app.router.add_post("/control/fault", fault)
    app.router.add_get("/control/faults", faults)
    app.router.add_get("/control/orders", orders)
    app.router.add_get("/control/account", account)
    app.router.add_get("/control/book", book)
    app.router.add_get("/control/replay", replay)
    app.router.add_post("/control/advance", advance)
    app.router.add_post("/control/limits", limits)
    app.router.add_post("/control/options", options)
    return app
