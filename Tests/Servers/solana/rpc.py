"""The JSON-RPC methods that read state (solana.com/docs/rpc/http), answered from the Chain, and the dispatcher
that handles single requests and batches. The transaction methods are in rpc_tx.py.

Every `{context, value}` answer carries `context: {apiVersion, slot}`; reads take `commitment` (default finalized)
and `minContextSlot`. A "node behind" mode (control) makes getHealth and preflights answer -32005 and every read
lag by that many blocks.
"""
from __future__ import annotations

import base64

from solders.message import from_bytes_versioned
from solders.pubkey import Pubkey

import params as p
import tokens
from chain import MAX_PROCESSING_AGE, SLOTS_PER_EPOCH, Chain, message_fee
from codec import RpcError, encode_data, invalid_params

API_VERSION = "3.1.8"
FEATURE_SET = 3_640_012_085
MAX_MULTIPLE_ACCOUNTS = 100
MAX_PRIORITIZATION_ADDRESSES = 128


class Node:
    """The chain plus what the node says about itself (behind or not)."""

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self.behind = 0

    def block(self, cfg: dict):
        block = self.chain.at(p.commitment(cfg), self.behind)
        p.min_context_slot(cfg, block.slot)
        return block

    def context(self, slot: int, value) -> dict:
        return {"context": {"apiVersion": API_VERSION, "slot": slot}, "value": value}

    def unhealthy(self) -> RpcError:
        return RpcError(-32005, f"Node is behind by {self.behind} slots", {"numSlotsBehind": self.behind})

    # ---- account encoding ----

    def encode_account(self, key: Pubkey, account, cfg: dict):
        if account is None:
            return None
        encoding = cfg.get("encoding", "binary")
        data = bytes(account.data)
        body = {"data": None, "executable": account.executable, "lamports": account.lamports,
                "owner": str(account.owner), "rentEpoch": account.rent_epoch, "space": len(data)}
        if encoding == "jsonParsed":
            parsed = tokens.json_parsed(account, self.chain.account)
            if parsed is not None:
                body["data"] = parsed
                return body
            encoding = "base64"          # what the RPC falls back to for data it cannot parse
        data_slice = cfg.get("dataSlice")
        if data_slice is not None:
            if not isinstance(data_slice, dict):
                raise invalid_params("Invalid params: dataSlice must be an object {offset, length}.")
            offset = p.integer(data_slice.get("offset"), "dataSlice.offset")
            length = p.integer(data_slice.get("length"), "dataSlice.length")
            data = data[offset:offset + length]
        if encoding == "binary":
            body["data"] = encode_data(data, "base58")[0]
        else:
            body["data"] = encode_data(data, encoding)
        return body

    def check_encoding(self, cfg: dict) -> None:
        encoding = cfg.get("encoding", "binary")
        if encoding not in ("binary", "base58", "base64", "base64+zstd", "jsonParsed"):
            raise invalid_params(f"Invalid params: unknown variant `{encoding}`, expected one of `binary`, `base58`, "
                                 f"`base64`, `jsonParsed`, `base64+zstd`.")


def get_version(node: Node, params):
    return {"feature-set": FEATURE_SET, "solana-core": API_VERSION}


def get_health(node: Node, params):
    if node.behind:
        raise node.unhealthy()
    return "ok"


def get_slot(node: Node, params):
    return node.block(p.config(params, 0)).slot


def get_block_height(node: Node, params):
    return node.block(p.config(params, 0)).height


def get_epoch_info(node: Node, params):
    block = node.block(p.config(params, 0))
    return {"absoluteSlot": block.slot, "blockHeight": block.height, "epoch": block.slot // SLOTS_PER_EPOCH,
            "slotIndex": block.slot % SLOTS_PER_EPOCH, "slotsInEpoch": SLOTS_PER_EPOCH,
            "transactionCount": len(node.chain.landed)}


def get_latest_blockhash(node: Node, params):
    block = node.block(p.config(params, 0))
    return node.context(block.slot, {"blockhash": str(block.blockhash),
                                     "lastValidBlockHeight": block.height + MAX_PROCESSING_AGE})


def is_blockhash_valid(node: Node, params):
    blockhash = p.positional(params, 0, "blockhash")
    block = node.block(p.config(params, 1))
    if not isinstance(blockhash, str):
        raise invalid_params("Invalid params: blockhash must be a base-58 string.")
    return node.context(block.slot, node.chain.blockhash_valid(blockhash))


def get_account_info(node: Node, params):
    key = p.pubkey(p.positional(params, 0, "pubkey"))
    cfg = p.config(params, 1)
    node.check_encoding(cfg)
    block = node.block(cfg)
    return node.context(block.slot, node.encode_account(key, node.chain.account(key), cfg))


def get_multiple_accounts(node: Node, params):
    keys = p.positional(params, 0, "pubkeys")
    if not isinstance(keys, list):
        raise invalid_params("Invalid params: pubkeys must be an array of base-58 strings.")
    if len(keys) > MAX_MULTIPLE_ACCOUNTS:
        raise invalid_params(f"Too many inputs provided; max {MAX_MULTIPLE_ACCOUNTS}")
    keys = [p.pubkey(key) for key in keys]
    cfg = p.config(params, 1)
    node.check_encoding(cfg)
    block = node.block(cfg)
    return node.context(block.slot, [node.encode_account(key, node.chain.account(key), cfg) for key in keys])


