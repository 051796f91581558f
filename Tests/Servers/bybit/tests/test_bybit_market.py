"""Market data against the documented protocol and the real capture: instruments, the REST book, orderbook topics
(snapshot then deltas with u + 1 each, seq = the cross sequence), level 1, the u = 1 restart rule, scripted books,
tickers and funding history."""
from __future__ import annotations

from decimal import Decimal

import aiohttp
import pytest

from bybit_client import legacy_book_messages, legacy_changes, ok
from bybit_fixtures import SHARED, fresh, server  # noqa: F401  (fixtures)
from serverkit.testing import Ws, sync

D = Decimal
CAPTURED = ("BCHUSDT", "XTZUSDT", "UNIUSDT", "LTCUSDT", "DOTUSDT", "LINKUSDT", "ADAUSDT")
STEPS = {"BCHUSDT": D("0.01"), "XTZUSDT": D("0.1"), "UNIUSDT": D("0.1"), "LTCUSDT": D("0.1"), "DOTUSDT": D("0.1"),
         "LINKUSDT": D("0.1"), "ADAUSDT": D("1"), "ETHUSDT": D("0.01")}


@pytest.fixture(autouse=True)
def no_timed_repeats(server):
    """Level 1 repeats its snapshot after 3 s of wall time: off here, so what a test drains is what it caused."""
    server.control("POST", "/control/options", {"level1RepeatSeconds": 600})


def levels(rows) -> dict:
    return {D(p): D(q) for p, q in rows}


class LocalBook:
    """A client following the docs: a snapshot resets the book (u = 1 included); each delta must carry the previous
    u + 1 (an older or equal u is a duplicate and is dropped; a jump is a gap: resubscribe for a new snapshot);
    a quantity of 0 removes the level."""

    def __init__(self) -> None:
        self.bids: dict | None = None
        self.asks: dict = {}
        self.u: int | None = None
        self.gaps = self.dropped = self.snapshots = 0

    def on(self, message: dict) -> None:
        data = message["data"]
        if message["type"] == "snapshot":
            self.bids, self.asks, self.u = levels(data["b"]), levels(data["a"]), data["u"]
            self.snapshots += 1
            return
        if self.bids is None:
            return
        if data["u"] <= self.u:
            self.dropped += 1
            return
        if data["u"] != self.u + 1:
            self.gaps += 1
            self.bids = None
            return
        for key, side in (("b", self.bids), ("a", self.asks)):
            for price, qty in data[key]:
                if D(qty) == 0:
                    side.pop(D(price), None)
                else:
                    side[D(price)] = D(qty)
        self.u = data["u"]


def truth(server, symbol: str, depth: int) -> tuple[dict, dict]:
    book = server.book(symbol, depth)
    return levels(book["bids"]), levels(book["asks"])


def test_instruments_fixture_and_capture_grids(fresh):
    listed = ok(fresh.public("/v5/market/instruments-info", category="linear"))
    infos = {i["symbol"]: i for i in listed["list"]}
    assert set(infos) == set(CAPTURED) | {"BTCUSDT", "ETHUSDT"} and listed["category"] == "linear"
    btc = infos["BTCUSDT"]
    assert (btc["priceFilter"]["tickSize"], btc["lotSizeFilter"]["qtyStep"], btc["lotSizeFilter"]["minNotionalValue"],
            btc["contractType"], btc["settleCoin"], btc["fundingInterval"], btc["deliveryTime"]) == \
        ("0.5", "0.001", "5", "LinearPerpetual", "USDT", 480, "0")
    for symbol, step in STEPS.items():
        assert D(infos[symbol]["lotSizeFilter"]["qtyStep"]) == step, symbol
    assert (infos["BCHUSDT"]["priceFilter"]["tickSize"], infos["DOTUSDT"]["priceFilter"]["tickSize"],
            infos["ADAUSDT"]["priceFilter"]["tickSize"], infos["ADAUSDT"]["priceScale"]) == ("0.05", "0.005", "0.0001",
                                                                                         "4")
    one = ok(fresh.public("/v5/market/instruments-info", category="linear", symbol="ADAUSDT"))
    assert [i["symbol"] for i in one["list"]] == ["ADAUSDT"]
    assert fresh.public("/v5/market/instruments-info", category="spot").json()["retCode"] == 10001
    unknown = fresh.public("/v5/market/instruments-info", category="linear", symbol="NOPEUSDT").json()
    assert (unknown["retCode"], unknown["retMsg"], unknown["result"]) == (10001, "params error: symbol invalid", {})


