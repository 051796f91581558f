"""The server's shared state: one object every app (REST, WebSockets, control) works on."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from accounts import Account, Accounts
from book import Book, Diff, Replay
from capture import Event
from common import Clock
from engine import Engine
from faults import Faults
from instruments import Instruments
from ratelimit import RateLimiter


@dataclass
class Options:
    idle_timeout_s: float = 60.0          # WebSocket: no subscription and nothing sent for this long -> closed
    heartbeat_s: float = 1.0              # docs: a heartbeat about once a second when nothing else was sent
    token_ttl_s: float = 900.0            # docs: a WebSockets token must be used within 15 minutes
    nonce_window: int = 0                 # docs: the key's optional nonce window (0 = strictly increasing)
    keep_recorded_times: bool = False     # book `timestamp`: the capture's receive time instead of now
    system_status: str = "online"         # SystemStatus / WS `status`


@dataclass
class Token:
    account: str
    created: float
    used: bool = False


@dataclass
class State:
    accounts: Accounts
    instruments: Instruments
    replay: Replay
    options: Options
    clock: Clock = field(default_factory=Clock)
    faults: Faults = field(default_factory=Faults)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.clock)
        self.engine = Engine(self.accounts, self.instruments, self.replay.books, self.clock, self.limiter)
        self.public_conns: set = set()     # objects with market(event, book, diffs, skipped, corrupt), close()
        self.private_conns: set = set()    # objects with user(account, item), close()
        self.tokens: dict[str, Token] = {}
        self.nonces_seen: dict = {}
        self.idle_closes = 0
        self.connections = {"public": 0, "private": 0}
        self.engine.sinks.append(self._user_event)
        self.replay.listeners.append(self._on_event)
        self.replay.depths_in_use = self._depths

    def _depths(self, symbol: str) -> set[int]:
        return {d for conn in self.public_conns | self.private_conns for s, d in conn.books.items() if s == symbol}

    def _on_event(self, event: Event, book: Book, diffs: dict[int, Diff]) -> None:
        self.engine.on_book_update(book.pair.symbol)
        sent = any(diff["bids"] or diff["asks"] for diff in diffs.values())    # an update some client gets
        skipped = sent and self.faults.take_skip(book.pair.symbol)
        corrupt = sent and not skipped and self.faults.take_corrupt(book.pair.symbol)
        for conn in list(self.public_conns | self.private_conns):
            conn.market(event, book, diffs, skipped, corrupt)

    def _user_event(self, account: Account, item: dict) -> None:
        for conn in list(self.private_conns):
            conn.user(account, item)

    def new_token(self, account: Account) -> str:
        token = secrets.token_urlsafe(30)
        self.tokens[token] = Token(account.name, self.clock.now())
        return token

    def token_account(self, token: str | None) -> Account | None:
        """A token is valid within token_ttl_s of its creation, and for good once a subscription used it."""
        entry = self.tokens.get(token or "")
        if entry is None or (not entry.used and self.clock.now() - entry.created > self.options.token_ttl_s):
            return None
        return self.accounts.find(entry.account)

    async def drop_connections(self, which: str = "all") -> int:
        targets = []
        if which in ("all", "public"):
            targets += list(self.public_conns)
        if which in ("all", "private"):
            targets += list(self.private_conns)
        for conn in targets:
            await conn.close()
        return len(targets)
