"""The server's shared state: one object the REST, stream and control apps work on."""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from accounts import Account, Accounts
from book import Market
from common import Clock
from engine import Engine
from faults import Faults
from ratelimit import Limits, RateLimiter
from symbols import Spec


@dataclass
class ListenKey:
    key: str
    uid: int
    expires_ms: int


@dataclass
class Options:
    keep_recorded_times: bool = False   # False: depthUpdate E is the server's send time
    listen_key_minutes: float = 60.0    # docs: a listenKey is valid 60 minutes after creation / keepalive
    ws_lifetime_s: float = 86400.0      # docs: a connection is valid 24 hours
    ping_interval_s: float = 180.0      # docs: the server pings every 3 minutes ...
    pong_timeout_s: float = 600.0       # ... and disconnects without a pong within 10 minutes
    max_incoming_per_s: int = 10        # docs: 10 incoming messages per second per connection


class State:
    def __init__(self, accounts: Accounts, market: Market, specs: dict[str, Spec], limits: Limits,
                 options: Options) -> None:
        self.clock = Clock()
        self.accounts = accounts
        self.market = market
        self.specs = specs
        self.options = options
        self.limiter = RateLimiter(self.clock, limits)
        self.faults = Faults()
        self.engine = Engine(accounts, market.books, specs, self.clock)
        self.listen_keys: dict[str, ListenKey] = {}
        self.conns: set = set()
        self.depth_listeners: list = []   # callables(symbol, kind, data) for what is sent
        self.engine.user_sinks.append(self._user_event)
        market.listeners.append(self._on_market)

    def _on_market(self, symbol: str, kind: str, data: dict, broadcast: bool) -> None:
        if kind == "depth":
            self.engine.on_book_update(symbol)
            if self.faults.take_skip(symbol):
                return   # applied to the book, never sent: the next event's pu breaks the chain
        if broadcast:
            for listener in self.depth_listeners:
                listener(symbol, kind, data)

    def _user_event(self, account: Account, event: dict) -> None:
        for conn in list(self.conns):
            conn.user_event(account, event)

    # ---- listen keys ----
    def listen_key_for(self, account: Account) -> str:
        now = self.clock.ms()
        life = int(self.options.listen_key_minutes * 60_000)
        for item in self.listen_keys.values():
            if item.uid == account.uid and item.expires_ms > now:
                item.expires_ms = now + life   # POST with an active key returns it, extended
                return item.key
        key = secrets.token_urlsafe(48).replace("-", "a").replace("_", "b")[:64]
        self.listen_keys[key] = ListenKey(key, account.uid, now + life)
        return key

    def live_listen_key(self, key: str) -> ListenKey | None:
        item = self.listen_keys.get(key)
        return item if item and item.expires_ms > self.clock.ms() else None

    async def drop_connections(self, which: str = "all") -> int:
        targets = [c for c in list(self.conns) if which == "all" or c.kind() == which]
        for conn in targets:
            await conn.close()
        return len(targets)


def dumps(payload) -> str:
    return json.dumps(payload, separators=(",", ":"))
