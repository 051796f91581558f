"""The matching engine: spot orders against the served book, exact Decimal balances, Coinbase's fee rates, the
`user` channel's order states.

- A taker order walks the opposite side (less what own orders already took) at the level prices, best first, up to
  its limit price: sor_limit_ioc takes what the levels hold and cancels the rest; limit_limit_fok fills whole or is
  cancelled without a fill; market_market_ioc takes what the book has (base_size, or quote_size as notional: sizes
  rounded down to base_increment) and cancels any rest; limit_limit_gtc rests what is left, and later fills as maker,
  at its own price, when the market crosses it. Post-only that would take is refused
  (INVALID_LIMIT_PRICE_POST_ONLY).
- Commission = rate x price x size per fill (taker rate for takers, maker for makers), in the quote currency,
  exact (no rounding). A buy pays notional + commission in quote; a sell receives notional - commission.
- Holds: a resting buy holds price x size x (1 + taker) of the quote, a resting sell the base size.
- A repeated client_order_id returns the existing order (docs: "the order will not be created and the order with
  that ID will be returned instead"); nothing is placed, whatever the rest of the body says.
- Every state change goes to the sinks as the order's `user` item: PENDING on entry, one update per fill (OPEN
  while more can fill), then FILLED / CANCELLED, or OPEN when it rests.
"""
from __future__ import annotations

import itertools
import uuid
from decimal import ROUND_DOWN, Decimal
from typing import Callable

from accounts import Account, Accounts
from book import Book
from common import ZERO, Clock, is_multiple, parse_decimal
from orders import Fill, Order
from products import Product

Sink = Callable[[Account, Order], None]
CONFIGS = ("market_market_ioc", "sor_limit_ioc", "limit_limit_gtc", "limit_limit_fok")
# reason -> (new_order_failure_reason, preview_failure_reason, message)
REASONS = {
    "INSUFFICIENT_FUND": ("INSUFFICIENT_FUND", "PREVIEW_INSUFFICIENT_FUND", "Insufficient balance in source account"),
    "INVALID_SIZE_PRECISION": ("INVALID_SIZE_PRECISION", "PREVIEW_INVALID_SIZE_PRECISION",
                               "Too many decimals in order amount"),
    "INVALID_PRICE_PRECISION": ("INVALID_PRICE_PRECISION", "PREVIEW_INVALID_PRICE_PRECISION",
                                "Too many decimals in order price"),
    "INVALID_LIMIT_PRICE_POST_ONLY": ("INVALID_LIMIT_PRICE_POST_ONLY", "PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY",
                                      "Post-only order would cross the book"),
    "INVALID_LIMIT_PRICE": ("INVALID_LIMIT_PRICE", "PREVIEW_INVALID_LIMIT_PRICE", "Invalid limit price"),
    "INVALID_PRODUCT_ID": ("INVALID_PRODUCT_ID", "PREVIEW_INVALID_PRODUCT_ID", "Invalid product_id"),
    "INVALID_SIDE": ("INVALID_SIDE", "PREVIEW_INVALID_SIDE", "Invalid side"),
    "UNSUPPORTED_ORDER_CONFIGURATION": ("UNSUPPORTED_ORDER_CONFIGURATION", "PREVIEW_INVALID_ORDER_CONFIG",
                                        "Unsupported order configuration"),
    "ORDER_ENTRY_DISABLED": ("ORDER_ENTRY_DISABLED", "UNKNOWN_PREVIEW_FAILURE_REASON", "Order entry is disabled"),
    "INVALID_NO_LIQUIDITY": ("INVALID_NO_LIQUIDITY", "PREVIEW_INVALID_NO_LIQUIDITY", "No liquidity"),
    "PREVIEW_INVALID_BASE_SIZE_TOO_SMALL": ("UNKNOWN_FAILURE_REASON", "PREVIEW_INVALID_BASE_SIZE_TOO_SMALL",
                                            "Order size too small"),
    "PREVIEW_INVALID_BASE_SIZE_TOO_LARGE": ("UNKNOWN_FAILURE_REASON", "PREVIEW_INVALID_BASE_SIZE_TOO_LARGE",
                                            "Order size too large"),
    "PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL": ("UNKNOWN_FAILURE_REASON", "PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL",
                                             "Order value too small"),
    "INVALID_REQUEST": ("INVALID_REQUEST", "UNKNOWN_PREVIEW_FAILURE_REASON", "Invalid request"),
    "UNKNOWN_FAILURE_REASON": ("UNKNOWN_FAILURE_REASON", "UNKNOWN_PREVIEW_FAILURE_REASON", "Unknown failure"),
}


class OrderRejected(Exception):
    def __init__(self, reason: str, details: str = "") -> None:
        super().__init__(reason)
        self.reason, self.details = reason, details

    def error_response(self) -> dict:
        if self.reason in REASONS:
            new, preview, message = REASONS[self.reason]
        elif self.reason.startswith("PREVIEW_"):
            new, preview, message = "UNKNOWN_FAILURE_REASON", self.reason, self.reason
        else:
            new, preview, message = self.reason, "UNKNOWN_PREVIEW_FAILURE_REASON", self.reason
        return {"error": self.reason, "message": message, "error_details": self.details or message,
                "preview_failure_reason": preview, "new_order_failure_reason": new}


