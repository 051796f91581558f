"""The recorded market: one order book per symbol, driven by the recording's own diffs.

The book starts from the recorded REST snapshot (its lastUpdateId) and applies the recorded depth diffs in order, so
the diffs the server sends keep the recording's U/u continuity and a REST snapshot taken at any moment carries the u of
the last diff applied. Binance's documented sync rule therefore works against it.

Own orders are not shown in the public book (the recorded diffs could not stay true if they were). Liquidity taken by
own orders is remembered per price level ("consumed") and is not matchable again until the recording next sets that
level's quantity.
"""
from __future__ import annotations

import asyncio
import bisect
import time
from decimal import Decimal
from typing import Callable

from common import ZERO
from recording import Event, Recording


class Side:
    """One side of a book: price -> quantity, with prices kept sorted ascending."""

    def __init__(self, descending: bool) -> None:
        self.descending = descending
        self.levels: dict[Decimal, Decimal] = {}
        self.prices: list[Decimal] = []

    def set(self, price: Decimal, qty: Decimal) -> None:
        if qty == 0:
            if price in self.levels:
                del self.levels[price]
                index = bisect.bisect_left(self.prices, price)
                del self.prices[index]
            return  # removing an unknown level is normal (web-socket-streams.md)
        if price not in self.levels:
            bisect.insort(self.prices, price)
        self.levels[price] = qty

    def ordered(self) -> list[Decimal]:
        return self.prices[::-1] if self.descending else self.prices

    def best(self) -> Decimal | None:
        if not self.prices:
            return None
        return self.prices[-1] if self.descending else self.prices[0]

    def top(self, limit: int) -> list[tuple[Decimal, Decimal]]:
        if self.descending:
            chosen = self.prices[::-1][:limit]
        else:
            chosen = self.prices[:limit]
        return [(price, self.levels[price]) for price in chosen]


class Book:
    def __init__(self, symbol: str, snapshot: dict) -> None:
        self.symbol = symbol
        self.bids = Side(descending=True)
        self.asks = Side(descending=False)
        for price, qty in snapshot["bids"]:
            self.bids.set(Decimal(price), Decimal(qty))
        for price, qty in snapshot["asks"]:
            self.asks.set(Decimal(price), Decimal(qty))
        self.last_update_id: int = snapshot["lastUpdateId"]
        # liquidity own orders took: side name -> price -> qty, reset when the recording updates the level
        self.consumed: dict[str, dict[Decimal, Decimal]] = {"bids": {}, "asks": {}}
        self.last_book_ticker: dict | None = None
        self.last_trade: dict | None = None

    def apply_diff(self, data: dict) -> None:
        for name, side, entries in (("bids", self.bids, data["b"]), ("asks", self.asks, data["a"])):
            consumed = self.consumed[name]
            for price_text, qty_text in entries:
                price = Decimal(price_text)
                side.set(price, Decimal(qty_text))
                consumed.pop(price, None)
        self.last_update_id = data["u"]

    def side(self, name: str) -> Side:
        return self.bids if name == "bids" else self.asks

    def available(self, name: str, price: Decimal) -> Decimal:
        """Matchable quantity at a level: the recorded quantity less what own orders already took."""
        side = self.side(name)
        qty = side.levels.get(price, ZERO)
        return max(ZERO, qty - self.consumed[name].get(price, ZERO))

    def consume(self, name: str, price: Decimal, qty: Decimal) -> None:
        consumed = self.consumed[name]
        consumed[price] = consumed.get(price, ZERO) + qty

    def stream_view(self, limit: int) -> dict:
        """What a client following both <symbol>@depth and <symbol>@bookTicker holds: the diff-built book, its top
        brought forward by a bookTicker newer than the last diff (on each side the levels at or better than the
        ticker's best give way to it; a zero quantity means the side is empty)."""
        view = self.snapshot(limit)
        ticker = self.last_book_ticker
        if ticker is None or ticker["u"] <= self.last_update_id:
            return view
        for name, side, price_key, qty_key in (("bids", self.bids, "b", "B"), ("asks", self.asks, "a", "A")):
            price, qty = Decimal(ticker[price_key]), Decimal(ticker[qty_key])
            if qty == 0:
                view[name] = []
                continue
            worse = [(p, q) for p, q in side.top(len(side.prices)) if (p < price if name == "bids" else p > price)]
            view[name] = [[format_level(p), format_level(q)] for p, q in [(price, qty)] + worse[:max(0, limit - 1)]]
        view["bookTickerUpdateId"] = ticker["u"]
        return view

    def snapshot(self, limit: int) -> dict:
        return {
            "lastUpdateId": self.last_update_id,
            "bids": [[format_level(p), format_level(q)] for p, q in self.bids.top(limit)],
            "asks": [[format_level(p), format_level(q)] for p, q in self.asks.top(limit)],
        }

    def best_bid_ask(self) -> tuple[tuple[Decimal, Decimal] | None, tuple[Decimal, Decimal] | None]:
        bid = self.bids.top(1)
        ask = self.asks.top(1)
        return (bid[0] if bid else None), (ask[0] if ask else None)

    def mid(self) -> Decimal | None:
        bid, ask = self.best_bid_ask()
        if bid and ask:
            return (bid[0] + ask[0]) / 2
        return (bid or ask or (None,))[0]


