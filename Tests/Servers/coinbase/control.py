"""The control port (loopback, not part of Coinbase's protocol): faults, the server's truth, the replay by hand.

POST /control/fault     a fault (see faults.py)
GET  /control/faults    pending faults
GET  /control/orders    every order with its fills (?account=NAME&product_id=BTC-USDT)
GET  /control/account   accounts: balances (total, hold, available), fees, key names (?name=NAME or ?key=KEYNAME)
GET  /control/book      the server's book (?product_id=SKL-USD&depth=N): bids / asks [[price, size]], consumed
GET  /control/replay    position, events, finished, scripted, connections, closes (noSubscribe / idle)
POST /control/advance   {"updates": N, "product_id": P?}  (speed 0: the market moves only here)
POST /control/limits    {"enabled": false}, {"reset": true}, {"limits": {"private": 30, ...}}  (ratelimit.py)
POST /control/options   {"subscribeTimeoutSeconds"?, "heartbeatSeconds"?, "channelIdleSeconds"?,
                         "keepRecordedTimes"?, "product": {"BTC-USDT": {"trading_disabled": true, ...}}?,
                         "fees": {"default": {"taker": "0.006", "maker": "0.004"}}?}
POST /control/script    {"product_id": "BTC-USDT", "bids": [["price", "size"], ...], "asks": [...]}: the book
                        becomes exactly these levels; every level2 subscriber gets the update that change makes;
                        answers the book as GET /control/book does, plus "changes" (the levels the update set,
                        size "0" for removed ones, or null when nothing changed)
"""
from __future__ import annotations

from decimal import Decimal

from aiohttp import web

from common import dumps, fmt, parse_decimal
from products import Product
from state import State

OPTION_FIELDS = (("subscribeTimeoutSeconds", "subscribe_timeout_s", float), ("heartbeatSeconds", "heartbeat_s", float),
                 ("channelIdleSeconds", "channel_idle_s", float), ("keepRecordedTimes", "keep_recorded_times", bool))
FLAGS = ("status", "trading_disabled", "is_disabled", "cancel_only", "limit_only", "post_only")


def _json(payload, status: int = 200) -> web.Response:
    return web.Response(text=dumps(payload), status=status, content_type="application/json")


def script_levels(product: Product, rows, name: str) -> list[tuple[str, str]]:
    """A side of a script as (price text, size text); ValueError if invalid."""
    if not isinstance(rows, list):
        raise ValueError(f"{name} must be a list of [price, size]")
    levels, seen = [], set()
    for row in rows:
        if not isinstance(row, (list, tuple)) or len(row) != 2:
            raise ValueError(f"{name}: {row!r} is not [price, size]")
        price, size = parse_decimal(row[0]), parse_decimal(row[1])
        if price is None or size is None or price <= 0 or size <= 0:
            raise ValueError(f"{name}: {row!r} needs a positive price and size")
        if price % product.price_increment or size % product.base_increment:
            raise ValueError(f"{name}: {row!r} is off the grid (price_increment {fmt(product.price_increment)}, "
                             f"base_increment {fmt(product.base_increment)})")
        if price in seen:
            raise ValueError(f"{name}: price {fmt(price)} twice")
        seen.add(price)
        levels.append((fmt(price), fmt(size)))
    return levels


