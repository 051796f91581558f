"""The operations behind both the REST API and the WebSocket API: same parameters, same results (web-socket-api.md:
"The WebSocket API provides the same functionality as the REST API, accepts the same parameters, returns the same
status and error codes"). Each returns the JSON body; errors are raised as BinanceError.
"""
from __future__ import annotations

import json

from accounts import Account
from common import UNKNOWN_ORDER, ZERO, BinanceError, fmt, mandatory
from orders import Order
from state import State
from symbols import SPECS, get_spec


def depth_weight(params: dict) -> int:
    limit = _depth_limit(params)
    return 5 if limit <= 100 else 25 if limit <= 500 else 50 if limit <= 1000 else 250


def _depth_limit(params: dict) -> int:
    raw = params.get("limit")
    if raw in (None, ""):
        return 100
    try:
        return max(1, min(5000, int(raw)))
    except (TypeError, ValueError):
        raise BinanceError(-1100, "Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'.")


def symbols_param(params: dict) -> list[str] | None:
    """`symbol` or `symbols` (a JSON array, as the docs show it); None when neither was sent."""
    if params.get("symbol"):
        get_spec(params["symbol"])
        return [params["symbol"]]
    raw = params.get("symbols")
    if raw in (None, ""):
        return None
    try:
        names = raw if isinstance(raw, list) else json.loads(raw)
    except json.JSONDecodeError:
        raise BinanceError(-1100, "Illegal characters found in parameter 'symbols'.")
    for name in names:
        get_spec(name)
    return list(names)


def ticker_weight(params: dict) -> int:
    return 2 if params.get("symbol") else 4


def open_orders_weight(params: dict) -> int:
    return 6 if params.get("symbol") else 80


def exchange_info(state: State, params: dict) -> dict:
    names = symbols_param(params) or list(SPECS)
    return {
        "timezone": "UTC",
        "serverTime": state.clock.ms(),
        "rateLimits": state.limiter.limits.exchange_info(),
        "exchangeFilters": [],
        "symbols": [SPECS[name].info(state.options.notional_filter) for name in names],
    }


def depth(state: State, params: dict) -> dict:
    spec = get_spec(params.get("symbol"))
    return state.replay.books[spec.symbol].snapshot(_depth_limit(params))


def _book_ticker_row(state: State, symbol: str) -> dict:
    bid, ask = state.replay.books[symbol].best_bid_ask()
    return {"symbol": symbol,
            "bidPrice": fmt(bid[0] if bid else ZERO), "bidQty": fmt(bid[1] if bid else ZERO),
            "askPrice": fmt(ask[0] if ask else ZERO), "askQty": fmt(ask[1] if ask else ZERO)}


def book_ticker(state: State, params: dict):
    if params.get("symbol"):
        return _book_ticker_row(state, get_spec(params["symbol"]).symbol)
    return [_book_ticker_row(state, name) for name in (symbols_param(params) or list(SPECS))]


def _price_row(state: State, symbol: str) -> dict:
    trade = state.replay.books[symbol].last_trade
    price = trade["p"] if trade else fmt(state.replay.books[symbol].mid() or ZERO)
    return {"symbol": symbol, "price": price}


def ticker_price(state: State, params: dict):
    if params.get("symbol"):
        return _price_row(state, get_spec(params["symbol"]).symbol)
    return [_price_row(state, name) for name in (symbols_param(params) or list(SPECS))]


def new_order(state: State, account: Account, params: dict) -> tuple[dict, Order]:
    state.limiter.check_order(account.uid)
    order, fills, resp = state.engine.place(account, params)
    state.limiter.count_order(account.uid)
    now = state.clock.ms()
    if resp == "ACK":
        return order.ack(now), order
    if resp == "RESULT":
        return order.result(now), order
    return order.full(now, fills), order


def test_order(state: State, account: Account, params: dict) -> dict:
    from params import parse_order
    parse_order(params)
    if str(params.get("computeCommissionRates", "")).lower() == "true":
        rates = {"maker": fmt(account.maker), "taker": fmt(account.taker)}
        return {"standardCommissionForOrder": rates,
                "taxCommissionForOrder": {"maker": fmt(ZERO), "taker": fmt(ZERO)},
                "discount": {"enabledForAccount": False, "enabledForSymbol": False, "discountAsset": "BNB",
                             "discount": fmt(ZERO)}}
    return {}


