"""Per-endpoint rate limits as docs-v5 gives them ("Rate Limits" and each endpoint's "Rate Limit" / "Rate limit
rule"). Over a limit: HTTP 429 with code 50011 "Too Many Requests" (REST), or sCode 50011 for a WebSocket order op.

- Public endpoints count per IP, private ones per User ID; place / cancel / amend / get order per User ID +
  Instrument ID. Place, cancel and amend have independent limits, shared by REST and the WebSocket ops.
- The batch endpoints count orders, not requests (300 orders / 2 s); a batch of one order counts as a single order.
- Windows are fixed intervals of server time (every 2 s), which the docs do not specify; OKX sends no headers
  telling the count, so a client must keep its own.
"""
from __future__ import annotations

from dataclasses import dataclass

from common import Clock, too_many_requests


@dataclass(frozen=True)
class Rule:
    limit: int
    window_s: int
    key: str            # what the count is per: "ip", "ip+instType", "uid", "uid+instId"


RULES = {
    "public/time": Rule(10, 2, "ip"),
    "public/instruments": Rule(20, 2, "ip+instType"),
    "market/books": Rule(40, 2, "ip"),
    "account/balance": Rule(10, 2, "uid"),
    "account/trade-fee": Rule(5, 2, "uid"),
    "account/config": Rule(5, 2, "uid"),
    "order": Rule(60, 2, "uid+instId"),
    "batch-orders": Rule(300, 2, "uid+instId"),
    "cancel-order": Rule(60, 2, "uid+instId"),
    "cancel-batch-orders": Rule(300, 2, "uid+instId"),
    "amend-order": Rule(60, 2, "uid+instId"),
    "get-order": Rule(60, 2, "uid+instId"),
    "orders-pending": Rule(60, 2, "uid"),
    "orders-history": Rule(40, 2, "uid"),
    "fills": Rule(60, 2, "uid"),
    "fills-history": Rule(10, 2, "uid"),
}


class RateLimiter:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.limits = {name: rule.limit for name, rule in RULES.items()}
        self.counts: dict[tuple, int] = {}      # (rule, who, window) -> requests counted

    def charge(self, name: str, who: str, cost: int = 1) -> None:
        """Counts `cost` against rule `name` for `who` (an IP, a uid, "uid/instId"...), or raises 50011."""
        rule = RULES[name]
        window = self.clock.ms() // (rule.window_s * 1000)
        key = (name, who, window)
        used = self.counts.get(key, 0)
        if used + cost > self.limits[name]:
            raise too_many_requests()
        self.counts[key] = used + cost
        if len(self.counts) > 10_000:          # old windows are never read again
            self.counts = {k: v for k, v in self.counts.items() if k[2] >= window}

    def reset(self) -> None:
        self.counts.clear()

    def view(self) -> dict:
        return {name: {"limit": self.limits[name], "windowSeconds": rule.window_s, "per": rule.key}
                for name, rule in RULES.items()}
