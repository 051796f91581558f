"""New-order parameters, checked in Binance's order: mandatory fields and enums, precision (-1111), then values.

Messages as errors.md writes them. Returns a plain dict the engine uses.
"""
from __future__ import annotations

import re

from common import BinanceError, either, mandatory, not_required, parse_decimal, rejected
from orders import new_client_id
from symbols import check_precision, get_spec

CLIENT_ID = re.compile(r"^[.A-Z:/a-z0-9_-]{1,36}$")
UNSUPPORTED_TYPES = {  # known order types this server does not list in orderTypes (errors.md messages)
    "STOP_LOSS": "Stop loss orders are not supported for this symbol.",
    "STOP_LOSS_LIMIT": "Stop loss limit orders are not supported for this symbol.",
    "TAKE_PROFIT": "Take profit orders are not supported for this symbol.",
    "TAKE_PROFIT_LIMIT": "Take profit limit orders are not supported for this symbol.",
}


def parse_order(params: dict) -> dict:
    spec = get_spec(params.get("symbol"))
    side = params.get("side")
    if not side:
        raise mandatory("side")
    if side not in ("BUY", "SELL"):
        raise BinanceError(-1117, "Invalid side.")
    kind = params.get("type")
    if not kind:
        raise mandatory("type")
    if kind in UNSUPPORTED_TYPES:
        raise rejected(UNSUPPORTED_TYPES[kind])
    if kind not in ("LIMIT", "MARKET", "LIMIT_MAKER"):
        raise BinanceError(-1116, "Invalid orderType.")
    tif = params.get("timeInForce")
    if kind == "LIMIT":
        if not tif:
            raise mandatory("timeInForce")
        if tif not in ("GTC", "IOC", "FOK"):
            raise BinanceError(-1115, "Invalid timeInForce.")
    elif tif:
        raise not_required("timeInForce")
    qty_text, quote_text, price_text = params.get("quantity"), params.get("quoteOrderQty"), params.get("price")
    qty = quote = price = None
    if qty_text not in (None, ""):
        check_precision("quantity", qty_text)
        qty = parse_decimal(qty_text)
        if qty is None or qty <= 0:
            raise mandatory("quantity")
    if quote_text not in (None, ""):
        if kind != "MARKET":
            raise not_required("quoteOrderQty")
        check_precision("quoteOrderQty", quote_text)
        quote = parse_decimal(quote_text)
        if quote is None or quote <= 0:
            raise mandatory("quoteOrderQty")
    if kind == "MARKET":
        if qty is None and quote is None:
            raise either("quantity", "quoteOrderQty")
        if qty is not None and quote is not None:
            raise not_required("quoteOrderQty")
        if price_text not in (None, ""):
            raise not_required("price")
    else:
        if qty is None:
            raise mandatory("quantity")
        if price_text in (None, ""):
            raise mandatory("price")
        check_precision("price", price_text)
        price = parse_decimal(price_text)
        if price is None or price <= 0:
            raise mandatory("price")
    client_id = params.get("newClientOrderId")
    if client_id is not None:
        if client_id == "":
            raise BinanceError(-1118, "New client order ID was empty.")
        if not CLIENT_ID.match(client_id):
            raise BinanceError(-1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is "
                                      "'^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.")
    resp = params.get("newOrderRespType") or "FULL"
    if resp not in ("ACK", "RESULT", "FULL"):
        raise BinanceError(-1130, "Data sent for parameter 'newOrderRespType' is not valid.")
    return {"spec": spec, "side": side, "type": kind, "tif": tif or "GTC", "qty": qty, "quote": quote,
            "price": price, "client_id": client_id or new_client_id(), "resp": resp}

