"""Market data against the documented protocol and the real capture: the `pu` rule, snapshots, exchangeInfo,
scripted books, mark price and funding state."""
from __future__ import annotations

import asyncio
from decimal import Decimal

import aiohttp

from usdm_client import Ws, capture_depth, sync
from usdm_fixtures import SHARED, fresh, server  # noqa: F401  (fixtures)

CAPTURED = ("SUSHIUSDT", "AKROUSDT", "KEEPUSDT", "CTKUSDT")


def apply(book: dict, event: dict) -> None:
    for key, side in (("b", "bids"), ("a", "asks")):
        for price, qty in event[key]:
            if Decimal(qty) == 0:
                book[side].pop(Decimal(price), None)
            else:
                book[side][Decimal(price)] = Decimal(qty)


def as_levels(rows) -> dict:
    return {Decimal(p): Decimal(q) for p, q in rows}


class LocalBook:
    """A client following the documented rule: buffer events, take a snapshot, drop events with u < lastUpdateId,
    the first processed one must have U <= lastUpdateId <= u, then each pu must equal the previous u (else resync)."""

    def __init__(self) -> None:
        self.buffer: list[dict] = []
        self.snapshot: dict | None = None
        self.book: dict | None = None
        self.last_u: int | None = None
        self.resyncs = 0

    @property
    def needs_snapshot(self) -> bool:
        return self.book is None and self.snapshot is None

    def on_snapshot(self, snapshot: dict) -> None:
        self.snapshot = snapshot
        buffered, self.buffer = self.buffer, []
        for event in buffered:
            self.on_event(event)

    def on_event(self, event: dict) -> None:
        if self.book is None:
            if self.snapshot is None:
                self.buffer.append(event)
                return
            last_id = self.snapshot["lastUpdateId"]
            if event["u"] < last_id:
                return
            assert event["U"] <= last_id <= event["u"], (event["U"], last_id, event["u"])
            self.book = {"bids": as_levels(self.snapshot["bids"]), "asks": as_levels(self.snapshot["asks"])}
            self.snapshot = None
        elif event["pu"] != self.last_u:
            self.book, self.last_u, self.buffer = None, None, [event]
            self.resyncs += 1
            return
        apply(self.book, event)
        self.last_u = event["u"]


def test_the_capture_itself_keeps_pu():
    snapshots, events = capture_depth(SHARED)
    assert set(snapshots) == set(CAPTURED)
    for symbol, rows in events.items():
        assert all(b["pu"] == a["u"] for a, b in zip(rows, rows[1:])), symbol
        assert any(e["U"] <= snapshots[symbol]["lastUpdateId"] <= e["u"] for e in rows), symbol


def test_rest_snapshot_at_start_is_the_captured_one(fresh):
    snapshots, _ = capture_depth(SHARED)
    for symbol in CAPTURED:
        served = fresh.public("/fapi/v1/depth", symbol=symbol, limit=1000).json()
        captured = snapshots[symbol]
        assert served["lastUpdateId"] == captured["lastUpdateId"]
        assert served["bids"] == captured["bids"] and served["asks"] == captured["asks"]


def test_exchange_info_lists_the_filters(fresh):
    response = fresh.public("/fapi/v1/exchangeInfo")
    assert response.headers["X-MBX-USED-WEIGHT-1M"]
    info = response.json()
    limits = {(r["rateLimitType"], r["interval"], r["intervalNum"]): r["limit"] for r in info["rateLimits"]}
    assert limits == {("REQUEST_WEIGHT", "MINUTE", 1): 2400, ("ORDERS", "MINUTE", 1): 1200,
                      ("ORDERS", "SECOND", 10): 300}
    symbols = {s["symbol"]: s for s in info["symbols"]}
    assert set(symbols) == set(CAPTURED) | {"BTCUSDT", "ETHUSDT", "LTCUSDT"}
    sushi = {f["filterType"]: f for f in symbols["SUSHIUSDT"]["filters"]}
    assert sushi["PRICE_FILTER"]["tickSize"] == "0.001" and sushi["LOT_SIZE"]["stepSize"] == "1"
    assert sushi["MIN_NOTIONAL"]["notional"] == "5" and "MARKET_LOT_SIZE" in sushi
    btc = {f["filterType"]: f for f in symbols["BTCUSDT"]["filters"]}
    assert btc["PRICE_FILTER"]["tickSize"] == "0.01" and btc["LOT_SIZE"]["stepSize"] == "0.001"
    assert symbols["BTCUSDT"]["contractType"] == "PERPETUAL" and symbols["SUSHIUSDT"]["marginAsset"] == "USDT"


