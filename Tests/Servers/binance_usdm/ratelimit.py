"""Limits as USDⓈ-M "General Info" and exchangeInfo state them: REQUEST_WEIGHT 2400 / minute per IP, ORDERS 1200 /
minute and 300 / 10 seconds per account; headers X-MBX-USED-WEIGHT-1M on every answer, X-MBX-ORDER-COUNT-10S and
-1M on order answers. Over the weight: HTTP 429 -1003 with Retry-After (seconds to the next minute); requests during
that Retry-After get the IP banned: HTTP 418 with Retry-After. Over an order limit: 429 -1015.
Windows are fixed intervals of server time (a minute window starts every minute).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from common import BinanceError, Clock


@dataclass
class Limits:
    weight_per_minute: int = 2400
    orders_per_minute: int = 1200
    orders_per_10s: int = 300
    ban_after: int = 1
    ban_seconds: int = 120

    def exchange_info(self) -> list[dict]:
        return [{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
                 "limit": self.weight_per_minute},
                {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": self.orders_per_minute},
                {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": self.orders_per_10s}]


@dataclass
class IpState:
    window: int = -1
    used: int = 0
    backoff_until_ms: int = 0
    violations: int = 0
    banned_until_ms: int = 0


class RateLimiter:
    def __init__(self, clock: Clock, limits: Limits) -> None:
        self.clock = clock
        self.limits = limits
        self.ips: dict[str, IpState] = {}
        self.orders: dict[int, list[int]] = {}   # uid -> [10s window, count, minute window, count]

    def _ip(self, ip: str) -> IpState:
        state = self.ips.setdefault(ip, IpState())
        window = self.clock.ms() // 60000
        if window != state.window:
            state.window, state.used = window, 0
        return state

    def used(self, ip: str) -> int:
        return self._ip(ip).used

    def charge(self, ip: str, weight: int) -> None:
        now = self.clock.ms()
        state = self._ip(ip)
        if state.banned_until_ms > now:
            raise self._banned(state, now)
        if state.backoff_until_ms > now:
            state.violations += 1
            if state.violations >= self.limits.ban_after:
                state.banned_until_ms = now + self.limits.ban_seconds * 1000
                raise self._banned(state, now)
        state.used += weight
        if state.used > self.limits.weight_per_minute:
            reset = (state.window + 1) * 60000
            state.backoff_until_ms, state.violations = reset, 0
            raise BinanceError(-1003, f"Too many requests; current limit is {self.limits.weight_per_minute} requests "
                                      f"per minute. Please use the websocket for live updates to avoid polling the "
                                      f"API.", http=429, headers={"Retry-After": str(max(1, math.ceil((reset - now) / 1000)))})

    def _banned(self, state: IpState, now: int) -> BinanceError:
        return BinanceError(-1003, f"Way too many requests; IP banned until {state.banned_until_ms}. Please use the "
                                   f"websocket for live updates to avoid bans.", http=418,
                            headers={"Retry-After": str(max(1, math.ceil((state.banned_until_ms - now) / 1000)))})

    def force_429(self, ip: str | None) -> None:
        for target in [ip] if ip else (list(self.ips) or ["127.0.0.1"]):
            self._ip(target).used = self.limits.weight_per_minute

    def reset(self) -> None:
        self.ips.clear()
        self.orders.clear()

    def _counts(self, uid: int) -> list[int]:
        now = self.clock.ms()
        counts = self.orders.setdefault(uid, [-1, 0, -1, 0])
        if counts[0] != now // 10000:
            counts[0], counts[1] = now // 10000, 0
        if counts[2] != now // 60000:
            counts[2], counts[3] = now // 60000, 0
        return counts

    def count_order(self, uid: int) -> None:
        """Counts an order request; raises 429 -1015 over a limit (the request is not executed)."""
        counts = self._counts(uid)
        if counts[1] >= self.limits.orders_per_10s:
            raise BinanceError(-1015, f"Too many new orders; current limit is {self.limits.orders_per_10s} orders "
                                      f"per 10 SECOND.", http=429)
        if counts[3] >= self.limits.orders_per_minute:
            raise BinanceError(-1015, f"Too many new orders; current limit is {self.limits.orders_per_minute} orders "
                                      f"per MINUTE.", http=429)
        counts[1] += 1
        counts[3] += 1

    def order_headers(self, uid: int) -> dict[str, str]:
        counts = self._counts(uid)
        return {"X-MBX-ORDER-COUNT-10S": str(counts[1]), "X-MBX-ORDER-COUNT-1M": str(counts[3])}
