"""Orders and their fills, and how each is written: REST order objects (QueryOrders / OpenOrders / ClosedOrders),
REST trades (TradesHistory) and v2 `executions` items."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from common import ZERO, Num, fixed, fmt, rfc3339
from instruments import Pair


@dataclass
class Fill:
    txid: str             # TXXXXX-XXXXX-XXXXXX
    trade_id: int         # per pair
    price: Decimal
    qty: Decimal
    cost: Decimal
    fee: Decimal
    fee_asset: str        # REST asset code
    maker: bool
    time: float


@dataclass
class Order:
    txid: str
    account: str
    pair: Pair
    side: str             # buy / sell
    ordertype: str        # limit / market
    vol: Decimal
    price: Decimal | None
    tif: str              # GTC / IOC
    post: bool
    fee_in_base: bool     # oflags fcib
    cl_ord_id: str | None
    userref: int
    opentm: float
    status: str = "pending"          # pending, open, closed, canceled, expired
    closetm: float = 0.0
    vol_exec: Decimal = ZERO
    cost: Decimal = ZERO
    fee: Decimal = ZERO
    reason: str | None = None
    fills: list[Fill] = field(default_factory=list)
    hold_asset: str = ""
    hold_left: Decimal = ZERO

    @property
    def is_open(self) -> bool:
        return self.status in ("pending", "open")

    @property
    def remaining(self) -> Decimal:
        return self.vol - self.vol_exec

    @property
    def avg_price(self) -> Decimal:
        return self.cost / self.vol_exec if self.vol_exec else ZERO

    @property
    def fee_asset(self) -> str:
        return self.pair.base if self.fee_in_base else self.pair.quote

    def oflags(self) -> str:
        return ",".join(f for f, on in (("post", self.post), ("fcib", self.fee_in_base),
                                        ("fciq", not self.fee_in_base)) if on)

    def description(self) -> str:
        pair, places = self.pair, self.pair.price_decimals
        text = f"{self.side} {fixed(self.vol, pair.lot_decimals)} {pair.altname} @ "
        return text + (f"limit {fixed(self.price, places)}" if self.ordertype == "limit" else "market")

    def rest(self, with_trades: bool = False) -> dict:
        pair = self.pair
        body = {"refid": None, "userref": self.userref, "cl_ord_id": self.cl_ord_id, "status": self.status,
                "opentm": round(self.opentm, 4), "starttm": 0, "expiretm": 0,
                "descr": {"pair": pair.altname, "type": self.side, "ordertype": self.ordertype,
                          "price": fixed(self.price, pair.price_decimals) if self.price is not None else "0",
                          "price2": "0", "leverage": "none", "order": self.description(), "close": ""},
                "vol": fixed(self.vol, pair.lot_decimals), "vol_exec": fixed(self.vol_exec, pair.lot_decimals),
                "cost": fmt(self.cost), "fee": fmt(self.fee), "price": fmt(self.avg_price),
                "stopprice": "0.00000", "limitprice": "0.00000", "misc": "", "oflags": self.oflags(),
                "timeinforce": self.tif}
        if self.cl_ord_id is None:
            del body["cl_ord_id"]
        if not self.is_open:
            body["closetm"] = round(self.closetm, 4)
            body["reason"] = self.reason
        if with_trades and self.fills:
            body["trades"] = [f.txid for f in self.fills]
        return body

    def trade_rest(self, fill: Fill) -> dict:
        return {"ordertxid": self.txid, "postxid": "TKH2SE-M7IF5-CFI7LT", "pair": self.pair.name,
                "time": round(fill.time, 4), "type": self.side, "ordertype": self.ordertype,
                "price": fmt(fill.price), "cost": fmt(fill.cost), "fee": fmt(fill.fee),
                "vol": fixed(fill.qty, self.pair.lot_decimals), "margin": "0.00000", "misc": "",
                "trade_id": fill.trade_id, "maker": fill.maker, "leverage": "0"}

    def execution(self, exec_type: str, exec_id: str, now: float, fill: Fill | None = None) -> dict:
        """One v2 `executions` item (docs "Executions"): quantities and prices are JSON numbers."""
        status = {"pending": "pending_new", "open": "partially_filled" if self.vol_exec else "new",
                  "closed": "filled", "canceled": "canceled", "expired": "expired"}[self.status]
        if exec_type == "pending_new":
            status = "pending_new"
        item = {"exec_type": exec_type, "order_id": self.txid, "exec_id": exec_id, "symbol": self.pair.symbol,
                "side": self.side, "order_type": self.ordertype, "order_qty": Num(self.vol),
                "time_in_force": self.tif, "post_only": self.post, "order_userref": self.userref,
                "order_status": status, "cum_qty": Num(self.vol_exec), "cum_cost": Num(self.cost),
                "avg_price": Num(self.avg_price), "fee_ccy_pref": "fcib" if self.fee_in_base else "fciq",
                "timestamp": rfc3339(now)}
        if self.price is not None:
            item["limit_price"] = Num(self.price)
        if self.cl_ord_id is not None:
            item["cl_ord_id"] = self.cl_ord_id
        if fill is not None:
            item.update(trade_id=fill.trade_id, last_qty=Num(fill.qty), last_price=Num(fill.price),
                        cost=Num(fill.cost), liquidity_ind="m" if fill.maker else "t",
                        fees=[{"asset": self.pair.base_v2 if self.fee_in_base else self.pair.quote_v2,
                               "qty": Num(fill.fee)}], order_status="partially_filled",
                        timestamp=rfc3339(fill.time))
        if exec_type in ("canceled", "expired") and self.reason:
            item["reason"] = self.reason
        return item