def get_balance(node: Node, params):
    key = p.pubkey(p.positional(params, 0, "pubkey"))
    block = node.block(p.config(params, 1))
    account = node.chain.account(key)
    return node.context(block.slot, 0 if account is None else account.lamports)


def get_token_account_balance(node: Node, params):
    key = p.pubkey(p.positional(params, 0, "pubkey"))
    block = node.block(p.config(params, 1))
    account = node.chain.account(key)
    if tokens.kind(account) != "account":
        raise invalid_params("Invalid param: not a Token account")
    token = tokens.parse_token_account(account)
    decimals = tokens.mint_decimals(token.mint, node.chain.account)
    if decimals is None:
        raise invalid_params("Invalid param: could not find mint")
    return node.context(block.slot, tokens.ui_token_amount(token.amount, decimals))


def get_token_accounts_by_owner(node: Node, params):
    owner = p.pubkey(p.positional(params, 0, "owner"))
    selector = p.positional(params, 1, "filter")
    cfg = p.config(params, 2)
    node.check_encoding(cfg)
    if not isinstance(selector, dict) or len(selector) != 1 or not ({"mint", "programId"} & set(selector)):
        raise invalid_params("Invalid params: the filter must be {\"mint\": …} or {\"programId\": …}.")
    if "mint" in selector:
        mint = p.pubkey(selector["mint"], "mint")
        mint_account = node.chain.account(mint)
        if tokens.kind(mint_account) != "mint":
            raise invalid_params("Invalid param: could not find mint")
        programs, wanted_mint = [mint_account.owner], mint
    else:
        program = p.pubkey(selector["programId"], "programId")
        if not tokens.is_token_program(program):
            raise invalid_params("Invalid param: unrecognized Token program id")
        programs, wanted_mint = [program], None
    block = node.block(cfg)
    found = []
    for program in programs:
        for key, account in node.chain.svm.get_program_accounts(program):
            if tokens.kind(account) != "account":
                continue
            token = tokens.parse_token_account(account)
            if token.owner == owner and (wanted_mint is None or token.mint == wanted_mint):
                found.append({"account": node.encode_account(key, account, cfg), "pubkey": str(key)})
    found.sort(key=lambda entry: entry["pubkey"])
    return node.context(block.slot, found)


def get_minimum_balance_for_rent_exemption(node: Node, params):
    size = p.integer(p.positional(params, 0, "usize"), "usize")
    node.block(p.config(params, 1))
    return node.chain.svm.minimum_balance_for_rent_exemption(size)


def get_fee_for_message(node: Node, params):
    text = p.positional(params, 0, "message")
    block = node.block(p.config(params, 1))
    try:
        message = from_bytes_versioned(base64.b64decode(text, validate=True))
    except Exception as problem:
        raise invalid_params(f"invalid message: {problem}") from None
    if not node.chain.blockhash_valid(str(message.recent_blockhash)):
        return node.context(block.slot, None)
    return node.context(block.slot, message_fee(message))


def get_recent_prioritization_fees(node: Node, params):
    addresses = p.positional(params, 0, "addresses", required=False) or []
    if not isinstance(addresses, list):
        raise invalid_params("Invalid params: addresses must be an array of base-58 strings.")
    if len(addresses) > MAX_PRIORITIZATION_ADDRESSES:
        raise invalid_params(f"Too many inputs provided; max {MAX_PRIORITIZATION_ADDRESSES}")
    return node.chain.prioritization_fees([str(p.pubkey(a)) for a in addresses])


READS = {
    "getVersion": get_version, "getHealth": get_health, "getSlot": get_slot, "getBlockHeight": get_block_height,
    "getEpochInfo": get_epoch_info, "getLatestBlockhash": get_latest_blockhash,
    "isBlockhashValid": is_blockhash_valid, "getAccountInfo": get_account_info,
    "getMultipleAccounts": get_multiple_accounts, "getBalance": get_balance,
    "getTokenAccountBalance": get_token_account_balance, "getTokenAccountsByOwner": get_token_accounts_by_owner,
    "getMinimumBalanceForRentExemption": get_minimum_balance_for_rent_exemption,
    "getFeeForMessage": get_fee_for_message, "getRecentPrioritizationFees": get_recent_prioritization_fees,
}


def handle_one(node: Node, methods: dict, request) -> dict | None:
    """One JSON-RPC request object → its response object (None for a notification, a request without an id)."""
    if not isinstance(request, dict) or request.get("jsonrpc") != "2.0" or not isinstance(request.get("method"), str):
        return {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid request"}, "id": None}
    request_id = request.get("id")
    handler = methods.get(request["method"])
    try:
        if handler is None:
            raise RpcError(-32601, "Method not found")
        result = handler(node, request.get("params"))
        response = {"jsonrpc": "2.0", "result": result, "id": request_id}
    except RpcError as problem:
        response = {"jsonrpc": "2.0", "error": problem.body(), "id": request_id}
    except Exception as problem:  # a bug here must still answer in JSON-RPC, and say what broke
        response = {"jsonrpc": "2.0", "error": {"code": -32603, "message": f"Internal error: {type(problem).__name__}: "
                                                                           f"{problem}"}, "id": request_id}
    return response if "id" in request else None


def handle(node: Node, methods: dict, payload):
    """A parsed body: one request or a batch (an empty batch is itself an invalid request)."""
    if isinstance(payload, list):
        if not payload:
            return {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid request"}, "id": None}
        answers = [handle_one(node, methods, request) for request in payload]
        return [answer for answer in answers if answer is not None]
    return handle_one(node, methods, payload)

