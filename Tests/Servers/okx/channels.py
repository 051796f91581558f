"""The WebSocket channels' messages (docs-v5 "WS / Order book channel", "WS / Trades channel", "WS / Tickers
channel", "WS / Order channel", "Account channel"): what a subscription sends, built from the replay and the engine.

books: on subscribe the current book (400 levels a side) as `action: snapshot` with prevSeqId -1, then every
recorded update as `action: update` with its recorded levels and checksum and the server's seqId/prevSeqId.
bbo-tbt: the top level on subscribe and whenever it changes; seqId of the book, no checksum, no prevSeqId.
trades and tickers: the recorded frames. `ts` is the server's send time unless --keep-recorded-times.
"""
from __future__ import annotations

from capture import Event
from state import State

PUBLIC_CHANNELS = ("books", "bbo-tbt", "trades", "tickers")
PRIVATE_CHANNELS = ("orders", "account")
INST_TYPES = ("SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION", "EVENTS", "ANY")
SNAPSHOT_DEPTH = 400


def _ts(state: State, recorded) -> str:
    return str(recorded) if state.options.keep_recorded_times and recorded else str(state.clock.ms())


def books_snapshot(state: State, inst_id: str) -> dict:
    book = state.replay.books[inst_id]
    return {"arg": {"channel": "books", "instId": inst_id}, "action": "snapshot",
            "data": [{"asks": book.asks.top(SNAPSHOT_DEPTH), "bids": book.bids.top(SNAPSHOT_DEPTH),
                      "ts": _ts(state, book.ts), "checksum": book.checksum(), "prevSeqId": -1,
                      "seqId": book.seq_id}]}


def books_update(state: State, event: Event, corrupt: bool) -> dict:
    checksum = event.data.get("checksum", state.replay.books[event.inst_id].checksum())
    if corrupt:
        checksum = checksum + 1 if checksum < 0x7FFFFFFF else -0x80000000
    return {"arg": {"channel": "books", "instId": event.inst_id}, "action": "update",
            "data": [{"asks": event.data.get("asks", []), "bids": event.data.get("bids", []),
                      "ts": _ts(state, event.data.get("ts")), "checksum": checksum,
                      "prevSeqId": event.out_prev_seq_id, "seqId": event.out_seq_id}]}


def books_heartbeat(state: State, inst_id: str) -> dict:
    """~60 s without changes: an update with no levels, seqId == prevSeqId (docs: the connection is alive)."""
    book = state.replay.books[inst_id]
    return {"arg": {"channel": "books", "instId": inst_id}, "action": "update",
            "data": [{"asks": [], "bids": [], "ts": str(state.clock.ms()), "checksum": book.checksum(),
                      "prevSeqId": book.seq_id, "seqId": book.seq_id}]}


def bbo(state: State, inst_id: str) -> tuple[tuple, dict]:
    """(the top as a comparable key, the bbo-tbt message)."""
    book = state.replay.books[inst_id]
    bid, ask = book.best()
    message = {"arg": {"channel": "bbo-tbt", "instId": inst_id},
               "data": [{"asks": [ask] if ask else [], "bids": [bid] if bid else [], "ts": _ts(state, book.ts),
                         "seqId": book.seq_id}]}
    return (tuple(bid or ()), tuple(ask or ())), message


def recorded(state: State, event: Event) -> dict:
    data = dict(event.data)
    if "ts" in data:
        data["ts"] = _ts(state, data["ts"])
    return {"arg": {"channel": event.channel, "instId": event.inst_id}, "data": [data]}


def order_push(sub: dict, uid: str, body: dict) -> dict:
    arg = {"channel": "orders", "instType": sub["instType"], "uid": uid}
    if sub.get("instId"):
        arg["instId"] = sub["instId"]
    return {"arg": arg, "data": [body]}


def account_push(uid: str, summary: dict, snapshot: bool) -> dict:
    message = {"arg": {"channel": "account", "uid": uid}, "eventType": "snapshot" if snapshot else "event_update"}
    if snapshot:
        message.update({"curPage": 1, "lastPage": True})
    message["data"] = [summary]
    return message


def order_matches(sub: dict, body: dict) -> bool:
    return sub["instType"] in ("ANY", "SPOT") and sub.get("instId") in (None, "", body["instId"])
