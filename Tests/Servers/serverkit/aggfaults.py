"""The aggregator servers' faults (1inch, 0x): what a test injects through the control port (POST /control/fault with JSON); each applies to the next `count`
requests of the API port (default 1), in the order given:

{"type": "delay", "seconds": T}          the answer leaves T seconds late
{"type": "http_error", "status": 500}    a bare 5XX, text body (as a gateway sends it; not the API's error shape)
{"type": "malformed"}                    the right status, the body cut in half (not JSON any more)
{"type": "drop"}                         the connection closes without an answer
{"type": "mismatch"}                     an answer that is not for what was asked (1inch: a swap built for another
                                         sender; 0x: a price for sellAmount + 1)
{"type": "rate_limit", "retryAfter": S}  429 in the API's error shape with `Retry-After: S`; "retryAfter": null sends
                                         no header
{"type": "clear"}                        every pending fault goes
"""
from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("delay", "http_error", "malformed", "drop", "rate_limit", "mismatch")


@dataclass
class Fault:
    kind: str
    remaining: int
    spec: dict


@dataclass
class Faults:
    pending: list[Fault] = field(default_factory=list)

    def add(self, spec: dict) -> None:
        kind = spec.get("type")
        if kind == "clear":
            self.pending.clear()
            return
        if kind not in KINDS:
            raise ValueError(f"unknown fault type {kind!r}")
        if kind == "http_error" and not 500 <= int(spec.get("status", 500)) <= 599:
            raise ValueError("http_error status must be 5XX")
        self.pending.append(Fault(kind, int(spec.get("count", 1)), spec))

    def take(self) -> Fault | None:
        for fault in self.pending:
            if fault.remaining > 0:
                fault.remaining -= 1
                if fault.remaining == 0:
                    self.pending.remove(fault)
                return fault
        return None

    def state(self) -> list[dict]:
        return [{"type": f.kind, "remaining": f.remaining, **{k: v for k, v in f.spec.items() if k != "type"}}
                for f in self.pending]
