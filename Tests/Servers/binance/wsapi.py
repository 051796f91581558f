"""WebSocket API, ws-api.binance.com shape (web-socket-api.md), path /ws-api/v3.

Requests {"id", "method", "params"}; responses {"id", "status", "result" | "error", "rateLimits"}. Signed requests carry
apiKey + signature (params sorted by name, `name=value&...`; HMAC hex, or Ed25519 base64 for Ed25519 keys) unless the
session is logged on (session.logon: Ed25519 keys only, HMAC keys get -4056). User data: userDataStream.subscribe
(after session.logon) or userDataStream.subscribe.signature (any key); events arrive as
{"subscriptionId": N, "event": {...}}.
"""
from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import WSMsgType, web

import api
from accounts import Account, ApiKey
from auth import (TRADE, USER_DATA, USER_STREAM, check_permission, check_timing, resolve_key, verify_ed25519,
                  verify_hmac, ws_payload)
from common import BinanceError, mandatory
from faults import as_error
from state import State, dumps

log = logging.getLogger("binance.wsapi")
# method -> (security, weight(params), handler(conn, account, key, params), is_order)
SIGNED = (TRADE, USER_DATA)


class ApiConn:
    def __init__(self, state: State, ws: web.WebSocketResponse, ip: str, return_rate_limits: bool) -> None:
        self.state, self.ws, self.ip = state, ws, ip
        self.return_rate_limits = return_rate_limits
        self.connected_since = state.clock.ms()
        self.session: tuple[Account, ApiKey] | None = None
        self.authorized_since: int | None = None
        self.subscriptions: dict[int, int] = {}    # subscriptionId -> uid
        self.next_subscription = 0
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()   # one writer keeps events in order

    def user_event(self, account: Account, event: dict) -> None:
        for subscription, uid in self.subscriptions.items():
            if uid == account.uid:
                self.queue.put_nowait(dumps({"subscriptionId": subscription, "event": event}))

    async def send(self, payload: dict) -> None:
        self.queue.put_nowait(dumps(payload))

    async def writer(self) -> None:
        while True:
            text = await self.queue.get()
            if text is None or self.ws.closed:
                return
            try:
                await self.ws.send_str(text)
            except (ConnectionResetError, RuntimeError):
                return

    async def close(self, abort: bool = True) -> None:
        if abort and self.ws._req is not None and self.ws._req.transport is not None:
            self.ws._req.transport.abort()
        else:
            await self.ws.close()

    def session_status(self) -> dict:
        return {"apiKey": self.session[1].api_key if self.session else None,
                "authorizedSince": self.authorized_since, "connectedSince": self.connected_since,
                "returnRateLimits": self.return_rate_limits, "serverTime": self.state.clock.ms(),
                "userDataStream": bool(self.subscriptions)}

    def subscribe(self, uid: int) -> dict:
        if uid in self.subscriptions.values():
            raise BinanceError(-2015, "Invalid API-key, IP, or permissions for action.")  # one per account
        subscription = self.next_subscription
        self.next_subscription += 1
        self.subscriptions[subscription] = uid
        return {"subscriptionId": subscription}


def _authenticate(conn: ApiConn, security: str, params: dict) -> tuple[Account, ApiKey]:
    state = conn.state
    if "apiKey" not in params and conn.session is not None:
        account, key = conn.session
        if security in SIGNED:
            check_timing(state.clock, params)
        check_permission(key, security)
        return account, key
    if not params.get("apiKey"):
        raise mandatory("apiKey")
    account, key = resolve_key(state.accounts, params["apiKey"])
    if security in SIGNED or security == "SIGNED":
        if params.get("timestamp") in (None, ""):
            raise mandatory("timestamp")
        signature = params.get("signature")
        if not signature:
            raise mandatory("signature")
        payload = ws_payload(params)
        if key.ed25519_public_pem:
            if not verify_ed25519(key, payload, signature):
                raise BinanceError(-1022, "Signature for this request is not valid.")
        else:
            verify_hmac(key, payload, signature)
        check_timing(state.clock, params)
    check_permission(key, TRADE if security == TRADE else USER_DATA if security in SIGNED else security)
    return account, key


