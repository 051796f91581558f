"""WebSocket, ws.okx.com:8443 shape (docs-v5 "WebSocket"): /ws/v5/public and /ws/v5/private on one port.

Requests `{"id"?, "op", "args": [...]}`; ops subscribe / unsubscribe (both paths), login and the order ops order,
batch-orders, cancel-order, batch-cancel-orders, amend-order, batch-amend-orders (private, after login). Events
answer `{"id"?, "event": "subscribe" | "unsubscribe" | "login" | "error", "arg"?, "code"?, "msg"?, "connId"}`; order
ops answer `{"id", "op", "code", "msg", "data": [...], "inTime", "outTime"}`. The text frame "ping" is answered
"pong". A connection without a subscription, or to which nothing was sent, for --idle-timeout seconds (OKX: 30)
is closed with 4004. More than --ws-connects-per-second upgrades a second from one IP answer HTTP 429.
An order op's own answer is sent before the `orders` pushes it causes, unless a delay_ack fault holds it back.
"""
from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time

from aiohttp import WSMsgType, web

import api
import channels
from auth import authenticate_login
from capture import Event
from common import OkxError, OrderReject
from faults import as_error
from params import require_fields
from state import State, dumps

log = logging.getLogger("okx.ws")
ORDER_OPS = {"order": "order", "batch-orders": "order", "cancel-order": "cancel-order",
             "batch-cancel-orders": "cancel-order", "amend-order": "amend-order", "batch-amend-orders": "amend-order"}


