"""Reads the real Kraken capture in <shared>/vectors/exchanges/wire/kraken/cryptofeed at run time (never copied).

KRAKEN.ws.50.0: WebSocket **v1** `book` at depth 1000 for 10 pairs, 2021-04-17, about 31 s. One line per frame:
`<recv_ts>: <json>` received, `<url> <- <ts>: <json>` sent, `<url> <-> <ts>` the connect; only received ones are
read. Snapshots `[chan, {"as": [[p, v, ts]], "bs": [...]}, "book-1000", "XBT/CHF"]`; updates `[chan, {"a": [...]},
{"b": [...], "c": "checksum"}, "book-1000", pair]` (levels may carry a 4th element "r", republished; a message may
end with "r"). KRAKEN.0: `<url> -> <ts>: <AssetPairs answer>` (all 304 pairs as captured), restricted to the 10.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

CAPTURE_DIR = "vectors/exchanges/wire/kraken/cryptofeed"
BOOK_FILE = "KRAKEN.ws.50.0"
PAIRS_FILE = "KRAKEN.0"


def shared_root(repo_root: Path) -> Path:
    env = os.environ.get("DEXTER_SHARED")
    return Path(env) if env else (repo_root / ".." / "shared").resolve()


@dataclass
class Event:
    ts: float                                  # the recorder's receive time
    wsname: str                                # v1 pair name (XBT/CHF)
    levels: list[tuple[str, str, str]]         # (side "a"/"b", price text, volume text) in message order
    checksum: int | None                       # v1 "c"


@dataclass
class Capture:
    asset_pairs: dict[str, dict]
    depth: int = 1000
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
    line = (directory / PAIRS_FILE).read_text().splitlines()[0]
    answer = json.loads(line.partition(" -> ")[2].partition(": ")[2])
    everything = answer["result"]
    capture = Capture(asset_pairs={})
    wsnames: set[str] = set()
    for ts, frame in _frames(directory / BOOK_FILE):
        if not isinstance(frame, list) or len(frame) < 4:
            continue
        tail = frame[:-1] if frame[-1] == "r" else frame
        channel, wsname = tail[-2], tail[-1]
        if not str(channel).startswith("book-"):
            continue
        capture.depth = int(str(channel).split("-")[1])
        parts = [p for p in tail[1:-2] if isinstance(p, dict)]
        if any("as" in p or "bs" in p for p in parts):
            levels = [(side[0], lv[0], lv[1]) for p in parts for side in ("as", "bs") for lv in p.get(side, [])]
            capture.snapshots[wsname] = Event(ts, wsname, levels, None)
            wsnames.add(wsname)
            continue
        if wsname not in capture.snapshots:
            continue
        levels = [(side, lv[0], lv[1]) for p in parts for side in ("a", "b") for lv in p.get(side, [])]
        checksum = next((int(p["c"]) for p in parts if "c" in p), None)
        capture.events.append(Event(ts, wsname, levels, checksum))
    capture.asset_pairs = {name: pair for name, pair in everything.items() if pair.get("wsname") in wsnames}
    return capture


def decimal(text: str) -> Decimal:
    return Decimal(text)
