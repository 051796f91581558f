"""The control port (loopback, not part of OKX's protocol): faults, the server's truth, and the replay by hand.

POST /control/fault            a fault (see faults.py)
GET  /control/faults           pending faults
GET  /control/orders           every order of every account, with its fills   (?account=NAME&instId=BTC-USDT)
GET  /control/account          every account's balances and keys (no secrets) (?name=NAME or ?apiKey=KEY)
GET  /control/book             the server's book                              (?instId=BTC-USDT&limit=N)
GET  /control/replay           where the replay stands (checksumMismatches found at load, idleCloses since start)
POST /control/advance          {"events": N} | {"updates": N, "instId": S?} | {"seconds": T}  (capture time)
POST /control/limits           {"reset": true} and/or {"limits": {"order": 5, ...}} (rule names: ratelimit.py)
POST /control/script           {"symbol": "BTC-USDT", "bids": [["px", "sz"(, "numOrders")], ...], "asks": [...]}
                               the book becomes exactly these levels (see book.py, scripted books); answers the
                               book as GET /control/book does, plus "update" (the books update sent, or null)
POST /control/options          {"idleTimeoutSeconds"?, "wsConnectsPerSecond"?, "bookHeartbeatSeconds"?,
                                "channelConnLimit"?, "opsPerHour"?, "keepRecordedTimes"?}
"""
from __future__ import annotations

from decimal import Decimal

from aiohttp import web

from common import fmt, parse_decimal
from instruments import Instrument
from state import State, dumps


def _json(payload, status: int = 200) -> web.Response:
    return web.Response(text=dumps(payload), status=status, content_type="application/json")


OPTION_FIELDS = (("idleTimeoutSeconds", "idle_timeout_s", float),
                 ("wsConnectsPerSecond", "ws_connects_per_second", int),
                 ("bookHeartbeatSeconds", "book_heartbeat_s", float), ("channelConnLimit", "channel_conn_limit", int),
                 ("opsPerHour", "ops_per_hour", int), ("keepRecordedTimes", "keep_recorded_times", bool))


def script_levels(inst: Instrument, rows, name: str) -> list[list[str]]:
    """A side of a script as wire levels [px, sz, "0", numOrders] (OKX's number text); ValueError if invalid."""
    if not isinstance(rows, list):
        raise ValueError(f"{name} must be a list of [price, qty] (or [price, qty, numOrders])")
    levels, seen = [], set()
    for row in rows:
        if not isinstance(row, (list, tuple)) or len(row) not in (2, 3):
            raise ValueError(f"{name}: {row!r} is not [price, qty] or [price, qty, numOrders]")
        price, qty = parse_decimal(row[0]), parse_decimal(row[1])
        orders = str(row[2]) if len(row) == 3 else "1"
        if price is None or qty is None or price <= 0 or qty <= 0:
            raise ValueError(f"{name}: {row!r} needs a positive price and qty")
        if price % inst.tick or qty % inst.lot:
            raise ValueError(f"{name}: {row!r} is off the tickSz {fmt(inst.tick)} / lotSz {fmt(inst.lot)}")
        if not orders.isdigit() or int(orders) < 1:
            raise ValueError(f"{name}: {row!r} numOrders must be a positive integer")
        if price in seen:
            raise ValueError(f"{name}: price {fmt(price)} twice")
        seen.add(price)
        levels.append([fmt(price), fmt(qty), "0", orders])
    return levels


