"""Accounts, their API keys and balances, given at start (a JSON file or --account arguments).

File shape:
{"accounts": [{"name": "main", "uid": 1001,
               "balances": {"USDT": "100000", "BTC": "2"},
               "commission": {"maker": "0.001", "taker": "0.001"},
               "keys": [{"apiKey": "...", "secretKey": "...", "enableReading": true,
                         "enableSpotAndMarginTrading": true, "enableWithdrawals": false,
                         "ed25519PublicKey": "<PEM, optional: allows session.logon>"}]}]}

Secrets are never logged or returned by any endpoint (control views show key names and permissions only).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from common import ZERO, BinanceError, fmt

# The key pair Binance's own docs use in their signing examples (rest-api.md "SIGNED Endpoint Examples").
DOC_API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
DOC_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"


@dataclass
class ApiKey:
    api_key: str
    secret: str
    enable_reading: bool = True
    enable_trading: bool = True
    enable_withdrawals: bool = False
    ed25519_public_pem: str | None = None
    create_time: int = 1700000000000

    def restrictions(self) -> dict:
        return {
            "ipRestrict": False,
            "createTime": self.create_time,
            "enableReading": self.enable_reading,
            "enableSpotAndMarginTrading": self.enable_trading,
            "enableWithdrawals": self.enable_withdrawals,
            "enableInternalTransfer": False,
            "enableMargin": False,
            "enableFutures": False,
            "permitsUniversalTransfer": False,
            "enableVanillaOptions": False,
            "enableFixApiTrade": False,
            "enableFixReadOnly": False,
            "enablePortfolioMarginTrading": False,
        }

    def public(self) -> dict:
        return {"apiKey": self.api_key, **self.restrictions(), "ed25519": self.ed25519_public_pem is not None}


@dataclass
class Account:
    name: str
    uid: int
    free: dict[str, Decimal] = field(default_factory=dict)
    locked: dict[str, Decimal] = field(default_factory=dict)
    maker: Decimal = Decimal("0.001")
    taker: Decimal = Decimal("0.001")
    can_trade: bool = True
    can_withdraw: bool = True
    can_deposit: bool = True
    update_time: int = 0
    keys: list[ApiKey] = field(default_factory=list)

    def balance(self, asset: str) -> tuple[Decimal, Decimal]:
        return self.free.get(asset, ZERO), self.locked.get(asset, ZERO)

    def add_free(self, asset: str, delta: Decimal) -> None:
        self.free[asset] = self.free.get(asset, ZERO) + delta
        self.locked.setdefault(asset, ZERO)

    def lock(self, asset: str, amount: Decimal) -> None:
        free = self.free.get(asset, ZERO)
        if amount > free:
            raise BinanceError(-2010, "Account has insufficient balance for requested action.")
        self.free[asset] = free - amount
        self.locked[asset] = self.locked.get(asset, ZERO) + amount

    def unlock(self, asset: str, amount: Decimal) -> None:
        self.locked[asset] = self.locked.get(asset, ZERO) - amount
        self.free[asset] = self.free.get(asset, ZERO) + amount

    def spend_locked(self, asset: str, amount: Decimal) -> None:
        self.locked[asset] = self.locked.get(asset, ZERO) - amount

    def assets(self) -> list[str]:
        return sorted(set(self.free) | set(self.locked))

    def balances(self, omit_zero: bool = False) -> list[dict]:
        rows = []
        for asset in self.assets():
            free, locked = self.balance(asset)
            if omit_zero and free == 0 and locked == 0:
                continue
            rows.append({"asset": asset, "free": fmt(free), "locked": fmt(locked)})
        return rows

    def commission_rates(self) -> dict:
        return {"maker": fmt(self.maker), "taker": fmt(self.taker), "buyer": fmt(ZERO), "seller": fmt(ZERO)}


class Accounts:
    def __init__(self) -> None:
        self.accounts: list[Account] = []
        self.by_key: dict[str, tuple[Account, ApiKey]] = {}

    def add(self, account: Account) -> None:
        self.accounts.append(account)
        for key in account.keys:
            self.by_key[key.api_key] = (account, key)

    def lookup(self, api_key: str) -> tuple[Account, ApiKey] | None:
        return self.by_key.get(api_key)

    def find(self, name: str) -> Account | None:
        return next((a for a in self.accounts if a.name == name), None)

    def view(self, account: Account) -> dict:
        return {"name": account.name, "uid": account.uid, "balances": account.balances(),
                "commissionRates": account.commission_rates(), "keys": [k.public() for k in account.keys]}


def _account_from(entry: dict, uid: int) -> Account:
    commission = entry.get("commission", {})
    account = Account(
        name=entry.get("name", f"account{uid}"),
        uid=int(entry.get("uid", uid)),
        maker=Decimal(str(commission.get("maker", "0.001"))),
        taker=Decimal(str(commission.get("taker", "0.001"))),
        can_withdraw=bool(entry.get("canWithdraw", True)),
    )
    for asset, amount in entry.get("balances", {}).items():
        account.free[asset] = Decimal(str(amount))
        account.locked[asset] = ZERO
    for key in entry.get("keys", []):
        account.keys.append(ApiKey(
            api_key=key["apiKey"], secret=key["secretKey"],
            enable_reading=bool(key.get("enableReading", True)),
            enable_trading=bool(key.get("enableSpotAndMarginTrading", True)),
            enable_withdrawals=bool(key.get("enableWithdrawals", False)),
            ed25519_public_pem=key.get("ed25519PublicKey"),
        ))
    return account


def load(path: str | None, cli_accounts: list[str]) -> Accounts:
    accounts = Accounts()
    entries: list[dict] = []
    if path:
        entries.extend(json.loads(Path(path).read_text())["accounts"])
    for spec in cli_accounts:
        # KEY:SECRET:ASSET=AMOUNT,ASSET=AMOUNT[:withdraw]
        parts = spec.split(":")
        balances = dict(item.split("=", 1) for item in parts[2].split(",") if item) if len(parts) > 2 else {}
        entries.append({"keys": [{"apiKey": parts[0], "secretKey": parts[1],
                                  "enableWithdrawals": len(parts) > 3 and parts[3] == "withdraw"}],
                        "balances": balances})
    if not entries:
        entries.append({"name": "default", "balances": {"USDT": "100000", "BTC": "2", "ETH": "20"},
                        "keys": [{"apiKey": DOC_API_KEY, "secretKey": DOC_SECRET}]})
    for index, entry in enumerate(entries):
        accounts.add(_account_from(entry, 1000 + index))
    return accounts