def query_order(state: State, account: Account, params: dict) -> dict:
    spec = get_spec(params.get("symbol"))
    order = state.engine.find(account.uid, spec.symbol, params.get("orderId"), params.get("origClientOrderId"))
    if order is None:
        raise BinanceError(-2013, "Order does not exist.")
    return order.query()


def cancel_order(state: State, account: Account, params: dict) -> dict:
    spec = get_spec(params.get("symbol"))
    order = state.engine.find(account.uid, spec.symbol, params.get("orderId"), params.get("origClientOrderId"))
    return state.engine.cancel(account, spec.symbol, order, params.get("newClientOrderId"))


def open_orders(state: State, account: Account, params: dict) -> list[dict]:
    symbol = get_spec(params["symbol"]).symbol if params.get("symbol") else None
    return [order.query() for order in state.engine.open_orders(account.uid, symbol)]


def cancel_all(state: State, account: Account, params: dict) -> list[dict]:
    spec = get_spec(params.get("symbol"))
    orders = state.engine.open_orders(account.uid, spec.symbol)
    if not orders:
        raise BinanceError(-2011, UNKNOWN_ORDER)
    return [state.engine.cancel(account, spec.symbol, order, None) for order in orders]


def all_orders(state: State, account: Account, params: dict) -> list[dict]:
    spec = get_spec(params.get("symbol"))
    rows = [o for o in state.engine.orders[spec.symbol].values() if o.uid == account.uid]
    if params.get("orderId"):
        rows = [o for o in rows if o.order_id >= int(params["orderId"])]
    limit = int(params.get("limit") or 500)
    return [o.query() for o in rows[-min(limit, 1000):]]


def my_trades(state: State, account: Account, params: dict) -> list[dict]:
    spec = get_spec(params.get("symbol"))
    rows = []
    for order in state.engine.orders[spec.symbol].values():
        if order.uid != account.uid or (params.get("orderId") and order.order_id != int(params["orderId"])):
            continue
        for fill in order.fills:
            rows.append({"symbol": spec.symbol, "id": fill.trade_id, "orderId": order.order_id, "orderListId": -1,
                         "price": fmt(fill.price), "qty": fmt(fill.qty), "quoteQty": fmt(fill.quote),
                         "commission": fmt(fill.commission), "commissionAsset": fill.commission_asset,
                         "time": fill.time, "isBuyer": order.side == "BUY", "isMaker": fill.maker,
                         "isBestMatch": True})
    rows.sort(key=lambda row: row["id"])
    return rows[-min(int(params.get("limit") or 500), 1000):]


def account_info(state: State, account: Account, params: dict) -> dict:
    omit = str(params.get("omitZeroBalances", "")).lower() == "true"
    bps = lambda rate: int(rate * 10000)  # noqa: E731  (the integer fields are in basis points)
    return {
        "makerCommission": bps(account.maker), "takerCommission": bps(account.taker),
        "buyerCommission": 0, "sellerCommission": 0,
        "commissionRates": account.commission_rates(),
        "canTrade": account.can_trade, "canWithdraw": account.can_withdraw, "canDeposit": account.can_deposit,
        "brokered": False, "requireSelfTradePrevention": False, "preventSor": False,
        "updateTime": account.update_time, "accountType": "SPOT",
        "balances": account.balances(omit),
        "permissions": ["SPOT"], "uid": account.uid,
    }


def commission(state: State, account: Account, params: dict) -> dict:
    spec = get_spec(params.get("symbol"))
    zero = fmt(ZERO)
    return {
        "symbol": spec.symbol,
        "standardCommission": account.commission_rates(),
        "specialCommission": {"maker": zero, "taker": zero, "buyer": zero, "seller": zero},
        "taxCommission": {"maker": zero, "taker": zero, "buyer": zero, "seller": zero},
        "discount": {"enabledForAccount": False, "enabledForSymbol": False, "discountAsset": "BNB",
                     "discount": fmt(ZERO)},
    }


def order_rate_limits(state: State, account: Account) -> list[dict]:
    rows = state.limiter.ws_rate_limits("-", account.uid, with_orders=True)
    return [row for row in rows if row["rateLimitType"] == "ORDERS"]


def require_listen_key(params: dict) -> str:
    key = params.get("listenKey")
    if not key:
        raise mandatory("listenKey")
    return key
