"""Shared helpers: the server clock, decimal text, RFC 3339 times, JSON with decimals as strings, error bodies.

Everything that moves money is a Decimal, never a float. Advanced Trade writes every number as a decimal string;
`dumps` renders a Decimal as plain text (no exponent), so a client parsing with Decimal gets the server's value.
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

ZERO = Decimal(0)


class Clock:
    """Server time: the machine's clock plus a shift (the clock_shift fault)."""

    def __init__(self) -> None:
        self.shift_s = 0.0

    def now(self) -> float:
        return time.time() + self.shift_s


def fmt(value: Decimal) -> str:
    """Plain decimal text without exponent or trailing zeros ("0.10" -> "0.1", "30000.0" -> "30000")."""
    if value == 0:
        return "0"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def parse_decimal(text) -> Decimal | None:
    if text is None or isinstance(text, bool) or isinstance(text, float):
        return None
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def is_multiple(value: Decimal, step: Decimal) -> bool:
    return step <= 0 or value % step == 0


def rfc3339(seconds: float) -> str:
    """2023-02-09T20:19:35.396251Z"""
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _default(obj):
    if isinstance(obj, Decimal):
        return fmt(obj)
    raise TypeError(f"not JSON: {type(obj)}")


def dumps(payload) -> str:
    return json.dumps(payload, separators=(",", ":"), default=_default)


# gRPC codes in the `code` field of Advanced Trade's error object (the OpenAPI "default" error response).
ERROR_BODIES = {
    400: ("INVALID_ARGUMENT", 3, "Invalid argument"),
    401: ("unauthorized", 16, "Unauthorized"),
    403: ("PERMISSION_DENIED", 7, "Permission denied"),
    404: ("NOT_FOUND", 5, "Not found"),
    429: ("rate_limit_exceeded", 8, "Too many requests"),
    500: ("internal_server_error", 13, "Internal server error"),
    503: ("service_unavailable", 14, "Service unavailable"),
}


class ApiError(Exception):
    """A non-200 answer: HTTP status and {"error", "code", "message", "error_details"}."""

    def __init__(self, status: int, details: str = "", error: str | None = None, message: str | None = None) -> None:
        super().__init__(f"{status} {details}")
        code, number, text = ERROR_BODIES.get(status, ("UNKNOWN", 2, "Unknown"))
        self.status = status
        self.body = {"error": error or code, "code": number, "message": message or text, "error_details": details}
