"""Futures accounts, their API keys, USDT wallets, positions and settings, given at start.

File shape (--accounts FILE):
{"accounts": [{"name": "main", "uid": 1001, "balances": {"USDT": "100000"},
               "commission": {"maker": "0.0002", "taker": "0.0004"}, "leverage": 20,
               "keys": [{"apiKey": "...", "secretKey": "...", "enableReading": true, "enableFutures": true}]}]}
or --account KEY:SECRET:USDT=1000 (repeatable). Without either: one account keyed with the API key pair of
Binance's signing examples. Secrets are never logged or served.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from common import D, ZERO, round8

DOC_API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
DOC_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
MARGIN_ASSET = "USDT"


@dataclass
class ApiKey:
    api_key: str
    secret: str
    enable_reading: bool = True
    enable_futures: bool = True

    def public(self) -> dict:
        return {"apiKey": self.api_key, "enableReading": self.enable_reading, "enableFutures": self.enable_futures}


@dataclass
class Position:
    symbol: str
    side: str = "BOTH"           # BOTH (one-way), LONG or SHORT (hedge)
    amount: Decimal = ZERO       # signed: > 0 long, < 0 short
    entry: Decimal = ZERO        # quantity-weighted average of the opening fills (exact Decimal)
    realized: Decimal = ZERO     # accumulated realized PnL (ACCOUNT_UPDATE "cr")
    update_time: int = 0

    def fill(self, signed_qty: Decimal, price: Decimal) -> Decimal:
        """Applies a fill; returns the realized PnL of the part that reduced the position (8 decimals, half-up)."""
        realized = ZERO
        if self.amount == 0 or (self.amount > 0) == (signed_qty > 0):
            size = abs(self.amount) + abs(signed_qty)
            self.entry = (abs(self.amount) * self.entry + abs(signed_qty) * price) / size
            self.amount += signed_qty
        else:
            closed = min(abs(signed_qty), abs(self.amount))
            direction = 1 if self.amount > 0 else -1
            realized = round8(closed * (price - self.entry) * direction)
            self.amount += signed_qty
            if self.amount == 0:
                self.entry = ZERO
            elif (self.amount > 0) != (direction > 0):
                self.entry = price        # flipped: the rest opens at the fill price
        self.realized += realized
        return realized


@dataclass
class Account:
    name: str
    uid: int
    wallet: Decimal
    maker: Decimal = D("0.0002")
    taker: Decimal = D("0.0004")
    default_leverage: int = 20
    keys: list[ApiKey] = field(default_factory=list)
    leverage: dict[str, int] = field(default_factory=dict)
    margin_type: dict[str, str] = field(default_factory=dict)   # symbol -> "cross" | "isolated"
    dual_side: bool = False
    positions: dict[tuple[str, str], Position] = field(default_factory=dict)
    income: list[dict] = field(default_factory=list)
    update_time: int = 0

    def position(self, symbol: str, side: str = "BOTH") -> Position:
        key = (symbol, side)
        if key not in self.positions:
            self.positions[key] = Position(symbol, side)
        return self.positions[key]

    def lev(self, symbol: str) -> int:
        return self.leverage.get(symbol, self.default_leverage)

    def mtype(self, symbol: str) -> str:
        return self.margin_type.get(symbol, "cross")


class Accounts:
    def __init__(self, accounts: list[Account]) -> None:
        self.accounts = accounts
        self._by_key = {key.api_key: (account, key) for account in accounts for key in account.keys}

    def lookup(self, api_key: str) -> tuple[Account, ApiKey] | None:
        return self._by_key.get(api_key)

    def find(self, name: str) -> Account | None:
        return next((a for a in self.accounts if a.name == name), None)

    def by_uid(self, uid: int) -> Account:
        return next(a for a in self.accounts if a.uid == uid)


def _from_spec(spec: dict, index: int) -> Account:
    commission = spec.get("commission", {})
    keys = [ApiKey(k["apiKey"], k["secretKey"], bool(k.get("enableReading", True)), bool(k.get("enableFutures", True)))
            for k in spec.get("keys", [])]
    return Account(name=spec.get("name", f"account{index}"), uid=int(spec.get("uid", 1001 + index)),
                   wallet=D(str(spec.get("balances", {}).get(MARGIN_ASSET, "0"))),
                   maker=D(str(commission.get("maker", "0.0002"))), taker=D(str(commission.get("taker", "0.0004"))),
                   default_leverage=int(spec.get("leverage", 20)), keys=keys)


def load(path: str | None, inline: list[str]) -> Accounts:
    specs: list[dict] = []
    if path:
        specs += json.loads(Path(path).read_text())["accounts"]
    for index, text in enumerate(inline):
        key, secret, balances = (text.split(":") + ["", ""])[:3]
        amounts = dict(item.split("=", 1) for item in balances.split(",") if "=" in item)
        specs.append({"name": f"cli{index}", "balances": amounts, "keys": [{"apiKey": key, "secretKey": secret}]})
    if not specs:
        specs = [{"name": "main", "balances": {MARGIN_ASSET: "100000"},
                  "keys": [{"apiKey": DOC_API_KEY, "secretKey": DOC_SECRET}]}]
    return Accounts([_from_spec(spec, index) for index, spec in enumerate(specs)])
