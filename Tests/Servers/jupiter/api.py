"""GET /quote and POST /swap of Jupiter's Swap API (v1 at /swap/v1/…, and the older /v6/…), in the documented
shapes: QuoteResponse {inputMint, inAmount, outputMint, outAmount, otherAmountThreshold, swapMode, slippageBps,
platformFee, priceImpactPct, routePlan[{swapInfo{ammKey, label, inputMint, outputMint, inAmount, outAmount,
feeAmount, feeMint}, percent}], contextSlot, timeTaken} and SwapResponse {swapTransaction, lastValidBlockHeight,
prioritizationFeeLamports, computeUnitLimit, prioritizationType, dynamicSlippageReport, simulationError}.

The swap transaction is a v0 message paid and signed by the user alone: compute-budget limit and price, the
setup (wSOL wrap, the output account created idempotently), TransferChecked of the input from the user to the
pool's vault, TransferChecked of the output from the pool's vault to the user by delegation, and the cleanup
(wSOL unwrap). Errors are 400 {"error", "errorCode"}."""
from __future__ import annotations

import base64
import time

from solders.hash import Hash
from solders.keypair import Keypair
from solders.message import Message, MessageV0
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import VersionedTransaction

import curve
import instructions as ix
from pools import Pool, Pools

DEFAULT_SLIPPAGE_BPS = 50
PRIORITY_PERCENTILES = {"medium": 50, "high": 75, "veryHigh": 90}
SIMULATION_MARGIN_DIVISOR = 5     # dynamic limit = consumed + consumed / 5


