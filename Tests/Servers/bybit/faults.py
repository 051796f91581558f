"""Faults a test injects through the control port (POST /control/fault with JSON):

{"type": "drop_ws", "which": "all"|"public"|"private"}   close WebSocket connections now (no close frame)
{"type": "skip_update", "count": N, "symbol": S?}         the next N changes of a book are applied but their
                                                          orderbook messages are never sent: the next message's u
                                                          jumps by more than 1 (a gap)
{"type": "duplicate_delta", "count": N, "symbol": S?}     the next N orderbook messages are sent twice (same u)
{"type": "stale_delta", "count": N, "symbol": S?}         after each of the next N orderbook messages, the one
                                                          before it on that topic is sent again (an older u)
{"type": "reset_u", "symbol": S?}                         now: as after a service restart, every orderbook topic
                                                          of the symbol(s) restarts at u = 1 with a snapshot
{"type": "resnapshot", "symbol": S?}                      now: a snapshot (same u) on every orderbook topic
{"type": "delay_ack", "seconds": T, "count": 1}           the next order answers (create/cancel/cancel-all) leave T
                                                          seconds late (executed at once)
{"type": "lose_ack", "count": 1}                          the next order request IS executed, its answer never sent
                                                          (the connection is closed)
{"type": "error", "code": 10016, "msg": "...", "status": 200, "count": 1, "execute": false,
 "scope": "all"|"orders"}                                 the next N requests answer that retCode; with
                                                          execute=true an order request is executed first
{"type": "http_error", "status": 503, "count": 1, "execute": false, "scope": "all"|"orders"}
                                                          a bare 5XX (no envelope), executed first or not
{"type": "rate_limit", "count": 1}                        the next N requests answer 10006 with the X-Bapi-Limit
                                                          headers; one sent before the reset timestamp then gets the
                                                          IP banned: HTTP 403
{"type": "clock_shift", "ms": X}                          server time = machine time + X (10002, auth expiry)
{"type": "bad_auth", "count": 1}                          the next N WebSocket auths fail ("Request not authorized")
{"type": "clear"}                                         every pending fault and the clock shift go
"""
from __future__ import annotations

from dataclasses import dataclass, field

from common import MSG, BybitError

HTTP_BODIES = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
IMMEDIATE = ("drop_ws", "rate_limit", "clock_shift", "reset_u", "resnapshot")


@dataclass
class ErrorFault:
    remaining: int
    status: int
    code: int | None      # None: a bare HTTP error
    msg: str
    execute: bool
    scope: str

    def error(self) -> BybitError:
        return BybitError(self.code if self.code is not None else 0, self.msg, http=self.status)


@dataclass
class Faults:
    skip: dict[str, int] = field(default_factory=dict)
    duplicate: dict[str, int] = field(default_factory=dict)
    stale: dict[str, int] = field(default_factory=dict)
    delays: list[float] = field(default_factory=list)
    lost: int = 0
    bad_auth: int = 0
    errors: list[ErrorFault] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)

    def add(self, spec: dict) -> str | None:
        kind = spec.get("type")
        self.history.append(spec)
        count = int(spec.get("count", 1))
        key = spec.get("symbol") or "*"
        if kind == "skip_update":
            self.skip[key] = self.skip.get(key, 0) + count
        elif kind == "duplicate_delta":
            self.duplicate[key] = self.duplicate.get(key, 0) + count
        elif kind == "stale_delta":
            self.stale[key] = self.stale.get(key, 0) + count
        elif kind == "delay_ack":
            self.delays.extend([float(spec.get("seconds", 1.0))] * count)
        elif kind == "lose_ack":
            self.lost += count
        elif kind == "bad_auth":
            self.bad_auth += count
        elif kind == "error":
            code = int(spec.get("code", 10016))
            self.errors.append(ErrorFault(count, int(spec.get("status", 200)), code,
                                          str(spec.get("msg", MSG.get(code, "error"))),
                                          bool(spec.get("execute", False)), str(spec.get("scope", "all"))))
        elif kind == "http_error":
            status = int(spec.get("status", 503))
            if status < 500 or status > 599:
                raise ValueError("http_error status must be 5XX")
            self.errors.append(ErrorFault(count, status, None, HTTP_BODIES.get(status, "Server Error"),
                                          bool(spec.get("execute", False)), str(spec.get("scope", "all"))))
        elif kind == "clear":
            self.skip.clear()
            self.duplicate.clear()
            self.stale.clear()
            self.delays.clear()
            self.lost = self.bad_auth = 0
            self.errors.clear()
            return "clear"
        elif kind in IMMEDIATE:
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
        return self._take(self.skip, symbol)

    def take_duplicate(self, symbol: str) -> bool:
        return self._take(self.duplicate, symbol)

    def take_stale(self, symbol: str) -> bool:
        return self._take(self.stale, symbol)

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

    def take_bad_auth(self) -> bool:
        if self.bad_auth > 0:
            self.bad_auth -= 1
            return True
        return False

    def state(self) -> dict:
        return {"skipUpdates": dict(self.skip), "duplicateDeltas": dict(self.duplicate),
                "staleDeltas": dict(self.stale),
                "delayAcks": list(self.delays), "lostAcks": self.lost, "badAuths": self.bad_auth,
                "errors": [vars(e) for e in self.errors]}
