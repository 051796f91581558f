"""Coinbase's documented rate limits, as one-second sliding windows (docs "Advanced Trade API rate limits",
"WebSocket rate limits"):

- REST private endpoints: 30 requests per second per user (counted per account here, whatever key) -> 429;
- REST public endpoints (/market/*, /time): 10 requests per second per IP -> 429;
- WebSocket connections: 8 per second per IP (the Coinbase App page; refused with HTTP 429 before the upgrade);
- WebSocket unauthenticated messages (a subscribe / unsubscribe without `jwt`): 8 per second per IP -> the
  message is not acted on and the server answers {"type": "error", "message": "rate limit exceeded"}.
A refused request is not counted. POST /control/limits {"enabled": false} turns every limit off, {"reset": true}
empties the windows; the numbers can be changed there too.
"""
from __future__ import annotations

from collections import deque

from common import Clock

DEFAULTS = {"private": 30, "public": 10, "wsConnections": 8, "wsMessages": 8}


class RateLimiter:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.enabled = True
        self.limits = dict(DEFAULTS)
        self.windows: dict[tuple[str, str], deque] = {}

    def allow(self, kind: str, who: str) -> bool:
        """Counts one request of `kind` for `who`; False (not counted) when the last second already holds the max."""
        if not self.enabled:
            return True
        now = self.clock.now()
        window = self.windows.setdefault((kind, who), deque())
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= self.limits[kind]:
            return False
        window.append(now)
        return True

    def reset(self) -> None:
        self.windows.clear()

    def view(self) -> dict:
        now = self.clock.now()
        return {"enabled": self.enabled, "limits": dict(self.limits),
                "windows": {f"{k}/{w}": sum(1 for t in q if t > now - 1.0) for (k, w), q in self.windows.items()}}
