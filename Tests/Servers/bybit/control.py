"""The control port (loopback, not part of Bybit's protocol): faults, the server's truth, the market by hand.

POST /control/fault            a fault (see faults.py)
GET  /control/faults           pending faults and the clock shift
GET  /control/orders           every order                            (?account=NAME&symbol=S)
GET  /control/account          accounts: wallet, totals, positions, executions, log, settings (?apiKey=K or ?name=N)
GET  /control/positions        every non-zero position                (?account=NAME)
GET  /control/book             the server's book                      (?symbol=S&limit=N): bids, asks, seq, u by depth
GET  /control/replay           where the capture replay stands
POST /control/advance          {"events": N, "symbol"?} | {"seconds": T} (capture time)
POST /control/script           {"symbol", "bids": [[p, q]...], "asks": [...]}: a scripted symbol's book becomes these
                               levels (one change: one message per orderbook topic it changes); answers the book
POST /control/funding          {"symbol", "rate"?, "markPrice"?, "indexPrice"?, "lastPrice"?, "nextFundingTime"?,
                                "fundingIntervalMinutes"?}: the funding state (a price null: back to the default);
                               tickers subscribers get the change now
POST /control/settle_funding   {"symbol"}: funding now for every open position of that symbol
POST /control/limits           {"ipPer5s", "banSeconds", "banAfter", "endpoints": {path: per second}, "reset": true}
POST /control/options          {"keepRecordedTimes"?, "level1RepeatSeconds"?, "idleTimeoutSeconds"?}
"""
from __future__ import annotations

from decimal import Decimal

from aiohttp import web

from common import D, dumps, on_grid, parse_decimal, plain
from state import State


def _json(payload, status: int = 200) -> web.Response:
    return web.Response(text=dumps(payload), status=status, content_type="application/json")


