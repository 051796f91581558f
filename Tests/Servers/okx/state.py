"""The server's shared state: one object every app (REST, WebSocket, control) works on."""
from __future__ import annotations

import json
from dataclasses import dataclass

from accounts import Account, Accounts
from book import Replay
from capture import Event
from common import Clock
from engine import Engine
from faults import Faults
from instruments import Instruments
from ratelimit import RateLimiter


@dataclass
class Options:
    keep_recorded_times: bool = False   # False: `ts` of books/bbo/trades/tickers is the server's send time
    idle_timeout_s: float = 30.0        # OKX: no subscription, or nothing pushed, for 30 s closes the connection
    ws_connects_per_second: int = 3     # OKX: 3 connection requests per second per IP
    book_heartbeat_s: float = 60.0      # OKX: ~60 s without book changes -> an empty update (seqId == prevSeqId)
    channel_conn_limit: int = 30        # OKX: 30 connections per private channel per (sub-)account
    ops_per_hour: int = 480             # OKX: subscribe / unsubscribe / login requests per connection per hour


class State:
    def __init__(self, accounts: Accounts, instruments: Instruments, replay: Replay, options: Options) -> None:
        self.clock = Clock()
        self.accounts = accounts
        self.instruments = instruments
        self.replay = replay
        self.options = options
        self.faults = Faults()
        self.limiter = RateLimiter(self.clock)
        self.engine = Engine(accounts, instruments, replay.books, self.clock)
        self.public_conns: set = set()      # objects with `market(event, send)` and `async close()`
        self.private_conns: set = set()     # objects with `user(kind, account, payload)` and `async close()`
        self.idle_closes = 0                # connections closed by the 30 s rule (4004), for the tests to read
        self.engine.sinks.append(self._user_event)
        replay.listeners.append(self._on_event)

    def _on_event(self, event: Event, broadcast: bool) -> None:
        if event.channel == "books":
            self.engine.on_book_update(event.inst_id)
        if not broadcast:
            return
        skipped = event.channel == "books" and self.faults.take_skip(event.inst_id)
        corrupt = event.channel == "books" and not skipped and self.faults.take_corrupt(event.inst_id)
        for conn in list(self.public_conns):
            conn.market(event, skipped, corrupt)

    def script(self, inst_id: str, bids: list[list[str]], asks: list[list[str]]) -> Event | None:
        """POST /control/script: the book becomes these levels; subscribers get the update the change makes."""
        event = self.replay.script(inst_id, bids, asks, self.clock.ms())
        if event is not None:
            self._on_event(event, broadcast=True)
        return event

    def _user_event(self, kind: str, account: Account, payload) -> None:
        for conn in list(self.private_conns):
            conn.user(kind, account, payload)

    async def drop_connections(self, which: str = "all") -> int:
        targets = []
        if which in ("all", "public"):
            targets += list(self.public_conns)
        if which in ("all", "private"):
            targets += list(self.private_conns)
        for conn in targets:
            await conn.close()
        return len(targets)


def dumps(payload) -> str:
    return json.dumps(payload, separators=(",", ":"))
