"""Request security (USDⓈ-M "General Info": SIGNED endpoints), the same scheme as spot.

signature = hex HMAC-SHA256(secretKey, totalParams), totalParams = query string followed directly by the request body,
exactly as sent, less the signature parameter. Timing: reject unless timestamp < serverTime + 1000 and
serverTime - timestamp <= recvWindow (default 5000, max 60000).
(Adapted from Tests/Servers/binance/auth.py: that module imports its siblings by bare name, so it cannot be loaded
into this server's process beside this server's own `accounts` and `common`.)
"""
from __future__ import annotations

import hashlib
import hmac
import re
from urllib.parse import parse_qsl

from accounts import Account, Accounts, ApiKey
from common import BinanceError, Clock, mandatory

KEY_FORMAT = re.compile(r"^[A-Za-z0-9]{1,128}$")
NONE, USER_STREAM, USER_DATA, TRADE = "NONE", "USER_STREAM", "USER_DATA", "TRADE"


def parse_params(query: str, body: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for source in (body, query):
        seen: set[str] = set()
        for name, value in parse_qsl(source, keep_blank_values=True):
            if name in seen:
                raise BinanceError(-1101, "Duplicate values for a parameter detected.")
            seen.add(name)
            params[name] = value
    return params


def _without_signature(raw: str) -> tuple[str, str | None]:
    kept, signature = [], None
    for part in raw.split("&") if raw else []:
        if part.startswith("signature="):
            signature = part[len("signature="):]
        else:
            kept.append(part)
    return "&".join(kept), signature


def hmac_hex(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def resolve_key(accounts: Accounts, api_key: str | None) -> tuple[Account, ApiKey]:
    if not api_key or not KEY_FORMAT.match(api_key):
        raise BinanceError(-2014, "API-key format invalid.", http=401)
    found = accounts.lookup(api_key)
    if found is None:
        raise BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", http=401)
    return found


def check_timing(clock: Clock, params: dict) -> None:
    raw = params.get("timestamp")
    try:
        timestamp = int(str(raw))
    except ValueError:
        raise mandatory("timestamp")
    window = 5000
    if params.get("recvWindow") not in (None, ""):
        try:
            window = int(params["recvWindow"])
        except ValueError:
            raise mandatory("recvWindow")
        if window > 60000 or window <= 0:
            raise BinanceError(-1131, "recvWindow must be less than 60000")
    server = clock.ms()
    if timestamp >= server + 1000:
        raise BinanceError(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")
    if server - timestamp > window:
        raise BinanceError(-1021, "Timestamp for this request is outside of the recvWindow.")


def authenticate(accounts: Accounts, clock: Clock, security: str, api_key: str | None, query: str, body: str,
                 params: dict) -> tuple[Account, ApiKey]:
    account, key = resolve_key(accounts, api_key)
    if security in (USER_DATA, TRADE):
        if params.get("timestamp") in (None, ""):
            raise mandatory("timestamp")
        q, sig_q = _without_signature(query)
        b, sig_b = _without_signature(body)
        signature = sig_q or sig_b
        if not signature:
            raise mandatory("signature")
        if not hmac.compare_digest(hmac_hex(key.secret, q + b), signature.lower()):
            raise BinanceError(-1022, "Signature for this request is not valid.")
        check_timing(clock, params)
    if (security == TRADE and not key.enable_futures) or (security in (USER_DATA, TRADE) and not key.enable_reading):
        raise BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", http=401)
    return account, key
