"""The faults a test injects through the control port (POST /control/fault, JSON). Request faults apply to the next
`count` requests of the RPC port (default 1), only to requests calling `method` when one is given (the method of a
batch's first request), in the order given:

{"type": "rate_limit"}                   HTTP 429 with a JSON-RPC error {"code": 429, "message": "Too many requests
                                         for a specific RPC call, contact your app developer or support@rpcpool.com."}
{"type": "http_error", "status": 503}    a bare 5XX with a text body, as a load balancer sends it
{"type": "hang", "seconds": S}           the answer never comes (the request is held S seconds, default 3600, then
                                         the connection closes without one)
{"type": "drop"}                         the connection closes without an answer (with `count`: the node "down"
                                         for the next N requests)
A request fault with `"signer": KEY` applies only to sendTransaction / simulateTransaction requests whose fee payer
is KEY (a path that loses one wallet's transactions while other senders' get through).

Faults applied at once:
{"type": "down", "seconds": S}           the RPC and WebSocket ports close (connections refused) for S seconds
{"type": "behind", "slots": N}           the node is N slots behind until set back to 0: getHealth and every
                                         preflight answer -32005 {"numSlotsBehind": N}; reads lag N blocks
{"type": "ws_close"}                     every WebSocket connection drops (no close frame)
{"type": "clear"}                        every pending request fault goes (not `behind`)
"""
from __future__ import annotations

from dataclasses import dataclass, field

REQUEST_KINDS = ("rate_limit", "http_error", "hang", "drop")
NOW_KINDS = ("down", "behind", "ws_close", "clear")
RATE_LIMIT_MESSAGE = ("Too many requests for a specific RPC call, contact your app developer or "
                      "support@rpcpool.com.")


@dataclass
class Fault:
    kind: str
    remaining: int
    method: str | None
    spec: dict


@dataclass
class Faults:
    pending: list[Fault] = field(default_factory=list)

    def check(self, spec) -> str:
        if not isinstance(spec, dict):
            raise ValueError("a fault is a JSON object with a `type`")
        kind = spec.get("type")
        if kind not in REQUEST_KINDS + NOW_KINDS:
            raise ValueError(f"unknown fault type {kind!r}; known: {', '.join(REQUEST_KINDS + NOW_KINDS)}")
        if kind == "http_error" and not 500 <= int(spec.get("status", 500)) <= 599:
            raise ValueError(f"http_error status must be 5XX, got {spec.get('status')!r}")
        count = spec.get("count", 1)
        if not isinstance(count, int) or count < 1:
            raise ValueError(f"count must be a positive integer, got {count!r}")
        return kind

    def add(self, spec: dict) -> None:
        self.pending.append(Fault(spec["type"], spec.get("count", 1), spec.get("method"), spec))

    def take(self, method: str | None, signer: str | None = None) -> Fault | None:
        for fault in self.pending:
            wanted_signer = fault.spec.get("signer")
            if wanted_signer is not None and wanted_signer != signer:
                continue
            if fault.method is None or fault.method == method:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.pending.remove(fault)
                return fault
        return None

    def state(self) -> list[dict]:
        return [{"type": f.kind, "remaining": f.remaining, "method": f.method} for f in self.pending]
