"""The matching engine: spot orders against the recorded book, exact Decimal balances, Kraken's fees, executions.

- A taker order walks the opposite side (less what own orders already took) at the level prices, best first.
- limit GTC rests what is left (a hold on the quote for a buy: price x volume plus the taker fee when the fee is
  in quote; the base volume for a sell, plus the fee when fcib); IOC cancels what is left (reason "Order killed");
  post (oflags / post_only) that would take is accepted and then canceled (reason "Post only order"); market takes
  what the book has, any rest is canceled (reason "No liquidity").
- A resting order fills, as maker and at its own price, when the recorded book crosses it.
- Fees: the account's percent (Kraken's convention, 0.26 = 0.26 %), taker or maker; fee = cost x percent / 100 in
  the quote currency (default, fciq), or volume x percent / 100 in the base currency with fcib; exact, no rounding.
- Executions (v2 `executions`): pending_new, then its trades (order_status partially_filled, as the docs warn),
  then filled / canceled, or new when it rests. Every change is handed to the sinks.
"""
from __future__ import annotations

import itertools
import string
from decimal import Decimal
from typing import Callable

from accounts import Account, Accounts
from book import Book
from common import HUNDRED, ZERO, Clock, KrakenError, is_multiple, parse_decimal
from instruments import Instruments, Pair
from orders import Fill, Order
from ratelimit import TIERS, RateLimiter, cancel_cost

Sink = Callable[[Account, dict], None]
_ALPHABET = string.ascii_uppercase + "234567"


def kraken_id(prefix: str, number: int) -> str:
    """OUF4EM-FRGI2-MQMWZD shape: prefix + 5, 5 and 6 characters, from a counter (deterministic)."""
    chars = []
    for _ in range(16):
        number, digit = divmod(number * 7 + 3, 32)
        chars.append(_ALPHABET[digit])
    text = prefix + "".join(chars)
    return f"{text[:6]}-{text[6:11]}-{text[11:17]}"


def bad(field: str) -> KrakenError:
    return KrakenError(f"EGeneral:Invalid arguments:{field}")


