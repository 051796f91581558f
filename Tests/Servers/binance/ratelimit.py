"""Request weight, order counts, 429 and the 418 IP ban, as rest-api.md "LIMITS" describes them.

- Weight is counted per IP in fixed 1-minute windows (a window starts every minute of server time, as the WebSocket
  API doc explains "How to interpret rate limits"); every response carries X-MBX-USED-WEIGHT-1M.
- Over the weight limit: HTTP 429, code -1003, Retry-After = seconds until the window resets.
- Requests that keep coming while a 429's Retry-After has not passed are violations; after `ban_after` of them the IP
  is banned: HTTP 418 with Retry-After = seconds until the ban ends (Binance: "from 2 minutes to 3 days").
- Orders are counted per account in 10-second and 1-day windows (X-MBX-ORDER-COUNT-10S / -1D on successful order
  responses); over the limit: 429 with -1015 and no Retry-After.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from common import BinanceError, Clock


@dataclass
class Limits:
    weight_per_minute: int = 6000
    orders_per_10s: int = 100
    orders_per_day: int = 200000
    raw_per_5m: int = 61000
    ban_after: int = 1           # requests sent during a 429's Retry-After before the IP is banned
    ban_seconds: int = 120

    def exchange_info(self) -> list[dict]:
        return [
            {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
             "limit": self.weight_per_minute},
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": self.orders_per_10s},
            {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": self.orders_per_day},
            {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": self.raw_per_5m},
        ]


@dataclass
class IpState:
    window: int = -1
    used: int = 0
    backoff_until_ms: int = 0
    violations: int = 0
    banned_until_ms: int = 0


@dataclass
class OrderCounts:
    window10: int = -1
    count10: int = 0
    day: int = -1
    count_day: int = 0


class RateLimiter:
    def __init__(self, clock: Clock, limits: Limits) -> None:
        self.clock = clock
        self.limits = limits
        self.ips: dict[str, IpState] = {}
        self.orders: dict[int, OrderCounts] = {}

    def _ip(self, ip: str) -> IpState:
        state = self.ips.setdefault(ip, IpState())
        window = self.clock.ms() // 60000
        if window != state.window:
            state.window, state.used = window, 0
        return state

    def used(self, ip: str) -> int:
        return self._ip(ip).used

    def charge(self, ip: str, weight: int) -> int:
        """Count a request's weight, or raise the documented 429 / 418. Returns the weight used this minute."""
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
            reset_ms = (state.window + 1) * 60000
            state.backoff_until_ms = reset_ms
            state.violations = 0
            retry = max(1, math.ceil((reset_ms - now) / 1000))
            raise BinanceError(
                -1003,
                f"Too much request weight used; current limit is {self.limits.weight_per_minute} request weight "
                f"per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.",
                http=429, headers={"Retry-After": str(retry)},
                data={"serverTime": now, "retryAfter": reset_ms})
        return state.used

    def force_429(self, ip: str | None) -> None:
        """Fault: act as if the IP had just used its whole minute (the next request gets 429)."""
        targets = [ip] if ip else (list(self.ips) or ["127.0.0.1"])
        for target in targets:
            state = self._ip(target)
            state.used = self.limits.weight_per_minute

    def _banned(self, state: IpState, now: int) -> BinanceError:
        retry = max(1, math.ceil((state.banned_until_ms - now) / 1000))
        return BinanceError(
            -1003,
            f"Way too much request weight used; IP banned until {state.banned_until_ms}. "
            f"Please use WebSocket Streams for live updates to avoid bans.",
            http=418, headers={"Retry-After": str(retry)},
            data={"serverTime": now, "retryAfter": state.banned_until_ms})

    def reset(self) -> None:
        self.ips.clear()
        self.orders.clear()

    # --- orders (per account) ---
    def _orders(self, uid: int) -> OrderCounts:
        counts = self.orders.setdefault(uid, OrderCounts())
        now = self.clock.ms()
        if now // 10000 != counts.window10:
            counts.window10, counts.count10 = now // 10000, 0
        if now // 86400000 != counts.day:
            counts.day, counts.count_day = now // 86400000, 0
        return counts

    def check_order(self, uid: int) -> None:
        counts = self._orders(uid)
        if counts.count10 >= self.limits.orders_per_10s:
            raise BinanceError(-1015, f"Too many new orders; current limit is {self.limits.orders_per_10s} orders "
                                      f"per 10 SECOND.", http=429)
        if counts.count_day >= self.limits.orders_per_day:
            raise BinanceError(-1015, f"Too many new orders; current limit is {self.limits.orders_per_day} orders "
                                      f"per 1 DAY.", http=429)

    def count_order(self, uid: int) -> OrderCounts:
        counts = self._orders(uid)
        counts.count10 += 1
        counts.count_day += 1
        return counts

    def order_headers(self, uid: int) -> dict[str, str]:
        counts = self._orders(uid)
        return {"X-MBX-ORDER-COUNT-10S": str(counts.count10), "X-MBX-ORDER-COUNT-1D": str(counts.count_day)}

    def ws_rate_limits(self, ip: str, uid: int | None, with_orders: bool) -> list[dict]:
        """The WebSocket API's `rateLimits` array."""
        rows = []
        if with_orders and uid is not None:
            counts = self._orders(uid)
            rows.append({"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10,
                         "limit": self.limits.orders_per_10s, "count": counts.count10})
            rows.append({"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1,
                         "limit": self.limits.orders_per_day, "count": counts.count_day})
        rows.append({"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
                     "limit": self.limits.weight_per_minute, "count": self.used(ip)})
        return rows
