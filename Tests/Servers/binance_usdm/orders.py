"""Orders and their documented shapes: the REST order object and ORDER_TRADE_UPDATE's `o`."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from common import ZERO, fmt
from symbols import Spec


def new_client_id() -> str:
    return "srv" + secrets.token_hex(10)


@dataclass
class Fill:
    price: Decimal
    qty: Decimal
    commission: Decimal
    realized: Decimal
    trade_id: int
    maker: bool
    time: int

    def json(self) -> dict:
        return {"price": str(self.price), "qty": str(self.qty), "commission": fmt(self.commission),
                "realizedPnl": fmt(self.realized), "tradeId": self.trade_id, "maker": self.maker, "time": self.time}


@dataclass
class Order:
    spec: Spec
    order_id: int
    client_id: str
    side: str
    type: str
    tif: str
    price: Decimal
    orig_qty: Decimal
    reduce_only: bool
    position_side: str
    uid: int
    time: int
    update_time: int
    opening_qty: Decimal = ZERO        # the part that would open or grow a position (counts for open-order margin)
    executed: Decimal = ZERO
    cum_quote: Decimal = ZERO
    status: str = "NEW"
    expire_reason: int = 0
    fills: list[Fill] = field(default_factory=list)
    ack: dict = field(default_factory=dict)

    @property
    def symbol(self) -> str:
        return self.spec.symbol

    @property
    def remaining(self) -> Decimal:
        return self.orig_qty - self.executed

    @property
    def is_open(self) -> bool:
        return self.status in ("NEW", "PARTIALLY_FILLED")

    @property
    def sign(self) -> int:
        return 1 if self.side == "BUY" else -1

    def avg_price(self) -> Decimal:
        return self.cum_quote / self.executed if self.executed else ZERO

    def open_margin_qty(self) -> Decimal:
        return min(self.remaining, self.opening_qty) if self.is_open else ZERO

    def json(self, with_time: bool = True) -> dict:
        spec = self.spec
        row = {
            "orderId": self.order_id, "symbol": self.symbol, "status": self.status, "clientOrderId": self.client_id,
            "price": spec.price_text(self.price), "avgPrice": fmt(self.avg_price(), 8),
            "origQty": spec.qty_text(self.orig_qty), "executedQty": spec.qty_text(self.executed),
            "cumQty": spec.qty_text(self.executed), "cumQuote": fmt(self.cum_quote, 8),
            "timeInForce": self.tif, "type": self.type, "reduceOnly": self.reduce_only, "closePosition": False,
            "side": self.side, "positionSide": self.position_side, "stopPrice": spec.price_text(ZERO),
            "workingType": "CONTRACT_PRICE", "priceProtect": False, "origType": self.type, "priceMatch": "NONE",
            "selfTradePreventionMode": "EXPIRE_MAKER", "goodTillDate": 0, "updateTime": self.update_time,
        }
        if with_time:
            row["time"] = self.time
        return row

    def update_event(self, now: int, exec_type: str, fill: Fill | None, bids_notional: Decimal,
                     asks_notional: Decimal) -> dict:
        spec = self.spec
        return {"e": "ORDER_TRADE_UPDATE", "E": now, "T": fill.time if fill else now, "o": {
            "s": self.symbol, "c": self.client_id, "S": self.side, "o": self.type, "f": self.tif,
            "q": spec.qty_text(self.orig_qty), "p": spec.price_text(self.price), "ap": fmt(self.avg_price(), 8),
            "sp": spec.price_text(ZERO), "x": exec_type, "X": self.status, "i": self.order_id,
            "l": spec.qty_text(fill.qty) if fill else spec.qty_text(ZERO), "z": spec.qty_text(self.executed),
            "L": spec.price_text(fill.price) if fill else spec.price_text(ZERO), "N": "USDT",
            "n": fmt(fill.commission) if fill else "0", "T": fill.time if fill else now,
            "t": fill.trade_id if fill else 0, "b": fmt(bids_notional), "a": fmt(asks_notional),
            "m": fill.maker if fill else False, "R": self.reduce_only, "wt": "CONTRACT_PRICE", "ot": self.type,
            "ps": self.position_side, "cp": False, "rp": fmt(fill.realized) if fill else "0", "pP": False,
            "si": 0, "ss": 0, "V": "EXPIRE_MAKER", "pm": "NONE", "gtd": 0, "er": str(self.expire_reason)}}
