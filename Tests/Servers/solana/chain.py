"""The ledger behind the RPC: LiteSVM (solders) plus what a node has and LiteSVM lacks — slots and a block height
that advance (a skipped slot every SKIP_EVERY blocks, so the two never agree), a blockhash per block valid for
MAX_PROCESSING_AGE blocks, the Clock moving with the slots, commitment levels (confirmed one block behind the tip,
finalized FINALITY_DEPTH blocks behind), landed transactions with their status and meta, and the native mints.

LiteSVM keeps one latest blockhash only, so its own check is off and this module decides which blockhash is live.
Its signature check is off too: the RPC verifies signatures itself (sigVerify, preflight) and drops a badly signed
transaction sent with skipPreflight, as a validator's sigverify stage would.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

from solders.account import Account
from solders.clock import Clock
from solders.hash import Hash
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from solders.token.state import Mint
from solders.transaction import VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata

from codec import transaction_error_json
from tokens import TOKEN_2022_PROGRAM, TOKEN_PROGRAM, token_balances

MAX_PROCESSING_AGE = 150          # blocks a blockhash stays usable (agave's MAX_PROCESSING_AGE)
FINALITY_DEPTH = 32               # blocks between the tip and the finalized block
SKIP_EVERY = 5                    # every 5th block follows a skipped slot
STATUS_CACHE_SLOTS = 300          # getSignatureStatuses without searchTransactionHistory sees this far back
FIRST_SLOT = 1_000
FIRST_BLOCK_HEIGHT = 900
SLOTS_PER_EPOCH = 432_000
NATIVE_MINT = Pubkey.from_string("So11111111111111111111111111111111111111112")
NATIVE_MINT_2022 = Pubkey.from_string("9pan9bMn5HatX4EJdBwg9VgCa7Uz5HL8N1m5D3NdXejP")
FAUCET_LAMPORTS = 10**18
SYSTEM_PROGRAM = Pubkey.from_string("11111111111111111111111111111111")
COMMITMENTS = ("processed", "confirmed", "finalized")


@dataclass
class Block:
    slot: int
    parent_slot: int
    height: int
    blockhash: Hash
    time: int
    # the lowest compute-unit price paid in this block, overall and per write-locked account (for
    # getRecentPrioritizationFees); None when nothing landed
    min_price: int | None = None
    account_prices: dict[str, int] = field(default_factory=dict)
    signatures: list[str] = field(default_factory=list)


@dataclass
class Landed:
    """A transaction in a block: what getTransaction and getSignatureStatuses report."""
    signature: str
    slot: int
    block_time: int
    transaction: VersionedTransaction
    raw: bytes
    err: object                                  # the RPC err JSON, None on success
    fee: int
    logs: list[str]
    units: int
    account_keys: list[str]
    writable: list[bool]
    loaded: dict
    pre_balances: list[int]
    post_balances: list[int]
    pre_token_balances: list[dict]
    post_token_balances: list[dict]
    return_data: object = None


class Chain:
    def __init__(self) -> None:
        self.svm = LiteSVM().with_blockhash_check(False).with_sigverify(False)
        self.genesis_time = int(time.time())
        self.blocks: list[Block] = []
        self.blockhashes: dict[str, int] = {}        # blockhash → last valid block height
        self.landed: dict[str, Landed] = {}
        self.dropped: set[str] = set()                # accepted with skipPreflight but never landed
        self.fee_overrides: dict[int, int] = {}       # slot → prioritizationFee set by the test
        self.listeners: list = []                     # objects with on_block(block) / on_accounts(slot, {key: acc})
        self._write_native_mints()
        self.faucet = Keypair()
        self.svm.set_account(self.faucet.pubkey(), Account(FAUCET_LAMPORTS, b"", SYSTEM_PROGRAM, False, 2**64 - 1))
        self._new_block(FIRST_SLOT, FIRST_SLOT - 1, FIRST_BLOCK_HEIGHT)

    # ---- blocks ----

    def _write_native_mints(self) -> None:
        for mint, program in ((NATIVE_MINT, TOKEN_PROGRAM), (NATIVE_MINT_2022, TOKEN_2022_PROGRAM)):
            data = bytes(Mint(mint_authority=None, supply=0, decimals=9, is_initialized=True, freeze_authority=None))
            lamports = self.svm.minimum_balance_for_rent_exemption(len(data))
            self.svm.set_account(mint, Account(lamports, data, program, False, 2**64 - 1))

    def _new_block(self, slot: int, parent: int, height: int) -> Block:
        seed = hashlib.sha256(b"dexter local solana block " + slot.to_bytes(8, "little")).digest()
        block_time = self.genesis_time + (slot - FIRST_SLOT) * 2 // 5      # 400 ms slots
        block = Block(slot, parent, height, Hash(seed), block_time)
        self.blocks.append(block)
        self.blockhashes[str(block.blockhash)] = height + MAX_PROCESSING_AGE
        epoch = slot // SLOTS_PER_EPOCH
        self.svm.set_clock(Clock(slot=slot, epoch_start_timestamp=self.genesis_time, epoch=epoch,
                                 leader_schedule_epoch=epoch + 1, unix_timestamp=block_time))
        return block

    def advance(self, count: int = 1) -> list[Block]:
        made = []
        for _ in range(count):
            tip = self.tip
            skipped = 1 if (tip.height + 1) % SKIP_EVERY == 0 else 0
            block = self._new_block(tip.slot + 1 + skipped, tip.slot, tip.height + 1)
            made.append(block)
            for listener in self.listeners:
                listener.on_block(block)
        return made

    @property
    def tip(self) -> Block:
        return self.blocks[-1]

    def at(self, commitment: str | None, behind: int = 0) -> Block:
        """The block a read at `commitment` sees (finalized when none is given, as the RPC defaults)."""
        depth = {"processed": 0, "confirmed": 1, "finalized": FINALITY_DEPTH}[commitment or "finalized"]
        return self.blocks[max(0, len(self.blocks) - 1 - depth - behind)]

    def confirmation(self, slot: int) -> tuple[str, int | None]:
        """(confirmationStatus, confirmations) of a transaction landed in `slot`."""
        blocks_since = sum(1 for block in self.blocks[-FINALITY_DEPTH - 1:] if block.slot > slot)
        if blocks_since >= FINALITY_DEPTH:
            return "finalized", None
        return ("confirmed" if blocks_since >= 1 else "processed"), blocks_since

    def reached(self, slot: int, commitment: str) -> bool:
        status, _ = self.confirmation(slot)
        return COMMITMENTS.index(status) >= COMMITMENTS.index(commitment)

    def blockhash_valid(self, blockhash: str) -> bool:
        last_valid = self.blockhashes.get(blockhash)
        return last_valid is not None and self.tip.height <= last_valid

    # ---- accounts ----

    def account(self, key: Pubkey) -> Account | None:
        account = self.svm.get_account(key)
        if account is None or (account.lamports == 0 and not account.data and account.owner == Pubkey.default()):
            return None
        return account

    def set_account(self, key: Pubkey, account: Account) -> None:
        self.svm.set_account(key, account)
        self._notify_accounts([key])

    def _notify_accounts(self, keys) -> None:
        changed = {str(key): self.account(key) for key in keys}
        for listener in self.listeners:
            listener.on_accounts(self.tip.slot, changed)

    # ---- transactions ----

    def message_keys(self, transaction: VersionedTransaction) -> tuple[list[str], list[bool], dict]:
        """Every account a message loads, static then from lookup tables, with its writability and the
        loadedAddresses of getTransaction's meta."""
        message = transaction.message
        static = [str(key) for key in message.account_keys]
        header = message.header
        signed, count = header.num_required_signatures, len(static)
        # Writability from the header (legacy and v0 alike): signed writable keys first, unsigned writable next.
        writable = [i < signed - header.num_readonly_signed_accounts
                    or signed <= i < count - header.num_readonly_unsigned_accounts for i in range(count)]
        loaded = {"writable": [], "readonly": []}
        for lookup in getattr(message, "address_table_lookups", []) or []:
            table = self.account(lookup.account_key)
            addresses = [] if table is None else [str(Pubkey(bytes(table.data[i:i + 32])))
                                                  for i in range(56, len(table.data) - 31, 32)]
            for index in lookup.writable_indexes:
                if index < len(addresses):
                    loaded["writable"].append(addresses[index])
            for index in lookup.readonly_indexes:
                if index < len(addresses):
                    loaded["readonly"].append(addresses[index])
        keys = static + loaded["writable"] + loaded["readonly"]
        writable += [True] * len(loaded["writable"]) + [False] * len(loaded["readonly"])
        return keys, writable, loaded

    def balances(self, keys: list[str]) -> tuple[list[int], list[dict]]:
        lamports, accounts = [], []
        for key in keys:
            account = self.account(Pubkey.from_string(key))
            lamports.append(0 if account is None else account.lamports)
            accounts.append(account)
        return lamports, token_balances(accounts, self.account)

    def simulate(self, transaction: VersionedTransaction):
        return self.svm.simulate_transaction(transaction)

    def execute(self, transaction: VersionedTransaction, raw: bytes) -> Landed | None:
        """Runs a transaction in the tip block. Returns None when a validator would not include it at all (fee
        payer missing or short of the fee, a duplicate): then nothing is charged and no status exists."""
        signature = str(transaction.signatures[0])
        if signature in self.landed:
            return self.landed[signature]
        keys, writable, loaded = self.message_keys(transaction)
        pre, pre_tokens = self.balances(keys)
        result = self.svm.send_transaction(transaction)
        failed = isinstance(result, FailedTransactionMetadata)
        meta = result.meta() if failed else result
        err = transaction_error_json(result.err()) if failed else None
        if failed and not isinstance(err, dict):
            self.dropped.add(signature)
            return None
        post, post_tokens = self.balances(keys)
        block = self.tip
        landed = Landed(signature, block.slot, block.time, transaction, raw, err, meta.fee(), list(meta.logs()),
                        meta.compute_units_consumed(), keys, writable, loaded, pre, post, pre_tokens, post_tokens,
                        meta.return_data())
        self._record(landed, unit_price(transaction))
        self._notify_accounts([Pubkey.from_string(k) for k, w in zip(keys, writable) if w])
        return landed

    def airdrop(self, key: Pubkey, lamports: int) -> Landed:
        """requestAirdrop: a real system transfer from the faucet, signed with the tip's blockhash, so it has a
        transaction and a status like any other."""
        message = MessageV0.try_compile(self.faucet.pubkey(), [transfer(TransferParams(
            from_pubkey=self.faucet.pubkey(), to_pubkey=key, lamports=lamports))], [], self.tip.blockhash)
        transaction = VersionedTransaction(message, [self.faucet])
        landed = self.execute(transaction, bytes(transaction))
        if landed is None or landed.err is not None:
            raise RuntimeError(f"airdrop of {lamports} lamports to {key} failed")
        return landed

    def _record(self, landed: Landed, price: int) -> None:
        block = self.tip
        self.landed[landed.signature] = landed
        block.signatures.append(landed.signature)
        block.min_price = price if block.min_price is None else min(block.min_price, price)
        for key, is_writable in zip(landed.account_keys, landed.writable):
            if is_writable:
                block.account_prices[key] = min(block.account_prices.get(key, price), price)

    def prioritization_fees(self, addresses: list[str]) -> list[dict]:
        """getRecentPrioritizationFees over the last MAX_PROCESSING_AGE blocks: per slot the lowest price paid in
        it (no addresses) or the highest of the addresses' lowest prices; a price the test set wins."""
        out = []
        for block in self.blocks[-MAX_PROCESSING_AGE:]:
            if block.slot in self.fee_overrides:
                fee = self.fee_overrides[block.slot]
            elif addresses:
                fee = max([block.account_prices.get(a, 0) for a in addresses] + [0])
            else:
                fee = block.min_price or 0
            out.append({"slot": block.slot, "prioritizationFee": fee})
        return out


