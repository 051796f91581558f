"""Orders and executions in their documented shapes: the order object of /v5/order/realtime and of the `order`
topic, and the execution object of /v5/execution/list and of the `execution` topic."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from common import CATEGORY, SETTLE, ZERO, plain
from symbols import Spec

OPEN = ("New", "PartiallyFilled")


@dataclass
class Order:
    spec: Spec
    order_id: str
    link_id: str
    side: str                      # Buy / Sell
    type: str                      # Limit / Market
    tif: str                       # GTC / IOC / FOK / PostOnly
    price: Decimal                 # Market: the slippage-protection price it was converted to
    qty: Decimal
    reduce_only: bool
    close_on_trigger: bool
    idx: int                       # positionIdx
    uid: int
    created: int
    updated: int
    last_price_on_created: Decimal
    opening_qty: Decimal = ZERO    # the part that would open or grow a position (counts for order margin)
    status: str = "New"
    cancel_type: str = "UNKNOWN"
    reject_reason: str = "EC_NoError"
    executed: Decimal = ZERO
    cum_value: Decimal = ZERO
    cum_fee: Decimal = ZERO
    exec_ids: list[str] = field(default_factory=list)

    @property
    def symbol(self) -> str:
        return self.spec.symbol

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def remaining(self) -> Decimal:
        return self.qty - self.executed

    @property
    def sign(self) -> int:
        return 1 if self.side == "Buy" else -1

    def avg_price(self) -> str:
        if not self.executed:
            return ""
        return plain((self.cum_value / self.executed).quantize(Decimal("0.00000001"), rounding=ROUND_HALF_UP))

    def open_margin_qty(self) -> Decimal:
        return min(self.remaining, self.opening_qty) if self.is_open else ZERO

    def json(self, ws: bool = False) -> dict:
        spec = self.spec
        leaves = self.remaining if self.is_open else ZERO
        row = {
            "orderId": self.order_id, "orderLinkId": self.link_id, "blockTradeId": "", "symbol": self.symbol,
            "price": spec.price_text(self.price), "qty": spec.qty_text(self.qty), "side": self.side, "isLeverage": "",
            "positionIdx": self.idx, "orderStatus": self.status, "createType": "CreateByUser",
            "cancelType": self.cancel_type, "rejectReason": self.reject_reason, "avgPrice": self.avg_price(),
            "leavesQty": spec.qty_text(leaves), "leavesValue": plain(leaves * self.price),
            "cumExecQty": spec.qty_text(self.executed), "cumExecValue": plain(self.cum_value),
            "cumExecFee": plain(self.cum_fee), "timeInForce": self.tif, "orderType": self.type,
            "stopOrderType": "", "orderIv": "", "marketUnit": "", "triggerPrice": "", "takeProfit": "", "stopLoss": "",
            "tpslMode": "", "ocoTriggerBy": "", "tpLimitPrice": "", "slLimitPrice": "", "tpTriggerBy": "",
            "slTriggerBy": "", "triggerDirection": 0, "triggerBy": "",
            "lastPriceOnCreated": spec.price_text(self.last_price_on_created), "reduceOnly": self.reduce_only,
            "closeOnTrigger": self.close_on_trigger, "placeType": "", "smpType": "None", "smpGroup": 0,
            "smpOrderId": "", "createdTime": str(self.created), "updatedTime": str(self.updated),
        }
        if ws:
            row.update({"category": CATEGORY, "feeCurrency": ""})
        return row


def trade_execution(order: Order, exec_id: str, price: Decimal, qty: Decimal, fee: Decimal, rate: Decimal,
                    maker: bool, closed: Decimal, mark: Decimal, index: Decimal, now: int, seq: int) -> dict:
    spec = order.spec
    return {"category": CATEGORY, "symbol": order.symbol, "orderId": order.order_id, "orderLinkId": order.link_id,
            "side": order.side, "orderPrice": spec.price_text(order.price), "orderQty": spec.qty_text(order.qty),
            "leavesQty": spec.qty_text(order.remaining), "createType": "CreateByUser", "orderType": order.type,
            "stopOrderType": "", "execFee": plain(fee), "execId": exec_id, "execPrice": spec.price_text(price),
            "execQty": spec.qty_text(qty), "execType": "Trade", "execValue": plain(price * qty), "execTime": str(now),
            "feeCurrency": SETTLE, "isMaker": maker, "feeRate": plain(rate), "tradeIv": "", "markIv": "",
            "markPrice": spec.price_text(mark), "indexPrice": spec.price_text(index), "underlyingPrice": "",
            "blockTradeId": "", "closedSize": spec.qty_text(closed), "seq": seq, "isLeverage": "0"}


def funding_execution(spec: Spec, exec_id: str, order_id: str, side: str, size: Decimal, mark: Decimal,
                      rate: Decimal, fee: Decimal, now: int, seq: int, index: Decimal) -> dict:
    """execType Funding: execQty = the position size, execPrice = the mark price, execValue = size x mark,
    feeRate = the funding rate as the position sees it (negated for a short), execFee = execValue x feeRate:
    positive = paid, negative = received (the sign convention of trading fees)."""
    return {"category": CATEGORY, "symbol": spec.symbol, "orderId": order_id, "orderLinkId": "", "side": side,
            "orderPrice": "0", "orderQty": "0", "leavesQty": "0", "createType": "", "orderType": "UNKNOWN",
            "stopOrderType": "UNKNOWN", "execFee": plain(fee), "execId": exec_id, "execPrice": spec.price_text(mark),
            "execQty": spec.qty_text(size), "execType": "Funding", "execValue": plain(size * mark),
            "execTime": str(now), "feeCurrency": SETTLE, "isMaker": False, "feeRate": plain(rate), "tradeIv": "",
            "markIv": "", "markPrice": spec.price_text(mark), "indexPrice": spec.price_text(index),
            "underlyingPrice": "", "blockTradeId": "", "closedSize": "0", "seq": seq, "isLeverage": "0"}
