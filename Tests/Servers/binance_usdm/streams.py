"""Market and user data streams, fstream.binance.com shape (USDⓈ-M "Websocket Market Streams", "User Data Streams").

/ws/<stream>, /ws (then SUBSCRIBE), /stream?streams=<a>/<b> (combined: {"stream", "data"}); live SUBSCRIBE /
UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY / GET_PROPERTY. Streams: <symbol>@depth, @depth@100ms, @depth@500ms
(the book's depthUpdate events, U/u/pu), <symbol>@bookTicker (captured), <symbol>@markPrice (3 s) and
<symbol>@markPrice@1s, !markPrice@arr[@1s], and <listenKey> (ORDER_TRADE_UPDATE, ACCOUNT_UPDATE,
ACCOUNT_CONFIG_UPDATE, listenKeyExpired).
This server's choice: a new subscription to a depth stream first receives the symbol's latest event (the one whose u
is the book's lastUpdateId), as a stream lagging the book would deliver it; so a client that subscribes, then takes
the REST snapshot finds the event with U <= lastUpdateId <= u the documented rule asks for. (In the capture, three of
the four snapshots' lastUpdateId equal the u of an event the stream delivered after the snapshot was answered.)
"""
from __future__ import annotations

import asyncio
import json
import time

from aiohttp import WSMsgType, web

from state import State, dumps

METHODS = ("SUBSCRIBE", "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS", "SET_PROPERTY", "GET_PROPERTY")
DEPTH_SUFFIXES = ("@depth", "@depth@100ms", "@depth@500ms")


class StreamConn:
    def __init__(self, state: State, ws: web.WebSocketResponse, combined: bool) -> None:
        self.state = state
        self.ws = ws
        self.combined = combined
        self.streams: list[str] = []
        self.queue: asyncio.Queue = asyncio.Queue()
        self.last_pong = time.monotonic()
        self.incoming: list[float] = []

    def kind(self) -> str:
        """"user" when it carries a listenKey stream (a name without "@"), else "market"."""
        return "user" if any("@" not in name for name in self.streams) else "market"

    def send(self, stream: str, text: str) -> None:
        self.queue.put_nowait(f'{{"stream":"{stream}","data":{text}}}' if self.combined else text)

    def user_event(self, account, event: dict) -> None:
        for stream in self.streams:
            item = self.state.listen_keys.get(stream)
            if item and item.uid == account.uid and item.expires_ms > self.state.clock.ms():
                self.send(stream, dumps(event))

    def subscribe(self, names: list[str]) -> None:
        for name in names:
            if name in self.streams or len(self.streams) >= 1024:
                continue
            self.streams.append(name)
            symbol, _, rest = name.partition("@")
            if "@" + rest in DEPTH_SUFFIXES:
                book = self.state.market.books.get(symbol.upper())
                if book is not None and book.last_event is not None:
                    self.send(name, dumps(book.last_event))

    async def close(self) -> None:
        if self.ws._req is not None and self.ws._req.transport is not None:
            self.ws._req.transport.abort()
        else:
            await self.ws.close()
        self.queue.put_nowait(None)

    async def writer(self) -> None:
        while True:
            text = await self.queue.get()
            if text is None or self.ws.closed:
                return
            try:
                await self.ws.send_str(text)
            except (ConnectionResetError, RuntimeError):
                return

    async def pinger(self) -> None:
        options = self.state.options
        while not self.ws.closed:
            await asyncio.sleep(options.ping_interval_s)
            if time.monotonic() - self.last_pong > options.pong_timeout_s:
                await self.ws.close()
                return
            try:
                await self.ws.ping(b"")
            except (ConnectionResetError, RuntimeError):
                return

    def over_rate(self) -> bool:
        now = time.monotonic()
        self.incoming = [t for t in self.incoming if now - t < 1.0] + [now]
        return len(self.incoming) > self.state.options.max_incoming_per_s

    def control(self, text: str) -> dict:
        try:
            request = json.loads(text)
        except json.JSONDecodeError:
            return {"code": 3, "msg": "Invalid JSON"}
        if not isinstance(request, dict) or "method" not in request:
            return {"code": 2, "msg": "Invalid request: missing field `method`"}
        ident, method, params = request.get("id"), request["method"], request.get("params", [])
        if method not in METHODS:
            return {"code": 2, "msg": f"Invalid request: unknown variant `{method}`"}
        if method == "SUBSCRIBE":
            self.queue.put_nowait(dumps({"result": None, "id": ident}))
            self.subscribe([str(p) for p in params])
            return {}
        if method == "UNSUBSCRIBE":
            self.streams = [name for name in self.streams if name not in params]
            return {"result": None, "id": ident}
        if method == "LIST_SUBSCRIPTIONS":
            return {"result": list(self.streams), "id": ident}
        if not params or params[0] != "combined":
            return {"code": 0, "msg": "Unknown property", "id": ident}
        if method == "GET_PROPERTY":
            return {"result": self.combined, "id": ident}
        if len(params) < 2 or not isinstance(params[1], bool):
            return {"code": 1, "msg": "Invalid value type: expected Boolean"}
        self.combined = params[1]
        return {"result": None, "id": ident}