async def follow(server, symbol: str, steps: int, skip: int = 0):
    """A documented-rule client over the served stream; returns it, the events it got and the server's book."""
    client = LocalBook()
    got: list[dict] = []
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, f"{server.stream}/ws/{symbol.lower()}@depth@100ms")
        await asyncio.sleep(0.05)
        for message in await ws.drain(0.1):
            got.append(message)
            client.on_event(message)
        client.on_snapshot(server.public("/fapi/v1/depth", symbol=symbol, limit=1000).json())
        if skip:
            server.fault(type="skip_update", count=skip, symbol=symbol)
        server.advance(diffs=steps, symbol=symbol)
        for message in await ws.drain(0.4):
            got.append(message)
            client.on_event(message)
            if client.needs_snapshot:
                client.on_snapshot(server.public("/fapi/v1/depth", symbol=symbol, limit=1000).json())
        await ws.close()
    return client, got, server.book(symbol)


@sync
async def test_every_served_event_continues_the_previous_and_the_rule_rebuilds_the_book(fresh):
    for symbol in ("SUSHIUSDT", "CTKUSDT"):
        client, got, truth = await follow(fresh, symbol, 40)
        assert len(got) >= 40 and client.resyncs == 0
        assert all(b["pu"] == a["u"] for a, b in zip(got, got[1:]))
        assert all(e["e"] == "depthUpdate" and e["s"] == symbol and "T" in e and "E" in e for e in got)
        assert client.book == {"bids": as_levels(truth["bids"]), "asks": as_levels(truth["asks"])}
        assert client.last_u == truth["lastUpdateId"]


@sync
async def test_served_events_are_the_captured_ones(fresh):
    _, captured = capture_depth(SHARED)
    _, got, _ = await follow(fresh, "KEEPUSDT", 20)
    by_u = {e["u"]: e for e in captured["KEEPUSDT"]}
    for event in got:
        original = by_u[event["u"]]
        assert (event["U"], event["pu"], event["b"], event["a"]) == \
            (original["U"], original["pu"], original["b"], original["a"])


@sync
async def test_a_lost_event_breaks_pu_and_a_resync_recovers(fresh):
    client, got, truth = await follow(fresh, "AKROUSDT", 30, skip=1)
    assert client.resyncs == 1
    assert any(b["pu"] != a["u"] for a, b in zip(got, got[1:]))
    assert client.book == {"bids": as_levels(truth["bids"]), "asks": as_levels(truth["asks"])}


@sync
async def test_scripted_book_is_served_with_u_and_pu(fresh):
    first = fresh.script("BTCUSDT", [["30000.00", "1.000"], ["29999.50", "2.000"]],
                         [["30001.00", "0.500"], ["30002.00", "3.000"]])["event"]
    assert first["pu"] + 1 == first["U"] and first["u"] == first["U"] + 3
    client = LocalBook()
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, f"{fresh.stream}/stream?streams=btcusdt@depth")
        replay = await ws.wait(lambda m: m.get("stream") == "btcusdt@depth")
        assert replay["data"] == first     # the latest event, as a lagging stream delivers it
        client.on_event(replay["data"])
        client.on_snapshot(fresh.public("/fapi/v1/depth", symbol="BTCUSDT").json())
        second = fresh.script("BTCUSDT", [["30000.00", "1.500"]], [["30001.00", "0.500"]])["event"]
        assert second["pu"] == first["u"]
        assert second["b"] == [["29999.50", "0.000"], ["30000.00", "1.500"]] and \
            second["a"] == [["30002.00", "0.000"]]
        got = await ws.wait(lambda m: m.get("stream") == "btcusdt@depth")
        client.on_event(got["data"])
        assert fresh.script("BTCUSDT", [["30000.00", "1.500"]], [["30001.00", "0.500"]])["event"] is None
        await ws.close()
    assert client.book == {"bids": {Decimal("30000.00"): Decimal("1.5")}, "asks": {Decimal("30001.00"): Decimal("0.5")}}
    bad = fresh.http.post(fresh.control_url + "/control/script",
                          json={"symbol": "BTCUSDT", "bids": [["30000.001", "1"]], "asks": []})
    assert bad.status_code == 400
    assert fresh.http.post(fresh.control_url + "/control/script",
                           json={"symbol": "SUSHIUSDT", "bids": [], "asks": []}).status_code == 400


