"""Transactions on the local Solana node: what lands moves balances exactly, what cannot land is refused the way
a node refuses it (expired blockhash, simulation failure with the program's logs, compute limit, bad signature),
and statuses advance processed → confirmed → finalized as blocks pass."""
from __future__ import annotations

import base64

import pytest
from solders.keypair import Keypair
from solders.message import to_bytes_versioned
from solders.rpc.responses import (GetLatestBlockhashResp, GetSignatureStatusesResp, GetTransactionResp,
                                   SimulateTransactionResp)
from solders.signature import Signature
from solders.transaction import VersionedTransaction

from solana_fixtures import (SOL, RpcFailure, compute_limit, compute_price, lamports_transfer, node, sign,  # noqa: F401
                             solana, transfer_checked)

SIGNATURE_FEE = 5_000
# Enough for a new system account to be rent-exempt (890,880 lamports for 0 bytes): less is refused with
# InsufficientFundsForRent, as on a real cluster.
RENT_FREE = 1_000_000


def test_a_signed_transfer_lands_and_lamports_move_exactly(node):
    payer, receiver = node.wallet(2 * SOL), Keypair()
    blockhash, _ = node.blockhash()
    transaction = sign(payer, [compute_limit(1_000), compute_price(2_500), lamports_transfer(payer, receiver.pubkey(),
                                                                                             123_456_789)], blockhash)
    signature = node.send(transaction)
    assert signature == str(transaction.signatures[0])
    # 5,000 per signature + ⌈2,500 µlamports × 1,000 CU / 10⁶⌉ = 5,003.
    fee = SIGNATURE_FEE + (2_500 * 1_000 + 999_999) // 1_000_000
    assert node.balance(payer.pubkey()) == 2 * SOL - 123_456_789 - fee
    assert node.balance(receiver.pubkey()) == 123_456_789

    status = node.status(signature)
    assert status["confirmationStatus"] == "processed" and status["confirmations"] == 0
    assert status["err"] is None and status["status"] == {"Ok": None}
    node.advance(1)
    assert node.status(signature)["confirmationStatus"] == "confirmed"
    assert node.call("getTransaction", signature, {"commitment": "finalized", "maxSupportedTransactionVersion": 0}) \
        is None
    node.advance(31)
    status = node.status(signature)
    assert status["confirmationStatus"] == "finalized" and status["confirmations"] is None
    parsed = GetSignatureStatusesResp.from_json(node.post({"jsonrpc": "2.0", "id": 3, "method": "getSignatureStatuses",
                                                           "params": [[signature]]}).text)
    assert parsed.value[0].slot == status["slot"]

    body = node.raw("getTransaction", [signature, {"encoding": "base64", "maxSupportedTransactionVersion": 0}])
    meta = body["result"]["meta"]
    assert meta["fee"] == fee and meta["err"] is None and body["result"]["version"] == 0
    assert meta["preBalances"][0] - meta["postBalances"][0] == 123_456_789 + fee
    assert base64.b64decode(body["result"]["transaction"][0]) == bytes(transaction)
    assert any("11111111111111111111111111111111 success" in line for line in meta["logMessages"])
    parsed = GetTransactionResp.from_json(json_text(body))
    assert parsed.value.transaction.meta.fee == fee
    plain = node.call("getTransaction", signature, {"maxSupportedTransactionVersion": 0})
    assert plain["transaction"]["signatures"] == [signature]
    assert plain["transaction"]["message"]["recentBlockhash"] == str(blockhash)
    node.advance(300)      # past the status cache: only searchTransactionHistory finds it
    assert node.status(signature) is None and node.status(signature, search=True)["slot"] == status["slot"]


