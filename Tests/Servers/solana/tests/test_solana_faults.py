"""Faults of the local Solana node, as documented in faults.py: 429 in the JSON-RPC error shape, a bare 5XX, a
hang, a dropped connection, a node behind (-32005), the ports going down and coming back."""
from __future__ import annotations

import time

import pytest
import requests
from solders.keypair import Keypair

from solana_fixtures import SOL, RpcFailure, lamports_transfer, node, sign, solana  # noqa: F401


def test_rate_limit_is_429_with_a_json_rpc_error(node):
    node.fault(type="rate_limit")
    answer = node.post({"jsonrpc": "2.0", "id": 5, "method": "getSlot"})
    assert answer.status_code == 429
    body = answer.json()
    assert body["id"] == 5 and body["error"]["code"] == 429 and "Too many requests" in body["error"]["message"]
    assert node.post({"jsonrpc": "2.0", "id": 6, "method": "getSlot"}).status_code == 200


def test_http_error_then_recovery_and_faults_by_method(node):
    node.fault(type="http_error", status=503, count=2, method="sendTransaction")
    assert node.post({"jsonrpc": "2.0", "id": 1, "method": "getSlot"}).status_code == 200
    assert node.fault_state() == [{"type": "http_error", "remaining": 2, "method": "sendTransaction"}]
    for _ in range(2):
        answer = node.post({"jsonrpc": "2.0", "id": 1, "method": "sendTransaction", "params": ["x"]})
        assert answer.status_code == 503 and answer.headers["Content-Type"].startswith("text/plain")
    assert node.post({"jsonrpc": "2.0", "id": 1, "method": "sendTransaction", "params": ["x"]}).json()["error"][
        "code"] == -32602


def test_drop_and_hang(node):
    node.fault(type="drop")
    with pytest.raises(requests.ConnectionError):
        node.post({"jsonrpc": "2.0", "id": 1, "method": "getSlot"})
    node.fault(type="hang", seconds=3)
    with pytest.raises(requests.Timeout):
        node.post({"jsonrpc": "2.0", "id": 1, "method": "getSlot"}, timeout=0.5)
    assert isinstance(node.call("getSlot"), int)


def test_node_behind_refuses_preflight_with_32005(node):
    payer = node.wallet(SOL)
    node.advance(50)
    tip = node.call("getSlot", {"commitment": "processed"})
    node.fault(type="behind", slots=42)
    with pytest.raises(RpcFailure) as unhealthy:
        node.call("getHealth")
    assert unhealthy.value.code == -32005 and unhealthy.value.data == {"numSlotsBehind": 42}
    assert requests.get(node.url + "/health", timeout=10).text == "behind"
    assert node.call("getSlot", {"commitment": "processed"}) < tip
    transaction = sign(payer, [lamports_transfer(payer, Keypair().pubkey(), 1_000_000)], node.blockhash()[0])
    with pytest.raises(RpcFailure) as refused:
        node.send(transaction)
    assert refused.value.code == -32005 and refused.value.message == "Node is behind by 42 slots"
    node.fault(type="behind", slots=0)
    assert node.call("getHealth") == "ok"
    node.send(transaction)


def test_down_refuses_connections_then_comes_back(node):
    node.fault(type="down", seconds=1.0)
    with pytest.raises(requests.ConnectionError):
        node.post({"jsonrpc": "2.0", "id": 1, "method": "getSlot"})
    # Waits for the port to come back (a wait, not a bound on how long it took).
    for _ in range(200):
        try:
            assert isinstance(node.call("getSlot"), int)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    else:
        raise AssertionError("the RPC port did not come back")


def test_bad_fault_is_refused_with_the_reason(node):
    answer = requests.post(node.control_url + "/control/fault", json={"type": "explode"}, timeout=10)
    assert answer.status_code == 400 and "explode" in answer.json()["error"]
    answer = requests.post(node.control_url + "/control/token-account",
                           json={"mint": str(Keypair().pubkey()), "owner": str(Keypair().pubkey()), "amount": 1.5},
                           timeout=10)
    assert answer.status_code == 400 and "`amount`" in answer.json()["error"]


def test_a_fault_with_a_signer_loses_only_that_fee_payers_transactions(node):
    lost, other = node.wallet(SOL), node.wallet(SOL)
    node.fault(type="drop", method="sendTransaction", signer=str(lost.pubkey()), count=1)
    blockhash = node.blockhash()[0]
    # Another sender's transaction, and any other method, get through while the fault waits.
    node.send(sign(other, [lamports_transfer(other, Keypair().pubkey(), 1_000_000)], blockhash))
    assert isinstance(node.call("getSlot"), int)
    with pytest.raises(requests.ConnectionError):
        node.send(sign(lost, [lamports_transfer(lost, Keypair().pubkey(), 1_000_000)], blockhash))
    assert node.fault_state() == []
    node.send(sign(lost, [lamports_transfer(lost, Keypair().pubkey(), 2_000_000)], blockhash))
