"""Shared helpers: the server clock, OKX's decimal strings, OKX's error type and envelopes.

Everything that moves money is a Decimal, never a float. OKX writes numbers as plain decimal strings without
trailing zeros ("0.00192834", "51858"); `fmt` does the same. Times on the wire are Unix milliseconds as strings,
except the REST gateway's inTime/outTime (microseconds).
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from decimal import ROUND_DOWN, Decimal, InvalidOperation

ZERO = Decimal(0)


class Clock:
    """Server time: the machine's clock plus a shift (fault injection for 50102 / 60006)."""

    def __init__(self) -> None:
        self.shift_ms = 0

    def ms(self) -> int:
        return int(time.time() * 1000) + self.shift_ms

    def us(self) -> int:
        return int(time.time() * 1_000_000) + self.shift_ms * 1000


def fmt(value: Decimal) -> str:
    """OKX's decimal string: no exponent, no trailing zeros ("0.10" -> "0.1", "30000.0" -> "30000")."""
    if value == 0:
        return "0"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def parse_decimal(text) -> Decimal | None:
    if text is None or isinstance(text, bool):
        return None
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def floor_to(value: Decimal, step: Decimal) -> Decimal:
    if step <= 0:
        return value
    return (value / step).to_integral_value(rounding=ROUND_DOWN) * step


def is_multiple(value: Decimal, step: Decimal) -> bool:
    return step <= 0 or value % step == 0


def parse_iso_ms(text: str) -> int | None:
    """OK-ACCESS-TIMESTAMP: ISO 8601 UTC with milliseconds, e.g. 2020-12-08T09:08:57.715Z. None if malformed."""
    if not text or not text.endswith("Z") or "T" not in text:
        return None
    try:
        moment = datetime.strptime(text[:-1], "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=timezone.utc)
    except ValueError:
        try:
            moment = datetime.strptime(text[:-1], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
        except ValueError:
            return None
    return int(moment.timestamp() * 1000)


def iso_ms(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


class OkxError(Exception):
    """A request-level OKX error: top-level `code` and `msg` with the HTTP status of the docs' error table."""

    def __init__(self, code: str | int, msg: str, http: int = 200) -> None:
        super().__init__(f"{code} {msg}")
        self.code = str(code)
        self.msg = msg
        self.http = http

    def body(self) -> dict:
        return {"code": self.code, "msg": self.msg, "data": []}


class OrderReject(Exception):
    """A per-order rejection: `sCode` / `sMsg` (/ `subCode`) inside `data`, with top-level code "1"."""

    def __init__(self, s_code: str | int, s_msg: str, sub_code: str = "") -> None:
        super().__init__(f"{s_code} {s_msg}")
        self.s_code = str(s_code)
        self.s_msg = s_msg
        self.sub_code = sub_code


# Messages as the docs' error-code tables write them (docs-v5 "Error Code", REST API public / WebSocket public).
def empty_param(name: str) -> OkxError:
    return OkxError(50014, f"Parameter {name} can not be empty.", http=400)


def param_error(name: str) -> OkxError:
    return OkxError(51000, f"Parameter {name} error", http=400)


def too_many_requests() -> OkxError:
    return OkxError(50011, "Too Many Requests", http=429)


INSTRUMENT_MISSING = "Instrument ID, Instrument ID code or Spread ID doesn't exist."
OPERATION_FAILED = "Operation failed."
PARTIAL = "Bulk operation partially succeeded."
