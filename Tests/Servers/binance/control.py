"""The control port (loopback, not part of Binance's protocol): faults, the server's truth, and the replay by hand.

POST /control/fault            a fault (see faults.py)
GET  /control/faults           pending faults
GET  /control/orders           every order of every account, with its fills   (?account=NAME&symbol=BTCUSDT)
GET  /control/account          every account's balances and keys (no secrets) (?name=NAME or ?apiKey=KEY)
GET  /control/book             the server's book                              (?symbol=ETHUSDT&limit=N)
                                 &view=stream: as a client of depth + bookTicker holds it (the newer ticker on top)
GET  /control/replay           where the replay stands
POST /control/advance          {"events": N} | {"diffs"|"tickers": N, "symbol": S?} | {"seconds": T}  (recording time)
POST /control/limits           {"weightPerMinute", "ordersPer10s", "ordersPerDay", "banAfter", "banSeconds",
                                "reset": true}
POST /control/keys             {"apiKey": K, "enableReading"?, "enableSpotAndMarginTrading"?, "enableWithdrawals"?}
POST /control/options          {"listenKeyEnabled"?, "wsLifetimeSeconds"?, "pingIntervalSeconds"?,
                                "pongTimeoutSeconds"?}
POST /control/listenKeys/expire  every listen key expires now
"""
from __future__ import annotations

from aiohttp import web

from common import fmt
from state import State, dumps


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
        elif action == "rate_limit":
            state.limiter.force_429(spec.get("ip"))
        elif action == "clock_shift":
            state.clock.shift_ms = int(spec.get("ms", 0))
        elif action == "clear":
            state.clock.shift_ms = 0
        return _json(result)

    async def faults(request: web.Request) -> web.Response:
        return _json({**state.faults.state(), "clockShiftMs": state.clock.shift_ms})

    async def orders(request: web.Request) -> web.Response:
        name, symbol = request.query.get("account"), request.query.get("symbol")
        uid = None
        if name:
            account = state.accounts.find(name)
            if account is None:
                return _json({"error": "no such account"}, 404)
            uid = account.uid
        rows = []
        for sym, book in state.engine.orders.items():
            if symbol and sym != symbol:
                continue
            for order in book.values():
                if uid is not None and order.uid != uid:
                    continue
                rows.append({**order.query(), "uid": order.uid,
                             "fills": [{**f.json(), "maker": f.maker, "quoteQty": fmt(f.quote), "time": f.time}
                                       for f in order.fills]})
        return _json(rows)

    async def account(request: web.Request) -> web.Response:
        if "apiKey" in request.query:
            found = state.accounts.lookup(request.query["apiKey"])
            return _json(state.accounts.view(found[0])) if found else _json({"error": "unknown key"}, 404)
        if "name" in request.query:
            found = state.accounts.find(request.query["name"])
            return _json(state.accounts.view(found)) if found else _json({"error": "no such account"}, 404)
        return _json([state.accounts.view(a) for a in state.accounts.accounts])

    async def book(request: web.Request) -> web.Response:
        symbol = request.query.get("symbol", "BTCUSDT")
        if symbol not in state.replay.books:
            return _json({"error": "unknown symbol"}, 404)
        limit = int(request.query.get("limit", "1000000"))
        book = state.replay.books[symbol]
        return _json(book.stream_view(limit) if request.query.get("view") == "stream" else book.snapshot(limit))

    async def replay(request: web.Request) -> web.Response:
        return _json(state.replay.state())

    async def advance(request: web.Request) -> web.Response:
        spec = await request.json() if request.can_read_body else {}
        if "seconds" in spec:
            applied = state.replay.step_seconds(float(spec["seconds"]))
        elif "diffs" in spec:
            applied = state.replay.step(int(spec["diffs"]), kind="depth", symbol=spec.get("symbol"))
        elif "tickers" in spec:
            applied = state.replay.step(int(spec["tickers"]), kind="bookTicker", symbol=spec.get("symbol"))
        else:
            applied = state.replay.step(int(spec.get("events", 1)))
        return _json({"applied": applied, **state.replay.state()})

    async def limits(request: web.Request) -> web.Response:
        spec = await request.json()
        current = state.limiter.limits
        for field, attr in (("weightPerMinute", "weight_per_minute"), ("ordersPer10s", "orders_per_10s"),
                            ("ordersPerDay", "orders_per_day"), ("banAfter", "ban_after"),
                            ("banSeconds", "ban_seconds")):
            if field in spec:
                setattr(current, attr, int(spec[field]))
        if spec.get("reset"):
            state.limiter.reset()
        return _json(vars(current))

    async def keys(request: web.Request) -> web.Response:
        spec = await request.json()
        found = state.accounts.lookup(spec.get("apiKey", ""))
        if not found:
            return _json({"error": "unknown key"}, 404)
        key = found[1]
        key.enable_reading = bool(spec.get("enableReading", key.enable_reading))
        key.enable_trading = bool(spec.get("enableSpotAndMarginTrading", key.enable_trading))
        key.enable_withdrawals = bool(spec.get("enableWithdrawals", key.enable_withdrawals))
        return _json(key.public())

    async def options(request: web.Request) -> web.Response:
        spec = await request.json()
        opts = state.options
        for field, attr, cast in (("listenKeyEnabled", "listen_key_enabled", bool),
                                  ("wsLifetimeSeconds", "ws_lifetime_s", float),
                                  ("pingIntervalSeconds", "ping_interval_s", float),
                                  ("pongTimeoutSeconds", "pong_timeout_s", float)):
            if field in spec:
                setattr(opts, attr, cast(spec[field]))
        return _json(vars(opts))

    async def expire_keys(request: web.Request) -> web.Response:
        for item in state.listen_keys.values():
            item.expires_ms = 0
        return _json({"expired": len(state.listen_keys)})

    app.router.add_post("/control/fault", fault)
    app.router.add_get("/control/faults", faults)
    app.router.add_get("/control/orders", orders)
    app.router.add_get("/control/account", account)
    app.router.add_get("/control/book", book)
    app.router.add_get("/control/replay", replay)
    app.router.add_post("/control/advance", advance)
    app.router.add_post("/control/limits", limits)
    app.router.add_post("/control/keys", keys)
    app.router.add_post("/control/options", options)
    app.router.add_post("/control/listenKeys/expire", expire_keys)
    return app