class Engine:
    def __init__(self, accounts: Accounts, products: dict[str, Product], books: dict[str, Book], clock: Clock) -> None:
        self.accounts, self.products, self.books, self.clock = accounts, products, books, clock
        self.orders: dict[str, Order] = {}
        self.by_client: dict[tuple[str, str], Order] = {}
        self.sinks: list[Sink] = []
        self.numbers = itertools.count(1)

    def _uuid(self) -> str:
        return str(uuid.uuid4())

    def mine(self, account: Account) -> list[Order]:
        return [o for o in self.orders.values() if o.account == account.name]

    def _emit(self, account: Account, order: Order) -> None:
        for sink in self.sinks:
            sink(account, order)

    # ---------- placing ----------
    def existing(self, account: Account, client_order_id: str) -> Order | None:
        return self.by_client.get((account.name, client_order_id))

    def _parse(self, body: dict) -> tuple[Product, str, str, dict, Decimal | None, Decimal | None, Decimal | None,
                                           bool]:
        product = self.products.get(body.get("product_id"))
        if product is None:
            raise OrderRejected("INVALID_PRODUCT_ID")
        side = body.get("side")
        if side not in ("BUY", "SELL"):
            raise OrderRejected("INVALID_SIDE")
        configuration = body.get("order_configuration")
        if not isinstance(configuration, dict) or len(configuration) != 1:
            raise OrderRejected("UNSUPPORTED_ORDER_CONFIGURATION", "order_configuration needs exactly one entry")
        name, config = next(iter(configuration.items()))
        if name not in CONFIGS or not isinstance(config, dict):
            raise OrderRejected("UNSUPPORTED_ORDER_CONFIGURATION", f"{name} is not supported by this server")
        base = parse_decimal(config.get("base_size")) if "base_size" in config else None
        quote = parse_decimal(config.get("quote_size")) if "quote_size" in config else None
        price = parse_decimal(config.get("limit_price")) if name != "market_market_ioc" else None
        if name == "market_market_ioc":
            if (base is None) == (quote is None) or (quote is not None and side == "SELL"):
                raise OrderRejected("INVALID_REQUEST", "market_market_ioc: base_size, or quote_size for a BUY")
        elif base is None or price is None or quote is not None:
            raise OrderRejected("INVALID_REQUEST", f"{name}: base_size and limit_price")
        for value in (base, quote, price):
            if value is not None and value <= 0:
                raise OrderRejected("INVALID_REQUEST", "sizes and prices must be positive")
        post = config.get("post_only", False) is True
        return product, side, name, config, base, quote, price, post

    def place(self, account: Account, body: dict) -> Order:
        """Validates and runs an order (OrderRejected if refused). A client_order_id seen before is not placed:
        the existing order is returned."""
        client_order_id = body.get("client_order_id")
        if not isinstance(client_order_id, str) or not client_order_id:
            raise OrderRejected("INVALID_REQUEST", "client_order_id is required")
        found = self.existing(account, client_order_id)
        if found is not None:
            return found
        product, side, name, config, base, quote, price, post = self._parse(body)
        flags = product.flags
        if flags["trading_disabled"] or flags["is_disabled"] or flags["cancel_only"] or flags["status"] != "online":
            raise OrderRejected("ORDER_ENTRY_DISABLED")
        if (flags["limit_only"] and name == "market_market_ioc") or (flags["post_only"] and not post):
            raise OrderRejected("UNSUPPORTED_ORDER_CONFIGURATION", "product is limit-only / post-only")
        if base is not None and not is_multiple(base, product.base_increment):
            raise OrderRejected("INVALID_SIZE_PRECISION")
        if quote is not None and not is_multiple(quote, product.quote_increment):
            raise OrderRejected("PREVIEW_INVALID_QUOTE_SIZE_PRECISION")
        if price is not None and not is_multiple(price, product.price_increment):
            raise OrderRejected("INVALID_PRICE_PRECISION")
        if base is not None and base < product.base_min_size:
            raise OrderRejected("PREVIEW_INVALID_BASE_SIZE_TOO_SMALL")
        if base is not None and base > product.base_max_size:
            raise OrderRejected("PREVIEW_INVALID_BASE_SIZE_TOO_LARGE")
        book = self.books[product.product_id]
        taking = "offer" if side == "BUY" else "bid"
        best = book.side(taking).best()
        notional = quote if quote is not None else (base * price if price is not None else
                                                    (base * best if best is not None else None))
        if notional is not None and notional < product.quote_min_size:
            raise OrderRejected("PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL")
        fills = self._walk(book, taking, side, price, base, quote, product)
        if post and fills:
            raise OrderRejected("INVALID_LIMIT_PRICE_POST_ONLY")
        if name == "market_market_ioc" and best is None:
            raise OrderRejected("INVALID_NO_LIQUIDITY")
        taker = account.taker
        if side == "BUY":
            hold_asset = product.quote
            need = (price * base if price is not None else quote if quote is not None
                    else sum((p * q for p, q in fills), ZERO)) * (1 + taker)
        else:
            hold_asset, need = product.base, base
        if account.available(hold_asset) < need:
            raise OrderRejected("INSUFFICIENT_FUND")
        order = Order(order_id=self._uuid(), client_order_id=client_order_id, account=account.name, product=product,
                      side=side, config_name=name, config=config, base_size=base, quote_size=quote,
                      limit_price=price, post_only=post, created=self.clock.now())
        self.orders[order.order_id] = order
        self.by_client[(account.name, client_order_id)] = order
        if name == "limit_limit_gtc":
            order.hold_asset, order.hold_left = hold_asset, need
            account.add_hold(hold_asset, need)
        self._emit(account, order)
        if name == "limit_limit_fok" and sum((q for _, q in fills), ZERO) < base:
            return self._end(account, order, "CANCELLED", "Fill-or-kill could not fill")
        order.status = "OPEN"
        for fill_price, qty in fills:
            self._fill(account, order, fill_price, qty, maker=False)
        if order.is_open and name != "limit_limit_gtc":
            return self._end(account, order, "CANCELLED", "IOC order not fully filled")
        if order.is_open:
            self._emit(account, order)
        return order

    def _walk(self, book: Book, taking: str, side: str, limit: Decimal | None, base: Decimal | None,
              quote: Decimal | None, product: Product) -> list[tuple[Decimal, Decimal]]:
        fills, left_base, left_quote = [], base, quote
        for price in book.side(taking).ordered():
            if limit is not None and ((side == "BUY" and price > limit) or (side == "SELL" and price < limit)):
                break
            available = book.available(taking, price)
            if left_base is not None:
                take = min(available, left_base)
            else:
                take = min(available, (left_quote / price).quantize(product.base_increment, rounding=ROUND_DOWN))
            if take > 0:
                fills.append((price, take))
                if left_base is not None:
                    left_base -= take
                    if left_base <= 0:
                        break
                else:
                    left_quote -= take * price
                    if left_quote < price * product.base_increment:
                        break
        return fills

    def _end(self, account: Account, order: Order, status: str, reason: str = "") -> Order:
        order.status, order.cancel_reason = status, reason
        if order.hold_left > 0:
            account.add_hold(order.hold_asset, -order.hold_left)
        order.hold_left = ZERO
        self._emit(account, order)
        return order

    def _fill(self, account: Account, order: Order, price: Decimal, qty: Decimal, maker: bool,
              level: Decimal | None = None) -> None:
        product = order.product
        self.books[product.product_id].consume("offer" if order.side == "BUY" else "bid", level or price, qty)
        notional = price * qty
        commission = notional * (account.maker if maker else account.taker)
        if order.side == "BUY":
            account.add(product.quote, -notional - commission)
            account.add(product.base, qty)
        else:
            account.add(product.base, -qty)
            account.add(product.quote, notional - commission)
        if order.hold_left > 0:
            reserved = order.limit_price * qty * (1 + account.taker) if order.side == "BUY" else qty
            release = min(order.hold_left, reserved)
            account.add_hold(order.hold_asset, -release)
            order.hold_left -= release
        number = next(self.numbers)
        order.fills.append(Fill(entry_id=self._uuid(), trade_id=self._uuid(), price=price, size=qty,
                                commission=commission, maker=maker, time=self.clock.now() + number * 1e-6))
        order.filled += qty
        order.filled_value += notional
        order.fees += commission
        if order.base_size is not None and order.filled >= order.base_size:
            self._end(account, order, "FILLED")
        elif order.quote_size is not None and order.quote_size - order.filled_value < price * product.base_increment:
            self._end(account, order, "FILLED")
        else:
            self._emit(account, order)

    # ---------- cancel ----------
    def cancel(self, account: Account, order_id: str) -> dict:
        order = self.orders.get(order_id)
        if order is None or order.account != account.name:
            return {"success": False, "failure_reason": "UNKNOWN_CANCEL_ORDER", "order_id": order_id}
        if not order.is_open:
            return {"success": False, "failure_reason": "INVALID_CANCEL_REQUEST", "order_id": order_id}
        self._end(account, order, "CANCELLED", "User requested cancel")
        return {"success": True, "failure_reason": "UNKNOWN_CANCEL_FAILURE_REASON", "order_id": order_id}

    # ---------- the market moved ----------
    def on_book_update(self, product_id: str) -> None:
        book = self.books[product_id]
        for order in [o for o in self.orders.values() if o.product.product_id == product_id and o.is_open
                      and o.config_name == "limit_limit_gtc"]:
            taking = "offer" if order.side == "BUY" else "bid"
            account = self.accounts.find(order.account)
            for level in book.side(taking).ordered():
                if (order.side == "BUY" and level > order.limit_price) or \
                        (order.side == "SELL" and level < order.limit_price):
                    break
                available = book.available(taking, level)
                if available > 0:
                    self._fill(account, order, order.limit_price, min(available, order.remaining), maker=True,
                               level=level)
                if not order.is_open:
                    break
