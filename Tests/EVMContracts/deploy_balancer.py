#!/usr/bin/env python3
"""Deploys BalancerWeightedStandIn.vy (the Vault's and a weighted pool's ABI, no Balancer bytecode; its swap runs
BalancerWeightedMath.vy) into a running local node with two tokens of the shared folder's ERC20.vy: BAL (18 decimals)
and USDC (6), weights 80/20, fee 0.3 %, the balances moved into it from dev account #0 (so that its swaps pay out).
Compiled here with vyper from the node's venv.
  usage: deploy_balancer.py RPC_URL SHARED_EVM_FOLDER      prints one JSON line."""
import json, pathlib, sys
import vyper
from vyper.compiler.settings import Settings
from web3 import Web3

HERE = pathlib.Path(__file__).resolve().parent
rpc_url, shared_evm = sys.argv[1], pathlib.Path(sys.argv[2])
w3 = Web3(Web3.HTTPProvider(rpc_url))
me = w3.eth.accounts[0]


def compile_contract(path):
    out = vyper.compile_code(path.read_text(), contract_path=str(path), output_formats=["abi", "bytecode"],
                             settings=Settings(evm_version="cancun"))
    return w3.eth.contract(abi=out["abi"], bytecode=out["bytecode"])


def deployed(factory, *args):
    receipt = w3.eth.wait_for_transaction_receipt(factory.constructor(*args).transact({"from": me, "gas": 6_000_000}))
    assert receipt.status == 1, f"deploy failed: {receipt}"
    return receipt


erc20 = compile_contract(shared_evm / "contracts" / "ERC20.vy")
tokens = []
for symbol, decimals in [("BAL", 18), ("USDC", 6)]:
    tokens.append((symbol, decimals, deployed(erc20, f"Test {symbol}", symbol, decimals, 10 ** 9 * 10 ** decimals)
                   .contractAddress))
balances = [2_000_000 * 10 ** 18, 1_500_000 * 10 ** 6]
weights = [8 * 10 ** 17, 2 * 10 ** 17]
fee = 3 * 10 ** 15
receipt = deployed(compile_contract(HERE / "BalancerWeightedStandIn.vy"), [t[2] for t in tokens], balances, weights, fee)
for (_, _, token), balance in zip(tokens, balances):
    transfer = w3.eth.contract(address=token, abi=erc20.abi).functions.transfer(receipt.contractAddress, balance)
    assert w3.eth.wait_for_transaction_receipt(transfer.transact({"from": me})).status == 1
receipt = w3.eth.get_transaction_receipt(receipt.transactionHash)
print(json.dumps({"pool": receipt.contractAddress, "account": me, "fee": str(fee),
                  "tokens": [{"symbol": s, "decimals": d, "address": a} for s, d, a in tokens],
                  "balances": [str(b) for b in balances], "weights": [str(x) for x in weights],
                  "block": receipt.blockNumber}))
