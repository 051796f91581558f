"""The tradable pairs: the capture's AssetPairs entries, with their REST names, v1 `wsname` and v2 `symbol`.

Asset codes: REST keeps Kraken's X/Z-prefixed codes (XXBT, XETH, XXMR, ZUSD, ZEUR; newer assets have none: CHF,
ADA, KSM...); WebSocket v2 uses the plain names (BTC, ETH, XMR, USD, EUR, CHF). v2 symbol = wsname with XBT -> BTC
and XDG -> DOGE (docs: "Symbol format XBT/USD -> BTC/USD").

The 2021 AssetPairs predates `costmin` and `tick_size`: tick = 10^-pair_decimals; costmin is this server's choice
(COST_MIN below) unless the entry carries one.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from common import KrakenError, fmt

V2_ASSET = {"XXBT": "BTC", "XBT": "BTC", "XXDG": "DOGE", "XDG": "DOGE", "ZUSD": "USD", "ZEUR": "EUR",
            "ZGBP": "GBP", "ZCAD": "CAD", "ZJPY": "JPY", "ZAUD": "AUD", "XETH": "ETH", "XXMR": "XMR",
            "XLTC": "LTC", "XXRP": "XRP", "XXLM": "XLM", "XETC": "ETC", "XZEC": "ZEC", "XREP": "REP",
            "XMLN": "MLN", "XXTZ": "XTZ"}
REST_ASSET = {v2: rest for rest, v2 in V2_ASSET.items() if len(rest) == 4}
COST_MIN = {"USD": Decimal("0.5"), "EUR": Decimal("0.5"), "CHF": Decimal("0.5"), "GBP": Decimal("0.5"),
            "USDT": Decimal("0.5"),
            "BTC": Decimal("0.00001"), "ETH": Decimal("0.0001")}


def v2_asset(code: str) -> str:
    return V2_ASSET.get(code, code)


def rest_asset(name: str) -> str:
    """A REST asset code from either spelling (BTC, XBT, XXBT -> XXBT)."""
    if name in V2_ASSET and len(name) == 4:
        return name
    return REST_ASSET.get(V2_ASSET.get(name, name), name)


def v2_symbol(wsname: str) -> str:
    return "/".join(v2_asset(part) for part in wsname.split("/"))


@dataclass
class Pair:
    name: str                 # REST key: XXMRZUSD, XBTCHF
    altname: str              # XMRUSD
    wsname: str               # v1: XBT/CHF
    symbol: str               # v2: BTC/CHF
    base: str                 # REST asset codes
    quote: str
    price_decimals: int
    lot_decimals: int
    cost_decimals: int
    ordermin: Decimal
    costmin: Decimal
    tick: Decimal
    fees: list                # [[volume, percent]]
    fees_maker: list
    raw: dict

    @property
    def base_v2(self) -> str:
        return v2_asset(self.base)

    @property
    def quote_v2(self) -> str:
        return v2_asset(self.quote)

    @property
    def lot(self) -> Decimal:
        return Decimal(1).scaleb(-self.lot_decimals)

    def asset_pair(self) -> dict:
        """The AssetPairs entry as served (the captured one, plus costmin / tick_size / status / cost_decimals)."""
        return {**self.raw, "cost_decimals": self.cost_decimals, "costmin": fmt(self.costmin),
                "tick_size": fmt(self.tick), "status": "online"}

    def instrument(self) -> dict:
        from common import Num
        return {"symbol": self.symbol, "base": self.base_v2, "quote": self.quote_v2, "status": "online",
                "qty_precision": self.lot_decimals, "qty_increment": Num(self.lot),
                "price_precision": self.price_decimals, "price_increment": Num(self.tick),
                "cost_precision": self.cost_decimals, "qty_min": Num(self.ordermin), "cost_min": Num(self.costmin),
                "marginable": bool(self.raw.get("leverage_buy")), "has_index": True}


class Instruments:
    def __init__(self, asset_pairs: dict[str, dict]) -> None:
        self.pairs: dict[str, Pair] = {}
        self.lookup: dict[str, Pair] = {}
        for name, raw in asset_pairs.items():
            pair = Pair(name=name, altname=raw["altname"], wsname=raw["wsname"], symbol=v2_symbol(raw["wsname"]),
                        base=raw["base"], quote=raw["quote"], price_decimals=int(raw["pair_decimals"]),
                        lot_decimals=int(raw["lot_decimals"]), cost_decimals=int(raw.get("cost_decimals", 5)),
                        ordermin=Decimal(str(raw.get("ordermin", "0"))),
                        costmin=Decimal(str(raw["costmin"])) if "costmin" in raw
                        else COST_MIN.get(v2_asset(raw["quote"]), Decimal("0.5")),
                        tick=Decimal(str(raw["tick_size"])) if "tick_size" in raw
                        else Decimal(1).scaleb(-int(raw["pair_decimals"])),
                        fees=raw.get("fees", []), fees_maker=raw.get("fees_maker", []), raw=raw)
            self.pairs[name] = pair
            for key in (name, pair.altname, pair.wsname, pair.symbol):
                self.lookup[key] = pair

    def all(self) -> list[Pair]:
        return list(self.pairs.values())

    def get(self, text: str | None) -> Pair | None:
        return self.lookup.get(text or "")

    def by_symbol(self, symbol: str) -> Pair | None:
        pair = self.lookup.get(symbol)
        return pair if pair and pair.symbol == symbol else None

    def require(self, text: str | None) -> Pair:
        pair = self.get(text)
        if pair is None:
            raise KrakenError("EQuery:Unknown asset pair")
        return pair

    def assets(self) -> list[str]:
        return sorted({p.base for p in self.all()} | {p.quote for p in self.all()})
