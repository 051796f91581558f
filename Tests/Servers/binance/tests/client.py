"""A small independent test client: signs as rest-api.md and web-socket-api.md describe (not the server's code)."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import aiohttp
import requests


def hmac_hex(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def now_ms() -> int:
    return int(time.time() * 1000)


class Server:
    def __init__(self, ports: dict) -> None:
        self.ports = ports
        self.rest = ports["restUrl"]
        self.stream = ports["streamUrl"]
        self.wsapi = ports["wsApiUrl"]
        self.control_url = ports["controlUrl"]
        self.http = requests.Session()

    def control(self, method: str, path: str, body: dict | None = None):
        response = self.http.request(method, self.control_url + path, json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def public(self, path: str, **params) -> requests.Response:
        return self.http.get(self.rest + path, params=params, timeout=30)

    def signed(self, method: str, path: str, key: str, secret: str, params: dict | None = None,
               in_body: bool = False, timestamp: int | None = None, timeout: float = 30) -> requests.Response:
        fields = dict(params or {})
        fields.setdefault("timestamp", timestamp if timestamp is not None else now_ms())
        payload = urlencode(fields)
        signature = hmac_hex(secret, payload)
        headers = {"X-MBX-APIKEY": key}
        url = self.rest + path
        if in_body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return self.http.request(method, url, data=f"{payload}&signature={signature}", headers=headers,
                                     timeout=timeout)
        return self.http.request(method, f"{url}?{payload}&signature={signature}", headers=headers, timeout=timeout)

    def book(self, symbol: str, limit: int = 1000000) -> dict:
        return self.control("GET", f"/control/book?symbol={symbol}&limit={limit}")

    def account(self, name: str) -> dict:
        return self.control("GET", f"/control/account?name={name}")

    def balances(self, name: str) -> dict:
        return {row["asset"]: (row["free"], row["locked"]) for row in self.account(name)["balances"]}

    def advance(self, **spec) -> dict:
        return self.control("POST", "/control/advance", spec)


def ws_sign(params: dict, secret: str) -> str:
    payload = "&".join(f"{k}={str(params[k]).lower() if isinstance(params[k], bool) else params[k]}"
                       for k in sorted(params))
    return hmac_hex(secret, payload)


class WsApiClient:
    """WebSocket API client: send a request, get its response; events kept aside."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.events: list[dict] = []
        self.responses: dict = {}
        self.next_id = 1

    async def call(self, method: str, params: dict | None = None, timeout: float = 10) -> dict:
        ident = f"r{self.next_id}"
        self.next_id += 1
        await self.ws.send_str(json.dumps({"id": ident, "method": method, "params": params or {}}))
        deadline = asyncio.get_running_loop().time() + timeout
        while ident not in self.responses:
            await self.pump(deadline - asyncio.get_running_loop().time())
        return self.responses.pop(ident)

    async def pump(self, timeout: float) -> None:
        msg = await self.ws.receive(timeout=max(0.01, timeout))
        if msg.type != aiohttp.WSMsgType.TEXT:
            raise ConnectionError(f"WebSocket API closed: {msg.type}")
        data = json.loads(msg.data)
        if "subscriptionId" in data and "event" in data:
            self.events.append(data)
        else:
            self.responses[data.get("id")] = data

    async def events_until(self, predicate, timeout: float = 5) -> list[dict]:
        deadline = asyncio.get_running_loop().time() + timeout
        while not any(predicate(e) for e in self.events):
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError(f"no matching event in {self.events}")
            await self.pump(left)
        return self.events

    def signed_params(self, key: str, secret: str, **params) -> dict:
        fields = {"apiKey": key, "timestamp": now_ms(), **params}
        fields["signature"] = ws_sign(fields, secret)
        return fields
