"""Shared helpers of the Bybit server: the server clock, exact decimals, Bybit's envelope and its error type.

Everything that moves money is a Decimal, never a float. Amounts are written exactly (no exponent, no trailing
zeros) unless a field has a fixed grid (prices on the tick, quantities on the qty step).
"""
from __future__ import annotations

import json
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # Tests/Servers: the shared `serverkit` package

from serverkit.decimals import decimals_of, on_grid, parse_decimal, plain  # noqa: E402,F401  (re-exported)

D = Decimal
ZERO = Decimal(0)
CATEGORY = "linear"
SETTLE = "USDT"


class Clock:
    """Server time in milliseconds: the machine's clock plus a shift (fault injection for 10002)."""

    def __init__(self) -> None:
        self.shift_ms = 0

    def ms(self) -> int:
        return int(time.time() * 1000) + self.shift_ms

    def ns(self) -> int:
        return time.time_ns() + self.shift_ms * 1_000_000


class BybitError(Exception):
    """A documented refusal: retCode and retMsg, answered with HTTP 200 (Bybit's envelope) unless `http` says else."""

    def __init__(self, code: int, msg: str, http: int = 200, headers: dict | None = None) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg
        self.http = http
        self.headers = headers or {}


def params_error(detail: str) -> BybitError:
    return BybitError(10001, detail)


def envelope(result, now_ms: int, code: int = 0, msg: str = "OK", ext: dict | None = None) -> dict:
    return {"retCode": code, "retMsg": msg, "result": result if result is not None else {},
            "retExtInfo": ext or {}, "time": now_ms}


def dumps(payload) -> str:
    return json.dumps(payload, separators=(",", ":"))


def new_id() -> str:
    """Bybit's order and execution ids are UUID strings."""
    return str(uuid.uuid4())


# retMsg texts of the error-code page (docs v5/error) and of the answers quoted in ccxt's exception table
MSG = {
    10001: "Request parameter error.",
    10002: "invalid request, please check your server timestamp or recv_window param",
    10003: "API key is invalid.",
    10004: "Error sign, please check your signature generation algorithm.",
    10005: "Permission denied, please check your API key permissions.",
    10006: "Too many visits!",
    10016: "Server error.",
    110001: "Order does not exist",
    110007: "ab not enough for new order",
    110017: "Reduce-only rule not satisfied",
    110020: "Not allowed to have more than 500 active orders.",
    110024: "You have an existing position, so position mode cannot be switched",
    110025: "Position mode is not modified",
    110028: "Open orders exist, so you cannot change position mode",
    110043: "Set leverage not modified",
    110072: "OrderLinkedID is duplicate",
    110094: "Order notional value below the lower limit",
}


def error(code: int, msg: str | None = None) -> BybitError:
    return BybitError(code, msg or MSG.get(code, "error"))
