"""Market data against the real capture: the books channel's checksums verified by shared/vectors/exchanges/
checksums.py (independent of the server), the seqId/prevSeqId chain, REST books, bbo-tbt, trades, instruments."""
from __future__ import annotations

import asyncio
import importlib.util
import json
import os
from pathlib import Path

import aiohttp
import pytest

from okx_fixtures import server, start_server, stop_server  # noqa: F401  (fixtures)
from okx_client import WsClient, push

SHARED = Path(os.environ["DEXTER_SHARED"]) / "vectors" / "exchanges"
WIRE = SHARED / "wire" / "okx" / "cryptofeed"


def shared_checksums():
    spec = importlib.util.spec_from_file_location("shared_checksums", SHARED / "checksums.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHECKSUMS = shared_checksums()


def recorded_books(inst_id: str = "BTC-USDT") -> list[dict]:
    """The capture's books frames for one instrument, read here independently of the server."""
    frames = []
    for line in (WIRE / "OKX.ws.1.0").read_text().splitlines():
        if " <- " in line or " <-> " in line:
            continue
        frame = json.loads(line.partition(": ")[2])
        if frame.get("arg") == {"channel": "books", "instId": inst_id} and "data" in frame:
            frames.append(frame)
    return frames


class LocalBook:
    """The client side of the books channel: apply snapshot and updates, check checksum and sequence."""

    def __init__(self, snapshot: dict) -> None:
        self.book = CHECKSUMS.Book()
        self.apply(snapshot)
        self.seq = snapshot["seqId"]

    def apply(self, data: dict) -> None:
        for level in data["bids"]:
            self.book.apply("b", level[0], level[1])
        for level in data["asks"]:
            self.book.apply("a", level[0], level[1])

    def checksum(self) -> int:
        return CHECKSUMS.okx_checksum(self.book.top("b", 25), self.book.top("a", 25))


def test_books_snapshot_then_every_recorded_update_verifies(server):
    recorded = recorded_books()
    updates = [frame["data"][0] for frame in recorded[1:]]

    async def run():
        async with aiohttp.ClientSession() as http:
            ws = await WsClient.connect(http, server.public_ws)
            ack = (await ws.subscribe({"channel": "books", "instId": "BTC-USDT"}))[0]
            assert ack["event"] == "subscribe" and ack["connId"]
            snap = await ws.wait(push("books"))
            data = snap["data"][0]
            assert snap["action"] == "snapshot" and data["prevSeqId"] == -1
            assert len(data["bids"]) == 400 and len(data["asks"]) == 400
            assert data["checksum"] == recorded[0]["data"][0]["checksum"] == 47640993
            local = LocalBook(data)
            assert local.checksum() == data["checksum"]
            server.advance(updates=len(updates), instId="BTC-USDT")
            for expected in updates:
                message = await ws.wait(push("books"))
                update = message["data"][0]
                assert message["action"] == "update"
                assert update["asks"] == expected["asks"] and update["bids"] == expected["bids"]
                assert update["checksum"] == expected["checksum"]
                assert update["prevSeqId"] == local.seq < update["seqId"]
                local.apply(update)
                local.seq = update["seqId"]
                assert local.checksum() == update["checksum"]
            truth = server.book("BTC-USDT", 25)
            assert truth["checksum"] == local.checksum() and truth["seqId"] == local.seq
    asyncio.run(run())
    assert server.control("GET", "/control/replay")["checksumMismatches"] == 0


def test_rest_books_match_a_late_websocket_snapshot(server):
    async def run():
        async with aiohttp.ClientSession() as http:
            ws = await WsClient.connect(http, server.public_ws)
            await ws.subscribe({"channel": "books", "instId": "BTC-USDT"}, {"channel": "bbo-tbt", "instId": "BTC-USDT"})
            snap = (await ws.wait(push("books")))["data"][0]
            bbo = (await ws.wait(push("bbo-tbt")))["data"][0]
            rest = server.public("/api/v5/market/books", instId="BTC-USDT", sz=400).json()
            assert rest["code"] == "0"
            book = rest["data"][0]
            assert book["seqId"] == snap["seqId"] and book["bids"] == snap["bids"] and book["asks"] == snap["asks"]
            assert bbo["bids"] == snap["bids"][:1] and bbo["asks"] == snap["asks"][:1]
            assert bbo["seqId"] == snap["seqId"] and "checksum" not in bbo and "prevSeqId" not in bbo
            default = server.public("/api/v5/market/books", instId="BTC-USDT").json()["data"][0]
            assert len(default["bids"]) == len(default["asks"]) == 1      # sz defaults to 1
    asyncio.run(run())
    assert server.public("/api/v5/market/books", instId="BTC-USDT", sz=401).json()["code"] == "51000"
    missing = server.public("/api/v5/market/books", instId="NOPE-USDT").json()
    assert missing["code"] == "51001" and missing["data"] == []
    empty = server.public("/api/v5/market/books")
    assert empty.status_code == 400 and empty.json()["code"] == "50014"


def test_instruments_are_the_recorded_ones(server):
    recorded = {row["instId"]: row for row in json.loads(
        (WIRE / "instruments_SPOT.2022-05-13.BTC-USDT_ETH-USDT.json").read_text())["data"]}
    reply = server.public("/api/v5/public/instruments", instType="SPOT").json()
    assert reply["code"] == "0" and {row["instId"] for row in reply["data"]} == set(recorded)
    for row in reply["data"]:
        assert {k: v for k, v in row.items() if k in recorded[row["instId"]]} == recorded[row["instId"]]
        assert isinstance(row["instIdCode"], int)
    one = server.public("/api/v5/public/instruments", instType="SPOT", instId="ETH-USDT").json()["data"]
    assert [row["tickSz"] for row in one] == ["0.01"]
    assert server.public("/api/v5/public/instruments", instType="SWAP").json()["data"] == []
    assert server.public("/api/v5/public/instruments").json()["code"] == "50014"
    time_reply = server.public("/api/v5/public/time").json()
    assert time_reply["code"] == "0" and time_reply["data"][0]["ts"].isdigit()


@pytest.fixture
def own_server(tmp_path):
    """A server of its own, at the capture's start (the module's server has been advanced to its end)."""
    process, handle = start_server(tmp_path)
    yield handle
    stop_server(process)


def test_trades_and_tickers_replay_the_capture_and_errors_are_documented(own_server):
    server = own_server
    async def run():
        async with aiohttp.ClientSession() as http:
            ws = await WsClient.connect(http, server.public_ws)
            acks = await ws.subscribe({"channel": "trades", "instId": "BTC-USDT"},
                                      {"channel": "tickers", "instId": "BTC-USDT"})
            assert [a["event"] for a in acks] == ["subscribe", "subscribe"]
            server.advance(events=200)
            trade = (await ws.wait(push("trades")))["data"][0]
            assert set(trade) == {"instId", "tradeId", "px", "sz", "side", "ts"}
            ticker = (await ws.wait(push("tickers")))["data"][0]
            assert ticker["instType"] == "SPOT" and "askPx" in ticker
            await ws.send("ping")
            assert await ws.wait(lambda m: m == "pong") == "pong"
            await ws.send({"op": "subscribe", "args": [{"channel": "books", "instId": "NOPE-USDT"}]})
            error = await ws.wait(lambda m: isinstance(m, dict) and m.get("event") == "error")
            assert error["code"] == "60018"
            await ws.send({"op": "subscribe", "args": [{"channel": "orders", "instType": "SPOT"}]})
            error = await ws.wait(lambda m: isinstance(m, dict) and m.get("event") == "error")
            assert error["code"] == "60008"
            await ws.send("{not json")
            error = await ws.wait(lambda m: isinstance(m, dict) and m.get("event") == "error")
            assert error["code"] == "60012"
            await ws.send({"op": "dance", "args": []})
            error = await ws.wait(lambda m: isinstance(m, dict) and m.get("event") == "error")
            assert error["code"] == "60019"
            await ws.send({"op": "unsubscribe", "args": [{"channel": "trades", "instId": "BTC-USDT"}]})
            gone = await ws.wait(lambda m: isinstance(m, dict) and m.get("event") == "unsubscribe")
            assert gone["arg"] == {"channel": "trades", "instId": "BTC-USDT"}
    asyncio.run(run())
