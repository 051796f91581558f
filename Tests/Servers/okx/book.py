"""The recorded market: one order book per instrument, driven by the capture's own `books` updates.

Levels keep their wire strings ([px, sz, "0", numOrders]) because OKX's checksum is computed over the strings as
sent (docs-v5 "WS / Order book channel", Checksum). At load every recorded update is applied to a scratch book and
its recorded checksum is compared with the book's own (`checksumMismatches` in /control/replay; 0 for this capture).
The updates then go out with their recorded checksum; a snapshot taken mid-replay carries the book's computed one.

Sequence ids: the capture predates seqId/prevSeqId, so they are made here, deterministically: a book's snapshot
seqId is its recorded `ts` in seconds, and each update's seqId is the previous one plus the number of levels it
changes (so consecutive ids jump by more than 1, as live ones do). prevSeqId of an update = seqId of the one before.

Own orders are not in the public book (the recorded updates and checksums could not stay true if they were).
Liquidity own orders took at a level is remembered ("consumed") and is not matchable again until the capture next
sets that level.

Scripted books (POST /control/script, `Replay.script`): a test replaces an instrument's book with levels of its own.
From then on the replay skips that instrument's events (books, trades, tickers). The change goes out as one `books`
update like a recorded one: the levels whose size or order count changed or that are new, `[px, "0", "0", "0"]` for
the ones removed, the book's own checksum, seqId = prevSeqId + levels changed (a pending seq_reset fault applies).
A script that changes nothing sends nothing. Levels it changes forget their consumed liquidity, as replayed ones do.
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

CHECKSUM_DEPTH = 25


class Side:
    def __init__(self, descending: bool) -> None:
        self.descending = descending
        self.levels: dict[Decimal, list[str]] = {}     # price -> [px, sz, "0", numOrders] as on the wire
        self.prices: list[Decimal] = []                 # ascending

    def apply(self, level: list[str]) -> Decimal:
        price = Decimal(level[0])
        if Decimal(level[1]) == 0:
            if price in self.levels:
                del self.levels[price]
                del self.prices[bisect.bisect_left(self.prices, price)]
        else:
            if price not in self.levels:
                bisect.insort(self.prices, price)
            self.levels[price] = [str(item) for item in level]
        return price

    def ordered(self) -> list[Decimal]:
        return self.prices[::-1] if self.descending else self.prices

    def top(self, limit: int) -> list[list[str]]:
        chosen = self.prices[::-1][:limit] if self.descending else self.prices[:limit]
        return [list(self.levels[price]) for price in chosen]


def checksum(bids: list[list[str]], asks: list[list[str]]) -> int:
    """OKX's book checksum: best 25 bids and asks interleaved as px:sz, joined by ':', CRC32 as signed int32."""
    parts = []
    for index in range(CHECKSUM_DEPTH):
        if index < len(bids):
            parts.append(f"{bids[index][0]}:{bids[index][1]}")
        if index < len(asks):
            parts.append(f"{asks[index][0]}:{asks[index][1]}")
    value = zlib.crc32(":".join(parts).encode()) & 0xFFFFFFFF
    return value - 0x100000000 if value >= 0x80000000 else value


class Book:
    def __init__(self, inst_id: str, snapshot: dict | None) -> None:
        self.inst_id = inst_id
        self.bids = Side(descending=True)
        self.asks = Side(descending=False)
        self.ts = int(snapshot["ts"]) if snapshot else 0
        self.seq_id = self.ts // 1000 if snapshot else 1000
        self.consumed: dict[str, dict[Decimal, Decimal]] = {"bids": {}, "asks": {}}
        if snapshot:
            self.apply(snapshot)

    def apply(self, data: dict) -> int:
        """Applies a snapshot's or update's levels; returns how many levels it touched."""
        touched = 0
        for name in ("bids", "asks"):
            side = self.side(name)
            for level in data.get(name, []):
                price = side.apply(level)
                self.consumed[name].pop(price, None)
                touched += 1
        if data.get("ts"):
            self.ts = int(data["ts"])
        return touched

    def side(self, name: str) -> Side:
        return self.bids if name == "bids" else self.asks

    def checksum(self) -> int:
        return checksum(self.bids.top(CHECKSUM_DEPTH), self.asks.top(CHECKSUM_DEPTH))

    def available(self, name: str, price: Decimal) -> Decimal:
        level = self.side(name).levels.get(price)
        if level is None:
            return ZERO
        return max(ZERO, Decimal(level[1]) - self.consumed[name].get(price, ZERO))

    def consume(self, name: str, price: Decimal, qty: Decimal) -> None:
        self.consumed[name][price] = self.consumed[name].get(price, ZERO) + qty

    def best(self) -> tuple[list[str] | None, list[str] | None]:
        bid, ask = self.bids.top(1), self.asks.top(1)
        return (bid[0] if bid else None), (ask[0] if ask else None)

    def mid(self) -> Decimal | None:
        bid, ask = self.best()
        if bid and ask:
            return (Decimal(bid[0]) + Decimal(ask[0])) / 2
        level = bid or ask
        return Decimal(level[0]) if level else None


Listener = Callable[[Event, bool], None]


