"""The pools the local Jupiter server routes through: two vault token accounts owned by the server's keypair on
the Solana node, a fee in bps, reserves read live from the node. A pool pays out through an SPL-Token delegation:
for each /swap the vault owner approves the swapping user as delegate of the output vault for exactly the
transaction's output amount — or for nothing when the transaction's terms are worse for the pool than its curve,
so that such a transaction fails on chain (TokenError::InsufficientFunds) instead of draining the pool.

One delegation per vault: a newer /swap in the same direction replaces an older one's (the older transaction then
fails in simulation), as the README says."""
from __future__ import annotations

from dataclasses import dataclass

from solders.hash import Hash
from solders.keypair import Keypair
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction

from instructions import approve_checked
from node import Node, NodeError


@dataclass
class Side:
    mint: Pubkey
    decimals: int
    program: Pubkey
    vault: Pubkey


@dataclass
class Pool:
    amm_key: Pubkey
    label: str
    fee_bps: int
    a: Side
    b: Side

    def sides(self, input_mint: Pubkey) -> tuple[Side, Side]:
        return (self.a, self.b) if input_mint == self.a.mint else (self.b, self.a)


class BadPool(ValueError):
    pass


class Pools:
    def __init__(self, node: Node, authority: Keypair) -> None:
        self.node, self.authority = node, authority
        self.pools: list[Pool] = []

    async def mint_info(self, mint: Pubkey, name: str) -> tuple[int, Pubkey]:
        value = (await self.node.call("getAccountInfo", str(mint), {"encoding": "jsonParsed",
                                                                   "commitment": "processed"}))["value"]
        parsed = value.get("data") if value else None
        if not isinstance(parsed, dict) or parsed.get("parsed", {}).get("type") != "mint":
            raise BadPool(f"`{name}` {mint} is not a mint on the node")
        return parsed["parsed"]["info"]["decimals"], Pubkey.from_string(value["owner"])

    async def create(self, mint_a: Pubkey, mint_b: Pubkey, reserve_a: int, reserve_b: int, fee_bps: int,
                     label: str, amm_key: Pubkey | None = None) -> Pool:
        if mint_a == mint_b:
            raise BadPool("`mintA` and `mintB` must differ")
        if self.find(mint_a, mint_b, [label]) is not None:
            raise BadPool(f"a {label} pool for {mint_a} / {mint_b} exists already")
        sides = []
        for mint, reserve, name in ((mint_a, reserve_a, "mintA"), (mint_b, reserve_b, "mintB")):
            decimals, program = await self.mint_info(mint, name)
            vault = Keypair().pubkey()
            await self.node.control("/control/token-account", {"mint": str(mint), "owner": str(self.authority.pubkey()),
                                                               "amount": str(reserve), "address": str(vault)})
            sides.append(Side(mint, decimals, program, vault))
        pool = Pool(amm_key or Keypair().pubkey(), label, fee_bps, sides[0], sides[1])
        self.pools.append(pool)
        return pool

    def find(self, input_mint: Pubkey, output_mint: Pubkey, dexes: list[str] | None = None) -> Pool | None:
        """The first pool of the pair, among those whose label is in `dexes` when it is given (the quote API's
        `dexes` parameter)."""
        for pool in self.pools:
            if dexes is not None and pool.label not in dexes:
                continue
            if {pool.a.mint, pool.b.mint} == {input_mint, output_mint}:
                return pool
        return None

    def by_key(self, key: str) -> Pool | None:
        return next((pool for pool in self.pools if str(pool.amm_key) == key), None)

    async def reserves(self, pool: Pool, input_mint: Pubkey) -> tuple[int, int]:
        side_in, side_out = pool.sides(input_mint)
        return await self.node.token_balance(side_in.vault), await self.node.token_balance(side_out.vault)

    async def approve(self, pool: Pool, output: Side, delegate: Pubkey, amount: int) -> str:
        """The vault owner's ApproveChecked, sent and landed before the swap transaction is handed out."""
        blockhash = (await self.node.call("getLatestBlockhash", {"commitment": "processed"}))["value"]["blockhash"]
        message = MessageV0.try_compile(self.authority.pubkey(), [approve_checked(
            output.vault, output.mint, delegate, self.authority.pubkey(), amount, output.decimals, output.program)],
            [], Hash.from_string(blockhash))
        signature = await self.node.send(VersionedTransaction(message, [self.authority]))
        # Checked on the vault itself (current state), not by status: a node put behind hides recent statuses.
        value = (await self.node.call("getAccountInfo", str(output.vault), {"encoding": "jsonParsed",
                                                                           "commitment": "processed"}))["value"]
        info = value["data"]["parsed"]["info"]
        if info.get("delegate") != str(delegate) or info.get("delegatedAmount", {}).get("amount") != str(amount):
            raise NodeError(f"the pool's approval {signature} did not land: the vault shows delegate "
                            f"{info.get('delegate')} for {info.get('delegatedAmount')}")
        return signature

    async def view(self) -> list[dict]:
        out = []
        for pool in self.pools:
            out.append({"ammKey": str(pool.amm_key), "label": pool.label, "feeBps": pool.fee_bps,
                        "mintA": str(pool.a.mint), "mintB": str(pool.b.mint), "vaultA": str(pool.a.vault),
                        "vaultB": str(pool.b.vault),
                        "reserveA": str(await self.node.token_balance(pool.a.vault)),
                        "reserveB": str(await self.node.token_balance(pool.b.vault))})
        return out
