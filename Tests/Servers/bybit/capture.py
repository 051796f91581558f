"""Reads the real Bybit capture in <shared>/vectors/exchanges/wire/bybit/cryptofeed at start (never copied).

`BYBIT.ws.25.0.head` is cryptofeed's recording of Bybit's **legacy** USDT-perpetual WebSocket (realtime_public,
2021-04-17, the first 300 of 3362 lines, about 0.55 s of market): a header line (the URL), `<url> <- <sent>`
lines, then `<recv seconds>: <JSON>` per message. Its `orderBookL2_25.<SYMBOL>` topic (BCHUSDT, XTZUSDT, UNIUSDT,
LTCUSDT, DOTUSDT, LINKUSDT, ADAUSDT, ETHUSDT) gives one snapshot per symbol (`data.order_book`: rows of price,
side Buy/Sell, size) and deltas (`data.delete` / `update` / `insert`), each with `cross_seq` and `timestamp_e6`.

Translated here into the v5 model: a snapshot is the book; a delta becomes the changed levels (a deleted row has
quantity 0), `cross_seq` becomes `seq` (the v5 "cross sequence"), `timestamp_e6` / 1000 the engine time `cts`.
Prices are the recorded strings verbatim. Sizes were recorded as JSON numbers, about one in five a float32 artefact
of an aggregation ("10.969999", "3400.0002"): each symbol's quantity step is the finest decimal place its sizes need
once such artefacts (within 4 float32 ulps of a shorter decimal) are read as the shorter decimal, and every size is
served on that step. `BYBIT.ws.26.0.head` (legacy inverse, BTCUSD/EOSUSD) is not served: this server is linear only.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

CAPTURE_DIR = "vectors/exchanges/wire/bybit/cryptofeed"
WS_FILE = "BYBIT.ws.25.0.head"
NAUTILUS_DIR = "vectors/exchanges/wire/bybit/nautilus"
INSTRUMENTS_FILE = "http_get_instruments_linear.json"


def shared_root(repo_root: Path) -> Path:
    """DEXTER_SHARED if set, else ../shared beside the repository."""
    env = os.environ.get("DEXTER_SHARED")
    return Path(env) if env else (repo_root / ".." / "shared").resolve()


@dataclass
class Event:
    ts: float                    # the recorder's receive time, seconds
    symbol: str
    kind: str                    # "snapshot" or "delta"
    bids: list[tuple[str, str]]  # (price text, size text on the symbol's step); size "0" removes
    asks: list[tuple[str, str]]
    seq: int                     # the recorded cross_seq
    engine_ms: int               # the recorded timestamp_e6 / 1000


@dataclass
class Capture:
    events: list[Event] = field(default_factory=list)
    snapshots: dict[str, Event] = field(default_factory=dict)
    qty_decimals: dict[str, int] = field(default_factory=dict)
    ticks: dict[str, Decimal] = field(default_factory=dict)
    recovered: int = 0           # sizes read as a shorter decimal than recorded (float32 artefacts)
    sizes: int = 0
    instruments: dict = field(default_factory=dict)   # the nautilus instruments-info fixture (BTCUSDT, ETHUSDT)


def _ulp32(value: Decimal) -> Decimal:
    exponent = math.floor(math.log2(abs(float(value)))) if value else -149
    return Decimal(2) ** (exponent - 23)


def intended_decimals(text: str) -> int:
    """The fewest decimal places that give the recorded number, allowing 4 float32 ulps of recording error."""
    value = Decimal(text)
    if value == 0:
        return 0
    slack = 4 * _ulp32(value)
    for places in range(0, 9):
        if abs(value - round(value, places)) <= slack:
            return places
    return 8


def on_places(text: str, places: int) -> str:
    value = round(Decimal(text), places)
    return format(value.quantize(Decimal(1).scaleb(-places)), "f") if places else str(int(value))


def _rows(data: dict) -> list[tuple[str, str, str]]:
    """(side, price, raw size) of a legacy snapshot or delta; deletes have size "0"."""
    if "order_book" in data:
        return [(r["side"], r["price"], r["size"]) for r in data["order_book"]]
    rows = [(r["side"], r["price"], "0") for r in data.get("delete", [])]
    rows += [(r["side"], r["price"], r["size"]) for key in ("update", "insert") for r in data.get(key, [])]
    return rows


def load(shared: Path) -> Capture:
    capture = Capture()
    raw: list[tuple[float, str, str, list, int, int]] = []
    for line in (shared / CAPTURE_DIR / WS_FILE).read_text().splitlines():
        if not line[:1].isdigit():
            continue   # the header (URL) and what the recorder sent
        stamp, body = line.split(": ", 1)
        # sizes keep their recorded text: parse numbers as strings
        message = json.loads(body, parse_float=str, parse_int=str)
        topic = message.get("topic", "")
        if not topic.startswith("orderBookL2_25."):
            continue
        symbol = topic.split(".", 1)[1]
        raw.append((float(stamp), symbol, message["type"], _rows(message["data"]), int(message["cross_seq"]),
                    int(message["timestamp_e6"]) // 1000))
    places: dict[str, int] = {}
    price_places: dict[str, int] = {}
    for _, symbol, _, rows, _, _ in raw:
        for _, price, size in rows:
            capture.sizes += size != "0"
            places[symbol] = max(places.get(symbol, 0), intended_decimals(size))
            price_places[symbol] = max(price_places.get(symbol, 0), len(price.split(".", 1)[1]) if "." in price
                                       else 0)
    units: dict[str, int] = {}
    for _, symbol, _, rows, _, _ in raw:
        for _, price, _ in rows:
            units[symbol] = math.gcd(units.get(symbol, 0), int(Decimal(price).scaleb(price_places[symbol])))
    capture.qty_decimals = places
    capture.ticks = {s: Decimal(units[s]).scaleb(-price_places[s]) for s in units}
    for ts, symbol, kind, rows, seq, engine_ms in raw:
        bids, asks = [], []
        for side, price, size in rows:
            text = "0" if size == "0" else on_places(size, places[symbol])
            if size != "0" and Decimal(text) != Decimal(size):
                capture.recovered += 1
            (bids if side == "Buy" else asks).append((price, text))
        event = Event(ts, symbol, kind, bids, asks, seq, engine_ms)
        if kind == "snapshot" and symbol not in capture.snapshots:
            capture.snapshots[symbol] = event
        else:
            capture.events.append(event)
    capture.events.sort(key=lambda e: e.ts)   # stable: each symbol keeps its recorded order
    capture.instruments = json.loads((shared / NAUTILUS_DIR / INSTRUMENTS_FILE).read_text())
    return capture
