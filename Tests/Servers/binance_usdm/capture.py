"""Reads the real USDⓈ-M capture in <shared>/vectors/exchanges/wire/binance_usdm/cryptofeed at start (never copied).

- BINANCE_FUTURES.ws.1.0: a header line (the stream URL), then `<recv seconds>: <combined-stream JSON>` per message
  (depthUpdate @100ms with U/u/pu, bookTicker, aggTrade, kline_1m for SUSHIUSDT, AKROUSDT, KEEPUSDT, CTKUSDT).
- BINANCE_FUTURES.http.0.0: `<url> -> <recv seconds>: <JSON>`, one REST depth snapshot (limit 1000) per symbol.
- fapi_exchangeInfo.2021-07-22.BTCUSDT_ETHUSDT.json: exchangeInfo trimmed to BTCUSDT and ETHUSDT.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

CAPTURE_DIR = "vectors/exchanges/wire/binance_usdm/cryptofeed"
WS_FILE = "BINANCE_FUTURES.ws.1.0"
HTTP_FILE = "BINANCE_FUTURES.http.0.0"
INFO_FILE = "fapi_exchangeInfo.2021-07-22.BTCUSDT_ETHUSDT.json"


def shared_root(repo_root: Path) -> Path:
    """DEXTER_SHARED if set, else ../shared beside the repository."""
    env = os.environ.get("DEXTER_SHARED")
    return Path(env) if env else (repo_root / ".." / "shared").resolve()


@dataclass
class Event:
    ts: float        # the recorder's receive time, seconds
    symbol: str
    kind: str        # "depth" or "bookTicker"
    data: dict


@dataclass
class Capture:
    snapshots: dict[str, dict] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    exchange_info: dict = field(default_factory=dict)


def load(directory: Path) -> Capture:
    capture = Capture()
    with open(directory / HTTP_FILE) as handle:
        for line in handle:
            if " -> " not in line:
                continue
            url, rest = line.split(" -> ", 1)
            _, body = rest.split(": ", 1)
            symbol = re.search(r"symbol=(\w+)", url).group(1)
            capture.snapshots[symbol] = json.loads(body)
    with open(directory / INFO_FILE) as handle:
        capture.exchange_info = json.load(handle)
    with open(directory / WS_FILE) as handle:
        lines = handle.read().splitlines()
    for line in lines:
        if not line[:1].isdigit():
            continue  # the header: the URL the recorder connected to
        stamp, body = line.split(": ", 1)
        message = json.loads(body)
        kind = message["stream"].split("@", 1)[1]
        data = message["data"]
        symbol = data["s"]
        snapshot = capture.snapshots.get(symbol)
        if snapshot is None:
            continue
        if kind.startswith("depth"):
            if data["u"] < snapshot["lastUpdateId"]:
                continue  # the documented rule: drop events with u < lastUpdateId
            capture.events.append(Event(float(stamp), symbol, "depth", data))
        elif kind == "bookTicker":
            if data["u"] < snapshot["lastUpdateId"]:
                continue
            capture.events.append(Event(float(stamp), symbol, "bookTicker", data))
    capture.events.sort(key=lambda event: event.ts)  # stable: each symbol keeps its order
    return capture