def test_rest_book_at_start_is_the_captured_snapshot(fresh):
    snapshots = {m["topic"].split(".")[1]: m for m in legacy_book_messages(SHARED) if m["type"] == "snapshot"}
    for symbol in CAPTURED:
        book = ok(fresh.public("/v5/market/orderbook", category="linear", symbol=symbol, limit=500))
        captured = legacy_changes(snapshots[symbol], STEPS[symbol])
        assert levels(book["b"]) == captured["b"] and levels(book["a"]) == captured["a"], symbol
        assert book["seq"] == int(snapshots[symbol]["cross_seq"]) and book["s"] == symbol
        assert [D(p) for p, _ in book["b"]] == sorted(captured["b"], reverse=True)
        assert [D(p) for p, _ in book["a"]] == sorted(captured["a"])
    default = ok(fresh.public("/v5/market/orderbook", category="linear", symbol="BCHUSDT"))
    assert len(default["b"]) == 25 and set(default) == {"s", "b", "a", "ts", "u", "seq", "cts"}
    assert fresh.public("/v5/market/orderbook", category="linear", symbol="BCHUSDT", limit=501).json()["retCode"] \
        == 10001


def captured_states(symbol: str) -> list[tuple[dict, dict, int]]:
    """The legacy capture read independently: the book (bids, asks) and cross_seq after the snapshot and after each
    delta that changes the book (a delta that changes nothing is not served)."""
    step = STEPS[symbol]
    own = [m for m in legacy_book_messages(SHARED) if m["topic"] == f"orderBookL2_25.{symbol}"]
    book = legacy_changes(own[0], step)
    states = [(dict(book["b"]), dict(book["a"]), int(own[0]["cross_seq"]))]
    for message in own[1:]:
        for key, changes in legacy_changes(message, step).items():
            for price, qty in changes.items():
                if qty:
                    book[key][price] = qty
                else:
                    book[key].pop(price, None)
        if (book["b"], book["a"]) != states[-1][:2]:
            states.append((dict(book["b"]), dict(book["a"]), int(message["cross_seq"])))
    return states


@sync
async def test_every_depth_rebuilds_the_served_book_over_the_whole_capture(fresh):
    """Plays the capture to its end. A documented-rule client rebuilds every topic to the server's book; the
    500-level topic (deeper than the capture's 25 levels) passes through exactly the captured books, message by
    message, each with the recorded cross_seq as seq."""
    topics = [f"orderbook.{d}.{s}" for s in CAPTURED for d in (1, 50, 200, 500)]
    clients = {t: LocalBook() for t in topics}
    served: dict[str, list[dict]] = {t: [] for t in topics}
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, fresh.public_ws)
        await ws.send({"op": "subscribe", "req_id": "books", "args": topics})
        ack = await ws.wait(lambda m: m.get("op") == "subscribe")
        assert ack == {"success": True, "ret_msg": "subscribe", "conn_id": ack["conn_id"], "req_id": "books",
                       "op": "subscribe"}
        fresh.advance(events=100_000)
        assert fresh.control("GET", "/control/replay")["finished"]
        for message in await ws.drain(1.0):
            clients[message["topic"]].on(message)
            served[message["topic"]].append(message)
        await ws.close()
    for topic, client in clients.items():
        depth, symbol = int(topic.split(".")[1]), topic.split(".")[2]
        bids, asks = truth(fresh, symbol, depth)
        assert (client.bids, client.asks) == (bids, asks), topic
        assert client.gaps == client.dropped == 0 and client.snapshots >= 1
        messages = served[topic]
        assert messages[0]["type"] == "snapshot"
        assert all(b["data"]["u"] == a["data"]["u"] + 1 for a, b in zip(messages, messages[1:])), topic
        assert client.u == fresh.book(symbol)["u"][str(depth)]
        kinds = {m["type"] for m in messages[1:]}
        assert kinds <= ({"snapshot"} if depth == 1 else {"delta"}), topic
        if depth == 1:
            assert all(len(m["data"]["b"]) <= 1 and len(m["data"]["a"]) <= 1 for m in messages)
        if depth == 500:
            replay, states = LocalBook(), []
            for message in messages:
                replay.on(message)
                states.append((dict(replay.bids), dict(replay.asks), message["data"]["seq"]))
            assert states == captured_states(symbol), symbol


