"""Orders and fills, and how each is written: REST `Order` (get / list orders), REST `Fill` (list fills) and the
`user` channel's order items."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from common import ZERO, fmt, rfc3339
from products import Product

TIF = {"market_market_ioc": "IMMEDIATE_OR_CANCEL", "sor_limit_ioc": "IMMEDIATE_OR_CANCEL",
       "limit_limit_gtc": "GOOD_UNTIL_CANCELLED", "limit_limit_fok": "FILL_OR_KILL"}
TERMINAL = {"FILLED", "CANCELLED", "EXPIRED", "FAILED"}


@dataclass
class Fill:
    entry_id: str
    trade_id: str
    price: Decimal
    size: Decimal
    commission: Decimal
    maker: bool
    time: float

    def rest(self, order: "Order", user_id: str) -> dict:
        return {"entry_id": self.entry_id, "trade_id": self.trade_id, "order_id": order.order_id,
                "trade_time": rfc3339(self.time), "trade_type": "FILL", "price": fmt(self.price),
                "size": fmt(self.size), "commission": fmt(self.commission), "product_id": order.product.product_id,
                "sequence_timestamp": rfc3339(self.time), "liquidity_indicator": "MAKER" if self.maker else "TAKER",
                "size_in_quote": False, "user_id": user_id, "side": order.side, "retail_portfolio_id": ""}


@dataclass
class Order:
    order_id: str
    client_order_id: str
    account: str
    product: Product
    side: str                       # BUY / SELL
    config_name: str                # market_market_ioc, sor_limit_ioc, limit_limit_gtc, limit_limit_fok
    config: dict                    # the order_configuration entry as sent
    base_size: Decimal | None
    quote_size: Decimal | None
    limit_price: Decimal | None
    post_only: bool
    created: float
    status: str = "PENDING"
    cancel_reason: str = ""
    filled: Decimal = ZERO
    filled_value: Decimal = ZERO
    fees: Decimal = ZERO
    fills: list[Fill] = field(default_factory=list)
    hold_asset: str = ""
    hold_left: Decimal = ZERO

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL

    @property
    def remaining(self) -> Decimal:
        return (self.base_size or ZERO) - self.filled

    @property
    def avg_price(self) -> Decimal:
        return self.filled_value / self.filled if self.filled else ZERO

    @property
    def order_type(self) -> str:
        return "MARKET" if self.config_name == "market_market_ioc" else "LIMIT"

    @property
    def tif(self) -> str:
        return TIF[self.config_name]

    def completion(self) -> Decimal:
        if self.base_size:
            return self.filled / self.base_size * 100
        if self.quote_size:
            return self.filled_value / self.quote_size * 100
        return ZERO

    def value_after_fees(self) -> Decimal:
        return self.filled_value + self.fees if self.side == "BUY" else self.filled_value - self.fees

    def leaves(self) -> Decimal:
        if not self.is_open:
            return ZERO
        return self.remaining if self.base_size is not None else ZERO

    def rest(self, user_id: str) -> dict:
        last = self.fills[-1].time if self.fills else None
        return {"order_id": self.order_id, "product_id": self.product.product_id, "user_id": user_id,
                "order_configuration": {self.config_name: self.config}, "side": self.side,
                "client_order_id": self.client_order_id, "status": self.status, "time_in_force": self.tif,
                "created_time": rfc3339(self.created), "completion_percentage": fmt(self.completion()),
                "filled_size": fmt(self.filled), "average_filled_price": fmt(self.avg_price),
                "fee": "", "number_of_fills": str(len(self.fills)), "filled_value": fmt(self.filled_value),
                "pending_cancel": False, "size_in_quote": self.quote_size is not None,
                "total_fees": fmt(self.fees), "size_inclusive_of_fees": False,
                "total_value_after_fees": fmt(self.value_after_fees()), "trigger_status": "INVALID_ORDER_TYPE",
                "order_type": self.order_type, "reject_reason": "REJECT_REASON_UNSPECIFIED",
                "settled": not self.is_open, "product_type": "SPOT", "reject_message": "",
                "cancel_message": self.cancel_reason, "order_placement_source": "RETAIL_ADVANCED",
                "outstanding_hold_amount": fmt(self.hold_left), "is_liquidation": False,
                "last_fill_time": rfc3339(last) if last else None, "edit_history": [], "leverage": "",
                "margin_type": "UNKNOWN_MARGIN_TYPE", "retail_portfolio_id": "", "originating_order_id": "",
                "attached_order_id": ""}

    def ws(self) -> dict:
        """One `user` channel order item (docs "User channel"). order_type as the channel writes it ("Limit")."""
        return {"order_id": self.order_id, "client_order_id": self.client_order_id,
                "cumulative_quantity": fmt(self.filled), "leaves_quantity": fmt(self.leaves()),
                "avg_price": fmt(self.avg_price), "total_fees": fmt(self.fees), "status": self.status,
                "product_id": self.product.product_id, "product_type": "SPOT",
                "creation_time": rfc3339(self.created), "order_side": self.side,
                "order_type": self.order_type.capitalize(),
                "limit_price": fmt(self.limit_price) if self.limit_price is not None else "",
                "stop_price": "", "post_only": self.post_only, "time_in_force": self.tif,
                "cancel_reason": self.cancel_reason, "reject_reason": "",
                "completion_percentage": fmt(self.completion()), "filled_value": fmt(self.filled_value),
                "number_of_fills": str(len(self.fills)), "total_value_after_fees": fmt(self.value_after_fees()),
                "outstanding_hold_amount": fmt(self.hold_left), "trigger_status": "INVALID_ORDER_TYPE",
                "contract_expiry_type": "UNKNOWN_CONTRACT_EXPIRY_TYPE",
                "risk_managed_by": "UNKNOWN_RISK_MANAGEMENT_TYPE", "retail_portfolio_id": ""}
