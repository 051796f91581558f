"""Faults a test injects through the control port (POST /control/fault with JSON):

{"type": "drop_ws", "which": "all"|"market"|"user"}     close WebSocket connections now (no close frame)
{"type": "skip_update", "count": N, "symbol": S?}        the next N depth events are applied but never sent: the
                                                         event after them has a `pu` the client never saw
{"type": "delay_ack", "seconds": T, "count": 1}          the next order answers (new/cancel) leave T seconds late
{"type": "lose_ack", "count": 1}                         the next order request IS executed, its answer never sent
{"type": "error", "code": -1001, "msg": "...", "status": 400, "count": 1, "execute": false, "scope": "all"|"orders"}
                                                         the next N requests answer that documented error; with
                                                         execute=true an order request is executed first
{"type": "http_error", "status": 503, "count": 1, "execute": false, "scope": "all"|"orders"}
                                                         a bare 5XX (no Binance envelope), executed first or not
{"type": "rate_limit", "ip": "127.0.0.1"?}               the IP's minute is used up: next request 429, then 418
{"type": "clock_shift", "ms": X}                         server time = machine time + X (for -1021)
{"type": "expire_listen_key", "apiKey": K?}              listen keys (of that key's account) expire now
{"type": "clear"}                                        every pending fault and the clock shift go
"""
from __future__ import annotations

from dataclasses import dataclass, field

from common import INTERNAL, BinanceError

HTTP_BODIES = {500: "Internal Server Error", 502: "Bad Gateway",
               503: "Unknown error, please check your request or try again later.", 504: "Gateway Timeout"}


@dataclass
class ErrorFault:
    remaining: int
    status: int
    code: int | None      # None: a bare HTTP error
    msg: str
    execute: bool
    scope: str

    def error(self) -> BinanceError:
        return BinanceError(self.code if self.code is not None else 0, self.msg, http=self.status)


@dataclass
class Faults:
    skip: dict[str, int] = field(default_factory=dict)
    delays: list[float] = field(default_factory=list)
    lost: int = 0
    errors: list[ErrorFault] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)

    def add(self, spec: dict) -> str | None:
        kind = spec.get("type")
        self.history.append(spec)
        if kind == "skip_update":
            key = spec.get("symbol") or "*"
            self.skip[key] = self.skip.get(key, 0) + int(spec.get("count", 1))
        elif kind == "delay_ack":
            self.delays.extend([float(spec.get("seconds", 1.0))] * int(spec.get("count", 1)))
        elif kind == "lose_ack":
            self.lost += int(spec.get("count", 1))
        elif kind == "error":
            self.errors.append(ErrorFault(int(spec.get("count", 1)), int(spec.get("status", 400)),
                                          int(spec.get("code", -1001)), str(spec.get("msg", INTERNAL)),
                                          bool(spec.get("execute", False)), str(spec.get("scope", "all"))))
        elif kind == "http_error":
            status = int(spec.get("status", 503))
            if status < 500 or status > 599:
                raise ValueError("http_error status must be 5XX")
            self.errors.append(ErrorFault(int(spec.get("count", 1)), status, None,
                                          HTTP_BODIES.get(status, "Server Error"), bool(spec.get("execute", False)),
                                          str(spec.get("scope", "all"))))
        elif kind == "clear":
            self.skip.clear()
            self.delays.clear()
            self.lost = 0
            self.errors.clear()
            return "clear"
        elif kind in ("drop_ws", "rate_limit", "clock_shift", "expire_listen_key"):
            return kind
        else:
            raise ValueError(f"unknown fault type {kind!r}")
        return None

    def take_skip(self, symbol: str) -> bool:
        for key in (symbol, "*"):
            if self.skip.get(key, 0) > 0:
                self.skip[key] -= 1
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
        return self.delays.pop(0) if self.delays else 0.0

    def take_lost(self) -> bool:
        if self.lost > 0:
            self.lost -= 1
            return True
        return False

    def state(self) -> dict:
        return {"skipUpdates": dict(self.skip), "delayAcks": list(self.delays), "lostAcks": self.lost,
                "errors": [vars(e) for e in self.errors]}
