"""Instruments (docs v5 "Get Instruments Info", category linear) and the order checks they imply.

BTCUSDT and ETHUSDT are the entries of nautilus_trader's instruments-info fixture in
<shared>/vectors/exchanges/wire/bybit/nautilus (the shape of Bybit's docs example), with two of its fields made
what the docs define: `fundingInterval` in minutes (the fixture says 8) and `deliveryTime` "0" for a perpetual (the
fixture gives a date). The captured symbols copy ETHUSDT's shape with their own grid from the capture: tickSize =
the greatest common step of their recorded prices, priceScale = the decimals the wire writes, qtyStep = the finest
decimal their recorded sizes need (see capture.py), minOrderQty = qtyStep, maxOrderQty = 10^6 steps (market: half),
minNotionalValue 5, maxLeverage 50.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal

from common import D, BybitError, decimals_of, on_grid, params_error

MINUTES_8H = 480


@dataclass
class Spec:
    symbol: str
    base: str
    tick: Decimal
    min_price: Decimal
    max_price: Decimal
    step: Decimal
    min_qty: Decimal
    max_qty: Decimal
    max_mkt_qty: Decimal
    min_notional: Decimal
    max_leverage: Decimal
    price_places: int
    qty_places: int
    info: dict

    def price_text(self, value: Decimal) -> str:
        return format(value.quantize(D(1).scaleb(-self.price_places)), "f")

    def qty_text(self, value: Decimal) -> str:
        return format(value.quantize(D(1).scaleb(-self.qty_places)), "f")


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


def _spec(info: dict) -> Spec:
    price, lot, lev = info["priceFilter"], info["lotSizeFilter"], info["leverageFilter"]
    step = D(lot["qtyStep"])
    return Spec(symbol=info["symbol"], base=info["baseCoin"], tick=D(price["tickSize"]), min_price=D(price["minPrice"]),
                max_price=D(price["maxPrice"]), step=step, min_qty=D(lot["minOrderQty"]),
                max_qty=D(lot["maxOrderQty"]), max_mkt_qty=D(lot["maxMktOrderQty"]),
                min_notional=D(lot["minNotionalValue"]), max_leverage=D(lev["maxLeverage"]),
                price_places=int(info["priceScale"]), qty_places=decimals_of(lot["qtyStep"]), info=info)


def build(capture) -> dict[str, Spec]:
    fixture = {item["symbol"]: item for item in capture.instruments["result"]["list"]}
    specs: dict[str, Spec] = {}
    for symbol, item in fixture.items():
        info = copy.deepcopy(item)
        info.update({"deliveryTime": "0", "fundingInterval": MINUTES_8H, "copyTrading": "both",
                     "upperFundingRate": "0.00375", "lowerFundingRate": "-0.00375", "isPreListing": False})
        specs[symbol] = _spec(info)
    template = fixture["ETHUSDT"]
    for symbol, snapshot in capture.snapshots.items():
        if symbol in specs:
            continue
        tick, places = capture.ticks[symbol], capture.qty_decimals[symbol]
        step = D(1).scaleb(-places)
        price_places = max(len(p.split(".", 1)[1]) if "." in p else 0 for p, _ in snapshot.bids + snapshot.asks)
        info = copy.deepcopy(template)
        info.update({"symbol": symbol, "baseCoin": symbol[:-4], "priceScale": str(price_places), "deliveryTime": "0",
                     "fundingInterval": MINUTES_8H, "copyTrading": "both", "upperFundingRate": "0.00375",
                     "lowerFundingRate": "-0.00375", "isPreListing": False})
        info["leverageFilter"] = {"minLeverage": "1", "maxLeverage": "50.00", "leverageStep": "0.01"}
        info["priceFilter"] = {"minPrice": _plain(tick), "maxPrice": "100000", "tickSize": _plain(tick)}
        info["lotSizeFilter"] = {"maxOrderQty": _plain(step * 1_000_000), "minOrderQty": _plain(step),
                                 "qtyStep": _plain(step), "postOnlyMaxOrderQty": _plain(step * 1_000_000),
                                 "maxMktOrderQty": _plain(step * 500_000), "minNotionalValue": "5"}
        specs[symbol] = _spec(info)
    return dict(sorted(specs.items()))


def get_spec(specs: dict[str, Spec], symbol) -> Spec:
    if not symbol:
        raise params_error("params error: symbol invalid")
    spec = specs.get(symbol)
    if spec is None:
        raise params_error("params error: symbol invalid")
    return spec


def check_price(spec: Spec, price: Decimal) -> None:
    if price <= 0:
        raise params_error("params error: price invalid")
    if price < spec.min_price or price > spec.max_price:
        raise BybitError(110003, "Order price exceeds the allowable range.")
    if not on_grid(price, spec.tick):
        raise params_error(f"params error: price must be a multiple of tickSize {spec.info['priceFilter']['tickSize']}")


def check_qty(spec: Spec, qty: Decimal, market: bool) -> None:
    if qty <= 0:
        raise params_error("params error: qty invalid")
    if not on_grid(qty, spec.step):
        raise params_error(f"params error: qty must be a multiple of qtyStep {spec.info['lotSizeFilter']['qtyStep']}")
    if qty < spec.min_qty:
        raise params_error("The number of contracts exceeds minimum limit allowed")
    if qty > (spec.max_mkt_qty if market else spec.max_qty):
        raise params_error("The number of contracts exceeds maximum limit allowed")

