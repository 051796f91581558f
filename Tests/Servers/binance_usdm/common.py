"""Shared helpers: the server clock, exact decimals, and Binance's error type (USDⓈ-M error-code page).

Everything that moves money is a Decimal, never a float. USDT amounts are written with 8 decimals.
"""
from __future__ import annotations

import time
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

D = Decimal
ZERO = Decimal(0)
EIGHT = Decimal("0.00000001")


class Clock:
    """Server time in milliseconds: the machine's clock plus a shift (fault injection for -1021)."""

    def __init__(self) -> None:
        self.shift_ms = 0

    def ms(self) -> int:
        return int(time.time() * 1000) + self.shift_ms


def fmt(value: Decimal, places: int = 8) -> str:
    """Fixed places, half-up, no exponent."""
    quantum = Decimal(1).scaleb(-places)
    return format(value.quantize(quantum, rounding=ROUND_HALF_UP), "f")


def round8(value: Decimal) -> Decimal:
    """Money kept to the margin asset's 8 decimals, half-up (the docs do not say how Binance rounds)."""
    return value.quantize(EIGHT, rounding=ROUND_HALF_UP)


def floor_step(value: Decimal, step: Decimal) -> Decimal:
    if step <= 0:
        return value
    return (value / step).to_integral_value(rounding=ROUND_DOWN) * step


def parse_decimal(text) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def decimals_of(text: str) -> int:
    """Significant decimal places of a decimal string ("0.10" -> 1, "1.000" -> 0)."""
    if "." not in text:
        return 0
    return len(text.split(".", 1)[1].rstrip("0"))


def wire_decimals(text: str) -> int:
    """Decimal places as written ("7.6110" -> 4)."""
    return len(text.split(".", 1)[1]) if "." in text else 0


class BinanceError(Exception):
    """A documented error: HTTP status, code and message."""

    def __init__(self, code: int, msg: str, http: int = 400, headers: dict | None = None) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg
        self.http = http
        self.headers = headers or {}

    def body(self) -> dict:
        return {"code": self.code, "msg": self.msg}


def mandatory(name: str) -> BinanceError:
    return BinanceError(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")


def not_required(name: str) -> BinanceError:
    return BinanceError(-1106, f"Parameter '{name}' sent when not required.")


def invalid_symbol() -> BinanceError:
    return BinanceError(-1121, "Invalid symbol.")


INTERNAL = "Internal error; unable to process your request. Please try again."
UNKNOWN_ORDER = "Unknown order sent."
NO_ORDER = "Order does not exist."
