"""The two WebSocket hosts (docs "Advanced Trade WebSocket Overview" / "Channels"), each on its own port at path /:
market data (advanced-trade-ws: heartbeats, level2, user with a JWT, and the other documented channels) and user
order data (advanced-trade-ws-user: heartbeats, user, futures_balance_summary).

Requests: `{"type": "subscribe" | "unsubscribe", "product_ids": [...], "channel": "<one channel>", "jwt"?}`. Every
server message is `{"channel", "client_id": "", "timestamp", "sequence_num", "events": [...]}`; **sequence_num is
per connection**: 0 for the first message, +1 for every message the connection sends, whatever its channel
(subscriptions, heartbeats, l2_data, user); errors `{"type": "error", "message"}` carry none. A subscribe answers
a `subscriptions` message (every subscription of the connection), then the channel's snapshot(s). No subscribe
within 5 s (--subscribe-timeout): the connection is closed. Subscribed but nothing sent for 90 s (no heartbeats):
closed (docs "most channels close within 60-90 seconds if no updates are sent"). Subscribing `candles`, `status`,
`ticker`, `ticker_batch`, `market_trades` or `futures_balance_summary` is accepted and listed, but no data comes.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time

from aiohttp import WSMsgType, web

from common import ApiError, dumps, fmt, rfc3339
from state import State

log = logging.getLogger("coinbase.ws")
MARKET_CHANNELS = {"heartbeats", "candles", "status", "ticker", "ticker_batch", "level2", "market_trades", "user",
                   "futures_balance_summary"}
USER_CHANNELS = {"heartbeats", "user", "futures_balance_summary"}
PRODUCT_CHANNELS = {"candles", "ticker", "ticker_batch", "level2", "market_trades"}
SNAPSHOT_BATCH = 50


class Conn:
    def __init__(self, state: State, ws: web.WebSocketResponse, private: bool, ip: str) -> None:
        self.state, self.ws, self.private, self.ip = state, ws, private, ip
        self.subscriptions: dict[str, set[str]] = {}
        self.account = None
        self.sequence = 0
        self.skip = 0
        self.heartbeat_counter = 0
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.opened = self.last_sent = time.monotonic()
        self.last_heartbeat = 0.0
        self.subscribed_once = False

    # ---------- sending ----------
    def send(self, channel: str, events: list) -> None:
        self.sequence += self.skip
        self.skip = 0
        message = {"channel": channel, "client_id": "", "timestamp": rfc3339(self.state.clock.now()),
                   "sequence_num": self.sequence, "events": events}
        self.sequence += 1
        self.queue.put_nowait(dumps(message))

    def error(self, message: str) -> None:
        self.queue.put_nowait(dumps({"type": "error", "message": message}))

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

    # ---------- pushes ----------
    def market(self, event, book) -> None:
        product_id = book.product.product_id
        if product_id not in self.subscriptions.get("level2", ()):
            return
        now = rfc3339(self.state.clock.now())
        stamp = event.time if (self.state.options.keep_recorded_times and event.time) else now
        updates = [{"side": side, "event_time": stamp, "price_level": price, "new_quantity": qty}
                   for side, price, qty in event.changes]
        self.send("l2_data", [{"type": "update", "product_id": product_id, "updates": updates}])

    def user(self, account, order) -> None:
        products = self.subscriptions.get("user")
        if products is None or self.account is None or self.account.name != account.name:
            return
        if products and order.product.product_id not in products:
            return
        self.send("user", [{"type": "update", "orders": [order.ws()]}])

    def l2_snapshot(self, product_id: str) -> None:
        book = self.state.replay.books[product_id]
        now = rfc3339(self.state.clock.now())
        updates = [{"side": side, "event_time": now, "price_level": fmt(p), "new_quantity": fmt(q)}
                   for side in ("bid", "offer") for p, q in book.levels(side)]
        self.send("l2_data", [{"type": "snapshot", "product_id": product_id, "updates": updates}])

    def user_snapshot(self, products: set[str]) -> None:
        orders = [o.ws() for o in self.state.engine.mine(self.account)
                  if o.is_open and (not products or o.product.product_id in products)]
        batches = [orders[i:i + SNAPSHOT_BATCH] for i in range(0, len(orders), SNAPSHOT_BATCH)] or [[]]
        for batch in batches:
            self.send("user", [{"type": "snapshot", "orders": batch, "positions": {
                "perpetual_futures_positions": [], "expiring_futures_positions": []}}])

    # ---------- requests ----------
    def handle(self, text: str) -> None:
        try:
            request = json.loads(text)
            if not isinstance(request, dict):
                raise ValueError
        except ValueError:
            self.error("malformed JSON")
            return
        kind, channel, token = request.get("type"), request.get("channel"), request.get("jwt")
        if kind not in ("subscribe", "unsubscribe"):
            self.error(f"unknown type {kind!r}: subscribe or unsubscribe")
            return
        if not token and not self.state.limiter.allow("wsMessages", self.ip):
            self.error("rate limit exceeded")
            return
        if "channels" in request or not isinstance(channel, str):
            self.error("one channel per message: a \"channel\" string is required")
            return
        allowed = USER_CHANNELS if self.private else MARKET_CHANNELS
        if channel not in allowed:
            self.error(f"channel {channel!r} is not available on this endpoint")
            return
        products = request.get("product_ids", [])
        if not isinstance(products, list) or not all(isinstance(p, str) for p in products):
            self.error("product_ids must be a list of product ids")
            return
        unknown = [p for p in products if p not in self.state.products]
        if unknown:
            self.error(f"Failed to subscribe: unknown product_ids {unknown}")
            return
        if channel in PRODUCT_CHANNELS and not products and kind == "subscribe":
            self.error(f"channel {channel} needs product_ids")
            return
        account = None
        if token or channel in ("user", "futures_balance_summary"):
            try:
                account, _ = self.state.verify_jwt(token)
            except ApiError as error:
                self.error(f"authentication failure: {error.body['error_details']}")
                return
        if kind == "subscribe":
            if channel in ("user", "futures_balance_summary"):
                self.account = account
            entry = self.subscriptions.setdefault(channel, set())
            new = [p for p in products if p not in entry]
            entry.update(products)
            self.subscribed_once = True
            self.send_subscriptions()
            if channel == "level2":
                for product_id in new:
                    self.l2_snapshot(product_id)
            elif channel == "user":
                self.user_snapshot(entry)
            elif channel == "heartbeats":
                self.last_heartbeat = 0.0
        else:
            entry = self.subscriptions.get(channel)
            if entry is not None:
                entry.difference_update(products)
                if not products or not entry:
                    del self.subscriptions[channel]
            self.send_subscriptions()

    def send_subscriptions(self) -> None:
        listed = {name: (sorted(products) if products else [name]) for name, products in self.subscriptions.items()}
        self.send("subscriptions", [{"subscriptions": listed}])

    # ---------- timers ----------
    async def ticker(self) -> None:
        options = self.state.options
        while not self.ws.closed:
            await asyncio.sleep(0.05)
            now = time.monotonic()
            if not self.subscribed_once and now - self.opened > options.subscribe_timeout_s:
                self.state.closes["noSubscribe"] += 1
                await self.ws.close(code=1000, message=b"no subscribe within 5 s")
                self.queue.put_nowait(None)
                return
            if "heartbeats" in self.subscriptions and now - self.last_heartbeat >= options.heartbeat_s:
                self.last_heartbeat = now
                self.heartbeat_counter += 1
                moment = self.state.clock.now()
                self.send("heartbeats", [{"current_time": rfc3339(moment).replace("T", " ").replace("Z", " +0000 UTC"),
                                          "heartbeat_counter": str(self.heartbeat_counter)}])
            elif self.subscriptions and now - self.last_sent > options.channel_idle_s and self.queue.empty():
                self.state.closes["idle"] += 1
                await self.ws.close(code=1000, message=b"idle")
                self.queue.put_nowait(None)
                return


class WebSockets:
    def __init__(self, state: State, private: bool) -> None:
        self.state, self.private = state, private

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ip = request.remote or "?"
        if not self.state.limiter.allow("wsConnections", ip):
            return web.Response(status=429, text=dumps(ApiError(429, "WebSocket connections rate limit").body),
                                content_type="application/json")
        ws = web.WebSocketResponse(autoping=True, max_msg_size=1 << 20)
        await ws.prepare(request)
        conn = Conn(self.state, ws, self.private, ip)
        self.state.conns.add(conn)
        self.state.connections["private" if self.private else "public"] += 1
        tasks = [asyncio.ensure_future(conn.writer()), asyncio.ensure_future(conn.ticker())]
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    conn.handle(msg.data)
        finally:
            self.state.conns.discard(conn)
            conn.queue.put_nowait(None)
            for task in tasks:
                task.cancel()
        return ws


def app(state: State, private: bool) -> web.Application:
    application = web.Application()
    application.router.add_get("/", WebSockets(state, private).handle)
    return application
