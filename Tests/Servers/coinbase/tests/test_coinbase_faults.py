"""Every fault of the control port: ack delays and losses, failure reasons, HTTP errors, 429, clocks, JWT skew."""
from __future__ import annotations

import time

import pytest
import requests

from coinbase_fixtures import fresh, server  # noqa: F401

IOC = {"sor_limit_ioc": {"base_size": "0.01", "limit_price": "56000.00"}}


def orders_with(server, client_order_id):
    return [o for o in server.control("GET", "/control/orders?account=main") if o["client_order_id"] == client_order_id]


def test_ack_faults(fresh):
    fresh.script("BTC-USDT", [], [["56000.00", "1"]])
    fresh.fault(type="delay_ack", seconds=0.5)
    started = time.monotonic()
    assert fresh.order("BTC-USDT", "BUY", IOC, "slow")["success"] is True
    assert time.monotonic() - started >= 0.5
    fresh.fault(type="lose_ack")
    with pytest.raises(requests.exceptions.ConnectionError):
        fresh.order("BTC-USDT", "BUY", IOC, "lost")
    assert orders_with(fresh, "lost")[0]["status"] == "FILLED"         # executed all the same
    again = fresh.order("BTC-USDT", "BUY", IOC, "lost")                # the documented recovery: same id
    assert again["success_response"]["order_id"] == orders_with(fresh, "lost")[0]["order_id"]


def test_error_and_http_error(fresh):
    fresh.script("BTC-USDT", [], [["56000.00", "1"]])
    fresh.fault(type="error", reason="INSUFFICIENT_FUND")
    answer = fresh.order("BTC-USDT", "BUY", IOC, "err-1")
    assert answer["success"] is False and answer["error_response"]["error"] == "INSUFFICIENT_FUND"
    assert orders_with(fresh, "err-1") == []
    fresh.fault(type="error", reason="UNKNOWN_FAILURE_REASON", execute=True)
    assert fresh.order("BTC-USDT", "BUY", IOC, "err-2")["success"] is False
    assert orders_with(fresh, "err-2")[0]["status"] == "FILLED"
    for status, execute in ((500, False), (503, True)):
        fresh.fault(type="http_error", status=status, execute=execute, endpoint="create_order")
        response = fresh.call("POST", "/orders", body={"client_order_id": f"http-{status}", "product_id": "BTC-USDT",
                                                       "side": "BUY", "order_configuration": IOC})
        assert response.status_code == status
        assert len(orders_with(fresh, f"http-{status}")) == (1 if execute else 0)


def test_rate_limits(fresh):
    fresh.fault(type="rate_limit", scope="private")
    response = fresh.call("GET", "/accounts")
    assert response.status_code == 429 and response.json()["error"] == "rate_limit_exceeded"
    codes = [fresh.call("GET", "/key_permissions").status_code for _ in range(32)]
    assert codes[:30] == [200] * 30 and 429 in codes[30:]


def test_clocks_and_jwt_skew(fresh):
    fresh.fault(type="expire_jwt_skew", seconds=121)
    assert fresh.call("GET", "/accounts").status_code == 401
    assert fresh.call("GET", "/accounts").status_code == 200
    fresh.fault(type="clock_shift", seconds=600)
    assert int(fresh.public("/time").json()["epochSeconds"]) - time.time() > 590
    assert fresh.call("GET", "/accounts").status_code == 401          # our fresh JWT is in the server's past
    fresh.fault(type="clear")
    assert fresh.call("GET", "/accounts").status_code == 200
    assert fresh.control("GET", "/control/faults")["clockShiftSeconds"] == 0
