"""Fixtures: a local Solana node and a Jupiter server in front of it, per test module (loopback, free ports, slots
moved by hand). Not a conftest.py: every server's suite runs in one pytest process."""
from __future__ import annotations

import base64
from pathlib import Path

import pytest
import requests
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction

from serverkit.testing import start_server, stop_server

HERE = Path(__file__).resolve()
SERVER = HERE.parents[1] / "server.py"
NODE = HERE.parents[2] / "solana" / "server.py"
REPO = HERE.parents[4]
NATIVE_MINT = Pubkey.from_string("So11111111111111111111111111111111111111112")
ASSOCIATED_TOKEN_PROGRAM = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")


def ata(owner: Pubkey, mint: Pubkey, program: Pubkey = TOKEN_PROGRAM) -> Pubkey:
    return Pubkey.find_program_address([bytes(owner), bytes(program), bytes(mint)], ASSOCIATED_TOKEN_PROGRAM)[0]


class RpcFailure(Exception):
    def __init__(self, error: dict) -> None:
        super().__init__(f"{error['code']}: {error['message']}")
        self.code, self.message, self.data = error["code"], error["message"], error.get("data")


class Desk:
    """The node (RPC + control) and the Jupiter server (API + control), as a test drives them."""

    def __init__(self, node_ports: dict, jupiter_ports: dict) -> None:
        self.node_ports, self.ports = node_ports, jupiter_ports
        self.rpc_url, self.node_control = node_ports["rpcUrl"], node_ports["controlUrl"]
        self.url, self.control_url = jupiter_ports["restUrl"], jupiter_ports["controlUrl"]

    def rpc(self, method: str, *params):
        body = requests.post(self.rpc_url, json={"jsonrpc": "2.0", "id": 1, "method": method,
                                                 "params": list(params)}, timeout=10).json()
        if "error" in body:
            raise RpcFailure(body["error"])
        return body["result"]

    def node(self, path: str, body: dict):
        answer = requests.post(self.node_control + path, json=body, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def control(self, path: str, body: dict | None = None, method: str = "POST"):
        answer = requests.request(method, self.control_url + path, json=body, timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def quote(self, prefix: str = "/swap/v1", **params) -> requests.Response:
        return requests.get(f"{self.url}{prefix}/quote", params=params, timeout=30)

    def swap(self, body: dict, prefix: str = "/swap/v1") -> requests.Response:
        return requests.post(f"{self.url}{prefix}/swap", json=body, timeout=30)

    # ---- setup on the node ----

    def wallet(self, lamports: int = 10 * 10**9) -> Keypair:
        keypair = Keypair()
        self.node("/control/airdrop", {"pubkey": str(keypair.pubkey()), "lamports": lamports})
        return keypair

    def mint(self, decimals: int) -> Pubkey:
        return Pubkey.from_string(self.node("/control/mint", {"decimals": decimals})["mint"])

    def fund(self, owner: Pubkey, mint: Pubkey, amount: int) -> Pubkey:
        return Pubkey.from_string(self.node("/control/token-account", {"mint": str(mint), "owner": str(owner),
                                                                      "amount": str(amount)})["address"])

    def pool(self, mint_a: Pubkey, mint_b: Pubkey, reserve_a: int, reserve_b: int, fee_bps: int) -> dict:
        return self.control("/control/pool", {"mintA": str(mint_a), "mintB": str(mint_b), "reserveA": str(reserve_a),
                                              "reserveB": str(reserve_b), "feeBps": fee_bps})

    def lamports(self, key: Pubkey) -> int:
        return self.rpc("getBalance", str(key), {"commitment": "processed"})["value"]

    def tokens(self, account: Pubkey) -> int:
        value = self.rpc("getAccountInfo", str(account), {"encoding": "jsonParsed", "commitment": "processed"})["value"]
        return 0 if value is None else int(value["data"]["parsed"]["info"]["tokenAmount"]["amount"])

    def sign_and_send(self, swap_answer: dict, user: Keypair, **config) -> str:
        unsigned = VersionedTransaction.from_bytes(base64.b64decode(swap_answer["swapTransaction"]))
        signed = VersionedTransaction(unsigned.message, [user])
        config.setdefault("encoding", "base64")
        return self.rpc("sendTransaction", base64.b64encode(bytes(signed)).decode(), config)


@pytest.fixture(scope="module")
def desk():
    node_process, node_ports = start_server(NODE, ["--slot-ms", "0"], REPO)
    jupiter_process, jupiter_ports = start_server(SERVER, ["--rpc-url", node_ports["rpcUrl"], "--node-control-url",
                                                           node_ports["controlUrl"]], REPO)
    yield Desk(node_ports, jupiter_ports)
    stop_server(jupiter_process)
    stop_server(node_process)
