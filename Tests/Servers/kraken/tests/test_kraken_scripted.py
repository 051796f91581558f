"""Scripted books over real sockets: `--scripted-pair XBTUSDT` lists BTC/USDT (not in the capture's books) with an
empty book; POST /control/script sets it. Two subscribers at depths 10 and 25 rebuild their books here from the v2
`book` messages alone (truncating to their depth, as the docs say) and each equals the scripted book's top, with
the v2 checksum recomputed here from the docs' steps; a second script moves it with exactly the expected deltas per
depth (levels that came into a depth's scope included, qty 0 for removed ones); IOC orders fill against the scripted
levels with exact amounts. This module's server runs without --accounts: the default account, which holds USDT."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import zlib
from decimal import Decimal as D

import aiohttp
import pytest
import requests

from kraken_client import EXAMPLE, Server, WsClient, channel
from kraken_fixtures import REPO, SERVER, stop_server

SYMBOL = "BTC/USDT"
# 12 levels a side: more than depth 10 sees
FIRST = {"bids": [[str(50000 - i), str(D("0.1") * (i + 1))] for i in range(12)],
         "asks": [[str(50001 + i), str(D("0.2") * (i + 1))] for i in range(12)]}
# bids: the best two removed, 49998 resized, 49980.5 added (beyond depth 10's scope, so 49990 and 49989 come in);
# asks: 50000.5 inserted at the top (50010 leaves depth 10's scope: not sent), 50012 removed (beyond depth 10)
SECOND = {"bids": [["49998", "5"]] + FIRST["bids"][3:] + [["49980.5", "7"]],
          "asks": [["50000.5", "1"]] + FIRST["asks"][:11]}


@pytest.fixture(scope="module")
def server():
    process = subprocess.Popen([sys.executable, str(SERVER), "--speed", "0", "--scripted-pair", "XBTUSDT"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise RuntimeError(f"server did not start: {process.stderr.read()}")
    yield Server(json.loads(line))
    stop_server(process)


def v2_checksum(asks, bids) -> int:
    """docs "Book checksum v2": top 10 asks low -> high then top 10 bids high -> low; price with 1 decimal and qty
    with 8 (BTC/USDT's price_precision / qty_precision), '.' removed, leading zeros stripped; CRC32."""
    def token(value: D, places: int) -> str:
        return f"{value:.{places}f}".replace(".", "").lstrip("0")
    text = "".join(token(p, 1) + token(q, 8) for p, q in asks[:10] + bids[:10])
    return zlib.crc32(text.encode()) & 0xFFFFFFFF


class ClientBook:
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
            keep = sorted(side, reverse=name == "bids")[:self.depth]      # the client truncates to its depth
            setattr(self, name, {p: side[p] for p in keep})

    def top(self, name: str) -> list[tuple[D, D]]:
        side = getattr(self, name)
        return [(p, side[p]) for p in sorted(side, reverse=name == "bids")]

    def checksum(self) -> int:
        return v2_checksum(self.top("asks"), self.top("bids"))


def levels(rows, depth: int, name: str) -> list[tuple[D, D]]:
    return sorted(((D(p), D(q)) for p, q in rows), reverse=name == "bids")[:depth]


def wire(data: dict, name: str) -> list[tuple[D, D]]:
    return [(level["price"], level["qty"]) for level in data[name]]


def script(server, spec: dict) -> dict:
    return server.control("POST", "/control/script", {"symbol": SYMBOL, **spec})


def test_the_scripted_pair_is_listed_with_an_empty_book_and_the_account_holds_usdt(server):
    pair = server.public("AssetPairs", pair="XBTUSDT")["result"]["XBTUSDT"]
    assert (pair["wsname"], pair["pair_decimals"], pair["lot_decimals"], pair["costmin"], pair["tick_size"],
            pair["ordermin"]) == ("XBT/USDT", 1, 8, "0.5", "0.1", "0.0002")
    assert server.public("Depth", pair="XBTUSDT")["result"] == {"XBTUSDT": {"asks": [], "bids": []}}
    assert "USDT" in server.public("Assets")["result"]
    assert server.private("Balance", EXAMPLE)["result"]["USDT"] == "100000"

    async def run():
        async with aiohttp.ClientSession() as http:
            ws = await WsClient.connect(http, server.public_ws)
            await ws.request("subscribe", {"channel": "instrument"})
            pairs = {p["symbol"]: p for p in (await ws.wait(channel("instrument", "snapshot")))["data"]["pairs"]}
            assert (pairs[SYMBOL]["price_precision"], pairs[SYMBOL]["qty_precision"], pairs[SYMBOL]["cost_min"],
                    pairs[SYMBOL]["price_increment"]) == (1, 8, D("0.5"), D("0.1"))
            ack = await ws.request("subscribe", {"channel": "book", "symbol": [SYMBOL], "depth": 10}, req_id=2)
            assert ack["success"] is True
            snap = (await ws.wait(channel("book", "snapshot")))["data"][0]
            assert (snap["bids"], snap["asks"], snap["checksum"]) == ([], [], zlib.crc32(b""))
    asyncio.run(run())
    with pytest.raises(subprocess.CalledProcessError):
        subprocess.run([sys.executable, str(SERVER), "--scripted-pair", "NOPEUSDT"], cwd=REPO, check=True,
                       capture_output=True, timeout=30)


def test_scripted_books_go_out_per_depth_and_a_second_script_moves_them(server):
    async def run():
        async with aiohttp.ClientSession() as http:
            clients = {}
            for depth in (10, 25):
                ws = await WsClient.connect(http, server.public_ws)
                await ws.request("subscribe", {"channel": "book", "symbol": [SYMBOL], "depth": depth})
                snap = (await ws.wait(channel("book", "snapshot")))["data"][0]
                local = ClientBook(depth)
                local.apply(snap)
                clients[depth] = (ws, local)

            state = script(server, FIRST)
            assert state["scripted"]
            assert levels(state["changes"]["bids"], 12, "bids") == levels(FIRST["bids"], 12, "bids")
            for depth, (ws, local) in clients.items():
                update = (await ws.wait(channel("book", "update")))["data"][0]
                assert update["symbol"] == SYMBOL and update["timestamp"].endswith("Z")
                assert wire(update, "bids") == levels(FIRST["bids"], depth, "bids")
                assert wire(update, "asks") == levels(FIRST["asks"], depth, "asks")
                local.apply(update)
                assert local.top("bids") == levels(FIRST["bids"], depth, "bids")
                assert local.top("asks") == levels(FIRST["asks"], depth, "asks")
                assert local.checksum() == update["checksum"] == state["checksum"]

            moved = script(server, SECOND)
            expected = {10: {"bids": [("50000", 0), ("49999", 0), ("49998", 5), ("49990", "1.1"), ("49989", "1.2")],
                             "asks": [("50000.5", 1)]},
                        25: {"bids": [("50000", 0), ("49999", 0), ("49998", 5), ("49980.5", 7)],
                             "asks": [("50000.5", 1), ("50012", 0)]}}
            for depth, (ws, local) in clients.items():
                update = (await ws.wait(channel("book", "update")))["data"][0]
                for name in ("bids", "asks"):
                    assert wire(update, name) == [(D(p), D(q)) for p, q in expected[depth][name]], (depth, name)
                local.apply(update)
                assert local.top("bids") == levels(SECOND["bids"], depth, "bids")
                assert local.top("asks") == levels(SECOND["asks"], depth, "asks")
                assert local.checksum() == update["checksum"] == moved["checksum"]
                truth = server.book(SYMBOL, depth)
                assert [[D(p), D(q)] for p, q in truth["bids"]] == [list(x) for x in local.top("bids")]

            # the same script again sends nothing; REST Depth serves the scripted book
            assert script(server, SECOND)["changes"] is None
            assert [m for m in await clients[10][0].quiet(0.2) if m.get("channel") == "book"] == []
            depth = server.public("Depth", pair="XBTUSDT", count=3)["result"]["XBTUSDT"]
            assert [row[:2] for row in depth["asks"]] == [["50000.5", "1.00000000"], ["50001.0", "0.20000000"],
                                                         ["50002.0", "0.40000000"]]
            assert [row[:2] for row in depth["bids"]][0] == ["49998.0", "5.00000000"]
    asyncio.run(run())


def test_ioc_orders_fill_against_the_scripted_levels(server):
    script(server, SECOND)
    before = {asset: D(v) for asset, v in server.private("Balance", EXAMPLE)["result"].items()}
    # buy 1.5 up to 50001: 1 @ 50000.5 and 0.2 @ 50001, the other 0.3 killed
    placed = server.private("AddOrder", EXAMPLE, pair="XBTUSDT", type="buy", ordertype="limit", price="50001",
                            volume="1.5", timeinforce="IOC")
    assert placed["error"] == [], placed
    buy = placed["result"]["txid"][0]
    order = server.private("QueryOrders", EXAMPLE, txid=buy, trades="true")["result"][buy]
    cost = D("50000.5") + D("50001") * D("0.2")
    assert (order["status"], order["reason"], order["vol_exec"]) == ("canceled", "Order killed", "1.20000000")
    assert D(order["cost"]) == cost and D(order["fee"]) == cost * D("0.0026")
    trades = server.private("TradesHistory", EXAMPLE)["result"]["trades"]
    assert sorted((t["price"], t["vol"]) for t in trades.values() if t["ordertxid"] == buy) == \
        [("50000.5", "1.00000000"), ("50001", "0.20000000")]
    # sell 5.2 down to 49997: 5 @ 49998 and 0.2 @ 49997
    placed = server.private("AddOrder", EXAMPLE, pair="XBTUSDT", type="sell", ordertype="limit", price="49997",
                            volume="5.2", timeinforce="IOC")
    sell = placed["result"]["txid"][0]
    sold = server.private("QueryOrders", EXAMPLE, txid=sell)["result"][sell]
    proceeds = D("49998") * 5 + D("49997") * D("0.2")
    assert (sold["status"], sold["vol_exec"], D(sold["cost"])) == ("closed", "5.20000000", proceeds)
    after = {asset: D(v) for asset, v in server.private("Balance", EXAMPLE)["result"].items()}
    assert after["XXBT"] == before["XXBT"] + D("1.2") - D("5.2")
    assert after["USDT"] == before["USDT"] - cost * D("1.0026") + proceeds * D("0.9974")
    # own orders are not in the public book: the levels stay, their liquidity is used up until scripted again
    truth = server.book(SYMBOL, 3)
    assert truth["consumed"]["asks"] == {"50000.5": "1", "50001": "0.2"}
    assert truth["asks"][0] == ["50000.5", "1"]
    again = server.private("AddOrder", EXAMPLE, pair="XBTUSDT", type="buy", ordertype="limit", price="50001",
                           volume="0.1", timeinforce="IOC")["result"]["txid"][0]
    assert server.private("QueryOrders", EXAMPLE, txid=again)["result"][again]["vol_exec"] == "0.00000000"
    reset = script(server, {**SECOND, "asks": [["50000.5", "1.5"]] + SECOND["asks"][1:]})
    assert reset["changes"]["asks"] == [["50000.5", "1.5"]] and reset["consumed"]["asks"] == {"50001": "0.2"}


def test_script_rejects_what_no_book_can_be(server):
    url = server.control_url + "/control/script"
    assert requests.post(url, json={"symbol": "XBT/USDT", "bids": []}, timeout=10).status_code == 404
    for bad in ({"bids": [["50001", "1"]], "asks": [["50001", "1"]]},             # crossed
                {"bids": [["50000.05", "1"]]},                                     # beyond pair_decimals 1
                {"bids": [["50000", "0.000000001"]]},                              # beyond lot_decimals 8
                {"bids": [["50000", "0"]]},                                        # no qty
                {"bids": [["50000", "1"], ["50000", "2"]]}):                       # one price twice
        reply = requests.post(url, json={"symbol": SYMBOL, **bad}, timeout=10)
        assert reply.status_code == 400 and "error" in reply.json(), bad
