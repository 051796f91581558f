"""Public market data over real sockets: the capture verified at load, v2 `book` snapshots and updates whose
checksum this test recomputes independently (docs "Book checksum v2"), depth truncation, `instrument`, `status`,
`ping`, `heartbeat`, subscribe errors, and the public REST methods."""
from __future__ import annotations

import asyncio
import importlib.util
import zlib
from decimal import Decimal

import aiohttp

from kraken_client import WsClient, channel
from kraken_fixtures import SHARED, fresh, server  # noqa: F401  (fixtures)

SERVER_ARGS = ("--heartbeat", "0.3")


def shared_checksums():
    spec = importlib.util.spec_from_file_location("shared_checksums", SHARED / "vectors/exchanges/checksums.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def v2_checksum(asks, bids, price_places: int, qty_places: int) -> int:
    """Written from the docs' steps: asks low -> high then bids high -> low, top 10, '.' removed, zeros stripped."""
    def token(value: Decimal, places: int) -> str:
        return f"{value:.{places}f}".replace(".", "").lstrip("0")
    text = "".join(token(p, price_places) + token(q, qty_places) for p, q in asks[:10] + bids[:10])
    return zlib.crc32(text.encode()) & 0xFFFFFFFF


class LocalBook:
    def __init__(self, depth: int) -> None:
        self.depth, self.bids, self.asks = depth, {}, {}

    def apply(self, data: dict) -> None:
        for name in ("bids", "asks"):
            side = getattr(self, name)
            for level in data[name]:
                if level["qty"] == 0:
                    side.pop(level["price"], None)
                else:
                    side[level["price"]] = level["qty"]
            keep = sorted(side, reverse=name == "bids")[:self.depth]      # truncate to the subscribed depth
            setattr(self, name, {p: side[p] for p in keep})

    def top(self, name: str) -> list[tuple[Decimal, Decimal]]:
        side = getattr(self, name)
        return [(p, side[p]) for p in sorted(side, reverse=name == "bids")]


def test_capture_checksums_all_verified_at_load(server):
    state = server.control("GET", "/control/replay")
    assert state["checksumsVerified"] == 4269 and state["checksumMismatches"] == 0
    assert state["precisionMismatches"] == 0 and state["events"] == 4269


def test_v2_checksum_agrees_with_the_shared_reference(server):
    truth = server.book("BTC/CHF", 10)
    asks = [(p, q) for p, q in truth["asks"]]
    bids = [(p, q) for p, q in truth["bids"]]
    assert shared_checksums().kraken_v2_checksum(asks, bids, 1, 8) == truth["checksum"]
    assert v2_checksum([tuple(map(Decimal, r)) for r in asks], [tuple(map(Decimal, r)) for r in bids], 1, 8) == \
        truth["checksum"]


async def _follow(server, symbol: str, depth: int, updates: int) -> None:
    async with aiohttp.ClientSession() as http:
        ws = await WsClient.connect(http, server.public_ws)
        status = await ws.wait(channel("status"))
        assert status["data"][0]["system"] == "online" and status["data"][0]["api_version"] == "v2"
        ack = await ws.request("subscribe", {"channel": "book", "symbol": [symbol], "depth": depth}, req_id=7)
        assert ack["success"] is True and ack["result"] == {"channel": "book", "depth": depth, "snapshot": True,
                                                           "symbol": symbol}
        assert "time_in" in ack and "time_out" in ack
        snapshot = (await ws.wait(channel("book", "snapshot")))["data"][0]
        pair = server.public("AssetPairs", pair=symbol.replace("BTC", "XBT").replace("/", ""))["result"]
        info = next(iter(pair.values()))
        places = (info["pair_decimals"], info["lot_decimals"])
        local = LocalBook(depth)
        local.apply(snapshot)
        assert len(local.bids) == depth and len(local.asks) == depth
        assert v2_checksum(local.top("asks"), local.top("bids"), *places) == snapshot["checksum"]
        server.advance(updates=updates, symbol=symbol)
        seen = 0
        while True:
            try:
                message = await ws.wait(channel("book", "update"), timeout=1.0)
            except (TimeoutError, asyncio.TimeoutError):
                break
            data = message["data"][0]
            assert data["symbol"] == symbol and data["timestamp"].endswith("Z")
            local.apply(data)
            assert v2_checksum(local.top("asks"), local.top("bids"), *places) == data["checksum"]
            seen += 1
        assert seen > 0
        truth = server.book(symbol, depth)
        assert [[str(p), str(q)] for p, q in local.top("bids")] == truth["bids"]
        assert [[str(p), str(q)] for p, q in local.top("asks")] == truth["asks"]


def test_book_depth_10_follows_the_capture_with_truncation(fresh):
    asyncio.run(_follow(fresh, "XMR/USD", 10, 300))


def test_book_depth_100_and_btc_naming(fresh):
    asyncio.run(_follow(fresh, "BTC/CHF", 100, 120))


def test_subscribe_errors_ping_heartbeat_and_instrument(fresh):
    async def run():
        async with aiohttp.ClientSession() as http:
            ws = await WsClient.connect(http, fresh.public_ws)
            await ws.wait(channel("status"))
            pong = await ws.request("ping", req_id=101)
            assert pong["method"] == "pong" and pong["req_id"] == 101
            bad = await ws.request("subscribe", {"channel": "book", "symbol": ["XBT/CHF"]}, req_id=2)
            assert bad["success"] is False and bad["error"] == "Currency pair not supported XBT/CHF"
            assert bad["symbol"] == "XBT/CHF"
            depth = await ws.request("subscribe", {"channel": "book", "symbol": ["BTC/CHF"], "depth": 7}, req_id=3)
            assert depth["success"] is False
            ack = await ws.request("subscribe", {"channel": "instrument"}, req_id=4)
            assert ack["success"] is True
            pairs = (await ws.wait(channel("instrument", "snapshot")))["data"]["pairs"]
            btc = next(p for p in pairs if p["symbol"] == "BTC/CHF")
            assert (btc["base"], btc["quote"], btc["price_precision"], btc["qty_precision"]) == ("BTC", "CHF", 1, 8)
            assert btc["price_increment"] == Decimal("0.1") and btc["qty_min"] == Decimal("0.0002")
            assert btc["qty_increment"] == Decimal("0.00000001") and btc["status"] == "online"
            assert len(pairs) == 10
            await ws.wait(channel("heartbeat"), timeout=2)
            off = await ws.request("unsubscribe", {"channel": "instrument"}, req_id=5)
            assert off["success"] is True
    asyncio.run(run())


def test_public_rest(server):
    assert server.public("Time")["error"] == [] and server.public("Time")["result"]["unixtime"] > 1_600_000_000
    assert server.public("SystemStatus")["result"]["status"] == "online"
    pairs = server.public("AssetPairs")["result"]
    assert len(pairs) == 10 and pairs["XBTCHF"]["wsname"] == "XBT/CHF" and pairs["XXMRZUSD"]["altname"] == "XMRUSD"
    assert set(server.public("AssetPairs", pair="XMRUSD")["result"]) == {"XXMRZUSD"}
    assert server.public("AssetPairs", pair="NOPE")["error"] == ["EQuery:Unknown asset pair"]
    depth = server.public("Depth", pair="XBTCHF", count=5)["result"]["XBTCHF"]
    truth = server.book("BTC/CHF", 5)
    assert [Decimal(row[0]) for row in depth["bids"]] == [Decimal(p) for p, _ in truth["bids"]]
    assert [Decimal(row[1]) for row in depth["asks"]] == [Decimal(q) for _, q in truth["asks"]]
    assert depth["asks"][0][0].count(".") == 1 and len(depth["asks"][0][0].split(".")[1]) == 1
