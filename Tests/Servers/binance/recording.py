"""Reads the recorded Binance spot streams from ../shared/data at run time (never copied into the repo).

Format (shared/data/SOURCES.md): gzip text, one message per line, `<local_recv_ns> <raw JSON>`; combined-stream
envelopes `{"stream": "<sym>@<kind>", "data": {...}}` for depth@100ms, bookTicker and trade, plus one bare REST depth
snapshot `{"lastUpdateId", "bids", "asks"}` per symbol in the first (20240808) file.
"""
from __future__ import annotations

import gzip
try:
    import orjson as _json
except ImportError:  # pragma: no cover
    import json as _json
import os
from dataclasses import dataclass, field
from pathlib import Path

RECORDING_DIR = "data/binance_spot_btcusdt_ethusdt_20240808_09"
DAYS = ("20240808", "20240809")


def shared_root(repo_root: Path) -> Path:
    """DEXTER_SHARED if set, else ../shared beside the repository."""
    env = os.environ.get("DEXTER_SHARED")
    return Path(env) if env else (repo_root / ".." / "shared").resolve()


@dataclass
class Event:
    ts_ns: int          # the recorder's receive time (monotonic per file)
    symbol: str         # upper case, "BTCUSDT"
    kind: str           # "depth", "bookTicker" or "trade"
    data: dict          # the raw payload as recorded


@dataclass
class Recording:
    snapshots: dict[str, dict] = field(default_factory=dict)   # symbol -> {"lastUpdateId", "bids", "asks"}
    snapshot_ts: dict[str, int] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)          # both symbols, merged by ts_ns, after each snapshot


KINDS = {"depth@100ms": "depth", "bookTicker": "bookTicker", "trade": "trade"}


def _read_symbol(directory: Path, symbol: str) -> tuple[dict, int, list[Event]]:
    snapshot: dict | None = None
    snapshot_ts = 0
    events: list[Event] = []
    for day in DAYS:
        path = directory / f"{symbol.lower()}_{day}.gz"
        with gzip.open(path, "rt") as handle:
            for line in handle:
                stamp, _, raw = line.partition(" ")
                message = _json.loads(raw)
                ts = int(stamp)
                if "stream" not in message:
                    snapshot, snapshot_ts = message, ts
                    continue
                if snapshot is None:
                    continue  # before the snapshot: the book cannot be known there
                kind = KINDS.get(message["stream"].split("@", 1)[1])
                if kind is None:
                    continue
                data = message["data"]
                if kind == "depth" and data["u"] <= snapshot["lastUpdateId"]:
                    continue  # Binance's rule: drop diffs with u <= lastUpdateId
                events.append(Event(ts, symbol, kind, data))
    if snapshot is None:
        raise RuntimeError(f"no depth snapshot found for {symbol} in {directory}")
    return snapshot, snapshot_ts, events


def load(directory: Path, symbols: tuple[str, ...] = ("BTCUSDT", "ETHUSDT")) -> Recording:
    recording = Recording()
    merged: list[Event] = []
    for symbol in symbols:
        snapshot, ts, events = _read_symbol(directory, symbol)
        recording.snapshots[symbol] = snapshot
        recording.snapshot_ts[symbol] = ts
        merged.extend(events)
    merged.sort(key=lambda event: event.ts_ns)  # stable: each symbol keeps its own order
    recording.events = merged
    return recording