def _methods(state: State) -> dict:
    s = state
    one = lambda n: (lambda p: n)  # noqa: E731

    def logon(conn, account, key, params):
        if not key.ed25519_public_pem:
            raise BinanceError(-4056, "HMAC_SHA256 API key is not supported.")
        conn.session, conn.authorized_since = (account, key), s.clock.ms()
        return conn.session_status()

    def logout(conn, account, key, params):
        conn.session, conn.authorized_since = None, None
        return conn.session_status()

    def subscribe(conn, account, key, params):
        if conn.session is None:
            raise BinanceError(-2015, "Invalid API-key, IP, or permissions for action.")
        return conn.subscribe(conn.session[0].uid)

    def unsubscribe(conn, account, key, params):
        if "subscriptionId" in params:
            if conn.subscriptions.pop(int(params["subscriptionId"]), None) is None:
                raise BinanceError(-1130, "Data sent for parameter 'subscriptionId' is not valid.")
        else:
            conn.subscriptions.clear()
        return {}

    def listen_key(action):
        def run(conn, account, key, params):
            if not s.options.listen_key_enabled:
                raise BinanceError(-1020, "This operation is not supported.")
            if action == "start":
                return {"listenKey": s.listen_key_for(account)}
            item = s.live_listen_key(api.require_listen_key(params))
            if item is None or item.uid != account.uid:
                raise BinanceError(-1125, "This listenKey does not exist.")
            if action == "ping":
                item.expires_ms = s.clock.ms() + 3600_000
            else:
                del s.listen_keys[item.key]
            return {}
        return run

    return {
        "ping": (None, one(1), lambda c, a, k, p: {}, False),
        "time": (None, one(1), lambda c, a, k, p: {"serverTime": s.clock.ms()}, False),
        "exchangeInfo": (None, one(20), lambda c, a, k, p: api.exchange_info(s, p), False),
        "depth": (None, api.depth_weight, lambda c, a, k, p: api.depth(s, p), False),
        "ticker.book": (None, api.ticker_weight, lambda c, a, k, p: api.book_ticker(s, p), False),
        "ticker.price": (None, api.ticker_weight, lambda c, a, k, p: api.ticker_price(s, p), False),
        "session.logon": ("SIGNED", one(2), logon, False),
        "session.status": (None, one(2), lambda c, a, k, p: c.session_status(), False),
        "session.logout": (None, one(2), logout, False),
        "session.subscriptions": (None, one(2), lambda c, a, k, p: [{"subscriptionId": i} for i in c.subscriptions],
                                  False),
        "userDataStream.subscribe": (None, one(2), subscribe, False),
        "userDataStream.subscribe.signature": ("SIGNED", one(2), lambda c, a, k, p: c.subscribe(a.uid), False),
        "userDataStream.unsubscribe": (None, one(2), unsubscribe, False),
        "userDataStream.start": (USER_STREAM, one(2), listen_key("start"), False),
        "userDataStream.ping": (USER_STREAM, one(2), listen_key("ping"), False),
        "userDataStream.stop": (USER_STREAM, one(2), listen_key("stop"), False),
        "order.place": (TRADE, one(1), lambda c, a, k, p: api.new_order(s, a, p)[0], True),
        "order.test": (TRADE, one(1), lambda c, a, k, p: api.test_order(s, a, p), False),
        "order.status": (USER_DATA, one(4), lambda c, a, k, p: api.query_order(s, a, p), False),
        "order.cancel": (TRADE, one(1), lambda c, a, k, p: api.cancel_order(s, a, p), True),
        "openOrders.status": (USER_DATA, api.open_orders_weight, lambda c, a, k, p: api.open_orders(s, a, p), False),
        "openOrders.cancelAll": (TRADE, one(1), lambda c, a, k, p: api.cancel_all(s, a, p), True),
        "allOrders": (USER_DATA, one(20), lambda c, a, k, p: api.all_orders(s, a, p), False),
        "myTrades": (USER_DATA, one(20), lambda c, a, k, p: api.my_trades(s, a, p), False),
        "account.status": (USER_DATA, one(20), lambda c, a, k, p: api.account_info(s, a, p), False),
        "account.commission": (USER_DATA, one(20), lambda c, a, k, p: api.commission(s, a, p), False),
        "account.rateLimits.orders": (USER_DATA, one(40), lambda c, a, k, p: api.order_rate_limits(s, a), False),
    }


class WsApi:
    def __init__(self, state: State) -> None:
        self.state = state
        self.methods = _methods(state)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, heartbeat=self.state.options.ping_interval_s)
        await ws.prepare(request)
        ip = request.remote or "127.0.0.1"
        conn = ApiConn(self.state, ws, ip, request.query.get("returnRateLimits", "true") != "false")
        self.state.api_conns.add(conn)
        writer = asyncio.ensure_future(conn.writer())
        lifetime = asyncio.get_running_loop().call_later(self.state.options.ws_lifetime_s,
                                                         lambda: asyncio.ensure_future(ws.close()))
        try:
            self.state.limiter.charge(ip, 2)       # connecting to the WebSocket API costs 2 weight
        except BinanceError:
            pass
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    asyncio.ensure_future(self.request(conn, msg.data))
        finally:
            lifetime.cancel()
            self.state.api_conns.discard(conn)
            conn.queue.put_nowait(None)
            writer.cancel()
        return ws

    async def request(self, conn: ApiConn, text: str) -> None:
        state = self.state
        ident, with_limits, account, is_order, executed = None, conn.return_rate_limits, None, False, False
        try:
            try:
                request = json.loads(text)
                ident = request.get("id")
                method = str(request.get("method", ""))
                params = request.get("params") or {}
            except (json.JSONDecodeError, AttributeError):
                raise BinanceError(-1135, "Invalid JSON Request")
            if "returnRateLimits" in params:
                with_limits = bool(params.pop("returnRateLimits"))
            method = method.split("/", 1)[1] if method.startswith("v3/") else method
            if method not in self.methods:
                raise BinanceError(-1020, "This operation is not supported.")
            security, weight, handler, is_order = self.methods[method]
            state.limiter.charge(conn.ip, weight(params))
            fault = state.faults.take_error(is_order)
            if fault and not (fault.execute and is_order):
                raise as_error(fault)
            key = None
            if security is not None:
                account, key = _authenticate(conn, security, params)
            result = handler(conn, account, key, params)
            executed = True
            if fault:
                raise as_error(fault)
            response = {"id": ident, "status": 200, "result": result}
        except BinanceError as error:
            body = error.body()
            if error.data:
                body["data"] = error.data
            response = {"id": ident, "status": error.http, "error": body}
        if with_limits:
            response["rateLimits"] = state.limiter.ws_rate_limits(conn.ip, account.uid if account else None,
                                                                  with_orders=is_order)
        if is_order and executed:
            if state.faults.take_lost():
                log.info("fault: WebSocket API order ack lost")
                await conn.close()
                return
            await asyncio.sleep(state.faults.take_delay())
        await conn.send(response)


def add_routes(app: web.Application, wsapi: WsApi) -> None:
    app.router.add_get("/ws-api/v3", wsapi.handle)
