"""Accounts, their CDP API keys (key name + EC P-256 key) and balances, given at start.

File shape (--accounts FILE):
{"accounts": [{"name": "main", "balances": {"USD": "100000", "BTC": "2"},
               "fees": {"taker": "0.006", "maker": "0.004"}, "pricingTier": "Advanced 1",
               "keys": [{"name": "organizations/<org>/apiKeys/<id>", "pem": "<PEM text or a file path>",
                         "permissions": "view,trade"}]}]}
--account KEYNAME:PEMFILE:USD=1000,BTC=0.5 (repeatable; PEMFILE holds the private key, or just the public one).
Without accounts: one account "default" with a key pair made at start; its private key is written to a temp file
(mode 0600) whose path, with the key name, is in the startup line (`defaultKeyName`, `defaultKeyFile`).
Fees are fractions as transaction_summary writes them ("0.006" = 0.6 %). A key's `permissions` is a subset of
view, trade, transfer (default view,trade). Private keys are never logged or served (control views show key names).
"""
from __future__ import annotations

import json
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from common import ZERO, fmt

DEFAULT_KEY_NAME = "organizations/00000000-0000-4000-8000-000000000000/apiKeys/00000000-0000-4000-8000-00000000d3c7"
DEFAULT_BALANCES = {"USD": "100000", "EUR": "100000", "GBP": "100000", "USDT": "100000", "BTC": "10",
                    "SKL": "1000000", "BAND": "10000", "NU": "100000", "YFI": "10", "CRV": "100000", "DASH": "1000",
                    "NMR": "1000"}
DEFAULT_PERMISSIONS = "view,trade"
NAMESPACE = uuid.UUID("6f1c2a52-6c1e-4b9e-9a53-0c6f6a1f0c01")


@dataclass
class ApiKey:
    name: str
    public_key: ec.EllipticCurvePublicKey
    permissions: str = DEFAULT_PERMISSIONS

    def can(self, permission: str) -> bool:
        return permission in self.permissions.split(",")

    def view(self) -> dict:
        return {"name": self.name, "permissions": self.permissions}


@dataclass
class Account:
    name: str
    balances: dict[str, Decimal] = field(default_factory=dict)      # totals
    holds: dict[str, Decimal] = field(default_factory=dict)         # held by open orders
    taker: Decimal = Decimal("0.006")
    maker: Decimal = Decimal("0.004")
    pricing_tier: str = "Advanced 1"
    keys: list[ApiKey] = field(default_factory=list)

    @property
    def user_id(self) -> str:
        return str(uuid.uuid5(NAMESPACE, "user:" + self.name))

    @property
    def portfolio_uuid(self) -> str:
        return str(uuid.uuid5(NAMESPACE, "portfolio:" + self.name))

    def wallet_uuid(self, currency: str) -> str:
        return str(uuid.uuid5(NAMESPACE, f"wallet:{self.name}:{currency}"))

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
        return {"name": self.name, "userId": self.user_id, "portfolioUuid": self.portfolio_uuid,
                "balances": {a: {"total": fmt(self.total(a)), "hold": fmt(self.hold(a)),
                                 "available": fmt(self.available(a))} for a in self.assets()},
                "fees": {"taker": fmt(self.taker), "maker": fmt(self.maker), "pricingTier": self.pricing_tier},
                "keys": [key.view() for key in self.keys]}


class Accounts:
    def __init__(self) -> None:
        self.accounts: list[Account] = []
        self.by_key: dict[str, tuple[Account, ApiKey]] = {}
        self.default_key_name: str | None = None
        self.default_key_file: str | None = None

    def add(self, account: Account) -> None:
        self.accounts.append(account)
        for key in account.keys:
            self.by_key[key.name] = (account, key)

    def lookup(self, key_name: str | None) -> tuple[Account, ApiKey] | None:
        return self.by_key.get(key_name or "")

    def find(self, name: str) -> Account | None:
        return next((a for a in self.accounts if a.name == name), None)

    def cleanup(self) -> None:
        if self.default_key_file:
            Path(self.default_key_file).unlink(missing_ok=True)


def public_key(pem_or_path: str) -> ec.EllipticCurvePublicKey:
    text = pem_or_path if "-----BEGIN" in pem_or_path else Path(pem_or_path).read_text()
    data = text.encode()
    if b"PRIVATE KEY" in data:
        key = serialization.load_pem_private_key(data, password=None)
        public = key.public_key()
    else:
        public = serialization.load_pem_public_key(data)
    if not isinstance(public, ec.EllipticCurvePublicKey) or public.curve.name != "secp256r1":
        raise SystemExit("API keys must be EC P-256 (ES256)")
    return public


def _account_from(entry: dict, index: int) -> Account:
    fees = entry.get("fees", {})
    account = Account(name=entry.get("name", f"account{index}"), taker=Decimal(str(fees.get("taker", "0.006"))),
                      maker=Decimal(str(fees.get("maker", "0.004"))),
                      pricing_tier=entry.get("pricingTier", "Advanced 1"))
    for asset, amount in entry.get("balances", {}).items():
        account.balances[asset] = Decimal(str(amount))
    for key in entry.get("keys", []):
        account.keys.append(ApiKey(key["name"], public_key(key["pem"]),
                                   key.get("permissions", DEFAULT_PERMISSIONS)))
    return account


def _default_key() -> tuple[str, ec.EllipticCurvePublicKey]:
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    handle, path = tempfile.mkstemp(prefix="coinbase-server-key-", suffix=".pem")
    os.fchmod(handle, 0o600)
    with os.fdopen(handle, "wb") as out:
        out.write(pem)
    return path, private.public_key()


def load(path: str | None, cli_accounts: list[str]) -> Accounts:
    entries: list[dict] = []
    if path:
        entries.extend(json.loads(Path(path).read_text())["accounts"])
    for spec in cli_accounts:
        parts = spec.split(":")          # KEYNAME:PEMFILE:ASSET=AMOUNT,... (key names and paths have no ':')
        if len(parts) < 2:
            raise SystemExit(f"--account {parts[0]}: KEYNAME:PEMFILE[:ASSET=AMOUNT,...]")
        balances = dict(item.split("=", 1) for item in parts[2].split(",") if item) if len(parts) > 2 else {}
        entries.append({"keys": [{"name": parts[0], "pem": parts[1]}], "balances": balances})
    accounts = Accounts()
    if not entries:
        key_file, public = _default_key()
        account = Account(name="default", balances={a: Decimal(v) for a, v in DEFAULT_BALANCES.items()},
                          keys=[ApiKey(DEFAULT_KEY_NAME, public)])
        accounts.add(account)
        accounts.default_key_name, accounts.default_key_file = DEFAULT_KEY_NAME, key_file
        return accounts
    for index, entry in enumerate(entries):
        accounts.add(_account_from(entry, index))
    return accounts
