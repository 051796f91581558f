"""The constant-product pool the local Jupiter server routes through, in exact integers (no floats anywhere):

    ExactIn   out = ⌊ in·(10000−fee)·R_out / (R_in·10000 + in·(10000−fee)) ⌋
    ExactOut  in  = ⌈ R_in·out·10000 / ((R_out−out)·(10000−fee)) ⌉   (the least input giving at least `out`)
    fee       feeAmount = ⌈ in·fee / 10000 ⌉ of the input mint

with R_in, R_out the pool vaults' balances on the node and `fee` in basis points — Uniswap V2's getAmountOut /
getAmountIn with the fee in bps. Slippage bounds (otherAmountThreshold):

    ExactIn   minimum out = ⌊ out·(10000−slippageBps) / 10000 ⌋
    ExactOut  maximum in  = ⌊ in·(10000+slippageBps) / 10000 ⌋
"""
from __future__ import annotations

from decimal import Decimal, localcontext

BPS = 10_000


def amount_out(amount_in: int, reserve_in: int, reserve_out: int, fee_bps: int) -> int:
    taken = amount_in * (BPS - fee_bps)
    return taken * reserve_out // (reserve_in * BPS + taken)


def amount_in(amount_out_wanted: int, reserve_in: int, reserve_out: int, fee_bps: int) -> int | None:
    """The least input that gives at least `amount_out_wanted`, or None when the pool cannot pay it."""
    if amount_out_wanted >= reserve_out:
        return None
    numerator = reserve_in * amount_out_wanted * BPS
    denominator = (reserve_out - amount_out_wanted) * (BPS - fee_bps)
    needed = -(-numerator // denominator)
    # The floor in amount_out can leave the ceiling one short; step up until the forward formula agrees.
    while amount_out(needed, reserve_in, reserve_out, fee_bps) < amount_out_wanted:
        needed += 1
    return needed


def fee_amount(amount_in_paid: int, fee_bps: int) -> int:
    return -(-amount_in_paid * fee_bps // BPS)


def minimum_out(out: int, slippage_bps: int) -> int:
    return out * (BPS - slippage_bps) // BPS


def maximum_in(paid: int, slippage_bps: int) -> int:
    return paid * (BPS + slippage_bps) // BPS


def price_impact_pct(paid: int, received: int, reserve_in: int, reserve_out: int) -> str:
    """1 − (received / paid) / (R_out / R_in): how far the fill is below the pool's spot price, fee included, as
    the decimal string Jupiter sends."""
    with localcontext() as context:
        context.prec = 40
        impact = Decimal(1) - (Decimal(received) * Decimal(reserve_in)) / (Decimal(paid) * Decimal(reserve_out))
        text = format(impact.quantize(Decimal("1e-18")).normalize(), "f")
    return "0" if text in ("0", "-0") else text
