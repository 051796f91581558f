"""Spot instruments as the capture's instruments file gives them (GET /api/v5/public/instruments), and their rules.

The file (2022-05-13) has the fields of that time. Two fields the current docs add and the server needs are
filled in: `instIdCode` (the WebSocket order operations may name an instrument by it) and `groupId` ("1",
"Spot USDT", which GET /api/v5/account/trade-fee's feeGroup refers to). Everything else is served as recorded.

Rules enforced (docs-v5 "Get instruments"): sz >= minSz (51020), sz a multiple of lotSz (51121), px a multiple of
tickSz, sz <= maxLmtSz for limit orders and maxMktSz (in USDT) for market orders (51005 / 51202).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from common import INSTRUMENT_MISSING, OkxError, empty_param

D = Decimal
INST_ID_CODE_BASE = 1_000_000_000


@dataclass
class Instrument:
    inst_id: str
    base: str
    quote: str
    tick: Decimal
    lot: Decimal
    min_sz: Decimal
    max_lmt_sz: Decimal
    max_mkt_sz: Decimal
    state: str
    code: int
    row: dict

    def json(self) -> dict:
        return {**self.row, "instIdCode": self.code, "groupId": self.row.get("groupId", "1")}


class Instruments:
    def __init__(self, rows: list[dict]) -> None:
        self.by_id: dict[str, Instrument] = {}
        self.by_code: dict[int, Instrument] = {}
        for index, row in enumerate(r for r in rows if r["instType"] == "SPOT"):
            inst = Instrument(
                inst_id=row["instId"], base=row["baseCcy"], quote=row["quoteCcy"], tick=D(row["tickSz"]),
                lot=D(row["lotSz"]), min_sz=D(row["minSz"]), max_lmt_sz=D(row["maxLmtSz"] or "1e30"),
                max_mkt_sz=D(row["maxMktSz"] or "1e30"), state=row["state"], code=INST_ID_CODE_BASE + index,
                row=row)
            self.by_id[inst.inst_id] = inst
            self.by_code[inst.code] = inst

    def all(self) -> list[Instrument]:
        return list(self.by_id.values())

    def get(self, inst_id) -> Instrument | None:
        return self.by_id.get(inst_id) if isinstance(inst_id, str) else None

    def require(self, inst_id) -> Instrument:
        """instId of a request: missing -> 50014, unknown -> 51001 (request level, as for the market endpoints)."""
        if inst_id in (None, ""):
            raise empty_param("instId")
        inst = self.get(inst_id)
        if inst is None:
            raise OkxError(51001, INSTRUMENT_MISSING)
        return inst

    def resolve(self, args: dict) -> Instrument | None:
        """An order's instrument by instId or instIdCode (the WebSocket order ops document instIdCode)."""
        if args.get("instId") not in (None, ""):
            return self.get(args["instId"])
        code = args.get("instIdCode")
        try:
            return self.by_code.get(int(code)) if code not in (None, "") else None
        except (TypeError, ValueError):
            return None
