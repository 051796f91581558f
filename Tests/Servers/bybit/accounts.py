"""Unified trading accounts (UTA), their API keys, the USDT wallet, positions and settings, given at start.

File shape (--accounts FILE):
{"accounts": [{"name": "main", "uid": 1001, "balances": {"USDT": "100000"},
               "fees": {"maker": "0.0002", "taker": "0.00055"}, "leverage": 10,
               "keys": [{"apiKey": "...", "secret": "...", "readOnly": false, "withdraw": false}]}]}
or --account KEY:SECRET:USDT=1000 (repeatable). Without either: one account keyed with the credentials of the Bybit
signing example in shared/vectors/exchanges/oracle_examples (ccxt 4.5.90 with a fixed clock), so those recorded
signatures verify here. Secrets are never logged or served.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from common import D, ZERO

EXAMPLE_KEY = "bybit-test-key"
EXAMPLE_SECRET = "bybit-test-secret"
COIN = "USDT"
EIGHT = D("0.00000001")


@dataclass
class ApiKey:
    api_key: str
    secret: str
    read_only: bool = False
    withdraw: bool = False

    def public(self) -> dict:
        return {"apiKey": self.api_key, "readOnly": self.read_only, "withdraw": self.withdraw}

    def permissions(self) -> dict:
        """GET /v5/user/query-api's permission groups, as Bybit's example answer lists them."""
        wallet = ["AccountTransfer", "SubMemberTransfer"] + (["Withdraw"] if self.withdraw else [])
        return {"ContractTrade": [] if self.read_only else ["Order", "Position"],
                "Spot": [] if self.read_only else ["SpotTrade"], "Wallet": wallet, "Options": [],
                "Derivatives": [], "CopyTrading": [], "BlockTrade": [], "Exchange": [], "NFT": [], "Affiliate": []}


@dataclass
class Position:
    symbol: str
    idx: int = 0                 # positionIdx: 0 one-way, 1 hedge Buy side, 2 hedge Sell side
    amount: Decimal = ZERO       # signed: > 0 long, < 0 short
    entry: Decimal = ZERO        # quantity-weighted average of the opening fills, 8 decimals half-up
    cur_realised: Decimal = ZERO  # realised PnL of the current holding: closed PnL - fees + funding
    cum_realised: Decimal = ZERO  # the same over the position's whole life
    created_time: int = 0
    updated_time: int = 0
    seq: int = 0

    def fill(self, signed_qty: Decimal, price: Decimal) -> tuple[Decimal, Decimal]:
        """Applies a fill; returns (closed size, closed PnL) of the part that reduced the position, exact."""
        closed_pnl = closed = ZERO
        if self.amount == 0 or (self.amount > 0) == (signed_qty > 0):
            size = abs(self.amount) + abs(signed_qty)
            average = (abs(self.amount) * self.entry + abs(signed_qty) * price) / size
            self.entry = average.quantize(EIGHT, rounding=ROUND_HALF_UP)
            self.amount += signed_qty
        else:
            closed = min(abs(signed_qty), abs(self.amount))
            direction = 1 if self.amount > 0 else -1
            closed_pnl = closed * (price - self.entry) * direction
            self.amount += signed_qty
            if self.amount == 0:
                self.entry = ZERO
            elif (self.amount > 0) != (direction > 0):
                self.entry = price        # through zero: the rest opens at the fill price
        return closed, closed_pnl

    @property
    def side(self) -> str:
        return "Buy" if self.amount > 0 else "Sell" if self.amount < 0 else ""


@dataclass
class Account:
    name: str
    uid: int
    wallet: Decimal
    maker: Decimal = D("0.0002")
    taker: Decimal = D("0.00055")
    default_leverage: int = 10
    keys: list[ApiKey] = field(default_factory=list)
    leverage: dict[str, Decimal] = field(default_factory=dict)
    hedge: dict[str, bool] = field(default_factory=dict)      # symbol -> hedge mode (mode 3)
    positions: dict[tuple[str, int], Position] = field(default_factory=dict)
    executions: list[dict] = field(default_factory=list)      # every execution (Trade and Funding), oldest first
    log: list[dict] = field(default_factory=list)             # transaction log rows, oldest first
    cum_realised: dict[str, Decimal] = field(default_factory=dict)   # per coin (wallet's cumRealisedPnl)
    updated_time: int = 0

    def position(self, symbol: str, idx: int = 0) -> Position:
        key = (symbol, idx)
        if key not in self.positions:
            self.positions[key] = Position(symbol, idx)
        return self.positions[key]

    def lev(self, symbol: str) -> Decimal:
        return self.leverage.get(symbol, D(self.default_leverage))

    def is_hedge(self, symbol: str) -> bool:
        return self.hedge.get(symbol, False)


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
    fees = spec.get("fees", {})
    keys = [ApiKey(k["apiKey"], k["secret"], bool(k.get("readOnly", False)), bool(k.get("withdraw", False)))
            for k in spec.get("keys", [])]
    return Account(name=spec.get("name", f"account{index}"), uid=int(spec.get("uid", 1001 + index)),
                   wallet=D(str(spec.get("balances", {}).get(COIN, "0"))), maker=D(str(fees.get("maker", "0.0002"))),
                   taker=D(str(fees.get("taker", "0.00055"))), default_leverage=int(spec.get("leverage", 10)),
                   keys=keys)


def load(path: str | None, inline: list[str]) -> Accounts:
    specs: list[dict] = []
    if path:
        specs += json.loads(Path(path).read_text())["accounts"]
    for index, text in enumerate(inline):
        key, secret, balances = (text.split(":", 2) + ["", ""])[:3]
        amounts = dict(item.split("=", 1) for item in balances.split(",") if "=" in item)
        specs.append({"name": f"cli{index}", "balances": amounts, "keys": [{"apiKey": key, "secret": secret}]})
    if not specs:
        specs = [{"name": "main", "balances": {COIN: "100000"},
                  "keys": [{"apiKey": EXAMPLE_KEY, "secret": EXAMPLE_SECRET}]}]
    return Accounts([_from_spec(spec, index) for index, spec in enumerate(specs)])
