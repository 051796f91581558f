"""The REST methods (docs "Spot REST" reference), shared by rest.py; order placement / cancel also by ws.py."""
from __future__ import annotations

import email.utils

from common import KrakenError, fixed, fmt, rfc3339
from engine import bad
from instruments import v2_asset


def _pairs(state, text: str | None):
    if not text:
        return state.instruments.all()
    return [state.instruments.require(name.strip()) for name in text.split(",")]


def time_(state, params) -> dict:
    now = state.clock.now()
    return {"unixtime": int(now), "rfc1123": email.utils.formatdate(now, usegmt=True)}


def system_status(state, params) -> dict:
    return {"status": state.options.system_status, "timestamp": rfc3339(state.clock.now())[:19] + "Z"}


def asset_pairs(state, params) -> dict:
    return {pair.name: pair.asset_pair() for pair in _pairs(state, params.get("pair"))}


def assets(state, params) -> dict:
    wanted = params.get("asset")
    codes = state.instruments.assets()
    return {code: {"aclass": "currency", "altname": v2_asset(code) if code not in ("XXBT", "XXDG") else code[1:],
                   "decimals": 10, "display_decimals": 5, "status": "enabled"}
            for code in codes if not wanted or code in wanted.split(",") or v2_asset(code) in wanted.split(",")}


def depth(state, params) -> dict:
    pair = state.instruments.require(params.get("pair"))
    try:
        count = int(params.get("count") or 100)
    except ValueError:
        raise bad("count")
    count = max(1, min(count, 500))
    book = state.replay.books[pair.symbol]
    stamp = int(book.ts)

    def rows(name):
        return [[fixed(p, pair.price_decimals), fixed(q, pair.lot_decimals), stamp] for p, q in book.levels(name, count)]
    return {pair.name: {"asks": rows("asks"), "bids": rows("bids")}}


PUBLIC = {"Time": time_, "SystemStatus": system_status, "AssetPairs": asset_pairs, "Assets": assets,
          "Depth": depth}


# ---------- private ----------
def balance(state, account, params) -> dict:
    return {asset: fmt(account.total(asset)) for asset in account.assets()}


def balance_ex(state, account, params) -> dict:
    return {asset: {"balance": fmt(account.total(asset)), "hold_trade": fmt(account.hold(asset))}
            for asset in account.assets()}


def ws_token(state, account, params) -> dict:
    return {"token": state.new_token(account), "expires": int(state.options.token_ttl_s)}


def order_request(params: dict) -> dict:
    """AddOrder's form fields -> the engine's request."""
    flags = [f for f in (params.get("oflags") or "").split(",") if f]
    if any(f not in ("post", "fcib", "fciq", "nompp") for f in flags) or ("fcib" in flags and "fciq" in flags):
        raise bad("oflags")
    userref = params.get("userref")
    if userref not in (None, "") and not str(userref).lstrip("-").isdigit():
        raise bad("userref")
    return {"pair": params.get("pair"), "type": params.get("type"), "ordertype": params.get("ordertype"),
            "volume": params.get("volume"), "price": params.get("price"),
            "tif": (params.get("timeinforce") or "GTC").upper(), "post": "post" in flags, "fcib": "fcib" in flags,
            "cl_ord_id": params.get("cl_ord_id") or None, "userref": userref or 0,
            "validate": str(params.get("validate", "")).lower() in ("true", "1")}


def add_order(state, account, params) -> dict:
    req = order_request(params)
    order = state.engine.place(account, req)
    if order is None:          # validate: checked only, nothing placed
        pair, price = req["pair_obj"], req["price_d"]
        text = f"{req['type']} {fixed(req['vol'], pair.lot_decimals)} {pair.altname} @ " + \
            (f"limit {fixed(price, pair.price_decimals)}" if price is not None else "market")
        return {"descr": {"order": text}}
    return {"descr": {"order": order.description()}, "txid": [order.txid]}


def _targets(state, account, params) -> list:
    ident = params.get("cl_ord_id") or params.get("txid")
    if not ident:
        raise bad("txid")
    found = state.engine.find(account, str(ident))
    if not found:
        raise KrakenError("EOrder:Unknown order")
    return found


def cancel_order(state, account, params) -> dict:
    return {"count": state.engine.cancel(account, _targets(state, account, params))}


def cancel_all(state, account, params) -> dict:
    return {"count": state.engine.cancel(account, state.engine.open_orders(account))}


def _with_trades(params) -> bool:
    return str(params.get("trades", "")).lower() in ("true", "1")


def query_orders(state, account, params) -> dict:
    found = []
    if params.get("cl_ord_id"):
        found += state.engine.find(account, params["cl_ord_id"])
    for ident in [t.strip() for t in (params.get("txid") or "").split(",") if t.strip()][:50]:
        order = state.engine.orders.get(ident)
        if order is None or order.account != account.name:
            raise KrakenError("EOrder:Invalid order")
        found.append(order)
    if not params.get("txid") and not params.get("cl_ord_id"):
        raise bad("txid")
    if params.get("userref"):
        found = [o for o in found if str(o.userref) == str(params["userref"])]
    return {o.txid: o.rest(_with_trades(params)) for o in found}


def _filtered(orders, params):
    if params.get("userref"):
        orders = [o for o in orders if str(o.userref) == str(params["userref"])]
    if params.get("cl_ord_id"):
        orders = [o for o in orders if o.cl_ord_id == params["cl_ord_id"]]
    return orders


def open_orders(state, account, params) -> dict:
    orders = _filtered(state.engine.open_orders(account), params)
    return {"open": {o.txid: o.rest(_with_trades(params)) for o in reversed(orders)}}


def closed_orders(state, account, params) -> dict:
    orders = _filtered([o for o in state.engine.mine(account) if not o.is_open], params)[::-1]
    offset = int(params.get("ofs") or 0)
    return {"closed": {o.txid: o.rest(_with_trades(params)) for o in orders[offset:offset + 50]},
            "count": len(orders)}


def trades_history(state, account, params) -> dict:
    rows = [(o, f) for o in state.engine.mine(account) for f in o.fills]
    rows.sort(key=lambda row: row[1].time, reverse=True)
    offset = int(params.get("ofs") or 0)
    return {"trades": {f.txid: o.trade_rest(f) for o, f in rows[offset:offset + 50]}, "count": len(rows)}


def trade_volume(state, account, params) -> dict:
    def entry(rate, schedule) -> dict:
        rates = [row[1] for row in schedule] or [float(rate)]
        return {"fee": f"{rate:.4f}", "minfee": f"{min(rates):.4f}", "maxfee": f"{max(rates):.4f}",
                "nextfee": None, "nextvolume": None, "tiervolume": "0.0000"}
    pairs = _pairs(state, params.get("pair")) if params.get("pair") else []
    return {"currency": "ZUSD", "volume": "0.0000",
            "fees": {p.name: entry(account.taker, p.fees) for p in pairs},
            "fees_maker": {p.name: entry(account.maker, p.fees_maker) for p in pairs}}


PRIVATE = {"Balance": (balance, "query"), "BalanceEx": (balance_ex, "query"),
           "GetWebSocketsToken": (ws_token, "websocket"), "AddOrder": (add_order, "trade"),
           "CancelOrder": (cancel_order, "cancel"), "CancelAll": (cancel_all, "cancel"),
           "QueryOrders": (query_orders, "query"), "OpenOrders": (open_orders, "query"),
           "ClosedOrders": (closed_orders, "query"), "TradesHistory": (trades_history, "query"),
           "TradeVolume": (trade_volume, "query")}
