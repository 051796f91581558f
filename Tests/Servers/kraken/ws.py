"""WebSocket v2 (docs "Spot WebSocket v2"): the public host (ws.kraken.com/v2: book, instrument) and the private
one (ws-auth.kraken.com/v2: also executions, balances, add_order, cancel_order, cancel_all, batch_add), each on its
own port at path /v2, like Kraken's two hosts.

Requests `{"method", "params"?, "req_id"?}`; answers `{"method", "result"?, "success", "error"?, "req_id"?,
"time_in", "time_out"}`. On connect: a `status` update. `ping` -> `pong`. A `heartbeat` after --heartbeat seconds
without anything else sent, once a channel is subscribed. No subscription and no request for --idle-timeout s:
the connection is closed (this server's rule; `idleCloses` in /control/replay). An order method's answer goes out
before the `executions` pushes it causes, unless a delay_ack fault holds it back (then the pushes go first).
"""
from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time

from aiohttp import WSMsgType, web

import channels
from common import KrakenError, dumps, rfc3339
from state import State

log = logging.getLogger("kraken.ws")
CONNECTION_IDS = itertools.count(17843232920108168701)
ORDER_METHODS = {"add_order", "cancel_order", "cancel_all", "batch_add"}


class Conn:
    def __init__(self, state: State, ws: web.WebSocketResponse, private: bool) -> None:
        self.state, self.ws, self.private = state, ws, private
        self.books: dict[str, int] = {}          # symbol -> subscribed depth
        self.instrument = False
        self.executions = self.balances = False
        self.account = None
        self.sequence = 0
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.last_sent = self.last_request = time.monotonic()
        self.held: list[str] | None = None

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

    async def close(self) -> None:
        """A dropped connection: the socket goes away without a close frame, as a network failure would."""
        if self.ws._req is not None and self.ws._req.transport is not None:
            self.ws._req.transport.abort()
        else:
            await self.ws.close()
        self.queue.put_nowait(None)

    def answer(self, method: str, req_id, time_in: float, result=None, error: str | None = None, **extra) -> dict:
        body: dict = {"method": method}
        if error is None:
            if result is not None:
                body["result"] = result
            body["success"] = True
        else:
            body.update(error=error, success=False)
        body.update(extra)
        if req_id is not None:
            body["req_id"] = req_id
        body.update(time_in=rfc3339(time_in), time_out=rfc3339(self.state.clock.now()))
        return body

    # ---------- pushes ----------
    def market(self, event, book, diffs, skipped: bool, corrupt: bool) -> None:
        depth = self.books.get(book.pair.symbol)
        if depth is None or skipped:
            return
        diff = diffs.get(depth) or {}
        if diff.get("bids") or diff.get("asks"):
            self.push(channels.book_update(self.state, book, diff, event, corrupt))

    def user(self, account, item: dict) -> None:
        if self.account is None or self.account.name != account.name:
            return
        if self.executions:
            self.sequence += 1
            self.push({"channel": "executions", "type": "update", "data": [item], "sequence": self.sequence})
        if self.balances and item["exec_type"] == "trade":
            self.push(channels.balances(self.state, account, item, snapshot=False))

    # ---------- requests ----------
    async def handle(self, text: str) -> None:
        now = self.state.clock.now()
        self.last_request = time.monotonic()
        try:
            request = json.loads(text)
            if not isinstance(request, dict) or not isinstance(request.get("method"), str):
                raise ValueError
        except ValueError:
            self.send({"error": "Malformed request", "method": "", "success": False,
                       "time_in": rfc3339(now), "time_out": rfc3339(now)})
            return
        method, req_id = request["method"], request.get("req_id")
        params = request.get("params") if isinstance(request.get("params"), dict) else {}
        if method == "ping":
            self.send(self.answer("pong", req_id, now))
        elif method in ("subscribe", "unsubscribe"):
            self.subscribe(method, params, req_id, now)
        elif method in ORDER_METHODS and self.private:
            await self.order_method(method, params, req_id, now)
        else:
            self.send(self.answer(method, req_id, now, error="Method not found"))

    def _token_account(self, params: dict):
        return self.state.token_account(params.get("token"))

    def subscribe(self, method: str, params: dict, req_id, now: float) -> None:
        on, channel = method == "subscribe", params.get("channel")
        snapshot = params.get("snapshot", True) is not False
        if channel == "book":
            depth = params.get("depth", 10)
            symbols = params.get("symbol")
            if not isinstance(symbols, list) or not symbols:
                self.send(self.answer(method, req_id, now, error="Missing symbol"))
                return
            if depth not in channels.DEPTHS:
                self.send(self.answer(method, req_id, now, error=f"Invalid depth {depth}"))
                return
            for symbol in symbols:
                if self.state.instruments.by_symbol(symbol) is None:
                    self.send(self.answer(method, req_id, now, error=f"Currency pair not supported {symbol}",
                                          symbol=symbol))
                    continue
                result = {"channel": "book", "depth": depth, "snapshot": snapshot, "symbol": symbol}
                if on:
                    self.books[symbol] = depth
                    self.send(self.answer(method, req_id, now, result))
                    if snapshot:
                        self.push(channels.book_snapshot(self.state, symbol, depth))
                else:
                    self.books.pop(symbol, None)
                    self.send(self.answer(method, req_id, now, {"channel": "book", "depth": depth, "symbol": symbol}))
        elif channel == "instrument":
            self.instrument = on
            self.send(self.answer(method, req_id, now, {"channel": "instrument", "snapshot": snapshot}))
            if on and snapshot:
                self.push(channels.instrument_snapshot(self.state))
        elif channel in ("executions", "balances") and self.private:
            account = self._token_account(params)
            if account is None:
                self.send(self.answer(method, req_id, now, error="ESession:Invalid session", channel=channel))
                return
            self.state.tokens[params["token"]].used = True
            self.account = account
            setattr(self, channel, on)
            self.send(self.answer(method, req_id, now, {"channel": channel, "snapshot": snapshot}))
            if on and snapshot and channel == "executions":
                rows = [] if params.get("snap_orders") is False else channels.open_order_items(self.state, account)
                self.push({"channel": "executions", "type": "snapshot", "data": rows, "sequence": 1})
                self.sequence = 1
            elif on and snapshot:
                self.push(channels.balances(self.state, account, None, snapshot=True))
        else:
            self.send(self.answer(method, req_id, now, error=f"Channel {channel} not supported", channel=channel))

    async def order_method(self, method: str, params: dict, req_id, now: float) -> None:
        state, executed, answers = self.state, False, []
        account = self._token_account(params)
        self.held = []
        try:
            if account is None:
                raise KrakenError("ESession:Invalid session")
            limited = state.faults.take_rate_limit(method)
            if limited:
                raise KrakenError(limited)
            fault = state.faults.take_error(method)
            if fault and not fault.execute:
                raise KrakenError(fault.error)
            answers = channels.run_order_method(state, account, method, params)
            executed = True
            if fault:
                raise KrakenError(fault.error)
            bodies = [self.answer(method, req_id, now, result, error) for result, error in answers]
        except KrakenError as error:
            bodies = [self.answer(method, req_id, now, error=error.text)]
        except Exception:
            self.flush_held()      # a server bug must not leave this connection's pushes held forever
            raise
        if executed and state.faults.take_lost():
            log.info("fault: answer to %s lost", method)
            self.held = None
            await self.close()
            return
        delay = state.faults.take_delay() if executed else 0.0
        if delay:
            self.flush_held()
            await asyncio.sleep(delay)
        for body in bodies:
            self.send(body)
        self.flush_held()

    # ---------- timers ----------
    async def ticker(self) -> None:
        options = self.state.options
        while not self.ws.closed:
            await asyncio.sleep(0.1)
            now = time.monotonic()
            subscribed = bool(self.books or self.instrument or self.executions or self.balances)
            if not subscribed and now - max(self.last_request, self.last_sent) > options.idle_timeout_s:
                self.state.idle_closes += 1
                await self.ws.close(code=1000, message=b"idle")
                self.queue.put_nowait(None)
                return
            if subscribed and now - self.last_sent >= options.heartbeat_s and self.queue.empty():
                self.send({"channel": "heartbeat"})
                self.last_sent = now


class WebSockets:
    def __init__(self, state: State, private: bool) -> None:
        self.state, self.private = state, private

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=1 << 20)
        await ws.prepare(request)
        conn = Conn(self.state, ws, self.private)
        kind = "private" if self.private else "public"
        registry = self.state.private_conns if self.private else self.state.public_conns
        registry.add(conn)
        self.state.connections[kind] += 1
        conn.send(channels.status(self.state, next(CONNECTION_IDS)))
        tasks = [asyncio.ensure_future(conn.writer()), asyncio.ensure_future(conn.ticker())]
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await conn.handle(msg.data)
        finally:
            registry.discard(conn)
            conn.queue.put_nowait(None)
            for task in tasks:
                task.cancel()
        return ws


def app(state: State, private: bool) -> web.Application:
    application = web.Application()
    application.router.add_get("/v2", WebSockets(state, private).handle)
    return application