def book_view(state: State, product_id: str, depth: int | None) -> dict:
    book = state.replay.books[product_id]
    return {"product_id": product_id, "bids": [[fmt(p), fmt(q)] for p, q in book.levels("bid", depth)],
            "asks": [[fmt(p), fmt(q)] for p, q in book.levels("offer", depth)],
            "scripted": product_id in state.replay.scripted,
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
        elif action == "skip_sequence":
            which = spec.get("which", "all")
            targets = [c for c in state.conns if which == "all" or (which == "private") == c.private]
            for conn in targets:
                conn.skip += int(spec.get("count", 1))
            result["connections"] = len(targets)
        elif action == "clock_shift":
            state.clock.shift_s = float(spec.get("seconds", 0))
        elif action == "clear":
            state.clock.shift_s = 0.0
        return _json(result)

    async def faults(request: web.Request) -> web.Response:
        return _json({**state.faults.state(), "clockShiftSeconds": state.clock.shift_s})

    async def orders(request: web.Request) -> web.Response:
        name, product_id = request.query.get("account"), request.query.get("product_id")
        rows = []
        for order in state.engine.orders.values():
            if name in (None, order.account) and product_id in (None, order.product.product_id):
                account = state.accounts.find(order.account)
                rows.append({**order.rest(account.user_id), "account": order.account,
                             "fills": [f.rest(order, account.user_id) for f in order.fills]})
        return _json(rows)

    async def account(request: web.Request) -> web.Response:
        if "key" in request.query:
            found = state.accounts.lookup(request.query["key"])
            return _json(found[0].view()) if found else _json({"error": "unknown key"}, 404)
        if "name" in request.query:
            found = state.accounts.find(request.query["name"])
            return _json(found.view()) if found else _json({"error": "no such account"}, 404)
        return _json([a.view() for a in state.accounts.accounts])

    async def book(request: web.Request) -> web.Response:
        product_id = request.query.get("product_id")
        if product_id not in state.replay.books:
            return _json({"error": "unknown product_id"}, 404)
        depth = int(request.query["depth"]) if "depth" in request.query else None
        return _json(book_view(state, product_id, depth))

    async def script(request: web.Request) -> web.Response:
        try:
            spec = await request.json()
        except ValueError:
            return _json({"error": "body must be JSON"}, 400)
        if not isinstance(spec, dict):
            return _json({"error": "body must be a JSON object"}, 400)
        product_id = spec.get("product_id")
        if product_id not in state.replay.books:
            return _json({"error": f"unknown product_id {product_id!r}"}, 404)
        product = state.products[product_id]
        try:
            bids = script_levels(product, spec.get("bids", []), "bids")
            asks = script_levels(product, spec.get("asks", []), "asks")
        except ValueError as error:
            return _json({"error": str(error)}, 400)
        if bids and asks and max(Decimal(p) for p, _ in bids) >= min(Decimal(p) for p, _ in asks):
            return _json({"error": "crossed book: the best bid must be below the best ask"}, 400)
        event = state.script(product_id, bids, asks)
        changes = None
        if event is not None:
            changes = {name: [[fmt(Decimal(p)), fmt(Decimal(q))] for side, p, q in
                              sorted(event.changes, key=lambda c: Decimal(c[1]), reverse=name == "bids")
                              if side == code] for name, code in (("bids", "bid"), ("asks", "offer"))}
        return _json({**book_view(state, product_id, None), "changes": changes})

    async def replay(request: web.Request) -> web.Response:
        return _json({**state.replay.state(), "closes": state.closes, "connections": state.connections,
                      "open": {"public": sum(1 for c in state.conns if not c.private),
                               "private": sum(1 for c in state.conns if c.private)}})

    async def advance(request: web.Request) -> web.Response:
        spec = await request.json() if request.can_read_body else {}
        applied = state.replay.step(int(spec.get("updates", 1)), product_id=spec.get("product_id"))
        return _json({"applied": applied, **state.replay.state()})

    async def limits(request: web.Request) -> web.Response:
        spec = await request.json()
        if "enabled" in spec:
            state.limiter.enabled = bool(spec["enabled"])
        if spec.get("reset"):
            state.limiter.reset()
        for name, value in (spec.get("limits") or {}).items():
            if name in state.limiter.limits:
                state.limiter.limits[name] = int(value)
        return _json(state.limiter.view())

    async def options(request: web.Request) -> web.Response:
        spec = await request.json()
        for field, attr, cast in OPTION_FIELDS:
            if field in spec:
                setattr(state.options, attr, cast(spec[field]))
        for product_id, flags in (spec.get("product") or {}).items():
            if product_id not in state.products:
                return _json({"error": f"unknown product_id {product_id}"}, 404)
            state.products[product_id].flags.update({k: v for k, v in flags.items() if k in FLAGS})
        for name, fees in (spec.get("fees") or {}).items():
            found = state.accounts.find(name)
            if found is None:
                return _json({"error": f"no such account {name}"}, 404)
            found.taker = Decimal(str(fees.get("taker", found.taker)))
            found.maker = Decimal(str(fees.get("maker", found.maker)))
        return _json({**vars(state.options), "products": {pid: p.flags for pid, p in state.products.items()}})

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
