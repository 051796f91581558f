"""Faults a test injects through the control port (POST /control/fault with JSON):

{"type": "drop_ws", "which": "all" | "public" | "private"}  close those WebSocket connections now (no close frame)
{"type": "skip_sequence", "count": 1, "which": "all"}       the next message on each open connection of `which`
                                                            skips a sequence_num (count = numbers skipped)
{"type": "delay_ack", "seconds": T, "count": 1}             the next order answers (POST orders, batch_cancel)
                                                            leave T s late; the `user` updates go out first
{"type": "lose_ack", "count": 1}                            the next order request IS executed, its HTTP
                                                            connection closed instead of the answer
{"type": "error", "reason": "INSUFFICIENT_FUND", "count": 1, "execute": false}
                                                            the next POST orders answers success:false with this
                                                            failure reason (any documented one); execute=true runs
                                                            the order first (the answer lies)
{"type": "http_error", "status": 500 | 503, "count": 1, "execute": false, "endpoint": "create_order"?}
                                                            the next private requests (of that endpoint: create_order,
                                                            batch_cancel, get_order, list_orders, list_fills,
                                                            accounts, ...) answer that status; execute=true runs
                                                            the request first
{"type": "rate_limit", "count": 1, "scope": "private" | "public"}   the next requests answer HTTP 429
{"type": "clock_shift", "seconds": X}                       server time = machine time + X (JWT checks, /time,
                                                            timestamps)
{"type": "expire_jwt_skew", "seconds": 121, "count": 1}     the next JWT checks (REST or subscribe) read the time
                                                            X s ahead: a fresh token is expired (401)
{"type": "clear"}                                           remove every pending fault and the clock shift
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Faults:
    delay_acks: list[float] = field(default_factory=list)
    lost_acks: int = 0
    errors: list[list] = field(default_factory=list)            # [remaining, reason, execute]
    http_errors: list[list] = field(default_factory=list)       # [remaining, status, execute, endpoint]
    rate_limits: list[list] = field(default_factory=list)       # [remaining, scope]
    jwt_skews: list[float] = field(default_factory=list)

    def add(self, spec: dict) -> str | None:
        kind, count = spec.get("type"), int(spec.get("count", 1))
        if kind == "delay_ack":
            self.delay_acks.extend([float(spec.get("seconds", 1.0))] * count)
        elif kind == "lose_ack":
            self.lost_acks += count
        elif kind == "error":
            self.errors.append([count, str(spec.get("reason") or spec.get("error") or "UNKNOWN_FAILURE_REASON"),
                                bool(spec.get("execute", False))])
        elif kind == "http_error":
            status = int(spec.get("status", 500))
            if status not in (500, 503):
                raise ValueError("http_error status must be 500 or 503")
            self.http_errors.append([count, status, bool(spec.get("execute", False)), spec.get("endpoint")])
        elif kind == "rate_limit":
            self.rate_limits.append([count, spec.get("scope", "private")])
        elif kind == "expire_jwt_skew":
            self.jwt_skews.extend([float(spec.get("seconds", 121))] * count)
        elif kind == "clear":
            self.__init__()
            return "clear"
        elif kind in ("drop_ws", "clock_shift", "skip_sequence"):
            return kind
        else:
            raise ValueError(f"unknown fault type {kind!r}")
        return None

    @staticmethod
    def _take(entries: list, match) -> list | None:
        for entry in entries:
            if match(entry):
                entry[0] -= 1
                if entry[0] <= 0:
                    entries.remove(entry)
                return entry
        return None

    def take_error(self) -> tuple[str, bool] | None:
        entry = self._take(self.errors, lambda e: True)
        return (entry[1], entry[2]) if entry else None

    def take_http_error(self, endpoint: str) -> tuple[int, bool] | None:
        entry = self._take(self.http_errors, lambda e: e[3] in (None, endpoint))
        return (entry[1], entry[2]) if entry else None

    def take_rate_limit(self, scope: str) -> bool:
        return self._take(self.rate_limits, lambda e: e[1] == scope) is not None

    def take_jwt_skew(self) -> float:
        return self.jwt_skews.pop(0) if self.jwt_skews else 0.0

    def take_delay(self) -> float:
        return self.delay_acks.pop(0) if self.delay_acks else 0.0

    def take_lost(self) -> bool:
        if self.lost_acks > 0:
            self.lost_acks -= 1
            return True
        return False

    def state(self) -> dict:
        return {"delayAcks": list(self.delay_acks), "lostAcks": self.lost_acks, "errors": [list(e) for e in self.errors],
                "httpErrors": [list(e) for e in self.http_errors], "rateLimits": [list(r) for r in self.rate_limits],
                "jwtSkews": list(self.jwt_skews)}
