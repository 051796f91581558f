"""Reads on the local Solana node: account encodings (base58, base64, base64+zstd, jsonParsed, dataSlice), token
accounts by owner, the native mint, the Clock moving with the slots, JSON-RPC errors and batches."""
from __future__ import annotations

import base64
import json
import struct

import pytest
import zstandard
from solders.keypair import Keypair
from solders.rpc.responses import (GetAccountInfoJsonParsedResp, GetAccountInfoResp, GetMultipleAccountsResp,
                                   GetTokenAccountsByOwnerJsonParsedResp, GetVersionResp)
from solders.token.state import TokenAccount

from solana_fixtures import (NATIVE_MINT, SOL, TOKEN_2022_PROGRAM, RpcFailure, node, solana)  # noqa: F401
from serverkit.testing import listening_ips

CLOCK = "SysvarC1ock11111111111111111111111111111111"


def test_loopback_only(solana):
    for name in ("rpc", "ws", "control"):
        assert listening_ips(solana.ports[name]) == {"127.0.0.1"}


def test_version_health_and_context(node):
    version = node.raw("getVersion")
    assert GetVersionResp.from_json(json.dumps(version)).value.solana_core == version["result"]["solana-core"]
    assert node.call("getHealth") == "ok"
    context = node.call("getBalance", NATIVE_MINT)["context"]
    assert set(context) == {"apiVersion", "slot"} and context["apiVersion"] == version["result"]["solana-core"]


def test_account_encodings_and_data_slice(node):
    owner = Keypair()
    mint = node.mint(6)
    address = node.token_account(mint, owner.pubkey(), 42_000_001)
    plain = node.call("getAccountInfo", str(address), {"encoding": "base64", "commitment": "processed"})
    raw = base64.b64decode(plain["value"]["data"][0])
    assert plain["value"]["data"][1] == "base64" and len(raw) == 165 == plain["value"]["space"]
    token = TokenAccount.from_bytes(raw)
    assert token.amount == 42_000_001 and token.owner == owner.pubkey() and token.mint == mint
    assert plain["value"]["owner"] == "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
    assert plain["value"]["rentEpoch"] == 2**64 - 1
    assert GetAccountInfoResp.from_json(json.dumps({"jsonrpc": "2.0", "result": plain, "id": 1})).value.data == raw

    packed = node.call("getAccountInfo", str(address), {"encoding": "base64+zstd", "commitment": "processed"})
    data, encoding = packed["value"]["data"]
    assert encoding == "base64+zstd"
    assert zstandard.ZstdDecompressor().decompressobj().decompress(base64.b64decode(data)) == raw

    sliced = node.call("getAccountInfo", str(address), {"encoding": "base64", "commitment": "processed",
                                                        "dataSlice": {"offset": 64, "length": 8}})
    assert struct.unpack("<Q", base64.b64decode(sliced["value"]["data"][0]))[0] == 42_000_001

    with pytest.raises(RpcFailure) as refused:
        node.call("getAccountInfo", str(address), {"encoding": "base58", "commitment": "processed"})
    assert "base 58" in refused.value.message
    short = node.call("getAccountInfo", str(address), {"encoding": "base58", "commitment": "processed",
                                                       "dataSlice": {"offset": 0, "length": 32}})
    assert short["value"]["data"][1] == "base58"

    parsed = node.call("getAccountInfo", str(address), {"encoding": "jsonParsed", "commitment": "processed"})
    info = parsed["value"]["data"]["parsed"]["info"]
    assert parsed["value"]["data"]["program"] == "spl-token" and parsed["value"]["data"]["parsed"]["type"] == "account"
    assert info["tokenAmount"] == {"amount": "42000001", "decimals": 6, "uiAmount": 42.000001,
                                   "uiAmountString": "42.000001"}
    assert info["owner"] == str(owner.pubkey()) and info["mint"] == str(mint) and info["state"] == "initialized"
    assert GetAccountInfoJsonParsedResp.from_json(json.dumps({"jsonrpc": "2.0", "result": parsed, "id": 1})).value