@sync
async def test_subscribe_acks_errors_ping_and_unsubscribe(fresh):
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, fresh.public_ws)
        await ws.send({"op": "subscribe", "req_id": "bad", "args": ["orderbook.40.BTCUSDT", "orderbook.1.NOPEUSDT",
                                                                      "orderbook.1.BTCUSDT"]})
        bad = await ws.wait(lambda m: m.get("op") == "subscribe")
        assert (bad["success"], bad["ret_msg"], bad["req_id"]) == \
            (False, "error:handler not found,topic:orderbook.40.BTCUSDT", "bad")
        first = await ws.wait(lambda m: m.get("topic") == "orderbook.1.BTCUSDT")   # the valid one is subscribed
        assert first["type"] == "snapshot"
        await ws.send({"op": "subscribe", "args": ["orderbook.1.BTCUSDT"]})
        again = await ws.wait(lambda m: m.get("op") == "subscribe")
        assert (again["success"], again["ret_msg"]) == (False, "error:already subscribed,topic:orderbook.1.BTCUSDT")
        await ws.send({"op": "subscribe", "args": ["tickers.NOPEUSDT"]})
        assert (await ws.wait(lambda m: m.get("op") == "subscribe"))["ret_msg"] == "Invalid symbol :[tickers.NOPEUSDT]"
        await ws.send({"op": "ping", "req_id": "p1"})
        pong = await ws.wait(lambda m: m.get("op") == "ping")
        assert pong == {"success": True, "ret_msg": "pong", "conn_id": first and pong["conn_id"], "req_id": "p1",
                        "op": "ping"}
        await ws.send({"op": "unsubscribe", "args": ["orderbook.1.BTCUSDT"], "req_id": "u"})
        assert (await ws.wait(lambda m: m.get("op") == "unsubscribe"))["success"] is True
        fresh.script("BTCUSDT", [["30000", "1"]], [["30010", "1"]])
        assert not [m for m in await ws.drain(0.2) if m.get("topic")]
        await ws.send({"op": "nope"})
        assert (await ws.wait(lambda m: m.get("op") == "nope"))["success"] is False
        await ws.close()


