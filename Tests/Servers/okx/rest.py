"""REST API, www.okx.com shape (docs-v5). Every answer is `{"code", "msg", "data": [...]}` with the HTTP status the
docs' error table gives the code (200 for code "0" and for the business errors); order endpoints add inTime /
outTime (microseconds). Private requests are authenticated first and then counted against their rate limit
(per User ID); public ones are counted per IP.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter

from aiohttp import web

import api
from auth import authenticate_rest
from common import OkxError, OrderReject, too_many_requests
from faults import as_error
from state import State, dumps

log = logging.getLogger("okx.rest")


def _json(payload, status: int = 200) -> web.Response:
    return web.Response(text=dumps(payload), status=status, content_type="application/json")


class Route:
    def __init__(self, method: str, path: str, limit: str, handler, private: bool = False, permission: str = "",
                 order_op: str = "", batch: bool = False) -> None:
        self.method, self.path, self.limit, self.handler = method, path, limit, handler
        self.private, self.permission, self.order_op, self.batch = private, permission, order_op, batch


def routes(s: State) -> list[Route]:
    def data(fn):
        return lambda account, key, params: {"code": "0", "msg": "", "data": fn(account, key, params)}

    def order_endpoint(op: str):
        return lambda account, key, items: api.run(s, account, op, items)

    return [
        Route("GET", "/api/v5/public/time", "public/time", data(lambda a, k, p: [{"ts": str(s.clock.ms())}])),
        Route("GET", "/api/v5/public/instruments", "public/instruments", data(lambda a, k, p: api.instruments(s, p))),
        Route("GET", "/api/v5/market/books", "market/books", data(lambda a, k, p: api.books(s, p))),
        Route("GET", "/api/v5/account/balance", "account/balance", data(lambda a, k, p: api.balance(s, a, p)),
              private=True, permission="read_only"),
        Route("GET", "/api/v5/account/trade-fee", "account/trade-fee", data(lambda a, k, p: api.trade_fee(s, a, p)),
              private=True, permission="read_only"),
        Route("GET", "/api/v5/account/config", "account/config", data(lambda a, k, p: api.config(s, a, k)),
              private=True, permission="read_only"),
        Route("POST", "/api/v5/trade/order", "order", order_endpoint("order"), True, "trade", "order"),
        Route("POST", "/api/v5/trade/batch-orders", "batch-orders", order_endpoint("order"), True, "trade", "order",
              batch=True),
        Route("POST", "/api/v5/trade/cancel-order", "cancel-order", order_endpoint("cancel-order"), True, "trade",
              "cancel-order"),
        Route("POST", "/api/v5/trade/cancel-batch-orders", "cancel-batch-orders", order_endpoint("cancel-order"),
              True, "trade", "cancel-order", batch=True),
        Route("POST", "/api/v5/trade/amend-order", "amend-order", order_endpoint("amend-order"), True, "trade",
              "amend-order"),
        Route("GET", "/api/v5/trade/order", "get-order", data(lambda a, k, p: api.order_details(s, a, p)),
              private=True, permission="read_only"),
        Route("GET", "/api/v5/trade/orders-pending", "orders-pending",
              data(lambda a, k, p: api.orders_pending(s, a, p)), private=True, permission="read_only"),
        Route("GET", "/api/v5/trade/orders-history", "orders-history",
              data(lambda a, k, p: api.orders_history(s, a, p)), private=True, permission="read_only"),
        Route("GET", "/api/v5/trade/fills", "fills", data(lambda a, k, p: api.fills(s, a, p)),
              private=True, permission="read_only"),
        Route("GET", "/api/v5/trade/fills-history", "fills-history",
              data(lambda a, k, p: api.fills_history(s, a, p)), private=True, permission="read_only"),
    ]


def _inst_of(state: State, args) -> str:
    if not isinstance(args, dict):
        return ""
    inst = state.instruments.resolve(args)
    return inst.inst_id if inst else str(args.get("instId", ""))


def _charge(state: State, route: Route, ip: str, account, params) -> None:
    limiter = state.limiter
    if not route.private:
        who = f"{ip}/{params.get('instType', '')}" if route.limit == "public/instruments" else ip
        limiter.charge(route.limit, who)
    elif route.order_op:
        items = params
        if route.batch and len(items) == 1:     # a batch of one counts as a single order (docs "Rate Limits")
            limiter.charge(route.order_op, f"{account.uid}/{_inst_of(state, items[0])}")
            return
        for inst_id, count in Counter(_inst_of(state, args) for args in items).items():
            limiter.charge(route.limit, f"{account.uid}/{inst_id}", count)
    elif route.limit == "get-order":
        limiter.charge(route.limit, f"{account.uid}/{params.get('instId', '')}")
    else:
        limiter.charge(route.limit, account.uid)


def _expired(state: State, exp_time) -> bool:
    """The `expTime` request header (docs "Transaction timeouts"): place and amend requests past it are refused."""
    try:
        return exp_time not in (None, "") and state.clock.ms() > int(exp_time)
    except ValueError:
        return False


def _parse_body(route: Route, body: str):
    if not body.strip():
        raise OkxError(50000, "Body for POST request cannot be empty.", http=400)
    try:
        parsed = json.loads(body)
    except json.JSONDecodeError:
        raise OkxError(50002, "JSON syntax error", http=400)
    if route.batch:
        if not isinstance(parsed, list) or not parsed:
            raise OkxError(50002, "JSON syntax error", http=400)
        if len(parsed) > 20:
            raise OkxError(51111 if route.order_op == "order" else 50025,
                           "Maximum 20 orders can be placed in bulk." if route.order_op == "order"
                           else "Parameter orders count exceeds the limit 20.")
        return parsed
    if not isinstance(parsed, dict):
        raise OkxError(50002, "JSON syntax error", http=400)
    return [parsed]


def make_app(state: State) -> web.Application:
    app = web.Application()
    for route in routes(state):
        app.router.add_route(route.method, route.path, _wrap(state, route))
    return app


def _wrap(state: State, route: Route):
    async def handle(request: web.Request) -> web.StreamResponse:
        in_time = state.clock.us()
        ip = request.remote or "127.0.0.1"
        body = await request.text() if request.method == "POST" else ""
        executed = False
        try:
            if state.faults.take_rate_limit(route.path):
                raise too_many_requests()
            fault = state.faults.take_error(bool(route.order_op))
            if fault and not (fault.execute and route.order_op):
                raise as_error(fault)
            params = _parse_body(route, body) if route.method == "POST" else dict(request.query)
            account = key = None
            if route.private:
                account, key = authenticate_rest(state.accounts, state.clock, request.headers, route.method,
                                                 request.rel_url.raw_path_qs, body, route.permission)
            if route.order_op:
                api.check_required(route.order_op, params)
            _charge(state, route, ip, account, params)
            if route.order_op in ("order", "amend-order") and _expired(state, request.headers.get("expTime")):
                payload = api.envelope([api.reject_entry(state, args, OrderReject(50037, "Order expired."))
                                        for args in params])
            else:
                payload = route.handler(account, key, params)
            executed = True
            if fault:
                raise as_error(fault)
            status = 200
        except OkxError as error:
            status, payload = error.http, error.body()
        if route.order_op:
            payload.update({"inTime": str(in_time), "outTime": str(state.clock.us())})
            if executed:
                if state.faults.take_lost():
                    log.info("fault: ack lost for %s", route.path)
                    request.transport.close()
                    raise asyncio.CancelledError()
                delay = state.faults.take_delay()
                if delay:
                    await asyncio.sleep(delay)
        return _json(payload, status)

    return handle
