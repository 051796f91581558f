"""The server's shared state: one object every app (REST, streams, WebSocket API, control) works on."""
from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass

from accounts import Account, Accounts
from book import Replay
from common import Clock
from engine import Engine
from faults import Faults
from ratelimit import Limits, RateLimiter
from recording import Event


@dataclass
class ListenKey:
    key: str
    uid: int
    expires_ms: int


@dataclass
class Options:
    notional_filter: str = "NOTIONAL"
    listen_key_enabled: bool = True
    ws_lifetime_s: float = 86400.0      # Binance: a connection is valid for 24 hours
    ping_interval_s: float = 20.0       # Binance: a ping frame every 20 seconds ...
    pong_timeout_s: float = 60.0        # ... and a disconnect without a pong within a minute
    max_incoming_per_s: int = 5         # Binance: 5 incoming messages per second per stream connection
    keep_recorded_times: bool = False   # False: E is rewritten to the server's send time


class State:
    def __init__(self, accounts: Accounts, replay: Replay, limits: Limits, options: Options) -> None:
        self.clock = Clock()
        self.accounts = accounts
        self.replay = replay
        self.options = options
        self.limiter = RateLimiter(self.clock, limits)
        self.faults = Faults()
        self.engine = Engine(accounts, replay.books, self.clock, options.notional_filter)
        self.listen_keys: dict[str, ListenKey] = {}
        # connections by kind, so a fault can drop them: each is an object with `async close()`
        self.stream_conns: set = set()
        self.api_conns: set = set()
        self.engine.user_sinks.append(self._user_event)
        replay.listeners.append(self._on_event)
        self.diff_listeners: list = []    # callables(event, send: bool)

    # ---- recording -> engine and streams ----
    def _on_event(self, event: Event, broadcast: bool) -> None:
        if event.kind == "depth":
            self.engine.on_book_update(event.symbol)
        send = broadcast
        if event.kind == "depth" and broadcast and self.faults.take_skip(event.symbol):
            send = False
        for listener in self.diff_listeners:
            listener(event, send)

    # ---- user data fan-out ----
    def _user_event(self, account: Account, event: dict) -> None:
        for conn in list(self.stream_conns) + list(self.api_conns):
            deliver = getattr(conn, "user_event", None)
            if deliver:
                deliver(account, event)

    # ---- listen keys (deprecated on Binance spot, removed there 2026-02-20) ----
    def listen_key_for(self, account: Account) -> str:
        now = self.clock.ms()
        for item in self.listen_keys.values():
            if item.uid == account.uid and item.expires_ms > now:
                item.expires_ms = now + 3600_000   # POST on an account with an active key returns it, extended
                return item.key
        key = secrets.token_urlsafe(48).replace("-", "a").replace("_", "b")[:64]
        self.listen_keys[key] = ListenKey(key, account.uid, now + 3600_000)
        return key

    def live_listen_key(self, key: str) -> ListenKey | None:
        item = self.listen_keys.get(key)
        if item and item.expires_ms > self.clock.ms():
            return item
        return None

    async def drop_connections(self, which: str = "all") -> int:
        targets = []
        if which in ("all", "streams"):
            targets += list(self.stream_conns)
        if which in ("all", "api"):
            targets += list(self.api_conns)
        for conn in targets:
            await conn.close()
        return len(targets)


def dumps(payload) -> str:
    return json.dumps(payload, separators=(",", ":"))


async def sleep(seconds: float) -> None:
    if seconds > 0:
        await asyncio.sleep(seconds)