class Replay:
    """Plays the capture. speed > 0: in real time scaled by speed; speed == 0: only on command (advance)."""

    def __init__(self, capture: Capture, inst_ids: list[str], speed: float, start_offset_s: float) -> None:
        self.capture = capture
        self.events = capture.events
        self.inst_ids = inst_ids
        self.checksum_mismatches = self._number_and_verify()
        self.books = {inst: Book(inst, capture.snapshots.get(inst)) for inst in inst_ids}
        self.position = 0
        self.speed = speed
        self.listeners: list[Listener] = []
        self.pending_resets: dict[str, int] = {}     # instId -> seqId the next update restarts at (fault)
        self.scripted: set[str] = set()              # instIds whose book a test sets (the replay leaves them alone)
        self.seq_offset: dict[str, int] = {inst: 0 for inst in inst_ids}
        self._task: asyncio.Task | None = None
        if self.events and start_offset_s > 0:
            target = self.events[0].ts + start_offset_s
            while self.position < len(self.events) and self.events[self.position].ts < target:
                self._apply(self.events[self.position], broadcast=False)
                self.position += 1

    def _number_and_verify(self) -> int:
        """Gives every books update its seqId/prevSeqId and checks its recorded checksum against a scratch book."""
        scratch = {inst: Book(inst, snap) for inst, snap in self.capture.snapshots.items()}
        mismatches = 0
        for event in self.events:
            if event.channel != "books":
                continue
            book = scratch[event.inst_id]
            touched = book.apply(event.data)
            event.prev_seq_id, event.seq_id = book.seq_id, book.seq_id + max(1, touched)
            book.seq_id = event.seq_id
            if "checksum" in event.data and book.checksum() != event.data["checksum"]:
                mismatches += 1
        return mismatches

    def _apply(self, event: Event, broadcast: bool) -> None:
        if event.inst_id in self.scripted:
            return
        if event.channel == "books":
            book = self.books[event.inst_id]
            book.apply(event.data)
            offset = self.seq_offset[event.inst_id]
            event.out_prev_seq_id = event.prev_seq_id - offset
            if event.inst_id in self.pending_resets:   # maintenance: the sequence restarts lower (docs exception 2)
                offset = event.seq_id - self.pending_resets.pop(event.inst_id)
                self.seq_offset[event.inst_id] = offset
            event.out_seq_id = event.seq_id - offset
            book.seq_id = event.out_seq_id
        for listener in self.listeners:
            listener(event, broadcast)

    def script(self, inst_id: str, bids: list[list[str]], asks: list[list[str]], ts_ms: int) -> Event | None:
        """Sets a book to these levels (wire form, validated by the caller); returns the `books` update it makes,
        already applied, or None when nothing changed. The instrument is left out of the replay from now on."""
        self.scripted.add(inst_id)
        book = self.books[inst_id]
        changes: dict[str, list[list[str]]] = {}
        for name, wanted in (("bids", bids), ("asks", asks)):
            side, target = book.side(name), {Decimal(level[0]): level for level in wanted}
            removed = [[side.levels[p][0], "0", "0", "0"] for p in side.prices if p not in target]
            changed = [level for p, level in target.items() if side.levels.get(p) != level]
            rows = removed + changed
            rows.sort(key=lambda level: Decimal(level[0]), reverse=name == "bids")
            changes[name] = rows
        if not changes["bids"] and not changes["asks"]:
            return None
        touched = book.apply({**changes, "ts": str(ts_ms)})
        prev_seq_id = book.seq_id
        seq_id = prev_seq_id + max(1, touched)
        if inst_id in self.pending_resets:          # the seq_reset fault applies to a scripted update too
            seq_id = self.pending_resets.pop(inst_id)
        book.seq_id = seq_id
        data = {"asks": changes["asks"], "bids": changes["bids"], "ts": str(ts_ms), "checksum": book.checksum()}
        return Event(ts=time.time(), inst_id=inst_id, channel="books", data=data, seq_id=seq_id,
                     prev_seq_id=prev_seq_id, out_seq_id=seq_id, out_prev_seq_id=prev_seq_id)

    def step(self, count: int = 1, channel: str | None = None, inst_id: str | None = None) -> int:
        """Apply the next events. With channel/instId, count only those (others in between are applied too)."""
        done = 0
        while done < count and self.position < len(self.events):
            event = self.events[self.position]
            self.position += 1
            self._apply(event, broadcast=True)
            if (channel is None or event.channel == channel) and (inst_id is None or event.inst_id == inst_id):
                done += 1
        return done

    def step_seconds(self, seconds: float) -> int:
        if self.position >= len(self.events):
            return 0
        target = self.events[self.position].ts + seconds
        applied = 0
        while self.position < len(self.events) and self.events[self.position].ts < target:
            self._apply(self.events[self.position], broadcast=True)
            self.position += 1
            applied += 1
        return applied

    def state(self) -> dict:
        current = self.events[min(self.position, len(self.events) - 1)] if self.events else None
        return {"position": self.position, "events": len(self.events), "speed": self.speed,
                "finished": self.position >= len(self.events),
                "recordedTime": current.ts if current else None,
                "seqId": {inst: book.seq_id for inst, book in self.books.items()},
                "checksumMismatches": self.checksum_mismatches, "scripted": sorted(self.scripted)}

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
                self._apply(event, broadcast=True)
