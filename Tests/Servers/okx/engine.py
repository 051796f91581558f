"""The matching engine: spot cash orders against the recorded book, exact Decimal balances, OKX's fees, pushes.

- A taker order walks the opposite side (less what own orders already took) at the level prices.
- limit rests what is left; ioc cancels what is left (cancelSource 14); fok trades all or nothing (13); post_only
  that would take is canceled instead (31); market trades what the book and the balance allow, sz in the base or
  the quote currency by tgtCcy (default quote for buy, base for sell), and with banAmend=false (the default) is
  reduced to the available balance instead of refused, as the docs describe.
- A resting order fills, as maker and at its own price, when the recorded book crosses it.
- Fees: feeType 0 (charged in the currency the order receives: base for a buy, quote for a sell), rate = the
  account's taker or maker rate in OKX's sign convention, fee = received * rate, exact (no rounding), negative
  when charged. The balance receives `received + fee`.
- Every change emits an `orders` push per order update and an `account` push for the currencies touched.
"""
from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Callable

from accounts import Account, Accounts
from book import Book
from common import ZERO, Clock, OrderReject, floor_to, is_multiple
from instruments import Instrument, Instruments
from orders import Fill, Order
from params import bad, parse_amend, parse_place

MAX_PENDING_PER_INSTRUMENT = 500
Sink = Callable[[str, Account, object], None]      # ("order", account, (order, fill)) / ("account", account, ccys)


def insufficient(ccy: str) -> OrderReject:
    return OrderReject(51008, f"Order failed. Insufficient {ccy} balance in account", sub_code="1000")


