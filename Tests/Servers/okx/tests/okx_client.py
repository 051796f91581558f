"""A small independent test client: signs as docs-v5 "REST Authentication" and "WebSocket Login" describe (not the
server's code), and the accounts the test servers start with. (Named okx_client, not client: the Binance suite's
helper module is `client` and both suites run in one pytest process.)
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from datetime import datetime, timezone
from urllib.parse import urlencode

import aiohttp
import requests

MAIN = ("mainKey0001", "mainSecret0001", "mainPass1")
READER = ("readerKey0002", "readerSecret0002", "readerPass2")
OTHER = ("otherKey0003", "otherSecret0003", "otherPass3")
DEMO = ("demoKey0004", "demoSecret0004", "demoPass4")
# the credentials of shared/vectors/exchanges/oracle_examples/sign_examples.json (OKX entries)
EXAMPLE = ("okx-test-key", "okx-test-secret", "okx-test-passphrase")


def key_entry(creds: tuple, **extra) -> dict:
    return {"apiKey": creds[0], "secretKey": creds[1], "passphrase": creds[2], **extra}


ACCOUNTS = {"accounts": [
    {"name": "main", "uid": "1001", "balances": {"USDT": "100000", "BTC": "2", "ETH": "20"},
     "feeRates": {"maker": "-0.0008", "taker": "-0.001"},
     "keys": [key_entry(MAIN), key_entry(READER, perm="read_only")]},
    {"name": "other", "uid": "1002", "balances": {"USDT": "50000", "BTC": "0.5"},
     "feeRates": {"maker": "-0.0006", "taker": "-0.0009"}, "keys": [key_entry(OTHER)]},
    {"name": "demo", "uid": "1003", "balances": {"USDT": "1000"}, "keys": [key_entry(DEMO, simulated=True)]},
    {"name": "example", "uid": "1004", "balances": {"USDT": "100000", "BTC": "1"}, "keys": [key_entry(EXAMPLE)]},
]}


def iso_now(shift_ms: int = 0) -> str:
    ms = int(time.time() * 1000) + shift_ms
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def b64_hmac(secret: str, text: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()).decode()


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

    def public(self, path: str, **params) -> requests.Response:
        return self.http.get(self.rest + path, params=params, timeout=30)

    def signed(self, method: str, path: str, creds: tuple = MAIN, params: dict | None = None, body=None,
               timestamp: str | None = None, simulated: bool = False, timeout: float = 30,
               headers: dict | None = None) -> requests.Response:
        """prehash = timestamp + METHOD + requestPath (with the GET query) + body; base64 HMAC-SHA256."""
        key, secret, passphrase = creds
        request_path = path + ("?" + urlencode(params) if params else "")
        text = json.dumps(body, separators=(",", ":")) if body is not None else ""
        stamp = timestamp or iso_now()
        sent = {"OK-ACCESS-KEY": key, "OK-ACCESS-PASSPHRASE": passphrase, "OK-ACCESS-TIMESTAMP": stamp,
                "OK-ACCESS-SIGN": b64_hmac(secret, stamp + method + request_path + text),
                "Content-Type": "application/json"}
        if simulated:
            sent["x-simulated-trading"] = "1"
        sent.update(headers or {})
        return self.http.request(method, self.rest + request_path, data=text or None, headers=sent,
                                 timeout=timeout)

    def order(self, creds: tuple = MAIN, **args) -> requests.Response:
        return self.signed("POST", "/api/v5/trade/order", creds, body={"tdMode": "cash", **args})

    def book(self, inst_id: str = "BTC-USDT", limit: int = 1000000) -> dict:
        return self.control("GET", f"/control/book?instId={inst_id}&limit={limit}")

    def account(self, name: str) -> dict:
        return self.control("GET", f"/control/account?name={name}")

    def balances(self, name: str) -> dict:
        return {ccy: (row["availBal"], row["frozenBal"]) for ccy, row in self.account(name)["balances"].items()}

    def orders(self, name: str = "main", inst_id: str = "BTC-USDT") -> list[dict]:
        return self.control("GET", f"/control/orders?account={name}&instId={inst_id}")

    def advance(self, **spec) -> dict:
        return self.control("POST", "/control/advance", spec)

    def fault(self, **spec) -> dict:
        return self.control("POST", "/control/fault", spec)


class WsClient:
    """One WebSocket: send requests, collect every message; wait for the ones a test wants."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.messages: list = []         # everything received, in order
        self.pending: list = []          # received and not yet returned by wait()

    @classmethod
    async def connect(cls, http: aiohttp.ClientSession, url: str) -> "WsClient":
        return cls(await http.ws_connect(url, autoping=True))

    async def send(self, payload) -> None:
        await self.ws.send_str(payload if isinstance(payload, str) else json.dumps(payload))

    async def pump(self, timeout: float) -> None:
        msg = await self.ws.receive(timeout=max(0.01, timeout))
        if msg.type != aiohttp.WSMsgType.TEXT:
            raise ConnectionError(f"WebSocket closed: {msg.type} {msg.data} {msg.extra}")
        message = msg.data if msg.data == "pong" else json.loads(msg.data)
        self.messages.append(message)
        self.pending.append(message)

    async def wait(self, predicate, timeout: float = 5.0):
        """The first message not returned before that matches `predicate` (others stay pending, in order)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for index, message in enumerate(self.pending):
                if predicate(message):
                    return self.pending.pop(index)
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError(f"no matching message in {self.pending}")
            await self.pump(left)

    async def quiet(self, seconds: float) -> list:
        """Everything that arrives within `seconds`."""
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

    async def login(self, creds: tuple = MAIN, seconds: float | None = None) -> dict:
        key, secret, passphrase = creds
        stamp = str(int(seconds if seconds is not None else time.time()))
        await self.send({"op": "login", "args": [{"apiKey": key, "passphrase": passphrase, "timestamp": stamp,
                                                 "sign": b64_hmac(secret, stamp + "GET" + "/users/self/verify")}]})
        return await self.wait(lambda m: isinstance(m, dict) and m.get("event") in ("login", "error"))

    async def subscribe(self, *args: dict) -> list[dict]:
        await self.send({"op": "subscribe", "args": list(args)})
        return [await self.wait(lambda m, a=a: isinstance(m, dict) and m.get("event") in ("subscribe", "error")
                                and (m.get("arg") == a or m.get("event") == "error")) for a in args]

    async def op(self, op: str, args: list[dict], ident: str = "r1", **extra) -> dict:
        await self.send({"id": ident, "op": op, "args": args, **extra})
        return await self.wait(lambda m: isinstance(m, dict) and m.get("id") == ident and m.get("op") == op)


def push(channel: str):
    return lambda m: isinstance(m, dict) and m.get("arg", {}).get("channel") == channel and "data" in m
