"""The server's shared state: one object every app (REST, WebSockets, control) works on."""
from __future__ import annotations

from dataclasses import dataclass, field

from accounts import Account, Accounts
from auth import verify
from book import Book, Replay
from capture import Event
from common import Clock
from engine import Engine
from faults import Faults
from orders import Order
from products import Product
from ratelimit import RateLimiter


@dataclass
class Options:
    subscribe_timeout_s: float = 5.0      # docs: disconnected if no subscribe within 5 seconds
    heartbeat_s: float = 1.0              # docs: heartbeats every second
    channel_idle_s: float = 90.0          # docs: "most channels close within 60-90 seconds if no updates are sent"
    keep_recorded_times: bool = False     # l2_data event_time: the capture's "time" instead of now


@dataclass
class State:
    accounts: Accounts
    products: dict[str, Product]
    replay: Replay
    options: Options
    clock: Clock = field(default_factory=Clock)
    faults: Faults = field(default_factory=Faults)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.clock)
        self.engine = Engine(self.accounts, self.products, self.replay.books, self.clock)
        self.conns: set = set()            # ws.Conn objects of both hosts
        self.closes = {"noSubscribe": 0, "idle": 0}
        self.connections = {"public": 0, "private": 0}
        self.engine.sinks.append(self._user_event)
        self.replay.listeners.append(self._on_event)

    def _on_event(self, event: Event, book: Book) -> None:
        self.engine.on_book_update(book.product.product_id)
        for conn in list(self.conns):
            conn.market(event, book)

    def script(self, product_id: str, bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> Event | None:
        return self.replay.script(product_id, bids, asks, self.clock.now())

    def _user_event(self, account: Account, order: Order) -> None:
        for conn in list(self.conns):
            conn.user(account, order)

    def verify_jwt(self, token: str | None, method: str | None = None, path: str | None = None,
                   hosts: tuple[str, ...] = ()):
        now = self.clock.now() + self.faults.take_jwt_skew()
        return verify(self.accounts, token, now, method, path, hosts)

    async def drop_connections(self, which: str = "all") -> int:
        targets = [c for c in self.conns if which == "all" or (which == "private") == c.private]
        for conn in targets:
            await conn.close()
        return len(targets)
