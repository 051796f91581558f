"""Exact decimals for money and wire text: never a float."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation


def parse_decimal(text) -> Decimal | None:
    """A finite Decimal from wire text (None if absent, malformed, NaN or infinite)."""
    if text is None or isinstance(text, bool):
        return None
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def plain(value: Decimal) -> str:
    """The exact value without exponent and without trailing zeros ("1.50" -> "1.5", "1E+2" -> "100")."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def decimals_of(text: str) -> int:
    """Significant decimal places of a decimal string ("0.10" -> 1, "1.000" -> 0)."""
    if "." not in text:
        return 0
    return len(text.split(".", 1)[1].rstrip("0"))


def on_grid(value: Decimal, step: Decimal, origin: Decimal = Decimal(0)) -> bool:
    return step == 0 or (value - origin) % step == 0
