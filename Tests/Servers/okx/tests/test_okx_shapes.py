"""What the server answers has at least the keys, and the value types, of OKX's own messages: the live capture
(cryptofeed: books, trades, tickers) and the docs' examples as nautilus_trader keeps them (http_*/ws_* fixtures in
shared/vectors/exchanges/wire/okx/nautilus). Fields of older API versions the docs dropped (uly in trade-fee) are
not required; fields newer than the 2022 capture (trades' `count`) are not added to the recording."""
from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import aiohttp

from okx_fixtures import server  # noqa: F401  (fixtures)
from okx_client import OTHER, WsClient, push

WIRE = Path(os.environ["DEXTER_SHARED"]) / "vectors" / "exchanges" / "wire" / "okx"


def first(name: str) -> dict:
    """The fixture's first entry: some fixtures are whole responses, some are one `data` entry."""
    body = json.loads((WIRE / "nautilus" / name).read_text())
    return body["data"][0] if "data" in body else body


def covers(ours: dict, theirs: dict, ignore: set = frozenset(), path: str = "$") -> None:
    """Every key of theirs is in ours, with the same JSON type (a string stays a string)."""
    missing = set(theirs) - set(ours) - set(ignore)
    assert not missing, f"{path}: missing {sorted(missing)}"
    for key in set(theirs) - set(ignore):
        if theirs[key] is None or ours[key] is None:
            continue
        assert type(ours[key]) is type(theirs[key]), f"{path}.{key}: {ours[key]!r} vs {theirs[key]!r}"


def test_rest_shapes(server):
    placed = server.order(OTHER, instId="BTC-USDT", side="buy", ordType="limit", px="20000", sz="0.001").json()
    covers(placed["data"][0], first("http_place_order_response.json"))
    assert {"inTime", "outTime"} <= set(placed)
    pending = server.signed("GET", "/api/v5/trade/orders-pending", OTHER).json()["data"][0]
    covers(pending, first("http_get_orders_pending.json"))
    server.order(OTHER, instId="BTC-USDT", side="buy", ordType="ioc", px="30300", sz="0.001")
    fill = server.signed("GET", "/api/v5/trade/fills", OTHER).json()["data"][0]
    covers(fill, first("http_transaction_detail.json"))
    balance = server.signed("GET", "/api/v5/account/balance", OTHER).json()["data"][0]
    covers(balance, first("http_get_account_balance.json"))
    covers(balance["details"][0], first("http_get_account_balance.json")["details"][0])
    fee = server.signed("GET", "/api/v5/account/trade-fee", OTHER, params={"instType": "SPOT"}).json()["data"][0]
    covers(fee, first("http_get_trade_fee_response.json"), ignore={"uly"})
    book = server.public("/api/v5/market/books", instId="BTC-USDT", sz=5).json()["data"][0]
    covers(book, first("http_get_order_book.json"))


def test_websocket_shapes_match_the_capture(server):
    recorded = {}
    for line in (WIRE / "cryptofeed" / "OKX.ws.1.0").read_text().splitlines():
        if " <- " in line or " <-> " in line:
            continue
        frame = json.loads(line.partition(": ")[2])
        if frame.get("arg", {}).get("instId") == "BTC-USDT" and "data" in frame:
            recorded.setdefault((frame["arg"]["channel"], frame.get("action")), frame)

    async def run():
        async with aiohttp.ClientSession() as http:
            ws = await WsClient.connect(http, server.public_ws)
            await ws.subscribe({"channel": "books", "instId": "BTC-USDT"})
            snapshot = await ws.wait(push("books"))
            server.advance(updates=1, instId="BTC-USDT")
            update = await ws.wait(push("books"))
            return snapshot, update
    snapshot, update = asyncio.run(run())
    for ours, key in ((snapshot, ("books", "snapshot")), (update, ("books", "update"))):
        assert set(ours) == set(recorded[key])
        covers(ours["data"][0], recorded[key]["data"][0])
        assert set(ours["data"][0]) == set(recorded[key]["data"][0]) | {"seqId", "prevSeqId"}
    covers(update["data"][0], first("ws_books_update.json"))
