"""ES256 JWT authentication: a JWT built per the docs, one built by ccxt 4.5.90 offline, and every way to fail."""
from __future__ import annotations

import time

import ccxt

from coinbase_client import MAIN, OTHER, PREFIX, READER, make_jwt
from coinbase_fixtures import fresh, server  # noqa: F401

ACCOUNTS = "/accounts"


def test_documented_jwt_is_accepted_for_both_hosts(fresh):
    assert fresh.call("GET", ACCOUNTS).status_code == 200                                  # 127.0.0.1:PORT
    assert fresh.call("GET", ACCOUNTS, host="api.coinbase.com").status_code == 200        # the production host


def test_ccxt_offline_jwt_is_accepted(fresh):
    exchange = ccxt.coinbase({"apiKey": MAIN.name, "secret": MAIN.pem})
    token = exchange.create_auth_token(int(time.time()), "GET", "https://api.coinbase.com" + PREFIX + ACCOUNTS)
    response = fresh.call("GET", ACCOUNTS, token=token)
    assert response.status_code == 200, response.text
    assert {row["currency"] for row in response.json()["accounts"]} >= {"USD", "BTC"}
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    refused = fresh.call("GET", ACCOUNTS, token=tampered)
    assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"


def test_refusals(fresh):
    uri = f"GET {fresh.host}{PREFIX}{ACCOUNTS}"
    now = time.time()
    cases = {
        "expired": make_jwt(MAIN.name, MAIN.private, uri, now=now - 200),
        "not yet valid (nbf)": make_jwt(MAIN.name, MAIN.private, uri, now=now + 60),
        "uri does not match the request": make_jwt(MAIN.name, MAIN.private, f"GET {fresh.host}{PREFIX}/orders"),
        "lifetime above 120 s": make_jwt(MAIN.name, MAIN.private, uri, lifetime=600),
        "bad iss": make_jwt(MAIN.name, MAIN.private, uri, iss="someone"),
        "bad signature": make_jwt(MAIN.name, OTHER.private, uri),
        "unknown key": make_jwt("organizations/x/apiKeys/nobody", MAIN.private, uri),
    }
    for reason, token in cases.items():
        response = fresh.call("GET", ACCOUNTS, token=token)
        assert response.status_code == 401, reason
        assert response.json()["error_details"] == reason
    missing = fresh.http.get(fresh.rest + PREFIX + ACCOUNTS, timeout=10)
    assert missing.status_code == 401


def test_permissions_and_key_permissions(fresh):
    assert fresh.get("/key_permissions", READER) == {"can_view": True, "can_trade": False, "can_transfer": False,
                                                     "portfolio_uuid": fresh.get("/key_permissions")["portfolio_uuid"],
                                                     "portfolio_type": "DEFAULT"}
    assert fresh.get("/key_permissions")["can_trade"] is True
    response = fresh.call("POST", "/orders", READER, {"client_order_id": "r1", "product_id": "BTC-USDT",
                                                      "side": "BUY", "order_configuration": {}})
    assert response.status_code == 403 and response.json()["error"] == "PERMISSION_DENIED"
