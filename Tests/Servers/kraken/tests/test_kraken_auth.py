"""REST security (docs "Spot REST Authentication"): the docs' own API-Sign example and ccxt's signature of it are
accepted byte for byte; a wrong signature, an unknown key, an old nonce, a missing permission are refused as
Kraken spells it; the nonce window; the REST call counter and the trading counter."""
from __future__ import annotations

import json

import requests

from kraken_client import EXAMPLE, MAIN, OTHER, READER, api_sign, next_nonce
from kraken_fixtures import SHARED, fresh, server  # noqa: F401  (fixtures)

VECTORS = SHARED / "vectors/exchanges"


def test_the_docs_signing_example_is_accepted_byte_for_byte(server):
    example = json.loads((VECTORS / "signing.json").read_text())["kraken"][0]
    assert api_sign(example["secretBase64"], example["uriPath"], example["nonce"], example["postData"]) == \
        example["expectedApiSign"]
    ccxt = next(e for e in json.loads((VECTORS / "oracle_examples/sign_examples.out.json").read_text())
                if e.get("exchange") == "kraken")["result"]
    assert ccxt["headers"]["API-Sign"] == example["expectedApiSign"] and ccxt["body"] == example["postData"]
    send = lambda: requests.post(server.rest + example["uriPath"], data=ccxt["body"], timeout=10,  # noqa: E731
                                 headers=ccxt["headers"]).json()
    # authenticated: the refusal is about the pair (XBTUSD is not among the capture's pairs), not the signature
    assert send() == {"error": ["EQuery:Unknown asset pair"]}
    assert send() == {"error": ["EAPI:Invalid nonce"]}          # the same nonce again


def test_refusals(fresh):
    server = fresh
    assert server.private("Balance")["error"] == []
    assert server.private("Balance", sign_with=OTHER[1]) == {"error": ["EAPI:Invalid signature"]}
    assert server.private("Balance", creds=("nobody", MAIN[1])) == {"error": ["EAPI:Invalid key"]}
    assert server.private("Balance", nonce=5) == {"error": ["EAPI:Invalid nonce"]}
    assert server.private("Balance", creds=READER)["error"] == []
    refused = server.private("AddOrder", creds=READER, pair="XBTCHF", type="buy", ordertype="limit",
                             price="1000", volume="0.001")
    assert refused == {"error": ["EGeneral:Permission denied"]}
    assert server.private("NoSuchMethod") == {"error": ["EGeneral:Unknown method"]}
    # a body altered after signing
    path, nonce = "/0/private/Balance", str(next_nonce())
    headers = {"API-Key": MAIN[0], "API-Sign": api_sign(MAIN[1], path, nonce, f"nonce={nonce}")}
    tampered = requests.post(server.rest + path, data=f"nonce={nonce}&asset=XXBT", headers=headers, timeout=10)
    assert tampered.json() == {"error": ["EAPI:Invalid signature"]}


def test_nonce_window(fresh):
    server = fresh
    server.control("POST", "/control/options", {"nonceWindow": 1000})
    try:
        high = next_nonce() + 500
        assert server.private("Balance", nonce=high)["error"] == []
        assert server.private("Balance", nonce=high - 5)["error"] == []        # inside the window, once
        assert server.private("Balance", nonce=high - 5) == {"error": ["EAPI:Invalid nonce"]}
        assert server.private("Balance", nonce=high - 5000) == {"error": ["EAPI:Invalid nonce"]}
    finally:
        server.control("POST", "/control/options", {"nonceWindow": 0})
        next_nonce.__globals__["_nonce"][0] = max(next_nonce.__globals__["_nonce"][0], high)


def test_rest_call_counter_by_tier(fresh):
    server = fresh
    server.control("POST", "/control/options", {"tier": {"other": "starter"}})
    answers = [server.private("Balance", creds=OTHER)["error"] for _ in range(17)]
    assert answers[:15] == [[]] * 15                        # starter: max 15
    assert ["EAPI:Rate limit exceeded"] in answers[15:]
    history = [server.private("TradesHistory", creds=MAIN)["error"] for _ in range(11)]
    assert history[:10] == [[]] * 10 and history[10] == ["EAPI:Rate limit exceeded"]   # +2 each, max 20


def test_trading_counter_per_pair(fresh):
    server = fresh
    low = server.book("BTC/CHF", 10)["bids"][-1][0]
    refused = None
    for index in range(40):        # add +1, cancel within 5 s +8: intermediate threshold 125
        placed = server.private("AddOrder", pair="XBTCHF", type="buy", ordertype="limit", price=low,
                                volume="0.001", oflags="post")
        if placed["error"]:
            refused = placed["error"]
            break
        cancel = server.private("CancelOrder", txid=placed["result"]["txid"][0])
        if cancel["error"]:
            refused = cancel["error"]
            break
    assert refused == ["EOrder:Rate limit exceeded"] and 10 <= index <= 16
    other_pair = server.private("AddOrder", pair="XMRUSD", type="buy", ordertype="limit", price="100",
                                volume="0.1", validate="true")
    assert other_pair["error"] == []              # the counter is per pair
    server.control("POST", "/control/limits", {"reset": True})
    server.private("CancelAll")
