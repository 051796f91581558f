"""tickers.{symbol} (docs v5 WebSocket "Ticker", linear) and GET /v5/market/tickers.

The WebSocket topic sends a `snapshot` on subscribe, then `delta` messages holding only the fields that changed
(docs: linear tickers push deltas; a field absent from a delta is unchanged). `cs` is the book's cross sequence.
Values: bid1/ask1 from the book; markPrice = the scripted mark, else the mid on the tick; indexPrice = the scripted
index, else the mark; lastPrice = the scripted last price, else the mark (own fills are not public trades);
fundingRate,
nextFundingTime and fundingIntervalHour from the funding state. 24-hour statistics are this server's own: the first
last price is prevPrice24h / prevPrice1h, high/low follow lastPrice, volume24h / turnover24h count own fills, and
openInterest is the sum of the accounts' long sizes.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP

from common import D, ZERO, plain


class Tickers:
    def __init__(self, engine, books, specs) -> None:
        self.engine = engine
        self.books = books
        self.specs = specs
        self.published: dict[str, dict] = {}
        self.first: dict[str, object] = {}
        self.high: dict[str, object] = {}
        self.low: dict[str, object] = {}
        self.direction: dict[str, str] = {}
        self.previous_last: dict[str, object] = {}

    def row(self, symbol: str) -> dict:
        engine, spec, book = self.engine, self.specs[symbol], self.books[symbol]
        last = engine.last(symbol)
        first = self.first.setdefault(symbol, last)
        before = self.previous_last.get(symbol)
        if before is not None and last != before:
            self.direction[symbol] = "PlusTick" if last > before else "MinusTick"
        elif before is not None and symbol in self.direction and not self.direction[symbol].startswith("Zero"):
            self.direction[symbol] = "Zero" + self.direction[symbol]
        self.previous_last[symbol] = last
        self.high[symbol] = max(self.high.get(symbol, last), last)
        self.low[symbol] = min(self.low.get(symbol, last), last)
        bid, ask = book.bids.top(1), book.asks.top(1)
        funding = engine.funding[symbol]
        mark = engine.mark(symbol)
        volume, turnover = engine.volume[symbol]
        interest = sum((p.amount for a in engine.accounts.accounts for p in a.positions.values()
                        if p.symbol == symbol and p.amount > 0), ZERO)
        change = ((last - first) / first).quantize(D("0.000001"), rounding=ROUND_HALF_UP) if first else ZERO
        return {"symbol": symbol, "tickDirection": self.direction.get(symbol, "ZeroPlusTick"),
                "price24hPcnt": plain(change), "lastPrice": spec.price_text(last),
                "prevPrice24h": spec.price_text(first), "highPrice24h": spec.price_text(self.high[symbol]),
                "lowPrice24h": spec.price_text(self.low[symbol]), "prevPrice1h": spec.price_text(first),
                "markPrice": spec.price_text(mark), "indexPrice": spec.price_text(engine.index(symbol)),
                "openInterest": spec.qty_text(interest), "openInterestValue": plain(interest * mark),
                "turnover24h": plain(turnover), "volume24h": spec.qty_text(volume),
                "nextFundingTime": str(funding.next_time), "fundingRate": plain(funding.rate),
                "bid1Price": spec.price_text(bid[0][0]) if bid else "", "bid1Size": spec.qty_text(bid[0][1]) if bid
                else "", "ask1Price": spec.price_text(ask[0][0]) if ask else "",
                "ask1Size": spec.qty_text(ask[0][1]) if ask else "",
                "fundingIntervalHour": str(funding.interval_min // 60)}

    def rest_row(self, symbol: str) -> dict:
        row = self.published.get(symbol) or self.row(symbol)
        return {**row, "curPreListingPhase": "", "preOpenPrice": "", "preQty": "", "basis": "", "basisRate": "",
                "deliveryFeeRate": "", "deliveryTime": "0", "predictedDeliveryPrice": ""}

    def snapshot(self, symbol: str) -> dict:
        row = self.row(symbol)
        self.published[symbol] = row
        return row

    def delta(self, symbol: str) -> dict | None:
        """The fields that changed since the last published state (None: nothing changed)."""
        before = self.published.get(symbol)
        row = self.row(symbol)
        self.published[symbol] = row
        if before is None:
            return None
        changed = {k: v for k, v in row.items() if before.get(k) != v}
        return {"symbol": symbol, **changed} if changed else None
