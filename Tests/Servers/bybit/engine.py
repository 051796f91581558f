"""The matching engine: linear USDT contracts against the served book, exact Decimal money.

- A taker order walks the opposite side (less what own orders already took) at the level prices. A resting order
  fills, as maker and at its own price, when the book crosses it. Own orders never match each other.
- Market orders are converted to IOC limit orders at a slippage-protection price (docs "Place Order": 3 % from the
  last price for BTC contracts, 5 % for the others); what they cannot fill up to it is cancelled.
- Positions: one signed position per symbol (one-way, positionIdx 0) or two (hedge, 1 = Buy side, 2 = Sell side).
  avgPrice = quantity-weighted average of the opening fills, kept to 8 decimals half-up; closed PnL of a reducing
  fill = closed size x (fill - avgPrice) x direction; a fill through zero opens the rest at the fill price.
- Fee = execValue x fee rate (execValue = execPrice x execQty), exact: no rounding. The wallet moves by closed PnL
  minus fees (and by funding); curRealisedPnl / cumRealisedPnl count closed PnL - fees + funding (Bybit's realised
  PnL includes both).
- Margin (cross, UTA): initial margin of a position = size x mark / leverage, of an order = the quantity that opens
  or grows a position x order price / leverage; available = wallet + unrealised PnL - position IM - order IM; an
  order whose new IM exceeds it is refused with 110007. Reduce-only and reducing orders need none. Maintenance
  margin = size x mark x 0.5 %. No liquidation engine.
- Funding: settle(symbol) charges every open position size x mark x rate (a long pays a positive rate).
- Every change is pushed to the account's private topics (order, execution, position, wallet).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Callable

from accounts import COIN, Account, Accounts, Position
from book import Book
from common import CATEGORY, D, ZERO, BybitError, Clock, error, new_id, params_error, parse_decimal, plain
from orders import Order, funding_execution, trade_execution
from symbols import Spec, check_price, check_qty, get_spec

LINK_ID = re.compile(r"^[A-Za-z0-9_-]{1,36}$")
MMR = D("0.005")
MAX_OPEN_ORDERS = 500
Sink = Callable[[Account, str, list], None]        # (account, topic, data rows)


@dataclass
class Funding:
    rate: Decimal = D("0.0001")
    mark: Decimal | None = None          # None: the book's mid on the tick
    index: Decimal | None = None         # None: the mark
    last: Decimal | None = None          # None: the mark (own fills are not public trades)
    next_time: int = 0
    interval_min: int = 480


class Engine:
    def __init__(self, accounts: Accounts, books: dict[str, Book], specs: dict[str, Spec], clock: Clock) -> None:
        self.accounts = accounts
        self.books = books
        self.specs = specs
        self.clock = clock
        self.orders: dict[str, dict[str, Order]] = {symbol: {} for symbol in specs}
        self.links: dict[tuple[int, str], Order] = {}
        self.funding: dict[str, Funding] = {}
        self.funding_history: list[dict] = []
        self.last_fill: dict[str, Decimal] = {}
        self.volume: dict[str, tuple[Decimal, Decimal]] = {s: (ZERO, ZERO) for s in specs}
        self.seq = 140_612_148_849_000          # execution / position sequence, of the real magnitude
        self.sinks: list[Sink] = []
        self.ticker_sinks: list[Callable[[str], None]] = []
        now = clock.ms()
        for symbol in specs:
            self.funding[symbol] = Funding(next_time=(now // 28_800_000 + 1) * 28_800_000)

    # ---------------- prices ----------------
    def mark(self, symbol: str) -> Decimal:
        state = self.funding[symbol]
        if state.mark is not None:
            return state.mark
        mid = self.books[symbol].mid()
        if mid is None:
            return self.last_fill.get(symbol, ZERO)
        return mid.quantize(D(1).scaleb(-self.specs[symbol].price_places), rounding=ROUND_HALF_UP)

    def index(self, symbol: str) -> Decimal:
        state = self.funding[symbol]
        return state.index if state.index is not None else self.mark(symbol)

    def last(self, symbol: str) -> Decimal:
        """The last traded price: scripted, else the mark (own fills are invisible to the public market here)."""
        state = self.funding[symbol]
        return state.last if state.last is not None else self.mark(symbol)

    # ---------------- margin ----------------
    def unrealised(self, pos: Position) -> Decimal:
        return pos.amount * (self.mark(pos.symbol) - pos.entry) if pos.amount else ZERO

    def position_im(self, account: Account, pos: Position) -> Decimal:
        return abs(pos.amount) * self.mark(pos.symbol) / account.lev(pos.symbol)

    def position_mm(self, pos: Position) -> Decimal:
        return abs(pos.amount) * self.mark(pos.symbol) * MMR

    def order_im(self, account: Account, symbol: str | None = None) -> Decimal:
        orders = self.open_orders(account.uid, symbol)
        return sum((o.open_margin_qty() * o.price / account.lev(o.symbol) for o in orders), ZERO)

    def totals(self, account: Account) -> dict[str, Decimal]:
        positions = [p for p in account.positions.values() if p.amount]
        upl = sum((self.unrealised(p) for p in positions), ZERO)
        pos_im = sum((self.position_im(account, p) for p in positions), ZERO)
        pos_mm = sum((self.position_mm(p) for p in positions), ZERO)
        ord_im = self.order_im(account)
        equity = account.wallet + upl
        available = equity - pos_im - ord_im
        return {"wallet": account.wallet, "upl": upl, "pos_im": pos_im, "pos_mm": pos_mm, "ord_im": ord_im,
                "equity": equity, "available": available}

    # ---------------- pushes ----------------
    def _emit(self, account: Account, topic: str, rows: list) -> None:
        if rows:
            for sink in self.sinks:
                sink(account, topic, rows)

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def open_orders(self, uid: int, symbol: str | None = None) -> list[Order]:
        symbols = [symbol] if symbol else list(self.orders)
        return [o for s in symbols for o in self.orders[s].values() if o.uid == uid and o.is_open]

    def position_row(self, account: Account, pos: Position, ws: bool = False) -> dict:
        """REST /v5/position/list row; the `position` topic names the average entry price `entryPrice` (REST:
        `avgPrice`)."""
        spec = self.specs[pos.symbol]
        mark = self.mark(pos.symbol)
        size = abs(pos.amount)
        im, mm = self.position_im(account, pos), self.position_mm(pos)
        return {"positionIdx": pos.idx, "riskId": 1, "riskLimitValue": "2000000", "symbol": pos.symbol,
                "side": pos.side, "size": spec.qty_text(size), "entryPrice" if ws else "avgPrice": plain(pos.entry),
                "positionValue": plain(size * pos.entry), "tradeMode": 0, "positionStatus": "Normal",
                "autoAddMargin": 0, "adlRankIndicator": 2 if size else 0, "leverage": plain(account.lev(pos.symbol)),
                "positionBalance": plain(im), "markPrice": spec.price_text(mark), "liqPrice": "", "bustPrice": "",
                "positionMM": plain(mm), "positionIM": plain(im), "positionIMByMp": plain(im),
                "positionMMByMp": plain(mm), "tpslMode": "Full", "takeProfit": "0", "stopLoss": "0",
                "trailingStop": "0", "unrealisedPnl": plain(self.unrealised(pos)),
                "curRealisedPnl": plain(pos.cur_realised), "cumRealisedPnl": plain(pos.cum_realised),
                "sessionAvgPrice": "", "seq": pos.seq, "isReduceOnly": False, "mmrSysUpdatedTime": "",
                "leverageSysUpdatedTime": "", "createdTime": str(pos.created_time or self.clock.ms()),
                "updatedTime": str(pos.updated_time or self.clock.ms()), "category": CATEGORY}

    def wallet_row(self, account: Account) -> dict:
        t = self.totals(account)
        upl, equity = t["upl"], t["equity"]
        im = t["pos_im"] + t["ord_im"]
        coin = {"coin": COIN, "equity": plain(equity), "usdValue": plain(equity), "walletBalance": plain(t["wallet"]),
                "free": "", "locked": "0", "spotHedgingQty": "0", "borrowAmount": "0", "availableToWithdraw": "",
                "accruedInterest": "0", "totalOrderIM": plain(t["ord_im"]), "totalPositionIM": plain(t["pos_im"]),
                "totalPositionMM": plain(t["pos_mm"]), "unrealisedPnl": plain(upl),
                "cumRealisedPnl": plain(account.cum_realised.get(COIN, ZERO)), "bonus": "0", "marginCollateral": True,
                "collateralSwitch": True, "availableToBorrow": "", "spotBorrow": "0"}
        return {"accountType": "UNIFIED", "accountIMRate": plain((im / equity).quantize(D("0.0001")))
                if equity > 0 else "0",
                "accountMMRate": plain((t["pos_mm"] / equity).quantize(D("0.0001"))) if equity > 0 else "0",
                "totalEquity": plain(equity), "totalWalletBalance": plain(t["wallet"]),
                "totalMarginBalance": plain(equity), "totalAvailableBalance": plain(max(ZERO, t["available"])),
                "totalPerpUPL": plain(upl), "totalInitialMargin": plain(im),
                "totalMaintenanceMargin": plain(t["pos_mm"]), "accountLTV": "0", "coin": [coin]}

    def _push_state(self, account: Account, positions: list[Position]) -> None:
        self._emit(account, "position", [self.position_row(account, p, ws=True) for p in positions])
        self._emit(account, "wallet", [self.wallet_row(account)])

    # ---------------- new order ----------------
    def _walk(self, book: Book, side: str, limit: Decimal | None, qty: Decimal) -> list[tuple[Decimal, Decimal]]:
        name = "asks" if side == "Buy" else "bids"
        fills, left = [], qty
        for price in book.side(name).ordered():
            if limit is not None and ((side == "Buy" and price > limit) or (side == "Sell" and price < limit)):
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
        if params.get("category") != CATEGORY:
            raise params_error("params error: category only support linear" if params.get("category")
                               else "params error: category is required")
        spec = get_spec(self.specs, params.get("symbol"))
        side = params.get("side")
        if side not in ("Buy", "Sell"):
            raise params_error("params error: side invalid")
        unsupported = [k for k in ("triggerPrice", "takeProfit", "stopLoss", "tpslMode", "tpLimitPrice", "slLimitPrice",
                                   "orderFilter", "orderIv", "marketUnit") if params.get(k) not in (None, "")]
        if unsupported:
            raise params_error(f"params error: {unsupported[0]} is not served here (conditional and TP/SL orders)")
        kind = params.get("orderType")
        if kind not in ("Limit", "Market"):
            raise params_error("params error: OrderType invalid")
        qty = parse_decimal(params.get("qty")) if isinstance(params.get("qty"), (str, int, Decimal)) else None
        if qty is None:
            raise params_error("params error: qty invalid")
        price = None
        if kind == "Limit":
            price_raw = params.get("price")
            price = parse_decimal(price_raw) if isinstance(price_raw, (str, int, Decimal)) else None
            if price is None:
                raise params_error("params error: price is required for a Limit order")
        tif = params.get("timeInForce") or ("IOC" if kind == "Market" else "GTC")
        if tif not in ("GTC", "IOC", "FOK", "PostOnly"):
            raise params_error("params error: timeInForce invalid")
        if kind == "Market" and tif == "PostOnly":
            raise params_error("params error: a Market order cannot be PostOnly")
        reduce_only = params.get("reduceOnly", False)
        close_on_trigger = params.get("closeOnTrigger", False)
        if not isinstance(reduce_only, bool) or not isinstance(close_on_trigger, bool):
            raise params_error("params error: reduceOnly and closeOnTrigger are booleans")
        idx = params.get("positionIdx", 0)
        if isinstance(idx, str) and idx.isdigit():
            idx = int(idx)
        if idx not in (0, 1, 2) or isinstance(idx, bool):
            raise params_error("params error: positionIdx invalid")
        if (idx == 0) == account.is_hedge(spec.symbol):
            raise params_error("position idx not match position mode")
        link = params.get("orderLinkId") or ""
        if link and (not isinstance(link, str) or not LINK_ID.match(link)):
            raise params_error("params error: orderLinkId invalid")
        return {"spec": spec, "side": side, "type": kind, "tif": "IOC" if kind == "Market" else tif, "qty": qty,
                "price": price, "reduce_only": reduce_only, "close_on_trigger": close_on_trigger, "idx": idx,
                "link": link}

    def _reducible(self, account: Account, spec: Spec, side: str, idx: int) -> tuple[Position, Decimal, bool]:
        """The position the order works on, how much of it the order can reduce, and whether it may only reduce."""
        pos = account.position(spec.symbol, idx)
        if idx == 0:
            buying = side == "Buy"
            reducible = abs(pos.amount) if pos.amount and (pos.amount > 0) != buying else ZERO
            return pos, reducible, False
        closing = (idx == 1 and side == "Sell") or (idx == 2 and side == "Buy")
        return pos, (abs(pos.amount) if closing else ZERO), closing

    def _protection_price(self, spec: Spec, side: str) -> Decimal:
        slip = D("0.03") if spec.symbol.startswith("BTC") else D("0.05")
        ref = self.last(spec.symbol)
        if side == "Buy":
            price = (ref * (1 + slip) / spec.tick).to_integral_value(rounding=ROUND_FLOOR) * spec.tick
        else:
            price = (ref * (1 - slip) / spec.tick).to_integral_value(rounding=ROUND_CEILING) * spec.tick
        return min(max(price, spec.min_price), spec.max_price)

    def place(self, account: Account, params: dict) -> Order:
        req = self._parse(account, params)
        spec: Spec = req["spec"]
        book = self.books[spec.symbol]
        side, kind, qty, idx = req["side"], req["type"], req["qty"], req["idx"]
        market = kind == "Market"
        check_qty(spec, qty, market)
        if market:
            price = self._protection_price(spec, side)
            if price <= 0:
                raise BybitError(110003, "Order price exceeds the allowable range.")
        else:
            price = req["price"]
            check_price(spec, price)
        if req["link"] and (account.uid, req["link"]) in self.links:
            raise error(110072)
        pos, reducible, closing = self._reducible(account, spec, side, idx)
        reduce_only = req["reduce_only"] or closing
        if reduce_only and reducible <= 0:
            raise error(110017)
        cap = min(qty, reducible) if reduce_only else qty
        taker = self._walk(book, side, price, cap)
        filled = sum((q for _, q in taker), ZERO)
        reference = (sum((p * q for p, q in taker), ZERO) / filled) if (market and filled) else price
        if not reduce_only and qty * reference < spec.min_notional:
            raise error(110094)
        opening = ZERO if reduce_only else max(ZERO, qty - reducible)
        if opening > 0 and opening * reference / account.lev(spec.symbol) > self.totals(account)["available"]:
            raise error(110007)
        if len(self.open_orders(account.uid)) >= MAX_OPEN_ORDERS:
            raise error(110020)
        now = self.clock.ms()
        order = Order(spec=spec, order_id=new_id(), link_id=req["link"], side=side, type=kind, tif=req["tif"],
                      price=price, qty=qty, reduce_only=req["reduce_only"], close_on_trigger=req["close_on_trigger"],
                      idx=idx, uid=account.uid, created=now, updated=now, last_price_on_created=self.last(spec.symbol),
                      opening_qty=opening)
        self.orders[spec.symbol][order.order_id] = order
        if order.link_id:
            self.links[(account.uid, order.link_id)] = order
        executions: list[dict] = []
        if order.tif == "PostOnly" and taker:
            self._cancel(order, "UNKNOWN", "EC_PostOnlyWillTakeLiquidity")
        elif order.tif == "FOK" and filled < qty:
            self._cancel(order, "UNKNOWN", "EC_NoEnoughQtyToFill")
        else:
            for level_price, level_qty in taker:
                executions.append(self._fill(account, order, level_price, level_qty, maker=False))
            if order.is_open and order.tif in ("IOC", "FOK"):
                self._cancel(order, "UNKNOWN", "EC_NoError" if order.executed else "EC_NoImmediateQtyToFill")
            elif order.is_open and reduce_only and not self._reducible(account, spec, side, idx)[1]:
                self._cancel(order, "CancelByReduceOnly", "EC_NoError")
        self._emit(account, "order", [order.json(ws=True)])
        self._emit(account, "execution", executions)
        if executions:
            self._push_state(account, [pos])
            self._after_position_change(account, spec.symbol, idx)
            for sink in self.ticker_sinks:
                sink(spec.symbol)
        elif order.is_open:
            self._emit(account, "wallet", [self.wallet_row(account)])    # order IM moved the available balance
        return order

    def _cancel(self, order: Order, cancel_type: str, reason: str) -> None:
        order.status = "Cancelled"
        order.cancel_type = cancel_type
        order.reject_reason = reason
        order.updated = self.clock.ms()

    def _after_position_change(self, account: Account, symbol: str, idx: int) -> None:
        """Reduce-only orders left with nothing to reduce are cancelled (cancelType CancelByReduceOnly)."""
        for order in self.open_orders(account.uid, symbol):
            if order.idx != idx:
                continue
            _, reducible, closing = self._reducible(account, order.spec, order.side, idx)
            if (order.reduce_only or closing) and reducible <= 0:
                self._cancel(order, "CancelByReduceOnly", "EC_NoError")
                self._emit(account, "order", [order.json(ws=True)])

    def _fill(self, account: Account, order: Order, price: Decimal, qty: Decimal, maker: bool,
              level: Decimal | None = None) -> dict:
        spec = order.spec
        self.books[spec.symbol].consume("asks" if order.side == "Buy" else "bids", price if level is None else level,
                                        qty)
        now = self.clock.ms()
        pos = account.position(spec.symbol, order.idx)
        if pos.amount == 0:
            pos.cur_realised = ZERO
            pos.created_time = now
        closed, closed_pnl = pos.fill(qty * order.sign, price)
        rate = account.maker if maker else account.taker
        value = price * qty
        fee = value * rate
        account.wallet += closed_pnl - fee
        account.cum_realised[COIN] = account.cum_realised.get(COIN, ZERO) + closed_pnl - fee
        pos.cur_realised += closed_pnl - fee
        pos.cum_realised += closed_pnl - fee
        pos.updated_time = now
        pos.seq = self._next_seq()
        account.updated_time = now
        order.executed += qty
        order.cum_value += value
        order.cum_fee += fee
        order.updated = now
        order.status = "Filled" if order.executed >= order.qty else "PartiallyFilled"
        exec_id = new_id()
        order.exec_ids.append(exec_id)
        self.last_fill[spec.symbol] = price
        volume, turnover = self.volume[spec.symbol]
        self.volume[spec.symbol] = (volume + qty, turnover + value)
        row = trade_execution(order, exec_id, price, qty, fee, rate, maker, closed, self.mark(spec.symbol),
                              self.index(spec.symbol), now, pos.seq)
        account.executions.append(row)
        account.log.append({"id": new_id(), "symbol": spec.symbol, "category": CATEGORY, "side": order.side,
                            "transactionTime": str(now), "type": "TRADE", "transSubType": "",
                            "qty": spec.qty_text(qty), "size": plain(pos.amount), "currency": COIN,
                            "tradePrice": spec.price_text(price), "funding": "", "fee": plain(fee),
                            "cashFlow": plain(closed_pnl), "change": plain(closed_pnl - fee),
                            "cashBalance": plain(account.wallet), "feeRate": plain(rate), "bonusChange": "",
                            "tradeId": exec_id, "orderId": order.order_id, "orderLinkId": order.link_id})
        return row

    # ---------------- cancel / find ----------------
    def find(self, account: Account, params: dict) -> Order | None:
        order_id, link = params.get("orderId"), params.get("orderLinkId")
        if not order_id and not link:
            raise params_error("params error: orderId or orderLinkId is required")
        symbol = params.get("symbol")
        order = None
        if order_id:
            for book in ([self.orders.get(symbol, {})] if symbol else self.orders.values()):
                if order_id in book:
                    order = book[order_id]
        else:
            order = self.links.get((account.uid, link))
        if order is None or order.uid != account.uid or (symbol and order.symbol != symbol):
            return None
        if link and order.link_id != link:
            return None
        return order

    def cancel(self, account: Account, params: dict) -> Order:
        if params.get("category") != CATEGORY:
            raise params_error("params error: category only support linear")
        get_spec(self.specs, params.get("symbol"))
        order = self.find(account, params)
        if order is None or not order.is_open:
            raise error(110001)
        self._cancel(order, "CancelByUser", "EC_PerCancelRequest")
        self._emit(account, "order", [order.json(ws=True)])
        self._emit(account, "wallet", [self.wallet_row(account)])
        return order

    # ---------------- the book moved ----------------
    def on_book_update(self, symbol: str) -> None:
        book = self.books[symbol]
        resting = sorted((o for o in self.orders[symbol].values() if o.is_open), key=lambda o: o.created)
        for order in resting:
            if not order.is_open:
                continue
            account = self.accounts.by_uid(order.uid)
            name = "asks" if order.side == "Buy" else "bids"
            executions = []
            for level in book.side(name).ordered():
                if (order.side == "Buy" and level > order.price) or (order.side == "Sell" and level < order.price):
                    break
                available = book.available(name, level)
                if available <= 0:
                    continue
                take = min(available, order.remaining)
                _, reducible, closing = self._reducible(account, order.spec, order.side, order.idx)
                if order.reduce_only or closing:
                    take = min(take, reducible)
                if take <= 0:
                    break
                executions.append(self._fill(account, order, order.price, take, maker=True, level=level))
                if not order.is_open:
                    break
            if executions:
                self._emit(account, "order", [order.json(ws=True)])
                self._emit(account, "execution", executions)
                self._push_state(account, [account.position(symbol, order.idx)])
                self._after_position_change(account, symbol, order.idx)
                for sink in self.ticker_sinks:
                    sink(symbol)

    # ---------------- funding ----------------
    def settle_funding(self, symbol: str) -> list[dict]:
        state = self.funding[symbol]
        spec = self.specs[symbol]
        mark, index = self.mark(symbol), self.index(symbol)
        now = self.clock.ms()
        rows = []
        for account in self.accounts.accounts:
            for pos in list(account.positions.values()):
                if pos.symbol != symbol or not pos.amount:
                    continue
                size = abs(pos.amount)
                rate = state.rate if pos.amount > 0 else -state.rate      # as the position sees it
                fee = size * mark * rate                                  # > 0 paid, < 0 received
                account.wallet -= fee
                account.cum_realised[COIN] = account.cum_realised.get(COIN, ZERO) - fee
                pos.cur_realised -= fee
                pos.cum_realised -= fee
                pos.updated_time = now
                pos.seq = self._next_seq()
                account.updated_time = now
                execution = funding_execution(spec, new_id(), new_id(), pos.side, size, mark, rate, fee, now, pos.seq,
                                              index)
                account.executions.append(execution)
                account.log.append({"id": new_id(), "symbol": symbol, "category": CATEGORY, "side": pos.side,
                                    "transactionTime": str(now), "type": "SETTLEMENT", "transSubType": "",
                                    "qty": spec.qty_text(size), "size": plain(pos.amount), "currency": COIN,
                                    "tradePrice": spec.price_text(mark), "funding": plain(-fee), "fee": "0",
                                    "cashFlow": "0", "change": plain(-fee), "cashBalance": plain(account.wallet),
                                    "feeRate": plain(rate), "bonusChange": "", "tradeId": execution["execId"],
                                    "orderId": "", "orderLinkId": ""})
                rows.append({"account": account.name, "positionIdx": pos.idx, "execFee": plain(fee),
                             "funding": plain(-fee), "execId": execution["execId"]})
                self._emit(account, "execution", [execution])
                self._push_state(account, [pos])
        self.funding_history.append({"symbol": symbol, "fundingRate": plain(state.rate),
                                     "fundingRateTimestamp": str(state.next_time)})
        state.next_time += state.interval_min * 60_000
        for sink in self.ticker_sinks:
            sink(symbol)
        return rows

    # ---------------- settings ----------------
    def set_leverage(self, account: Account, params: dict) -> None:
        if params.get("category") != CATEGORY:
            raise params_error("params error: category only support linear")
        spec = get_spec(self.specs, params.get("symbol"))
        buy, sell = parse_decimal(params.get("buyLeverage")), parse_decimal(params.get("sellLeverage"))
        if buy is None or sell is None:
            raise params_error("params error: buyLeverage and sellLeverage are required")
        if buy != sell:
            raise params_error("buy leverage must be equal to sell leverage")
        if buy < 1 or buy > spec.max_leverage or buy % D("0.01"):
            raise params_error(f"leverage invalid: must be in [1, {plain(spec.max_leverage)}] on a 0.01 step")
        if buy == account.lev(spec.symbol):
            raise error(110043)
        account.leverage[spec.symbol] = buy
        positions = [p for p in account.positions.values() if p.symbol == spec.symbol] or \
            [account.position(spec.symbol, 1 if account.is_hedge(spec.symbol) else 0)]
        self._push_state(account, positions)

    def switch_mode(self, account: Account, params: dict) -> None:
        if params.get("category") != CATEGORY:
            raise params_error("params error: category only support linear")
        mode = params.get("mode")
        if mode not in (0, 3) or isinstance(mode, bool):
            raise params_error("params error: mode invalid (0 one-way, 3 hedge)")
        if params.get("symbol"):
            symbols = [get_spec(self.specs, params["symbol"]).symbol]
        elif params.get("coin") == COIN:
            symbols = list(self.specs)
        else:
            raise params_error("params error: symbol or coin is required")
        hedge = mode == 3
        if all(account.is_hedge(s) == hedge for s in symbols):
            raise error(110025)
        if any(self.open_orders(account.uid, s) for s in symbols):
            raise error(110028)
        if any(p.amount for p in account.positions.values() if p.symbol in symbols):
            raise error(110024)
        for symbol in symbols:
            account.hedge[symbol] = hedge
