"""Reads the real Coinbase Pro capture in <shared>/vectors/exchanges/wire/coinbase/cryptofeed at run time (never
copied into the repository).

COINBASE.ws.28.0.head: the legacy Pro feed (wss://ws-feed.pro.coinbase.com, shut down 2023-12-01), 2021-04-17, one
line per frame: `<recv_ts>: <json>` received, `<url> <- <ts>: <json>` sent, `<url> <-> <ts>` the connect. Read here:
`{"type": "snapshot", "product_id", "bids": [[price, size]], "asks": [...]}` (10 products) and `{"type": "l2update",
"product_id", "changes": [["buy" | "sell", price, size]], "time"}` (243 updates, size "0..." removes); ticker /
match / subscriptions frames are skipped. Served as Advanced Trade `l2_data` (book.py).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

CAPTURE_DIR = "vectors/exchanges/wire/coinbase/cryptofeed"
BOOK_FILE = "COINBASE.ws.28.0.head"


def shared_root(repo_root: Path) -> Path:
    env = os.environ.get("DEXTER_SHARED")
    return Path(env) if env else (repo_root / ".." / "shared").resolve()


@dataclass
class Event:
    ts: float                                   # the recorder's receive time
    product_id: str
    changes: list[tuple[str, str, str]]         # (side "bid"/"offer", price text, size text) in message order
    time: str | None = None                     # the recorded message's "time" (Pro's event time)


@dataclass
class Capture:
    snapshots: dict[str, Event] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)


def _frames(path: Path):
    with open(path, "rb") as handle:
        for raw in handle:
            line = raw.decode("utf-8").rstrip("\n")
            if not line or " <- " in line or " <-> " in line:
                continue
            stamp, _, payload = line.partition(": ")
            try:
                yield float(stamp), json.loads(payload)
            except ValueError:
                continue


def load(directory: Path) -> Capture:
    capture = Capture()
    for ts, frame in _frames(directory / BOOK_FILE):
        if not isinstance(frame, dict):
            continue
        kind, product = frame.get("type"), frame.get("product_id")
        if kind == "snapshot":
            changes = [("bid", p, q) for p, q in frame.get("bids", [])] + \
                      [("offer", p, q) for p, q in frame.get("asks", [])]
            capture.snapshots[product] = Event(ts, product, changes, None)
        elif kind == "l2update" and product in capture.snapshots:
            changes = [("bid" if side == "buy" else "offer", p, q) for side, p, q in frame.get("changes", [])]
            capture.events.append(Event(ts, product, changes, frame.get("time")))
    return capture
