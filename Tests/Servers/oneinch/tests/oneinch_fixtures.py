"""Fixtures: a 1inch server process per test module (loopback, free ports). Not a conftest.py: every server's suite
runs in one pytest process; test modules import these fixtures."""
from __future__ import annotations

from pathlib import Path

import pytest
import requests

from serverkit.testing import start_server, stop_server

SERVER = Path(__file__).resolve().parents[1] / "server.py"
REPO = Path(__file__).resolve().parents[4]
KEY = "oneinch-test-key-0001"
WETH = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"
USDC = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
USDT = "0xdAC17F958D2ee523a2206206994597C13D831ec7"
TAKER = "0x70a9f34f9b34c64957b9c401a97bfed35b95049e"


class OneInch:
    def __init__(self, ports: dict) -> None:
        self.url, self.control_url, self.ports = ports["restUrl"], ports["controlUrl"], ports

    def get(self, method: str, chain: int = 1, key: str | None = KEY, **params) -> requests.Response:
        headers = {} if key is None else {"Authorization": f"Bearer {key}"}
        return requests.get(f"{self.url}/swap/v6.0/{chain}/{method}", params=params, headers=headers, timeout=10)

    def control(self, method: str, path: str, body: dict | None = None):
        answer = requests.request(method, self.control_url + path, json=body, timeout=10)
        return answer.json()

    def fault(self, **spec) -> None:
        assert self.control("POST", "/control/fault", spec) == {"ok": True}


@pytest.fixture(scope="module")
def oneinch():
    process, ports = start_server(SERVER, [], REPO)
    yield OneInch(ports)
    stop_server(process)


@pytest.fixture
def fresh_oneinch(oneinch):
    oneinch.control("POST", "/control/fault", {"type": "clear"})
    oneinch.control("POST", "/control/book", {"pools": [
        {"token0": "WETH", "token1": "USDC", "reserve0": str(1_000 * 10**18), "reserve1": str(3_000_000 * 10**6),
         "feeBps": 30}]})
    return oneinch
