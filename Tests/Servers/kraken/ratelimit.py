"""Kraken's documented counters (docs "Spot REST Rate Limits" and "Spot Trading Limits").

REST call counter, per API key: +1 per private call, +2 for ledger / trade-history calls (TradesHistory), AddOrder /
CancelOrder / CancelAll are not counted here. It decays continuously at the tier's rate; a call that would take it
above the tier's maximum is refused with EAPI:Rate limit exceeded (and not counted).
Trading counter, per account and pair, shared by REST and WebSocket: add +1; cancel +8/+6/+5/+4/+2/+1 when the
order rested < 5/10/15/45/90/300 s; decays at the tier's rate; at the threshold the transaction is refused with
EOrder:Rate limit exceeded. The fixed cost applies even when the transaction then fails validation (docs).
Open orders per pair are capped by tier (EOrder:Orders limit exceeded, checked in the engine).
"""
from __future__ import annotations

from dataclasses import dataclass

from common import Clock, KrakenError


@dataclass(frozen=True)
class Tier:
    rest_max: float
    rest_decay: float
    trade_threshold: float
    trade_decay: float
    open_orders: int


TIERS = {"starter": Tier(15, 0.33, 60, 1.0, 60), "intermediate": Tier(20, 0.5, 125, 2.34, 80),
         "pro": Tier(20, 1.0, 180, 3.75, 225)}
REST_COST = {"TradesHistory": 2, "QueryTrades": 2, "Ledgers": 2, "QueryLedgers": 2,
             "AddOrder": 0, "CancelOrder": 0, "CancelAll": 0}
CANCEL_COST = ((5, 8), (10, 6), (15, 5), (45, 4), (90, 2), (300, 1))


def cancel_cost(age_s: float) -> int:
    return next((cost for limit, cost in CANCEL_COST if age_s < limit), 0)


class Counter:
    def __init__(self) -> None:
        self.value = 0.0
        self.at = 0.0

    def current(self, now: float, decay: float) -> float:
        return max(0.0, self.value - (now - self.at) * decay)


class RateLimiter:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.rest: dict[str, Counter] = {}
        self.trading: dict[tuple[str, str], Counter] = {}
        self.enabled = True

    def charge_rest(self, api_key: str, tier: str, method: str) -> None:
        cost = REST_COST.get(method, 1)
        if not cost or not self.enabled:
            return
        rule, now = TIERS[tier], self.clock.now()
        counter = self.rest.setdefault(api_key, Counter())
        value = counter.current(now, rule.rest_decay)
        if value + cost > rule.rest_max:
            raise KrakenError("EAPI:Rate limit exceeded")
        counter.value, counter.at = value + cost, now

    def charge_trading(self, account: str, tier: str, pair: str, cost: float) -> None:
        if not self.enabled:
            return
        rule, now = TIERS[tier], self.clock.now()
        counter = self.trading.setdefault((account, pair), Counter())
        value = counter.current(now, rule.trade_decay)
        if value + cost > rule.trade_threshold:
            raise KrakenError("EOrder:Rate limit exceeded")
        counter.value, counter.at = value + cost, now

    def reset(self) -> None:
        self.rest.clear()
        self.trading.clear()

    def view(self) -> dict:
        now = self.clock.now()
        return {"enabled": self.enabled,
                "tiers": {name: vars(tier) for name, tier in TIERS.items()},
                "rest": {key: round(c.current(now, 0), 3) for key, c in self.rest.items()},
                "trading": {f"{a}/{p}": round(c.current(now, 0), 3) for (a, p), c in self.trading.items()}}
