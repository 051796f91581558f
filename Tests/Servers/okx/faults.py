"""Faults a test injects through the control port (POST /control/fault with JSON):

{"type": "drop_ws", "which": "all" | "public" | "private"}  close those WebSocket connections now (no close frame)
{"type": "skip_update", "count": N, "instId": "BTC-USDT"?}  the next N books updates are applied but never sent:
                                                            the next one sent has a prevSeqId the client never saw
{"type": "corrupt_checksum", "count": N, "instId": S?}     the next N books updates go out with a wrong checksum
{"type": "seq_reset", "instId": S, "seqId": 3}              the next update restarts the sequence (seqId < prevSeqId),
                                                            as the docs say maintenance may do
{"type": "delay_ack", "seconds": T, "count": 1}             the next order acks (place/cancel/amend) leave T s late;
                                                            the order's pushes go out before the ack
{"type": "lose_ack", "count": 1}                           the next order request IS executed, its answer never sent
                                                            (the HTTP connection / WebSocket is closed instead)
{"type": "error", "count": N, "status": 503, "code": "50001", "msg": "...", "execute": false,
 "scope": "all" | "orders"}                                 the next N requests answer that HTTP status and code
                                                            (WebSocket ops: that code); with execute=true an order
                                                            request is executed first
{"type": "rate_limit", "count": N, "path": "/api/v5/..."?}  the next N requests (to that path) get 429 / 50011
{"type": "clock_shift", "ms": X}                            server time = machine time + X (for 50102 / 60006)
{"type": "clear"}                                           remove every pending fault and the clock shift
"""
from __future__ import annotations

from dataclasses import dataclass, field

from common import OkxError


@dataclass
class ErrorFault:
    remaining: int
    status: int
    code: str
    msg: str
    execute: bool
    scope: str


@dataclass
class Faults:
    skips: dict[str, int] = field(default_factory=dict)          # instId or "*" -> updates still to skip
    corrupts: dict[str, int] = field(default_factory=dict)
    delay_acks: list[float] = field(default_factory=list)
    lost_acks: int = 0
    errors: list[ErrorFault] = field(default_factory=list)
    rate_limits: list[list] = field(default_factory=list)        # [remaining, path or None]
    history: list[dict] = field(default_factory=list)

    def add(self, spec: dict) -> str | None:
        """Registers a fault. Returns the name of an immediate action the server must perform, if any."""
        kind = spec.get("type")
        self.history.append(spec)
        count = int(spec.get("count", 1))
        inst = spec.get("instId") or "*"
        if kind == "skip_update":
            self.skips[inst] = self.skips.get(inst, 0) + count
        elif kind == "corrupt_checksum":
            self.corrupts[inst] = self.corrupts.get(inst, 0) + count
        elif kind == "delay_ack":
            self.delay_acks.extend([float(spec.get("seconds", 1.0))] * count)
        elif kind == "lose_ack":
            self.lost_acks += count
        elif kind == "error":
            self.errors.append(ErrorFault(
                remaining=count, status=int(spec.get("status", 503)), code=str(spec.get("code", "50001")),
                msg=str(spec.get("msg", "Service temporarily unavailable. Please try again later.")),
                execute=bool(spec.get("execute", False)), scope=str(spec.get("scope", "all"))))
        elif kind == "rate_limit":
            self.rate_limits.append([count, spec.get("path")])
        elif kind == "clear":
            self.skips.clear()
            self.corrupts.clear()
            self.delay_acks.clear()
            self.lost_acks = 0
            self.errors.clear()
            self.rate_limits.clear()
            return "clear"
        elif kind in ("drop_ws", "clock_shift", "seq_reset"):
            return kind
        else:
            raise ValueError(f"unknown fault type {kind!r}")
        return None

    @staticmethod
    def _take(table: dict[str, int], inst_id: str) -> bool:
        for key in (inst_id, "*"):
            if table.get(key, 0) > 0:
                table[key] -= 1
                return True
        return False

    def take_skip(self, inst_id: str) -> bool:
        return self._take(self.skips, inst_id)

    def take_corrupt(self, inst_id: str) -> bool:
        return self._take(self.corrupts, inst_id)

    def take_error(self, is_order: bool) -> ErrorFault | None:
        for fault in self.errors:
            if fault.scope == "all" or is_order:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.errors.remove(fault)
                return fault
        return None

    def take_rate_limit(self, path: str) -> bool:
        for entry in self.rate_limits:
            if entry[1] in (None, path):
                entry[0] -= 1
                if entry[0] <= 0:
                    self.rate_limits.remove(entry)
                return True
        return False

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


def as_error(fault: ErrorFault) -> OkxError:
    return OkxError(fault.code, fault.msg, http=fault.status)
