"""Accounts, their API keys (key, secret, passphrase) and balances, given at start (a JSON file or --account).

File shape:
{"accounts": [{"name": "main", "uid": "44705892343619584",
               "balances": {"USDT": "100000", "BTC": "2"},
               "feeRates": {"maker": "-0.0008", "taker": "-0.001"},
               "keys": [{"apiKey": "...", "secretKey": "...", "passphrase": "...",
                         "perm": "read_only,trade", "simulated": false, "label": "dexter"}]}]}

feeRates use OKX's sign convention (GET /api/v5/account/trade-fee): negative = commission the platform charges,
positive = rebate. `perm` is the key's permission list as account/config reports it (read_only, trade, withdraw).
`simulated`: a demo-trading key, which must send `x-simulated-trading: 1` (and a live key must not): 50101.

Secrets and passphrases are never logged or returned by any endpoint (control views show key names and perms).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from common import ZERO, fmt

# The credentials of the OKX signing examples in shared/vectors/exchanges/oracle_examples (ccxt 4.5.90, fixed
# clock): with them a test can replay a signature made by independent code, byte for byte.
EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_PASSPHRASE = "okx-test-key", "okx-test-secret", "okx-test-passphrase"


@dataclass
class ApiKey:
    api_key: str
    secret: str
    passphrase: str
    perm: str = "read_only,trade"
    simulated: bool = False
    label: str = "dexter"

    def can(self, permission: str) -> bool:
        return permission in self.perm.split(",")

    def public(self) -> dict:
        return {"apiKey": self.api_key, "perm": self.perm, "simulated": self.simulated, "label": self.label}


@dataclass
class Account:
    name: str
    uid: str
    avail: dict[str, Decimal] = field(default_factory=dict)
    frozen: dict[str, Decimal] = field(default_factory=dict)
    maker: Decimal = Decimal("-0.0008")
    taker: Decimal = Decimal("-0.001")
    keys: list[ApiKey] = field(default_factory=list)
    update_time: dict[str, int] = field(default_factory=dict)

    def balance(self, ccy: str) -> tuple[Decimal, Decimal]:
        return self.avail.get(ccy, ZERO), self.frozen.get(ccy, ZERO)

    def add(self, ccy: str, delta: Decimal) -> None:
        self.avail[ccy] = self.avail.get(ccy, ZERO) + delta
        self.frozen.setdefault(ccy, ZERO)

    def freeze(self, ccy: str, amount: Decimal) -> None:
        self.avail[ccy] = self.avail.get(ccy, ZERO) - amount
        self.frozen[ccy] = self.frozen.get(ccy, ZERO) + amount

    def unfreeze(self, ccy: str, amount: Decimal) -> None:
        self.frozen[ccy] = self.frozen.get(ccy, ZERO) - amount
        self.avail[ccy] = self.avail.get(ccy, ZERO) + amount

    def spend_frozen(self, ccy: str, amount: Decimal) -> None:
        self.frozen[ccy] = self.frozen.get(ccy, ZERO) - amount

    def currencies(self) -> list[str]:
        return sorted(set(self.avail) | set(self.frozen))

    def view(self) -> dict:
        return {"name": self.name, "uid": self.uid,
                "balances": {ccy: {"availBal": fmt(self.avail.get(ccy, ZERO)),
                                   "frozenBal": fmt(self.frozen.get(ccy, ZERO))} for ccy in self.currencies()},
                "feeRates": {"maker": fmt(self.maker), "taker": fmt(self.taker)},
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

    def by_uid(self, uid: str) -> Account:
        return next(a for a in self.accounts if a.uid == uid)


def _account_from(entry: dict, index: int) -> Account:
    rates = entry.get("feeRates", {})
    account = Account(name=entry.get("name", f"account{index}"), uid=str(entry.get("uid", 44705892343619584 + index)),
                      maker=Decimal(str(rates.get("maker", "-0.0008"))),
                      taker=Decimal(str(rates.get("taker", "-0.001"))))
    for ccy, amount in entry.get("balances", {}).items():
        account.avail[ccy] = Decimal(str(amount))
        account.frozen[ccy] = ZERO
    for key in entry.get("keys", []):
        account.keys.append(ApiKey(api_key=key["apiKey"], secret=key["secretKey"], passphrase=key["passphrase"],
                                   perm=key.get("perm", "read_only,trade"), simulated=bool(key.get("simulated")),
                                   label=key.get("label", "dexter")))
    return account


def load(path: str | None, cli_accounts: list[str]) -> Accounts:
    entries: list[dict] = []
    if path:
        entries.extend(json.loads(Path(path).read_text())["accounts"])
    for spec in cli_accounts:
        # KEY:SECRET:PASSPHRASE:CCY=AMOUNT,CCY=AMOUNT
        parts = spec.split(":")
        balances = dict(item.split("=", 1) for item in parts[3].split(",") if item) if len(parts) > 3 else {}
        entries.append({"keys": [{"apiKey": parts[0], "secretKey": parts[1], "passphrase": parts[2]}],
                        "balances": balances})
    if not entries:
        entries.append({"name": "default", "balances": {"USDT": "100000", "BTC": "2", "ETH": "20"},
                        "keys": [{"apiKey": EXAMPLE_KEY, "secretKey": EXAMPLE_SECRET,
                                  "passphrase": EXAMPLE_PASSPHRASE}]})
    accounts = Accounts()
    for index, entry in enumerate(entries):
        accounts.add(_account_from(entry, index))
    return accounts
