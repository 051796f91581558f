"""Market streams: Binance's documented local-book procedure, run by the test against the server's diff stream,
reproduces the server's own book exactly; a skipped diff shows as U != previous u + 1; live subscribe methods;
server pings, pong timeout and connection lifetime."""
from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import aiohttp


async def drain(ws, seconds: float = 0.5) -> list[dict]:
    """Everything the socket delivers within `seconds` of quiet."""
    out = []
    while True:
        try:
            msg = await ws.receive(timeout=seconds)
        except asyncio.TimeoutError:
            return out
        if msg.type != aiohttp.WSMsgType.TEXT:
            return out
        out.append(json.loads(msg.data))


def local_book(snapshot: dict, events: list[dict]) -> tuple[dict, int]:
    """web-socket-streams.md "How to manage a local order book correctly", steps 4-7 and the update procedure."""
    last = snapshot["lastUpdateId"]
    assert events and events[0]["U"] <= last + 1, "snapshot older than the first buffered event: refetch"
    bids = {Decimal(p): Decimal(q) for p, q in snapshot["bids"]}
    asks = {Decimal(p): Decimal(q) for p, q in snapshot["asks"]}
    pending = [e for e in events if e["u"] > last]            # drop u <= lastUpdateId
    assert pending[0]["U"] <= last + 1 <= pending[0]["u"]     # the first applied event straddles it
    previous = None
    for event in pending:
        if previous is not None:
            assert event["U"] == previous + 1, "gap: resync"
        for side, levels in ((bids, event["b"]), (asks, event["a"])):
            for price, qty in levels:
                if Decimal(qty) == 0:
                    side.pop(Decimal(price), None)
                else:
                    side[Decimal(price)] = Decimal(qty)
        previous = event["u"]
    return {"bids": bids, "asks": asks}, previous


def as_levels(book: dict) -> dict:
    return {"bids": {Decimal(p): Decimal(q) for p, q in book["bids"]},
            "asks": {Decimal(p): Decimal(q) for p, q in book["asks"]}}


def test_documented_sync_reproduces_the_servers_book(server):
    async def run():
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(server.stream + "/stream?streams=ethusdt@depth@100ms/ethusdt@bookTicker")
            server.advance(diffs=5, symbol="ETHUSDT")
            buffered = await drain(ws)
            snapshot = server.public("/api/v3/depth", symbol="ETHUSDT", limit=5000).json()
            server.advance(diffs=40, symbol="ETHUSDT")
            buffered += await drain(ws)
            await ws.close()
            return buffered, snapshot
    messages, snapshot = asyncio.run(run())
    assert {m["stream"] for m in messages} == {"ethusdt@depth@100ms", "ethusdt@bookTicker"}
    diffs = [m["data"] for m in messages if m["stream"].endswith("@depth@100ms")]
    assert all(d["e"] == "depthUpdate" and d["s"] == "ETHUSDT" for d in diffs)
    book, last = local_book(snapshot, diffs)
    truth = server.book("ETHUSDT")
    assert last == truth["lastUpdateId"]
    assert book == as_levels(truth)


def test_the_stream_view_is_the_book_with_the_newer_ticker_on_top(fresh):
    server = fresh
    async def run():
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(server.stream + "/stream?streams=ethusdt@depth@100ms/ethusdt@bookTicker")
            server.advance(tickers=3, symbol="ETHUSDT")
            messages = await drain(ws)
            await ws.close()
            return messages
    messages = asyncio.run(run())
    ticker = [m["data"] for m in messages if m["stream"] == "ethusdt@bookTicker"][-1]
    book = server.book("ETHUSDT")
    view = server.control("GET", "/control/book?symbol=ETHUSDT&limit=1000000&view=stream")
    assert ticker["u"] > book["lastUpdateId"], "the last event stepped was a ticker ahead of the diffs"
    assert view["bookTickerUpdateId"] == ticker["u"]
    assert view["bids"][0] == [ticker["b"], ticker["B"]] and view["asks"][0] == [ticker["a"], ticker["A"]]
    # Below the ticker's best, the diff-built book as it is.
    assert view["bids"][1:] == [level for level in book["bids"] if Decimal(level[0]) < Decimal(ticker["b"])]
    assert view["asks"][1:] == [level for level in book["asks"] if Decimal(level[0]) > Decimal(ticker["a"])]
    # After every diff, the ticker shows only while it is ahead of the book; otherwise the view is the book.
    for _ in range(20):
        server.advance(diffs=1, symbol="ETHUSDT")
        again = server.control("GET", "/control/book?symbol=ETHUSDT&limit=1000000&view=stream")
        plain = server.book("ETHUSDT")
        if "bookTickerUpdateId" in again:
            assert again["bookTickerUpdateId"] > plain["lastUpdateId"]
        else:
            assert again == plain


