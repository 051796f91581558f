"""Shared helpers: the server clock, decimal text, Kraken's error type, RFC 3339 times, JSON with raw numbers.

Everything that moves money is a Decimal, never a float. REST writes decimals as strings; WebSocket v2 writes
prices, quantities and fees as JSON numbers: `dumps` renders a `Num` as a plain decimal number (no exponent, no
trailing zeros), so a client parsing with Decimal gets exactly the server's value.
"""
from __future__ import annotations

import json
import re
import time
from datetime import datetime, timezone
from decimal import ROUND_DOWN, Decimal, InvalidOperation

ZERO = Decimal(0)
HUNDRED = Decimal(100)


class Clock:
    """Server time: the machine's clock plus a shift (a fault)."""

    def __init__(self) -> None:
        self.shift_s = 0.0

    def now(self) -> float:
        return time.time() + self.shift_s


def fmt(value: Decimal) -> str:
    """Plain decimal text: no exponent, no trailing zeros ("0.10" -> "0.1", "30000.0" -> "30000")."""
    if value == 0:
        return "0"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def fixed(value: Decimal, places: int) -> str:
    """Decimal text with exactly `places` decimals (REST's "0.50000000")."""
    return format(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN) if places >= 0 else value, "f")


def parse_decimal(text) -> Decimal | None:
    if text is None or isinstance(text, bool):
        return None
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def is_multiple(value: Decimal, step: Decimal) -> bool:
    return step <= 0 or value % step == 0


def rfc3339(seconds: float) -> str:
    """2022-12-25T09:30:59.123456Z"""
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class KrakenError(Exception):
    """An error as Kraken spells it ("EOrder:Insufficient funds"); REST answers HTTP 200 {"error": [text]}."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class Num:
    """A Decimal that `dumps` writes as a JSON number."""
    __slots__ = ("value",)

    def __init__(self, value: Decimal) -> None:
        self.value = value


_RAW = "\u0001num:"
_RAW_RE = re.compile(r'"\\u0001num:([^"]*)"')


def _default(obj):
    if isinstance(obj, Num):
        return _RAW + fmt(obj.value)
    if isinstance(obj, Decimal):
        return fmt(obj)
    raise TypeError(f"not JSON: {type(obj)}")


def dumps(payload) -> str:
    text = json.dumps(payload, separators=(",", ":"), default=_default)
    return _RAW_RE.sub(r"\1", text) if _RAW[1:] in text or "\\u0001" in text else text