@sync
async def test_scripted_book_topics_rest_u_and_level_one(fresh):
    fresh.script("BTCUSDT", [], [])
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, fresh.public_ws)
        await ws.send({"op": "subscribe", "args": ["orderbook.1.BTCUSDT", "orderbook.50.BTCUSDT"]})
        snapshot = await ws.wait(lambda m: m.get("topic") == "orderbook.50.BTCUSDT")
        empty = await ws.wait(lambda m: m.get("topic") == "orderbook.1.BTCUSDT")
        assert (empty["type"], empty["data"]["b"], empty["data"]["a"]) == ("snapshot", [], [])
        answer = fresh.script("BTCUSDT", [["30000.00", "1.000"], ["29999.50", "2.000"]],
                              [["30001.00", "0.500"], ["30002.00", "3.000"]])
        delta = await ws.wait(lambda m: m.get("topic") == "orderbook.50.BTCUSDT" and m["type"] == "delta")
        assert delta["data"]["u"] == snapshot["data"]["u"] + 1 and delta["data"]["seq"] == answer["seq"]
        assert delta["data"]["b"] == [["30000.00", "1.000"], ["29999.50", "2.000"]]
        assert delta["data"]["a"] == [["30001.00", "0.500"], ["30002.00", "3.000"]]
        assert set(delta) == {"topic", "type", "ts", "data", "cts"} and set(delta["data"]) == {"s", "b", "a", "u",
                                                                                              "seq"}
        top = await ws.wait(lambda m: m.get("topic") == "orderbook.1.BTCUSDT" and m["data"]["b"])
        assert top["type"] == "snapshot" and top["data"]["b"] == [["30000.00", "1.000"]]
        # a change below the best level: depth 1 sends nothing, depth 50 a delta with a removed level as "0"
        second = fresh.script("BTCUSDT", [["30000.00", "1.000"]], [["30001.00", "0.500"], ["30002.00", "3.000"]])
        removed = await ws.wait(lambda m: m.get("topic") == "orderbook.50.BTCUSDT" and m["type"] == "delta")
        assert removed["data"]["b"] == [["29999.50", "0"]] and removed["data"]["a"] == []
        assert removed["data"]["seq"] == second["seq"] == answer["seq"] + 1
        rest = ok(fresh.public("/v5/market/orderbook", category="linear", symbol="BTCUSDT"))
        assert rest["u"] == fresh.book("BTCUSDT")["u"]["500"] and rest["seq"] == second["seq"]
        assert not [m for m in await ws.drain(0.2) if m.get("topic") == "orderbook.1.BTCUSDT"]
        await ws.close()
    assert fresh.script("BTCUSDT", [["30000.00", "1.000"]], [["30001.00", "0.500"], ["30002.00", "3.000"]])[
        "changed"] == 0
    bad = fresh.http.post(fresh.control_url + "/control/script",
                          json={"symbol": "BTCUSDT", "bids": [["30000.25", "1"]], "asks": []})
    assert bad.status_code == 400
    crossed = fresh.http.post(fresh.control_url + "/control/script",
                              json={"symbol": "BTCUSDT", "bids": [["30010", "1"]], "asks": [["30000", "1"]]})
    assert crossed.status_code == 400
    assert fresh.http.post(fresh.control_url + "/control/script",
                           json={"symbol": "BCHUSDT", "bids": [], "asks": []}).status_code == 400


@sync
async def test_level_one_repeats_its_snapshot_with_the_same_u(fresh):
    fresh.control("POST", "/control/options", {"level1RepeatSeconds": 0.5})
    try:
        fresh.script("ETHUSDT", [["2000.00", "1.00"]], [["2000.50", "1.00"]])
        async with aiohttp.ClientSession() as http:
            ws = await Ws.connect(http, fresh.public_ws)
            await ws.send({"op": "subscribe", "args": ["orderbook.1.ETHUSDT"]})
            first = await ws.wait(lambda m: m.get("topic") == "orderbook.1.ETHUSDT")
            again = await ws.wait(lambda m: m.get("topic") == "orderbook.1.ETHUSDT", timeout=3)
            assert again["type"] == "snapshot" and again["data"]["u"] == first["data"]["u"]
            assert again["data"]["b"] == first["data"]["b"]
            await ws.close()
    finally:
        fresh.control("POST", "/control/options", {"level1RepeatSeconds": 600})


