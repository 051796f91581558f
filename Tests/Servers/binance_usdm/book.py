"""The market: one book per symbol, moved by the capture's own depth events or by scripts.

Captured symbols start from the captured REST snapshot (its lastUpdateId) and apply the captured depthUpdate events
in order, so every event served keeps the capture's U/u/pu, and a REST snapshot at any moment carries the `u` of the
last event applied. Scripted symbols start empty; each script becomes one depthUpdate (U = previous u + 1, u = U +
changed levels - 1, pu = previous u).

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


class Book:
    def __init__(self, spec: Spec, snapshot: dict | None) -> None:
        self.spec = spec
        self.symbol = spec.symbol
        self.bids = Side(descending=True)
        self.asks = Side(descending=False)
        self.last_update_id = 0
        self.last_event: dict | None = None       # the depthUpdate whose u is last_update_id (None: the snapshot's)
        self.last_book_ticker: dict | None = None
        self.consumed: dict[str, dict[Decimal, Decimal]] = {"bids": {}, "asks": {}}
        if snapshot:
            for price, qty in snapshot["bids"]:
                self.bids.set(D(price), D(qty))
            for price, qty in snapshot["asks"]:
                self.asks.set(D(price), D(qty))
            self.last_update_id = snapshot["lastUpdateId"]

    def apply(self, data: dict) -> None:
        for name, side, entries in (("bids", self.bids, data["b"]), ("asks", self.asks, data["a"])):
            for price_text, qty_text in entries:
                price = D(price_text)
                side.set(price, D(qty_text))
                self.consumed[name].pop(price, None)
        self.last_update_id = data["u"]
        self.last_event = data

    def side(self, name: str) -> Side:
        return self.bids if name == "bids" else self.asks

    def available(self, name: str, price: Decimal) -> Decimal:
        qty = self.side(name).levels.get(price, ZERO)
        return max(ZERO, qty - self.consumed[name].get(price, ZERO))

    def consume(self, name: str, price: Decimal, qty: Decimal) -> None:
        self.consumed[name][price] = self.consumed[name].get(price, ZERO) + qty

    def best(self) -> tuple[Decimal | None, Decimal | None]:
        bid, ask = self.bids.top(1), self.asks.top(1)
        return (bid[0][0] if bid else None), (ask[0][0] if ask else None)

    def mid(self) -> Decimal | None:
        bid, ask = self.best()
        if bid is not None and ask is not None:
            return (bid + ask) / 2
        return bid if bid is not None else ask

    def snapshot(self, limit: int, now_ms: int) -> dict:
        return {"lastUpdateId": self.last_update_id, "E": now_ms, "T": now_ms,
                "bids": [[self.spec.price_text(p), self.spec.qty_text(q)] for p, q in self.bids.top(limit)],
                "asks": [[self.spec.price_text(p), self.spec.qty_text(q)] for p, q in self.asks.top(limit)]}


Listener = Callable[[str, str, dict, bool], None]   # (symbol, kind, data, broadcast)


class Market:
    """Plays the capture. speed > 0: in real time scaled by speed; speed == 0: only on command (advance)."""

    def __init__(self, capture: Capture, specs: dict[str, Spec], scripted: list[str], speed: float,
                 first_update_id: int = 1_000_000) -> None:
        self.books: dict[str, Book] = {}
        for symbol, spec in specs.items():
            self.books[symbol] = Book(spec, capture.snapshots.get(symbol) if symbol not in scripted else None)
        self.scripted = set(scripted)
        for symbol in self.scripted:
            self.books[symbol].last_update_id = first_update_id
        self.events: list[Event] = [e for e in capture.events if e.symbol not in self.scripted]
        self.position = 0
        self.speed = speed
        self.listeners: list[Listener] = []
        self._task: asyncio.Task | None = None

    def _apply(self, event: Event, broadcast: bool = True) -> None:
        book = self.books[event.symbol]
        if event.kind == "depth":
            book.apply(event.data)
        else:
            book.last_book_ticker = event.data
        for listener in self.listeners:
            listener(event.symbol, event.kind, event.data, broadcast)

    def step(self, count: int = 1, kind: str | None = None, symbol: str | None = None) -> int:
        done = 0
        while done < count and self.position < len(self.events):
            event = self.events[self.position]
            self.position += 1
            self._apply(event)
            if (kind is None or event.kind == kind) and (symbol is None or event.symbol == symbol):
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
               now_ms: int) -> dict | None:
        """The book becomes exactly these levels; returns the depthUpdate that says so (None if nothing changed)."""
        book = self.books[symbol]
        changes: dict[str, list[list[str]]] = {"b": [], "a": []}
        for key, side, rows in (("b", book.bids, bids), ("a", book.asks, asks)):
            wanted = {price: qty for price, qty in rows if qty > 0}
            for price in list(side.levels):
                if price not in wanted:
                    changes[key].append([book.spec.price_text(price), book.spec.qty_text(ZERO)])
            for price, qty in sorted(wanted.items(), reverse=(key == "b")):
                if side.levels.get(price) != qty:
                    changes[key].append([book.spec.price_text(price), book.spec.qty_text(qty)])
        count = len(changes["b"]) + len(changes["a"])
        if count == 0:
            return None
        previous = book.last_update_id
        data = {"e": "depthUpdate", "E": now_ms, "T": now_ms, "s": symbol, "U": previous + 1,
                "u": previous + count, "pu": previous, "b": changes["b"], "a": changes["a"]}
        self._apply(Event(time.time(), symbol, "depth", data))
        return data

    def state(self) -> dict:
        return {"position": self.position, "events": len(self.events), "speed": self.speed,
                "finished": self.position >= len(self.events), "scripted": sorted(self.scripted),
                "lastUpdateId": {symbol: book.last_update_id for symbol, book in self.books.items()}}

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
