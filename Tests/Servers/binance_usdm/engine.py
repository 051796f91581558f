"""The matching engine: linear USDT-margined contracts against the served book, exact Decimal money.

- A taker order walks the opposite side (less what own orders already took) at the level prices. A resting GTC order
  fills, as maker and at its own price, when the book crosses it. Own orders never match each other.
- Positions: one signed position per symbol (one-way mode, positionSide BOTH) or LONG/SHORT (hedge mode). Entry
  price = quantity-weighted average of the opening fills; realized PnL on a reducing fill = closed qty × (fill −
  entry) × direction, 8 decimals half-up; a fill through zero opens the rest at the fill price.
- Commission (USDT) = price × qty × the account's maker/taker rate, 8 decimals half-up; charged to the wallet.
- Margin (cross): initial margin of an order = the quantity that opens or grows a position × price / leverage;
  available = wallet + unrealized PnL − position initial margin − open-order initial margin (mark price);
  refused with -2019 when the new order's margin exceeds it. Reduce-only orders need no margin. Maintenance
  margin = notional × maintMarginRatio − cum of the notional's bracket. No liquidation engine.
- Funding: settle(symbol) charges every open position amount × mark × rate (a long pays a positive rate).
- Every change emits ORDER_TRADE_UPDATE / ACCOUNT_UPDATE to the account's user streams.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from accounts import MARGIN_ASSET, Account, Accounts, Position
from book import Book
from common import (D, UNKNOWN_ORDER, ZERO, BinanceError, Clock, decimals_of, fmt, mandatory, not_required,
                    parse_decimal, round8)
from orders import Fill, Order, new_client_id
from symbols import Spec, check_price, check_qty, get_spec

CLIENT_ID = re.compile(r"^[.A-Z:/a-z0-9_-]{1,36}$")
EIGHT_HOURS_MS = 8 * 3600_000
UserSink = Callable[[Account, dict], None]


@dataclass
class Funding:
    mark: Decimal | None = None          # None: the book's mid
    index: Decimal | None = None         # None: the mark
    rate: Decimal = D("0.0001")
    interest: Decimal = D("0.0001")
    next_time: int = 0
    interval_hours: int = 8
    cap: Decimal = D("0.03")
    floor: Decimal = D("-0.03")
    adjusted: bool = False               # listed by fundingInfo (only adjusted symbols are, per the docs)


class Engine:
    def __init__(self, accounts: Accounts, books: dict[str, Book], specs: dict[str, Spec], clock: Clock) -> None:
        self.accounts = accounts
        self.books = books
        self.specs = specs
        self.clock = clock
        self.orders: dict[str, dict[int, Order]] = {symbol: {} for symbol in specs}
        self.next_order_id = 8_389_765_500_000_000_000 // 10**6   # ids of the real magnitude, not 1, 2, 3
        self.next_trade_id = 1_000_001
        self.next_tran_id = 9_689_322_000
        self.funding: dict[str, Funding] = {}
        self.funding_history: list[dict] = []
        self.user_sinks: list[UserSink] = []
        self.mark_sinks: list[Callable[[str], None]] = []
        now = clock.ms()
        for symbol in specs:
            self.funding[symbol] = Funding(next_time=(now // EIGHT_HOURS_MS + 1) * EIGHT_HOURS_MS)

    # ---------------- prices ----------------
    def mark(self, symbol: str) -> Decimal:
        state = self.funding[symbol]
        if state.mark is not None:
            return state.mark
        return self.books[symbol].mid() or ZERO

    def index(self, symbol: str) -> Decimal:
        state = self.funding[symbol]
        return state.index if state.index is not None else self.mark(symbol)

    def premium(self, symbol: str) -> dict:
        state = self.funding[symbol]
        index = self.index(symbol)
        return {"symbol": symbol, "markPrice": fmt(self.mark(symbol)), "indexPrice": fmt(index),
                "estimatedSettlePrice": fmt(index), "lastFundingRate": fmt(state.rate),
                "interestRate": fmt(state.interest), "nextFundingTime": state.next_time, "time": self.clock.ms()}

    def mark_event(self, symbol: str) -> dict:
        state = self.funding[symbol]
        index = self.index(symbol)
        return {"e": "markPriceUpdate", "E": self.clock.ms(), "s": symbol, "p": fmt(self.mark(symbol)),
                "i": fmt(index), "P": fmt(index), "r": fmt(state.rate), "T": state.next_time}

    # ---------------- margin ----------------
    def unrealized(self, pos: Position) -> Decimal:
        return pos.amount * (self.mark(pos.symbol) - pos.entry) if pos.amount else ZERO

    def notional(self, pos: Position) -> Decimal:
        return pos.amount * self.mark(pos.symbol)

    def position_im(self, account: Account, pos: Position) -> Decimal:
        return abs(self.notional(pos)) / account.lev(pos.symbol)

    def maint(self, pos: Position) -> Decimal:
        if not pos.amount:
            return ZERO
        return self.specs[pos.symbol].maint_margin(abs(self.notional(pos)))

    def order_im(self, account: Account, symbol: str | None = None) -> Decimal:
        return sum((o.open_margin_qty() * o.price / account.lev(o.symbol) for o in self.open_orders(account.uid, symbol)),
                   ZERO)

    def totals(self, account: Account) -> dict[str, Decimal]:
        positions = [p for p in account.positions.values() if p.amount]
        upnl = sum((self.unrealized(p) for p in positions), ZERO)
        pos_im = sum((self.position_im(account, p) for p in positions), ZERO)
        ord_im = self.order_im(account)
        maint = sum((self.maint(p) for p in positions), ZERO)
        margin_balance = account.wallet + upnl
        available = margin_balance - pos_im - ord_im
        return {"wallet": account.wallet, "upnl": upnl, "pos_im": pos_im, "ord_im": ord_im, "maint": maint,
                "margin_balance": margin_balance, "available": available,
                "max_withdraw": max(ZERO, min(account.wallet, available))}

    # ---------------- helpers ----------------
    def _emit(self, account: Account, event: dict) -> None:
        for sink in self.user_sinks:
            sink(account, event)

    def open_orders(self, uid: int, symbol: str | None = None) -> list[Order]:
        symbols = [symbol] if symbol else list(self.orders)
        return [o for s in symbols for o in self.orders[s].values() if o.uid == uid and o.is_open]

    def _notional_sides(self, uid: int, symbol: str) -> tuple[Decimal, Decimal]:
        bids = asks = ZERO
        for order in self.open_orders(uid, symbol):
            if order.side == "BUY":
                bids += order.remaining * order.price
            else:
                asks += order.remaining * order.price
        return bids, asks

    def _order_event(self, account: Account, order: Order, exec_type: str, fill: Fill | None = None) -> None:
        bids, asks = self._notional_sides(account.uid, order.symbol)
        self._emit(account, order.update_event(self.clock.ms(), exec_type, fill, bids, asks))

    def position_json(self, account: Account, pos: Position) -> dict:
        spec = self.specs[pos.symbol]
        return {"s": pos.symbol, "pa": spec.qty_text(pos.amount), "ep": fmt(pos.entry), "bep": fmt(pos.entry),
                "cr": fmt(pos.realized), "up": fmt(self.unrealized(pos)), "mt": account.mtype(pos.symbol),
                "iw": fmt(ZERO), "ps": pos.side, "ma": MARGIN_ASSET}

    def _account_event(self, account: Account, reason: str, change: Decimal, positions: list[Position]) -> None:
        now = self.clock.ms()
        account.update_time = now
        self._emit(account, {"e": "ACCOUNT_UPDATE", "E": now, "T": now, "a": {
            "m": reason,
            "B": [{"a": MARGIN_ASSET, "wb": fmt(account.wallet), "cw": fmt(account.wallet), "bc": fmt(change)}],
            "P": [self.position_json(account, p) for p in positions]}})

    def _income(self, account: Account, symbol: str, kind: str, amount: Decimal, trade_id: int | str = "",
                info: str = "") -> dict:
        self.next_tran_id += 1
        row = {"symbol": symbol, "incomeType": kind, "income": fmt(amount), "asset": MARGIN_ASSET,
               "info": info or kind, "time": self.clock.ms(), "tranId": self.next_tran_id,
               "tradeId": str(trade_id) if trade_id != "" else ""}
        account.income.append(row)
        return row

    # ---------------- new order ----------------
    def _walk(self, book: Book, side: str, limit: Decimal | None, qty: Decimal) -> list[tuple[Decimal, Decimal]]:
        name = "asks" if side == "BUY" else "bids"
        fills, left = [], qty
        for price in book.side(name).ordered():
            if limit is not None and ((side == "BUY" and price > limit) or (side == "SELL" and price < limit)):
                break
            available = book.available(name, price)
            if available <= 0:
                continue
            take = min(available, left)
            fills.append((price, take))
            left -= take
            if left <= 0:
                break
        return fills

    def _parse(self, account: Account, params: dict) -> dict:
        spec = get_spec(self.specs, params.get("symbol"))
        side = params.get("side")
        if not side:
            raise mandatory("side")
        if side not in ("BUY", "SELL"):
            raise BinanceError(-1117, "Invalid side.")
        kind = params.get("type")
        if not kind:
            raise mandatory("type")
        if kind not in ("LIMIT", "MARKET"):
            raise BinanceError(-1116, "Invalid orderType.")
        tif = params.get("timeInForce")
        if kind == "LIMIT":
            if not tif:
                raise mandatory("timeInForce")
            if tif not in ("GTC", "IOC", "FOK", "GTX"):
                raise BinanceError(-1115, "Invalid timeInForce.")
        qty_text = params.get("quantity")
        if qty_text in (None, ""):
            raise mandatory("quantity")
        qty = parse_decimal(qty_text)
        if qty is None:
            raise mandatory("quantity")
        if decimals_of(str(qty_text)) > spec.qty_precision:
            raise BinanceError(-1111, "Precision is over the maximum defined for this asset.")
        price = None
        if kind == "LIMIT":
            price_text = params.get("price")
            if price_text in (None, ""):
                raise mandatory("price")
            price = parse_decimal(price_text)
            if price is None:
                raise mandatory("price")
            if decimals_of(str(price_text)) > spec.price_precision:
                raise BinanceError(-1111, "Precision is over the maximum defined for this asset.")
        elif params.get("price") not in (None, ""):
            raise not_required("price")
        reduce_text = params.get("reduceOnly")
        if reduce_text not in (None, "") and reduce_text not in ("true", "false", "TRUE", "FALSE", "True", "False"):
            raise BinanceError(-1104, "Not all sent parameters were read.")
        reduce_only = str(reduce_text).lower() == "true"
        ps = params.get("positionSide") or "BOTH"
        if ps not in ("BOTH", "LONG", "SHORT"):
            raise BinanceError(-4061, "Order's position side does not match user's setting.")
        if account.dual_side:
            if ps == "BOTH":
                raise BinanceError(-4061, "Order's position side does not match user's setting.")
            if reduce_text not in (None, ""):
                raise not_required("reduceonly")
        elif ps != "BOTH":
            raise BinanceError(-4061, "Order's position side does not match user's setting.")
        client_id = params.get("newClientOrderId")
        if client_id is not None and not CLIENT_ID.match(client_id):
            raise BinanceError(-4015, "Client order id is not valid.")
        resp = params.get("newOrderRespType") or "ACK"
        if resp not in ("ACK", "RESULT"):
            raise BinanceError(-1130, "Data sent for parameter 'newOrderRespType' is not valid.")
        return {"spec": spec, "side": side, "type": kind, "tif": tif or "GTC", "qty": qty, "price": price,
                "reduce_only": reduce_only, "ps": ps, "client_id": client_id or new_client_id(), "resp": resp}

    def _reducible(self, account: Account, spec: Spec, side: str, ps: str) -> tuple[Position, Decimal, bool]:
        """The position the order works on, how much of it the order can reduce, and whether it must only reduce."""
        pos = account.position(spec.symbol, ps)
        sign = 1 if side == "BUY" else -1
        if ps == "BOTH":
            reducible = abs(pos.amount) if pos.amount and (pos.amount > 0) != (sign > 0) else ZERO
            return pos, reducible, False
        closing = (ps == "LONG" and side == "SELL") or (ps == "SHORT" and side == "BUY")
        return pos, (abs(pos.amount) if closing else ZERO), closing

    def place(self, account: Account, params: dict) -> tuple[Order, str]:
        req = self._parse(account, params)
        spec: Spec = req["spec"]
        book = self.books[spec.symbol]
        side, kind, qty, price = req["side"], req["type"], req["qty"], req["price"]
        market = kind == "MARKET"
        if price is not None:
            check_price(spec, price)
        check_qty(spec, qty, market)
        mark = self.mark(spec.symbol)
        if price is not None and mark > 0:
            high, low = mark * spec.up, mark * spec.down
            if side == "BUY" and price > high:
                raise BinanceError(-4016, f"Limit price can't be higher than {spec.price_text(high)}.")
            if side == "SELL" and price < low:
                raise BinanceError(-4024, f"Limit price can't be lower than {spec.price_text(low)}.")
        pos, reducible, closing = self._reducible(account, spec, side, req["ps"])
        reduce_only = req["reduce_only"] or closing
        if reduce_only and reducible <= 0:
            raise BinanceError(-2022, "ReduceOnly Order is rejected.")
        cap = min(qty, reducible) if reduce_only else qty
        taker = self._walk(book, side, None if market else price, cap)
        if market:
            if not taker:
                raise BinanceError(-2020, "Unable to fill.")
            filled_q = sum((q for _, q in taker), ZERO)
            reference = sum((p * q for p, q in taker), ZERO) / filled_q
        else:
            reference = price
        if not reduce_only and qty * reference < spec.min_notional:
            raise BinanceError(-4164, f"Order's notional must be no smaller than {spec.min_notional} "
                                      f"(unless you choose reduce only).")
        opening = ZERO if reduce_only else max(ZERO, qty - reducible)
        if opening > 0:
            lev = account.lev(spec.symbol)
            new_size = abs(pos.amount) + qty if reducible == 0 else opening
            if new_size * reference > spec.max_notional(lev):
                raise BinanceError(-2027, "Exceeded the maximum allowable position at current leverage.")
            if opening * reference / lev > self.totals(account)["available"]:
                raise BinanceError(-2019, "Margin is insufficient.")
        if kind == "LIMIT" and req["tif"] == "FOK" and sum((q for _, q in taker), ZERO) < qty:
            raise BinanceError(-5021, "Due to the order could not be filled immediately, the FOK order has been "
                                      "rejected. The order will not be recorded in the order history")
        if kind == "LIMIT" and req["tif"] == "GTX" and taker:
            raise BinanceError(-5022, "Due to the order could not be executed as maker, the Post Only order will be "
                                      "rejected. The order will not be recorded in the order history")
        if any(o.client_id == req["client_id"] for o in self.open_orders(account.uid, spec.symbol)):
            raise BinanceError(-4116, "ClientOrderId is duplicated.")
        if len(self.open_orders(account.uid, spec.symbol)) >= spec.max_num_orders:
            raise BinanceError(-4025, "Exceeded the maximum allowable open orders.")  # MAX_NUM_ORDERS
        now = self.clock.ms()
        self.next_order_id += 1
        order = Order(spec=spec, order_id=self.next_order_id, client_id=req["client_id"], side=side, type=kind,
                      tif=req["tif"] if not market else "GTC", price=price if price is not None else ZERO,
                      orig_qty=qty, reduce_only=req["reduce_only"], position_side=req["ps"], uid=account.uid,
                      time=now, update_time=now, opening_qty=opening)
        self.orders[spec.symbol][order.order_id] = order
        order.ack = order.json(with_time=False)   # the answer of newOrderRespType=ACK: the order as accepted
        self._order_event(account, order, "NEW")
        for level_price, level_qty in taker:
            self._fill(account, order, level_price, level_qty, maker=False)
        if order.is_open and (market or order.tif in ("IOC", "FOK")):
            self._expire(account, order, 2 if not market else 0)
        elif order.is_open and reduce_only and not self._reducible(account, spec, side, req["ps"])[1]:
            self._expire(account, order, 4)
        self._after_position_change(account, spec.symbol, req["ps"])
        return order, req["resp"]

    def _expire(self, account: Account, order: Order, reason: int) -> None:
        order.status = "EXPIRED"
        order.expire_reason = reason
        order.update_time = self.clock.ms()
        self._order_event(account, order, "EXPIRED")

    def _after_position_change(self, account: Account, symbol: str, ps: str) -> None:
        """Reduce-only orders left with nothing to reduce expire (ORDER_TRADE_UPDATE expiry reason 4)."""
        for order in self.open_orders(account.uid, symbol):
            if order.position_side != ps:
                continue
            spec = order.spec
            pos, reducible, closing = self._reducible(account, spec, order.side, ps)
            if (order.reduce_only or closing) and reducible <= 0:
                self._expire(account, order, 4)

    def _fill(self, account: Account, order: Order, price: Decimal, qty: Decimal, maker: bool,
              level: Decimal | None = None) -> Fill:
        spec = order.spec
        self.books[spec.symbol].consume("asks" if order.side == "BUY" else "bids", price if level is None else level,
                                        qty)
        now = self.clock.ms()
        pos = account.position(spec.symbol, order.position_side)
        realized = pos.fill(qty * order.sign, price)
        pos.update_time = now
        commission = round8(price * qty * (account.maker if maker else account.taker))
        account.wallet += realized - commission
        self.next_trade_id += 1
        fill = Fill(price=price, qty=qty, commission=commission, realized=realized, trade_id=self.next_trade_id,
                    maker=maker, time=now)
        order.executed += qty
        order.cum_quote += price * qty
        order.fills.append(fill)
        order.update_time = now
        order.status = "FILLED" if order.executed >= order.orig_qty else "PARTIALLY_FILLED"
        if realized:
            self._income(account, spec.symbol, "REALIZED_PNL", realized, fill.trade_id)
        if commission:
            self._income(account, spec.symbol, "COMMISSION", -commission, fill.trade_id)
        self._account_event(account, "ORDER", ZERO, [pos])
        self._order_event(account, order, "TRADE", fill)
        return fill

    # ---------------- cancel / find ----------------
    def find(self, uid: int, symbol: str, order_id, client_id) -> Order | None:
        book = self.orders[symbol]
        if order_id not in (None, ""):
            try:
                order = book.get(int(order_id))
            except ValueError:
                raise mandatory("orderId")
            if order is None or order.uid != uid:
                return None
            if client_id not in (None, "") and order.client_id != client_id:
                return None
            return order
        if client_id in (None, ""):
            raise BinanceError(-1102, "Either orderId or origClientOrderId must be sent.")
        found = [o for o in book.values() if o.uid == uid and o.client_id == client_id]
        return found[-1] if found else None

    def cancel(self, account: Account, order: Order | None) -> dict:
        if order is None:
            raise BinanceError(-2011, UNKNOWN_ORDER)
        if not order.is_open:
            raise BinanceError(-2011, UNKNOWN_ORDER)
        order.status = "CANCELED"
        order.update_time = self.clock.ms()
        self._order_event(account, order, "CANCELED")
        return order.json(with_time=False)

    # ---------------- the book moved ----------------
    def on_book_update(self, symbol: str) -> None:
        book = self.books[symbol]
        resting = sorted((o for o in self.orders[symbol].values() if o.is_open), key=lambda o: o.order_id)
        for order in resting:
            if not order.is_open:
                continue
            account = self.accounts.by_uid(order.uid)
            name = "asks" if order.side == "BUY" else "bids"
            for level in book.side(name).ordered():
                if (order.side == "BUY" and level > order.price) or (order.side == "SELL" and level < order.price):
                    break
                available = book.available(name, level)
                if available <= 0:
                    continue
                take = min(available, order.remaining)
                pos, reducible, closing = self._reducible(account, order.spec, order.side, order.position_side)
                if order.reduce_only or closing:
                    take = min(take, reducible)
                if take <= 0:
                    break
                self._fill(account, order, order.price, take, maker=True, level=level)
                if not order.is_open:
                    break
            self._after_position_change(account, symbol, order.position_side)

    # ---------------- funding ----------------
    def settle_funding(self, symbol: str) -> list[dict]:
        state = self.funding[symbol]
        mark = self.mark(symbol)
        rows = []
        for account in self.accounts.accounts:
            for pos in list(account.positions.values()):
                if pos.symbol != symbol or not pos.amount:
                    continue
                income = -round8(pos.amount * mark * state.rate)   # a long pays a positive rate
                account.wallet += income
                rows.append({**self._income(account, symbol, "FUNDING_FEE", income), "account": account.name})
                isolated = account.mtype(symbol) == "isolated"
                self._account_event(account, "FUNDING_FEE", income, [pos] if isolated else [])
        self.funding_history.append({"symbol": symbol, "fundingRate": fmt(state.rate), "fundingTime": state.next_time,
                                     "markPrice": fmt(mark)})
        state.next_time += state.interval_hours * 3600_000
        return rows

    # ---------------- settings ----------------
    def set_leverage(self, account: Account, spec: Spec, leverage: int) -> dict:
        if leverage < 1 or leverage > spec.max_leverage():
            raise BinanceError(-4028, f"Leverage {leverage} is not valid")
        pos_notional = sum((abs(self.notional(p)) for p in account.positions.values() if p.symbol == spec.symbol),
                           ZERO)
        if pos_notional > spec.max_notional(leverage):
            raise BinanceError(-2027, "Exceeded the maximum allowable position at current leverage.")
        account.leverage[spec.symbol] = leverage
        now = self.clock.ms()
        self._emit(account, {"e": "ACCOUNT_CONFIG_UPDATE", "E": now, "T": now, "ac": {"s": spec.symbol, "l": leverage}})
        return {"leverage": leverage, "maxNotionalValue": str(int(spec.max_notional(leverage))), "symbol": spec.symbol}

    def has_exposure(self, account: Account, symbol: str | None = None) -> tuple[bool, bool]:
        positions = any(p.amount for p in account.positions.values() if symbol is None or p.symbol == symbol)
        return positions, bool(self.open_orders(account.uid, symbol))