def test_a_skipped_diff_is_a_visible_gap(fresh):
    server = fresh

    async def run():
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(server.stream + "/ws/btcusdt@depth@100ms")
            server.advance(diffs=2, symbol="BTCUSDT")
            server.control("POST", "/control/fault", {"type": "skip_diffs", "count": 2, "symbol": "BTCUSDT"})
            server.advance(diffs=6, symbol="BTCUSDT")
            got = await drain(ws)
            await ws.close()
            return got
    diffs = asyncio.run(run())
    assert len(diffs) == 6                                  # raw stream: payloads without the envelope
    gaps = [(a["u"], b["U"]) for a, b in zip(diffs, diffs[1:]) if b["U"] != a["u"] + 1]
    assert len(gaps) == 1 and gaps[0][1] > gaps[0][0] + 1   # the 3rd event does not follow the 2nd


def test_live_subscribe_unsubscribe_list(server):
    async def run():
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(server.stream + "/ws")
            await ws.send_json({"method": "SUBSCRIBE", "params": ["btcusdt@depth@100ms", "btcusdt@bookTicker"],
                                "id": 1})
            assert await ws.receive_json(timeout=5) == {"result": None, "id": 1}
            await ws.send_json({"method": "LIST_SUBSCRIPTIONS", "id": 3})
            assert await ws.receive_json(timeout=5) == {"result": ["btcusdt@depth@100ms", "btcusdt@bookTicker"],
                                                        "id": 3}
            await ws.send_json({"method": "UNSUBSCRIBE", "params": ["btcusdt@bookTicker"], "id": 312})
            assert await ws.receive_json(timeout=5) == {"result": None, "id": 312}
            await asyncio.sleep(0.3)          # stay under Binance's 5 incoming messages per second
            server.advance(diffs=2, symbol="BTCUSDT")
            got = await drain(ws)
            assert got and all(m.get("e") == "depthUpdate" for m in got)
            await ws.send_json({"method": "SET_PROPERTY", "params": ["combined", True], "id": 5})
            assert await ws.receive_json(timeout=5) == {"result": None, "id": 5}
            await ws.send_json({"method": "GET_PROPERTY", "params": ["combined"], "id": 2})
            assert await ws.receive_json(timeout=5) == {"result": True, "id": 2}
            await asyncio.sleep(1.0)
            await ws.send_json({"method": "SUBSCRIBE", "params": [], "id": "bad id"})
            assert (await ws.receive_json(timeout=5))["code"] == 2
            await ws.send_json({"method": "FLY", "params": [], "id": 7})
            assert (await ws.receive_json(timeout=5))["code"] == 2
            await ws.close()
    asyncio.run(run())


def test_server_pings_and_drops_a_silent_client_and_closes_at_lifetime(server):
    server.control("POST", "/control/options", {"pingIntervalSeconds": 0.3, "pongTimeoutSeconds": 1.0})

    async def run():
        async with aiohttp.ClientSession() as http:
            silent = await http.ws_connect(server.stream + "/ws/ethusdt@bookTicker", autoping=False)
            polite = await http.ws_connect(server.stream + "/ws/ethusdt@bookTicker", autoping=True)
            first = await silent.receive(timeout=5)
            assert first.type == aiohttp.WSMsgType.PING and first.data       # a ping with a payload
            deadline = asyncio.get_running_loop().time() + 5
            closed = False
            while asyncio.get_running_loop().time() < deadline:
                msg = await silent.receive(timeout=5)
                if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                    closed = True
                    break
            assert closed, "no pong: the server must drop the connection"
            assert not polite.closed                                         # it answered every ping
            await polite.close()
            server.control("POST", "/control/options", {"wsLifetimeSeconds": 1.0, "pingIntervalSeconds": 20})
            short = await http.ws_connect(server.stream + "/ws/ethusdt@bookTicker")
            msg = await short.receive(timeout=5)
            assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    try:
        asyncio.run(run())
    finally:
        server.control("POST", "/control/options", {"pingIntervalSeconds": 20, "pongTimeoutSeconds": 60,
                                                    "wsLifetimeSeconds": 86400})
