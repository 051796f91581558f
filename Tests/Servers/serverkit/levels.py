"""One side of a price-level book: price -> quantity, prices kept sorted for walking and for top-N views."""
from __future__ import annotations

import bisect
from decimal import Decimal


class Side:
    def __init__(self, descending: bool) -> None:
        self.descending = descending
        self.levels: dict[Decimal, Decimal] = {}
        self.prices: list[Decimal] = []          # ascending

    def set(self, price: Decimal, qty: Decimal) -> None:
        """Sets a level; a quantity of zero removes it (removing an absent level is a no-op)."""
        if qty == 0:
            if price in self.levels:
                del self.levels[price]
                del self.prices[bisect.bisect_left(self.prices, price)]
            return
        if price not in self.levels:
            bisect.insort(self.prices, price)
        self.levels[price] = qty

    def clear(self) -> None:
        self.levels.clear()
        self.prices.clear()

    def ordered(self) -> list[Decimal]:
        """Best first."""
        return self.prices[::-1] if self.descending else list(self.prices)

    def top(self, limit: int) -> list[tuple[Decimal, Decimal]]:
        chosen = self.prices[::-1][:limit] if self.descending else self.prices[:limit]
        return [(price, self.levels[price]) for price in chosen]

    def best(self) -> Decimal | None:
        if not self.prices:
            return None
        return self.prices[-1] if self.descending else self.prices[0]