@sync
async def test_mark_price_stream_premium_index_and_funding_state(fresh):
    fresh.script("ETHUSDT", [["2000.00", "10.000"]], [["2001.00", "10.000"]])
    premium = fresh.public("/fapi/v1/premiumIndex", symbol="ETHUSDT").json()
    assert Decimal(premium["markPrice"]) == Decimal("2000.5")        # the book's mid until scripted
    assert set(premium) == {"symbol", "markPrice", "indexPrice", "estimatedSettlePrice", "lastFundingRate",
                            "interestRate", "nextFundingTime", "time"}
    assert premium["nextFundingTime"] % (8 * 3600_000) == 0
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, f"{fresh.stream}/ws/ethusdt@markPrice@1s")
        await asyncio.sleep(0.05)
        fresh.control("POST", "/control/funding", {"symbol": "ETHUSDT", "rate": "0.00025", "markPrice": "2001.5",
                                                   "indexPrice": "2000.9", "nextFundingTime": 1700000000000})
        event = await ws.wait(lambda m: m.get("e") == "markPriceUpdate" and m["r"] == "0.00025000")
        assert event == {**event, "s": "ETHUSDT", "p": "2001.50000000", "i": "2000.90000000", "T": 1700000000000}
        assert set(event) == {"e", "E", "s", "p", "i", "P", "r", "T"}
        periodic = await ws.wait(lambda m: m.get("e") == "markPriceUpdate", timeout=2.5)   # every second
        assert periodic["p"] == "2001.50000000"
        await ws.close()
    premium = fresh.public("/fapi/v1/premiumIndex", symbol="ETHUSDT").json()
    assert (premium["lastFundingRate"], premium["indexPrice"]) == ("0.00025000", "2000.90000000")
    assert fresh.public("/fapi/v1/fundingInfo").json() == []       # only adjusted symbols are listed
    fresh.control("POST", "/control/funding", {"symbol": "SUSHIUSDT", "fundingIntervalHours": 4})
    assert fresh.public("/fapi/v1/fundingInfo").json() == [
        {"symbol": "SUSHIUSDT", "adjustedFundingRateCap": "0.03000000", "adjustedFundingRateFloor": "-0.03000000",
         "fundingIntervalHours": 4, "disclaimer": False}]
    everything = fresh.public("/fapi/v1/premiumIndex").json()
    assert len(everything) == 7 and fresh.public("/fapi/v1/premiumIndex").headers["X-MBX-USED-WEIGHT-1M"]


def test_book_ticker_and_unknown_symbol(fresh):
    row = fresh.public("/fapi/v1/ticker/bookTicker", symbol="SUSHIUSDT").json()
    book = fresh.book("SUSHIUSDT", 1)
    assert (row["bidPrice"], row["askPrice"]) == (book["bids"][0][0], book["asks"][0][0])
    bad = fresh.public("/fapi/v1/depth", symbol="NOPEUSDT")
    assert bad.status_code == 400 and bad.json() == {"code": -1121, "msg": "Invalid symbol."}


@sync
async def test_the_whole_capture_is_served_with_unbroken_pu(fresh):
    """Last in this module: plays the capture to its end. Every served event continues the previous one."""
    streams = "/".join(f"{s.lower()}@depth@100ms" for s in CAPTURED)
    before = fresh.control("GET", "/control/replay")["lastUpdateId"]
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, f"{fresh.stream}/stream?streams={streams}")
        await asyncio.sleep(0.05)
        fresh.advance(events=100_000)
        assert fresh.control("GET", "/control/replay")["finished"]
        got = await ws.drain(1.0)
        await ws.close()
    by_symbol: dict[str, list[dict]] = {}
    for message in got:
        by_symbol.setdefault(message["data"]["s"], []).append(message["data"])
    _, captured = capture_depth(SHARED)
    for symbol in CAPTURED:
        served = by_symbol[symbol]
        assert all(b["pu"] == a["u"] for a, b in zip(served, served[1:])), symbol
        assert served[-1]["u"] == captured[symbol][-1]["u"] == fresh.book(symbol)["lastUpdateId"]
        # the event the book stood at (sent on subscribing, see streams.py), then every later captured one
        later = served[1:] if served[0]["u"] == before[symbol] else served
        assert [e["u"] for e in later] == [e["u"] for e in captured[symbol] if e["u"] > before[symbol]]