def base58(data: bytes) -> str:
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    number, out = int.from_bytes(data, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        out = alphabet[digit] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def json_text(body) -> str:
    import json
    return json.dumps(body)


def test_a_v0_transaction_needs_max_supported_version(node):
    payer = node.wallet(SOL)
    signature = node.send(sign(payer, [lamports_transfer(payer, Keypair().pubkey(), 1_000_000)], node.blockhash()[0]))
    node.advance(40)
    with pytest.raises(RpcFailure) as refused:
        node.call("getTransaction", signature)
    assert refused.value.code == -32015 and "maxSupportedTransactionVersion" in refused.value.message
    with pytest.raises(RpcFailure) as refused:
        node.call("getTransaction", signature, {"commitment": "processed"})
    assert refused.value.code == -32602


def test_token_transfer_checked_moves_exact_base_units_and_meta_shows_token_balances(node):
    owner, receiver = node.wallet(SOL), Keypair()
    mint = node.mint(6)
    source = node.token_account(mint, owner.pubkey(), 5_000_000_123)
    destination = node.token_account(mint, receiver.pubkey(), 0)
    transaction = sign(owner, [transfer_checked(source, mint, destination, owner.pubkey(), 1_234_567_891, 6)],
                       node.blockhash()[0])
    signature = node.send(transaction)
    assert node.token_amount(source) == 3_765_432_232
    assert node.token_amount(destination) == 1_234_567_891
    value = node.call("getTokenAccountBalance", str(destination), {"commitment": "processed"})["value"]
    assert value == {"amount": "1234567891", "decimals": 6, "uiAmount": 1234.567891, "uiAmountString": "1234.567891"}
    node.advance(1)
    meta = node.call("getTransaction", signature, {"commitment": "confirmed",
                                                   "maxSupportedTransactionVersion": 0})["meta"]
    pre = {entry["owner"]: entry["uiTokenAmount"]["amount"] for entry in meta["preTokenBalances"]}
    post = {entry["owner"]: entry["uiTokenAmount"]["amount"] for entry in meta["postTokenBalances"]}
    assert pre == {str(owner.pubkey()): "5000000123", str(receiver.pubkey()): "0"}
    assert post == {str(owner.pubkey()): "3765432232", str(receiver.pubkey()): "1234567891"}
    assert all(entry["mint"] == str(mint) and entry["programId"] == "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
               for entry in meta["postTokenBalances"])


def test_an_expired_blockhash_is_refused_and_a_skip_preflight_send_never_lands(node):
    payer = node.wallet(SOL)
    blockhash, last_valid = node.blockhash()
    height = node.call("getBlockHeight", {"commitment": "processed"})
    assert last_valid == height + 150
    assert height != node.call("getSlot", {"commitment": "processed"})
    node.advance(last_valid - height)      # the block height is now lastValidBlockHeight: still usable
    assert node.call("isBlockhashValid", str(blockhash), {"commitment": "processed"})["value"] is True
    node.advance(1)
    assert node.call("isBlockhashValid", str(blockhash), {"commitment": "processed"})["value"] is False
    transaction = sign(payer, [lamports_transfer(payer, Keypair().pubkey(), 1_000)], blockhash)
    with pytest.raises(RpcFailure) as refused:
        node.send(transaction)
    assert refused.value.code == -32002
    assert refused.value.message == "Transaction simulation failed: Blockhash not found"
    assert refused.value.data["err"] == "BlockhashNotFound" and refused.value.data["logs"] == []
    signature = node.send(transaction, skipPreflight=True)
    node.advance(40)
    assert node.status(signature, search=True) is None
    assert node.balance(payer.pubkey()) == SOL
    message = base64.b64encode(to_bytes_versioned(transaction.message)).decode()
    assert node.call("getFeeForMessage", message, {"commitment": "processed"})["value"] is None


def test_a_failing_program_is_refused_in_preflight_with_its_logs(node):
    payer = node.wallet(SOL)
    mint = node.mint(9)
    source = node.token_account(mint, payer.pubkey(), 10)
    destination = node.token_account(mint, Keypair().pubkey(), 0)
    transaction = sign(payer, [transfer_checked(source, mint, destination, payer.pubkey(), 11, 9)],
                       node.blockhash()[0])
    text = base64.b64encode(bytes(transaction)).decode()
    good = sign(payer, [transfer_checked(source, mint, destination, payer.pubkey(), 4, 9)], node.blockhash()[0])
    preview = node.call("simulateTransaction", base64.b64encode(bytes(good)).decode(),
                        {"encoding": "base64", "commitment": "processed",
                         "accounts": {"addresses": [str(destination)], "encoding": "jsonParsed"}})["value"]
    assert preview["err"] is None and preview["fee"] == 5_000
    assert preview["accounts"][0]["data"]["parsed"]["info"]["tokenAmount"]["amount"] == "4"
    assert preview["preBalances"][0] - preview["postBalances"][0] == 5_000
    after = {entry["owner"]: entry["uiTokenAmount"]["amount"] for entry in preview["postTokenBalances"]}
    assert after[str(payer.pubkey())] == "6" and len(after) == 2 and sorted(after.values()) == ["4", "6"]
    assert node.token_amount(source) == 10       # a simulation changes nothing
    simulated = node.call("simulateTransaction", text, {"encoding": "base64", "commitment": "processed"})
    assert simulated["value"]["err"] == {"InstructionError": [0, {"Custom": 1}]}    # TokenError::InsufficientFunds
    assert any("insufficient funds" in line.lower() for line in simulated["value"]["logs"])
    assert SimulateTransactionResp.from_json(json_text({"jsonrpc": "2.0", "result": simulated, "id": 1})).value.err \
        is not None
    with pytest.raises(RpcFailure) as refused:
        node.send(transaction)
    assert refused.value.code == -32002
    assert refused.value.message == "Transaction simulation failed: Error processing Instruction 0: custom program " \
                                    "error: 0x1"
    assert refused.value.data["err"] == {"InstructionError": [0, {"Custom": 1}]}
    assert refused.value.data["logs"] == simulated["value"]["logs"]
    assert node.token_amount(source) == 10 and node.balance(payer.pubkey()) == SOL


def test_a_compute_limit_failure_lands_failed_and_pays_its_fee(node):
    payer = node.wallet(SOL)
    mint = node.mint(0)
    source = node.token_account(mint, payer.pubkey(), 5)
    destination = node.token_account(mint, Keypair().pubkey(), 0)
    transaction = sign(payer, [compute_limit(200), transfer_checked(source, mint, destination, payer.pubkey(), 5, 0)],
                       node.blockhash()[0])
    text = base64.b64encode(bytes(transaction)).decode()
    simulated = node.call("simulateTransaction", text, {"encoding": "base64", "commitment": "processed"})["value"]
    # The token program runs out of its 200 CU mid-instruction: the runtime reports ProgramFailedToComplete and
    # says why in the logs (agave's words).
    assert simulated["err"] == {"InstructionError": [1, "ProgramFailedToComplete"]}
    assert any("exceeded CUs meter" in line for line in simulated["logs"])
    assert simulated["unitsConsumed"] <= 200
    # A limit that runs out in a builtin (the compute-budget program takes 150 CU) is ComputationalBudgetExceeded.
    starved = sign(payer, [compute_limit(100), transfer_checked(source, mint, destination, payer.pubkey(), 5, 0)],
                   node.blockhash()[0])
    value = node.call("simulateTransaction", base64.b64encode(bytes(starved)).decode(),
                      {"encoding": "base64", "commitment": "processed"})["value"]
    assert value["err"] == {"InstructionError": [0, "ComputationalBudgetExceeded"]}
    signature = node.send(transaction, skipPreflight=True)
    status = node.status(signature)
    assert status["err"] == {"InstructionError": [1, "ProgramFailedToComplete"]}
    assert status["status"] == {"Err": status["err"]}
    assert node.balance(payer.pubkey()) == SOL - SIGNATURE_FEE
    assert node.token_amount(source) == 5


def test_signature_verification_failure_is_32003(node):
    payer, other = node.wallet(SOL), Keypair()
    transaction = sign(payer, [lamports_transfer(payer, other.pubkey(), RENT_FREE)], node.blockhash()[0])
    forged = VersionedTransaction.populate(transaction.message, [Signature(bytes(other.sign_message(b"x")))])
    text = base64.b64encode(bytes(forged)).decode()
    with pytest.raises(RpcFailure) as refused:
        node.call("simulateTransaction", text, {"encoding": "base64", "sigVerify": True})
    assert refused.value.code == -32003
    with pytest.raises(RpcFailure) as refused:
        node.send(forged)
    assert refused.value.code == -32003
    assert node.call("simulateTransaction", text, {"encoding": "base64"})["value"]["err"] is None
    with pytest.raises(RpcFailure) as refused:
        node.call("simulateTransaction", text, {"encoding": "base64", "sigVerify": True,
                                                "replaceRecentBlockhash": True})
    assert refused.value.code == -32602


def test_replace_recent_blockhash_simulates_an_expired_transaction(node):
    payer = node.wallet(SOL)
    transaction = sign(payer, [lamports_transfer(payer, Keypair().pubkey(), RENT_FREE)], node.blockhash()[0])
    node.advance(151)
    text = base64.b64encode(bytes(transaction)).decode()
    value = node.call("simulateTransaction", text, {"encoding": "base64", "replaceRecentBlockhash": True})["value"]
    latest, last_valid = node.blockhash()
    assert value["err"] is None and value["replacementBlockhash"] == {"blockhash": str(latest),
                                                                      "lastValidBlockHeight": last_valid}
    assert node.call("simulateTransaction", text, {"encoding": "base64"})["value"]["err"] == "BlockhashNotFound"


def test_too_little_for_rent_is_refused(node):
    payer = node.wallet(SOL)
    transaction = sign(payer, [lamports_transfer(payer, Keypair().pubkey(), 1)], node.blockhash()[0])
    with pytest.raises(RpcFailure) as refused:
        node.send(transaction)
    assert refused.value.data["err"] == {"InsufficientFundsForRent": {"account_index": 1}}
    assert refused.value.message == "Transaction simulation failed: Transaction results in an account (1) with " \
                                    "insufficient funds for rent"


def test_base58_send_and_resending_the_same_transaction(node):
    payer = node.wallet(SOL)
    transaction = sign(payer, [lamports_transfer(payer, Keypair().pubkey(), RENT_FREE + 7)], node.blockhash()[0])
    # No config: base58 is the documented default encoding.
    answer = node.post({"jsonrpc": "2.0", "id": 1, "method": "sendTransaction",
                        "params": [base58(bytes(transaction))]}).json()
    assert answer["result"] == str(transaction.signatures[0])
    assert node.send(transaction, skipPreflight=True) == answer["result"]
    with pytest.raises(RpcFailure) as refused:
        node.send(transaction)
    assert refused.value.data["err"] == "AlreadyProcessed"
    assert node.balance(payer.pubkey()) == SOL - RENT_FREE - 7 - SIGNATURE_FEE


def test_fee_for_message_is_what_is_charged(node):
    payer = node.wallet(SOL)
    transaction = sign(payer, [compute_limit(40_000), compute_price(333_333),
                               lamports_transfer(payer, Keypair().pubkey(), RENT_FREE)], node.blockhash()[0])
    message = base64.b64encode(to_bytes_versioned(transaction.message)).decode()
    fee = node.call("getFeeForMessage", message, {"commitment": "processed"})["value"]
    assert fee == 5_000 + (333_333 * 40_000 + 999_999) // 1_000_000
    node.send(transaction)
    assert node.balance(payer.pubkey()) == SOL - RENT_FREE - fee


def test_recent_prioritization_fees_from_landed_transactions_and_the_control(node):
    payer = node.wallet(SOL)
    node.advance(1)
    receiver = Keypair().pubkey()
    node.send(sign(payer, [compute_price(7_777), lamports_transfer(payer, receiver, RENT_FREE)], node.blockhash()[0]))
    fees = node.call("getRecentPrioritizationFees", [str(receiver)])
    assert len(fees) == 150 and fees[-1] == {"slot": node.call("getSlot", {"commitment": "processed"}),
                                              "prioritizationFee": 7_777}
    node.control("/control/priority-fees", {"recent": [100, 200, 300]})
    assert [entry["prioritizationFee"] for entry in node.call("getRecentPrioritizationFees")[-3:]] == [100, 200, 300]


def test_airdrop_has_a_status_and_latest_blockhash_by_commitment(node):
    key = Keypair().pubkey()
    signature = node.call("requestAirdrop", str(key), 5 * SOL)
    assert node.status(signature)["confirmationStatus"] == "processed"
    assert node.balance(key) == 5 * SOL
    answer = node.post({"jsonrpc": "2.0", "id": 9, "method": "getLatestBlockhash",
                        "params": [{"commitment": "finalized"}]}).text
    finalized = GetLatestBlockhashResp.from_json(answer)
    assert finalized.value.last_valid_block_height == node.call("getBlockHeight") + 150
    assert finalized.context.slot == node.call("getSlot")
    assert node.call("getSlot", {"commitment": "processed"}) > node.call("getSlot", {"commitment": "finalized"})


def test_token_2022_transfer_and_jsonparsed(node):
    from solana_fixtures import TOKEN_2022_PROGRAM
    owner, receiver = node.wallet(SOL), Keypair()
    mint = node.mint(2, "spl-token-2022")
    source = node.token_account(mint, owner.pubkey(), 1_000)
    destination = node.token_account(mint, receiver.pubkey(), 0)
    node.send(sign(owner, [transfer_checked(source, mint, destination, owner.pubkey(), 250, 2, TOKEN_2022_PROGRAM)],
                   node.blockhash()[0]))
    assert node.token_amount(source) == 750 and node.token_amount(destination) == 250
    value = node.call("getAccountInfo", str(destination), {"encoding": "jsonParsed", "commitment": "processed"})
    data = value["value"]["data"]
    assert data["program"] == "spl-token-2022" and data["parsed"]["info"]["tokenAmount"]["uiAmountString"] == "2.5"


def test_a_v0_transaction_through_an_address_lookup_table(node):
    from solders.address_lookup_table_account import AddressLookupTableAccount
    from solders.message import MessageV0
    from solders.pubkey import Pubkey
    payer, receivers = node.wallet(SOL), [Keypair().pubkey() for _ in range(3)]
    table = node.control("/control/lookup-table", {"addresses": [str(r) for r in receivers]})["address"]
    lookup = AddressLookupTableAccount(Pubkey.from_string(table), receivers)
    message = MessageV0.try_compile(payer.pubkey(), [lamports_transfer(payer, r, RENT_FREE + i)
                                                     for i, r in enumerate(receivers)], [lookup], node.blockhash()[0])
    assert len(message.account_keys) < 5      # the receivers come from the table
    signature = node.send(VersionedTransaction(message, [payer]))
    assert [node.balance(r) for r in receivers] == [RENT_FREE, RENT_FREE + 1, RENT_FREE + 2]
    node.advance(1)
    meta = node.call("getTransaction", signature, {"commitment": "confirmed",
                                                   "maxSupportedTransactionVersion": 0})["meta"]
    assert sorted(meta["loadedAddresses"]["writable"]) == sorted(str(r) for r in receivers)
    assert meta["loadedAddresses"]["readonly"] == []
    loaded = [Pubkey.from_string(key) for key in meta["loadedAddresses"]["writable"]]
    assert meta["postBalances"][-3:] == [node.balance(key) for key in loaded]


def test_a_legacy_transaction(node):
    from solders.message import Message
    payer, receiver = node.wallet(SOL), Keypair()
    message = Message.new_with_blockhash([lamports_transfer(payer, receiver.pubkey(), RENT_FREE)], payer.pubkey(),
                                         node.blockhash()[0])
    transaction = VersionedTransaction(message, [payer])
    signature = node.send(transaction)
    node.advance(1)
    plain = node.call("getTransaction", signature, {"commitment": "confirmed"})
    assert "version" not in plain and "addressTableLookups" not in plain["transaction"]["message"]
    assert plain["meta"]["postBalances"][1] == RENT_FREE
    versioned = node.call("getTransaction", signature, {"commitment": "confirmed", "maxSupportedTransactionVersion": 0})
    assert versioned["version"] == "legacy"