class ApiError(Exception):
    def __init__(self, message: str, code: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.code, self.status = message, code, status

    def body(self) -> dict:
        return {"error": self.message, "errorCode": self.code}


def mint_param(value, name: str) -> Pubkey:
    if not value:
        raise ApiError(f"Query parameter {name} is required", "INVALID_REQUEST")
    try:
        return Pubkey.from_string(value)
    except Exception:
        raise ApiError(f"Query parameter {name} cannot be parsed: {value!r} is not a base-58 public key",
                       "INVALID_REQUEST") from None


def whole(value, name: str, maximum: int = 2**64 - 1) -> int:
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not text.isdigit() or int(text) > maximum:
        raise ApiError(f"{name} must be an integer from 0 to {maximum}, got {value!r}", "INVALID_REQUEST")
    return int(text)


async def quote(pools: Pools, query) -> dict:
    started = time.monotonic()
    input_mint = mint_param(query.get("inputMint"), "inputMint")
    output_mint = mint_param(query.get("outputMint"), "outputMint")
    amount = whole(query.get("amount"), "amount")
    if amount == 0:
        raise ApiError("amount must be greater than 0", "INVALID_REQUEST")
    slippage = whole(query.get("slippageBps", DEFAULT_SLIPPAGE_BPS), "slippageBps", curve.BPS)
    mode = query.get("swapMode", "ExactIn")
    if mode not in ("ExactIn", "ExactOut"):
        raise ApiError(f"swapMode must be ExactIn or ExactOut, got {mode!r}", "INVALID_REQUEST")
    if input_mint == output_mint:
        raise ApiError("Circular arbitrage is disabled: inputMint and outputMint are the same",
                       "CIRCULAR_ARBITRAGE_IS_DISABLED")
    dexes = query.get("dexes")
    pool = pools.find(input_mint, output_mint, [d.strip() for d in dexes.split(",") if d.strip()] if dexes else None)
    if pool is None:
        raise ApiError("Could not find any route", "COULD_NOT_FIND_ANY_ROUTE")
    reserve_in, reserve_out = await pools.reserves(pool, input_mint)
    if mode == "ExactIn":
        paid, received = amount, curve.amount_out(amount, reserve_in, reserve_out, pool.fee_bps)
        if received == 0:
            raise ApiError("Could not find any route", "COULD_NOT_FIND_ANY_ROUTE")
        threshold = curve.minimum_out(received, slippage)
    else:
        received, paid = amount, curve.amount_in(amount, reserve_in, reserve_out, pool.fee_bps)
        if paid is None:
            raise ApiError("Could not find any route", "COULD_NOT_FIND_ANY_ROUTE")
        threshold = curve.maximum_in(paid, slippage)
    slot = await pools.node.slot()
    return {"inputMint": str(input_mint), "inAmount": str(paid), "outputMint": str(output_mint),
            "outAmount": str(received), "otherAmountThreshold": str(threshold), "swapMode": mode,
            "slippageBps": slippage, "platformFee": None,
            "priceImpactPct": curve.price_impact_pct(paid, received, reserve_in, reserve_out),
            "routePlan": [{"swapInfo": {"ammKey": str(pool.amm_key), "label": pool.label,
                                        "inputMint": str(input_mint), "outputMint": str(output_mint),
                                        "inAmount": str(paid), "outAmount": str(received),
                                        "feeAmount": str(curve.fee_amount(paid, pool.fee_bps)),
                                        "feeMint": str(input_mint)},
                           "percent": 100}],
            "contextSlot": slot, "timeTaken": round(time.monotonic() - started, 6)}


def read_quote(pools: Pools, body: dict) -> tuple[Pool, dict]:
    quote_response = body.get("quoteResponse")
    if not isinstance(quote_response, dict):
        raise ApiError("quoteResponse is required (the body of GET /quote)", "INVALID_REQUEST")
    plan = quote_response.get("routePlan")
    if not isinstance(plan, list) or len(plan) != 1 or not isinstance(plan[0], dict):
        raise ApiError("quoteResponse.routePlan must hold the one step this server quoted", "INVALID_REQUEST")
    pool = pools.by_key(str(plan[0].get("swapInfo", {}).get("ammKey")))
    if pool is None:
        raise ApiError("quoteResponse.routePlan[0].swapInfo.ammKey is not a pool of this server", "INVALID_REQUEST")
    terms = {"input": mint_param(quote_response.get("inputMint"), "quoteResponse.inputMint"),
             "output": mint_param(quote_response.get("outputMint"), "quoteResponse.outputMint"),
             "in": whole(quote_response.get("inAmount"), "quoteResponse.inAmount"),
             "out": whole(quote_response.get("outAmount"), "quoteResponse.outAmount"),
             "threshold": whole(quote_response.get("otherAmountThreshold"), "quoteResponse.otherAmountThreshold"),
             "mode": quote_response.get("swapMode")}
    if {terms["input"], terms["output"]} != {pool.a.mint, pool.b.mint} or terms["input"] == terms["output"]:
        raise ApiError("quoteResponse mints are not the pool's", "INVALID_REQUEST")
    if terms["mode"] not in ("ExactIn", "ExactOut"):
        raise ApiError("quoteResponse.swapMode must be ExactIn or ExactOut", "INVALID_REQUEST")
    return pool, terms


async def settle_terms(pools: Pools, pool: Pool, terms: dict) -> tuple[int, int, bool]:
    """(paid, received, honoured): what the transaction moves now, within the user's bound, and whether the pool's
    curve on the live reserves allows it (if not, the pool approves nothing and the transaction fails on chain)."""
    reserve_in, reserve_out = await pools.reserves(pool, terms["input"])
    if terms["mode"] == "ExactIn":
        paid = terms["in"]
        now = curve.amount_out(paid, reserve_in, reserve_out, pool.fee_bps)
        return (paid, now, True) if now >= terms["threshold"] else (paid, terms["threshold"], False)
    received = terms["out"]
    now = curve.amount_in(received, reserve_in, reserve_out, pool.fee_bps)
    if now is not None and now <= terms["threshold"]:
        return now, received, True
    return terms["threshold"], received, False


async def unit_price(pools: Pools, body: dict, pool: Pool, limit: int) -> int:
    if body.get("computeUnitPriceMicroLamports") is not None:
        return whole(body["computeUnitPriceMicroLamports"], "computeUnitPriceMicroLamports")
    fee = body.get("prioritizationFeeLamports")
    if fee is None:
        return 0
    if isinstance(fee, (int, str)) and str(fee).isdigit():
        return whole(fee, "prioritizationFeeLamports") * 1_000_000 // limit
    recent = await pools.node.recent_fees([str(pool.a.vault), str(pool.b.vault)])
    if fee == "auto":
        level, cap = "medium", None
    elif isinstance(fee, dict) and isinstance(fee.get("priorityLevelWithMaxLamports"), dict):
        choice = fee["priorityLevelWithMaxLamports"]
        level = choice.get("priorityLevel", "medium")
        if level not in PRIORITY_PERCENTILES:
            raise ApiError(f"priorityLevel must be one of {', '.join(PRIORITY_PERCENTILES)}, got {level!r}",
                           "INVALID_REQUEST")
        cap = whole(choice.get("maxLamports"), "priorityLevelWithMaxLamports.maxLamports")
    else:
        raise ApiError(f"prioritizationFeeLamports must be lamports, \"auto\" or {{priorityLevelWithMaxLamports}} "
                       f"(Jito tips are not served here), got {fee!r}", "INVALID_REQUEST")
    ordered = sorted(recent)
    price = ordered[min(len(ordered) - 1, len(ordered) * PRIORITY_PERCENTILES[level] // 100)] if ordered else 0
    if cap is not None:
        price = min(price, cap * 1_000_000 // limit)
    return price


def build(user: Pubkey, pool: Pool, terms: dict, paid: int, received: int, wrap: bool, limit: int, price: int,
          blockhash: Hash, legacy: bool, receiver: Pubkey | None = None) -> VersionedTransaction:
    side_in, side_out = pool.sides(terms["input"])
    user_in = ix.associated_address(user, side_in.mint, side_in.program)
    owner_out = receiver or user
    user_out = ix.associated_address(owner_out, side_out.mint, side_out.program)
    setup, cleanup = [], []
    if wrap and side_in.mint == ix.NATIVE_MINT:
        setup += [ix.create_associated_idempotent(user, user, side_in.mint, side_in.program),
                  ix.lamports(user, user_in, paid), ix.sync_native(user_in, side_in.program)]
        cleanup.append(ix.close_account(user_in, user, user, side_in.program))
    setup.append(ix.create_associated_idempotent(user, owner_out, side_out.mint, side_out.program))
    if wrap and side_out.mint == ix.NATIVE_MINT and receiver is None:
        cleanup.append(ix.close_account(user_out, user, user, side_out.program))
    swap = [ix.transfer_checked(user_in, side_in.mint, side_in.vault, user, paid, side_in.decimals, side_in.program),
            ix.transfer_checked(side_out.vault, side_out.mint, user_out, user, received, side_out.decimals,
                                side_out.program)]
    instructions = [ix.compute_limit(limit), ix.compute_price(price), *setup, *swap, *cleanup]
    if legacy:
        message = Message.new_with_blockhash(instructions, user, blockhash)
    else:
        message = MessageV0.try_compile(user, instructions, [], blockhash)
    # Unsigned: the one signature slot is the user's to fill.
    return VersionedTransaction.populate(message, [Signature.default()])


async def swap(pools: Pools, body, mismatch: bool = False) -> dict:
    if not isinstance(body, dict):
        raise ApiError("the body must be a JSON object", "INVALID_REQUEST")
    try:
        user = Pubkey.from_string(body.get("userPublicKey") or "")
    except Exception:
        raise ApiError(f"userPublicKey must be a base-58 public key, got {body.get('userPublicKey')!r}",
                       "INVALID_REQUEST") from None
    pool, terms = read_quote(pools, body)
    wrap = body.get("wrapAndUnwrapSol", True) is not False
    legacy = body.get("asLegacyTransaction") is True
    paid, received, honoured = await settle_terms(pools, pool, terms)
    _, side_out = pool.sides(terms["input"])
    receiver = Keypair().pubkey() if mismatch else None
    latest = await pools.node.latest_blockhash()
    blockhash, last_valid = Hash.from_string(latest["blockhash"]), latest["lastValidBlockHeight"]
    limit = ix.MAX_COMPUTE_UNITS
    price = await unit_price(pools, body, pool, limit)
    await pools.approve(pool, side_out, user, received if honoured else 0)
    simulation_error = None
    if body.get("dynamicComputeUnitLimit") is True:
        trial = build(user, pool, terms, paid, received, wrap, limit, price, blockhash, legacy, receiver)
        simulated = await pools.node.simulate(trial)
        if simulated["err"] is None:
            consumed = simulated["unitsConsumed"]
            limit = min(ix.MAX_COMPUTE_UNITS, consumed + consumed // SIMULATION_MARGIN_DIVISOR)
            if body.get("computeUnitPriceMicroLamports") is None and body.get("prioritizationFeeLamports") is not None:
                price = await unit_price(pools, body, pool, limit)
        else:
            simulation_error = {"errorCode": "TRANSACTION_ERROR", "error": str(simulated["err"])}
    transaction = build(user, pool, terms, paid, received, wrap, limit, price, blockhash, legacy, receiver)
    return {"swapTransaction": base64.b64encode(bytes(transaction)).decode(), "lastValidBlockHeight": last_valid,
            "prioritizationFeeLamports": -(-price * limit // 1_000_000), "computeUnitLimit": limit,
            "prioritizationType": {"computeBudget": {"microLamports": price, "estimatedMicroLamports": price}},
            "dynamicSlippageReport": None, "simulationError": simulation_error}
