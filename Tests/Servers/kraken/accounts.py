"""Accounts, their API keys (public key + base64 secret) and balances, given at start (a JSON file or --account).

File shape:
{"accounts": [{"name": "main", "tier": "intermediate",
               "balances": {"ZUSD": "100000", "XXBT": "2", "CHF": "50000"},
               "fees": {"taker": "0.26", "maker": "0.16"},
               "keys": [{"apiKey": "...", "secret": "<base64>", "permissions": "query,trade,websocket"}]}]}

Balances are keyed by REST asset code (XXBT, ZUSD, CHF...); BTC / USD / EUR / ETH / XMR are accepted and mapped.
`fees` are in Kraken's percent convention (0.26 = 0.26 %), the account's tier on every pair; `tier` picks the
documented rate-limit tier (starter, intermediate, pro). A key's `permissions` is a subset of query, trade, cancel,
websocket (default all). Secrets are never logged or returned by any endpoint (control views show key names only).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from common import ZERO, fmt
from instruments import rest_asset

# Kraken's documented REST signing example (docs.kraken.com "Spot REST Authentication"); ccxt 4.5.90 reproduces its
# API-Sign in shared/vectors/exchanges/oracle_examples under the key name "kraken-test-key".
EXAMPLE_KEY = "kraken-test-key"
EXAMPLE_SECRET = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
DEFAULT_BALANCES = {"ZUSD": "100000", "ZEUR": "100000", "CHF": "100000", "XXBT": "10", "XETH": "100",
                    "XXMR": "500", "ADA": "100000", "KSM": "1000", "GRT": "100000", "OCEAN": "100000",
                    "OMG": "10000", "SC": "10000000", "WAVES": "10000"}
ALL_PERMISSIONS = "query,trade,cancel,websocket"


@dataclass
class ApiKey:
    api_key: str
    secret: str
    permissions: str = ALL_PERMISSIONS
    last_nonce: int = 0

    def can(self, permission: str) -> bool:
        return permission in self.permissions.split(",")

    def public(self) -> dict:
        return {"apiKey": self.api_key, "permissions": self.permissions, "lastNonce": str(self.last_nonce)}


@dataclass
class Account:
    name: str
    balances: dict[str, Decimal] = field(default_factory=dict)      # totals, REST asset codes
    holds: dict[str, Decimal] = field(default_factory=dict)         # held by open orders
    taker: Decimal = Decimal("0.26")
    maker: Decimal = Decimal("0.16")
    tier: str = "intermediate"
    keys: list[ApiKey] = field(default_factory=list)

    def total(self, asset: str) -> Decimal:
        return self.balances.get(asset, ZERO)

    def hold(self, asset: str) -> Decimal:
        return self.holds.get(asset, ZERO)

    def available(self, asset: str) -> Decimal:
        return self.total(asset) - self.hold(asset)

    def add(self, asset: str, delta: Decimal) -> None:
        self.balances[asset] = self.total(asset) + delta

    def add_hold(self, asset: str, delta: Decimal) -> None:
        self.holds[asset] = self.hold(asset) + delta

    def assets(self) -> list[str]:
        return sorted(set(self.balances) | set(self.holds))

    def view(self) -> dict:
        return {"name": self.name, "tier": self.tier,
                "balances": {a: {"balance": fmt(self.total(a)), "hold_trade": fmt(self.hold(a)),
                                 "available": fmt(self.available(a))} for a in self.assets()},
                "fees": {"taker": fmt(self.taker), "maker": fmt(self.maker)},
                "keys": [key.public() for key in self.keys]}


class Accounts:
    def __init__(self) -> None:
        self.accounts: list[Account] = []
        self.by_key: dict[str, tuple[Account, ApiKey]] = {}

    def add(self, account: Account) -> None:
        self.accounts.append(account)
        for key in account.keys:
            self.by_key[key.api_key] = (account, key)

    def lookup(self, api_key: str | None) -> tuple[Account, ApiKey] | None:
        return self.by_key.get(api_key or "")

    def find(self, name: str) -> Account | None:
        return next((a for a in self.accounts if a.name == name), None)


def _account_from(entry: dict, index: int) -> Account:
    fees = entry.get("fees", {})
    account = Account(name=entry.get("name", f"account{index}"), tier=entry.get("tier", "intermediate"),
                      taker=Decimal(str(fees.get("taker", "0.26"))), maker=Decimal(str(fees.get("maker", "0.16"))))
    for asset, amount in entry.get("balances", {}).items():
        account.balances[rest_asset(asset)] = Decimal(str(amount))
    for key in entry.get("keys", []):
        account.keys.append(ApiKey(api_key=key["apiKey"], secret=key["secret"],
                                   permissions=key.get("permissions", ALL_PERMISSIONS)))
    return account


def load(path: str | None, cli_accounts: list[str]) -> Accounts:
    entries: list[dict] = []
    if path:
        entries.extend(json.loads(Path(path).read_text())["accounts"])
    for spec in cli_accounts:
        # KEY:SECRET_BASE64:ASSET=AMOUNT,ASSET=AMOUNT (base64 has no ':')
        parts = spec.split(":")
        balances = dict(item.split("=", 1) for item in parts[2].split(",") if item) if len(parts) > 2 else {}
        entries.append({"keys": [{"apiKey": parts[0], "secret": parts[1]}], "balances": balances})
    if not entries:
        entries.append({"name": "default", "balances": DEFAULT_BALANCES,
                        "keys": [{"apiKey": EXAMPLE_KEY, "secret": EXAMPLE_SECRET}]})
    accounts = Accounts()
    for index, entry in enumerate(entries):
        accounts.add(_account_from(entry, index))
    return accounts
