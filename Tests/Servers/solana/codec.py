"""Wire encodings of the Solana JSON-RPC: base58 (Bitcoin alphabet), base64, base64+zstd, transaction decoding, and
LiteSVM's error objects turned into the RPC's `err` JSON (`"BlockhashNotFound"`, `{"InstructionError": [0,
{"Custom": 1}]}`), as agave serializes TransactionError."""
from __future__ import annotations

import base64
import binascii

import zstandard
from solders.transaction import VersionedTransaction
from solders.transaction_status import (InstructionErrorBorshIO, InstructionErrorCustom, InstructionErrorFieldless,
                                        TransactionErrorDuplicateInstruction, TransactionErrorFieldless,
                                        TransactionErrorInstructionError, TransactionErrorInsufficientFundsForRent,
                                        TransactionErrorProgramExecutionTemporarilyRestricted)

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
INDEX = {c: i for i, c in enumerate(ALPHABET)}
# The packet size: agave refuses a larger wire transaction (PACKET_DATA_SIZE), and base58 input past its encoded size.
PACKET_DATA_SIZE = 1232
MAX_BASE58_SIZE = 1683
MAX_BASE64_SIZE = 1644


class RpcError(Exception):
    """A JSON-RPC error object: code, message and optional data, as the node sends it."""

    def __init__(self, code: int, message: str, data=None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data

    def body(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


def invalid_params(message: str) -> RpcError:
    return RpcError(-32602, message)


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, digit = divmod(number, 58)
        out = ALPHABET[digit] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in INDEX:
            raise ValueError(f"invalid base58 character {char!r}")
        number = number * 58 + INDEX[char]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def encode_data(data: bytes, encoding: str) -> list | str:
    """Account or instruction bytes in an RPC data field: `[text, encoding]` (base58 alone for the legacy `binary`)."""
    if encoding == "base64":
        return [base64.b64encode(data).decode(), "base64"]
    if encoding == "base64+zstd":
        return [base64.b64encode(zstandard.ZstdCompressor().compress(data)).decode(), "base64+zstd"]
    if encoding == "base58":
        if len(data) > 128:
            # agave's limit (MAX_BASE58_BYTES) and its words.
            raise RpcError(-32600, "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 "
                                   "encoding.")
        return [b58encode(data), "base58"]
    raise invalid_params(f"Invalid params: unknown encoding `{encoding}`")


def decode_transaction(text, encoding: str) -> VersionedTransaction:
    """A wire transaction from sendTransaction / simulateTransaction's first parameter; -32602 as agave words it."""
    if not isinstance(text, str):
        raise invalid_params("Invalid params: invalid type: expected a string for the transaction.")
    if encoding in ("base58", "binary"):
        if len(text) > MAX_BASE58_SIZE:
            raise invalid_params(f"base58 encoded solana_transaction::versioned::VersionedTransaction too large: "
                                 f"{len(text)} bytes (max: encoded/raw {MAX_BASE58_SIZE}/{PACKET_DATA_SIZE})")
        try:
            raw = b58decode(text)
        except ValueError as problem:
            raise invalid_params(f"invalid base58 encoding: {problem}") from None
    elif encoding == "base64":
        if len(text) > MAX_BASE64_SIZE:
            raise invalid_params(f"base64 encoded solana_transaction::versioned::VersionedTransaction too large: "
                                 f"{len(text)} bytes (max: encoded/raw {MAX_BASE64_SIZE}/{PACKET_DATA_SIZE})")
        try:
            raw = base64.b64decode(text, validate=True)
        except binascii.Error as problem:
            raise invalid_params(f"invalid base64 encoding: {problem}") from None
    else:
        raise invalid_params(f"Invalid params: unsupported encoding: {encoding}. Supported encodings: base58, base64")
    if len(raw) > PACKET_DATA_SIZE:
        raise invalid_params(f"decoded solana_transaction::versioned::VersionedTransaction too large: {len(raw)} bytes "
                             f"(max: {PACKET_DATA_SIZE} bytes)")
    try:
        transaction = VersionedTransaction.from_bytes(raw)
    except Exception as problem:  # solders raises its own error types for a bad serialization
        raise invalid_params(f"failed to deserialize solana_transaction::versioned::VersionedTransaction: "
                             f"{problem}") from None
    try:
        transaction.sanitize()
    except Exception as problem:
        raise invalid_params(f"invalid transaction: {problem}") from None
    return transaction


def _camel_name(value) -> str:
    """`TransactionErrorFieldless.AlreadyProcessed` → `AlreadyProcessed` (agave's variant names)."""
    return str(value).rsplit(".", 1)[-1]


def instruction_error_json(error):
    if isinstance(error, InstructionErrorCustom):
        return {"Custom": error.code}
    if isinstance(error, InstructionErrorBorshIO):
        return {"BorshIoError": error.value if hasattr(error, "value") else ""}
    if isinstance(error, InstructionErrorFieldless) or hasattr(error, "name"):
        return _camel_name(error)
    return _camel_name(error)


def transaction_error_json(error):
    """LiteSVM's TransactionError as agave's RPC `err` JSON."""
    if error is None:
        return None
    if isinstance(error, TransactionErrorInstructionError):
        return {"InstructionError": [error.index, instruction_error_json(error.err)]}
    if isinstance(error, TransactionErrorDuplicateInstruction):
        return {"DuplicateInstruction": error.index}
    if isinstance(error, TransactionErrorInsufficientFundsForRent):
        return {"InsufficientFundsForRent": {"account_index": error.account_index}}
    if isinstance(error, TransactionErrorProgramExecutionTemporarilyRestricted):
        return {"ProgramExecutionTemporarilyRestricted": {"account_index": error.account_index}}
    if isinstance(error, TransactionErrorFieldless):
        return _camel_name(error)
    return _camel_name(error)


# agave's Display text for the transaction errors a preflight most often reports ("Transaction simulation failed: …").
ERROR_TEXT = {
    "BlockhashNotFound": "Blockhash not found",
    "AlreadyProcessed": "This transaction has already been processed",
    "AccountNotFound": "Attempt to debit an account but found no record of a prior credit.",
    "InsufficientFundsForFee": "Insufficient funds for fee",
    "SignatureFailure": "Transaction did not pass signature verification",
}


def error_text(err_json) -> str:
    if isinstance(err_json, str):
        return ERROR_TEXT.get(err_json, err_json)
    if isinstance(err_json, dict) and "InstructionError" in err_json:
        index, inner = err_json["InstructionError"]
        if isinstance(inner, dict) and "Custom" in inner:
            return f"Error processing Instruction {index}: custom program error: {inner['Custom']:#x}"
        return f"Error processing Instruction {index}: {inner}"
    if isinstance(err_json, dict) and "InsufficientFundsForRent" in err_json:
        index = err_json["InsufficientFundsForRent"]["account_index"]
        return f"Transaction results in an account ({index}) with insufficient funds for rent"
    return str(err_json)
