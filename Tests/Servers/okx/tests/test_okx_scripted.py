"""Scripted books (POST /control/script) over real sockets: the client-side book, rebuilt here from the `books`
messages alone, equals the scripted one and its checksum verifies (computed here from the docs' steps); a second
script moves it with exactly the expected deltas and seqId chain; bbo-tbt and REST follow; the replay leaves the
instrument alone; IOC orders fill against the scripted levels with exact amounts and consumed liquidity."""
from __future__ import annotations

import asyncio
import zlib
from decimal import Decimal as D

import aiohttp
import requests

from okx_client import WsClient, push
from okx_fixtures import server  # noqa: F401  (fixture)

INST = "BTC-USDT"
FIRST = {"bids": [["28000.1", "0.5"], ["27999", "1.25"]], "asks": [["28001", "0.4"], ["28002.5", "2", "3"]]}
SECOND = {"bids": [["28000.1", "0.7"], ["27998", "3"]], "asks": [["28001", "0.4"], ["28003", "1"]]}


def okx_checksum(bids: list[list[str]], asks: list[list[str]]) -> int:
    """docs-v5 "Order book channel", Checksum: best 25 bids and asks interleaved bid:ask as px:sz, ':'-joined,
    CRC32 as a signed 32-bit integer."""
    parts = []
    for index in range(25):
        if index < len(bids):
            parts += [bids[index][0], bids[index][1]]
        if index < len(asks):
            parts += [asks[index][0], asks[index][1]]
    value = zlib.crc32(":".join(parts).encode())
    return value - (1 << 32) if value >= 1 << 31 else value


class ClientBook:
    """What a client keeps: price -> level, from the snapshot and the updates (size "0" deletes)."""

    def __init__(self, snapshot: dict) -> None:
        self.bids, self.asks, self.seq = {}, {}, snapshot["seqId"]
        self.apply(snapshot)

    def apply(self, data: dict) -> None:
        for name in ("bids", "asks"):
            side = getattr(self, name)
            for level in data[name]:
                if D(level[1]) == 0:
                    side.pop(D(level[0]), None)
                else:
                    side[D(level[0])] = level

    def levels(self, name: str) -> list[list[str]]:
        side = getattr(self, name)
        return [side[p] for p in sorted(side, reverse=name == "bids")]

    def checksum(self) -> int:
        return okx_checksum(self.levels("bids")[:25], self.levels("asks")[:25])


def wire(levels: list[list[str]]) -> list[list[str]]:
    """A script's [px, sz(, numOrders)] as OKX sends levels: [px, sz, "0", numOrders]."""
    return [[row[0], row[1], "0", row[2] if len(row) > 2 else "1"] for row in levels]


def data(reply) -> list:
    body = reply.json()
    assert body["code"] == "0", body
    return body["data"]


def details(server, ord_id: str) -> dict:
    return data(server.signed("GET", "/api/v5/trade/order", params={"instId": INST, "ordId": ord_id}))[0]


def fills(server, ord_id: str) -> list[tuple[str, str]]:
    rows = data(server.signed("GET", "/api/v5/trade/fills", params={"instType": "SPOT", "instId": INST}))
    return sorted((row["fillPx"], row["fillSz"]) for row in rows if row["ordId"] == ord_id)


def ioc(server, side: str, px: str, sz: str) -> str:
    return data(server.order(instId=INST, side=side, ordType="ioc", px=px, sz=sz))[0]["ordId"]


def script(server, spec: dict) -> dict:
    return server.control("POST", "/control/script", {"symbol": INST, **spec})