COMPUTE_BUDGET = "ComputeBudget111111111111111111111111111111"
DEFAULT_UNITS_PER_INSTRUCTION = 200_000
MAX_UNITS = 1_400_000


def compute_budget(transaction_message) -> tuple[int, int]:
    """(compute-unit limit, µlamports per CU) a message asks for, as the runtime reads its ComputeBudget
    instructions: SetComputeUnitLimit (2, u32) and SetComputeUnitPrice (3, u64); without a limit 200,000 CU per
    other instruction, at most 1.4M."""
    keys = [str(key) for key in transaction_message.account_keys]
    limit, price, others = None, 0, 0
    for instruction in transaction_message.instructions:
        program = keys[instruction.program_id_index] if instruction.program_id_index < len(keys) else ""
        data = bytes(instruction.data)
        if program != COMPUTE_BUDGET:
            others += 1
        elif data[:1] == b"\x02" and len(data) >= 5:
            limit = int.from_bytes(data[1:5], "little")
        elif data[:1] == b"\x03" and len(data) >= 9:
            price = int.from_bytes(data[1:9], "little")
    if limit is None:
        limit = min(MAX_UNITS, DEFAULT_UNITS_PER_INSTRUCTION * others)
    return min(limit, MAX_UNITS), price


def unit_price(transaction: VersionedTransaction) -> int:
    return compute_budget(transaction.message)[1]


def message_fee(message) -> int:
    """getFeeForMessage: 5,000 lamports per signature plus ⌈price × limit / 10⁶⌉ (what LiteSVM charges)."""
    limit, price = compute_budget(message)
    signatures = message.header.num_required_signatures
    return 5_000 * signatures + (price * limit + 999_999) // 1_000_000
