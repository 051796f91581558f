"""Faults a test injects through the control port (POST /control/fault with JSON):

{"type": "drop_ws", "which": "all" | "public" | "private"}   close those WebSocket connections now (no close frame)
{"type": "corrupt_checksum", "count": N, "symbol": "BTC/CHF"?} the next N book updates carry a wrong checksum
{"type": "skip_update", "count": N, "symbol": S?}            the next N book updates are applied but never sent:
                                                             the client's checksum fails on the next one it gets
{"type": "delay_ack", "seconds": T, "count": 1}              the next order answers (REST AddOrder / CancelOrder /
                                                             CancelAll, WS add_order / cancel_order / cancel_all)
                                                             leave T s late; WS executions pushes go out first
{"type": "lose_ack", "count": 1}                             the next order request IS executed, its answer never
                                                             sent (the HTTP connection / WebSocket is closed)
{"type": "error", "error": "EService:Unavailable", "count": N, "method": "AddOrder"?, "execute": false}
                                                             the next N matching REST calls or WS methods (method =
                                                             REST name or WS method; none = any) answer that error;
                                                             execute=true runs an order request first
{"type": "rate_limit", "count": N, "kind": "api" | "order"}  the next N private calls answer EAPI:Rate limit exceeded
                                                             ("api") or order requests EOrder:Rate limit exceeded
{"type": "clock_shift", "seconds": X}                        server time = machine time + X
{"type": "clear"}                                            remove every pending fault and the clock shift
"""
from __future__ import annotations

from dataclasses import dataclass, field

ORDER_METHODS = {"AddOrder", "CancelOrder", "CancelAll", "add_order", "cancel_order", "cancel_all", "batch_add"}


@dataclass
class ErrorFault:
    remaining: int
    error: str
    method: str | None
    execute: bool


@dataclass
class Faults:
    skips: dict[str, int] = field(default_factory=dict)          # symbol or "*" -> updates still to skip
    corrupts: dict[str, int] = field(default_factory=dict)
    delay_acks: list[float] = field(default_factory=list)
    lost_acks: int = 0
    errors: list[ErrorFault] = field(default_factory=list)
    rate_limits: list[list] = field(default_factory=list)        # [remaining, "api" | "order"]

    def add(self, spec: dict) -> str | None:
        kind, count, symbol = spec.get("type"), int(spec.get("count", 1)), spec.get("symbol") or "*"
        if kind == "skip_update":
            self.skips[symbol] = self.skips.get(symbol, 0) + count
        elif kind == "corrupt_checksum":
            self.corrupts[symbol] = self.corrupts.get(symbol, 0) + count
        elif kind == "delay_ack":
            self.delay_acks.extend([float(spec.get("seconds", 1.0))] * count)
        elif kind == "lose_ack":
            self.lost_acks += count
        elif kind == "error":
            self.errors.append(ErrorFault(count, str(spec.get("error", "EService:Unavailable")), spec.get("method"),
                                          bool(spec.get("execute", False))))
        elif kind == "rate_limit":
            self.rate_limits.append([count, spec.get("kind", "api")])
        elif kind == "clear":
            self.__init__()
            return "clear"
        elif kind in ("drop_ws", "clock_shift"):
            return kind
        else:
            raise ValueError(f"unknown fault type {kind!r}")
        return None

    @staticmethod
    def _take(table: dict[str, int], symbol: str) -> bool:
        for key in (symbol, "*"):
            if table.get(key, 0) > 0:
                table[key] -= 1
                return True
        return False

    def take_skip(self, symbol: str) -> bool:
        return self._take(self.skips, symbol)

    def take_corrupt(self, symbol: str) -> bool:
        return self._take(self.corrupts, symbol)

    def take_error(self, method: str) -> ErrorFault | None:
        for fault in self.errors:
            if fault.method in (None, method):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.errors.remove(fault)
                return fault
        return None

    def take_rate_limit(self, method: str) -> str | None:
        for entry in self.rate_limits:
            if entry[1] == "api" or method in ORDER_METHODS:
                entry[0] -= 1
                if entry[0] <= 0:
                    self.rate_limits.remove(entry)
                return "EAPI:Rate limit exceeded" if entry[1] == "api" else "EOrder:Rate limit exceeded"
        return None

    def take_delay(self) -> float:
        return self.delay_acks.pop(0) if self.delay_acks else 0.0

    def take_lost(self) -> bool:
        if self.lost_acks > 0:
            self.lost_acks -= 1
            return True
        return False

    def state(self) -> dict:
        return {"skipUpdates": dict(self.skips), "corruptChecksums": dict(self.corrupts),
                "delayAcks": list(self.delay_acks), "lostAcks": self.lost_acks,
                "errors": [vars(e) for e in self.errors], "rateLimits": [list(r) for r in self.rate_limits]}
