"""A small independent USDⓈ-M test client: signs as Binance's "SIGNED Endpoint security" describes (not the server's
code), reads the capture on its own, and holds the accounts the test servers start with. (Named usdm_client: the
suites of all servers run in one pytest process and their helper modules must not share a name.)
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from pathlib import Path
from urllib.parse import urlencode

import requests

from serverkit.testing import Ws, sync  # noqa: F401  (the suite's WebSocket client and async runner)

# Binance's documented signing example key pair (the server's default account uses it too)
DOC_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
DOC_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
MAIN = ("usdmMainKey0001", "usdm-main-secret-0001")
POOR = ("usdmPoorKey0002", "usdm-poor-secret-0002")
OTHER = ("usdmOtherKey0003", "usdm-other-secret-0003")

ACCOUNTS = {"accounts": [
    {"name": "main", "uid": 2001, "balances": {"USDT": "100000"}, "leverage": 10,
     "commission": {"maker": "0.0002", "taker": "0.0004"}, "keys": [{"apiKey": MAIN[0], "secretKey": MAIN[1]}]},
    {"name": "poor", "uid": 2002, "balances": {"USDT": "50"}, "leverage": 5,
     "commission": {"maker": "0.0002", "taker": "0.0004"}, "keys": [{"apiKey": POOR[0], "secretKey": POOR[1]}]},
    {"name": "other", "uid": 2003, "balances": {"USDT": "20000"},
     "keys": [{"apiKey": OTHER[0], "secretKey": OTHER[1]}]},
    {"name": "doc", "uid": 2004, "balances": {"USDT": "1000"}, "keys": [{"apiKey": DOC_KEY, "secretKey": DOC_SECRET}]},
]}

CAPTURE = Path("vectors/exchanges/wire/binance_usdm/cryptofeed")


def sign(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def capture_depth(shared: Path) -> tuple[dict, dict[str, list[dict]]]:
    """The capture's REST snapshots and depthUpdate events per symbol, read independently of the server."""
    snapshots, events = {}, {}
    for line in (shared / CAPTURE / "BINANCE_FUTURES.http.0.0").read_text().splitlines():
        if " -> " in line:
            url, rest = line.split(" -> ", 1)
            snapshots[re.search(r"symbol=(\w+)", url).group(1)] = json.loads(rest.split(": ", 1)[1])
    for line in (shared / CAPTURE / "BINANCE_FUTURES.ws.1.0").read_text().splitlines()[1:]:
        message = json.loads(line.split(": ", 1)[1])
        if "@depth" in message["stream"]:
            events.setdefault(message["data"]["s"], []).append(message["data"])
    return snapshots, events


class Server:
    def __init__(self, ports: dict) -> None:
        self.ports = ports
        self.rest = ports["restUrl"]
        self.stream = ports["streamUrl"]
        self.control_url = ports["controlUrl"]
        self.http = requests.Session()

    def control(self, method: str, path: str, body: dict | None = None):
        response = self.http.request(method, self.control_url + path, json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def public(self, path: str, **params) -> requests.Response:
        return self.http.get(self.rest + path, params=params, timeout=30)

    def signed(self, method: str, path: str, creds: tuple = MAIN, timestamp: int | None = None,
               secret: str | None = None, in_body: bool = False, timeout: float = 30, **params) -> requests.Response:
        query = urlencode({**params, "timestamp": timestamp if timestamp is not None else int(time.time() * 1000)})
        query += "&signature=" + sign(secret or creds[1], query)
        headers = {"X-MBX-APIKEY": creds[0]}
        if in_body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return self.http.request(method, self.rest + path, data=query, headers=headers, timeout=timeout)
        return self.http.request(method, f"{self.rest}{path}?{query}", headers=headers, timeout=timeout)

    def order(self, creds: tuple = MAIN, **params) -> requests.Response:
        return self.signed("POST", "/fapi/v1/order", creds, **params)

    def keyed(self, method: str, path: str, creds: tuple = MAIN) -> requests.Response:
        return self.http.request(method, self.rest + path, headers={"X-MBX-APIKEY": creds[0]}, timeout=30)

    def book(self, symbol: str, limit: int = 100000) -> dict:
        return self.control("GET", f"/control/book?symbol={symbol}&limit={limit}")

    def account(self, name: str = "main") -> dict:
        return self.control("GET", f"/control/account?name={name}")

    def orders(self, name: str = "main", symbol: str | None = None) -> list[dict]:
        return self.control("GET", f"/control/orders?account={name}" + (f"&symbol={symbol}" if symbol else ""))

    def advance(self, **spec) -> dict:
        return self.control("POST", "/control/advance", spec)

    def fault(self, **spec) -> dict:
        return self.control("POST", "/control/fault", spec)

    def script(self, symbol: str, bids, asks) -> dict:
        return self.control("POST", "/control/script", {"symbol": symbol, "bids": bids, "asks": asks})
