"""The JSON-RPC transaction methods: simulateTransaction, sendTransaction (preflight = verify signatures, simulate,
refuse with -32002 and the simulation; skipPreflight = accept and let the ledger decide), getSignatureStatuses,
getTransaction and requestAirdrop, in the shapes of solana.com/docs/rpc/http."""
from __future__ import annotations

import base64

from solders.signature import Signature
from solders.transaction import Legacy, VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata

import params as p
from chain import MAX_PROCESSING_AGE, STATUS_CACHE_SLOTS, Landed
from codec import RpcError, b58encode, decode_transaction, encode_data, error_text, invalid_params, \
    transaction_error_json
from rpc import Node
from tokens import token_balances

MAX_SIGNATURE_STATUSES = 256


def signature_param(value) -> str:
    try:
        return str(Signature.from_string(value))
    except Exception:
        raise invalid_params("Invalid param: Invalid") from None


def _inner_instructions(meta) -> list[dict]:
    out = []
    for index, inner in enumerate(meta.inner_instructions()):
        if inner:
            out.append({"index": index, "instructions": [
                {"accounts": list(item.instruction.accounts), "data": b58encode(bytes(item.instruction.data)),
                 "programIdIndex": item.instruction.program_id_index, "stackHeight": item.stack_height}
                for item in inner]})
    return out


def _return_data(return_data) -> dict | None:
    if return_data is None or not bytes(return_data.data):
        return None
    return {"data": [base64.b64encode(bytes(return_data.data)).decode(), "base64"],
            "programId": str(return_data.program_id)}


def simulation(node: Node, transaction: VersionedTransaction, cfg: dict, replace: bool) -> dict:
    """The `value` of simulateTransaction (also the `data` of a -32002 preflight refusal)."""
    chain = node.chain
    # The fields of agave 3.x's RpcSimulateTransactionResult, as solana.com shows them.
    value = {"accounts": None, "err": None, "innerInstructions": None, "loadedAccountsDataSize": 0, "logs": [],
             "replacementBlockhash": None, "returnData": None, "unitsConsumed": 0, "fee": 0, "preBalances": [],
             "postBalances": [], "preTokenBalances": [], "postTokenBalances": [],
             "loadedAddresses": {"readonly": [], "writable": []}}
    if replace:
        value["replacementBlockhash"] = {"blockhash": str(chain.tip.blockhash),
                                         "lastValidBlockHeight": chain.tip.height + MAX_PROCESSING_AGE}
    elif not chain.blockhash_valid(str(transaction.message.recent_blockhash)):
        value["err"] = "BlockhashNotFound"
        return value
    if str(transaction.signatures[0]) in chain.landed:
        value["err"] = "AlreadyProcessed"
        return value
    keys, _, loaded_addresses = chain.message_keys(transaction)
    value["loadedAddresses"] = {"readonly": loaded_addresses["readonly"], "writable": loaded_addresses["writable"]}
    value["preBalances"], value["preTokenBalances"] = chain.balances(keys)
    # The bytes of the accounts the message names (programs included): this server's reading of the documented
    # "number of bytes of all accounts loaded by this transaction".
    loaded = [chain.account(p.pubkey(key)) for key in keys]
    value["loadedAccountsDataSize"] = sum(len(account.data) for account in loaded if account is not None)
    result = chain.simulate(transaction)
    failed = isinstance(result, FailedTransactionMetadata)
    meta = result.meta()
    value["logs"] = list(meta.logs())
    value["unitsConsumed"] = meta.compute_units_consumed()
    value["returnData"] = _return_data(meta.return_data())
    value["fee"] = meta.fee()
    if cfg.get("innerInstructions"):
        value["innerInstructions"] = _inner_instructions(meta)
    if failed:
        value["err"] = transaction_error_json(result.err())
        # What landing it would do: the fee payer pays the fee, nothing else moves.
        value["postBalances"] = [value["preBalances"][0] - value["fee"], *value["preBalances"][1:]]
        value["postTokenBalances"] = value["preTokenBalances"]
        return value
    after = {str(key): account for key, account in result.post_accounts()}
    post_accounts = [after.get(key, account) for key, account in zip(keys, loaded)]
    value["postBalances"] = [0 if account is None else account.lamports for account in post_accounts]
    value["postTokenBalances"] = token_balances(post_accounts, chain.account)
    wanted = cfg.get("accounts")
    if wanted:
        if not isinstance(wanted, dict) or not isinstance(wanted.get("addresses"), list):
            raise invalid_params("Invalid params: accounts must be {addresses: [...], encoding}.")
        account_cfg = {"encoding": wanted.get("encoding", "base64")}
        if account_cfg["encoding"] in ("binary", "base58"):
            raise invalid_params("base58 encoding not supported")
        value["accounts"] = [node.encode_account(p.pubkey(a), after.get(a, chain.account(p.pubkey(a))), account_cfg)
                             for a in wanted["addresses"]]
    return value


