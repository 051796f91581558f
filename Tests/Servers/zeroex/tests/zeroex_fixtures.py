"""Fixtures: a 0x server process per test module (loopback, free ports). Not a conftest.py: every server's suite runs
in one pytest process; test modules import these fixtures."""
from __future__ import annotations

from pathlib import Path

import pytest
import requests

from serverkit.testing import start_server, stop_server

SERVER = Path(__file__).resolve().parents[1] / "server.py"
REPO = Path(__file__).resolve().parents[4]
KEY = "zeroex-test-key-0001"
WETH = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"
USDC = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
USDT = "0xdAC17F958D2ee523a2206206994597C13D831ec7"
TAKER = "0x70a9f34f9b34c64957b9c401a97bfed35b95049e"


class ZeroEx:
    def __init__(self, ports: dict) -> None:
        self.url, self.control_url, self.ports = ports["restUrl"], ports["controlUrl"], ports

    def get(self, path: str, key: str | None = KEY, version: str | None = "v2", **params) -> requests.Response:
        headers = {}
        if key is not None:
            headers["0x-api-key"] = key
        if version is not None:
            headers["0x-version"] = version
        params.setdefault("chainId", "1")
        return requests.get(f"{self.url}/swap/{path}", params=params, headers=headers, timeout=10)

    def control(self, method: str, path: str, body: dict | None = None):
        return requests.request(method, self.control_url + path, json=body, timeout=10).json()

    def fault(self, **spec) -> None:
        assert self.control("POST", "/control/fault", spec) == {"ok": True}


@pytest.fixture(scope="module")
def zeroex():
    process, ports = start_server(SERVER, [], REPO)
    yield ZeroEx(ports)
    stop_server(process)


@pytest.fixture
def fresh_zeroex(zeroex):
    zeroex.control("POST", "/control/fault", {"type": "clear"})
    zeroex.control("POST", "/control/book", {"pools": [
        {"token0": "WETH", "token1": "USDC", "reserve0": str(1_000 * 10**18), "reserve1": str(3_000_000 * 10**6),
         "feeBps": 30}]})
    return zeroex
