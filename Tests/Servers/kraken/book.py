"""The recorded market: one order book per pair, driven by the capture's own v1 `book-1000` updates, served as v2.

At load every recorded update is applied to a scratch book (all levels of the message, then truncated to the
recorded depth, 1000) and its v1 checksum ("c", over the verbatim strings) is compared with the book's own:
`checksumsVerified` / `checksumMismatches` in /control/replay (4269 / 0 for this capture). Every price and volume is
also checked to fit the pair's pair_decimals / lot_decimals (`precisionMismatches`), so the v2 rendering is exact.

v2 checksum: top 10 asks (ascending) then top 10 bids (descending); price with price_precision decimals, qty with
qty_precision decimals, '.' removed, leading zeros stripped, concatenated, CRC32 unsigned (docs "Book checksum v2").

A v2 subscription at depth D sees the top D levels. An update sends, for each D in use, the levels whose quantity in
the top D changed, the levels that came into the top D (a level inside it was deleted), and `qty: 0` for levels that
left the book. Levels pushed out of the top D by an insert are not sent: the client truncates (docs: "you won't
receive qty 0 for price levels that fall out of scope").

Own orders are not in the public book. Liquidity own orders took at a level is remembered ("consumed") and is not
matchable again until the capture next sets that level.
"""
from __future__ import annotations

import asyncio
import bisect
import time
import zlib
from decimal import Decimal
from typing import Callable

from capture import Capture, Event
from common import ZERO
from instruments import Pair

CHECKSUM_LEVELS = 10
DEPTHS = (10, 25, 100, 500, 1000)


class Side:
    def __init__(self, descending: bool) -> None:
        self.descending = descending
        self.levels: dict[Decimal, tuple[str, str, Decimal]] = {}    # price -> (price text, qty text, qty)
        self.prices: list[Decimal] = []                               # ascending

    def set(self, price_text: str, qty_text: str) -> Decimal:
        price, qty = Decimal(price_text), Decimal(qty_text)
        if qty == 0:
            if price in self.levels:
                del self.levels[price]
                del self.prices[bisect.bisect_left(self.prices, price)]
        else:
            if price not in self.levels:
                bisect.insort(self.prices, price)
            self.levels[price] = (price_text, qty_text, qty)
        return price

    def ordered(self) -> list[Decimal]:
        return self.prices[::-1] if self.descending else self.prices

    def top(self, limit: int) -> list[Decimal]:
        return self.prices[::-1][:limit] if self.descending else self.prices[:limit]

    def truncate(self, depth: int) -> None:
        for price in (self.prices[:-depth] if self.descending else self.prices[depth:]):
            del self.levels[price]
        self.prices = self.prices[-depth:] if self.descending else self.prices[:depth]

    def view(self, limit: int) -> dict[Decimal, Decimal]:
        return {price: self.levels[price][2] for price in self.top(limit)}


def _token(text: str) -> str:
    return text.replace(".", "").lstrip("0")


def checksum_v1(asks: list[tuple[str, str]], bids: list[tuple[str, str]]) -> int:
    text = "".join(_token(p) + _token(q) for p, q in asks[:CHECKSUM_LEVELS] + bids[:CHECKSUM_LEVELS])
    return zlib.crc32(text.encode()) & 0xFFFFFFFF


def checksum_text(asks: list[tuple[Decimal, Decimal]], bids: list[tuple[Decimal, Decimal]], price_places: int,
                  qty_places: int) -> str:
    def render(value: Decimal, places: int) -> str:
        return _token(format(value, f".{places}f"))
    return "".join(render(p, price_places) + render(q, qty_places)
                   for p, q in asks[:CHECKSUM_LEVELS] + bids[:CHECKSUM_LEVELS])


