#!/usr/bin/env python3
"""Deploys dexter's test Curve pool (CurveStableSwap3.vy, a port of StableSwap3Pool's math) into a running local node:
three mintable ERC-20s of the shared folder's ERC20.vy (DAI 18 decimals, USDC 6, USDT 6), the pool with A and fees as
the 3pool's, liquidity from dev account #0, and the pool approved to take each coin from it (so a test can exchange).
Compiled here with vyper from the node's venv: no bytecode is kept anywhere.
  usage: deploy_curve.py RPC_URL SHARED_EVM_FOLDER      prints one JSON line: {"pool", "coins": {sym: addr}, ...}"""
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


def sent(tx):
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    assert receipt.status == 1, f"transaction failed: {receipt}"
    return receipt


erc20 = compile_contract(shared_evm / "contracts" / "ERC20.vy")
coins = []
for symbol, decimals in [("DAI", 18), ("USDC", 6), ("USDT", 6)]:
    receipt = sent(erc20.constructor(f"Test {symbol}", symbol, decimals, 10 ** 9 * 10 ** decimals)
                   .transact({"from": me, "gas": 3_000_000}))
    coins.append((symbol, decimals, receipt.contractAddress))

A, FEE, ADMIN_FEE = 2000, 1_000_000, 5_000_000_000      # the 3pool's: A 2000, 0.01 %, half to the admin
pool_factory = compile_contract(HERE / "CurveStableSwap3.vy")
receipt = sent(pool_factory.constructor([c[2] for c in coins], A, FEE, ADMIN_FEE).transact({"from": me, "gas": 6_000_000}))
pool = w3.eth.contract(address=receipt.contractAddress, abi=pool_factory.abi)
for symbol, decimals, address in coins:
    sent(w3.eth.contract(address=address, abi=erc20.abi).functions.approve(pool.address, 2 ** 256 - 1)
         .transact({"from": me}))
# Unequal balances, so that the curve is not at its flat middle: 30M DAI, 25M USDC, 20M USDT.
amounts = [30_000_000 * 10 ** 18, 25_000_000 * 10 ** 6, 20_000_000 * 10 ** 6]
receipt = sent(pool.functions.add_liquidity(amounts, 0).transact({"from": me, "gas": 3_000_000}))
print(json.dumps({"pool": pool.address, "account": me, "A": A, "fee": FEE, "adminFee": ADMIN_FEE,
                  "coins": [{"symbol": s, "decimals": d, "address": a} for s, d, a in coins],
                  "balances": [str(x) for x in amounts], "block": receipt.blockNumber}))