class Engine:
    def __init__(self, accounts: Accounts, instruments: Instruments, books: dict[str, Book], clock: Clock,
                 limiter: RateLimiter) -> None:
        self.accounts, self.instruments, self.books, self.clock = accounts, instruments, books, clock
        self.limiter = limiter
        self.orders: dict[str, Order] = {}
        self.order_numbers = itertools.count(1_000_001)
        self.fill_numbers = itertools.count(5_000_001)
        self.exec_numbers = itertools.count(9_000_001)
        self.trade_ids: dict[str, int] = {}
        self.sinks: list[Sink] = []

    # ---------- lookups ----------
    def mine(self, account: Account) -> list[Order]:
        return [o for o in self.orders.values() if o.account == account.name]

    def open_orders(self, account: Account, pair: Pair | None = None) -> list[Order]:
        return [o for o in self.mine(account) if o.is_open and pair in (None, o.pair)]

    def find(self, account: Account, ident: str) -> list[Order]:
        """An order id, a cl_ord_id (its open order, else its latest) or a userref (every open one)."""
        if ident in self.orders and self.orders[ident].account == account.name:
            return [self.orders[ident]]
        by_client = [o for o in self.mine(account) if o.cl_ord_id == ident]
        if by_client:
            return [next((o for o in by_client if o.is_open), by_client[-1])]
        if ident.lstrip("-").isdigit():
            return [o for o in self.open_orders(account) if o.userref == int(ident)]
        return []

    # ---------- events ----------
    def _emit(self, account: Account, order: Order, exec_type: str, fill: Fill | None = None) -> None:
        item = order.execution(exec_type, kraken_id("L", next(self.exec_numbers)), self.clock.now(), fill)
        for sink in self.sinks:
            sink(account, item)

    # ---------- placing ----------
    def validate(self, account: Account, req: dict) -> Pair:
        pair = self.instruments.require(req.get("pair"))
        side, kind = req.get("type"), req.get("ordertype")
        if side not in ("buy", "sell"):
            raise bad("type")
        if kind not in ("limit", "market"):
            raise bad("ordertype")
        vol = parse_decimal(req.get("volume"))
        if vol is None or vol <= 0 or vol != round(vol, pair.lot_decimals):
            raise bad("volume")
        price = parse_decimal(req.get("price")) if kind == "limit" else None
        if kind == "limit" and (price is None or price <= 0):
            raise bad("price")
        if req.get("tif", "GTC") not in ("GTC", "IOC"):
            raise bad("timeinforce")
        if price is not None and not is_multiple(price, pair.tick):
            raise KrakenError("EOrder:Tick size check failed")
        if vol < pair.ordermin:
            raise KrakenError("EOrder:Order minimum not met")
        reference = price if price is not None else self._best(pair, side)
        if reference is not None and reference * vol < pair.costmin:
            raise KrakenError("EOrder:Cost minimum not met")
        cl = req.get("cl_ord_id")
        if cl and any(o.cl_ord_id == cl for o in self.open_orders(account)):
            raise KrakenError("EOrder:Duplicate order")      # this server's wording: the docs name no error
        if len(self.open_orders(account, pair)) >= TIERS[account.tier].open_orders:
            raise KrakenError("EOrder:Orders limit exceeded")
        req.update(pair_obj=pair, vol=vol, price_d=price)
        return pair

    def _best(self, pair: Pair, side: str) -> Decimal | None:
        levels = self.books[pair.symbol].side("asks" if side == "buy" else "bids").top(1)
        return levels[0] if levels else None

    def _walk(self, book: Book, side: str, limit: Decimal | None, qty: Decimal) -> list[tuple[Decimal, Decimal]]:
        name = "asks" if side == "buy" else "bids"
        fills, left = [], qty
        for price in book.side(name).ordered():
            if limit is not None and ((side == "buy" and price > limit) or (side == "sell" and price < limit)):
                break
            take = min(book.available(name, price), left)
            if take > 0:
                fills.append((price, take))
                left -= take
                if left <= 0:
                    break
        return fills

    def place(self, account: Account, req: dict) -> Order | None:
        """req: pair, type, ordertype, volume, price, tif, post, fcib, cl_ord_id, userref, validate."""
        pair_hint = self.instruments.get(req.get("pair"))
        if pair_hint is not None:
            self.limiter.charge_trading(account.name, account.tier, pair_hint.symbol, 1)
        pair = self.validate(account, req)
        side, vol, price = req["type"], req["vol"], req["price_d"]
        fee_in_base, taker = bool(req.get("fcib")), account.taker / HUNDRED
        book = self.books[pair.symbol]
        taker_fills = self._walk(book, side, price, vol)
        if price is not None:
            if side == "buy":
                hold_asset, hold = (pair.quote, price * vol) if fee_in_base else (pair.quote, price * vol * (1 + taker))
            else:
                hold_asset, hold = pair.base, vol * (1 + taker) if fee_in_base else vol
        else:
            cost = sum((p * q for p, q in taker_fills), ZERO)
            hold_asset, hold = (pair.quote, cost * (1 + taker) if not fee_in_base else cost) if side == "buy" \
                else (pair.base, vol * (1 + taker) if fee_in_base else vol)
        if account.available(hold_asset) < hold:
            raise KrakenError("EOrder:Insufficient funds")
        if req.get("validate"):
            return None
        now = self.clock.now()
        order = Order(txid=kraken_id("O", next(self.order_numbers)), account=account.name, pair=pair, side=side,
                      ordertype=req["ordertype"], vol=vol, price=price, tif=req.get("tif", "GTC"),
                      post=bool(req.get("post")), fee_in_base=fee_in_base, cl_ord_id=req.get("cl_ord_id") or None,
                      userref=int(req.get("userref") or 0), opentm=now)
        self.orders[order.txid] = order
        if price is not None:
            account.add_hold(hold_asset, hold)
            order.hold_asset, order.hold_left = hold_asset, hold
        self._emit(account, order, "pending_new")
        order.status = "open"
        if order.post and taker_fills:
            return self._end(account, order, "canceled", "Post only order")
        for fill_price, qty in taker_fills:
            self._fill(account, order, fill_price, qty, maker=False)
        if order.is_open and (order.ordertype == "market" or order.tif == "IOC"):
            return self._end(account, order, "canceled", "No liquidity" if order.ordertype == "market"
                             else "Order killed")
        if order.is_open:
            self._emit(account, order, "new")
        return order

    def _end(self, account: Account, order: Order, status: str, reason: str | None) -> Order:
        order.status, order.reason, order.closetm = status, reason, self.clock.now()
        self._release(account, order)
        self._emit(account, order, {"closed": "filled"}.get(status, status))
        return order

    def _release(self, account: Account, order: Order) -> None:
        if order.hold_asset and order.hold_left > 0:
            account.add_hold(order.hold_asset, -order.hold_left)
        order.hold_left = ZERO

    def _fill(self, account: Account, order: Order, price: Decimal, qty: Decimal, maker: bool,
              level: Decimal | None = None) -> None:
        pair = order.pair
        self.books[pair.symbol].consume("asks" if order.side == "buy" else "bids", level or price, qty)
        rate = (account.maker if maker else account.taker) / HUNDRED
        cost = price * qty
        fee = qty * rate if order.fee_in_base else cost * rate
        if order.side == "buy":
            account.add(pair.quote, -cost - (ZERO if order.fee_in_base else fee))
            account.add(pair.base, qty - (fee if order.fee_in_base else ZERO))
        else:
            account.add(pair.base, -qty - (fee if order.fee_in_base else ZERO))
            account.add(pair.quote, cost - (ZERO if order.fee_in_base else fee))
        if order.hold_asset:
            taker = account.taker / HUNDRED
            if order.side == "buy":
                reserved = order.price * qty * (1 if order.fee_in_base else 1 + taker)
            else:
                reserved = qty * (1 + taker) if order.fee_in_base else qty
            release = min(order.hold_left, reserved)
            account.add_hold(order.hold_asset, -release)
            order.hold_left -= release
        self.trade_ids[pair.symbol] = self.trade_ids.get(pair.symbol, 40_000_000) + 1
        fill = Fill(txid=kraken_id("T", next(self.fill_numbers)), trade_id=self.trade_ids[pair.symbol],
                    price=price, qty=qty, cost=cost, fee=fee, fee_asset=order.fee_asset, maker=maker,
                    time=self.clock.now())
        order.fills.append(fill)
        order.vol_exec += qty
        order.cost += cost
        order.fee += fee
        self._emit(account, order, "trade", fill)
        if order.vol_exec >= order.vol:
            self._end(account, order, "closed", None)

    # ---------- cancel ----------
    def cancel(self, account: Account, orders: list[Order]) -> int:
        count = 0
        for order in orders:
            if order.is_open:
                cost = cancel_cost(self.clock.now() - order.opentm)
                self.limiter.charge_trading(account.name, account.tier, order.pair.symbol, cost)
                self._end(account, order, "canceled", "User requested")
                count += 1
        return count

    # ---------- the recording moved ----------
    def on_book_update(self, symbol: str) -> None:
        book = self.books[symbol]
        for order in [o for o in self.orders.values() if o.pair.symbol == symbol and o.is_open]:
            name = "asks" if order.side == "buy" else "bids"
            account = self.accounts.find(order.account)
            for level in list(book.side(name).ordered()):
                if (order.side == "buy" and level > order.price) or (order.side == "sell" and level < order.price):
                    break
                available = book.available(name, level)
                if available > 0:
                    self._fill(account, order, order.price, min(available, order.remaining), maker=True, level=level)
                if not order.is_open:
                    break
