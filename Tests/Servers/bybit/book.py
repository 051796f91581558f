"""The market: one book per symbol, moved by the capture's own events or by scripts, and the per-depth views
(`orderbook.{depth}.{symbol}`) that turn each change of the book into the v5 messages.

Captured symbols start from their captured snapshot and apply the captured deltas in order; each change carries the
recorded cross sequence as `seq`. Scripted symbols start empty; each script is one change with `seq` = the previous
seq + the number of levels it changes.

Views: for every symbol and depth (1, 50, 200, 500, 1000) the server keeps the top-N levels it last published and
an update id `u`. A change of the book that changes a view's top N is one message on that topic with `u` = previous
`u` + 1: a `delta` with the changed levels (quantity "0" for a level that left the top N), or for depth 1 a
`snapshot` (docs: level 1 is snapshot-only). A change outside a view's top N sends nothing there. A new subscriber
first gets a `snapshot` of the view with the view's current `u`. REST `/v5/market/orderbook` answers the book with
the 500-level view's `u` (docs: "for contract, it is corresponding to u in the wss 500-level orderbook").

Own orders are not shown in the public book. Liquidity own orders took at a level is remembered ("consumed") and is
not matchable again until the market next sets that level.
"""
from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from typing import Callable

from capture import Capture, Event
from common import D, ZERO
from serverkit.levels import Side
from symbols import Spec

DEPTHS = (1, 50, 200, 500, 1000)
REST_DEPTH = 500
FIRST_U = 1_000_000
FIRST_SCRIPTED_SEQ = 5_000_000_000


class Book:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.symbol = spec.symbol
        self.bids = Side(descending=True)
        self.asks = Side(descending=False)
        self.seq = 0
        self.cts = 0                   # engine time of the last change (ms)
        self.consumed: dict[str, dict[Decimal, Decimal]] = {"bids": {}, "asks": {}}

    def side(self, name: str) -> Side:
        return self.bids if name == "bids" else self.asks

    def apply(self, bids: list[tuple[Decimal, Decimal]], asks: list[tuple[Decimal, Decimal]]) -> None:
        for name, rows in (("bids", bids), ("asks", asks)):
            side = self.side(name)
            for price, qty in rows:
                side.set(price, qty)
                self.consumed[name].pop(price, None)

    def available(self, name: str, price: Decimal) -> Decimal:
        qty = self.side(name).levels.get(price, ZERO)
        return max(ZERO, qty - self.consumed[name].get(price, ZERO))

    def consume(self, name: str, price: Decimal, qty: Decimal) -> None:
        self.consumed[name][price] = self.consumed[name].get(price, ZERO) + qty

    def best(self) -> tuple[Decimal | None, Decimal | None]:
        return self.bids.best(), self.asks.best()

    def mid(self) -> Decimal | None:
        bid, ask = self.best()
        if bid is not None and ask is not None:
            return (bid + ask) / 2
        return bid if bid is not None else ask

    def levels_text(self, limit: int) -> tuple[list[list[str]], list[list[str]]]:
        spec = self.spec
        return ([[spec.price_text(p), spec.qty_text(q)] for p, q in self.bids.top(limit)],
                [[spec.price_text(p), spec.qty_text(q)] for p, q in self.asks.top(limit)])


class View:
    """orderbook.{depth}.{symbol}: the top `depth` levels last published and the topic's update id."""

    def __init__(self, book: Book, depth: int) -> None:
        self.book = book
        self.depth = depth
        self.topic = f"orderbook.{depth}.{book.symbol}"
        self.u = FIRST_U
        self.bids: dict[Decimal, Decimal] = {}
        self.asks: dict[Decimal, Decimal] = {}
        self.last_push = time.monotonic()
        self.last_message: dict | None = None
        self.previous_message: dict | None = None

    def _current(self) -> tuple[dict, dict]:
        return dict(self.book.bids.top(self.depth)), dict(self.book.asks.top(self.depth))

    def refresh(self) -> bool:
        """Takes the book's top N; True (and u + 1) when it differs from what was published."""
        bids, asks = self._current()
        if bids == self.bids and asks == self.asks:
            return False
        self._changes = (self._diff(self.bids, bids, True), self._diff(self.asks, asks, False))
        self.bids, self.asks = bids, asks
        self.u += 1
        return True

    @staticmethod
    def _diff(old: dict, new: dict, descending: bool) -> list[tuple[Decimal, Decimal]]:
        changed = [(p, q) for p, q in new.items() if old.get(p) != q]
        changed += [(p, ZERO) for p in old if p not in new]
        return sorted(changed, key=lambda row: row[0], reverse=descending)

    def message(self, kind: str, now_ms: int, cts: int | None = None) -> dict:
        spec = self.book.spec
        if kind == "snapshot":
            bids = sorted(self.bids.items(), reverse=True)
            asks = sorted(self.asks.items())
        else:
            bids, asks = self._changes
        return {"topic": self.topic, "type": kind, "ts": now_ms,
                "data": {"s": self.book.symbol,
                         "b": [[spec.price_text(p), spec.qty_text(q) if q else "0"] for p, q in bids],
                         "a": [[spec.price_text(p), spec.qty_text(q) if q else "0"] for p, q in asks],
                         "u": self.u, "seq": self.book.seq},
                "cts": cts if cts is not None else now_ms}

    def update_message(self, now_ms: int, cts: int | None = None) -> dict:
        """The message of the last refresh: a snapshot for depth 1, else a delta."""
        message = self.message("snapshot" if self.depth == 1 else "delta", now_ms, cts)
        self.previous_message, self.last_message = self.last_message, message
        self.last_push = time.monotonic()
        return message