class Engine:
    def __init__(self, accounts: Accounts, instruments: Instruments, books: dict[str, Book], clock: Clock) -> None:
        self.accounts, self.instruments, self.books, self.clock = accounts, instruments, books, clock
        self.orders: dict[str, Order] = {}                       # ordId -> order, in creation order
        self.ord_ids = itertools.count(600_000_000_000_000_001)
        self.trade_ids = itertools.count(400_000_001)
        self.bill_ids = itertools.count(700_000_000_000_000_001)
        self.sinks: list[Sink] = []

    # ---------- lookups ----------
    def open_orders(self, uid: str, inst_id: str | None = None) -> list[Order]:
        return [o for o in self.orders.values() if o.uid == uid and o.is_open and inst_id in (None, o.inst_id)]

    def find(self, uid: str, inst_id: str, ord_id, cl_ord_id) -> Order | None:
        """ordId wins when both are given; a clOrdId names its pending order, else its latest one."""
        if ord_id not in (None, ""):
            order = self.orders.get(str(ord_id))
            return order if order and order.uid == uid and order.inst_id == inst_id else None
        mine = [o for o in self.orders.values() if o.uid == uid and o.inst_id == inst_id and o.cl_ord_id == cl_ord_id]
        pending = [o for o in mine if o.is_open]
        return (pending or mine or [None])[-1]

    # ---------- events ----------
    def _emit(self, kind: str, account: Account, payload) -> None:
        for sink in self.sinks:
            sink(kind, account, payload)

    def _push(self, account: Account, order: Order, fill: Fill | None = None) -> None:
        self._emit("order", account, (order, fill))

    def _touch(self, account: Account, inst: Instrument) -> None:
        now = self.clock.ms()
        account.update_time[inst.base] = account.update_time[inst.quote] = now
        self._emit("account", account, [inst.base, inst.quote])

    # ---------- placing ----------
    def _walk(self, book: Book, side: str, limit, qty, quote, lot: Decimal) -> tuple[list[tuple], bool]:
        """Taker fills [(price, qty)] against the opposite side, best first; `complete` when qty/quote ran out."""
        name = "asks" if side == "buy" else "bids"
        fills, left_qty, left_quote = [], qty, quote
        for price in book.side(name).ordered():
            if limit is not None and ((side == "buy" and price > limit) or (side == "sell" and price < limit)):
                break
            available = book.available(name, price)
            if available <= 0:
                continue
            take = available if left_qty is None else min(available, left_qty)
            if left_quote is not None:
                take = min(take, floor_to(left_quote / price, lot))
            if take <= 0:
                return fills, True
            fills.append((price, take))
            if left_qty is not None:
                left_qty -= take
                if left_qty <= 0:
                    return fills, True
            if left_quote is not None:
                left_quote -= take * price
        return fills, False

    def _market_walk(self, account: Account, inst: Instrument, book: Book, req: dict) -> list[tuple]:
        side, sz, base_units = req["side"], req["sz"], req["tgt_ccy"] == "base_ccy"
        if not book.side("asks" if side == "buy" else "bids").prices:
            raise OrderReject(51109, "No available offers.")
        if side == "buy":
            budget = account.balance(inst.quote)[0]
            fills, _ = self._walk(book, side, None, sz if base_units else None, None if base_units else sz, inst.lot)
            cost = sum((p * q for p, q in fills), ZERO)
            if cost > budget or (not base_units and sz > budget):
                if req["ban_amend"]:
                    raise insufficient(inst.quote)
                fills, _ = self._walk(book, side, None, sz if base_units else None, min(budget, cost), inst.lot)
        else:
            owned = floor_to(account.balance(inst.base)[0], inst.lot)
            fills, _ = self._walk(book, side, None, sz if base_units else None, None if base_units else sz, inst.lot)
            if sum((q for _, q in fills), ZERO) > owned:
                if req["ban_amend"]:
                    raise insufficient(inst.base)
                fills, _ = self._walk(book, side, None, owned, None, inst.lot)
        if sum((p * q for p, q in fills), ZERO) > inst.max_mkt_sz:     # maxMktSz is in USDT for spot
            raise OrderReject(51202, "Market order amount exceeds the maximum amount.")
        if not fills:
            owned_ccy = inst.quote if side == "buy" else inst.base
            if account.balance(owned_ccy)[0] > 0:
                raise OrderReject(51109, "No available offers.")   # the book's liquidity is all taken
            raise insufficient(owned_ccy)
        return fills

    def _check_rules(self, account: Account, inst: Instrument, req: dict) -> None:
        sz, px = req["sz"], req["px"]
        if req["cl_ord_id"] and any(o.cl_ord_id == req["cl_ord_id"] for o in self.open_orders(account.uid)):
            raise OrderReject(51016, "Client order ID already exists.")
        base_units = req["ord_type"] != "market" or req["tgt_ccy"] == "base_ccy"
        if base_units:
            if not is_multiple(sz, inst.lot):
                raise OrderReject(51121, "Order quantity must be a multiple of the lot size.")
            if sz < inst.min_sz:
                raise OrderReject(51020, "Your order should meet or exceed the minimum order amount.")
        if req["ord_type"] != "market" and sz > inst.max_lmt_sz:
            raise OrderReject(51005, "Your order amount exceeds the max order amount.")
        if px is not None and not is_multiple(px, inst.tick):
            raise bad("px")
        if len(self.open_orders(account.uid, inst.inst_id)) >= MAX_PENDING_PER_INSTRUMENT:
            raise OrderReject(51174, f"Order failed, number of pending orders for {inst.inst_id} exceed the limit "
                                     f"of {MAX_PENDING_PER_INSTRUMENT}.")

    def place(self, account: Account, args: dict) -> Order:
        req = parse_place(args, self.instruments)
        inst: Instrument = req["inst"]
        book = self.books[inst.inst_id]
        self._check_rules(account, inst, req)
        side, kind, sz, px = req["side"], req["ord_type"], req["sz"], req["px"]
        if kind == "market":
            taker = self._market_walk(account, inst, book, req)
            freeze_ccy, freeze = "", ZERO
        else:
            taker, _ = self._walk(book, side, px, sz, None, inst.lot)
            freeze_ccy, freeze = (inst.quote, px * sz) if side == "buy" else (inst.base, sz)
            if account.balance(freeze_ccy)[0] < freeze:
                raise insufficient(freeze_ccy)
        now = self.clock.ms()
        order = Order(inst_id=inst.inst_id, base=inst.base, quote=inst.quote, ord_id=str(next(self.ord_ids)),
                      cl_ord_id=req["cl_ord_id"], tag=req["tag"], side=side, ord_type=kind, sz=sz, px=px,
                      tgt_ccy=req["tgt_ccy"], uid=account.uid, c_time=now, u_time=now)
        self.orders[order.ord_id] = order
        if freeze_ccy:
            account.freeze(freeze_ccy, freeze)
            order.frozen_ccy, order.frozen_left = freeze_ccy, freeze
        if kind == "post_only" and taker:
            return self._finish(account, inst, order, "31")      # would have taken liquidity: canceled instead
        if kind == "fok" and sum((q for _, q in taker), ZERO) < sz:
            return self._finish(account, inst, order, "13")
        for price, qty in taker:
            self._fill(account, inst, order, price, qty, maker=False)
        if order.is_open and kind in ("ioc", "market"):
            return self._finish(account, inst, order, "14" if kind == "ioc" else "0",
                                filled=kind == "market" and order.acc_fill_sz > 0)
        if not taker:
            self._push(account, order)      # resting, no fill yet: the "live" update
        self._touch(account, inst)
        return order

    def _finish(self, account: Account, inst: Instrument, order: Order, source: str, filled: bool = False) -> Order:
        """Ends what is left of an order: canceled with `source`, or filled (a market order the book completed)."""
        order.state = "filled" if filled else "canceled"
        order.cancel_source = "" if filled else source
        order.u_time = self.clock.ms()
        self._release(account, order)
        self._push(account, order)
        self._touch(account, inst)
        return order

    def _fill(self, account: Account, inst: Instrument, order: Order, price, qty, maker: bool, level=None) -> None:
        """One trade. `level` is the book level whose liquidity it takes (the trade price unless a maker fill)."""
        self.books[inst.inst_id].consume("asks" if order.side == "buy" else "bids", level or price, qty)
        quote = price * qty
        rate = account.maker if maker else account.taker
        if order.side == "buy":
            fee = qty * rate
            if order.frozen_ccy:
                reserved = order.px * qty
                account.spend_frozen(inst.quote, quote)
                account.unfreeze(inst.quote, reserved - quote)
                order.frozen_left -= reserved
            else:
                account.add(inst.quote, -quote)
            account.add(inst.base, qty + fee)
        else:
            fee = quote * rate
            if order.frozen_ccy:
                account.spend_frozen(inst.base, qty)
                order.frozen_left -= qty
            else:
                account.add(inst.base, -qty)
            account.add(inst.quote, quote + fee)
        now = self.clock.ms()
        fill = Fill(trade_id=str(next(self.trade_ids)), bill_id=str(next(self.bill_ids)), px=price, sz=qty, fee=fee,
                    fee_ccy=order.fee_ccy, fee_rate=rate, maker=maker, time=now)
        order.fills.append(fill)
        order.acc_fill_sz += qty
        order.cum_quote += quote
        order.fee += fee
        order.u_time = now
        full = order.acc_fill_sz >= order.sz if order.ord_type != "market" or order.tgt_ccy == "base_ccy" else False
        order.state = "filled" if full else "partially_filled"
        if order.state == "filled":
            self._release(account, order)
        self._push(account, order, fill)

    def _release(self, account: Account, order: Order) -> None:
        if order.frozen_ccy and order.frozen_left > 0:
            account.unfreeze(order.frozen_ccy, order.frozen_left)
        order.frozen_left = ZERO

    # ---------- cancel / amend ----------
    def cancel(self, account: Account, order: Order | None) -> Order:
        if order is None or not order.is_open:
            raise OrderReject(51400, "Order cancellation failed as the order has been filled, canceled or does "
                                     "not exist.")
        return self._finish(account, self.instruments.get(order.inst_id), order, "1")

    def amend(self, account: Account, order: Order | None, args: dict) -> Order:
        req = parse_amend(args)
        if order is None or not order.is_open:
            raise OrderReject(51503, "Your order has already been filled or canceled.")
        inst = self.instruments.get(order.inst_id)
        try:
            return self._amend(account, inst, order, req)
        except OrderReject:
            if req["cxl_on_fail"]:
                self._finish(account, inst, order, "1")
            raise

    def _amend(self, account: Account, inst: Instrument, order: Order, req: dict) -> Order:
        new_sz = req["new_sz"] if req["new_sz"] is not None else order.sz
        new_px = req["new_px"] if req["new_px"] is not None else order.px
        if req["new_sz"] is not None and not is_multiple(new_sz, inst.lot):
            raise OrderReject(51121, "Order quantity must be a multiple of the lot size.")
        if req["new_px"] is not None and not is_multiple(new_px, inst.tick):
            raise bad("newPx")
        book = self.books[inst.inst_id]
        taker, _ = self._walk(book, order.side, new_px, max(ZERO, new_sz - order.acc_fill_sz), None, inst.lot)
        if order.ord_type == "post_only" and taker:
            raise OrderReject(51511, "Modification failed as the order price did not meet the requirement for "
                                     "Post Only.")
        left = max(ZERO, new_sz - order.acc_fill_sz)
        need = new_px * left if order.side == "buy" else left
        if need - order.frozen_left > account.balance(order.frozen_ccy)[0]:
            raise OrderReject(51502, "Unable to edit order: insufficient balance or margin.", sub_code="1030")
        self._release(account, order)
        order.sz, order.px, order.req_id, order.amend_result = new_sz, new_px, req["req_id"], "0"
        order.u_time = self.clock.ms()
        if left <= 0:
            order.state = "filled"
            self._push(account, order)
        else:
            account.freeze(order.frozen_ccy, need)
            order.frozen_left = need
            self._push(account, order)
            for price, qty in taker:
                self._fill(account, inst, order, price, qty, maker=False)
        order.amend_result = order.req_id = ""
        self._touch(account, inst)
        return order

    # ---------- the recording moved ----------
    def on_book_update(self, inst_id: str) -> None:
        book, inst = self.books[inst_id], self.instruments.get(inst_id)
        for order in sorted((o for o in self.orders.values() if o.inst_id == inst_id and o.is_open),
                            key=lambda o: int(o.ord_id)):
            name = "asks" if order.side == "buy" else "bids"
            account = self.accounts.by_uid(order.uid)
            touched = False
            for level in book.side(name).ordered():
                if (order.side == "buy" and level > order.px) or (order.side == "sell" and level < order.px):
                    break
                available = book.available(name, level)
                if available <= 0:
                    continue
                # a resting order trades at its own price, against the crossing level's liquidity
                self._fill(account, inst, order, order.px, min(available, order.remaining), maker=True, level=level)
                touched = True
                if not order.is_open:
                    break
            if touched:
                self._touch(account, inst)