class Streams:
    def __init__(self, state: State) -> None:
        self.state = state
        state.depth_listeners.append(self.on_market)

    def on_market(self, symbol: str, kind: str, data: dict) -> None:
        if kind == "depth" and not self.state.options.keep_recorded_times:
            data = {**data, "E": self.state.clock.ms()}
        text = dumps(data)
        lower = symbol.lower()
        names = [lower + suffix for suffix in DEPTH_SUFFIXES] if kind == "depth" else [f"{lower}@bookTicker"]
        for conn in list(self.state.conns):
            for name in names:
                if name in conn.streams:
                    conn.send(name, text)

    def send_marks(self, symbols: list[str] | None = None, tick: int = 0) -> None:
        """markPriceUpdate to subscribers: @markPrice@1s every second, @markPrice every third (or now, all)."""
        engine = self.state.engine
        for conn in list(self.state.conns):
            for name in conn.streams:
                if "markPrice" not in name:
                    continue
                one_second = name.endswith("@1s")
                if symbols is None and not one_second and tick % 3:
                    continue
                if name.startswith("!markPrice@arr"):
                    chosen = symbols or list(self.state.specs)
                    conn.send(name, dumps([engine.mark_event(s) for s in chosen]))
                    continue
                symbol = name.split("@", 1)[0].upper()
                if symbol in self.state.specs and (symbols is None or symbol in symbols):
                    conn.send(name, dumps(engine.mark_event(symbol)))

    async def mark_loop(self) -> None:
        tick = 0
        while True:
            await asyncio.sleep(1.0)
            tick += 1
            if any("markPrice" in name for conn in self.state.conns for name in conn.streams):
                self.send_marks(None, tick)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        combined = request.path.startswith("/stream")
        initial = request.query.get("streams", "") if combined else request.path[len("/ws"):].lstrip("/")
        ws = web.WebSocketResponse(autoping=False, max_msg_size=65536)
        await ws.prepare(request)
        conn = StreamConn(self.state, ws, combined)
        self.state.conns.add(conn)
        conn.subscribe([name for name in initial.split("/") if name])
        tasks = [asyncio.ensure_future(conn.writer()), asyncio.ensure_future(conn.pinger())]
        lifetime = asyncio.get_running_loop().call_later(self.state.options.ws_lifetime_s,
                                                         lambda: asyncio.ensure_future(ws.close()))
        try:
            async for msg in ws:
                if conn.over_rate():
                    await ws.close()
                    break
                if msg.type == WSMsgType.PING:
                    await ws.pong(msg.data)
                elif msg.type == WSMsgType.PONG:
                    conn.last_pong = time.monotonic()
                elif msg.type == WSMsgType.TEXT:
                    answer = conn.control(msg.data)
                    if answer:
                        conn.queue.put_nowait(dumps(answer))
        finally:
            lifetime.cancel()
            self.state.conns.discard(conn)
            conn.queue.put_nowait(None)
            for task in tasks:
                task.cancel()
        return ws

    async def watch_listen_keys(self) -> None:
        """listenKeyExpired to every stream of a key that ran out."""
        while True:
            await asyncio.sleep(0.5)
            self.expire_due()

    def expire_due(self) -> int:
        now = self.state.clock.ms()
        expired = 0
        for key, item in list(self.state.listen_keys.items()):
            if item.expires_ms <= now:
                del self.state.listen_keys[key]
                expired += 1
                event = dumps({"e": "listenKeyExpired", "E": now, "listenKey": key})
                for conn in list(self.state.conns):
                    if key in conn.streams:
                        conn.send(key, event)
        return expired


def add_routes(app: web.Application, streams: Streams) -> None:
    app.router.add_get("/ws", streams.handle)
    app.router.add_get("/ws/{name:.*}", streams.handle)
    app.router.add_get("/stream", streams.handle)
