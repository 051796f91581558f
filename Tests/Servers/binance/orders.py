"""An order, its fills, and the JSON Binance writes for it (rest-api.md responses, user-data-stream.md executionReport)."""
from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from decimal import Decimal

from common import ZERO, fmt

OPEN_STATUSES = ("NEW", "PARTIALLY_FILLED")
CLIENT_ID_CHARS = string.ascii_letters + string.digits


def new_client_id() -> str:
    return "".join(random.choice(CLIENT_ID_CHARS) for _ in range(22))


@dataclass
class Fill:
    price: Decimal
    qty: Decimal
    quote: Decimal
    commission: Decimal
    commission_asset: str
    trade_id: int
    maker: bool
    time: int

    def json(self) -> dict:
        return {"price": fmt(self.price), "qty": fmt(self.qty), "commission": fmt(self.commission),
                "commissionAsset": self.commission_asset, "tradeId": self.trade_id}


@dataclass
class Order:
    symbol: str
    order_id: int
    client_order_id: str
    side: str
    type: str
    time_in_force: str
    price: Decimal
    orig_qty: Decimal
    orig_quote_qty: Decimal
    time: int
    uid: int
    executed_qty: Decimal = ZERO
    cum_quote: Decimal = ZERO
    status: str = "NEW"
    update_time: int = 0
    working_time: int = -1
    locked_asset: str = ""
    locked_remaining: Decimal = ZERO
    fills: list[Fill] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def remaining(self) -> Decimal:
        return self.orig_qty - self.executed_qty

    def _core(self) -> dict:
        return {
            "symbol": self.symbol,
            "orderId": self.order_id,
            "orderListId": -1,
            "clientOrderId": self.client_order_id,
        }

    def ack(self, transact_time: int) -> dict:
        return {**self._core(), "transactTime": transact_time}

    def result(self, transact_time: int) -> dict:
        body = {
            **self._core(),
            "transactTime": transact_time,
            "price": fmt(self.price),
            "origQty": fmt(self.orig_qty),
            "executedQty": fmt(self.executed_qty),
            "origQuoteOrderQty": fmt(self.orig_quote_qty),
            "cummulativeQuoteQty": fmt(self.cum_quote),
            "status": self.status,
            "timeInForce": self.time_in_force,
            "type": self.type,
            "side": self.side,
        }
        if self.working_time >= 0:
            body["workingTime"] = self.working_time
        body["selfTradePreventionMode"] = "NONE"
        return body

    def full(self, transact_time: int, fills: list[Fill]) -> dict:
        return {**self.result(transact_time), "fills": [fill.json() for fill in fills]}

    def query(self) -> dict:
        """GET /api/v3/order, openOrders, allOrders."""
        return {
            **self._core(),
            "price": fmt(self.price),
            "origQty": fmt(self.orig_qty),
            "executedQty": fmt(self.executed_qty),
            "cummulativeQuoteQty": fmt(self.cum_quote),
            "status": self.status,
            "timeInForce": self.time_in_force,
            "type": self.type,
            "side": self.side,
            "stopPrice": fmt(ZERO),
            "icebergQty": fmt(ZERO),
            "time": self.time,
            "updateTime": self.update_time,
            "isWorking": self.working_time >= 0,
            "workingTime": self.working_time,
            "origQuoteOrderQty": fmt(self.orig_quote_qty),
            "selfTradePreventionMode": "NONE",
        }

    def canceled(self, cancel_client_id: str, transact_time: int) -> dict:
        """DELETE /api/v3/order and the entries of DELETE /api/v3/openOrders."""
        return {
            "symbol": self.symbol,
            "origClientOrderId": self.client_order_id,
            "orderId": self.order_id,
            "orderListId": -1,
            "clientOrderId": cancel_client_id,
            "transactTime": transact_time,
            "price": fmt(self.price),
            "origQty": fmt(self.orig_qty),
            "executedQty": fmt(self.executed_qty),
            "origQuoteOrderQty": fmt(self.orig_quote_qty),
            "cummulativeQuoteQty": fmt(self.cum_quote),
            "status": self.status,
            "timeInForce": self.time_in_force,
            "type": self.type,
            "side": self.side,
            "selfTradePreventionMode": "NONE",
        }

    def execution_report(self, event_time: int, exec_type: str, execution_id: int, fill: Fill | None = None,
                         client_id: str | None = None, orig_client_id: str = "") -> dict:
        report = {
            "e": "executionReport",
            "E": event_time,
            "s": self.symbol,
            "c": client_id or self.client_order_id,
            "S": self.side,
            "o": self.type,
            "f": self.time_in_force,
            "q": fmt(self.orig_qty),
            "p": fmt(self.price),
            "P": fmt(ZERO),
            "F": fmt(ZERO),
            "g": -1,
            "C": orig_client_id,
            "x": exec_type,
            "X": self.status,
            "r": "NONE",
            "i": self.order_id,
            "l": fmt(fill.qty) if fill else fmt(ZERO),
            "z": fmt(self.executed_qty),
            "L": fmt(fill.price) if fill else fmt(ZERO),
            "n": fmt(fill.commission) if fill else "0",
            "N": fill.commission_asset if fill else None,
            "T": fill.time if fill else event_time,
            "t": fill.trade_id if fill else -1,
            "I": execution_id,
            "w": self.is_open and self.working_time >= 0,
            "m": fill.maker if fill else False,
            "M": False,
            "O": self.time,
            "Z": fmt(self.cum_quote),
            "Y": fmt(fill.quote) if fill else fmt(ZERO),
            "Q": fmt(self.orig_quote_qty),
        }
        if self.working_time >= 0:
            report["W"] = self.working_time
        report["V"] = "NONE"
        return report