def test_a_scripted_book_goes_out_as_books_updates_and_a_second_script_moves_it(server):
    async def run():
        async with aiohttp.ClientSession() as http:
            ws = await WsClient.connect(http, server.public_ws)
            await ws.subscribe({"channel": "books", "instId": INST}, {"channel": "bbo-tbt", "instId": INST})
            snap = (await ws.wait(push("books")))["data"][0]
            await ws.wait(push("bbo-tbt"))
            local = ClientBook(snap)
            replayed = (len(local.bids), len(local.asks))
            assert replayed == (400, 400) and local.checksum() == snap["checksum"]

            state = script(server, FIRST)
            assert state["bids"] == wire(FIRST["bids"]) and state["asks"] == wire(FIRST["asks"])
            assert state["scripted"] and state["update"]["prevSeqId"] == snap["seqId"]
            message = await ws.wait(push("books"))
            update = message["data"][0]
            assert message["action"] == "update" and message["arg"] == {"channel": "books", "instId": INST}
            # every replayed level removed ([px, "0", "0", "0"]), the scripted ones added
            assert len(update["bids"]) == 400 + 2 and len(update["asks"]) == 400 + 2
            assert all(level[1:] == ["0", "0", "0"] for level in update["bids"] + update["asks"]
                       if level[:1] not in (["28000.1"], ["27999"], ["28001"], ["28002.5"]))
            assert update["prevSeqId"] == local.seq and update["seqId"] == local.seq + 804
            local.apply(update)
            local.seq = update["seqId"]
            assert local.levels("bids") == wire(FIRST["bids"]) and local.levels("asks") == wire(FIRST["asks"])
            assert local.checksum() == update["checksum"] == state["checksum"]
            bbo = (await ws.wait(push("bbo-tbt")))["data"][0]
            assert bbo["bids"] == [["28000.1", "0.5", "0", "1"]] and bbo["asks"] == [["28001", "0.4", "0", "1"]]
            assert bbo["seqId"] == local.seq

            moved = script(server, SECOND)
            update = (await ws.wait(push("books")))["data"][0]
            assert update["bids"] == [["28000.1", "0.7", "0", "1"], ["27999", "0", "0", "0"], ["27998", "3", "0", "1"]]
            assert update["asks"] == [["28002.5", "0", "0", "0"], ["28003", "1", "0", "1"]]     # 28001 unchanged
            assert update["prevSeqId"] == local.seq and update["seqId"] == local.seq + 5 == moved["seqId"]
            local.apply(update)
            local.seq = update["seqId"]
            assert local.levels("bids") == wire(SECOND["bids"]) and local.levels("asks") == wire(SECOND["asks"])
            assert local.checksum() == update["checksum"] == moved["checksum"]
            bbo = (await ws.wait(push("bbo-tbt")))["data"][0]
            assert bbo["bids"] == [["28000.1", "0.7", "0", "1"]] and bbo["asks"] == [["28001", "0.4", "0", "1"]]

            # the same script again changes nothing and sends nothing; the replay no longer touches the book
            assert script(server, SECOND)["update"] is None
            assert server.advance(updates=20, instId=INST)["applied"] == 20
            assert [m for m in await ws.quiet(0.3) if isinstance(m, dict) and "data" in m] == []
            assert server.book(INST)["bids"] == wire(SECOND["bids"])

            # a late subscriber's snapshot and REST books serve the scripted book
            late = await WsClient.connect(http, server.public_ws)
            await late.subscribe({"channel": "books", "instId": INST})
            fresh = (await late.wait(push("books")))["data"][0]
            assert (fresh["bids"], fresh["asks"], fresh["seqId"]) == (wire(SECOND["bids"]), wire(SECOND["asks"]),
                                                                     local.seq)
            assert okx_checksum(fresh["bids"], fresh["asks"]) == fresh["checksum"] == local.checksum()
            rest = data(server.public("/api/v5/market/books", instId=INST, sz=5))[0]
            assert (rest["bids"], rest["asks"], rest["seqId"]) == (wire(SECOND["bids"]), wire(SECOND["asks"]),
                                                                   local.seq)
    asyncio.run(run())


def test_ioc_orders_fill_against_the_scripted_levels(server):
    script(server, SECOND)
    before = {ccy: D(v[0]) for ccy, v in server.balances("main").items()}
    # buy 2 up to 28003: 0.4 @ 28001 and 1 @ 28003, the other 0.6 canceled (IOC, cancelSource 14)
    buy = ioc(server, "buy", "28003", "2")
    order = details(server, buy)
    assert (order["state"], order["cancelSource"], order["accFillSz"]) == ("canceled", "14", "1.4")
    assert fills(server, buy) == [("28001", "0.4"), ("28003", "1")]
    assert D(order["avgPx"]) == (D("28001") * D("0.4") + D("28003")) / D("1.4")
    assert D(order["fee"]) == D("-0.0014")                    # 1.4 BTC x taker -0.001, in BTC
    # sell 1 down to 27998: 0.7 @ 28000.1 and 0.3 @ 27998
    sell = ioc(server, "sell", "27998", "1")
    assert details(server, sell)["state"] == "filled"
    assert fills(server, sell) == [("27998", "0.3"), ("28000.1", "0.7")]
    after = {ccy: D(v[0]) for ccy, v in server.balances("main").items()}
    spent = D("28001") * D("0.4") + D("28003")
    received = D("28000.1") * D("0.7") + D("27998") * D("0.3")
    assert after["BTC"] == before["BTC"] + D("1.4") - D("0.0014") - 1
    assert after["USDT"] == before["USDT"] - spent + received * (1 - D("0.001"))
    # own orders are not in the public book: the levels stay, their liquidity is used up
    truth = server.book(INST)
    assert truth["asks"] == wire(SECOND["asks"]) and truth["consumed"]["asks"] == {"28001": "0.4", "28003": "1"}
    again = ioc(server, "buy", "28003", "0.1")
    assert (details(server, again)["state"], details(server, again)["accFillSz"]) == ("canceled", "0")
    # a script that sets a level again makes its liquidity matchable again (as a replayed update does)
    state = script(server, {**SECOND, "asks": [["28001", "0.5"], ["28003", "1"]]})
    assert state["update"]["asks"] == [["28001", "0.5", "0", "1"]] and state["consumed"]["asks"] == {"28003": "1"}
    last = ioc(server, "buy", "28003", "0.1")
    assert fills(server, last) == [("28001", "0.1")]


def test_script_rejects_what_no_book_can_be(server):
    url = server.control_url + "/control/script"
    assert requests.post(url, json={"symbol": "NOPE-USDT", "bids": [], "asks": []}, timeout=10).status_code == 404
    for bad in ({"bids": [["28001", "1"]], "asks": [["28001", "1"]]},            # crossed
                {"bids": [["30000.05", "1"]], "asks": []},                         # off tickSz 0.1
                {"bids": [["30000", "0"]], "asks": []},                            # no size
                {"bids": [["30000", "1"], ["30000", "2"]], "asks": []}):           # one price twice
        reply = requests.post(url, json={"symbol": INST, **bad}, timeout=10)
        assert reply.status_code == 400 and "error" in reply.json(), bad
    empty = script(server, {"symbol": "ETH-USDT", "bids": [["2000.01", "1.5"]], "asks": [["2000.02", "3"]]})
    assert empty["instId"] == "ETH-USDT" and empty["update"]["bids"] == [["2000.01", "1.5", "0", "1"]]
