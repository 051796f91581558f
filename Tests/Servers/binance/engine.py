"""The matching engine: orders against the recorded book, exact Decimal balances, commissions, user-data events.

- A taker order walks the book's opposite side (less what own orders already took) at the level prices.
- A resting GTC order fills, as maker and at its own price, when the recorded book crosses it.
- Commission: the account's taker/maker rate on what the order receives (BUY: base asset, SELL: quote asset), as
  Binance charges it when BNB is not used for fees; rounded to 8 decimals.
- Every change emits executionReport(s) and one outboundAccountPosition for the assets touched.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable

from accounts import Account, Accounts
from book import Book
from common import (DUPLICATE, INSUFFICIENT, UNKNOWN_ORDER, ZERO, BinanceError, Clock, either, floor_step, fmt,
                    mandatory, rejected, round8)
from orders import Fill, Order, new_client_id
from params import parse_order
from symbols import SPECS, SymbolSpec, check_lot, check_notional, check_price

UserSink = Callable[[Account, dict], None]


class Engine:
    def __init__(self, accounts: Accounts, books: dict[str, Book], clock: Clock, notional_filter: str) -> None:
        self.accounts = accounts
        self.books = books
        self.clock = clock
        self.notional_filter = notional_filter
        self.orders: dict[str, dict[int, Order]] = {symbol: {} for symbol in SPECS}
        self.next_order_id = {symbol: 1 for symbol in SPECS}
        self.next_trade_id = {symbol: 1 for symbol in SPECS}
        self.next_execution_id = 1
        self.user_sinks: list[UserSink] = []

    # ---------- helpers ----------
    def _account(self, uid: int) -> Account:
        return next(a for a in self.accounts.accounts if a.uid == uid)

    def _emit(self, account: Account, event: dict) -> None:
        for sink in self.user_sinks:
            sink(account, event)

    def _report(self, account: Account, order: Order, exec_type: str, fill: Fill | None = None,
                client_id: str | None = None, orig_client_id: str = "") -> None:
        execution_id = self.next_execution_id
        self.next_execution_id += 1
        self._emit(account, order.execution_report(self.clock.ms(), exec_type, execution_id, fill, client_id,
                                                    orig_client_id))

    def _position(self, account: Account, assets: set[str]) -> None:
        now = self.clock.ms()
        account.update_time = now
        balances = []
        for asset in sorted(assets):
            free, locked = account.balance(asset)
            balances.append({"a": asset, "f": fmt(free), "l": fmt(locked)})
        self._emit(account, {"e": "outboundAccountPosition", "E": now, "u": now, "B": balances})

    def open_orders(self, uid: int, symbol: str | None = None) -> list[Order]:
        symbols = [symbol] if symbol else list(self.orders)
        return [o for s in symbols for o in self.orders[s].values() if o.uid == uid and o.is_open]

    def find(self, uid: int, symbol: str, order_id: str | None, client_id: str | None) -> Order | None:
        book = self.orders[symbol]
        if order_id not in (None, ""):
            try:
                order = book.get(int(order_id))
            except ValueError:
                raise mandatory("orderId")
            if order is None or order.uid != uid:
                return None
            if client_id not in (None, "") and order.client_order_id != client_id:
                return None
            return order
        if client_id in (None, ""):
            raise either("orderId", "origClientOrderId")
        # the latest order with that client id (a client id is unique among open orders only)
        found = [o for o in book.values() if o.uid == uid and o.client_order_id == client_id]
        return found[-1] if found else None

    # ---------- new order ----------
    def _walk(self, book: Book, side: str, limit: Decimal | None, qty: Decimal | None, quote: Decimal | None,
              step: Decimal) -> list[tuple[Decimal, Decimal]]:
        """Taker fills (price, qty) against the opposite side, best first, up to qty or quote amount."""
        name = "asks" if side == "BUY" else "bids"
        fills: list[tuple[Decimal, Decimal]] = []
        left_qty, left_quote = qty, quote
        for price in book.side(name).ordered():
            if limit is not None and ((side == "BUY" and price > limit) or (side == "SELL" and price < limit)):
                break
            available = book.available(name, price)
            if available <= 0:
                continue
            take = available if left_qty is None else min(available, left_qty)
            if left_quote is not None:
                take = min(take, floor_step(left_quote / price, step))
            if take <= 0:
                break
            fills.append((price, take))
            if left_qty is not None:
                left_qty -= take
                if left_qty <= 0:
                    break
            if left_quote is not None:
                left_quote -= take * price
                if left_quote <= 0:
                    break
        return fills

    def place(self, account: Account, params: dict) -> tuple[Order, list[Fill], str]:
        req = parse_order(params)
        spec: SymbolSpec = req["spec"]
        book = self.books[spec.symbol]
        side, kind, price, qty, quote = req["side"], req["type"], req["price"], req["qty"], req["quote"]
        market = kind == "MARKET"
        if price is not None:
            check_price(spec, price)
        if qty is not None:
            check_lot(spec, qty, market)
        reference = price if price is not None else book.mid()
        if reference is None:
            raise BinanceError(-1112, "No orders on book for symbol.")
        notional = quote if quote is not None else qty * reference
        check_notional(spec, notional, market, self.notional_filter)
        if len(self.open_orders(account.uid, spec.symbol)) >= spec.max_num_orders:
            raise BinanceError(-1013, "Filter failure: MAX_NUM_ORDERS")
        if any(o.client_order_id == req["client_id"] for o in self.open_orders(account.uid, spec.symbol)):
            raise rejected(DUPLICATE)
        limit = None if market else price
        taker = self._walk(book, side, limit, qty, quote, spec.step)
        if kind == "LIMIT_MAKER" and taker:
            raise rejected("Order would immediately match and take.")
        filled = sum((q for _, q in taker), ZERO)
        cost = sum((p * q for p, q in taker), ZERO)
        if kind == "LIMIT" and req["tif"] == "FOK" and filled < qty:
            taker, filled, cost = [], ZERO, ZERO       # fill or kill: nothing trades, the order expires
        # balances: what the order needs must be free now
        lock_asset, lock_amount = "", ZERO
        if side == "BUY":
            if market:
                if account.balance(spec.quote)[0] < (quote if quote is not None else cost):
                    raise rejected(INSUFFICIENT)
            else:
                lock_asset, lock_amount = spec.quote, price * qty
        else:
            need = filled if (market and quote is not None) else qty
            lock_asset, lock_amount = spec.base, need
        if lock_asset and account.balance(lock_asset)[0] < lock_amount:
            raise rejected(INSUFFICIENT)
        now = self.clock.ms()
        order = Order(symbol=spec.symbol, order_id=self.next_order_id[spec.symbol], client_order_id=req["client_id"],
                      side=side, type=kind, time_in_force=req["tif"], price=price or ZERO,
                      orig_qty=qty if qty is not None else filled, orig_quote_qty=quote or ZERO, time=now,
                      uid=account.uid, update_time=now, working_time=now)
        self.next_order_id[spec.symbol] += 1
        self.orders[spec.symbol][order.order_id] = order
        if lock_asset:
            account.lock(lock_asset, lock_amount)
            order.locked_asset, order.locked_remaining = lock_asset, lock_amount
        self._report(account, order, "NEW")
        fills = [self._fill(account, order, spec, p, q, maker=False) for p, q in taker]
        if order.is_open and (market or req["tif"] in ("IOC", "FOK")):
            order.status = "EXPIRED"
            self._release(account, order)
            self._report(account, order, "EXPIRED")
        if order.status == "FILLED":
            self._release(account, order)
        self._position(account, {spec.base, spec.quote})
        return order, fills, req["resp"]

    def _fill(self, account: Account, order: Order, spec: SymbolSpec, price: Decimal, qty: Decimal,
              maker: bool, level: Decimal | None = None) -> Fill:
        """One trade. `level` is the book level whose liquidity it takes (the trade price unless a maker fill)."""
        book = self.books[spec.symbol]
        book.consume("asks" if order.side == "BUY" else "bids", price if level is None else level, qty)
        quote_qty = price * qty
        rate = account.maker if maker else account.taker
        now = self.clock.ms()
        if order.side == "BUY":
            commission, asset = round8(qty * rate), spec.base
            if order.locked_asset:
                account.spend_locked(spec.quote, quote_qty)
                reserved = order.price * qty
                account.unlock(spec.quote, reserved - quote_qty)
                order.locked_remaining -= reserved
            else:
                account.add_free(spec.quote, -quote_qty)
            account.add_free(spec.base, qty - commission)
        else:
            commission, asset = round8(quote_qty * rate), spec.quote
            if order.locked_asset:
                account.spend_locked(spec.base, qty)
                order.locked_remaining -= qty
            else:
                account.add_free(spec.base, -qty)
            account.add_free(spec.quote, quote_qty - commission)
        fill = Fill(price=price, qty=qty, quote=quote_qty, commission=commission, commission_asset=asset,
                    trade_id=self.next_trade_id[spec.symbol], maker=maker, time=now)
        self.next_trade_id[spec.symbol] += 1
        order.executed_qty += qty
        order.cum_quote += quote_qty
        order.fills.append(fill)
        order.update_time = now
        order.status = "FILLED" if order.executed_qty >= order.orig_qty else "PARTIALLY_FILLED"
        self._report(account, order, "TRADE", fill)
        return fill

    def _release(self, account: Account, order: Order) -> None:
        if order.locked_asset and order.locked_remaining > 0:
            account.unlock(order.locked_asset, order.locked_remaining)
        order.locked_remaining = ZERO

    # ---------- cancel ----------
    def cancel(self, account: Account, symbol: str, order: Order | None, cancel_client_id: str | None) -> dict:
        if order is None or not order.is_open:
            raise BinanceError(-2011, UNKNOWN_ORDER)
        spec = SPECS[symbol]
        now = self.clock.ms()
        order.status = "CANCELED"
        order.update_time = now
        self._release(account, order)
        cancel_id = cancel_client_id or new_client_id()
        self._report(account, order, "CANCELED", client_id=cancel_id, orig_client_id=order.client_order_id)
        self._position(account, {spec.base, spec.quote})
        return order.canceled(cancel_id, now)

    # ---------- the recording moved ----------
    def on_book_update(self, symbol: str) -> None:
        book = self.books[symbol]
        spec = SPECS[symbol]
        resting = sorted((o for o in self.orders[symbol].values() if o.is_open), key=lambda o: o.order_id)
        for order in resting:
            name = "asks" if order.side == "BUY" else "bids"
            account = self._account(order.uid)
            touched = False
            for level in book.side(name).ordered():
                if (order.side == "BUY" and level > order.price) or (order.side == "SELL" and level < order.price):
                    break
                available = book.available(name, level)
                if available <= 0:
                    continue
                take = min(available, order.remaining)
                # a resting order trades at its own price, against the crossing level's liquidity
                self._fill(account, order, spec, order.price, take, maker=True, level=level)
                touched = True
                if not order.is_open:
                    self._release(account, order)
                    break
            if touched:
                self._position(account, {spec.base, spec.quote})
