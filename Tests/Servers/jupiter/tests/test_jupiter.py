"""The local Jupiter server: documented quote and swap shapes, exact constant-product amounts, and swap
transactions that need only the user's signature and land on the local Solana node with exactly the quoted
amounts — or fail on chain when the pool moved past the user's slippage bound."""
from __future__ import annotations

import base64
import struct

import pytest
import requests
from solders.keypair import Keypair
from solders.transaction import VersionedTransaction

from jupiter_fixtures import NATIVE_MINT, RpcFailure, ata, desk  # noqa: F401
from serverkit.testing import listening_ips

SIGNATURE_FEE = 5_000
TOKEN_ACCOUNT_RENT = 2_039_280
COMPUTE_BUDGET = "ComputeBudget111111111111111111111111111111"


# Written from Uniswap V2's getAmountOut / getAmountIn with the fee in bps, not from the server's curve.py.
def expected_out(amount: int, reserve_in: int, reserve_out: int, fee_bps: int) -> int:
    return amount * (10000 - fee_bps) * reserve_out // (reserve_in * 10000 + amount * (10000 - fee_bps))


def expected_in(amount: int, reserve_in: int, reserve_out: int, fee_bps: int) -> int:
    paid = reserve_in * amount * 10000 // ((reserve_out - amount) * (10000 - fee_bps)) + 1
    while expected_out(paid - 1, reserve_in, reserve_out, fee_bps) >= amount:
        paid -= 1
    return paid


@pytest.fixture
def market(desk):
    """A USDC-like (6 decimals) / TOKEN (9 decimals) pool at 30 bps, and a user holding USDC."""
    usdc, token = desk.mint(6), desk.mint(9)
    pool = desk.pool(usdc, token, 2_000_000 * 10**6, 1_000 * 10**9, 30)
    user = desk.wallet()
    desk.fund(user.pubkey(), usdc, 50_000 * 10**6)
    return {"usdc": usdc, "token": token, "pool": pool, "user": user}


def compute_budget(transaction: VersionedTransaction) -> tuple[int, int]:
    keys = [str(key) for key in transaction.message.account_keys]
    limit = price = None
    for instruction in transaction.message.instructions:
        if keys[instruction.program_id_index] == COMPUTE_BUDGET:
            data = bytes(instruction.data)
            if data[0] == 2:
                limit = struct.unpack("<I", data[1:5])[0]
            if data[0] == 3:
                price = struct.unpack("<Q", data[1:9])[0]
    return limit, price


def test_loopback_only(desk):
    assert listening_ips(desk.ports["rest"]) == {"127.0.0.1"}
    assert listening_ips(desk.ports["control"]) == {"127.0.0.1"}


