"""Fixtures for the local Solana node's suite: a server process per test module (loopback, free ports, slots moved
by hand with --slot-ms 0), and a small JSON-RPC client. Not a conftest.py: every server's suite runs in one pytest
process; test modules import these fixtures. Answers are also read back with solders' own response parsers
(solders.rpc.responses), an independent reading of the documented shapes."""
from __future__ import annotations

import base64
import struct
from pathlib import Path

import pytest
import requests
from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from solders.transaction import VersionedTransaction

from serverkit.testing import start_server, stop_server

SERVER = Path(__file__).resolve().parents[1] / "server.py"
REPO = Path(__file__).resolve().parents[4]
TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
TOKEN_2022_PROGRAM = Pubkey.from_string("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")
NATIVE_MINT = "So11111111111111111111111111111111111111112"
SOL = 10**9


class RpcFailure(Exception):
    def __init__(self, error: dict) -> None:
        super().__init__(f"{error['code']}: {error['message']}")
        self.code, self.message, self.data = error["code"], error["message"], error.get("data")


class Solana:
    def __init__(self, ports: dict) -> None:
        self.ports = ports
        self.url, self.ws_url, self.control_url = ports["rpcUrl"], ports["wsUrl"], ports["controlUrl"]
        self.next_id = 0

    def post(self, payload, timeout: float = 10) -> requests.Response:
        return requests.post(self.url, json=payload, timeout=timeout)

    def raw(self, method: str, params=None) -> dict:
        self.next_id += 1
        payload = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            payload["params"] = params
        answer = self.post(payload)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["jsonrpc"] == "2.0" and body["id"] == self.next_id
        return body

    def call(self, method: str, *params):
        body = self.raw(method, list(params))
        if "error" in body:
            raise RpcFailure(body["error"])
        return body["result"]

    def control(self, path: str, body: dict | None = None, method: str = "POST"):
        answer = requests.request(method, self.control_url + path, json=body, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def fault(self, **spec) -> dict:
        return self.control("/control/fault", spec)

    def fault_state(self) -> list:
        return self.control("/control/faults", method="GET")["faults"]

    def advance(self, slots: int = 1) -> dict:
        return self.control("/control/advance", {"slots": slots})

    # ---- setup ----

    def wallet(self, lamports: int = 10 * SOL) -> Keypair:
        keypair = Keypair()
        self.control("/control/airdrop", {"pubkey": str(keypair.pubkey()), "lamports": lamports})
        return keypair

    def mint(self, decimals: int, program: str = "spl-token") -> Pubkey:
        return Pubkey.from_string(self.control("/control/mint", {"decimals": decimals, "program": program})["mint"])

    def token_account(self, mint: Pubkey, owner: Pubkey, amount: int, **extra) -> Pubkey:
        body = {"mint": str(mint), "owner": str(owner), "amount": str(amount), **extra}
        return Pubkey.from_string(self.control("/control/token-account", body)["address"])

    def blockhash(self, commitment: str = "processed") -> tuple[Hash, int]:
        value = self.call("getLatestBlockhash", {"commitment": commitment})["value"]
        return Hash.from_string(value["blockhash"]), value["lastValidBlockHeight"]

    def balance(self, key: Pubkey) -> int:
        return self.call("getBalance", str(key), {"commitment": "processed"})["value"]

    def token_amount(self, key: Pubkey) -> int:
        return int(self.call("getTokenAccountBalance", str(key), {"commitment": "processed"})["value"]["amount"])

    def send(self, transaction: VersionedTransaction, **config) -> str:
        config.setdefault("encoding", "base64")
        text = base64.b64encode(bytes(transaction)).decode()
        return self.call("sendTransaction", text, config)

    def status(self, signature: str, search: bool = False):
        return self.call("getSignatureStatuses", [signature], {"searchTransactionHistory": search})["value"][0]


def sign(payer: Keypair, instructions: list, blockhash: Hash, signers: list | None = None) -> VersionedTransaction:
    message = MessageV0.try_compile(payer.pubkey(), instructions, [], blockhash)
    return VersionedTransaction(message, signers or [payer])


def lamports_transfer(source: Keypair, destination: Pubkey, lamports: int):
    return transfer(TransferParams(from_pubkey=source.pubkey(), to_pubkey=destination, lamports=lamports))


def transfer_checked(source: Pubkey, mint: Pubkey, destination: Pubkey, authority: Pubkey, amount: int,
                     decimals: int, program: Pubkey = TOKEN_PROGRAM) -> Instruction:
    """SPL Token TransferChecked (instruction 12: u64 amount, u8 decimals), written from the token program's
    interface docs."""
    return Instruction(program, bytes([12]) + struct.pack("<QB", amount, decimals),
                       [AccountMeta(source, False, True), AccountMeta(mint, False, False),
                        AccountMeta(destination, False, True), AccountMeta(authority, True, False)])


def compute_limit(units: int) -> Instruction:
    from solders.compute_budget import set_compute_unit_limit
    return set_compute_unit_limit(units)


def compute_price(micro_lamports: int) -> Instruction:
    from solders.compute_budget import set_compute_unit_price
    return set_compute_unit_price(micro_lamports)


@pytest.fixture(scope="module")
def solana():
    process, ports = start_server(SERVER, ["--slot-ms", "0"], REPO)
    yield Solana(ports)
    stop_server(process)


@pytest.fixture
def node(solana):
    solana.fault(type="clear")
    solana.fault(type="behind", slots=0)
    return solana
