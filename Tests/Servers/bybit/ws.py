"""WebSockets, stream.bybit.com shape (docs v5 "Connect", "Orderbook", "Ticker", private "Order", "Execution",
"Position", "Wallet"), both on one port: /v5/public/linear and /v5/private.

Requests are `{"req_id"?, "op", "args"?}`. Public: `subscribe` / `unsubscribe` (args: topic names) and `ping`;
topics `orderbook.{1,50,200,500,1000}.{symbol}` and `tickers.{symbol}`. Private: `auth` first, then `subscribe` to
order / order.linear, execution / execution.linear, execution.fast / execution.fast.linear, position /
position.linear, wallet; `ping`. A private topic pushes only on a change (no snapshot on subscribing).
Answers: public `{"success","ret_msg","conn_id","req_id","op"}` (ret_msg "subscribe" / "" / "pong"); private auth
and subscribe `{"success","ret_msg","op","conn_id","req_id"?}`; private ping `{"req_id","op":"pong","args":[ms],
"conn_id"}`. A connection that sends no ping and receives no data for --idle-timeout seconds (docs: 10 minutes) is
closed; /v5/private?max_active_time=30s..600s (or 1m..10m) sets that time for one private connection.
"""
from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
import uuid

from aiohttp import WSMsgType, web

from auth import WsAuthError, ws_authenticate
from book import DEPTHS
from common import dumps
from state import State

PRIVATE_TOPICS = {"order": "order", "order.linear": "order", "execution": "execution",
                  "execution.linear": "execution", "execution.fast": "execution.fast",
                  "execution.fast.linear": "execution.fast", "position": "position", "position.linear": "position",
                  "wallet": "wallet"}
FAST_KEYS = ("category", "symbol", "execId", "execPrice", "execQty", "orderId", "isMaker", "orderLinkId", "side",
             "execTime", "seq")
ORDERBOOK = re.compile(r"^orderbook\.(\d+)\.([A-Z0-9]+)$")
TICKERS = re.compile(r"^tickers\.([A-Z0-9]+)$")


def conn_id() -> str:
    return secrets.token_hex(10) + "-" + secrets.token_hex(2)[:3]


class Conn:
    kind = ""

    def __init__(self, state: State, ws: web.WebSocketResponse, idle_s: float) -> None:
        self.state, self.ws = state, ws
        self.conn_id = conn_id()
        self.topics: list[str] = []
        self.queue: asyncio.Queue = asyncio.Queue()
        self.last_activity = time.monotonic()
        self.idle_s = idle_s

    def send(self, text: str) -> None:
        self.queue.put_nowait(text)

    def answer(self, payload: dict) -> None:
        self.send(dumps(payload))

    async def writer(self) -> None:
        while True:
            text = await self.queue.get()
            if text is None or self.ws.closed:
                return
            try:
                await self.ws.send_str(text)
                self.last_activity = time.monotonic()
            except (ConnectionResetError, RuntimeError):
                return

    async def close(self) -> None:
        """A dropped connection: the socket goes away without a close frame, as a network failure would."""
        if self.ws._req is not None and self.ws._req.transport is not None:
            self.ws._req.transport.abort()
        else:
            await self.ws.close()
        self.queue.put_nowait(None)

    async def idle_watch(self) -> None:
        while not self.ws.closed:
            await asyncio.sleep(min(1.0, self.idle_s / 4))
            if time.monotonic() - self.last_activity > self.idle_s:
                await self.ws.close()
                self.queue.put_nowait(None)
                return

    def handle(self, text: str) -> None:
        try:
            request = json.loads(text)
            if not isinstance(request, dict) or "op" not in request:
                raise ValueError
        except ValueError:
            self.answer({"success": False, "ret_msg": "Params Error", "conn_id": self.conn_id, "op": ""})
            return
        self.on_request(request.get("op"), request.get("req_id"), request.get("args"))

    def on_request(self, op, req_id, args) -> None:
        raise NotImplementedError


class PublicConn(Conn):
    kind = "public"

    def reply(self, op: str, req_id, success: bool, msg: str) -> None:
        body = {"success": success, "ret_msg": msg, "conn_id": self.conn_id}
        if req_id is not None:
            body["req_id"] = req_id
        body["op"] = op
        self.answer(body)

    def _check(self, topic) -> str | None:
        if not isinstance(topic, str):
            return f"error:handler not found,topic:{topic}"
        match = ORDERBOOK.match(topic)
        if match:
            if int(match.group(1)) not in DEPTHS:
                return f"error:handler not found,topic:{topic}"
            if match.group(2) not in self.state.specs:
                return f"Invalid symbol :[{topic}]"
            return None
        match = TICKERS.match(topic)
        if match:
            return None if match.group(1) in self.state.specs else f"Invalid symbol :[{topic}]"
        return f"error:handler not found,topic:{topic}"

    def on_request(self, op, req_id, args) -> None:
        if op == "ping":
            self.reply("ping", req_id, True, "pong")
            return
        if op not in ("subscribe", "unsubscribe"):
            self.reply(str(op), req_id, False, f"error:invalid op:{op}")
            return
        if not isinstance(args, list) or not args:
            self.reply(op, req_id, False, "Params Error")
            return
        if op == "unsubscribe":
            self.topics = [t for t in self.topics if t not in args]
            self.reply(op, req_id, True, "")
            return
        failures, added = [], []
        for topic in args:
            problem = self._check(topic)
            if problem is None and topic in self.topics:
                problem = f"error:already subscribed,topic:{topic}"
            if problem:
                failures.append(problem)
            else:
                self.topics.append(topic)
                added.append(topic)
        self.reply(op, req_id, not failures, failures[0] if failures else "subscribe")
        for topic in added:
            self._initial(topic)

    def _initial(self, topic: str) -> None:
        state, now = self.state, self.state.clock.ms()
        match = ORDERBOOK.match(topic)
        if match:
            symbol = match.group(2)
            view = state.market.views[symbol][int(match.group(1))]
            self.answer(view.message("snapshot", now, state.cts(symbol)))
            return
        symbol = TICKERS.match(topic).group(1)
        self.answer({"topic": topic, "type": "snapshot", "data": state.tickers.snapshot(symbol),
                     "cs": state.market.books[symbol].seq, "ts": now})