def make_app(state: State) -> web.Application:
    app = web.Application()
    engine = state.engine

    def position_view(account, pos) -> dict:
        return {"account": account.name, "symbol": pos.symbol, "positionIdx": pos.idx, "size": plain(pos.amount),
                "avgPrice": plain(pos.entry), "curRealisedPnl": plain(pos.cur_realised),
                "cumRealisedPnl": plain(pos.cum_realised), "markPrice": plain(engine.mark(pos.symbol)),
                "unrealisedPnl": plain(engine.unrealised(pos)), "leverage": plain(account.lev(pos.symbol))}

    def account_view(account) -> dict:
        totals = engine.totals(account)
        return {"name": account.name, "uid": account.uid, "walletBalance": plain(account.wallet),
                **{k: plain(v) for k, v in totals.items()}, "maker": plain(account.maker),
                "taker": plain(account.taker), "leverage": {k: plain(v) for k, v in account.leverage.items()},
                "hedge": dict(account.hedge), "defaultLeverage": account.default_leverage,
                "positions": [position_view(account, p) for p in account.positions.values() if p.amount],
                "executions": list(account.executions), "log": list(account.log),
                "keys": [k.public() for k in account.keys]}

    async def fault(request):
        spec = await request.json()
        symbol = spec.get("symbol")
        if symbol is not None and symbol not in state.specs:
            return _json({"error": "unknown symbol"}, 404)
        try:
            action = state.faults.add(spec)
        except ValueError as problem:
            return _json({"error": str(problem)}, 400)
        result: dict = {"ok": True}
        if action == "drop_ws":
            which = spec.get("which", "all")
            if which not in ("all", "public", "private"):
                return _json({"error": "which: all, public or private"}, 400)
            result["dropped"] = await state.drop_connections(which)
        elif action == "rate_limit":
            state.limiter.force(int(spec.get("count", 1)))
        elif action == "clock_shift":
            state.clock.shift_ms = int(spec.get("ms", 0))
        elif action == "clear":
            state.clock.shift_ms = 0
        elif action in ("reset_u", "resnapshot"):
            result["snapshots"] = state.snapshot_all(symbol, reset_u=action == "reset_u")
        return _json(result)

    async def faults(request):
        return _json({**state.faults.state(), "clockShiftMs": state.clock.shift_ms, "forcedRateLimits":
                      state.limiter.forced})

    async def orders(request):
        name, symbol = request.query.get("account"), request.query.get("symbol")
        uid = None
        if name:
            account = state.accounts.find(name)
            if account is None:
                return _json({"error": "no such account"}, 404)
            uid = account.uid
        rows = [{**order.json(), "uid": order.uid, "execIds": list(order.exec_ids)}
                for sym, book in engine.orders.items() if not symbol or sym == symbol
                for order in book.values() if uid is None or order.uid == uid]
        rows.sort(key=lambda r: int(r["createdTime"]))
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
        return _json([position_view(a, p) for a in state.accounts.accounts if not name or a.name == name
                      for p in a.positions.values() if p.amount])

    async def book(request):
        symbol = request.query.get("symbol", "")
        if symbol not in state.market.books:
            return _json({"error": "unknown symbol"}, 404)
        limit = int(request.query.get("limit", "1000000"))
        item = state.market.books[symbol]
        bids, asks = item.levels_text(limit)
        return _json({"symbol": symbol, "bids": bids, "asks": asks, "seq": item.seq,
                      "u": {str(d): v.u for d, v in state.market.views[symbol].items()},
                      "scripted": symbol in state.market.scripted,
                      "consumed": {side: {plain(p): plain(q) for p, q in rows.items()}
                                   for side, rows in item.consumed.items()}})

    async def replay(request):
        return _json({**state.market.state(), "sizesRecovered": state.capture.recovered,
                      "sizes": state.capture.sizes})

    async def advance(request):
        spec = await request.json() if request.can_read_body else {}
        if "seconds" in spec:
            applied = state.market.step_seconds(float(spec["seconds"]))
        else:
            applied = state.market.step(int(spec.get("events", 1)), symbol=spec.get("symbol"))
        return _json({"applied": applied, **state.market.state()})

    def levels(spec, rows, name: str) -> list[tuple[Decimal, Decimal]]:
        out, seen = [], set()
        for row in rows:
            price, qty = parse_decimal(row[0]), parse_decimal(row[1])
            if price is None or qty is None or price <= 0 or qty < 0:
                raise ValueError(f"{name}: bad level {row!r}")
            if not on_grid(price, spec.tick) or not on_grid(qty, spec.step):
                raise ValueError(f"{name}: {row!r} is off the tick / qty step grid")
            if price in seen:
                raise ValueError(f"{name}: price {row[0]} twice")
            seen.add(price)
            out.append((price, qty))
        return out

    async def script(request):
        body = await request.json()
        symbol = body.get("symbol")
        if symbol not in state.market.books:
            return _json({"error": "unknown symbol"}, 404)
        if symbol not in state.market.scripted:
            return _json({"error": f"{symbol} is replayed from the capture; start with --scripted-symbol"}, 400)
        spec = state.specs[symbol]
        try:
            bids = levels(spec, body.get("bids", []), "bids")
            asks = levels(spec, body.get("asks", []), "asks")
        except (ValueError, TypeError, IndexError) as problem:
            return _json({"error": str(problem)}, 400)
        live_bids, live_asks = [p for p, q in bids if q], [p for p, q in asks if q]
        if live_bids and live_asks and max(live_bids) >= min(live_asks):
            return _json({"error": "crossed book"}, 400)
        changed = state.market.script(symbol, bids, asks, state.clock.ms())
        item = state.market.books[symbol]
        out_bids, out_asks = item.levels_text(1000)
        return _json({"changed": changed, "symbol": symbol, "bids": out_bids, "asks": out_asks, "seq": item.seq,
                      "u": {str(d): v.u for d, v in state.market.views[symbol].items()}})

    async def funding(request):
        spec = await request.json()
        symbol = spec.get("symbol")
        if symbol not in engine.funding:
            return _json({"error": "unknown symbol"}, 404)
        f = engine.funding[symbol]
        try:
            if "rate" in spec:
                f.rate = D(str(spec["rate"]))
            for key, attr in (("markPrice", "mark"), ("indexPrice", "index"), ("lastPrice", "last")):
                if key in spec:
                    setattr(f, attr, None if spec[key] is None else D(str(spec[key])))
            if "nextFundingTime" in spec:
                f.next_time = int(spec["nextFundingTime"])
            if "fundingIntervalMinutes" in spec:
                f.interval_min = int(spec["fundingIntervalMinutes"])
        except (ArithmeticError, ValueError) as problem:
            return _json({"error": str(problem)}, 400)
        state.ticker_changed(symbol)
        return _json(state.tickers.rest_row(symbol))

    async def settle(request):
        spec = await request.json()
        symbol = spec.get("symbol")
        if symbol not in engine.funding:
            return _json({"error": "unknown symbol"}, 404)
        rows = engine.settle_funding(symbol)
        return _json({"rows": rows, "ticker": state.tickers.rest_row(symbol)})

    async def limits(request):
        spec = await request.json()
        current = state.limiter.limits
        for name, attr in (("ipPer5s", "ip_per_5s"), ("banSeconds", "ban_seconds"), ("banAfter", "ban_after")):
            if name in spec:
                setattr(current, attr, int(spec[name]))
        for path, value in (spec.get("endpoints") or {}).items():
            current.uid[path] = int(value)
        if spec.get("reset"):
            state.limiter.reset()
        return _json({"ipPer5s": current.ip_per_5s, "banSeconds": current.ban_seconds, "banAfter": current.ban_after,
                      "endpoints": current.uid})

    async def options(request):
        spec = await request.json()
        opts = state.options
        for name, attr, cast in (("keepRecordedTimes", "keep_recorded_times", bool),
                                 ("level1RepeatSeconds", "level1_repeat_s", float),
                                 ("idleTimeoutSeconds", "idle_timeout_s", float)):
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
