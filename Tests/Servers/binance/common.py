"""Shared helpers: the server clock, decimal formatting, and Binance's error type.

Everything that moves money is a Decimal, never a float. Binance writes amounts as strings with
8 decimals ("0.10000000"); `fmt` does the same.
"""
from __future__ import annotations

import time
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal(0)
EIGHT = Decimal("0.00000001")


class Clock:
    """Server time in milliseconds: the machine's clock plus a shift (fault injection for -1021)."""

    def __init__(self) -> None:
        self.shift_ms = 0

    def ms(self) -> int:
        return int(time.time() * 1000) + self.shift_ms


def fmt(value: Decimal, places: int = 8) -> str:
    """Binance's decimal string: fixed places, no exponent."""
    quantum = Decimal(1).scaleb(-places)
    return format(value.quantize(quantum, rounding=ROUND_HALF_UP), "f")


def round8(value: Decimal) -> Decimal:
    """Commission and quote amounts kept to the asset precision (8), half-up (the docs do not say)."""
    return value.quantize(EIGHT, rounding=ROUND_HALF_UP)


def floor_step(value: Decimal, step: Decimal) -> Decimal:
    if step <= 0:
        return value
    return (value / step).to_integral_value(rounding=ROUND_DOWN) * step


def parse_decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite():
        return None
    return value


def decimals_of(text: str) -> int:
    """Significant decimal places of a decimal string ("0.10" -> 1, "1.000" -> 0)."""
    if "." not in text:
        return 0
    return len(text.split(".", 1)[1].rstrip("0"))


class BinanceError(Exception):
    """A documented Binance error: HTTP status, code and message (errors.md)."""

    def __init__(self, code: int, msg: str, http: int = 400, headers: dict | None = None,
                 data: dict | None = None) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg
        self.http = http
        self.headers = headers or {}
        self.data = data

    def body(self) -> dict:
        return {"code": self.code, "msg": self.msg}


# Messages exactly as errors.md writes them.
def mandatory(name: str) -> BinanceError:
    return BinanceError(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")


def either(a: str, b: str) -> BinanceError:
    return BinanceError(-1102, f"Param '{a}' or '{b}' must be sent, but both were empty/null!")


def not_required(name: str) -> BinanceError:
    return BinanceError(-1106, f"Parameter '{name}' sent when not required.")


def bad_precision(name: str) -> BinanceError:
    return BinanceError(-1111, f"Parameter '{name}' has too much precision.")


def filter_failure(name: str) -> BinanceError:
    return BinanceError(-1013, f"Filter failure: {name}")


def rejected(msg: str) -> BinanceError:
    return BinanceError(-2010, msg)


INSUFFICIENT = "Account has insufficient balance for requested action."
DUPLICATE = "Duplicate order sent."
UNKNOWN_ORDER = "Unknown order sent."
INTERNAL = "Internal error; unable to process your request. Please try again."
