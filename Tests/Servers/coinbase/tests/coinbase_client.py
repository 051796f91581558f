"""A small independent test client: builds CDP JWTs as Coinbase's "API Key Authentication" page describes (not the
server's code), plus the accounts the test servers start with. (Named coinbase_client: the suites of all servers run
in one pytest process and their helper modules must not share a name.)
"""
from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from decimal import Decimal
from pathlib import Path

import aiohttp
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

PREFIX = "/api/v3/brokerage"


def new_key() -> tuple[ec.EllipticCurvePrivateKey, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption()).decode()
    return key, pem


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(name: str, key: ec.EllipticCurvePrivateKey, uri: str | None, now: float | None = None,
             lifetime: int = 120, iss: str = "cdp") -> str:
    """header {alg ES256, kid, nonce, typ}; payload {sub, iss, nbf, exp, uri?}; JWS signature r||s."""
    nbf = int(now if now is not None else time.time())
    header = {"alg": "ES256", "kid": name, "nonce": secrets.token_hex(16), "typ": "JWT"}
    payload = {"sub": name, "iss": iss, "nbf": nbf, "exp": nbf + lifetime}
    if uri is not None:
        payload["uri"] = uri
    signing = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(payload).encode())
    r, s = decode_dss_signature(key.sign(signing.encode(), ec.ECDSA(hashes.SHA256())))
    return signing + "." + _b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


class Key:
    def __init__(self, name: str, permissions: str = "view,trade") -> None:
        self.name = name
        self.private, self.pem = new_key()
        self.permissions = permissions


MAIN = Key("organizations/test-org/apiKeys/main-key")
READER = Key("organizations/test-org/apiKeys/reader-key", "view")
OTHER = Key("organizations/test-org/apiKeys/other-key")


def accounts_file(directory: Path) -> Path:
    entries = []
    for name, keys, balances in (("main", [MAIN, READER], {"USD": "100000", "USDT": "100000", "BTC": "2",
                                                           "SKL": "100000", "GBP": "1000"}),
                                 ("other", [OTHER], {"USDT": "10", "BTC": "0.001"})):
        key_entries = []
        for key in keys:
            path = directory / (key.name.rsplit("/", 1)[1] + ".pem")
            path.write_text(key.pem)
            key_entries.append({"name": key.name, "pem": str(path), "permissions": key.permissions})
        entries.append({"name": name, "balances": balances, "keys": key_entries,
                        "fees": {"taker": "0.006", "maker": "0.004"}})
    path = directory / "accounts.json"
    path.write_text(json.dumps({"accounts": entries}))
    return path


class Server:
    def __init__(self, ports: dict) -> None:
        self.ports = ports
        self.rest = ports["restUrl"]
        self.public_ws = ports["publicWsUrl"]
        self.private_ws = ports["privateWsUrl"]
        self.control_url = ports["controlUrl"]
        self.host = self.rest.split("://")[1]
        self.http = requests.Session()

    def control(self, method: str, path: str, body: dict | None = None):
        response = self.http.request(method, self.control_url + path, json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def public(self, path: str, **params) -> requests.Response:
        return self.http.get(self.rest + PREFIX + path, params=params, timeout=30)

    def call(self, method: str, path: str, key: Key = MAIN, body: dict | None = None, params=None,
             token: str | None = None, host: str | None = None, timeout: float = 30) -> requests.Response:
        full = PREFIX + path
        jwt = token or make_jwt(key.name, key.private, f"{method} {host or self.host}{full}")
        return self.http.request(method, self.rest + full, params=params, timeout=timeout,
                                 data=json.dumps(body) if body is not None else None,
                                 headers={"Authorization": f"Bearer {jwt}", "Content-Type": "application/json"})

    def get(self, path: str, key: Key = MAIN, **params) -> dict:
        response = self.call("GET", path, key, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def order(self, product_id: str, side: str, config: dict, client_order_id: str, key: Key = MAIN) -> dict:
        response = self.call("POST", "/orders", key, {"client_order_id": client_order_id, "product_id": product_id,
                                                      "side": side, "order_configuration": config})
        assert response.status_code == 200, response.text
        return response.json()

    def book(self, product_id: str) -> dict:
        return self.control("GET", f"/control/book?product_id={product_id}")

    def balances(self, name: str = "main") -> dict:
        return {a: (Decimal(r["total"]), Decimal(r["hold"]))
                for a, r in self.control("GET", f"/control/account?name={name}")["balances"].items()}

    def script(self, product_id: str, bids, asks) -> dict:
        return self.control("POST", "/control/script", {"product_id": product_id, "bids": bids, "asks": asks})

    def fault(self, **spec) -> dict:
        return self.control("POST", "/control/fault", spec)

    def advance(self, **spec) -> dict:
        return self.control("POST", "/control/advance", spec)


class WsClient:
    """One WebSocket: send requests, collect every message; wait for the ones wanted."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.messages: list = []
        self.pending: list = []

    @classmethod
    async def connect(cls, http: aiohttp.ClientSession, url: str) -> "WsClient":
        return cls(await http.ws_connect(url, autoping=True))

    async def send(self, payload) -> None:
        await self.ws.send_str(json.dumps(payload))

    async def subscribe(self, channel: str, product_ids=(), key: Key | None = None, kind: str = "subscribe") -> None:
        body = {"type": kind, "product_ids": list(product_ids), "channel": channel}
        if key is not None:
            body["jwt"] = make_jwt(key.name, key.private, None)
        await self.send(body)

    async def pump(self, timeout: float) -> None:
        msg = await self.ws.receive(timeout=max(0.01, timeout))
        if msg.type != aiohttp.WSMsgType.TEXT:
            raise ConnectionError(f"WebSocket closed: {msg.type} {msg.data} {msg.extra}")
        message = json.loads(msg.data)
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


def channel(name: str, kind: str | None = None):
    return lambda m: m.get("channel") == name and (kind is None or any(e.get("type") == kind
                                                                       for e in m.get("events", [])))


def run(coroutine):
    return asyncio.run(coroutine)
