"""An order, its fills, and the JSON OKX writes for them: GET /api/v5/trade/order (and orders-pending / -history),
the `orders` channel push, and GET /api/v5/trade/fills. Keys and their empty values follow the docs' examples
(docs-v5 "GET / Order details", "WS / Order channel", "GET / Transaction details"); fields of features this server
does not have (algo orders, options, margin) are present with the values the examples give a plain spot order.

Differences the docs call out and this file keeps: in REST, fillPx/fillSz/tradeId/fillTime are those of the *last*
fill; in the channel they belong to *this* update (empty when the update is not a fill). avgPx is "" before any
fill in REST and "0" in the channel.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from common import ZERO, fmt

OPEN_STATES = ("live", "partially_filled")
CLIENT_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")     # case-sensitive alphanumerics, 1-32 (docs: clOrdId, tag: 1-16)
TAG = re.compile(r"^[A-Za-z0-9]{1,16}$")


@dataclass
class Fill:
    trade_id: str
    bill_id: str
    px: Decimal
    sz: Decimal
    fee: Decimal          # signed as OKX writes it: negative = charged
    fee_ccy: str
    fee_rate: Decimal
    maker: bool
    time: int


@dataclass
class Order:
    inst_id: str
    base: str
    quote: str
    ord_id: str
    cl_ord_id: str
    tag: str
    side: str
    ord_type: str
    sz: Decimal
    px: Decimal | None
    tgt_ccy: str
    uid: str
    c_time: int
    u_time: int
    state: str = "live"
    acc_fill_sz: Decimal = ZERO
    cum_quote: Decimal = ZERO
    fee: Decimal = ZERO
    frozen_ccy: str = ""
    frozen_left: Decimal = ZERO
    cancel_source: str = ""
    amend_result: str = ""
    req_id: str = ""
    fills: list[Fill] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def remaining(self) -> Decimal:
        return self.sz - self.acc_fill_sz

    @property
    def fee_ccy(self) -> str:
        return self.base if self.side == "buy" else self.quote    # feeType 0: charged in what the order receives

    def avg_px(self) -> Decimal | None:
        return self.cum_quote / self.acc_fill_sz if self.acc_fill_sz > 0 else None

    def _common(self) -> dict:
        last = self.fills[-1] if self.fills else None
        avg = self.avg_px()
        return {
            "instType": "SPOT", "instId": self.inst_id, "tgtCcy": self.tgt_ccy, "ccy": "", "ordId": self.ord_id,
            "clOrdId": self.cl_ord_id, "tag": self.tag, "px": fmt(self.px) if self.px is not None else "",
            "pxUsd": "", "pxVol": "", "pxType": "", "sz": fmt(self.sz), "pnl": "0", "ordType": self.ord_type,
            "side": self.side, "tdMode": "cash", "accFillSz": fmt(self.acc_fill_sz),
            "avgPx": fmt(avg) if avg is not None else "", "state": self.state, "stpId": "",
            "stpMode": "cancel_maker", "attachAlgoClOrdId": "", "tpTriggerPx": "", "tpTriggerPxType": "",
            "tpOrdPx": "", "slTriggerPx": "", "slTriggerPxType": "", "slOrdPx": "", "attachAlgoOrds": [],
            "linkedAlgoOrd": {"algoId": ""}, "feeCcy": self.fee_ccy, "fee": fmt(self.fee),
            "rebateCcy": self.quote if self.side == "buy" else self.base, "rebate": "0", "source": "",
            "category": "normal", "reduceOnly": "false", "isTpLimit": "false", "cancelSource": self.cancel_source,
            "quickMgnType": "", "algoClOrdId": "", "algoId": "", "tradeQuoteCcy": self.quote,
            "uTime": str(self.u_time), "cTime": str(self.c_time),
            "_last": last,
        }

    def details(self) -> dict:
        """GET /api/v5/trade/order, orders-pending, orders-history."""
        body = self._common()
        last = body.pop("_last")
        body.update({"posSide": "net", "lever": "", "cancelSourceReason": "",
                     "fillPx": fmt(last.px) if last else "", "fillSz": fmt(last.sz) if last else "0",
                     "tradeId": last.trade_id if last else "", "fillTime": str(last.time) if last else ""})
        return body

    def push(self, fill: Fill | None = None, last_px: str = "") -> dict:
        """One `orders` channel update; `fill` when the update is a fill."""
        body = self._common()
        body.pop("_last")
        avg = self.avg_px()
        notional = fill.px * fill.sz if fill else ZERO
        body.update({
            "posSide": "", "lever": "0", "avgPx": fmt(avg) if avg is not None else "0",
            "fillPx": fmt(fill.px) if fill else "", "tradeId": fill.trade_id if fill else "",
            "fillSz": fmt(fill.sz) if fill else "0", "fillPnl": "0", "fillTime": str(fill.time) if fill else "",
            "fillFee": fmt(fill.fee) if fill else "0", "fillFeeCcy": fill.fee_ccy if fill else "",
            "fillPxVol": "", "fillPxUsd": "", "fillMarkVol": "", "fillFwdPx": "", "fillMarkPx": "",
            "fillIdxPx": "", "execType": ("M" if fill.maker else "T") if fill else "",
            "fillNotionalUsd": fmt(notional) if fill else "", "notionalUsd": "",
            "amendResult": self.amend_result, "amendSource": "1" if self.amend_result else "",
            "reqId": self.req_id, "lastPx": last_px, "code": "0", "msg": "", "cancelSourceReason": "",
        })
        return body

    def fill_row(self, fill: Fill) -> dict:
        """GET /api/v5/trade/fills."""
        return {
            "instType": "SPOT", "instId": self.inst_id, "tradeId": fill.trade_id, "ordId": self.ord_id,
            "clOrdId": self.cl_ord_id, "billId": fill.bill_id, "subType": "1" if self.side == "buy" else "2",
            "tag": self.tag, "fillPx": fmt(fill.px), "fillSz": fmt(fill.sz), "fillIdxPx": "", "fillPnl": "0",
            "fillPxVol": "", "fillPxUsd": "", "fillMarkVol": "", "fillFwdPx": "", "fillMarkPx": "",
            "side": self.side, "posSide": "net", "execType": "M" if fill.maker else "T", "feeCcy": fill.fee_ccy,
            "fee": fmt(fill.fee), "ts": str(fill.time), "fillTime": str(fill.time), "feeRate": fmt(fill.fee_rate),
            "tradeQuoteCcy": self.quote,
        }

    def ack(self, ts: int, req_id: str | None = None) -> dict:
        """The data[] entry of a successful place / cancel / amend."""
        body = {"clOrdId": self.cl_ord_id, "ordId": self.ord_id, "tag": self.tag, "ts": str(ts), "sCode": "0",
                "sMsg": "", "subCode": ""}
        if req_id is not None:
            body["reqId"] = req_id
        return body
