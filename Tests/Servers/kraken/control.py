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
POST /control/script           {"symbol": "BTC/USDT", "bids": [["price", "qty"], ...], "asks": [...]}: the book
                               becomes exactly these levels (see book.py, scripted books); answers the whole book
                               as GET /control/book does, plus "changes" (the levels the update set, qty "0" for
                               removed ones, or null when nothing changed)
POST /control/options          {"idleTimeoutSeconds"?, "heartbeatSeconds"?, "tokenTtlSeconds"?, "nonceWindow"?,
                                "keepRecordedTimes"?, "systemStatus"?, "tier": {"account": "starter"}?}
"""
from __future__ import annotations

from decimal import Decimal

from aiohttp import web

import channels
from common import dumps, fixed, fmt, parse_decimal
from instruments import Pair
from state import State

OPTION_FIELDS = (("idleTimeoutSeconds", "idle_timeout_s", float), ("heartbeatSeconds", "heartbeat_s", float),
                 ("tokenTtlSeconds", "token_ttl_s", float), ("nonceWindow", "nonce_window", int),
                 ("keepRecordedTimes", "keep_recorded_times", bool), ("systemStatus", "system_status", str))


def _json(payload, status: int = 200) -> web.Response:
    return web.Response(text=dumps(payload), status=status, content_type="application/json")


def script_levels(pair: Pair, rows, name: str) -> list[tuple[str, str]]:
    """A side of a script as (price text, qty text) with the pair's decimals; ValueError if invalid."""
    if not isinstance(rows, list):
        raise ValueError(f"{name} must be a list of [price, qty]")
    levels, seen = [], set()
    for row in rows:
        if not isinstance(row, (list, tuple)) or len(row) != 2:
            raise ValueError(f"{name}: {row!r} is not [price, qty]")
        price, qty = parse_decimal(row[0]), parse_decimal(row[1])
        if price is None or qty is None or price <= 0 or qty <= 0:
            raise ValueError(f"{name}: {row!r} needs a positive price and qty")
        if price % pair.tick or qty % pair.lot:
            raise ValueError(f"{name}: {row!r} has more decimals than pair_decimals {pair.price_decimals} / "
                             f"lot_decimals {pair.lot_decimals}")
        if price in seen:
            raise ValueError(f"{name}: price {fmt(price)} twice")
        seen.add(price)
        levels.append((fixed(price, pair.price_decimals), fixed(qty, pair.lot_decimals)))
    return levels


def book_view(state: State, symbol: str, depth: int) -> dict:
    book = state.replay.books[symbol]
    pair = book.pair
    return {"symbol": symbol, "depth": depth, "pricePrecision": pair.price_decimals, "qtyPrecision": pair.lot_decimals,
            "bids": [[fmt(p), fmt(q)] for p, q in book.levels("bids", depth)],
            "asks": [[fmt(p), fmt(q)] for p, q in book.levels("asks", depth)],
            "checksum": book.checksum(), "checksumString": book.checksum_string(),
            "scripted": symbol in state.replay.scripted,
            "consumed": {name: {fmt(p): fmt(q) for p, q in side.items()} for name, side in book.consumed.items()}}


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
        return _json(book_view(state, symbol, int(request.query.get("depth", "10"))))

    async def script(request: web.Request) -> web.Response:
        try:
            spec = await request.json()
        except ValueError:
            return _json({"error": "body must be JSON"}, 400)
        if not isinstance(spec, dict):
            return _json({"error": "body must be a JSON object"}, 400)
        symbol = spec.get("symbol")
        if symbol not in state.replay.books:
            return _json({"error": f"unknown symbol {symbol!r} (v2 name, e.g. BTC/USDT)"}, 404)
        pair = state.replay.books[symbol].pair
        try:
            bids = script_levels(pair, spec.get("bids", []), "bids")
            asks = script_levels(pair, spec.get("asks", []), "asks")
        except ValueError as error:
            return _json({"error": str(error)}, 400)
        if bids and asks and max(Decimal(p) for p, _ in bids) >= min(Decimal(p) for p, _ in asks):
            return _json({"error": "crossed book: the best bid must be below the best ask"}, 400)
        event = state.script(symbol, bids, asks)
        changes = None
        if event is not None:
            changes = {name: [[fmt(Decimal(p)), fmt(Decimal(q))] for side, p, q in
                              sorted(event.levels, key=lambda level: Decimal(level[1]), reverse=name == "bids")
                              if side == code] for name, code in (("bids", "b"), ("asks", "a"))}
        return _json({**book_view(state, symbol, state.replay.books[symbol].depth), "changes": changes})

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
        was = state.options.system_status
        for field, attr, cast in OPTION_FIELDS:
            if field in spec:
                setattr(state.options, attr, cast(spec[field]))
        if state.options.system_status != was:
            # Kraken pushes a `status` update on every connection when the trading system changes state.
            for number, conn in enumerate(list(state.public_conns | state.private_conns)):
                conn.send(channels.status(state, number + 1))
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
    app.router.add_post("/control/script", script)
    return app