class Conn:
    def __init__(self, state: State, ws: web.WebSocketResponse, private: bool) -> None:
        self.state, self.ws, self.private = state, ws, private
        self.conn_id = secrets.token_hex(4)
        self.subs: list[dict] = []
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.account = self.key = None
        self.last_sent = time.monotonic()
        self.last_book: dict[str, float] = {}           # instId -> when its books channel last sent
        self.last_bbo: dict[str, tuple] = {}
        self.ops: list[float] = []
        self.held: list[str] | None = None              # pushes held back while an order op's answer is pending

    # ---------- sending ----------
    def send(self, payload) -> None:
        self.queue.put_nowait(payload if isinstance(payload, str) else dumps(payload))

    def push(self, payload) -> None:
        text = dumps(payload)
        if self.held is not None:
            self.held.append(text)
        else:
            self.send(text)

    def flush_held(self) -> None:
        held, self.held = self.held or [], None
        for text in held:
            self.send(text)

    async def writer(self) -> None:
        while True:
            text = await self.queue.get()
            if text is None or self.ws.closed:
                return
            try:
                await self.ws.send_str(text)
                self.last_sent = time.monotonic()
            except (ConnectionResetError, RuntimeError):
                return

    async def close(self, abort: bool = True) -> None:
        """A dropped connection: the socket goes away without a close frame, as a network failure would."""
        if abort and self.ws._req is not None and self.ws._req.transport is not None:
            self.ws._req.transport.abort()
        else:
            await self.ws.close()
        self.queue.put_nowait(None)

    def event(self, name: str, ident=None, **fields) -> dict:
        body = {"id": ident} if ident is not None else {}
        body.update({"event": name, **fields, "connId": self.conn_id})
        return body

    # ---------- market data ----------
    def market(self, event: Event, skipped: bool, corrupt: bool) -> None:
        for sub in self.subs:
            if sub.get("instId") != event.inst_id:
                continue
            channel = sub["channel"]
            if channel == "books" and event.channel == "books" and not skipped:
                self.push(channels.books_update(self.state, event, corrupt))
                self.last_book[event.inst_id] = time.monotonic()
            elif channel == "bbo-tbt" and event.channel == "books":
                self._bbo(event.inst_id)
            elif channel == event.channel and channel in ("trades", "tickers"):
                self.push(channels.recorded(self.state, event))

    def _bbo(self, inst_id: str) -> None:
        key, message = channels.bbo(self.state, inst_id)
        if self.last_bbo.get(inst_id) != key:
            self.last_bbo[inst_id] = key
            self.push(message)

    # ---------- private data ----------
    def user(self, kind: str, account, payload) -> None:
        if self.account is None or self.account.uid != account.uid:
            return
        for sub in self.subs:
            if kind == "order" and sub["channel"] == "orders":
                order, fill = payload
                body = order.push(fill, self._last_px(order.inst_id))
                if channels.order_matches(sub, body):
                    self.push(channels.order_push(sub, account.uid, body))
            elif kind == "account" and sub["channel"] == "account":
                ccys = [c for c in payload if sub.get("ccy") in (None, "", c)]
                if ccys:
                    summary = api.balance(self.state, account, {}, ccys)[0]
                    self.push(channels.account_push(account.uid, summary, snapshot=False))

    def _last_px(self, inst_id: str) -> str:
        for event in reversed(self.state.replay.events[:self.state.replay.position]):
            if event.inst_id == inst_id and event.channel == "trades":
                return event.data.get("px", "")
        return ""

    # ---------- requests ----------
    def handle(self, text: str) -> None:
        if text == "ping":
            self.send("pong")
            return
        try:
            request = json.loads(text)
            if not isinstance(request, dict) or "op" not in request:
                raise ValueError
        except ValueError:
            self.send(self.event("error", code="60012", msg=f"Invalid request: {text}"))
            return
        op, ident = request["op"], request.get("id")
        if op in ("subscribe", "unsubscribe", "login") and not self._count_op():
            self.send(self.event("error", ident, code="60014", msg="Requests too frequent."))
        elif op in ("subscribe", "unsubscribe"):
            self.subscribe(request, ident, op == "subscribe")
        elif op == "login":
            self.login(request, ident)
        elif op in ORDER_OPS:
            asyncio.ensure_future(self.order_op(request, ident, op))
        else:
            self.send(self.event("error", ident, code="60019", msg=f"Invalid op: {op}"))

    def _count_op(self) -> bool:
        now = time.monotonic()
        self.ops = [t for t in self.ops if now - t < 3600] + [now]
        return len(self.ops) <= self.state.options.ops_per_hour

    def subscribe(self, request: dict, ident, on: bool) -> None:
        args = request.get("args")
        if not isinstance(args, list) or not args or not all(isinstance(a, dict) for a in args):
            self.send(self.event("error", ident, code="60012", msg=f"Invalid request: {dumps(request)}"))
            return
        for arg in args:
            problem = self._check_arg(arg)
            if problem:
                self.send(self.event("error", ident, code=problem[0], msg=problem[1]))
                continue
            arg = {k: v for k, v in arg.items() if k in ("channel", "instId", "instType", "ccy", "extraParams")}
            known = [s for s in self.subs if s == arg]
            if not on:
                self.subs = [s for s in self.subs if s != arg]
                self.send(self.event("unsubscribe", ident, arg=arg))
                continue
            if not known:
                self.subs.append(arg)
            self.send(self.event("subscribe", ident, arg=arg))
            self._initial(arg)

    def _check_arg(self, arg: dict) -> tuple[str, str] | None:
        channel = arg.get("channel")
        if channel in channels.PRIVATE_CHANNELS + channels.PUBLIC_CHANNELS:
            if (channel in channels.PRIVATE_CHANNELS) != self.private:
                return "60008", (f"The current WebSocket endpoint does not support subscribing to {channel} "
                                 "channels. Please check the WebSocket URL")
            if self.private and self.account is None:
                return "60011", "Please log in"
            if channel in channels.PUBLIC_CHANNELS and self.state.instruments.get(arg.get("instId")):
                return None
            if channel == "orders" and arg.get("instType") in channels.INST_TYPES and (
                    not arg.get("instId") or self.state.instruments.get(arg["instId"])):
                return None
            if channel == "account":
                return None
        return "60018", (f"Wrong URL or channel:{channel},instId:{arg.get('instId')} doesn't exist. Please use "
                         "the correct URL, channel and parameters referring to API document.")

    def _initial(self, arg: dict) -> None:
        channel, inst_id = arg["channel"], arg.get("instId")
        if channel == "books":
            self.push(channels.books_snapshot(self.state, inst_id))
            self.last_book[inst_id] = time.monotonic()
        elif channel == "bbo-tbt":
            self.last_bbo.pop(inst_id, None)
            self._bbo(inst_id)
        elif channel == "account":
            summary = api.balance(self.state, self.account, {"ccy": arg.get("ccy") or ""})[0]
            self.push(channels.account_push(self.account.uid, summary, snapshot=True))
            self._conn_count("account")
        elif channel == "orders":
            self._conn_count("orders")

    def _conn_count(self, channel: str) -> None:
        """docs "Connection count limit": at most 30 connections per private channel per account."""
        count = sum(1 for conn in self.state.private_conns if conn.account is not None
                    and conn.account.uid == self.account.uid and any(s["channel"] == channel for s in conn.subs))
        limit = self.state.options.channel_conn_limit
        if count > limit:
            self.subs = [s for s in self.subs if s["channel"] != channel]
            self.send(self.event("channel-conn-count-error", channel=channel, connCount=str(limit)))
        else:
            self.send(self.event("channel-conn-count", channel=channel, connCount=str(count)))

    def login(self, request: dict, ident) -> None:
        if not self.private:
            self.send(self.event("error", ident, code="60028", msg="The current operation is not supported by "
                                 "this URL. Please use the correct WebSocket URL for the operation."))
            return
        args = request.get("args")
        try:
            if not isinstance(args, list) or len(args) != 1 or not isinstance(args[0], dict):
                raise OkxError(60012, f"Invalid request: {dumps(request)}")
            account, key = authenticate_login(self.state.accounts, self.state.clock, args[0])
            if self.account is not None and self.account.uid != account.uid:
                raise OkxError(60031, "The WebSocket endpoint does not allow multiple or repeated logins.")
        except OkxError as error:
            self.send(self.event("error", ident, code=error.code, msg=error.msg))
            return
        self.account, self.key = account, key
        self.send(self.event("login", ident, code="0", msg=""))

    async def order_op(self, request: dict, ident, op: str) -> None:
        state, in_time = self.state, self.state.clock.us()
        answer = {"id": ident, "op": op}
        items, executed = request.get("args"), False
        if not self.private:
            answer.update(code="60028", msg="The current operation is not supported by this URL. Please use the "
                                            "correct WebSocket URL for the operation.", data=[])
        elif self.account is None:
            answer.update(code="60011", msg="Please log in", data=[])
        elif not isinstance(ident, str) or not ident:
            answer.update(code="60012", msg=f"Invalid request: {dumps(request)}", data=[])
        elif (not isinstance(items, list) or not items or not all(isinstance(a, dict) for a in items)
              or (not op.startswith("batch") and len(items) != 1) or len(items) > 20):
            answer.update(code="60013", msg="Invalid args", data=[])
        else:
            fault = state.faults.take_error(True)
            if fault and not fault.execute:
                answer.update(as_error(fault).body())
            elif request.get("expTime") and state.clock.ms() > int(request["expTime"]):
                answer.update(api.envelope([api.reject_entry(state, a, OrderReject(50037, "Order expired."))
                                            for a in items]))
            else:
                self.held = []
                try:
                    answer.update(api.run(state, self.account, ORDER_OPS[op], items, self._charger(op, len(items))))
                except Exception:
                    self.flush_held()       # a server bug must not leave this connection's pushes held forever
                    raise
                executed = True
                if fault:
                    answer.update(as_error(fault).body())
        answer.update(inTime=str(in_time), outTime=str(state.clock.us()))
        if executed and state.faults.take_lost():
            log.info("fault: WebSocket order op answer lost")
            self.held = None
            await self.close()
            return
        delay = state.faults.take_delay() if executed else 0.0
        if delay:
            self.flush_held()       # the order is live (and pushed) before its answer
            await asyncio.sleep(delay)
        self.send(answer)
        self.flush_held()

    def _charger(self, op: str, count: int):
        # a batch of one counts as a single order; batch amends are counted as amends (docs: independent limits)
        batch_rules = {"order": "batch-orders", "cancel-order": "cancel-batch-orders", "amend-order": "amend-order"}
        rule = ORDER_OPS[op] if count == 1 else batch_rules[ORDER_OPS[op]]

        def charge(args: dict) -> None:
            try:
                require_fields(args, api.REQUIRED[ORDER_OPS[op]])
            except OkxError as error:
                raise OrderReject(error.code, error.msg)
            inst = self.state.instruments.resolve(args)
            self.state.limiter.charge(rule, f"{self.account.uid}/{inst.inst_id if inst else args.get('instId')}")
        return charge

    # ---------- timers ----------
    async def ticker(self) -> None:
        """Idle disconnect and the books heartbeat."""
        options, started = self.state.options, time.monotonic()
        while not self.ws.closed:
            await asyncio.sleep(0.2)
            now = time.monotonic()
            if (not self.subs and now - started > options.idle_timeout_s) or now - self.last_sent > \
                    options.idle_timeout_s:
                self.state.idle_closes += 1
                await self.ws.close(code=4004, message=b"No data received in 30s")
                self.queue.put_nowait(None)
                return
            for sub in self.subs:
                inst_id = sub.get("instId")
                if sub["channel"] == "books" and now - self.last_book.get(inst_id, now) >= options.book_heartbeat_s:
                    self.push(channels.books_heartbeat(self.state, inst_id))
                    self.last_book[inst_id] = now


