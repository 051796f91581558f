"""REST API, api.bybit.com shape (docs v5). Every answer is Bybit's envelope `{"retCode","retMsg","result",
"retExtInfo","time"}` with HTTP 200, refusals included (retCode != 0); private answers carry the X-Bapi-Limit
headers. An IP over its limit gets HTTP 403 "access too frequent" (no envelope). Only category=linear is served.
No pagination: `nextPageCursor` is always "" and `limit` keeps the newest rows.
"""
from __future__ import annotations

import asyncio
import json
import logging
from decimal import Decimal
from urllib.parse import parse_qsl

from aiohttp import web

from accounts import COIN, Account
from auth import authenticate
from book import REST_DEPTH
from common import CATEGORY, BybitError, dumps, envelope, params_error, plain
from ratelimit import IpBanned
from state import State
from symbols import get_spec

log = logging.getLogger("bybit.rest")


class Route:
    def __init__(self, method: str, path: str, handler, private: bool = False, trade: bool = False,
                 order: bool = False, with_key: bool = False) -> None:
        self.method, self.path, self.handler = method, path, handler
        self.private, self.trade, self.order = private, trade, order
        self.with_key = with_key   # the handler is also given the ApiKey the request was signed with


def _int(params: dict, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise params_error(f"params error: {name} invalid")
    if value < low or value > high:
        raise params_error(f"params error: {name} must be in [{low}, {high}]")
    return value


def _linear(params: dict, required: bool = True) -> None:
    category = params.get("category")
    if category in (None, "") and not required:
        return
    if category != CATEGORY:
        raise params_error("params error: category only support linear" if category else
                           "params error: category is required")


def _times(rows: list[dict], params: dict, key: str) -> list[dict]:
    bounds = (("startTime", lambda row, t: int(row[key]) >= t), ("endTime", lambda row, t: int(row[key]) <= t))
    for name, keep in bounds:
        raw = params.get(name)
        if raw in (None, ""):
            continue
        if not str(raw).isdigit():
            raise params_error(f"params error: {name} invalid")
        rows = [r for r in rows if keep(r, int(raw))]
    return rows


def routes(state: State) -> list[Route]:
    s, engine = state, state.engine
    spec_of = lambda params: get_spec(s.specs, params.get("symbol"))  # noqa: E731

    # ---- market ----
    def server_time(a, p):
        ns = s.clock.ns()
        return {"timeSecond": str(ns // 1_000_000_000), "timeNano": str(ns)}

    def instruments(a, p):
        _linear(p)
        infos = [spec.info for spec in s.specs.values()]
        if p.get("symbol"):
            infos = [spec_of(p).info]
        if p.get("baseCoin"):
            infos = [i for i in infos if i["baseCoin"] == p["baseCoin"]]
        if p.get("status") not in (None, "", "Trading"):
            infos = []
        return {"category": CATEGORY, "list": infos, "nextPageCursor": ""}

    def orderbook(a, p):
        _linear(p)
        spec = spec_of(p)
        limit = _int(p, "limit", 25, 1, 500)
        book = s.market.books[spec.symbol]
        bids, asks = book.levels_text(limit)
        now = s.clock.ms()
        return {"s": spec.symbol, "b": bids, "a": asks, "ts": now, "u": s.market.views[spec.symbol][REST_DEPTH].u,
                "seq": book.seq, "cts": s.cts(spec.symbol) or now}

    def tickers(a, p):
        _linear(p)
        symbols = [spec_of(p).symbol] if p.get("symbol") else list(s.specs)
        return {"category": CATEGORY, "list": [s.tickers.rest_row(x) for x in symbols]}

    def funding_history(a, p):
        _linear(p)
        spec = spec_of(p)
        rows = [r for r in engine.funding_history if r["symbol"] == spec.symbol]
        rows = _times(rows, p, "fundingRateTimestamp")
        rows = list(reversed(rows))[:_int(p, "limit", 200, 1, 200)]
        return {"category": CATEGORY, "list": rows}

    # ---- orders ----
    def create(account, p):
        order = engine.place(account, p)
        return {"orderId": order.order_id, "orderLinkId": order.link_id}

    def cancel(account, p):
        order = engine.cancel(account, p)
        return {"orderId": order.order_id, "orderLinkId": order.link_id}

    def _filtered_orders(account, p, open_only: bool | None):
        _linear(p)
        if not any(p.get(k) for k in ("symbol", "settleCoin", "baseCoin", "orderId", "orderLinkId")):
            raise params_error("Missing some parameters that must be filled in, symbol or settleCoin or baseCoin")
        if p.get("symbol"):
            spec_of(p)
        if p.get("settleCoin") not in (None, "", COIN):
            return []
        rows = [o for book in engine.orders.values() for o in book.values() if o.uid == account.uid]
        for key, attr in (("symbol", "symbol"), ("orderId", "order_id"), ("orderLinkId", "link_id")):
            if p.get(key):
                rows = [o for o in rows if getattr(o, attr) == p[key]]
        if p.get("baseCoin"):
            rows = [o for o in rows if o.spec.base == p["baseCoin"]]
        if open_only is True:
            rows = [o for o in rows if o.is_open]
        elif open_only is False:
            rows = [o for o in rows if not o.is_open]
        return sorted(rows, key=lambda o: o.created, reverse=True)

    def realtime(account, p):
        open_only = _int(p, "openOnly", 0, 0, 2)
        by_id = bool(p.get("orderId") or p.get("orderLinkId"))
        rows = _filtered_orders(account, p, None if (open_only == 0 and by_id) else open_only == 0)
        rows = rows[:_int(p, "limit", 20, 1, 50)]
        return {"category": CATEGORY, "list": [o.json() for o in rows], "nextPageCursor": ""}

    def history(account, p):
        rows = _filtered_orders(account, {**p, "settleCoin": p.get("settleCoin") or COIN}, None)
        if p.get("orderStatus"):
            rows = [o for o in rows if o.status == p["orderStatus"]]
        rows = rows[:_int(p, "limit", 20, 1, 50)]
        return {"category": CATEGORY, "list": [o.json() for o in rows], "nextPageCursor": ""}

    def cancel_all(account, p):
        _linear(p)
        if not any(p.get(k) for k in ("symbol", "settleCoin", "baseCoin")):
            raise params_error("Missing some parameters that must be filled in, symbol or settleCoin or baseCoin")
        symbol = spec_of(p).symbol if p.get("symbol") else None
        done = []
        for order in engine.open_orders(account.uid, symbol):
            if p.get("baseCoin") and order.spec.base != p["baseCoin"]:
                continue
            if p.get("settleCoin") not in (None, "", COIN):
                continue
            engine.cancel(account, {"category": CATEGORY, "symbol": order.symbol, "orderId": order.order_id})
            done.append({"orderId": order.order_id, "orderLinkId": order.link_id})
        return {"list": done, "success": "1"}

    def executions(account, p):
        _linear(p)
        rows = list(reversed(account.executions))
        if p.get("symbol"):
            symbol = spec_of(p).symbol
            rows = [r for r in rows if r["symbol"] == symbol]
        for key in ("orderId", "orderLinkId", "execType"):
            if p.get(key):
                rows = [r for r in rows if r[key] == p[key]]
        if p.get("baseCoin"):
            rows = [r for r in rows if s.specs[r["symbol"]].base == p["baseCoin"]]
        rows = _times(rows, p, "execTime")
        return {"category": CATEGORY, "list": rows[:_int(p, "limit", 50, 1, 100)], "nextPageCursor": ""}

    # ---- positions ----
    def positions(account, p):
        _linear(p)
        if p.get("symbol"):
            spec = spec_of(p)
            indexes = (1, 2) if account.is_hedge(spec.symbol) else (0,)
            rows = [account.position(spec.symbol, i) for i in indexes]
        elif p.get("settleCoin") == COIN or p.get("baseCoin"):
            rows = [pos for pos in account.positions.values() if pos.amount]
            if p.get("baseCoin"):
                rows = [pos for pos in rows if s.specs[pos.symbol].base == p["baseCoin"]]
        else:
            raise params_error("Missing some parameters that must be filled in, symbol or settleCoin")
        rows = rows[:_int(p, "limit", 20, 1, 200)]
        return {"category": CATEGORY, "list": [engine.position_row(account, pos) for pos in rows],
                "nextPageCursor": ""}

    def set_leverage(account, p):
        engine.set_leverage(account, p)
        return {}

    def switch_mode(account, p):
        engine.switch_mode(account, p)
        return {}

    # ---- account ----
    def wallet(account, p):
        if p.get("accountType") != "UNIFIED":
            raise params_error("accountType only support UNIFIED")
        row = engine.wallet_row(account)
        if p.get("coin"):
            wanted = set(p["coin"].split(","))
            row = {**row, "coin": [c for c in row["coin"] if c["coin"] in wanted]}
        return {"list": [row]}

    def fee_rate(account, p):
        _linear(p)
        symbols = [spec_of(p).symbol] if p.get("symbol") else list(s.specs)
        return {"list": [{"symbol": x, "takerFeeRate": plain(account.taker), "makerFeeRate": plain(account.maker),
                          "baseCoin": ""} for x in symbols]}

    def query_api(account, p, key):
        # GET /v5/user/query-api: the key asking, never its secret.
        return {"id": str(account.uid * 100 + account.keys.index(key)), "note": "", "apiKey": key.api_key,
                "readOnly": 1 if key.read_only else 0, "secret": "", "permissions": key.permissions(), "ips": ["*"],
                "type": 1, "deadlineDay": 90, "expiredAt": "", "createdAt": "", "unified": 0, "uta": 1,
                "userID": account.uid, "inviterID": 0, "vipLevel": "No VIP", "mktMakerLevel": "0", "affiliateID": 0,
                "rsaPublicKey": "", "isMaster": True, "parentUid": "0", "kycLevel": "LEVEL_DEFAULT", "kycRegion": ""}

    def info(account, p):
        return {"marginMode": "REGULAR_MARGIN", "updatedTime": str(account.updated_time or s.clock.ms()),
                "unifiedMarginStatus": 6, "dcpStatus": "OFF", "timeWindow": 0, "smpGroup": 0,
                "isMasterTrader": False, "spotHedgingStatus": "OFF"}

    def transaction_log(account, p):
        if p.get("accountType") not in (None, "", "UNIFIED"):
            raise params_error("accountType only support UNIFIED")
        _linear(p, required=False)
        rows = list(reversed(account.log))
        if p.get("currency"):
            rows = [r for r in rows if r["currency"] == p["currency"]]
        if p.get("type"):
            rows = [r for r in rows if r["type"] == p["type"]]
        if p.get("baseCoin"):
            rows = [r for r in rows if s.specs[r["symbol"]].base == p["baseCoin"]]
        rows = _times(rows, p, "transactionTime")
        return {"list": rows[:_int(p, "limit", 20, 1, 50)], "nextPageCursor": ""}

    return [
        Route("GET", "/v5/market/time", server_time),
        Route("GET", "/v5/market/instruments-info", instruments),
        Route("GET", "/v5/market/orderbook", orderbook),
        Route("GET", "/v5/market/tickers", tickers),
        Route("GET", "/v5/market/funding/history", funding_history),
        Route("POST", "/v5/order/create", create, private=True, trade=True, order=True),
        Route("POST", "/v5/order/cancel", cancel, private=True, trade=True, order=True),
        Route("POST", "/v5/order/cancel-all", cancel_all, private=True, trade=True, order=True),
        Route("GET", "/v5/order/realtime", realtime, private=True),
        Route("GET", "/v5/order/history", history, private=True),
        Route("GET", "/v5/execution/list", executions, private=True),
        Route("GET", "/v5/position/list", positions, private=True),
        Route("POST", "/v5/position/set-leverage", set_leverage, private=True, trade=True),
        Route("POST", "/v5/position/switch-mode", switch_mode, private=True, trade=True),
        Route("GET", "/v5/account/wallet-balance", wallet, private=True),
        Route("GET", "/v5/account/fee-rate", fee_rate, private=True),
        Route("GET", "/v5/account/info", info, private=True),
        Route("GET", "/v5/user/query-api", query_api, private=True, with_key=True),
        Route("GET", "/v5/account/transaction-log", transaction_log, private=True),
    ]


def make_app(state: State) -> web.Application:
    app = web.Application()
    for route in routes(state):
        app.router.add_route(route.method, route.path, _wrap(state, route))
    return app


def _json(payload, status: int = 200, headers: dict | None = None) -> web.Response:
    return web.Response(text=dumps(payload), status=status, content_type="application/json", headers=headers)


def _params(route: Route, query: str, body: str) -> dict:
    if route.method == "GET":
        return dict(parse_qsl(query, keep_blank_values=True))
    try:
        params = json.loads(body, parse_float=Decimal) if body.strip() else {}
    except ValueError:
        raise BybitError(10001, "params error: the body is not valid JSON")
    if not isinstance(params, dict):
        raise BybitError(10001, "params error: the body must be a JSON object")
    return params


def _wrap(state: State, route: Route):
    async def handle(request: web.Request) -> web.StreamResponse:
        ip = request.remote or "127.0.0.1"
        query = request.rel_url.raw_query_string
        body = await request.text() if request.method == "POST" else ""
        headers: dict[str, str] = {"Timenow": str(state.clock.ms())}
        executed = False
        account: Account | None = None
        try:
            state.limiter.check_ip(ip)
        except IpBanned:
            return web.Response(status=403, text="access too frequent", headers=headers)
        try:
            params = _params(route, query, body)
            fault = state.faults.take_error(route.order)
            if fault and not (fault.execute and route.order):
                raise fault.error()
            key = None
            if route.private:
                account, key = authenticate(state.accounts, state.clock, request.headers,
                                            body if route.method == "POST" else query, route.trade)
            headers.update(state.limiter.charge(ip, account.uid if account else None, route.path))
            result = route.handler(account, params, key) if route.with_key else route.handler(account, params)
            executed = True
            if fault:
                raise fault.error()
            payload, status = envelope(result, state.clock.ms()), 200
        except BybitError as problem:
            if problem.code == 0:   # a bare HTTP error (fault http_error): no envelope
                return web.Response(status=problem.http, text=problem.msg, headers=headers)
            headers.update(problem.headers)
            payload, status = envelope({}, state.clock.ms(), problem.code, problem.msg), problem.http
        if route.order and executed:
            if state.faults.take_lost():
                log.info("fault: order answer lost for %s %s", route.method, route.path)
                request.transport.close()
                raise asyncio.CancelledError()
            delay = state.faults.take_delay()
            if delay:
                await asyncio.sleep(delay)
        return _json(payload, status, headers)

    return handle
