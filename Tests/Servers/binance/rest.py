"""REST API, api.binance.com shape (rest-api.md). Every response carries X-MBX-USED-WEIGHT-1M; successful new-order
responses also X-MBX-ORDER-COUNT-10S and -1D. Errors are `{"code", "msg"}` with the documented HTTP status.
"""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web

import api
from auth import NONE, TRADE, USER_DATA, USER_STREAM, authenticate_rest, parse_params, resolve_key
from common import BinanceError
from faults import as_error
from state import State, dumps

log = logging.getLogger("binance.rest")
W = lambda n: (lambda params: n)  # noqa: E731  a constant weight


def _json(payload, status: int = 200, headers: dict | None = None) -> web.Response:
    return web.Response(text=dumps(payload), status=status, content_type="application/json", headers=headers)


class Route:
    def __init__(self, method: str, path: str, security: str, weight, handler, order: bool = False) -> None:
        self.method, self.path, self.security, self.weight = method, path, security, weight
        self.handler, self.order = handler, order


def routes(state: State) -> list[Route]:
    s = state

    def listen_key_post(account, params):
        return {"listenKey": s.listen_key_for(account)}

    def listen_key_put(account, params):
        item = s.live_listen_key(api.require_listen_key(params))
        if item is None or item.uid != account.uid:
            raise BinanceError(-1125, "This listenKey does not exist.")
        item.expires_ms = s.clock.ms() + 3600_000
        return {}

    def listen_key_delete(account, params):
        key = api.require_listen_key(params)
        item = s.listen_keys.get(key)
        if item is None or item.uid != account.uid:
            raise BinanceError(-1125, "This listenKey does not exist.")
        del s.listen_keys[key]
        return {}

    def restrictions(account, params, key=None):
        return key.restrictions()

    return [
        Route("GET", "/api/v3/ping", NONE, W(1), lambda a, p: {}),
        Route("GET", "/api/v3/time", NONE, W(1), lambda a, p: {"serverTime": s.clock.ms()}),
        Route("GET", "/api/v3/exchangeInfo", NONE, W(20), lambda a, p: api.exchange_info(s, p)),
        Route("GET", "/api/v3/depth", NONE, api.depth_weight, lambda a, p: api.depth(s, p)),
        Route("GET", "/api/v3/ticker/bookTicker", NONE, api.ticker_weight, lambda a, p: api.book_ticker(s, p)),
        Route("GET", "/api/v3/ticker/price", NONE, api.ticker_weight, lambda a, p: api.ticker_price(s, p)),
        Route("POST", "/api/v3/order", TRADE, W(1), lambda a, p: api.new_order(s, a, p)[0], order=True),
        Route("POST", "/api/v3/order/test", TRADE,
              lambda p: 20 if str(p.get("computeCommissionRates", "")).lower() == "true" else 1,
              lambda a, p: api.test_order(s, a, p)),
        Route("GET", "/api/v3/order", USER_DATA, W(4), lambda a, p: api.query_order(s, a, p)),
        Route("DELETE", "/api/v3/order", TRADE, W(1), lambda a, p: api.cancel_order(s, a, p), order=True),
        Route("GET", "/api/v3/openOrders", USER_DATA, api.open_orders_weight, lambda a, p: api.open_orders(s, a, p)),
        Route("DELETE", "/api/v3/openOrders", TRADE, W(1), lambda a, p: api.cancel_all(s, a, p), order=True),
        Route("GET", "/api/v3/allOrders", USER_DATA, W(20), lambda a, p: api.all_orders(s, a, p)),
        Route("GET", "/api/v3/myTrades", USER_DATA, lambda p: 5 if p.get("orderId") else 20,
              lambda a, p: api.my_trades(s, a, p)),
        Route("GET", "/api/v3/account", USER_DATA, W(20), lambda a, p: api.account_info(s, a, p)),
        Route("GET", "/api/v3/account/commission", USER_DATA, W(20), lambda a, p: api.commission(s, a, p)),
        Route("GET", "/api/v3/rateLimit/order", USER_DATA, W(40), lambda a, p: api.order_rate_limits(s, a)),
        Route("POST", "/api/v3/userDataStream", USER_STREAM, W(2), listen_key_post),
        Route("PUT", "/api/v3/userDataStream", USER_STREAM, W(2), listen_key_put),
        Route("DELETE", "/api/v3/userDataStream", USER_STREAM, W(2), listen_key_delete),
        Route("GET", "/sapi/v1/account/apiRestrictions", USER_DATA, W(1), restrictions),
    ]


def make_app(state: State) -> web.Application:
    app = web.Application()
    for route in routes(state):
        app.router.add_route(route.method, route.path, _wrap(state, route))
    return app


def _wrap(state: State, route: Route):
    async def handle(request: web.Request) -> web.StreamResponse:
        ip = request.remote or "127.0.0.1"
        query = request.rel_url.raw_query_string
        body = await request.text() if request.method in ("POST", "PUT", "DELETE") else ""
        headers: dict[str, str] = {}
        executed = False
        try:
            if route.path.endswith("/userDataStream") and not state.options.listen_key_enabled:
                # Binance removed the spot listenKey endpoints on 2026-02-20 (observed answer: 410 Gone)
                return web.Response(status=410, text="")
            params = parse_params(query, body)
            state.limiter.charge(ip, route.weight(params))
            fault = state.faults.take_error(route.order)
            if fault and not (fault.execute and route.order):
                raise as_error(fault)
            account = key = None
            if route.security == USER_STREAM:
                account, key = resolve_key(state.accounts, request.headers.get("X-MBX-APIKEY"))
            elif route.security != NONE:
                account, key = authenticate_rest(state.accounts, state.clock, route.security,
                                                 request.headers.get("X-MBX-APIKEY"), query, body, params)
            if route.handler.__code__.co_argcount == 3:
                payload = route.handler(account, params, key)
            else:
                payload = route.handler(account, params)
            executed = True
            if fault:
                raise as_error(fault)
            status = 200
            if route.order and route.method == "POST":
                headers.update(state.limiter.order_headers(account.uid))
        except BinanceError as error:
            status, payload = error.http, error.body()
            headers.update(error.headers)
        headers["X-MBX-USED-WEIGHT-1M"] = str(state.limiter.used(ip))
        if route.order and executed:
            if state.faults.take_lost():
                log.info("fault: order ack lost for %s %s", route.method, route.path)
                request.transport.close()
                raise asyncio.CancelledError()
            delay = state.faults.take_delay()
            if delay:
                await asyncio.sleep(delay)
        return _json(payload, status, headers)

    return handle
