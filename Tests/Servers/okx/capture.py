"""Reads the real OKX capture in <shared>/vectors/exchanges/wire/okx/cryptofeed at run time (never copied here).

Format (cryptofeed, see shared/vectors/exchanges/checksums.py): one line per frame, `<recv_ts>: <json>` for frames
received, `<url> <- <ts>: <json>` for frames sent and `<url> <-> <ts>` for the connect; only the received ones are
read. The capture (2022-05-13, about 10.5 s) holds for BTC-USDT one `books` snapshot (400 levels a side) and 97
`update`s, each with OKX's `checksum`, plus `trades` and `tickers`; its other instruments (BTC-USD-220527,
UNI-USD-SWAP) are not spot and are skipped. It predates `seqId`/`prevSeqId`, so the server makes them (book.py).

Instruments are `instruments_SPOT.2022-05-13.BTC-USDT_ETH-USDT.json` beside it: BTC-USDT, ETH-USDT, LTC-USDT.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

CAPTURE_DIR = "vectors/exchanges/wire/okx/cryptofeed"
CAPTURE_FILE = "OKX.ws.1.0"
INSTRUMENTS_FILE = "instruments_SPOT.2022-05-13.BTC-USDT_ETH-USDT.json"


def shared_root(repo_root: Path) -> Path:
    """DEXTER_SHARED if set, else ../shared beside the repository."""
    env = os.environ.get("DEXTER_SHARED")
    return Path(env) if env else (repo_root / ".." / "shared").resolve()


@dataclass
class Event:
    ts: float           # the recorder's receive time, seconds (monotonic in the file)
    inst_id: str
    channel: str        # "books", "trades" or "tickers"
    data: dict          # the frame's data[0] as recorded
    seq_id: int = 0     # books updates: the sequence ids the server gives them (book.py)
    prev_seq_id: int = 0
    out_seq_id: int = 0       # ... and the ones it was sent with (differ after a seq_reset fault)
    out_prev_seq_id: int = 0


@dataclass
class Capture:
    instruments: list[dict]
    snapshots: dict[str, dict] = field(default_factory=dict)    # instId -> books snapshot data[0]
    events: list[Event] = field(default_factory=list)           # after each book's snapshot, in file order


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
    instruments = json.loads((directory / INSTRUMENTS_FILE).read_text())["data"]
    spot = {row["instId"] for row in instruments if row["instType"] == "SPOT"}
    capture = Capture(instruments=instruments)
    for ts, frame in _frames(directory / CAPTURE_FILE):
        arg = frame.get("arg") if isinstance(frame, dict) else None
        if not arg or "data" not in frame or arg.get("instId") not in spot:
            continue
        inst_id, channel = arg["instId"], arg["channel"]
        for data in frame["data"]:
            if channel == "books":
                if frame.get("action") == "snapshot":
                    capture.snapshots[inst_id] = data
                    continue
                if inst_id not in capture.snapshots:
                    continue  # an update before the snapshot cannot be applied
            elif channel not in ("trades", "tickers"):
                continue
            capture.events.append(Event(ts, inst_id, channel, data))
    return capture
