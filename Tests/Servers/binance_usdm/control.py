"""The control port (loopback, not part of Binance's protocol): faults, the server's truth, the market by hand.

POST /control/fault            a fault (see faults.py)
GET  /control/faults           pending faults and the clock shift
GET  /control/orders           every order with its fills            (?account=NAME&symbol=S)
GET  /control/account          accounts: wallet, totals, positions, income, settings (?apiKey=K or ?name=N)
GET  /control/positions        every non-zero position                (?account=NAME)
GET  /control/book             the server's book                      (?symbol=S&limit=N)
GET  /control/replay           where the capture replay stands
POST /control/advance          {"events": N} | {"diffs"|"tickers": N, "symbol"?} | {"seconds": T} (capture time)
POST /control/script           {"symbol", "bids": [[p, q]...], "asks": [...]}: a scripted symbol's book becomes these
                               levels, sent as one depthUpdate; answers {"event": ..., "book": ...}
POST /control/funding          {"symbol", "rate"?, "markPrice"?, "indexPrice"?, "nextFundingTime"?,
                                "fundingIntervalHours"?, "interestRate"?, "cap"?, "floor"?}: the scripted funding
                               state (markPrice null: back to the book's mid); markPrice subscribers get it now
POST /control/settle_funding   {"symbol"}: funding now for every open position of that symbol
POST /control/limits           {"weightPerMinute", "ordersPerMinute", "ordersPer10s", "banAfter", "banSeconds",
                                "reset": true}
POST /control/options          {"keepRecordedTimes"?, "listenKeyMinutes"?, "wsLifetimeSeconds"?,
                                "pingIntervalSeconds"?, "pongTimeoutSeconds"?}
"""
from __future__ import annotations

from decimal import Decimal

from aiohttp import web

from common import D, fmt, parse_decimal
from state import State, dumps


def _json(payload, status: int = 200) -> web.Response:
    return web.Response(text=dumps(payload), status=status, content_type="application/json")


