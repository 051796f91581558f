"""Symbol rules (exchangeInfo) and Binance's filter checks (filters.md, errors.md "Filter failures").

Tick and step sizes follow the recording: BTCUSDT prices have 2 decimals and quantities 5, ETHUSDT prices 2 and
quantities 4, which are Binance's published PRICE_FILTER tickSize / LOT_SIZE stepSize for these symbols.
MIN_NOTIONAL (the older filter) or NOTIONAL (the current one) is chosen at start.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from common import BinanceError, bad_precision, decimals_of, filter_failure, fmt

D = Decimal


@dataclass
class SymbolSpec:
    symbol: str
    base: str
    quote: str
    tick: Decimal
    min_price: Decimal
    max_price: Decimal
    step: Decimal
    min_qty: Decimal
    max_qty: Decimal
    market_max_qty: Decimal
    min_notional: Decimal
    max_notional: Decimal
    max_num_orders: int = 200
    status: str = "TRADING"
    precision: int = 8

    def filters(self, notional_filter: str) -> list[dict]:
        price = {"filterType": "PRICE_FILTER", "minPrice": fmt(self.min_price), "maxPrice": fmt(self.max_price),
                 "tickSize": fmt(self.tick)}
        lot = {"filterType": "LOT_SIZE", "minQty": fmt(self.min_qty), "maxQty": fmt(self.max_qty),
               "stepSize": fmt(self.step)}
        if notional_filter == "MIN_NOTIONAL":
            notional = {"filterType": "MIN_NOTIONAL", "minNotional": fmt(self.min_notional), "applyToMarket": True,
                        "avgPriceMins": 5}
        else:
            notional = {"filterType": "NOTIONAL", "minNotional": fmt(self.min_notional), "applyMinToMarket": True,
                        "maxNotional": fmt(self.max_notional), "applyMaxToMarket": False, "avgPriceMins": 5}
        market_lot = {"filterType": "MARKET_LOT_SIZE", "minQty": fmt(D(0)), "maxQty": fmt(self.market_max_qty),
                      "stepSize": fmt(D(0))}
        max_orders = {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": self.max_num_orders}
        return [price, lot, notional, market_lot, max_orders]

    def info(self, notional_filter: str) -> dict:
        return {
            "symbol": self.symbol,
            "status": self.status,
            "baseAsset": self.base,
            "baseAssetPrecision": self.precision,
            "quoteAsset": self.quote,
            "quotePrecision": self.precision,
            "quoteAssetPrecision": self.precision,
            "baseCommissionPrecision": self.precision,
            "quoteCommissionPrecision": self.precision,
            "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET"],
            "icebergAllowed": False,
            "ocoAllowed": False,
            "otoAllowed": False,
            "opoAllowed": False,
            "quoteOrderQtyMarketAllowed": True,
            "allowTrailingStop": False,
            "cancelReplaceAllowed": False,
            "amendAllowed": False,
            "pegInstructionsAllowed": False,
            "isSpotTradingAllowed": True,
            "isMarginTradingAllowed": False,
            "filters": self.filters(notional_filter),
            "permissions": [],
            "permissionSets": [["SPOT"]],
            "defaultSelfTradePreventionMode": "NONE",
            "allowedSelfTradePreventionModes": ["NONE"],
        }


SPECS = {
    "BTCUSDT": SymbolSpec("BTCUSDT", "BTC", "USDT", tick=D("0.01"), min_price=D("0.01"), max_price=D("1000000"),
                          step=D("0.00001"), min_qty=D("0.00001"), max_qty=D("9000"), market_max_qty=D("100"),
                          min_notional=D("5"), max_notional=D("9000000")),
    "ETHUSDT": SymbolSpec("ETHUSDT", "ETH", "USDT", tick=D("0.01"), min_price=D("0.01"), max_price=D("1000000"),
                          step=D("0.0001"), min_qty=D("0.0001"), max_qty=D("9000"), market_max_qty=D("2000"),
                          min_notional=D("5"), max_notional=D("9000000")),
}


def check_precision(name: str, text: str, places: int = 8) -> None:
    """-1111 when a parameter carries more decimals than the asset precision."""
    if decimals_of(text) > places:
        raise bad_precision(name)


def on_grid(value: Decimal, origin: Decimal, step: Decimal) -> bool:
    if step == 0:
        return True
    return (value - origin) % step == 0


def check_price(spec: SymbolSpec, price: Decimal) -> None:
    if price < spec.min_price or price > spec.max_price or not on_grid(price, spec.min_price, spec.tick):
        raise filter_failure("PRICE_FILTER")


def check_lot(spec: SymbolSpec, qty: Decimal, market: bool) -> None:
    if qty < spec.min_qty or qty > spec.max_qty or not on_grid(qty, spec.min_qty, spec.step):
        raise filter_failure("LOT_SIZE")
    if market and qty > spec.market_max_qty:
        raise filter_failure("MARKET_LOT_SIZE")


def check_notional(spec: SymbolSpec, notional: Decimal, market: bool, notional_filter: str) -> None:
    if notional < spec.min_notional:
        raise filter_failure(notional_filter)
    if notional_filter == "NOTIONAL" and not market and notional > spec.max_notional:
        raise filter_failure("NOTIONAL")


def get_spec(symbol: str | None) -> SymbolSpec:
    if not symbol:
        raise BinanceError(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.")
    spec = SPECS.get(symbol)
    if spec is None:
        raise BinanceError(-1121, "Invalid symbol.")
    return spec
