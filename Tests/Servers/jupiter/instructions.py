"""The instructions a local Jupiter swap is made of, encoded from the programs' published interfaces: SPL Token /
Token-2022 (TransferChecked 12, ApproveChecked 13, CloseAccount 9, SyncNative 17), the associated-token program
(CreateIdempotent 1), the system transfer and the compute-budget program."""
from __future__ import annotations

import struct

from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price
from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer

TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
TOKEN_2022_PROGRAM = Pubkey.from_string("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")
ASSOCIATED_TOKEN_PROGRAM = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
SYSTEM_PROGRAM = Pubkey.from_string("11111111111111111111111111111111")
NATIVE_MINT = Pubkey.from_string("So11111111111111111111111111111111111111112")
MAX_COMPUTE_UNITS = 1_400_000


def associated_address(owner: Pubkey, mint: Pubkey, program: Pubkey) -> Pubkey:
    return Pubkey.find_program_address([bytes(owner), bytes(program), bytes(mint)], ASSOCIATED_TOKEN_PROGRAM)[0]


def create_associated_idempotent(payer: Pubkey, owner: Pubkey, mint: Pubkey, program: Pubkey) -> Instruction:
    return Instruction(ASSOCIATED_TOKEN_PROGRAM, bytes([1]), [
        AccountMeta(payer, True, True), AccountMeta(associated_address(owner, mint, program), False, True),
        AccountMeta(owner, False, False), AccountMeta(mint, False, False),
        AccountMeta(SYSTEM_PROGRAM, False, False), AccountMeta(program, False, False)])


def transfer_checked(source: Pubkey, mint: Pubkey, destination: Pubkey, authority: Pubkey, amount: int,
                     decimals: int, program: Pubkey) -> Instruction:
    return Instruction(program, bytes([12]) + struct.pack("<QB", amount, decimals), [
        AccountMeta(source, False, True), AccountMeta(mint, False, False), AccountMeta(destination, False, True),
        AccountMeta(authority, True, False)])


def approve_checked(source: Pubkey, mint: Pubkey, delegate: Pubkey, owner: Pubkey, amount: int, decimals: int,
                    program: Pubkey) -> Instruction:
    return Instruction(program, bytes([13]) + struct.pack("<QB", amount, decimals), [
        AccountMeta(source, False, True), AccountMeta(mint, False, False), AccountMeta(delegate, False, False),
        AccountMeta(owner, True, False)])


def sync_native(account: Pubkey, program: Pubkey) -> Instruction:
    return Instruction(program, bytes([17]), [AccountMeta(account, False, True)])


def close_account(account: Pubkey, destination: Pubkey, owner: Pubkey, program: Pubkey) -> Instruction:
    return Instruction(program, bytes([9]), [AccountMeta(account, False, True), AccountMeta(destination, False, True),
                                             AccountMeta(owner, True, False)])


def lamports(source: Pubkey, destination: Pubkey, amount: int) -> Instruction:
    return transfer(TransferParams(from_pubkey=source, to_pubkey=destination, lamports=amount))


def compute_limit(units: int) -> Instruction:
    return set_compute_unit_limit(units)


def compute_price(micro_lamports: int) -> Instruction:
    return set_compute_unit_price(micro_lamports)
