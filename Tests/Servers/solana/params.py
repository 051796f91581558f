"""Reading JSON-RPC params the way agave does: positional, a trailing config object, -32602 naming what is wrong."""
from __future__ import annotations

from solders.pubkey import Pubkey

from codec import RpcError, invalid_params

COMMITMENTS = ("processed", "confirmed", "finalized")


def positional(params, index: int, name: str, required: bool = True):
    if params is None:
        params = []
    if not isinstance(params, list):
        raise invalid_params("Invalid params: invalid type: map, expected a sequence.")
    if index < len(params):
        return params[index]
    if required:
        raise invalid_params(f"Invalid params: missing field `{name}`.")
    return None


def config(params, index: int) -> dict:
    value = positional(params, index, "config", required=False)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid_params(f"Invalid params: invalid type: {type(value).__name__}, expected a config object.")
    return value


def pubkey(value, name: str = "pubkey") -> Pubkey:
    if not isinstance(value, str):
        raise invalid_params(f"Invalid param: {name} must be a base-58 string")
    try:
        return Pubkey.from_string(value)
    except Exception:
        raise invalid_params("Invalid param: Invalid") from None


def commitment(cfg: dict) -> str:
    value = cfg.get("commitment", "finalized")
    # The old names the RPC still accepts.
    value = {"recent": "processed", "single": "confirmed", "singleGossip": "confirmed", "root": "finalized",
             "max": "finalized"}.get(value, value)
    if value not in COMMITMENTS:
        raise invalid_params(f"Invalid params: unknown variant `{value}`, expected one of `processed`, `confirmed`, "
                             f"`finalized`.")
    return value


def integer(value, name: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise invalid_params(f"Invalid params: {name} must be an integer ≥ {minimum}, got {value!r}.")
    return value


def min_context_slot(cfg: dict, slot: int) -> None:
    wanted = cfg.get("minContextSlot")
    if wanted is not None and integer(wanted, "minContextSlot") > slot:
        raise RpcError(-32016, "Minimum context slot has not been reached", {"contextSlot": slot})
