"""The 1inch server's local-chain mode (serverkit/aggchain.py): tokens at the local node's addresses, and a swap's
transaction as real calldata of a V2 router's swapExactTokensForTokens, read back word by word here."""
from __future__ import annotations

import pytest
import requests

from oneinch_fixtures import KEY, REPO, SERVER, TAKER
from serverkit.testing import start_server, stop_server

LOCAL_WETH = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9"
LOCAL_USDC = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"
ROUTER = "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707"


@pytest.fixture(scope="module")
def local():
    process, ports = start_server(SERVER, ["--chain", "31337", "--token", f"WETH={LOCAL_WETH}",
                                           "--token", f"USDC={LOCAL_USDC}", "--v2-router", ROUTER], REPO)
    yield ports
    stop_server(process)


def test_a_swap_calls_the_v2_router(local):
    answer = requests.get(f"{local['restUrl']}/swap/v6.0/31337/swap", timeout=10,
                          headers={"Authorization": f"Bearer {KEY}"},
                          params={"src": LOCAL_USDC, "dst": LOCAL_WETH, "amount": "1000000000", "from": TAKER,
                                  "origin": TAKER, "slippage": "1"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    tx = body["tx"]
    assert tx["to"] == ROUTER and tx["value"] == "0"
    data = bytes.fromhex(tx["data"][2:])
    assert data[:4].hex() == "38ed1739"   # swapExactTokensForTokens(uint256,uint256,address[],address,uint256)
    words = [int.from_bytes(data[4 + 32 * i: 36 + 32 * i], "big") for i in range((len(data) - 4) // 32)]
    amount_in, minimum, offset, receiver, deadline, length, first, second = words
    assert amount_in == 10**9 and minimum == int(body["dstAmount"]) * 99 // 100
    assert offset == 5 * 32 and length == 2 and deadline > 2**32
    assert receiver == int(TAKER, 16) and first == int(LOCAL_USDC, 16) and second == int(LOCAL_WETH, 16)


def test_mainnet_addresses_are_not_the_local_tokens(local):
    answer = requests.get(f"{local['restUrl']}/swap/v6.0/31337/quote", timeout=10,
                          headers={"Authorization": f"Bearer {KEY}"},
                          params={"src": "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", "dst": LOCAL_WETH,
                                  "amount": "1000000"})
    assert answer.status_code == 400 and "not found" in answer.json()["description"]