def format_level(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.00000001")), "f")


Listener = Callable[[Event, bool], None]


class Replay:
    """Plays the merged recording. speed > 0: in real time scaled by speed; speed == 0: only on command (advance)."""

    def __init__(self, recording: Recording, speed: float, start_offset_s: float) -> None:
        self.recording = recording
        self.books = {symbol: Book(symbol, snap) for symbol, snap in recording.snapshots.items()}
        self.events = recording.events
        self.position = 0
        self.speed = speed
        self.listeners: list[Listener] = []
        if self.events:
            self.t0 = self.events[0].ts_ns
            if start_offset_s > 0:
                target = self.t0 + int(start_offset_s * 1e9)
                while self.position < len(self.events) and self.events[self.position].ts_ns < target:
                    self._apply(self.events[self.position], broadcast=False)
                    self.position += 1
        self._task: asyncio.Task | None = None

    def _apply(self, event: Event, broadcast: bool) -> None:
        book = self.books[event.symbol]
        if event.kind == "depth":
            book.apply_diff(event.data)
        elif event.kind == "bookTicker":
            book.last_book_ticker = event.data
        elif event.kind == "trade":
            book.last_trade = event.data
        for listener in self.listeners:
            listener(event, broadcast)

    def step(self, count: int = 1, kind: str | None = None, symbol: str | None = None) -> int:
        """Apply the next events. With kind/symbol, count only those (others in between are applied too)."""
        done = 0
        while done < count and self.position < len(self.events):
            event = self.events[self.position]
            self.position += 1
            self._apply(event, broadcast=True)
            if (kind is None or event.kind == kind) and (symbol is None or event.symbol == symbol):
                done += 1
        return done

    def step_seconds(self, seconds: float) -> int:
        if self.position >= len(self.events):
            return 0
        target = self.events[self.position].ts_ns + int(seconds * 1e9)
        applied = 0
        while self.position < len(self.events) and self.events[self.position].ts_ns < target:
            self._apply(self.events[self.position], broadcast=True)
            self.position += 1
            applied += 1
        return applied

    def state(self) -> dict:
        return {
            "position": self.position,
            "events": len(self.events),
            "speed": self.speed,
            "finished": self.position >= len(self.events),
            "recordedTimeNs": self.events[min(self.position, len(self.events) - 1)].ts_ns if self.events else None,
            "lastUpdateId": {symbol: book.last_update_id for symbol, book in self.books.items()},
        }

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
        base_ts = self.events[self.position].ts_ns
        base_wall = time.monotonic()
        while self.position < len(self.events):
            event = self.events[self.position]
            due = base_wall + (event.ts_ns - base_ts) / 1e9 / self.speed
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            # everything due by now, in one go
            now = time.monotonic()
            while self.position < len(self.events):
                event = self.events[self.position]
                if base_wall + (event.ts_ns - base_ts) / 1e9 / self.speed > now:
                    break
                self.position += 1
                self._apply(event, broadcast=True)
