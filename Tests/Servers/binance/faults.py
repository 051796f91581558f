"""Faults a test injects through the control port (POST /control/fault with JSON):

{"type": "drop_ws", "which": "all" | "streams" | "api"}   close every WebSocket connection now
{"type": "skip_diffs", "count": N, "symbol": "ETHUSDT"?}   the next N depth diffs are applied but never sent (a gap)
{"type": "delay_ack", "seconds": T, "count": 1}            the next order acks (new/cancel) leave T seconds late
{"type": "lose_ack", "count": 1}                           the next order request IS executed, its answer never sent
                                                           (the HTTP connection / WebSocket is closed instead)
{"type": "error", "count": N, "status": 503, "code": -1001, "msg": "...", "execute": false, "scope": "all"|"orders"}
                                                           the next N requests answer that status with that error;
                                                           with execute=true an order request is executed first
{"type": "rate_limit", "ip": "127.0.0.1"?}                 the IP's minute is used up: the next request gets 429,
                                                           and requests during its Retry-After get 418
{"type": "clock_shift", "ms": X}                           server time = machine time + X (for -1021)
{"type": "clear"}                                          remove every pending fault and the clock shift
"""
from __future__ import annotations

from dataclasses import dataclass, field

from common import INTERNAL, BinanceError


@dataclass
class ErrorFault:
    remaining: int
    status: int
    code: int
    msg: str
    execute: bool
    scope: str


@dataclass
class Faults:
    skip_diffs: dict[str, int] = field(default_factory=dict)   # symbol or "*" -> diffs still to skip
    delay_acks: list[float] = field(default_factory=list)
    lost_acks: int = 0
    errors: list[ErrorFault] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)

    def add(self, spec: dict) -> str | None:
        """Registers a fault. Returns the name of an immediate action the server must perform, if any."""
        kind = spec.get("type")
        self.history.append(spec)
        if kind == "skip_diffs":
            key = spec.get("symbol") or "*"
            self.skip_diffs[key] = self.skip_diffs.get(key, 0) + int(spec.get("count", 1))
        elif kind == "delay_ack":
            self.delay_acks.extend([float(spec.get("seconds", 1.0))] * int(spec.get("count", 1)))
        elif kind == "lose_ack":
            self.lost_acks += int(spec.get("count", 1))
        elif kind == "error":
            self.errors.append(ErrorFault(
                remaining=int(spec.get("count", 1)), status=int(spec.get("status", 503)),
                code=int(spec.get("code", -1001)), msg=str(spec.get("msg", INTERNAL)),
                execute=bool(spec.get("execute", False)), scope=str(spec.get("scope", "all"))))
        elif kind == "clear":
            self.skip_diffs.clear()
            self.delay_acks.clear()
            self.lost_acks = 0
            self.errors.clear()
            return "clear"
        elif kind in ("drop_ws", "rate_limit", "clock_shift"):
            return kind
        else:
            raise ValueError(f"unknown fault type {kind!r}")
        return None

    def take_skip(self, symbol: str) -> bool:
        for key in (symbol, "*"):
            left = self.skip_diffs.get(key, 0)
            if left > 0:
                self.skip_diffs[key] = left - 1
                return True
        return False

    def take_error(self, is_order: bool) -> ErrorFault | None:
        for fault in self.errors:
            if fault.remaining > 0 and (fault.scope == "all" or is_order):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self.errors.remove(fault)
                return fault
        return None

    def take_delay(self) -> float:
        return self.delay_acks.pop(0) if self.delay_acks else 0.0

    def take_lost(self) -> bool:
        if self.lost_acks > 0:
            self.lost_acks -= 1
            return True
        return False

    def state(self) -> dict:
        return {"skipDiffs": dict(self.skip_diffs), "delayAcks": list(self.delay_acks), "lostAcks": self.lost_acks,
                "errors": [vars(e) for e in self.errors]}


def as_error(fault: ErrorFault) -> BinanceError:
    return BinanceError(fault.code, fault.msg, http=fault.status)
