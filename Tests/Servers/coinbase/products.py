"""Products (GET /market/products, /products…): the capture's 10 product ids and the --scripted-product ones.

The 2021 capture has no product metadata, so the increments come from the capture itself (this server's choice,
README): price_increment = quote_increment = 10^-d where d is the most decimals any captured price of the product
has (snapshot and updates, trailing zeros counted: Pro sent prices and sizes at the product's precision);
base_increment = 10^-d for the sizes likewise; base_min_size = base_increment; quote_min_size 1 for fiat quotes (USD,
GBP, EUR), 0.00001 for BTC quotes; base_max_size 10000000; quote_max_size 10000000 (fiat) / 1000 (BTC). Every
captured price and size is therefore on its product's grid. Scripted products: BTC-USDT as the brief gives it
(base_increment 0.00000001, quote/price_increment 0.01, base_min_size 0.00000001, quote_min_size 1, base_max_size
3400 as Coinbase's BTC-USD); any other BASE-QUOTE gets the same increments.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from capture import Capture
from common import fmt

FIAT = {"USD", "EUR", "GBP"}
NAMES = {"BTC": "Bitcoin", "USD": "US Dollar", "EUR": "Euro", "GBP": "British Pound", "USDT": "Tether",
         "SKL": "SKALE", "BAND": "Band Protocol", "NU": "NuCypher", "YFI": "yearn.finance", "CRV": "Curve DAO Token",
         "DASH": "Dash", "NMR": "Numeraire", "ETH": "Ethereum"}
SCRIPTED_DEFAULT = {"base_increment": "0.00000001", "quote_increment": "0.01", "price_increment": "0.01",
                    "base_min_size": "0.00000001", "quote_min_size": "1", "base_max_size": "3400",
                    "quote_max_size": "150000000"}


@dataclass
class Product:
    product_id: str
    base_increment: Decimal
    quote_increment: Decimal
    price_increment: Decimal
    base_min_size: Decimal
    base_max_size: Decimal
    quote_min_size: Decimal
    quote_max_size: Decimal
    scripted: bool = False
    flags: dict = field(default_factory=lambda: {"status": "online", "trading_disabled": False, "is_disabled": False,
                                                  "cancel_only": False, "limit_only": False, "post_only": False})

    @property
    def base(self) -> str:
        return self.product_id.split("-")[0]

    @property
    def quote(self) -> str:
        return self.product_id.split("-")[1]

    def view(self, price: Decimal | None, best_bid: Decimal | None, best_ask: Decimal | None) -> dict:
        return {"product_id": self.product_id, "price": fmt(price) if price is not None else "",
                "price_percentage_change_24h": "0", "volume_24h": "0", "volume_percentage_change_24h": "0",
                "base_increment": fmt(self.base_increment), "quote_increment": fmt(self.quote_increment),
                "quote_min_size": fmt(self.quote_min_size), "quote_max_size": fmt(self.quote_max_size),
                "base_min_size": fmt(self.base_min_size), "base_max_size": fmt(self.base_max_size),
                "base_name": NAMES.get(self.base, self.base), "quote_name": NAMES.get(self.quote, self.quote),
                "watched": False, "is_disabled": self.flags["is_disabled"], "new": False,
                "status": self.flags["status"], "cancel_only": self.flags["cancel_only"],
                "limit_only": self.flags["limit_only"], "post_only": self.flags["post_only"],
                "trading_disabled": self.flags["trading_disabled"], "auction_mode": False, "product_type": "SPOT",
                "quote_currency_id": self.quote, "base_currency_id": self.base, "fcm_trading_session_details": None,
                "mid_market_price": fmt((best_bid + best_ask) / 2) if best_bid and best_ask else "",
                "alias": "", "alias_to": [], "base_display_symbol": self.base, "quote_display_symbol": self.quote,
                "view_only": False, "price_increment": fmt(self.price_increment), "display_name": self.product_id,
                "product_venue": "CBE", "approximate_quote_24h_volume": "0",
                "best_bid_price": fmt(best_bid) if best_bid is not None else "",
                "best_ask_price": fmt(best_ask) if best_ask is not None else ""}


def _places(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def from_capture(capture: Capture) -> dict[str, Product]:
    products = {}
    for product_id, snapshot in capture.snapshots.items():
        price_places = size_places = 0
        for event in [snapshot] + [e for e in capture.events if e.product_id == product_id]:
            for _, price, size in event.changes:
                price_places = max(price_places, _places(price))
                if Decimal(size) != 0:
                    size_places = max(size_places, _places(size))
        quote = product_id.split("-")[1]
        tick, lot = Decimal(1).scaleb(-price_places), Decimal(1).scaleb(-size_places)
        products[product_id] = Product(product_id, lot, tick, tick, lot, Decimal("10000000"),
                                       Decimal("1") if quote in FIAT else Decimal("0.00001"),
                                       Decimal("10000000") if quote in FIAT else Decimal("1000"))
    return products


def scripted(product_id: str) -> Product:
    parts = product_id.split("-")
    if len(parts) != 2 or not all(part.isalnum() and part.isupper() for part in parts):
        raise SystemExit(f"--scripted-product {product_id}: not a BASE-QUOTE product id")
    d = {k: Decimal(v) for k, v in SCRIPTED_DEFAULT.items()}
    return Product(product_id, d["base_increment"], d["quote_increment"], d["price_increment"], d["base_min_size"],
                   d["base_max_size"], d["quote_min_size"], d["quote_max_size"], scripted=True)