def make_app(state: State, streams) -> web.Application:
    app = web.Application()
    engine = state.engine

    def account_view(account) -> dict:
        t = engine.totals(account)
        return {"name": account.name, "uid": account.uid, "walletBalance": fmt(account.wallet),
                **{k: fmt(v) for k, v in t.items()}, "maker": str(account.maker), "taker": str(account.taker),
                "dualSidePosition": account.dual_side, "leverage": dict(account.leverage),
                "marginType": dict(account.margin_type), "defaultLeverage": account.default_leverage,
                "positions": [positions_row(account, p) for p in account.positions.values() if p.amount],
                "income": list(account.income), "keys": [k.public() for k in account.keys]}

    def positions_row(account, pos) -> dict:
        return {"account": account.name, "symbol": pos.symbol, "positionSide": pos.side,
                "positionAmt": str(pos.amount), "entryPrice": str(pos.entry), "realized": fmt(pos.realized),
                "markPrice": fmt(engine.mark(pos.symbol)), "unrealizedProfit": fmt(engine.unrealized(pos)),
                "leverage": account.lev(pos.symbol)}

    async def fault(request):
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
        elif action == "expire_listen_key":
            uid = None
            if spec.get("apiKey"):
                found = state.accounts.lookup(spec["apiKey"])
                if not found:
                    return _json({"error": "unknown key"}, 404)
                uid = found[0].uid
            for item in state.listen_keys.values():
                if uid is None or item.uid == uid:
                    item.expires_ms = 0
            result["expired"] = streams.expire_due()
        return _json(result)

    async def faults(request):
        return _json({**state.faults.state(), "clockShiftMs": state.clock.shift_ms})

    async def orders(request):
        name, symbol = request.query.get("account"), request.query.get("symbol")
        uid = None
        if name:
            account = state.accounts.find(name)
            if account is None:
                return _json({"error": "no such account"}, 404)
            uid = account.uid
        rows = []
        for sym, book in engine.orders.items():
            if symbol and sym != symbol:
                continue
            for order in book.values():
                if uid is None or order.uid == uid:
                    rows.append({**order.json(), "uid": order.uid, "expireReason": order.expire_reason,
                                 "fills": [f.json() for f in order.fills]})
        rows.sort(key=lambda r: r["orderId"])
        return _json(rows)

    async def account(request):
        if "apiKey" in request.query:
            found = state.accounts.lookup(request.query["apiKey"])
            return _json(account_view(found[0])) if found else _json({"error": "unknown key"}, 404)
        if "name" in request.query:
            found = state.accounts.find(request.query["name"])
            return _json(account_view(found)) if found else _json({"error": "no such account"}, 404)
        return _json([account_view(a) for a in state.accounts.accounts])

    async def positions(request):
        name = request.query.get("account")
        return _json([positions_row(a, p) for a in state.accounts.accounts if not name or a.name == name
                      for p in a.positions.values() if p.amount])

    async def book(request):
        symbol = request.query.get("symbol", "")
        if symbol not in state.market.books:
            return _json({"error": "unknown symbol"}, 404)
        limit = int(request.query.get("limit", "1000000"))
        return _json({**state.market.books[symbol].snapshot(limit, state.clock.ms()),
                      "scripted": symbol in state.market.scripted})

    async def replay(request):
        return _json(state.market.state())

    async def advance(request):
        spec = await request.json() if request.can_read_body else {}
        if "seconds" in spec:
            applied = state.market.step_seconds(float(spec["seconds"]))
        elif "diffs" in spec:
            applied = state.market.step(int(spec["diffs"]), kind="depth", symbol=spec.get("symbol"))
        elif "tickers" in spec:
            applied = state.market.step(int(spec["tickers"]), kind="bookTicker", symbol=spec.get("symbol"))
        else:
            applied = state.market.step(int(spec.get("events", 1)))
        return _json({"applied": applied, **state.market.state()})

    def levels(spec, rows, name: str) -> list[tuple[Decimal, Decimal]]:
        out = []
        for row in rows:
            price, qty = parse_decimal(row[0]), parse_decimal(row[1])
            if price is None or qty is None or price <= 0 or qty < 0:
                raise ValueError(f"{name}: bad level {row!r}")
            if (price - spec.min_price) % spec.tick or (qty and qty % spec.step):
                raise ValueError(f"{name}: {row!r} is off the tick / step grid")
            out.append((price, qty))
        return out

    async def script(request):
        spec_json = await request.json()
        symbol = spec_json.get("symbol")
        if symbol not in state.market.books:
            return _json({"error": "unknown symbol"}, 404)
        if symbol not in state.market.scripted:
            return _json({"error": f"{symbol} is replayed from the capture; start with --scripted-symbol"}, 400)
        spec = state.specs[symbol]
        try:
            bids = levels(spec, spec_json.get("bids", []), "bids")
            asks = levels(spec, spec_json.get("asks", []), "asks")
        except (ValueError, TypeError, IndexError) as error:
            return _json({"error": str(error)}, 400)
        if bids and asks and max(p for p, q in bids if q) >= min(p for p, q in asks if q):
            return _json({"error": "crossed book"}, 400)
        event = state.market.script(symbol, bids, asks, state.clock.ms())
        return _json({"event": event, "book": state.market.books[symbol].snapshot(1000, state.clock.ms())})

    async def funding(request):
        spec = await request.json()
        symbol = spec.get("symbol")
        if symbol not in engine.funding:
            return _json({"error": "unknown symbol"}, 404)
        f = engine.funding[symbol]
        try:
            if "rate" in spec:
                f.rate = D(str(spec["rate"]))
            if "markPrice" in spec:
                f.mark = None if spec["markPrice"] is None else D(str(spec["markPrice"]))
            if "indexPrice" in spec:
                f.index = None if spec["indexPrice"] is None else D(str(spec["indexPrice"]))
            if "interestRate" in spec:
                f.interest = D(str(spec["interestRate"]))
            if "nextFundingTime" in spec:
                f.next_time = int(spec["nextFundingTime"])
            for key, attr in (("cap", "cap"), ("floor", "floor")):
                if key in spec:
                    setattr(f, attr, D(str(spec[key])))
                    f.adjusted = True
            if "fundingIntervalHours" in spec:
                f.interval_hours = int(spec["fundingIntervalHours"])
                f.adjusted = True
        except (ArithmeticError, ValueError) as error:
            return _json({"error": str(error)}, 400)
        streams.send_marks([symbol])
        return _json(engine.premium(symbol))

    async def settle(request):
        spec = await request.json()
        symbol = spec.get("symbol")
        if symbol not in engine.funding:
            return _json({"error": "unknown symbol"}, 404)
        rows = engine.settle_funding(symbol)
        return _json({"rows": rows, "premium": engine.premium(symbol)})

    async def limits(request):
        spec = await request.json()
        current = state.limiter.limits
        for name, attr in (("weightPerMinute", "weight_per_minute"), ("ordersPerMinute", "orders_per_minute"),
                           ("ordersPer10s", "orders_per_10s"), ("banAfter", "ban_after"),
                           ("banSeconds", "ban_seconds")):
            if name in spec:
                setattr(current, attr, int(spec[name]))
        if spec.get("reset"):
            state.limiter.reset()
        return _json(vars(current))

    async def options(request):
        spec = await request.json()
        opts = state.options
        for name, attr, cast in (("keepRecordedTimes", "keep_recorded_times", bool),
                                 ("listenKeyMinutes", "listen_key_minutes", float),
                                 ("wsLifetimeSeconds", "ws_lifetime_s", float),
                                 ("pingIntervalSeconds", "ping_interval_s", float),
                                 ("pongTimeoutSeconds", "pong_timeout_s", float)):
            if name in spec:
                setattr(opts, attr, cast(spec[name]))
        return _json(vars(opts))

    for method, path, handler in (("POST", "/control/fault", fault), ("GET", "/control/faults", faults),
                                  ("GET", "/control/orders", orders), ("GET", "/control/account", account),
                                  ("GET", "/control/positions", positions), ("GET", "/control/book", book),
                                  ("GET", "/control/replay", replay), ("POST", "/control/advance", advance),
                                  ("POST", "/control/script", script), ("POST", "/control/funding", funding),
                                  ("POST", "/control/settle_funding", settle), ("POST", "/control/limits", limits),
                                  ("POST", "/control/options", options)):
        app.router.add_route(method, path, handler)
    return app