class PrivateConn(Conn):
    kind = "private"

    def __init__(self, state: State, ws: web.WebSocketResponse, idle_s: float) -> None:
        super().__init__(state, ws, idle_s)
        self.account = None

    def reply(self, op: str, req_id, success: bool, msg: str) -> None:
        body = {"success": success, "ret_msg": msg, "op": op, "conn_id": self.conn_id}
        if req_id is not None:
            body["req_id"] = req_id
        self.answer(body)

    def on_request(self, op, req_id, args) -> None:
        if op == "ping":
            self.answer({"req_id": req_id if req_id is not None else "", "op": "pong",
                         "args": [str(self.state.clock.ms())], "conn_id": self.conn_id})
        elif op == "auth":
            if self.account is not None:
                self.reply("auth", req_id, False, "Repeat auth")
                return
            try:
                if self.state.faults.take_bad_auth():
                    raise WsAuthError("Request not authorized")
                self.account, _ = ws_authenticate(self.state.accounts, self.state.clock, args)
            except WsAuthError as problem:
                self.reply("auth", req_id, False, problem.msg)
                return
            self.reply("auth", req_id, True, "")
        elif op in ("subscribe", "unsubscribe"):
            if self.account is None:
                self.reply(op, req_id, False, "Request not authorized")
                return
            if not isinstance(args, list) or not args:
                self.reply(op, req_id, False, "Params Error")
                return
            if op == "unsubscribe":
                self.topics = [t for t in self.topics if t not in args]
                self.reply(op, req_id, True, "")
                return
            unknown = [t for t in args if t not in PRIVATE_TOPICS]
            self.topics += [t for t in args if t in PRIVATE_TOPICS and t not in self.topics]
            self.reply(op, req_id, not unknown, f"error:handler not found,topic:{unknown[0]}" if unknown else "")
        else:
            self.reply(str(op), req_id, False, f"error:invalid op:{op}")

    def push(self, account, topic: str, rows: list) -> None:
        if self.account is None or self.account.uid != account.uid:
            return
        now = self.state.clock.ms()
        for name in self.topics:
            family = PRIVATE_TOPICS[name]
            data = rows
            if family == "execution.fast" and topic == "execution":
                data = [{k: r[k] for k in FAST_KEYS} for r in rows if r.get("execType") == "Trade"]
            elif family != topic:
                continue
            if data:
                self.answer({"id": f"{account.uid}{uuid.uuid4()}", "topic": name, "creationTime": now, "data": data})


def _active_time(text: str | None, default: float) -> float | None:
    if text is None:
        return default
    match = re.fullmatch(r"(\d+)([sm])", text)
    if not match:
        return None
    seconds = int(match.group(1)) * (60 if match.group(2) == "m" else 1)
    return float(seconds) if 30 <= seconds <= 600 else None


class Sockets:
    def __init__(self, state: State) -> None:
        self.state = state

    async def _serve(self, request: web.Request, conn_type) -> web.WebSocketResponse:
        idle = self.state.options.idle_timeout_s
        if conn_type is PrivateConn:
            idle = _active_time(request.query.get("max_active_time"), idle)
            if idle is None:
                raise web.HTTPBadRequest(text="max_active_time must be 30s..600s or 1m..10m")
        ws = web.WebSocketResponse(autoping=True, max_msg_size=1 << 20)
        await ws.prepare(request)
        conn = conn_type(self.state, ws, idle)
        pool = self.state.public_conns if conn_type is PublicConn else self.state.private_conns
        pool.add(conn)
        tasks = [asyncio.ensure_future(conn.writer()), asyncio.ensure_future(conn.idle_watch())]
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    conn.last_activity = time.monotonic()
                    conn.handle(msg.data)
        finally:
            pool.discard(conn)
            conn.queue.put_nowait(None)
            for task in tasks:
                task.cancel()
        return ws

    async def public(self, request: web.Request) -> web.WebSocketResponse:
        return await self._serve(request, PublicConn)

    async def private(self, request: web.Request) -> web.WebSocketResponse:
        return await self._serve(request, PrivateConn)

    async def level1_loop(self) -> None:
        while True:
            await asyncio.sleep(0.25)
            self.state.repeat_level1()


def add_routes(app: web.Application, sockets: Sockets) -> None:
    app.router.add_get("/v5/public/linear", sockets.public)
    app.router.add_get("/v5/private", sockets.private)
