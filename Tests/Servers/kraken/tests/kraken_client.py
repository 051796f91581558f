"""A small independent test client: signs as Kraken's "Spot REST Authentication" describes (not the server's code),
plus the accounts the test servers start with. (Named kraken_client: the suites of all servers run in one pytest
process and their helper modules must not share a name.)
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import aiohttp
import requests

# the key name and secret of Kraken's documented signing example (shared/vectors/exchanges/signing.json)
EXAMPLE = ("kraken-test-key",
           "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==")
MAIN = ("mainKey0001", base64.b64encode(b"main-secret-0001-" * 4).decode())
READER = ("readerKey0002", base64.b64encode(b"reader-secret-0002" * 4).decode())
OTHER = ("otherKey0003", base64.b64encode(b"other-secret-0003-" * 4).decode())

ACCOUNTS = {"accounts": [
    {"name": "main", "tier": "intermediate", "fees": {"taker": "0.26", "maker": "0.16"},
     "balances": {"CHF": "100000", "XXBT": "2", "ZUSD": "100000", "XXMR": "50", "ZEUR": "50000", "XETH": "10",
                  "ADA": "10000"},
     "keys": [{"apiKey": MAIN[0], "secret": MAIN[1]},
              {"apiKey": READER[0], "secret": READER[1], "permissions": "query"}]},
    {"name": "other", "fees": {"taker": "0.2", "maker": "0.1"}, "balances": {"CHF": "1000", "XXBT": "0.01"},
     "keys": [{"apiKey": OTHER[0], "secret": OTHER[1]}]},
    {"name": "example", "balances": {"ZUSD": "100000", "XXBT": "1"},
     "keys": [{"apiKey": EXAMPLE[0], "secret": EXAMPLE[1]}]},
]}

_nonce = [int(time.time() * 1000)]


def next_nonce() -> int:
    _nonce[0] = max(_nonce[0] + 1, int(time.time() * 1000))
    return _nonce[0]


def api_sign(secret: str, path: str, nonce: str, body: str) -> str:
    message = path.encode() + hashlib.sha256((nonce + body).encode()).digest()
    return base64.b64encode(hmac.new(base64.b64decode(secret), message, hashlib.sha512).digest()).decode()


class Server:
    def __init__(self, ports: dict) -> None:
        self.ports = ports
        self.rest = ports["restUrl"]
        self.public_ws = ports["publicWsUrl"]
        self.private_ws = ports["privateWsUrl"]
        self.control_url = ports["controlUrl"]
        self.http = requests.Session()

    def control(self, method: str, path: str, body: dict | None = None):
        response = self.http.request(method, self.control_url + path, json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def public(self, method: str, **params) -> dict:
        return self.http.get(f"{self.rest}/0/public/{method}", params=params, timeout=30).json()

    def private(self, method: str, creds: tuple = MAIN, nonce: int | None = None, sign_with: str | None = None,
                timeout: float = 30, **params) -> dict:
        path = f"/0/private/{method}"
        nonce_text = str(nonce if nonce is not None else next_nonce())
        body = urlencode({"nonce": nonce_text, **params})
        headers = {"API-Key": creds[0], "API-Sign": api_sign(sign_with or creds[1], path, nonce_text, body),
                   "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "dexter-tests"}
        return self.http.post(self.rest + path, data=body, headers=headers, timeout=timeout).json()

    def token(self, creds: tuple = MAIN) -> str:
        return self.private("GetWebSocketsToken", creds)["result"]["token"]

    def book(self, symbol: str = "BTC/CHF", depth: int = 10) -> dict:
        return self.control("GET", f"/control/book?symbol={symbol}&depth={depth}")

    def account(self, name: str = "main") -> dict:
        return self.control("GET", f"/control/account?name={name}")

    def balances(self, name: str = "main") -> dict:
        return {a: (row["balance"], row["hold_trade"]) for a, row in self.account(name)["balances"].items()}

    def orders(self, name: str = "main") -> list[dict]:
        return self.control("GET", f"/control/orders?account={name}")

    def advance(self, **spec) -> dict:
        return self.control("POST", "/control/advance", spec)

    def fault(self, **spec) -> dict:
        return self.control("POST", "/control/fault", spec)


class WsClient:
    """One WebSocket: send requests, collect every message (numbers parsed as Decimal); wait for the ones wanted."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.messages: list = []
        self.pending: list = []

    @classmethod
    async def connect(cls, http: aiohttp.ClientSession, url: str) -> "WsClient":
        return cls(await http.ws_connect(url, autoping=True))

    async def send(self, payload) -> None:
        await self.ws.send_str(json.dumps(payload))

    async def pump(self, timeout: float) -> None:
        msg = await self.ws.receive(timeout=max(0.01, timeout))
        if msg.type != aiohttp.WSMsgType.TEXT:
            raise ConnectionError(f"WebSocket closed: {msg.type} {msg.data} {msg.extra}")
        from decimal import Decimal
        message = json.loads(msg.data, parse_float=Decimal)
        self.messages.append(message)
        self.pending.append(message)

    async def wait(self, predicate, timeout: float = 5.0):
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for index, message in enumerate(self.pending):
                if predicate(message):
                    return self.pending.pop(index)
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError(f"no matching message in {self.pending[-5:]}")
            await self.pump(left)

    async def quiet(self, seconds: float) -> list:
        deadline = asyncio.get_running_loop().time() + seconds
        start = len(self.messages)
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return self.messages[start:]
            try:
                await self.pump(left)
            except asyncio.TimeoutError:
                return self.messages[start:]

    async def request(self, method: str, params: dict | None = None, req_id: int = 1) -> dict:
        body = {"method": method, "req_id": req_id}
        if params is not None:
            body["params"] = params
        await self.send(body)
        return await self.wait(lambda m: m.get("req_id") == req_id and m.get("method") in (method, "pong"))


def channel(name: str, kind: str | None = None):
    return lambda m: m.get("channel") == name and kind in (None, m.get("type"))
