"""v2 message bodies: book, instrument, status, executions items, balances; and the WS order methods."""
from __future__ import annotations

from book import DEPTHS
from common import KrakenError, Num, rfc3339
from engine import bad
from instruments import v2_asset

__all__ = ["DEPTHS"]


def _levels(rows) -> list[dict]:
    return [{"price": Num(price), "qty": Num(qty)} for price, qty in rows]


def status(state, connection_id: int) -> dict:
    return {"channel": "status", "type": "update",
            "data": [{"version": "2.0.10", "system": state.options.system_status, "api_version": "v2",
                      "connection_id": connection_id}]}


def book_snapshot(state, symbol: str, depth: int) -> dict:
    book = state.replay.books[symbol]
    return {"channel": "book", "type": "snapshot",
            "data": [{"symbol": symbol, "bids": _levels(book.levels("bids", depth)),
                      "asks": _levels(book.levels("asks", depth)), "checksum": book.checksum()}]}


def book_update(state, book, diff: dict, event, corrupt: bool) -> dict:
    checksum = book.checksum()
    if corrupt:
        checksum = (checksum + 0x9E3779B9) & 0xFFFFFFFF
    stamp = event.ts if state.options.keep_recorded_times else state.clock.now()
    return {"channel": "book", "type": "update",
            "data": [{"symbol": book.pair.symbol, "bids": _levels(sorted(diff["bids"], reverse=True)),
                      "asks": _levels(sorted(diff["asks"])), "checksum": checksum, "timestamp": rfc3339(stamp)}]}


def instrument_snapshot(state) -> dict:
    assets = [{"id": v2_asset(code), "status": "enabled", "precision": 10, "precision_display": 5,
               "borrowable": False, "collateral_value": 0, "margin_rate": 0} for code in state.instruments.assets()]
    return {"channel": "instrument", "type": "snapshot",
            "data": {"assets": assets, "pairs": [p.instrument() for p in state.instruments.all()]}}


def balances(state, account, item: dict | None, snapshot: bool) -> dict:
    if snapshot:
        rows = [{"asset": v2_asset(a), "asset_class": "currency", "balance": Num(account.total(a)),
                 "wallets": [{"type": "spot", "id": "main", "balance": Num(account.total(a))}]}
                for a in account.assets()]
        return {"channel": "balances", "type": "snapshot", "data": rows}
    pair = state.instruments.by_symbol(item["symbol"])
    rows = [{"asset": v2_asset(code), "asset_class": "currency", "balance": Num(account.total(code)),
             "type": "trade", "category": "trade", "wallet_type": "spot", "wallet_id": "main",
             "ref_id": item.get("exec_id"), "timestamp": item["timestamp"]} for code in (pair.base, pair.quote)]
    return {"channel": "balances", "type": "update", "data": rows}


def open_order_items(state, account) -> list[dict]:
    now = state.clock.now()
    return [o.execution("new", "", now) for o in state.engine.open_orders(account)]


# ---------- order methods ----------
def _order_request(params: dict, symbol: str | None = None) -> dict:
    tif = str(params.get("time_in_force", "gtc")).upper()
    fee_pref = params.get("fee_preference", "quote")
    if fee_pref not in ("base", "quote"):
        raise bad("fee_preference")
    qty, price = params.get("order_qty"), params.get("limit_price")
    userref = params.get("order_userref", 0)
    if not isinstance(userref, int) or isinstance(userref, bool):
        raise bad("order_userref")
    return {"pair": symbol or params.get("symbol"), "type": params.get("side"), "ordertype": params.get("order_type"),
            "volume": None if qty is None else str(qty), "price": None if price is None else str(price),
            "tif": tif, "post": params.get("post_only") is True, "fcib": fee_pref == "base",
            "cl_ord_id": params.get("cl_ord_id"), "userref": userref, "validate": params.get("validate") is True}


def _order_result(order, req: dict) -> dict:
    result = {"order_id": order.txid if order else None}
    if req.get("cl_ord_id"):
        result["cl_ord_id"] = req["cl_ord_id"]
    if req.get("userref"):
        result["order_userref"] = req["userref"]
    return result


def run_order_method(state, account, method: str, params: dict) -> list[tuple[dict | None, str | None]]:
    """[(result, error)], one per answer the method sends (cancel_order answers once per order)."""
    engine = state.engine
    if method == "add_order":
        symbol = params.get("symbol")
        if state.instruments.by_symbol(symbol or "") is None:
            raise KrakenError("EQuery:Unknown asset pair")
        req = _order_request(params)
        order = engine.place(account, req)
        return [(_order_result(order, req), None)]
    if method == "cancel_all":
        return [({"count": engine.cancel(account, engine.open_orders(account))}, None)]
    if method == "cancel_order":
        given = [name for name in ("order_id", "cl_ord_id", "order_userref") if params.get(name) is not None]
        if len(given) != 1 or not isinstance(params[given[0]], list) or not params[given[0]]:
            raise KrakenError("EGeneral:Invalid arguments")
        answers = []
        for ident in params[given[0]]:
            found = engine.find(account, str(ident))
            if not found or not any(o.is_open for o in found):
                answers.append((None, "EOrder:Unknown order"))
                continue
            engine.cancel(account, found)
            for order in found:
                answers.append(({"order_id": order.txid, **({"cl_ord_id": order.cl_ord_id}
                                                             if order.cl_ord_id else {})}, None))
        return answers
    # batch_add: 2-15 orders on one symbol, validated as a whole first (docs)
    orders, symbol = params.get("orders"), params.get("symbol")
    if not isinstance(orders, list) or not 2 <= len(orders) <= 15:
        raise KrakenError("EGeneral:Invalid arguments:orders")
    if state.instruments.by_symbol(symbol or "") is None:
        raise KrakenError("EQuery:Unknown asset pair")
    requests = [_order_request(item, symbol) for item in orders]
    for req in requests:
        engine.validate(account, dict(req))
    results = []
    for req in requests:
        results.append(_order_result(engine.place(account, req), req))
    return [(results, None)]