class WebSockets:
    def __init__(self, state: State) -> None:
        self.state = state
        self.connects: dict[str, list[float]] = {}

    def _over_connect_rate(self, ip: str) -> bool:
        now = time.monotonic()
        recent = [t for t in self.connects.get(ip, []) if now - t < 1.0] + [now]
        self.connects[ip] = recent
        return len(recent) > self.state.options.ws_connects_per_second

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self._over_connect_rate(request.remote or "127.0.0.1"):
            return web.Response(status=429, text="Too Many Requests")
        private = request.path.endswith("/private")
        ws = web.WebSocketResponse(autoping=True, max_msg_size=1 << 20)
        await ws.prepare(request)
        conn = Conn(self.state, ws, private)
        registry = self.state.private_conns if private else self.state.public_conns
        registry.add(conn)
        tasks = [asyncio.ensure_future(conn.writer()), asyncio.ensure_future(conn.ticker())]
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    conn.handle(msg.data)
        finally:
            registry.discard(conn)
            conn.queue.put_nowait(None)
            for task in tasks:
                task.cancel()
        return ws


def add_routes(app: web.Application, sockets: WebSockets) -> None:
    app.router.add_get("/ws/v5/public", sockets.handle)
    app.router.add_get("/ws/v5/private", sockets.handle)
