"""The local 0x Swap API v2 server: the documented fields, the book's exact amounts, the error shape, faults."""
from __future__ import annotations

import time

import pytest
import requests

from serverkit.testing import listening_ips
from zeroex_fixtures import TAKER, USDC, USDT, WETH, fresh_zeroex, zeroex  # noqa: F401  (fixtures)

ONE_ETH = 10**18
MILLI_ETH = str(10**15)
# The fields the docs list for a price answer with liquidity (getPrice, allowance-holder and permit2).
PRICE_FIELDS = {"allowanceTarget", "blockNumber", "buyAmount", "buyToken", "fees", "gas", "gasPrice", "issues",
                "liquidityAvailable", "minBuyAmount", "route", "sellAmount", "sellToken", "tokenMetadata",
                "totalNetworkFee", "zid"}


def expected_out(amount: int, reserve_in: int, reserve_out: int, fee_bps: int = 30) -> int:
    # Written from Uniswap V2's getAmountOut, not from the server's book.py.
    return amount * (10000 - fee_bps) * reserve_out // (reserve_in * 10000 + amount * (10000 - fee_bps))


def assert_error_shape(answer: requests.Response, status: int, name: str) -> dict:
    assert answer.status_code == status
    body = answer.json()
    assert set(body) == {"name", "message", "data"} and body["name"] == name
    assert isinstance(body["message"], str) and isinstance(body["data"]["zid"], str)
    return body


def test_loopback_only(zeroex):
    assert listening_ips(zeroex.ports["rest"]) == {"127.0.0.1"}
    assert listening_ips(zeroex.ports["control"]) == {"127.0.0.1"}


