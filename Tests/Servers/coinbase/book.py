"""The served market: one full order book per product, driven by the capture's own `l2update`s, served as
Advanced Trade `level2` (`l2_data` snapshot + updates).

An update carries exactly the recorded changes (side bid/offer, price_level, new_quantity; "0" removes), so a client
applying them to the snapshot holds the server's book. Own orders are not in the public book: liquidity own orders
took at a level is remembered ("consumed") and not matchable again until the market next sets that level.

Scripted books (POST /control/script, `Replay.script`): a test replaces a product's book with levels of its own;
from then on the replay leaves that product alone. The change goes out as one update made of the levels whose
quantity changed or that are new, and new_quantity "0" for the ones removed; a script that changes nothing sends
nothing. Levels it changes forget their consumed liquidity, as replayed ones do.
"""
from __future__ import annotations

import asyncio
import bisect
import time
from decimal import Decimal
from typing import Callable

from capture import Capture, Event
from common import ZERO
from products import Product


class Side:
    def __init__(self, descending: bool) -> None:
        self.descending = descending
        self.levels: dict[Decimal, Decimal] = {}
        self.prices: list[Decimal] = []            # ascending

    def set(self, price: Decimal, qty: Decimal) -> None:
        if qty == 0:
            if price in self.levels:
                del self.levels[price]
                del self.prices[bisect.bisect_left(self.prices, price)]
        else:
            if price not in self.levels:
                bisect.insort(self.prices, price)
            self.levels[price] = qty

    def ordered(self) -> list[Decimal]:
        return self.prices[::-1] if self.descending else list(self.prices)

    def best(self) -> Decimal | None:
        if not self.prices:
            return None
        return self.prices[-1] if self.descending else self.prices[0]


class Book:
    def __init__(self, product: Product, snapshot: Event | None) -> None:
        self.product = product
        self.bids = Side(descending=True)
        self.asks = Side(descending=False)
        self.consumed: dict[str, dict[Decimal, Decimal]] = {"bid": {}, "offer": {}}
        if snapshot:
            self.apply(snapshot.changes)

    def side(self, name: str) -> Side:
        return self.bids if name == "bid" else self.asks

    def apply(self, changes: list[tuple[str, str, str]]) -> None:
        for side, price_text, qty_text in changes:
            price = Decimal(price_text)
            self.side(side).set(price, Decimal(qty_text))
            self.consumed[side].pop(price, None)

    def levels(self, side: str, limit: int | None = None) -> list[tuple[Decimal, Decimal]]:
        s = self.side(side)
        prices = s.ordered()
        return [(p, s.levels[p]) for p in (prices if limit is None else prices[:limit])]

    def available(self, side: str, price: Decimal) -> Decimal:
        qty = self.side(side).levels.get(price)
        return ZERO if qty is None else max(ZERO, qty - self.consumed[side].get(price, ZERO))

    def consume(self, side: str, price: Decimal, qty: Decimal) -> None:
        self.consumed[side][price] = self.consumed[side].get(price, ZERO) + qty


Listener = Callable[[Event, Book], None]


class Replay:
    """Plays the capture. speed > 0: in real time scaled by speed; speed == 0: only on command (advance)."""

    def __init__(self, capture: Capture, products: dict[str, Product], speed: float) -> None:
        self.events = capture.events
        self.books = {pid: Book(p, capture.snapshots.get(pid)) for pid, p in products.items()}
        self.position = 0
        self.speed = speed
        self.listeners: list[Listener] = []
        self.scripted: set[str] = set()
        self._task: asyncio.Task | None = None

    def _change(self, book: Book, event: Event) -> None:
        book.apply(event.changes)
        for listener in self.listeners:
            listener(event, book)

    def _apply(self, event: Event) -> None:
        book = self.books[event.product_id]
        if event.product_id not in self.scripted:
            self._change(book, event)

    def script(self, product_id: str, bids: list[tuple[str, str]], asks: list[tuple[str, str]],
               ts: float) -> Event | None:
        """Sets a book to these (price text, qty text) levels, validated by the caller; returns the update it made
        (already applied and sent), or None when nothing changed. The product leaves the replay from now on."""
        self.scripted.add(product_id)
        book = self.books[product_id]
        changes: list[tuple[str, str, str]] = []
        for name, wanted in (("bid", bids), ("offer", asks)):
            side, target = book.side(name), {Decimal(p): (p, q) for p, q in wanted}
            changes += [(name, format(p, "f"), "0") for p in side.ordered() if p not in target]
            changes += [(name, p, q) for price, (p, q) in target.items()
                        if side.levels.get(price) != Decimal(q)]
        if not changes:
            return None
        event = Event(ts, product_id, changes, None)
        self._change(book, event)
        return event

    def step(self, count: int = 1, product_id: str | None = None) -> int:
        """Apply the next updates; with a product, count only its updates (others in between are applied too)."""
        done = 0
        while done < count and self.position < len(self.events):
            event = self.events[self.position]
            self.position += 1
            self._apply(event)
            if product_id is None or event.product_id == product_id:
                done += 1
        return done

    def state(self) -> dict:
        current = self.events[min(self.position, len(self.events) - 1)] if self.events else None
        return {"position": self.position, "events": len(self.events), "speed": self.speed,
                "finished": self.position >= len(self.events), "recordedTime": current.ts if current else None,
                "scripted": sorted(self.scripted)}

    def start(self) -> None:
        if self.speed > 0 and self._task is None:
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
        if self.position >= len(self.events):
            return
        base_ts, base_wall = self.events[self.position].ts, time.monotonic()
        while self.position < len(self.events):
            delay = base_wall + (self.events[self.position].ts - base_ts) / self.speed - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            now = time.monotonic()
            while self.position < len(self.events) and \
                    base_wall + (self.events[self.position].ts - base_ts) / self.speed <= now:
                self.position += 1
                self._apply(self.events[self.position - 1])