def test_quote_exact_in_has_the_documented_shape_and_exact_amounts(desk, market):
    answer = desk.quote(inputMint=str(market["usdc"]), outputMint=str(market["token"]), amount="1000000000",
                        slippageBps="100")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    out = expected_out(1_000_000_000, 2_000_000 * 10**6, 1_000 * 10**9, 30)
    assert body["inAmount"] == "1000000000" and body["outAmount"] == str(out)
    assert body["otherAmountThreshold"] == str(out * 9900 // 10000)
    assert body["swapMode"] == "ExactIn" and body["slippageBps"] == 100 and body["platformFee"] is None
    (step,) = body["routePlan"]
    assert step["percent"] == 100
    assert step["swapInfo"] == {"ammKey": market["pool"]["ammKey"], "label": "Local CP",
                                "inputMint": str(market["usdc"]), "outputMint": str(market["token"]),
                                "inAmount": "1000000000", "outAmount": str(out), "feeAmount": "3000000",
                                "feeMint": str(market["usdc"])}
    assert isinstance(body["contextSlot"], int) and isinstance(body["timeTaken"], float)
    assert 0 < float(body["priceImpactPct"]) < 0.01
    assert desk.quote("/v6", inputMint=str(market["usdc"]), outputMint=str(market["token"]),
                      amount="1000000000").json()["outAmount"] == str(out)


def test_exact_in_swap_needs_only_the_user_and_lands_with_the_quoted_amounts(desk, market):
    user = market["user"]
    body = desk.quote(inputMint=str(market["usdc"]), outputMint=str(market["token"]), amount="2500000000",
                      slippageBps="50").json()
    answer = desk.swap({"quoteResponse": body, "userPublicKey": str(user.pubkey()),
                        "computeUnitPriceMicroLamports": 10_000})
    assert answer.status_code == 200, answer.text
    swap = answer.json()
    assert set(swap) >= {"swapTransaction", "lastValidBlockHeight", "prioritizationFeeLamports", "computeUnitLimit"}
    transaction = VersionedTransaction.from_bytes(base64.b64decode(swap["swapTransaction"]))
    assert transaction.message.header.num_required_signatures == 1
    assert transaction.message.account_keys[0] == user.pubkey()
    assert compute_budget(transaction) == (swap["computeUnitLimit"], 10_000)
    assert swap["prioritizationFeeLamports"] == -(-10_000 * swap["computeUnitLimit"] // 1_000_000)
    assert swap["lastValidBlockHeight"] == desk.rpc("getLatestBlockhash", {"commitment": "confirmed"})["value"][
        "lastValidBlockHeight"]

    user_usdc, user_token = ata(user.pubkey(), market["usdc"]), ata(user.pubkey(), market["token"])
    vault_usdc, vault_token = market["pool"]["vaultA"], market["pool"]["vaultB"]
    lamports_before = desk.lamports(user.pubkey())
    signature = desk.sign_and_send(swap, user)
    status = desk.rpc("getSignatureStatuses", [signature])["value"][0]
    assert status["err"] is None
    assert desk.tokens(user_usdc) == 50_000 * 10**6 - 2_500_000_000
    assert desk.tokens(user_token) == int(body["outAmount"])
    pools = {pool["ammKey"]: pool for pool in desk.control("/control/pools", method="GET")["pools"]}
    assert pools[market["pool"]["ammKey"]]["reserveA"] == str(2_000_000 * 10**6 + 2_500_000_000)
    assert pools[market["pool"]["ammKey"]]["reserveB"] == str(1_000 * 10**9 - int(body["outAmount"]))
    assert vault_usdc != vault_token
    # The user paid the fee and the rent of the output account the transaction created.
    assert lamports_before - desk.lamports(user.pubkey()) == \
        SIGNATURE_FEE + swap["prioritizationFeeLamports"] + TOKEN_ACCOUNT_RENT


def test_exact_out_swap(desk, market):
    user = market["user"]
    wanted = 3 * 10**9
    body = desk.quote(inputMint=str(market["usdc"]), outputMint=str(market["token"]), amount=str(wanted),
                      swapMode="ExactOut", slippageBps="20").json()
    reserves = desk.control("/control/pools", method="GET")["pools"]
    pool = next(p for p in reserves if p["ammKey"] == market["pool"]["ammKey"])
    paid = expected_in(wanted, int(pool["reserveA"]), int(pool["reserveB"]), 30)
    assert body["outAmount"] == str(wanted) and body["inAmount"] == str(paid)
    assert body["otherAmountThreshold"] == str(paid * 10020 // 10000)
    swap = desk.swap({"quoteResponse": body, "userPublicKey": str(user.pubkey())}).json()
    usdc_before = desk.tokens(ata(user.pubkey(), market["usdc"]))
    desk.sign_and_send(swap, user)
    assert desk.tokens(ata(user.pubkey(), market["token"])) == wanted
    assert usdc_before - desk.tokens(ata(user.pubkey(), market["usdc"])) == paid


def test_sol_in_is_wrapped_and_unwrapped(desk):
    token = desk.mint(6)
    pool = desk.pool(NATIVE_MINT, token, 500 * 10**9, 75_000 * 10**6, 25)
    user = desk.wallet(20 * 10**9)
    body = desk.quote(inputMint=str(NATIVE_MINT), outputMint=str(token), amount=str(10**9)).json()
    assert body["outAmount"] == str(expected_out(10**9, 500 * 10**9, 75_000 * 10**6, 25))
    swap = desk.swap({"quoteResponse": body, "userPublicKey": str(user.pubkey()), "wrapAndUnwrapSol": True}).json()
    before = desk.lamports(user.pubkey())
    desk.sign_and_send(swap, user)
    assert desk.tokens(ata(user.pubkey(), token)) == int(body["outAmount"])
    # The wSOL account was opened and closed in the transaction: only the SOL paid, the fee and the new token
    # account's rent are gone.
    assert before - desk.lamports(user.pubkey()) == 10**9 + SIGNATURE_FEE + swap["prioritizationFeeLamports"] + \
        TOKEN_ACCOUNT_RENT
    assert desk.rpc("getAccountInfo", str(ata(user.pubkey(), NATIVE_MINT)), {"commitment": "processed"})["value"] \
        is None
    assert pool["mintA"] == str(NATIVE_MINT)


def test_a_pool_moved_past_the_slippage_bound_fails_on_chain(desk, market):
    user, other = market["user"], desk.wallet()
    desk.fund(other.pubkey(), market["usdc"], 400_000 * 10**6)
    mine = desk.quote(inputMint=str(market["usdc"]), outputMint=str(market["token"]), amount="1000000000",
                      slippageBps="10").json()
    theirs = desk.quote(inputMint=str(market["usdc"]), outputMint=str(market["token"]),
                        amount=str(300_000 * 10**6)).json()
    desk.sign_and_send(desk.swap({"quoteResponse": theirs, "userPublicKey": str(other.pubkey())}).json(), other)
    swap = desk.swap({"quoteResponse": mine, "userPublicKey": str(user.pubkey())}).json()
    with pytest.raises(RpcFailure) as refused:
        desk.sign_and_send(swap, user)
    assert refused.value.code == -32002
    err = refused.value.data["err"]
    # The output transfer (TokenError::InsufficientFunds, 0x1): the pool approved nothing for these terms.
    assert err["InstructionError"][1] == {"Custom": 1}
    assert any("insufficient funds" in line.lower() for line in refused.value.data["logs"])


def test_dynamic_compute_unit_limit_and_a_priority_fee_in_lamports(desk, market):
    user = market["user"]
    body = desk.quote(inputMint=str(market["usdc"]), outputMint=str(market["token"]), amount="1000000").json()
    swap = desk.swap({"quoteResponse": body, "userPublicKey": str(user.pubkey()), "dynamicComputeUnitLimit": True,
                      "prioritizationFeeLamports": 50_000}).json()
    transaction = VersionedTransaction.from_bytes(base64.b64decode(swap["swapTransaction"]))
    limit, price = compute_budget(transaction)
    assert limit == swap["computeUnitLimit"] < 1_400_000 and swap["simulationError"] is None
    assert price == 50_000 * 1_000_000 // limit
    signature = desk.sign_and_send(swap, user)
    desk.node("/control/advance", {"slots": 1})
    meta = desk.rpc("getTransaction", signature, {"commitment": "confirmed",
                                                  "maxSupportedTransactionVersion": 0})["meta"]
    assert meta["computeUnitsConsumed"] <= limit
    assert meta["fee"] == SIGNATURE_FEE + swap["prioritizationFeeLamports"]


def test_a_swap_sent_after_its_last_valid_block_height_is_refused(desk, market):
    user = market["user"]
    body = desk.quote(inputMint=str(market["usdc"]), outputMint=str(market["token"]), amount="1000000").json()
    swap = desk.swap({"quoteResponse": body, "userPublicKey": str(user.pubkey())}).json()
    height = desk.rpc("getBlockHeight", {"commitment": "processed"})
    desk.node("/control/advance", {"slots": swap["lastValidBlockHeight"] - height + 1})
    with pytest.raises(RpcFailure) as refused:
        desk.sign_and_send(swap, user)
    assert refused.value.data["err"] == "BlockhashNotFound"


def test_errors(desk, market):
    unknown = desk.quote(inputMint=str(market["usdc"]), outputMint=str(Keypair().pubkey()), amount="5")
    assert unknown.status_code == 400 and unknown.json()["errorCode"] == "COULD_NOT_FIND_ANY_ROUTE"
    same = desk.quote(inputMint=str(market["usdc"]), outputMint=str(market["usdc"]), amount="5")
    assert same.json()["errorCode"] == "CIRCULAR_ARBITRAGE_IS_DISABLED"
    bad = desk.quote(inputMint=str(market["usdc"]), outputMint=str(market["token"]), amount="1.5")
    assert bad.status_code == 400 and "amount" in bad.json()["error"]
    too_much = desk.quote(inputMint=str(market["usdc"]), outputMint=str(market["token"]), amount=str(10**13),
                          swapMode="ExactOut")
    assert too_much.json()["errorCode"] == "COULD_NOT_FIND_ANY_ROUTE"
    missing = desk.swap({"userPublicKey": str(market["user"].pubkey())})
    assert missing.status_code == 400 and "quoteResponse" in missing.json()["error"]


def test_faults(desk, market):
    desk.control("/control/fault", {"type": "rate_limit", "retryAfter": 2})
    limited = desk.quote(inputMint=str(market["usdc"]), outputMint=str(market["token"]), amount="5000000")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "2"
    body = desk.quote(inputMint=str(market["usdc"]), outputMint=str(market["token"]), amount="5000000").json()
    desk.control("/control/fault", {"type": "mismatch"})
    swap = desk.swap({"quoteResponse": body, "userPublicKey": str(market["user"].pubkey())}).json()
    transaction = VersionedTransaction.from_bytes(base64.b64decode(swap["swapTransaction"]))
    # The output goes to an account that is not the user's: what a client must catch before signing.
    assert ata(market["user"].pubkey(), market["token"]) not in transaction.message.account_keys


def test_a_swap_is_built_while_the_node_is_behind(desk, market):
    user = market["user"]
    desk.node("/control/advance", {"slots": 20})
    desk.node("/control/fault", {"type": "behind", "slots": 10})
    try:
        body = desk.quote(inputMint=str(market["usdc"]), outputMint=str(market["token"]), amount="7000000").json()
        answer = desk.swap({"quoteResponse": body, "userPublicKey": str(user.pubkey())})
        assert answer.status_code == 200, answer.text
    finally:
        desk.node("/control/fault", {"type": "behind", "slots": 0})
    token_before = desk.tokens(ata(user.pubkey(), market["token"]))
    desk.sign_and_send(answer.json(), user)
    assert desk.tokens(ata(user.pubkey(), market["token"])) - token_before == int(body["outAmount"])


def test_priority_levels_follow_the_nodes_recent_fees_and_their_cap(desk, market):
    user = market["user"]
    fees = [1_000 * i for i in range(1, 101)]            # the node's last 100 blocks: 1,000 … 100,000 µlamports/CU
    desk.node("/control/advance", {"slots": 100})
    desk.node("/control/priority-fees", {"recent": fees})
    recent = [entry["prioritizationFee"] for entry in desk.rpc("getRecentPrioritizationFees", [])]
    ordered = sorted(recent)                              # 150 slots: 50 without a fee, then the 100 set
    body = desk.quote(inputMint=str(market["usdc"]), outputMint=str(market["token"]), amount="1000000").json()

    def price(fee) -> int:
        swap = desk.swap({"quoteResponse": body, "userPublicKey": str(user.pubkey()),
                          "prioritizationFeeLamports": fee}).json()
        return compute_budget(VersionedTransaction.from_bytes(base64.b64decode(swap["swapTransaction"])))[1]

    assert price("auto") == ordered[150 * 50 // 100]
    high = {"priorityLevelWithMaxLamports": {"priorityLevel": "veryHigh", "maxLamports": 10**9}}
    assert price(high) == ordered[150 * 90 // 100]
    capped = {"priorityLevelWithMaxLamports": {"priorityLevel": "veryHigh", "maxLamports": 14_000}}
    assert price(capped) == 14_000 * 1_000_000 // 1_400_000
    refused = desk.swap({"quoteResponse": body, "userPublicKey": str(user.pubkey()),
                         "prioritizationFeeLamports": {"jitoTipLamports": 1000}})
    assert refused.status_code == 400 and "prioritizationFeeLamports" in refused.json()["error"]


def test_a_legacy_swap_transaction_lands(desk, market):
    user = market["user"]
    body = desk.quote(inputMint=str(market["token"]), outputMint=str(market["usdc"]), amount="0",
                      swapMode="ExactIn")
    assert body.status_code == 400
    desk.fund(user.pubkey(), market["token"], 5 * 10**9)
    body = desk.quote(inputMint=str(market["token"]), outputMint=str(market["usdc"]), amount=str(10**9)).json()
    swap = desk.swap({"quoteResponse": body, "userPublicKey": str(user.pubkey()), "asLegacyTransaction": True}).json()
    transaction = VersionedTransaction.from_bytes(base64.b64decode(swap["swapTransaction"]))
    assert str(transaction.version()) == "Legacy.Legacy"
    usdc_before = desk.tokens(ata(user.pubkey(), market["usdc"]))
    desk.sign_and_send(swap, user)
    assert desk.tokens(ata(user.pubkey(), market["token"])) == 4 * 10**9
    assert desk.tokens(ata(user.pubkey(), market["usdc"])) - usdc_before == int(body["outAmount"])


def test_dexes_limits_the_pools_a_quote_uses_and_a_pool_may_stand_for_a_real_address(desk):
    usdc, token = desk.mint(6), desk.mint(9)
    desk.pool(usdc, token, 2_000_000 * 10**6, 1_000 * 10**9, 30)
    whirlpool = Keypair().pubkey()
    desk.control("/control/pool", {"mintA": str(usdc), "mintB": str(token), "reserveA": str(1_000_000 * 10**6),
                                   "reserveB": str(1_000 * 10**9), "feeBps": 5, "label": "Whirlpool",
                                   "ammKey": str(whirlpool)})
    params = {"inputMint": str(usdc), "outputMint": str(token), "amount": "1000000"}
    (step,) = desk.quote(**params, dexes="Whirlpool").json()["routePlan"]
    assert step["swapInfo"]["ammKey"] == str(whirlpool) and step["swapInfo"]["label"] == "Whirlpool"
    assert desk.quote(**params, dexes="Local CP").json()["routePlan"][0]["swapInfo"]["label"] == "Local CP"
    missing = desk.quote(**params, dexes="Raydium CP")
    assert missing.status_code == 400 and missing.json()["errorCode"] == "COULD_NOT_FIND_ANY_ROUTE"
    again = requests.post(desk.control_url + "/control/pool", json={
        "mintA": str(usdc), "mintB": str(token), "reserveA": "1", "reserveB": "1", "feeBps": 5, "label": "Whirlpool"},
        timeout=30)
    assert again.status_code == 400 and "exists already" in again.text