@pytest.mark.parametrize("flow", ["allowance-holder", "permit2"])
def test_price_fields_and_book_math(fresh_zeroex, flow):
    body = fresh_zeroex.get(f"{flow}/price", sellToken=WETH, buyToken=USDC, sellAmount=str(ONE_ETH),
                            slippageBps="50").json()
    assert set(body) == PRICE_FIELDS
    out = expected_out(ONE_ETH, 1_000 * 10**18, 3_000_000 * 10**6)
    assert body["buyAmount"] == str(out) and body["minBuyAmount"] == str(out * 9950 // 10000)
    assert body["sellAmount"] == str(ONE_ETH) and body["sellToken"] == WETH and body["buyToken"] == USDC
    assert body["liquidityAvailable"] is True and body["route"]["fills"][0]["source"] == "Uniswap_V2"
    assert set(body["issues"]) == {"allowance", "balance", "simulationIncomplete", "invalidSourcesPassed"}
    assert int(body["totalNetworkFee"]) == int(body["gas"]) * int(body["gasPrice"])


def test_quote_transaction(fresh_zeroex):
    body = fresh_zeroex.get("allowance-holder/quote", sellToken=WETH, buyToken=USDC, sellAmount=str(ONE_ETH),
                            taker=TAKER).json()
    assert set(body["transaction"]) == {"to", "data", "gas", "gasPrice", "value"}
    assert body["transaction"]["value"] == "0" and body["transaction"]["data"].startswith("0x2213bc0b")
    assert "gas" not in body and body["minBuyAmount"] == str(int(body["buyAmount"]) * 9900 // 10000)
    permit2 = fresh_zeroex.get("permit2/quote", sellToken=WETH, buyToken=USDC, sellAmount=str(ONE_ETH),
                               taker=TAKER).json()
    assert permit2["permit2"]["type"] == "Permit2" and "eip712" in permit2["permit2"]
    # quote needs a taker
    assert_error_shape(fresh_zeroex.get("allowance-holder/quote", sellToken=WETH, buyToken=USDC, sellAmount="1"), 400,
                       "INPUT_INVALID")


def test_issues(fresh_zeroex):
    fresh_zeroex.control("POST", "/control/taker", {"address": TAKER, "balances": {"WETH": str(ONE_ETH // 2)},
                                                    "allowances": {"WETH": "3"}})
    issues = fresh_zeroex.get("allowance-holder/price", sellToken=WETH, buyToken=USDC, sellAmount=str(ONE_ETH),
                              taker=TAKER).json()["issues"]
    assert issues["allowance"] == {"actual": "3", "spender": "0x0000000000001fF3684f28c67538d4D072C22734"}
    assert issues["balance"] == {"token": WETH, "actual": str(ONE_ETH // 2), "expected": str(ONE_ETH)}


def test_auth_and_version(fresh_zeroex):
    assert_error_shape(fresh_zeroex.get("permit2/price", key=None, sellToken=WETH, buyToken=USDC, sellAmount="1"),
                       401, "UNAUTHORIZED")
    assert_error_shape(fresh_zeroex.get("permit2/price", key="wrong", sellToken=WETH, buyToken=USDC, sellAmount="1"),
                       401, "UNAUTHORIZED")
    missing = assert_error_shape(fresh_zeroex.get("permit2/price", version=None, sellToken=WETH, buyToken=USDC,
                                                  sellAmount="1"), 400, "INPUT_INVALID")
    assert missing["data"]["details"][0]["field"] == "0x-version"


def test_errors_and_no_liquidity(fresh_zeroex):
    unknown = assert_error_shape(fresh_zeroex.get("permit2/price", sellToken=WETH, buyToken="0x" + "12" * 20,
                                                  sellAmount="1"), 400, "TOKEN_NOT_SUPPORTED")
    assert unknown["data"]["details"] == {"buyToken": "0x" + "12" * 20}
    chain = assert_error_shape(fresh_zeroex.get("permit2/price", chainId="5", sellToken=WETH, buyToken=USDC,
                                                sellAmount="1"), 400, "INPUT_INVALID")
    assert chain["data"]["details"] == [{"field": "chainId", "reason": "Chain 5 is not supported"}]
    dry = fresh_zeroex.get("permit2/price", sellToken=WETH, buyToken=USDT, sellAmount="1")
    assert dry.status_code == 200 and set(dry.json()) == {"liquidityAvailable", "zid"}
    assert dry.json()["liquidityAvailable"] is False


def test_rate_limit_and_faults(fresh_zeroex):
    fresh_zeroex.fault(type="rate_limit", retryAfter=3)
    limited = fresh_zeroex.get("permit2/price", sellToken=WETH, buyToken=USDC, sellAmount=MILLI_ETH)
    assert limited.headers["Retry-After"] == "3"
    assert_error_shape(limited, 429, "RATE_LIMITED")
    fresh_zeroex.fault(type="rate_limit", retryAfter=None)
    assert "Retry-After" not in fresh_zeroex.get("permit2/price", sellToken=WETH, buyToken=USDC,
                                                 sellAmount=MILLI_ETH).headers

    fresh_zeroex.fault(type="http_error", status=500)
    assert fresh_zeroex.get("permit2/price", sellToken=WETH, buyToken=USDC, sellAmount=MILLI_ETH).status_code == 500
    fresh_zeroex.fault(type="malformed")
    with pytest.raises(ValueError):
        fresh_zeroex.get("permit2/price", sellToken=WETH, buyToken=USDC, sellAmount=MILLI_ETH).json()
    fresh_zeroex.fault(type="drop")
    with pytest.raises(requests.ConnectionError):
        fresh_zeroex.get("permit2/price", sellToken=WETH, buyToken=USDC, sellAmount=MILLI_ETH)
    fresh_zeroex.fault(type="mismatch")
    other = fresh_zeroex.get("permit2/price", sellToken=WETH, buyToken=USDC, sellAmount=MILLI_ETH).json()
    assert other["sellAmount"] == str(10**15 + 1)
    fresh_zeroex.fault(type="delay", seconds=0.5)
    start = time.monotonic()
    assert fresh_zeroex.get("permit2/price", sellToken=WETH, buyToken=USDC, sellAmount=MILLI_ETH).status_code == 200
    assert time.monotonic() - start >= 0.5
    count = fresh_zeroex.control("GET", "/control/requests")
    assert count["last"]["version"] == "v2" and count["count"] >= 6