def book_view(state: State, inst_id: str, limit: int = 1_000_000) -> dict:
    book = state.replay.books[inst_id]
    return {"instId": inst_id, "bids": book.bids.top(limit), "asks": book.asks.top(limit),
            "seqId": book.seq_id, "checksum": book.checksum(), "ts": str(book.ts),
            "scripted": inst_id in state.replay.scripted,
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
            state.clock.shift_ms = int(spec.get("ms", 0))
        elif action == "seq_reset":
            inst_id = spec.get("instId", "BTC-USDT")
            if inst_id not in state.replay.books:
                return _json({"error": "unknown instId"}, 404)
            state.replay.pending_resets[inst_id] = int(spec.get("seqId", 3))
        elif action == "clear":
            state.clock.shift_ms = 0
            state.replay.pending_resets.clear()
        return _json(result)

    async def faults(request: web.Request) -> web.Response:
        return _json({**state.faults.state(), "clockShiftMs": state.clock.shift_ms,
                      "seqResets": dict(state.replay.pending_resets)})

    async def orders(request: web.Request) -> web.Response:
        name, inst_id = request.query.get("account"), request.query.get("instId")
        uid = None
        if name:
            account = state.accounts.find(name)
            if account is None:
                return _json({"error": "no such account"}, 404)
            uid = account.uid
        rows = []
        for order in state.engine.orders.values():
            if (uid is None or order.uid == uid) and inst_id in (None, order.inst_id):
                rows.append({**order.details(), "uid": order.uid,
                             "fills": [{**order.fill_row(f), "quote": fmt(f.px * f.sz)} for f in order.fills]})
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
        inst_id = request.query.get("instId", "BTC-USDT")
        if inst_id not in state.replay.books:
            return _json({"error": "unknown instId"}, 404)
        return _json(book_view(state, inst_id, int(request.query.get("limit", "1000000"))))

    async def script(request: web.Request) -> web.Response:
        try:
            spec = await request.json()
        except ValueError:
            return _json({"error": "body must be JSON"}, 400)
        if not isinstance(spec, dict):
            return _json({"error": "body must be a JSON object"}, 400)
        inst_id = spec.get("symbol", spec.get("instId"))
        inst = state.instruments.get(inst_id)
        if inst is None or inst_id not in state.replay.books:
            return _json({"error": f"unknown symbol {inst_id!r}"}, 404)
        try:
            bids = script_levels(inst, spec.get("bids", []), "bids")
            asks = script_levels(inst, spec.get("asks", []), "asks")
        except ValueError as error:
            return _json({"error": str(error)}, 400)
        if bids and asks and max(Decimal(b[0]) for b in bids) >= min(Decimal(a[0]) for a in asks):
            return _json({"error": "crossed book: the best bid must be below the best ask"}, 400)
        event = state.script(inst_id, bids, asks)
        update = None if event is None else {**event.data, "prevSeqId": event.out_prev_seq_id,
                                             "seqId": event.out_seq_id}
        return _json({**book_view(state, inst_id), "update": update})

    async def replay(request: web.Request) -> web.Response:
        return _json({**state.replay.state(), "idleCloses": state.idle_closes})

    async def advance(request: web.Request) -> web.Response:
        spec = await request.json() if request.can_read_body else {}
        if "seconds" in spec:
            applied = state.replay.step_seconds(float(spec["seconds"]))
        elif "updates" in spec:
            applied = state.replay.step(int(spec["updates"]), channel="books", inst_id=spec.get("instId"))
        else:
            applied = state.replay.step(int(spec.get("events", 1)))
        return _json({"applied": applied, **state.replay.state()})

    async def limits(request: web.Request) -> web.Response:
        spec = await request.json()
        for name, value in (spec.get("limits") or {}).items():
            if name not in state.limiter.limits:
                return _json({"error": f"unknown rule {name}"}, 400)
            state.limiter.limits[name] = int(value)
        if spec.get("defaults"):
            from ratelimit import RULES
            state.limiter.limits = {name: rule.limit for name, rule in RULES.items()}
        if spec.get("reset"):
            state.limiter.reset()
        return _json(state.limiter.view())

    async def options(request: web.Request) -> web.Response:
        spec = await request.json()
        for field, attr, cast in OPTION_FIELDS:
            if field in spec:
                setattr(state.options, attr, cast(spec[field]))
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
