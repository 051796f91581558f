"""REST signing: a signature made by independent code (ccxt's, recorded in shared/vectors/exchanges/oracle_examples
with a fixed clock) is accepted byte for byte; each documented failure has its retCode."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from bybit_client import EXAMPLE, MAIN, READER, code, ok, sign
from bybit_fixtures import fresh, server  # noqa: F401  (fixtures)

ORACLE = Path(os.environ["DEXTER_SHARED"]) / "vectors" / "exchanges" / "oracle_examples"


def oracle_vectors() -> list[tuple[dict, dict]]:
    ins = json.loads((ORACLE / "sign_examples.json").read_text())
    outs = json.loads((ORACLE / "sign_examples.out.json").read_text())
    return [(a, b["result"]) for a, b in zip(ins, outs) if a.get("exchange") == "bybit"]


def now() -> int:
    return int(time.time() * 1000)


def test_the_recorded_ccxt_signature_is_accepted_byte_for_byte(fresh):
    fresh.script("BTCUSDT", [["29990.00", "1.000"]], [["30010.00", "1.000"]])
    (example, result), = oracle_vectors()
    assert result["headers"]["X-BAPI-API-KEY"] == EXAMPLE[0] and result["method"] == "POST"
    path = result["url"].replace("https://api.bybit.com", "")
    try:
        # the server's clock at the vector's timestamp, so its fixed X-BAPI-TIMESTAMP is current
        fresh.fault(type="clock_shift", ms=example["timestamp_ms"] + 100 - now())
        reply = fresh.http.post(fresh.rest + path, data=result["body"], headers=result["headers"], timeout=10)
        assert reply.status_code == 200 and reply.json()["retCode"] == 0, reply.text
        assert reply.json()["result"]["orderLinkId"] == "my-link-1"
        signature = result["headers"]["X-BAPI-SIGN"]
        tampered = dict(result["headers"], **{"X-BAPI-SIGN": ("0" if signature[0] != "0" else "1") + signature[1:]})
        bad = fresh.http.post(fresh.rest + path, data=result["body"], headers=tampered, timeout=10)
        assert (bad.status_code, bad.json()["retCode"]) == (200, 10004)
        # our own signer agrees with ccxt's recorded signature
        stamp, recv = result["headers"]["X-BAPI-TIMESTAMP"], result["headers"]["X-BAPI-RECV-WINDOW"]
        assert sign(EXAMPLE[1], stamp + EXAMPLE[0] + recv + result["body"]) == signature
    finally:
        fresh.fault(type="clear")
    placed = [o for o in fresh.orders("example") if o["orderLinkId"] == "my-link-1"]
    assert [(o["price"], o["qty"], o["side"], o["orderStatus"], o["timeInForce"]) for o in placed] == \
        [("30000.00", "0.001", "Buy", "New", "GTC")]
    ok(fresh.post("/v5/order/cancel-all", {"category": "linear", "symbol": "BTCUSDT"}, EXAMPLE))


def test_every_header_failure_has_its_code(fresh):
    path = "/v5/account/wallet-balance"
    query = "accountType=UNIFIED"
    stamp = str(now())
    headers = {"X-BAPI-API-KEY": MAIN[0], "X-BAPI-TIMESTAMP": stamp, "X-BAPI-RECV-WINDOW": "5000",
               "X-BAPI-SIGN": sign(MAIN[1], stamp + MAIN[0] + "5000" + query)}
    assert fresh.http.get(f"{fresh.rest}{path}?{query}", headers=headers).json()["retCode"] == 0
    for header, expected in (("X-BAPI-API-KEY", 10003), ("X-BAPI-SIGN", 10004), ("X-BAPI-TIMESTAMP", 10002)):
        reply = fresh.http.get(f"{fresh.rest}{path}?{query}",
                               headers={k: v for k, v in headers.items() if k != header})
        assert (reply.status_code, reply.json()["retCode"]) == (401, expected), header
    assert code(fresh.get(path, ("unknownKey", "x"), accountType="UNIFIED")) == 10003
    assert code(fresh.get(path, secret="wrong", accountType="UNIFIED")) == 10004
    assert code(fresh.get(path, recv="soon", accountType="UNIFIED")) == 10001
    stale = fresh.get(path, timestamp=now() - 6000, accountType="UNIFIED").json()
    assert stale["retCode"] == 10002 and "recv_window[5000]" in stale["retMsg"]
    assert code(fresh.get(path, timestamp=now() - 6000, recv="10000", accountType="UNIFIED")) == 0
    assert code(fresh.get(path, timestamp=now() + 1500, accountType="UNIFIED")) == 10002   # >= server time + 1000
    assert code(fresh.get(path, timestamp=now() + 500, accountType="UNIFIED")) == 0
    assert code(fresh.get(path, recv=None, accountType="UNIFIED")) == 0       # no header: not signed, 5000 ms
    # the query string as sent is the payload: a parameter outside the signature is refused
    stamp = str(now())
    unsigned = dict(headers, **{"X-BAPI-TIMESTAMP": stamp, "X-BAPI-SIGN": sign(MAIN[1], stamp + MAIN[0] + "5000")})
    assert fresh.http.get(f"{fresh.rest}{path}?{query}", headers=unsigned).json()["retCode"] == 10004
    # a POST signs its raw body: the same JSON with other spacing is another payload
    body = '{"category": "linear", "symbol": "BTCUSDT"}'
    stamp = str(now())
    spaced = {"X-BAPI-API-KEY": MAIN[0], "X-BAPI-TIMESTAMP": stamp, "X-BAPI-RECV-WINDOW": "5000",
              "X-BAPI-SIGN": sign(MAIN[1], stamp + MAIN[0] + "5000" + body.replace(" ", "")),
              "Content-Type": "application/json"}
    assert fresh.http.post(fresh.rest + "/v5/order/cancel-all", data=body, headers=spaced).json()["retCode"] == 10004
    assert code(fresh.post("/v5/order/cancel-all", body)) == 0


def test_a_read_only_key_reads_but_cannot_trade(fresh):
    assert code(fresh.get("/v5/position/list", READER, category="linear", symbol="BTCUSDT")) == 0
    refused = fresh.order(READER, symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.001", price="29000")
    assert refused.json()["retCode"] == 10005
    assert not [o for o in fresh.orders() if o["price"] == "29000.00" and o["qty"] == "0.001"]


def test_query_api_says_what_the_asking_key_may_do_and_never_its_secret(fresh):
    reader = fresh.get("/v5/user/query-api", READER).json()
    assert reader["retCode"] == 0 and reader["result"]["apiKey"] == READER[0] and reader["result"]["readOnly"] == 1
    assert reader["result"]["permissions"]["ContractTrade"] == [] and reader["result"]["secret"] == ""
    main = fresh.get("/v5/user/query-api", MAIN).json()["result"]
    assert main["readOnly"] == 0 and main["permissions"]["ContractTrade"] == ["Order", "Position"]
    assert "Withdraw" not in main["permissions"]["Wallet"] and MAIN[1] not in json.dumps(main)


def test_clock_shift_gives_10002_and_the_server_time_moves(fresh):
    fresh.fault(type="clock_shift", ms=-10_000)
    try:
        assert code(fresh.get("/v5/account/info")) == 10002
        server_time = int(fresh.public("/v5/market/time").json()["result"]["timeSecond"])
        assert server_time <= time.time() - 9
        assert code(fresh.get("/v5/account/info", timestamp=now() - 10_000)) == 0
    finally:
        fresh.fault(type="clear")
    assert code(fresh.get("/v5/account/info")) == 0
    assert fresh.control("GET", "/control/faults")["clockShiftMs"] == 0
