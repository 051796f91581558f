"""The market a local aggregator server quotes from: a few ERC-20 tokens and constant-product pools between them
(Uniswap V2's formula, fee in basis points), so every amount it answers is a real number a test can compute itself:

    out = in × (10000 − fee) × reserveOut ÷ (reserveIn × 10000 + in × (10000 − fee))     (integer division)

Quotes never move the reserves: the answers are deterministic. POST /control/book replaces the pools.
"""
from __future__ import annotations

from dataclasses import dataclass

# Ethereum mainnet addresses, EIP-55 (docs/evm-addresses.md); the native-coin placeholder both APIs use.
TOKENS = {
    "WETH": ("0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", 18),
    "USDC": ("0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", 6),
    "DAI": ("0x6B175474E89094C44Da98b954EedeAC495271d0F", 18),
    "USDT": ("0xdAC17F958D2ee523a2206206994597C13D831ec7", 6),
}
NATIVE = "0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE"

# USDT is a known token with no pool: asking for it is "insufficient liquidity", not "unknown token".
DEFAULT_POOLS = [
    {"token0": "WETH", "token1": "USDC", "reserve0": str(1_000 * 10**18), "reserve1": str(3_000_000 * 10**6),
     "feeBps": 30},
    {"token0": "WETH", "token1": "DAI", "reserve0": str(500 * 10**18), "reserve1": str(1_510_000 * 10**18),
     "feeBps": 30},
]


@dataclass
class Pool:
    token0: str
    token1: str
    reserve0: int
    reserve1: int
    fee_bps: int

    def view(self) -> dict:
        return {"token0": self.token0, "token1": self.token1, "address0": TOKENS[self.token0][0],
                "address1": TOKENS[self.token1][0], "reserve0": str(self.reserve0), "reserve1": str(self.reserve1),
                "feeBps": self.fee_bps}


def amount_out(amount_in: int, reserve_in: int, reserve_out: int, fee_bps: int) -> int:
    with_fee = amount_in * (10_000 - fee_bps)
    return with_fee * reserve_out // (reserve_in * 10_000 + with_fee)


class Book:
    def __init__(self, pools: list[dict] | None = None) -> None:
        self.pools: list[Pool] = []
        self.set(pools or DEFAULT_POOLS)

    def set(self, pools: list[dict]) -> None:
        parsed = []
        for spec in pools:
            for name in (spec["token0"], spec["token1"]):
                if name not in TOKENS:
                    raise ValueError(f"unknown token {name}")
            parsed.append(Pool(spec["token0"], spec["token1"], int(spec["reserve0"]), int(spec["reserve1"]),
                               int(spec.get("feeBps", 30))))
        self.pools = parsed

    @staticmethod
    def symbol(address: str) -> str | None:
        """The token's symbol for an address in any case; the native placeholder is WETH's liquidity."""
        if address.lower() == NATIVE.lower():
            return "WETH"
        for name, (known, _) in TOKENS.items():
            if known.lower() == address.lower():
                return name
        return None

    def quote(self, sell: str, buy: str, amount: int) -> int | None:
        """The amount of `buy` (a symbol) `amount` of `sell` gets through the direct pool; None: no route."""
        for pool in self.pools:
            if (pool.token0, pool.token1) == (sell, buy):
                out = amount_out(amount, pool.reserve0, pool.reserve1, pool.fee_bps)
            elif (pool.token1, pool.token0) == (sell, buy):
                out = amount_out(amount, pool.reserve1, pool.reserve0, pool.fee_bps)
            else:
                continue
            return out if out > 0 else None
        return None

    def view(self) -> dict:
        return {"pools": [pool.view() for pool in self.pools]}