@sync
async def test_tickers_snapshot_then_deltas_and_funding_state(fresh):
    fresh.script("ETHUSDT", [], [])
    fresh.script("ETHUSDT", [["2000.00", "10.00"]], [["2001.00", "10.00"]])
    row = ok(fresh.public("/v5/market/tickers", category="linear", symbol="ETHUSDT"))["list"][0]
    assert (row["markPrice"], row["bid1Price"], row["ask1Price"], row["fundingRate"]) == ("2000.50", "2000.00",
                                                                                        "2001.00", "0.0001")
    assert int(row["nextFundingTime"]) % 28_800_000 == 0 and row["fundingIntervalHour"] == "8"
    async with aiohttp.ClientSession() as http:
        ws = await Ws.connect(http, fresh.public_ws)
        await ws.send({"op": "subscribe", "args": ["tickers.ETHUSDT"]})
        snapshot = await ws.wait(lambda m: m.get("topic") == "tickers.ETHUSDT")
        assert snapshot["type"] == "snapshot" and {"cs", "ts"} <= set(snapshot)
        assert set(snapshot["data"]) >= {"symbol", "lastPrice", "markPrice", "indexPrice", "fundingRate",
                                         "nextFundingTime", "bid1Price", "bid1Size", "ask1Price", "ask1Size",
                                         "openInterest", "volume24h", "turnover24h"}
        fresh.control("POST", "/control/funding", {"symbol": "ETHUSDT", "rate": "-0.00025", "markPrice": "2000.75",
                                                   "indexPrice": "2000.60", "nextFundingTime": 1_900_000_000_000})
        delta = await ws.wait(lambda m: m.get("topic") == "tickers.ETHUSDT" and m["type"] == "delta")
        wanted = {"symbol": "ETHUSDT", "fundingRate": "-0.00025", "markPrice": "2000.75", "indexPrice": "2000.60",
                  "nextFundingTime": "1900000000000"}
        assert {k: delta["data"].get(k) for k in wanted} == wanted
        # lastPrice follows the mark while nothing traded, and the 24-hour figures follow lastPrice
        assert set(delta["data"]) - set(wanted) <= {"lastPrice", "highPrice24h", "lowPrice24h", "tickDirection",
                                                    "price24hPcnt", "openInterestValue"}
        fresh.script("ETHUSDT", [["2000.05", "3.00"]], [["2001.00", "10.00"]])
        book = await ws.wait(lambda m: m.get("topic") == "tickers.ETHUSDT" and "bid1Price" in m["data"])
        assert (book["data"]["bid1Price"], book["data"]["bid1Size"]) == ("2000.05", "3.00")
        await ws.close()
    fresh.control("POST", "/control/funding", {"symbol": "ETHUSDT", "rate": "0.0001", "markPrice": None,
                                               "indexPrice": None})
    everything = ok(fresh.public("/v5/market/tickers", category="linear"))
    assert len(everything["list"]) == 9 and everything["category"] == "linear"


def test_server_time_and_funding_history(fresh):
    body = fresh.public("/v5/market/time").json()
    result = body["result"]
    assert body["retCode"] == 0 and int(result["timeNano"]) // 1_000_000_000 == int(result["timeSecond"])
    assert set(body) == {"retCode", "retMsg", "result", "retExtInfo", "time"}
    fresh.control("POST", "/control/funding", {"symbol": "LTCUSDT", "rate": "0.00012", "nextFundingTime":
                                               1_800_000_000_000})
    fresh.control("POST", "/control/settle_funding", {"symbol": "LTCUSDT"})
    fresh.control("POST", "/control/funding", {"symbol": "LTCUSDT", "rate": "-0.0003"})
    fresh.control("POST", "/control/settle_funding", {"symbol": "LTCUSDT"})
    history = ok(fresh.public("/v5/market/funding/history", category="linear", symbol="LTCUSDT"))
    assert history == {"category": "linear", "list": [
        {"symbol": "LTCUSDT", "fundingRate": "-0.0003", "fundingRateTimestamp": str(1_800_000_000_000 + 28_800_000)},
        {"symbol": "LTCUSDT", "fundingRate": "0.00012", "fundingRateTimestamp": "1800000000000"}]}
    limited = ok(fresh.public("/v5/market/funding/history", category="linear", symbol="LTCUSDT", limit=1))
    assert len(limited["list"]) == 1
    assert ok(fresh.public("/v5/market/tickers", category="linear", symbol="LTCUSDT"))["list"][0][
        "nextFundingTime"] == str(1_800_000_000_000 + 2 * 28_800_000)