Listener = Callable[[str], None]   # called with the symbol after each change of its book


class Market:
    """Plays the capture. speed > 0: in real time scaled by speed; speed == 0: only on command (advance)."""

    def __init__(self, capture: Capture, specs: dict[str, Spec], scripted: list[str], speed: float) -> None:
        self.books: dict[str, Book] = {symbol: Book(spec) for symbol, spec in specs.items()}
        self.scripted = set(scripted)
        for symbol, book in self.books.items():
            snapshot = capture.snapshots.get(symbol)
            if snapshot is not None and symbol not in self.scripted:
                book.apply(*self._rows(snapshot))
                book.seq, book.cts = snapshot.seq, snapshot.engine_ms
            else:
                book.seq = FIRST_SCRIPTED_SEQ
        self.views: dict[str, dict[int, View]] = {s: {d: View(b, d) for d in DEPTHS} for s, b in self.books.items()}
        for views in self.views.values():
            for view in views.values():
                view.refresh()
                view.u = FIRST_U
        self.events: list[Event] = [e for e in capture.events if e.symbol not in self.scripted]
        self.position = 0
        self.speed = speed
        self.listeners: list[Listener] = []
        self._task: asyncio.Task | None = None

    @staticmethod
    def _rows(event: Event) -> tuple[list, list]:
        return ([(D(p), D(q)) for p, q in event.bids], [(D(p), D(q)) for p, q in event.asks])

    def _apply(self, event: Event) -> None:
        book = self.books[event.symbol]
        if event.kind == "snapshot":
            book.bids.clear()
            book.asks.clear()
            book.consumed = {"bids": {}, "asks": {}}
        book.apply(*self._rows(event))
        book.seq, book.cts = event.seq, event.engine_ms
        for listener in self.listeners:
            listener(event.symbol)

    def step(self, count: int = 1, symbol: str | None = None) -> int:
        done = 0
        while done < count and self.position < len(self.events):
            event = self.events[self.position]
            self.position += 1
            self._apply(event)
            if symbol is None or event.symbol == symbol:
                done += 1
        return done

    def step_seconds(self, seconds: float) -> int:
        if self.position >= len(self.events):
            return 0
        target = self.events[self.position].ts + seconds
        applied = 0
        while self.position < len(self.events) and self.events[self.position].ts < target:
            self._apply(self.events[self.position])
            self.position += 1
            applied += 1
        return applied

    def script(self, symbol: str, bids: list[tuple[Decimal, Decimal]], asks: list[tuple[Decimal, Decimal]],
               now_ms: int) -> int:
        """The book becomes exactly these levels; returns how many levels changed (0: nothing happened)."""
        book = self.books[symbol]
        changes: dict[str, list[tuple[Decimal, Decimal]]] = {"bids": [], "asks": []}
        for name, rows in (("bids", bids), ("asks", asks)):
            side = book.side(name)
            wanted = {price: qty for price, qty in rows if qty > 0}
            changes[name] += [(price, ZERO) for price in side.levels if price not in wanted]
            changes[name] += [(price, qty) for price, qty in wanted.items() if side.levels.get(price) != qty]
        count = len(changes["bids"]) + len(changes["asks"])
        if count == 0:
            return 0
        book.apply(changes["bids"], changes["asks"])
        book.seq += count
        book.cts = now_ms
        for listener in self.listeners:
            listener(symbol)
        return count

    def state(self) -> dict:
        return {"position": self.position, "events": len(self.events), "speed": self.speed,
                "finished": self.position >= len(self.events), "scripted": sorted(self.scripted),
                "seq": {symbol: book.seq for symbol, book in self.books.items()},
                "u": {symbol: {str(d): v.u for d, v in views.items()} for symbol, views in self.views.items()}}

    def start(self) -> None:
        if self.speed > 0 and self._task is None and self.events:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _run(self) -> None:
        base_ts = self.events[self.position].ts if self.position < len(self.events) else 0
        base_wall = time.monotonic()
        while self.position < len(self.events):
            due = base_wall + (self.events[self.position].ts - base_ts) / self.speed
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            now = time.monotonic()
            while self.position < len(self.events):
                event = self.events[self.position]
                if base_wall + (event.ts - base_ts) / self.speed > now:
                    break
                self.position += 1
                self._apply(event)