class Book:
    def __init__(self, pair: Pair, snapshot: Event | None, depth: int) -> None:
        self.pair = pair
        self.depth = depth
        self.bids = Side(descending=True)
        self.asks = Side(descending=False)
        self.ts = snapshot.ts if snapshot else 0.0
        self.consumed: dict[str, dict[Decimal, Decimal]] = {"bids": {}, "asks": {}}
        if snapshot:
            self.apply(snapshot)

    def side(self, name: str) -> Side:
        return self.bids if name in ("bids", "b") else self.asks

    def apply(self, event: Event) -> None:
        for side_code, price_text, qty_text in event.levels:
            name = "bids" if side_code == "b" else "asks"
            price = self.side(name).set(price_text, qty_text)
            self.consumed[name].pop(price, None)
        self.bids.truncate(self.depth)
        self.asks.truncate(self.depth)
        self.ts = event.ts

    def levels(self, name: str, limit: int) -> list[tuple[Decimal, Decimal]]:
        side = self.side(name)
        return [(price, side.levels[price][2]) for price in side.top(limit)]

    def checksum_v1(self) -> int:
        return checksum_v1([self.asks.levels[p][:2] for p in self.asks.top(CHECKSUM_LEVELS)],
                           [self.bids.levels[p][:2] for p in self.bids.top(CHECKSUM_LEVELS)])

    def checksum_string(self) -> str:
        return checksum_text(self.levels("asks", CHECKSUM_LEVELS), self.levels("bids", CHECKSUM_LEVELS),
                             self.pair.price_decimals, self.pair.lot_decimals)

    def checksum(self) -> int:
        return zlib.crc32(self.checksum_string().encode()) & 0xFFFFFFFF

    def available(self, name: str, price: Decimal) -> Decimal:
        level = self.side(name).levels.get(price)
        if level is None:
            return ZERO
        return max(ZERO, level[2] - self.consumed[name].get(price, ZERO))

    def consume(self, name: str, price: Decimal, qty: Decimal) -> None:
        self.consumed[name][price] = self.consumed[name].get(price, ZERO) + qty


Diff = dict[str, list[tuple[Decimal, Decimal]]]          # {"bids": [(price, qty)], "asks": [...]}
Listener = Callable[[Event, Book, dict[int, Diff]], None]


def diff_views(before: dict[Decimal, Decimal], after: dict[Decimal, Decimal], side: Side) -> list:
    changed = [(p, q) for p, q in after.items() if before.get(p) != q]
    gone = [(p, ZERO) for p in before if p not in after and p not in side.levels]
    return gone + changed


class Replay:
    """Plays the capture. speed > 0: in real time scaled by speed; speed == 0: only on command (advance)."""

    def __init__(self, capture: Capture, pairs: list[Pair], speed: float) -> None:
        self.capture = capture
        self.events = capture.events
        self.pairs = {p.wsname: p for p in pairs}
        self.verified = self.mismatches = self.precision_mismatches = 0
        self._verify()
        self.books = {p.symbol: Book(p, capture.snapshots.get(p.wsname), capture.depth) for p in pairs}
        self.position = 0
        self.speed = speed
        self.listeners: list[Listener] = []
        self.depths_in_use: Callable[[str], set[int]] = lambda symbol: set()
        self._task: asyncio.Task | None = None

    def _verify(self) -> None:
        scratch = {ws: Book(self.pairs[ws], snap, self.capture.depth) for ws, snap in self.capture.snapshots.items()}
        for event in list(self.capture.snapshots.values()) + self.events:
            pair = self.pairs[event.wsname]
            for _, price, qty in event.levels:
                if Decimal(price) != round(Decimal(price), pair.price_decimals) or \
                        Decimal(qty) != round(Decimal(qty), pair.lot_decimals):
                    self.precision_mismatches += 1
        for event in self.events:
            book = scratch[event.wsname]
            book.apply(event)
            if event.checksum is not None:
                if book.checksum_v1() == event.checksum:
                    self.verified += 1
                else:
                    self.mismatches += 1

    def _apply(self, event: Event) -> None:
        book = self.books[self.pairs[event.wsname].symbol]
        depths = self.depths_in_use(book.pair.symbol)
        before = {d: (book.bids.view(d), book.asks.view(d)) for d in depths}
        book.apply(event)
        diffs = {d: {"bids": diff_views(b, book.bids.view(d), book.bids),
                     "asks": diff_views(a, book.asks.view(d), book.asks)} for d, (b, a) in before.items()}
        for listener in self.listeners:
            listener(event, book, diffs)

    def step(self, count: int = 1, symbol: str | None = None) -> int:
        """Apply the next updates; with a symbol, count only that pair's (others in between are applied too)."""
        done = 0
        while done < count and self.position < len(self.events):
            event = self.events[self.position]
            self.position += 1
            self._apply(event)
            if symbol is None or self.pairs[event.wsname].symbol == symbol:
                done += 1
        return done

    def state(self) -> dict:
        current = self.events[min(self.position, len(self.events) - 1)] if self.events else None
        return {"position": self.position, "events": len(self.events), "speed": self.speed,
                "finished": self.position >= len(self.events), "recordedTime": current.ts if current else None,
                "checksumsVerified": self.verified, "checksumMismatches": self.mismatches,
                "precisionMismatches": self.precision_mismatches}

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
