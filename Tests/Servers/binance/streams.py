"""Market streams, stream.binance.com shape (web-socket-streams.md), and listenKey user data streams.

/ws/<stream>                     raw payloads
/stream?streams=<a>/<b>/...      combined: {"stream": "<name>", "data": <payload>}
live SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY / GET_PROPERTY with {"result": ..., "id": ...}
Streams served: <symbol>@depth@100ms and <symbol>@depth (the recording's diffs), <symbol>@bookTicker, <symbol>@trade,
and <listenKey> (executionReport, outboundAccountPosition, listenKeyExpired).
The server pings every ping_interval (payload = a timestamp), drops a connection whose pong does not come within
pong_timeout, closes every connection at its lifetime (Binance: 24 h), and drops a client over 5 messages a second.
"""
from __future__ import annotations

import asyncio
import json
import re
import time

from aiohttp import WSMsgType, web

from recording import Event
from state import State, dumps

METHODS = ("SUBSCRIBE", "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS", "SET_PROPERTY", "GET_PROPERTY")
ID_STRING = re.compile(r"^[A-Za-z0-9]{1,36}$")


def stream_names(event: Event) -> list[str]:
    symbol = event.symbol.lower()
    if event.kind == "depth":
        return [f"{symbol}@depth@100ms", f"{symbol}@depth"]
    return [f"{symbol}@{event.kind}"]


class StreamConn:
    def __init__(self, state: State, ws: web.WebSocketResponse, combined: bool) -> None:
        self.state = state
        self.ws = ws
        self.combined = combined
        self.streams: list[str] = []
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.last_pong = time.monotonic()
        self.incoming: list[float] = []

    def send(self, stream: str, data_json: str) -> None:
        text = f'{{"stream":"{stream}","data":{data_json}}}' if self.combined else data_json
        self.queue.put_nowait(text)

    def user_event(self, account, event: dict) -> None:
        for stream in self.streams:
            item = self.state.listen_keys.get(stream)
            if item and item.uid == account.uid:
                self.send(stream, dumps(event))

    async def close(self, abort: bool = True) -> None:
        """A dropped connection: the socket goes away without a close frame, as a network failure would."""
        if abort and self.ws._req is not None and self.ws._req.transport is not None:
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
                await self.ws.ping(str(int(time.time() * 1000)).encode())
            except (ConnectionResetError, RuntimeError):
                return

    def over_rate(self) -> bool:
        now = time.monotonic()
        self.incoming = [t for t in self.incoming if now - t < 1.0] + [now]
        return len(self.incoming) > self.state.options.max_incoming_per_s

    def control(self, text: str) -> dict:
        try:
            request = json.loads(text)
        except json.JSONDecodeError as error:
            return {"code": 3, "msg": f"Invalid JSON: expected value at line {error.lineno} column {error.colno}"}
        if not isinstance(request, dict) or "method" not in request:
            return {"code": 2, "msg": "Invalid request: missing field `method` at line 1 column 73"}
        ident = request.get("id")
        if not (ident is None or (isinstance(ident, int) and not isinstance(ident, bool) and -2**63 <= ident < 2**63)
                or (isinstance(ident, str) and ID_STRING.match(ident))):
            return {"code": 2, "msg": "Invalid request: request ID must be an unsigned integer"}
        method, params = request["method"], request.get("params", [])
        if method not in METHODS:
            return {"code": 2, "msg": f"Invalid request: unknown variant `{method}`, expected one of `SUBSCRIBE`, "
                                      "`UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY` at line 1 "
                                      "column 28"}
        if method == "SUBSCRIBE":
            for name in params:
                if name not in self.streams and len(self.streams) < 1024:
                    self.streams.append(name)
            return {"result": None, "id": ident}
        if method == "UNSUBSCRIBE":
            self.streams = [name for name in self.streams if name not in params]
            return {"result": None, "id": ident}
        if method == "LIST_SUBSCRIPTIONS":
            return {"result": list(self.streams), "id": ident}
        if not params or not isinstance(params[0], str):
            return {"code": 2, "msg": "Invalid request: property name must be a string"}
        if params[0] != "combined":
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
        state.diff_listeners.append(self.on_event)

    def on_event(self, event: Event, send: bool) -> None:
        if not send:
            return
        data = event.data
        if event.kind in ("depth", "trade") and not self.state.options.keep_recorded_times:
            data = dict(data)
            data["E"] = self.state.clock.ms()
        data_json = dumps(data)
        for name in stream_names(event):
            for conn in self.state.stream_conns:
                if name in conn.streams:
                    conn.send(name, data_json)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        path = request.path
        combined = path.startswith("/stream")
        initial = request.query.get("streams", "") if combined else path[len("/ws"):].lstrip("/")
        ws = web.WebSocketResponse(autoping=False, max_msg_size=4096)
        await ws.prepare(request)
        conn = StreamConn(self.state, ws, combined)
        conn.streams = [name for name in initial.split("/") if name]
        self.state.stream_conns.add(conn)
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
                    conn.queue.put_nowait(dumps(conn.control(msg.data)))
        finally:
            lifetime.cancel()
            self.state.stream_conns.discard(conn)
            conn.queue.put_nowait(None)
            for task in tasks:
                task.cancel()
        return ws

    async def watch_listen_keys(self) -> None:
        """listenKeyExpired to every stream of a key that ran out (user-data-stream.md)."""
        while True:
            await asyncio.sleep(1.0)
            now = self.state.clock.ms()
            for key, item in list(self.state.listen_keys.items()):
                if item.expires_ms <= now:
                    del self.state.listen_keys[key]
                    event = dumps({"e": "listenKeyExpired", "E": now, "listenKey": key})
                    for conn in self.state.stream_conns:
                        if key in conn.streams:
                            conn.send(key, event)


def add_routes(app: web.Application, streams: Streams) -> None:
    app.router.add_get("/ws", streams.handle)
    app.router.add_get("/ws/{name:.*}", streams.handle)
    app.router.add_get("/stream", streams.handle)
