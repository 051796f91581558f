"""Contract rules: exchangeInfo entries and the filter checks (USDⓈ-M "Filters", error codes -4003…-4164).

BTCUSDT and ETHUSDT are the entries of the captured exchangeInfo (2021-07-22) as they are (scripted books). The
captured depth symbols (SUSHIUSDT, AKROUSDT, KEEPUSDT, CTKUSDT) are not in that file: their entries are built in the
same shape, with tickSize and stepSize from the capture (the finest decimals its prices / quantities use),
pricePrecision / quantityPrecision as the wire writes them, MIN_NOTIONAL 5 and PERCENT_PRICE 0.85/1.15 as BTCUSDT.
Leverage brackets (not in any capture): BTCUSDT/ETHUSDT use a 10-tier table shaped as Binance's 2021 BTCUSDT one,
the others a 6-tier altcoin table; `cum` is derived so the maintenance margin is continuous across tiers.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal

from common import D, ZERO, BinanceError, decimals_of, invalid_symbol, wire_decimals


@dataclass
class Bracket:
    bracket: int
    initial_leverage: int
    notional_floor: Decimal
    notional_cap: Decimal
    mmr: Decimal
    cum: Decimal

    def json(self) -> dict:
        return {"bracket": self.bracket, "initialLeverage": self.initial_leverage,
                "notionalCap": int(self.notional_cap), "notionalFloor": int(self.notional_floor),
                "maintMarginRatio": float(self.mmr), "cum": float(self.cum)}


def make_brackets(rows: list[tuple[int, str, str]]) -> list[Bracket]:
    """rows: (initialLeverage, notionalCap, maintMarginRatio) in order; floors and cum follow."""
    brackets, floor, cum, prev_mmr = [], ZERO, ZERO, None
    for index, (lev, cap, mmr) in enumerate(rows, start=1):
        mmr_d = D(mmr)
        if prev_mmr is not None:
            cum += floor * (mmr_d - prev_mmr)
        brackets.append(Bracket(index, lev, floor, D(cap), mmr_d, cum))
        floor, prev_mmr = D(cap), mmr_d
    return brackets


MAJOR_BRACKETS = [(125, "50000", "0.004"), (100, "250000", "0.005"), (50, "1000000", "0.01"),
                  (20, "10000000", "0.025"), (10, "20000000", "0.05"), (5, "50000000", "0.1"),
                  (4, "100000000", "0.125"), (3, "200000000", "0.15"), (2, "300000000", "0.25"),
                  (1, "500000000", "0.5")]
ALT_BRACKETS = [(25, "5000", "0.01"), (20, "25000", "0.025"), (10, "100000", "0.05"), (5, "250000", "0.1"),
                (2, "1000000", "0.125"), (1, "10000000", "0.5")]


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
    market_step: Decimal
    market_min_qty: Decimal
    market_max_qty: Decimal
    min_notional: Decimal
    up: Decimal
    down: Decimal
    price_precision: int
    qty_precision: int
    info: dict
    brackets: list[Bracket] = field(default_factory=list)
    max_num_orders: int = 200

    def max_leverage(self) -> int:
        return self.brackets[0].initial_leverage

    def max_notional(self, leverage: int) -> Decimal:
        """The largest position notional allowed at this leverage: the cap of the last bracket that allows it."""
        allowed = [b for b in self.brackets if b.initial_leverage >= leverage]
        return allowed[-1].notional_cap if allowed else ZERO

    def bracket_for(self, notional: Decimal) -> Bracket:
        for bracket in self.brackets:
            if notional <= bracket.notional_cap:
                return bracket
        return self.brackets[-1]

    def maint_margin(self, notional: Decimal) -> Decimal:
        bracket = self.bracket_for(notional)
        return notional * bracket.mmr - bracket.cum

    def price_text(self, value: Decimal) -> str:
        return format(value.quantize(D(1).scaleb(-self.price_precision)), "f")

    def qty_text(self, value: Decimal) -> str:
        return format(value.quantize(D(1).scaleb(-self.qty_precision)), "f")


def _filter(info: dict, kind: str) -> dict:
    return next(f for f in info["filters"] if f["filterType"] == kind)


def _spec_from_info(info: dict, brackets) -> Spec:
    price, lot, market = _filter(info, "PRICE_FILTER"), _filter(info, "LOT_SIZE"), _filter(info, "MARKET_LOT_SIZE")
    percent = _filter(info, "PERCENT_PRICE")
    return Spec(symbol=info["symbol"], base=info["baseAsset"], tick=D(price["tickSize"]), min_price=D(price["minPrice"]),
                max_price=D(price["maxPrice"]), step=D(lot["stepSize"]), min_qty=D(lot["minQty"]),
                max_qty=D(lot["maxQty"]), market_step=D(market["stepSize"]), market_min_qty=D(market["minQty"]),
                market_max_qty=D(market["maxQty"]), min_notional=D(_filter(info, "MIN_NOTIONAL")["notional"]),
                up=D(percent["multiplierUp"]), down=D(percent["multiplierDown"]),
                price_precision=info["pricePrecision"], qty_precision=info["quantityPrecision"], info=info,
                brackets=make_brackets(brackets))


def _derived_info(template: dict, symbol: str, prices: list[str], qtys: list[str]) -> dict:
    tick_places = max(decimals_of(p) for p in prices)
    wire_places = max(wire_decimals(p) for p in prices)
    step_places = max(decimals_of(q) for q in qtys)
    qty_wire = max(wire_decimals(q) for q in qtys)
    tick = format(D(1).scaleb(-tick_places), "f") if tick_places else "1"
    step = format(D(1).scaleb(-step_places), "f") if step_places else "1"
    info = copy.deepcopy(template)
    base = symbol[:-4]
    info.update({"symbol": symbol, "pair": symbol, "baseAsset": base, "pricePrecision": wire_places,
                 "quantityPrecision": qty_wire, "maintMarginPercent": "2.5000", "requiredMarginPercent": "5.0000"})
    for f in info["filters"]:
        if f["filterType"] == "PRICE_FILTER":
            f.update({"minPrice": tick, "maxPrice": "100000", "tickSize": tick})
        elif f["filterType"] in ("LOT_SIZE", "MARKET_LOT_SIZE"):
            f.update({"stepSize": step, "minQty": step, "maxQty": "10000000" if f["filterType"] == "LOT_SIZE"
                      else "1000000"})
    return info


def build(capture) -> dict[str, Spec]:
    specs: dict[str, Spec] = {}
    infos = {info["symbol"]: info for info in capture.exchange_info["symbols"]}
    template = infos["ETHUSDT"]
    for symbol, snapshot in capture.snapshots.items():
        prices = [p for p, _ in snapshot["bids"] + snapshot["asks"]]
        qtys = [q for _, q in snapshot["bids"] + snapshot["asks"]]
        for event in capture.events:
            if event.symbol == symbol and event.kind == "depth":
                prices += [p for p, _ in event.data["b"] + event.data["a"]]
                qtys += [q for _, q in event.data["b"] + event.data["a"] if D(q) != 0]
        specs[symbol] = _spec_from_info(_derived_info(template, symbol, prices, qtys), ALT_BRACKETS)
    for symbol, info in infos.items():
        specs[symbol] = _spec_from_info(info, MAJOR_BRACKETS)
    return specs


def on_grid(value: Decimal, origin: Decimal, step: Decimal) -> bool:
    return step == 0 or (value - origin) % step == 0


def check_price(spec: Spec, price: Decimal) -> None:
    if price <= 0:
        raise BinanceError(-4001, "Price less than 0.")
    if price < spec.min_price:
        raise BinanceError(-4013, "Price less than min price.")
    if price > spec.max_price:
        raise BinanceError(-4002, "Price greater than max price.")
    if not on_grid(price, spec.min_price, spec.tick):
        raise BinanceError(-4014, "Price not increased by tick size.")


def check_qty(spec: Spec, qty: Decimal, market: bool) -> None:
    if qty <= 0:
        raise BinanceError(-4003, "Quantity less than or equal to zero.")
    low, high, step = ((spec.market_min_qty, spec.market_max_qty, spec.market_step) if market
                       else (spec.min_qty, spec.max_qty, spec.step))
    if qty < low:
        raise BinanceError(-4004, "Quantity less than min quantity.")
    if qty > high:
        raise BinanceError(-4005, "Quantity greater than max quantity.")
    if not on_grid(qty, low, step):
        raise BinanceError(-4023, "Quantity not increased by step size.")


def get_spec(specs: dict[str, Spec], symbol: str | None) -> Spec:
    if not symbol:
        raise BinanceError(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.")
    spec = specs.get(symbol)
    if spec is None:
        raise invalid_symbol()
    return spec
