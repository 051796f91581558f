"""Limits as docs v5 "Rate Limit" states them.

- IP: 600 requests in any 5-second window (all endpoints). Over it: HTTP 403 "access too frequent" and the IP is
  banned (docs: "wait for at least 10 minutes"; --ban-seconds, default 600).
- UID, per endpoint, rolling 1-second window (the "UTA2.0 Pro" table, linear): order/create, order/cancel,
  order/cancel-all, position/set-leverage, position/switch-mode, account/fee-rate 10/s; order/realtime,
  order/history, execution/list, position/list, account/wallet-balance, account/info 50/s;
  account/transaction-log 30/s. Over it: retCode 10006 "Too many visits!" (HTTP 200), not executed.
- Private answers carry X-Bapi-Limit (the endpoint's limit), X-Bapi-Limit-Status (what is left in the window) and
  X-Bapi-Limit-Reset-Timestamp (when the window frees a request if it is used up, else now).

The fault `rate_limit` (a test device, not a documented rule) makes the next N requests answer 10006 with those
headers; a request sent before the answered reset timestamp then counts as a violation, and --ban-after violations
ban the IP (403): a client that ignores 10006 meets the IP ban.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from common import BybitError, Clock

UID_LIMITS = {
    "/v5/order/create": 10, "/v5/order/cancel": 10, "/v5/order/cancel-all": 10, "/v5/position/set-leverage": 10,
    "/v5/position/switch-mode": 10, "/v5/account/fee-rate": 10, "/v5/order/realtime": 50, "/v5/order/history": 50,
    "/v5/execution/list": 50, "/v5/position/list": 50, "/v5/account/wallet-balance": 50, "/v5/account/info": 50,
    "/v5/account/transaction-log": 30,
}


class IpBanned(Exception):
    """HTTP 403 "access too frequent" (no JSON envelope)."""


@dataclass
class Limits:
    ip_per_5s: int = 600
    ban_seconds: int = 600
    ban_after: int = 1
    uid: dict[str, int] = field(default_factory=lambda: dict(UID_LIMITS))


@dataclass
class IpState:
    times: deque = field(default_factory=deque)
    banned_until: int = 0
    penalty_until: int = 0
    violations: int = 0


class RateLimiter:
    def __init__(self, clock: Clock, limits: Limits) -> None:
        self.clock = clock
        self.limits = limits
        self.ips: dict[str, IpState] = {}
        self.windows: dict[tuple[int, str], deque] = {}
        self.forced = 0

    def check_ip(self, ip: str) -> None:
        now = self.clock.ms()
        state = self.ips.setdefault(ip, IpState())
        if state.banned_until > now:
            raise IpBanned()
        if state.penalty_until > now and self.forced == 0:
            state.violations += 1
            if state.violations >= self.limits.ban_after:
                state.banned_until, state.penalty_until, state.violations = now + self.limits.ban_seconds * 1000, 0, 0
                raise IpBanned()
        while state.times and state.times[0] <= now - 5000:
            state.times.popleft()
        state.times.append(now)
        if len(state.times) > self.limits.ip_per_5s:
            state.banned_until = now + self.limits.ban_seconds * 1000
            raise IpBanned()

    def charge(self, ip: str, uid: int | None, path: str) -> dict[str, str]:
        """Counts a request; returns the X-Bapi-Limit headers (private endpoints) or raises 10006."""
        now = self.clock.ms()
        limit = self.limits.uid.get(path)
        if self.forced > 0:
            self.forced -= 1
            reset = now + 1000
            self.ips.setdefault(ip, IpState()).penalty_until = reset
            raise BybitError(10006, "Too many visits!", headers=self._headers(limit or 0, 0, reset))
        if uid is None or limit is None:
            return {}
        window = self.windows.setdefault((uid, path), deque())
        while window and window[0] <= now - 1000:
            window.popleft()
        if len(window) >= limit:
            raise BybitError(10006, "Too many visits!", headers=self._headers(limit, 0, window[0] + 1000))
        window.append(now)
        return self._headers(limit, limit - len(window), now)

    @staticmethod
    def _headers(limit: int, left: int, reset: int) -> dict[str, str]:
        return {"X-Bapi-Limit": str(limit), "X-Bapi-Limit-Status": str(left),
                "X-Bapi-Limit-Reset-Timestamp": str(reset)}

    def force(self, count: int) -> None:
        self.forced += count

    def reset(self) -> None:
        self.ips.clear()
        self.windows.clear()
        self.forced = 0
