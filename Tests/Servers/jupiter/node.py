"""The local Solana node as the Jupiter server uses it: JSON-RPC (getLatestBlockhash, getTokenAccountBalance,
getAccountInfo, sendTransaction, simulateTransaction, getRecentPrioritizationFees, getSlot) and its control port
(fund the server's fee payer, create the pools' vaults)."""
from __future__ import annotations

import base64

import aiohttp
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction


class NodeError(Exception):
    pass


class Node:
    def __init__(self, rpc_url: str, control_url: str) -> None:
        self.rpc_url, self.control_url = rpc_url, control_url
        self.http: aiohttp.ClientSession | None = None
        self.next_id = 0

    async def open(self) -> None:
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))

    async def close(self) -> None:
        if self.http is not None:
            await self.http.close()

    async def call(self, method: str, *params):
        self.next_id += 1
        payload = {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": list(params)}
        try:
            async with self.http.post(self.rpc_url, json=payload) as answer:
                if answer.status != 200:
                    raise NodeError(f"the Solana node answered {method} with HTTP {answer.status}")
                body = await answer.json(content_type=None)
        except aiohttp.ClientError as problem:
            raise NodeError(f"the Solana node did not answer {method}: {problem}") from None
        if "error" in body:
            raise NodeError(f"the Solana node refused {method}: {body['error'].get('message')}")
        return body["result"]

    async def control(self, path: str, body: dict):
        async with self.http.post(self.control_url + path, json=body) as answer:
            reply = await answer.json(content_type=None)
            if answer.status != 200:
                raise NodeError(f"the Solana node's control refused {path}: {reply.get('error')}")
            return reply

    async def latest_blockhash(self) -> dict:
        return (await self.call("getLatestBlockhash", {"commitment": "confirmed"}))["value"]

    async def token_balance(self, account: Pubkey) -> int:
        value = (await self.call("getTokenAccountBalance", str(account), {"commitment": "processed"}))["value"]
        return int(value["amount"])

    async def owner_program(self, key: Pubkey) -> Pubkey | None:
        value = (await self.call("getAccountInfo", str(key), {"encoding": "base64",
                                                              "commitment": "processed"}))["value"]
        return None if value is None else Pubkey.from_string(value["owner"])

    async def send(self, transaction: VersionedTransaction) -> str:
        # No preflight: the pool's own approvals should not depend on the node's health faults a test injects for
        # its client (the caller checks the status instead).
        return await self.call("sendTransaction", base64.b64encode(bytes(transaction)).decode(),
                               {"encoding": "base64", "skipPreflight": True})

    async def simulate(self, transaction: VersionedTransaction) -> dict:
        return (await self.call("simulateTransaction", base64.b64encode(bytes(transaction)).decode(),
                                {"encoding": "base64", "commitment": "processed",
                                 "replaceRecentBlockhash": True}))["value"]

    async def slot(self) -> int:
        return await self.call("getSlot", {"commitment": "processed"})

    async def recent_fees(self, accounts: list[str]) -> list[int]:
        return [entry["prioritizationFee"] for entry in await self.call("getRecentPrioritizationFees", accounts)]
