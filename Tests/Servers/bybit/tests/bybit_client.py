"""A small independent Bybit v5 test client: signs as the docs' "Authentication" section describes (not the server's
code), reads the capture on its own, and holds the accounts the test servers start with. (Named bybit_client: the
suites of all servers run in one pytest process and their helper modules must not share a name.)
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import requests

# the credentials of shared/vectors/exchanges/oracle_examples/sign_examples.json (Bybit entry, ccxt 4.5.90)
EXAMPLE = ("bybit-test-key", "bybit-test-secret")
MAIN = ("bybitMainKey0001", "bybit-main-secret-0001")
POOR = ("bybitPoorKey0002", "bybit-poor-secret-0002")
OTHER = ("bybitOtherKey0003", "bybit-other-secret-0003")
READER = ("bybitReaderKey04", "bybit-reader-secret-0004")

ACCOUNTS = {"accounts": [
    {"name": "main", "uid": 3001, "balances": {"USDT": "100000"}, "leverage": 10,
     "fees": {"maker": "0.0002", "taker": "0.00055"},
     "keys": [{"apiKey": MAIN[0], "secret": MAIN[1]}, {"apiKey": READER[0], "secret": READER[1], "readOnly": True}]},
    {"name": "poor", "uid": 3002, "balances": {"USDT": "50"}, "leverage": 5,
     "keys": [{"apiKey": POOR[0], "secret": POOR[1]}]},
    {"name": "other", "uid": 3003, "balances": {"USDT": "20000"},
     "keys": [{"apiKey": OTHER[0], "secret": OTHER[1]}]},
    {"name": "example", "uid": 3004, "balances": {"USDT": "1000"},
     "keys": [{"apiKey": EXAMPLE[0], "secret": EXAMPLE[1]}]},
]}

CAPTURE = Path("vectors/exchanges/wire/bybit/cryptofeed/BYBIT.ws.25.0.head")
NAUTILUS = Path("vectors/exchanges/wire/bybit/nautilus")


def sign(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def ws_auth(creds: tuple, expires: int | None = None, secret: str | None = None) -> dict:
    expires = expires if expires is not None else int(time.time() * 1000) + 10_000
    return {"op": "auth", "args": [creds[0], expires, sign(secret or creds[1], f"GET/realtime{expires}")]}


def legacy_book_messages(shared: Path) -> list[dict]:
    """The capture's orderBookL2_25 messages in recorded order, parsed on their own (sizes as recorded text)."""
    out = []
    for line in (shared / CAPTURE).read_text().splitlines():
        if not line[:1].isdigit():
            continue
        message = json.loads(line.split(": ", 1)[1], parse_float=str, parse_int=str)
        if message.get("topic", "").startswith("orderBookL2_25."):
            out.append(message)
    return out


def legacy_changes(message: dict, step: Decimal) -> dict[str, dict[Decimal, Decimal]]:
    """A legacy message as {"b": {price: qty}, "a": {...}} with sizes on the symbol's qty step (0 = removed)."""
    data = message["data"]
    rows = [(r["side"], r["price"], "0") for r in data.get("delete", [])]
    rows += [(r["side"], r["price"], r["size"]) for k in ("update", "insert") for r in data.get(k, [])]
    rows += [(r["side"], r["price"], r["size"]) for r in data.get("order_book", [])]
    out: dict[str, dict[Decimal, Decimal]] = {"b": {}, "a": {}}
    for side, price, size in rows:
        out["b" if side == "Buy" else "a"][Decimal(price)] = Decimal(size).quantize(step)
    return out


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

    def get(self, path: str, creds: tuple = MAIN, timestamp: int | None = None, recv: str | None = "5000",
            secret: str | None = None, **params) -> requests.Response:
        """A signed GET: the query string as sent is the payload."""
        query = urlencode(params)
        return self.send("GET", path + ("?" + query if query else ""), query, creds, timestamp, recv, secret)

    def post(self, path: str, body: dict | str, creds: tuple = MAIN, timestamp: int | None = None,
             recv: str | None = "5000", secret: str | None = None, timeout: float = 30) -> requests.Response:
        """A signed POST: the raw JSON body is the payload."""
        text = body if isinstance(body, str) else json.dumps(body)
        return self.send("POST", path, text, creds, timestamp, recv, secret, timeout)

    def send(self, method: str, target: str, payload: str, creds: tuple, timestamp: int | None, recv: str | None,
             secret: str | None, timeout: float = 30) -> requests.Response:
        stamp = str(timestamp if timestamp is not None else int(time.time() * 1000))
        headers = {"X-BAPI-API-KEY": creds[0], "X-BAPI-TIMESTAMP": stamp,
                   "X-BAPI-SIGN": sign(secret or creds[1], stamp + creds[0] + (recv or "") + payload)}
        if recv is not None:
            headers["X-BAPI-RECV-WINDOW"] = recv
        if method == "POST":
            headers["Content-Type"] = "application/json"
            return self.http.post(self.rest + target, data=payload, headers=headers, timeout=timeout)
        return self.http.get(self.rest + target, headers=headers, timeout=timeout)

    def order(self, creds: tuple = MAIN, **fields) -> requests.Response:
        return self.post("/v5/order/create", {"category": "linear", **fields}, creds)

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


def ok(response: requests.Response) -> dict:
    """The result of an answer that must have succeeded."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["retCode"] == 0, body
    return body["result"]


def code(response: requests.Response) -> int:
    return response.json()["retCode"]
