"""The server's shared state: one object the REST, WebSocket and control apps work on, and the fan-out of every
change of a book (resting orders, orderbook topics with their faults, tickers)."""
from __future__ import annotations

import time
from dataclasses import dataclass

from accounts import Account, Accounts
from book import Market
from common import Clock, dumps
from engine import Engine
from faults import Faults
from ratelimit import Limits, RateLimiter
from symbols import Spec
from tickers import Tickers


@dataclass
class Options:
    keep_recorded_times: bool = False   # False: cts = send time; True: cts = the capture's engine time
    level1_repeat_s: float = 3.0        # docs: level 1 re-sends its snapshot after 3 s without a change
    idle_timeout_s: float = 600.0       # docs: no ping-pong and no data for 10 minutes cuts the connection


class State:
    def __init__(self, accounts: Accounts, market: Market, specs: dict[str, Spec], limits: Limits,
                 options: Options) -> None:
        self.clock = Clock()
        self.capture = None                 # the loaded capture (server.build_state sets it; /control/replay reads it)
        self.accounts = accounts
        self.market = market
        self.specs = specs
        self.options = options
        self.limiter = RateLimiter(self.clock, limits)
        self.faults = Faults()
        self.engine = Engine(accounts, market.books, specs, self.clock)
        self.tickers = Tickers(self.engine, market.books, specs)
        for symbol in specs:
            self.tickers.snapshot(symbol)
        self.public_conns: set = set()
        self.private_conns: set = set()
        self.engine.sinks.append(self._private_push)
        self.engine.ticker_sinks.append(self.ticker_changed)
        market.listeners.append(self._on_book)

    # ---------------- public fan-out ----------------
    def cts(self, symbol: str) -> int | None:
        return self.market.books[symbol].cts if self.options.keep_recorded_times else None

    def _on_book(self, symbol: str) -> None:
        self.engine.on_book_update(symbol)
        skipped = self.faults.take_skip(symbol)
        duplicate = self.faults.take_duplicate(symbol)
        stale = self.faults.take_stale(symbol)
        now = self.clock.ms()
        for view in self.market.views[symbol].values():
            if not view.refresh():
                continue
            message = view.update_message(now, self.cts(symbol))
            if skipped:
                continue      # applied, u moved on, never sent: the next message's u jumps
            self.send_public(view.topic, message)
            if duplicate:
                self.send_public(view.topic, message)
            if stale and view.previous_message is not None:
                self.send_public(view.topic, view.previous_message)
        self.ticker_changed(symbol)

    def ticker_changed(self, symbol: str) -> None:
        delta = self.tickers.delta(symbol)
        if delta:
            self.send_public(f"tickers.{symbol}", {"topic": f"tickers.{symbol}", "type": "delta", "data": delta,
                                                    "cs": self.market.books[symbol].seq, "ts": self.clock.ms()})

    def send_public(self, topic: str, message: dict) -> None:
        text = dumps(message)
        for conn in list(self.public_conns):
            if topic in conn.topics:
                conn.send(text)

    def snapshot_all(self, symbol: str | None, reset_u: bool) -> int:
        """A snapshot on every orderbook topic of the symbol(s); reset_u: after u restarts at 1 (a service restart)."""
        sent = 0
        now = self.clock.ms()
        for sym in ([symbol] if symbol else list(self.market.views)):
            for view in self.market.views[sym].values():
                if reset_u:
                    view.u = 1
                message = view.message("snapshot", now, self.cts(sym))
                view.previous_message, view.last_message = view.last_message, message
                view.last_push = time.monotonic()
                self.send_public(view.topic, message)
                sent += 1
        return sent

    def repeat_level1(self) -> None:
        """docs: level 1 re-sends its snapshot, with the same u, after 3 s without a change."""
        now = time.monotonic()
        for views in self.market.views.values():
            view = views[1]
            if now - view.last_push >= self.options.level1_repeat_s:
                view.last_push = now
                self.send_public(view.topic, view.message("snapshot", self.clock.ms(), self.cts(view.book.symbol)))

    # ---------------- private fan-out ----------------
    def _private_push(self, account: Account, topic: str, rows: list) -> None:
        for conn in list(self.private_conns):
            conn.push(account, topic, rows)

    async def drop_connections(self, which: str = "all") -> int:
        targets = [c for c in list(self.public_conns | self.private_conns) if which == "all" or c.kind == which]
        for conn in targets:
            await conn.close()
        return len(targets)