def simulate_transaction(node: Node, params):
    cfg = p.config(params, 1)
    transaction = decode_transaction(p.positional(params, 0, "transaction"), cfg.get("encoding", "base58"))
    block = node.block(cfg)
    sig_verify, replace = bool(cfg.get("sigVerify", False)), bool(cfg.get("replaceRecentBlockhash", False))
    if sig_verify and replace:
        raise invalid_params("sigVerify may not be used with replaceRecentBlockhash")
    if sig_verify and not all(transaction.verify_with_results()):
        raise RpcError(-32003, "Transaction signature verification failure")
    return node.context(block.slot, simulation(node, transaction, cfg, replace))


def send_transaction(node: Node, params):
    cfg = p.config(params, 1)
    text = p.positional(params, 0, "transaction")
    transaction = decode_transaction(text, cfg.get("encoding", "base58"))
    chain = node.chain
    signature = str(transaction.signatures[0])
    signed = all(transaction.verify_with_results())
    if not cfg.get("skipPreflight", False):
        preflight = {"commitment": cfg.get("preflightCommitment", "finalized")}
        p.commitment(preflight)
        p.min_context_slot(cfg, chain.tip.slot)
        if node.behind:
            raise node.unhealthy()
        if not signed:
            raise RpcError(-32003, "Transaction signature verification failure")
        value = simulation(node, transaction, {}, replace=False)
        if value["err"] is not None:
            raise RpcError(-32002, f"Transaction simulation failed: {error_text(value['err'])}", value)
    if signature in chain.landed:
        return signature          # a duplicate of a landed transaction: same signature, nothing new lands
    if not signed or not chain.blockhash_valid(str(transaction.message.recent_blockhash)):
        chain.dropped.add(signature)       # a validator discards it; the signature never gets a status
        return signature
    chain.execute(transaction, bytes(transaction))
    return signature


def status(node: Node, landed: Landed) -> dict:
    confirmation, confirmations = node.chain.confirmation(landed.slot)
    return {"confirmationStatus": confirmation, "confirmations": confirmations, "err": landed.err,
            "slot": landed.slot, "status": {"Ok": None} if landed.err is None else {"Err": landed.err}}


def get_signature_statuses(node: Node, params):
    signatures = p.positional(params, 0, "signatures")
    if not isinstance(signatures, list):
        raise invalid_params("Invalid params: signatures must be an array of base-58 strings.")
    if len(signatures) > MAX_SIGNATURE_STATUSES:
        raise invalid_params(f"Too many inputs provided; max {MAX_SIGNATURE_STATUSES}")
    cfg = p.config(params, 1)
    search = bool(cfg.get("searchTransactionHistory", False))
    tip = node.chain.at("processed", node.behind)
    value = []
    for text in signatures:
        landed = node.chain.landed.get(signature_param(text))
        if landed is None or landed.slot > tip.slot or (not search and tip.slot - landed.slot > STATUS_CACHE_SLOTS):
            value.append(None)
        else:
            value.append(status(node, landed))
    return node.context(tip.slot, value)