def test_missing_accounts_and_multiple_accounts(node):
    missing = str(Keypair().pubkey())
    assert node.call("getAccountInfo", missing, {"encoding": "base64"})["value"] is None
    wallet = node.wallet(SOL)
    node.advance(32)     # default commitment is finalized
    both = node.raw("getMultipleAccounts", [[missing, str(wallet.pubkey())], {"encoding": "base64"}])
    values = both["result"]["value"]
    assert values[0] is None and values[1]["lamports"] == SOL and values[1]["data"] == ["", "base64"]
    assert GetMultipleAccountsResp.from_json(json.dumps(both)).value[1].lamports == SOL


def test_token_accounts_by_owner_filters_by_mint_and_program(node):
    owner = Keypair()
    classic, newer = node.mint(6), node.mint(9, "spl-token-2022")
    first = node.token_account(classic, owner.pubkey(), 5)
    second = node.token_account(newer, owner.pubkey(), 7)
    node.token_account(classic, Keypair().pubkey(), 9)
    by_mint = node.call("getTokenAccountsByOwner", str(owner.pubkey()), {"mint": str(classic)},
                        {"encoding": "jsonParsed", "commitment": "processed"})
    assert [entry["pubkey"] for entry in by_mint["value"]] == [str(first)]
    by_program = node.raw("getTokenAccountsByOwner", [str(owner.pubkey()), {"programId": str(TOKEN_2022_PROGRAM)},
                                                      {"encoding": "jsonParsed", "commitment": "processed"}])
    (entry,) = by_program["result"]["value"]
    assert entry["pubkey"] == str(second) and entry["account"]["data"]["program"] == "spl-token-2022"
    assert entry["account"]["data"]["parsed"]["info"]["tokenAmount"]["amount"] == "7"
    assert GetTokenAccountsByOwnerJsonParsedResp.from_json(json.dumps(by_program)).value[0].pubkey == second
    with pytest.raises(RpcFailure) as refused:
        node.call("getTokenAccountsByOwner", str(owner.pubkey()), {"programId": str(Keypair().pubkey())})
    assert refused.value.code == -32602
    with pytest.raises(RpcFailure) as refused:
        node.call("getTokenAccountBalance", str(owner.pubkey()))
    assert refused.value.code == -32602 and "not a Token account" in refused.value.message


def test_native_mint_is_present(node):
    value = node.call("getAccountInfo", NATIVE_MINT, {"encoding": "jsonParsed"})["value"]
    assert value["data"]["parsed"] == {"info": {"decimals": 9, "freezeAuthority": None, "isInitialized": True,
                                                "mintAuthority": None, "supply": "0"}, "type": "mint"}


def test_the_clock_moves_with_the_slots(node):
    def clock():
        data = base64.b64decode(node.call("getAccountInfo", CLOCK, {"encoding": "base64",
                                                                    "commitment": "processed"})["value"]["data"][0])
        slot, _, _, _, unix_timestamp = struct.unpack("<QqQQq", data)
        return slot, unix_timestamp

    slot, stamp = clock()
    assert slot == node.call("getSlot", {"commitment": "processed"}) and stamp > 1_600_000_000
    node.advance(10)
    later_slot, later_stamp = clock()
    assert later_slot >= slot + 10 and later_stamp > stamp


def test_rent_exemption(node):
    assert node.call("getMinimumBalanceForRentExemption", 165) == 2_039_280
    assert node.call("getMinimumBalanceForRentExemption", 0) == 890_880


def test_json_rpc_errors_and_batches(node):
    assert node.raw("noSuchMethod")["error"] == {"code": -32601, "message": "Method not found"}
    bad = node.raw("getBalance", ["not-a-key"])
    assert bad["error"]["code"] == -32602
    answer = node.post([{"jsonrpc": "2.0", "id": 1, "method": "getSlot", "params": [{"commitment": "processed"}]},
                        {"jsonrpc": "2.0", "id": 2, "method": "getBlockHeight"},
                        {"jsonrpc": "2.0", "id": 3, "method": "nope"}]).json()
    assert [entry["id"] for entry in answer] == [1, 2, 3]
    assert isinstance(answer[0]["result"], int) and "error" in answer[2]
    empty = node.post([]).json()
    assert empty["error"]["code"] == -32600
    import requests
    garbled = requests.post(node.url, data="{not json", headers={"Content-Type": "application/json"}, timeout=10)
    assert garbled.json()["error"]["code"] == -32700
    with pytest.raises(RpcFailure) as refused:
        node.call("getSlot", {"commitment": "processed", "minContextSlot": 10**12})
    assert refused.value.code == -32016
