"""The local 1inch Swap API v6.0 server: the documented fields, the book's exact amounts, the error shape, faults."""
from __future__ import annotations

import time

import pytest
import requests

from oneinch_fixtures import KEY, TAKER, USDC, USDT, WETH, fresh_oneinch, oneinch  # noqa: F401  (fixtures)
from serverkit.testing import listening_ips

ONE_ETH = 10**18
MILLI_ETH = str(10**15)


def expected_out(amount: int, reserve_in: int, reserve_out: int, fee_bps: int = 30) -> int:
    # Written from Uniswap V2's getAmountOut, not from the server's book.py.
    return amount * (10000 - fee_bps) * reserve_out // (reserve_in * 10000 + amount * (10000 - fee_bps))


def assert_error_shape(answer: requests.Response, status: int) -> dict:
    assert answer.status_code == status
    body = answer.json()
    assert set(body) == {"error", "description", "statusCode", "requestId", "meta"}
    assert body["statusCode"] == status and isinstance(body["requestId"], str) and isinstance(body["meta"], list)
    return body


def test_loopback_only(oneinch):
    assert listening_ips(oneinch.ports["rest"]) == {"127.0.0.1"}
    assert listening_ips(oneinch.ports["control"]) == {"127.0.0.1"}


def test_quote_fields_and_book_math(fresh_oneinch):
    answer = fresh_oneinch.get("quote", src=WETH, dst=USDC, amount=str(ONE_ETH), includeGas="true",
                               includeProtocols="true")
    assert answer.status_code == 200
    body = answer.json()
    assert body["dstAmount"] == str(expected_out(ONE_ETH, 1_000 * 10**18, 3_000_000 * 10**6)) == "2988020943"
    assert isinstance(body["gas"], int)
    assert body["protocols"][0][0][0]["name"] == "UNISWAP_V2"
    # Without the include flags the docs' optional fields are absent.
    plain = fresh_oneinch.get("quote", src=USDC, dst=WETH, amount="5000000000").json()
    assert set(plain) == {"dstAmount"}
    assert plain["dstAmount"] == str(expected_out(5_000_000_000, 3_000_000 * 10**6, 1_000 * 10**18))


def test_swap_transaction(fresh_oneinch):
    answer = fresh_oneinch.get("swap", src=WETH, dst=USDC, amount=str(ONE_ETH), **{"from": TAKER}, origin=TAKER,
                               slippage="1")
    assert answer.status_code == 200
    body = answer.json()
    tx = body["tx"]
    assert set(tx) == {"from", "to", "data", "value", "gas", "gasPrice"}
    assert tx["from"] == TAKER and tx["value"] == "0" and isinstance(tx["gas"], int) and tx["gasPrice"].isdigit()
    out = int(body["dstAmount"])
    # The stand-in calldata carries minReturn = dstAmount × 99 %, as its fourth word.
    words = tx["data"][10:]
    assert int(words[192:256], 16) == out * 99 // 100
    # swap needs from, origin and a slippage of 0..50
    assert_error_shape(fresh_oneinch.get("swap", src=WETH, dst=USDC, amount="1", origin=TAKER, slippage="1"), 400)
    assert_error_shape(fresh_oneinch.get("swap", src=WETH, dst=USDC, amount="1", **{"from": TAKER}, origin=TAKER,
                                         slippage="51"), 400)


def test_auth(fresh_oneinch):
    body = assert_error_shape(fresh_oneinch.get("quote", key=None, src=WETH, dst=USDC, amount="1"), 401)
    assert body["error"] == "Unauthorized"
    assert_error_shape(fresh_oneinch.get("quote", key="wrong", src=WETH, dst=USDC, amount="1"), 401)


def test_errors(fresh_oneinch):
    unknown = assert_error_shape(fresh_oneinch.get("quote", src=WETH, dst="0x" + "12" * 20, amount="1"), 400)
    assert "not found" in unknown["description"] and unknown["meta"][0]["type"] == "dst"
    chain = assert_error_shape(fresh_oneinch.get("quote", chain=999, src=WETH, dst=USDC, amount="1"), 400)
    assert "999" in chain["description"]
    # USDT is known but has no pool.
    dry = assert_error_shape(fresh_oneinch.get("quote", src=WETH, dst=USDT, amount="1"), 400)
    assert dry["description"] == "insufficient liquidity"
    assert_error_shape(fresh_oneinch.get("quote", src=WETH, dst=USDC, amount="01"), 400)


def test_rate_limit_and_faults(fresh_oneinch):
    fresh_oneinch.fault(type="rate_limit", retryAfter=7)
    limited = fresh_oneinch.get("quote", src=WETH, dst=USDC, amount=MILLI_ETH)
    assert limited.headers["Retry-After"] == "7"
    assert assert_error_shape(limited, 429)["error"] == "Too Many Requests"
    assert fresh_oneinch.get("quote", src=WETH, dst=USDC, amount=MILLI_ETH).status_code == 200

    fresh_oneinch.fault(type="http_error", status=503)
    bare = fresh_oneinch.get("quote", src=WETH, dst=USDC, amount=MILLI_ETH)
    assert bare.status_code == 503 and not bare.text.startswith("{")

    fresh_oneinch.fault(type="malformed")
    cut = fresh_oneinch.get("quote", src=WETH, dst=USDC, amount=MILLI_ETH)
    assert cut.status_code == 200
    with pytest.raises(ValueError):
        cut.json()

    fresh_oneinch.fault(type="drop")
    with pytest.raises(requests.ConnectionError):
        fresh_oneinch.get("quote", src=WETH, dst=USDC, amount=MILLI_ETH)

    fresh_oneinch.fault(type="mismatch")
    other = fresh_oneinch.get("swap", src=WETH, dst=USDC, amount=MILLI_ETH, **{"from": TAKER}, origin=TAKER,
                              slippage="1").json()
    assert other["tx"]["from"] == "0x" + "ab" * 20

    fresh_oneinch.fault(type="delay", seconds=0.5)
    start = time.monotonic()
    assert fresh_oneinch.get("quote", src=WETH, dst=USDC, amount=MILLI_ETH).status_code == 200
    assert time.monotonic() - start >= 0.5


def test_control(fresh_oneinch):
    before = fresh_oneinch.control("GET", "/control/requests")["count"]
    fresh_oneinch.get("quote", src=WETH, dst=USDC, amount=MILLI_ETH)
    after = fresh_oneinch.control("GET", "/control/requests")
    assert after["count"] == before + 1 and after["last"]["query"]["amount"] == MILLI_ETH
    assert "error" in fresh_oneinch.control("POST", "/control/fault", {"type": "nope"})
    book = fresh_oneinch.control("POST", "/control/book", {"pools": [
        {"token0": "WETH", "token1": "USDC", "reserve0": "1000", "reserve1": "2000", "feeBps": 0}]})
    assert book["pools"][0]["address0"] == WETH
    assert fresh_oneinch.get("quote", src=WETH, dst=USDC, amount="1000").json()["dstAmount"] == "1000"