def _json_transaction(landed: Landed) -> dict:
    message = landed.transaction.message
    body = {"accountKeys": [str(key) for key in message.account_keys],
            "header": {"numReadonlySignedAccounts": message.header.num_readonly_signed_accounts,
                       "numReadonlyUnsignedAccounts": message.header.num_readonly_unsigned_accounts,
                       "numRequiredSignatures": message.header.num_required_signatures},
            "instructions": [{"accounts": list(ix.accounts), "data": b58encode(bytes(ix.data)),
                              "programIdIndex": ix.program_id_index, "stackHeight": None}
                             for ix in message.instructions],
            "recentBlockhash": str(message.recent_blockhash)}
    lookups = getattr(message, "address_table_lookups", None)
    if landed.transaction.version() != Legacy.Legacy:
        body["addressTableLookups"] = [{"accountKey": str(lookup.account_key),
                                        "readonlyIndexes": list(lookup.readonly_indexes),
                                        "writableIndexes": list(lookup.writable_indexes)} for lookup in lookups or []]
    return {"message": body, "signatures": [str(s) for s in landed.transaction.signatures]}


def get_transaction(node: Node, params):
    signature = signature_param(p.positional(params, 0, "signature"))
    cfg = p.config(params, 1)
    level = p.commitment(cfg)
    if level == "processed":
        raise invalid_params("Method does not support commitment below `confirmed`")
    encoding = cfg.get("encoding", "json")
    if encoding not in ("json", "jsonParsed", "base58", "base64", "binary"):
        raise invalid_params(f"Invalid params: unknown variant `{encoding}`, expected one of `binary`, `base64`, "
                             f"`base58`, `json`, `jsonParsed`.")
    landed = node.chain.landed.get(signature)
    if landed is None or not node.chain.reached(landed.slot, level):
        return None
    legacy = landed.transaction.version() == Legacy.Legacy
    supported = cfg.get("maxSupportedTransactionVersion")
    if not legacy and supported is None:
        raise RpcError(-32015, "Transaction version (0) is not supported by the requesting client. Please try the "
                               "request again with the following configuration parameter: "
                               "\"maxSupportedTransactionVersion\": 0")
    if encoding in ("json", "jsonParsed"):
        # jsonParsed is answered as json: this server parses no instructions.
        transaction = _json_transaction(landed)
    elif encoding == "binary":
        transaction = b58encode(landed.raw)
    else:
        transaction = encode_data(landed.raw, encoding) if encoding == "base64" else [b58encode(landed.raw), "base58"]
    meta = {"computeUnitsConsumed": landed.units, "err": landed.err, "fee": landed.fee, "innerInstructions": [],
            "loadedAddresses": landed.loaded, "logMessages": landed.logs, "postBalances": landed.post_balances,
            "postTokenBalances": landed.post_token_balances, "preBalances": landed.pre_balances,
            "preTokenBalances": landed.pre_token_balances, "rewards": [],
            "status": {"Ok": None} if landed.err is None else {"Err": landed.err}}
    return_data = _return_data(landed.return_data)
    if return_data is not None:
        meta["returnData"] = return_data
    body = {"blockTime": landed.block_time, "meta": meta, "slot": landed.slot, "transaction": transaction}
    if supported is not None:
        body["version"] = "legacy" if legacy else 0
    return body


def request_airdrop(node: Node, params):
    key = p.pubkey(p.positional(params, 0, "pubkey"))
    lamports = p.integer(p.positional(params, 1, "lamports"), "lamports", minimum=1)
    p.config(params, 2)
    try:
        return node.chain.airdrop(key, lamports).signature
    except RuntimeError as problem:
        raise RpcError(-32603, f"Internal error: {problem}") from None


TRANSACTIONS = {
    "simulateTransaction": simulate_transaction, "sendTransaction": send_transaction,
    "getSignatureStatuses": get_signature_statuses, "getTransaction": get_transaction,
    "requestAirdrop": request_airdrop,
}
