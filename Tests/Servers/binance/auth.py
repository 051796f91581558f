"""Request security (rest-api.md "SIGNED (TRADE and USER_DATA) Endpoint security", web-socket-api.md "Request security").

REST: signature = hex HMAC-SHA256(secretKey, totalParams), totalParams = query string concatenated with the request body
(no separator), both exactly as sent, less the signature parameter. Hex is case-insensitive.
WebSocket API: all params except `signature`, sorted by name, as `name=value` joined with `&`.
Timing: reject unless timestamp < serverTime + 1000 and serverTime - timestamp <= recvWindow (default 5000, max 60000).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from urllib.parse import parse_qsl

from accounts import Account, Accounts, ApiKey
from common import BinanceError, Clock, mandatory

KEY_FORMAT = re.compile(r"^[A-Za-z0-9]{1,128}$")

NONE, USER_STREAM, USER_DATA, TRADE = "NONE", "USER_STREAM", "USER_DATA", "TRADE"


def bad_key_format() -> BinanceError:
    return BinanceError(-2014, "API-key format invalid.", http=401)


def rejected_key() -> BinanceError:
    return BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", http=401)


def parse_params(query: str, body: str) -> dict[str, str]:
    """Query string and form body; a parameter in both: the query string wins (rest-api.md)."""
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
    parts = raw.split("&") if raw else []
    kept, signature = [], None
    for part in parts:
        if part.startswith("signature="):
            signature = part[len("signature="):]
        else:
            kept.append(part)
    return "&".join(kept), signature


def rest_payload(query: str, body: str) -> tuple[str, str | None]:
    query_rest, sig_q = _without_signature(query)
    body_rest, sig_b = _without_signature(body)
    return query_rest + body_rest, sig_q or sig_b


def hmac_hex(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def ws_payload(params: dict) -> str:
    def text(value) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)
    return "&".join(f"{name}={text(params[name])}" for name in sorted(params) if name != "signature")


def resolve_key(accounts: Accounts, api_key: str | None) -> tuple[Account, ApiKey]:
    if not api_key:
        raise bad_key_format()
    if not KEY_FORMAT.match(api_key):
        raise bad_key_format()
    found = accounts.lookup(api_key)
    if found is None:
        raise rejected_key()
    return found


def check_permission(key: ApiKey, security: str) -> None:
    if security == TRADE and not key.enable_trading:
        raise rejected_key()
    if security in (USER_DATA, TRADE) and not key.enable_reading:
        raise rejected_key()


def check_timing(clock: Clock, params: dict) -> None:
    raw_ts = params.get("timestamp")
    if raw_ts in (None, ""):
        raise mandatory("timestamp")
    try:
        timestamp = int(str(raw_ts))
    except ValueError:
        raise mandatory("timestamp")
    if timestamp > 10**14:          # microseconds are accepted too (X-MBX-TIME-UNIT era)
        timestamp //= 1000
    raw_window = params.get("recvWindow")
    window = 5000
    if raw_window not in (None, ""):
        try:
            window = float(str(raw_window))
        except ValueError:
            raise mandatory("recvWindow")
        if window > 60000:
            raise BinanceError(-1102, "'recvWindow' contains unexpected value. Cannot be greater than '60000'.")
    server = clock.ms()
    if timestamp >= server + 1000:
        raise BinanceError(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")
    if server - timestamp > window:
        raise BinanceError(-1021, "Timestamp for this request is outside of the recvWindow.")


def verify_hmac(key: ApiKey, payload: str, signature: str | None) -> None:
    if not signature:
        raise mandatory("signature")
    expected = hmac_hex(key.secret, payload)
    if not hmac.compare_digest(expected, signature.lower()):
        raise BinanceError(-1022, "Signature for this request is not valid.")


def verify_ed25519(key: ApiKey, payload: str, signature: str) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.serialization import load_pem_public_key
    if not key.ed25519_public_pem:
        return False
    try:
        public = load_pem_public_key(key.ed25519_public_pem.encode())
        public.verify(base64.b64decode(signature), payload.encode())
        return True
    except (InvalidSignature, ValueError):
        return False


def authenticate_rest(accounts: Accounts, clock: Clock, security: str, api_key: str | None, query: str,
                      body: str, params: dict) -> tuple[Account, ApiKey]:
    account, key = resolve_key(accounts, api_key)
    if security in (USER_DATA, TRADE):
        check_timing_params_present(params)
        payload, signature = rest_payload(query, body)
        verify_hmac(key, payload, signature)
        check_timing(clock, params)
    check_permission(key, security)
    return account, key


def check_timing_params_present(params: dict) -> None:
    if params.get("timestamp") in (None, ""):
        raise mandatory("timestamp")
    window = params.get("recvWindow")
    if window not in (None, ""):
        try:
            if float(window) > 60000:
                raise BinanceError(-1102, "'recvWindow' contains unexpected value. Cannot be greater than '60000'.")
        except ValueError:
            raise mandatory("recvWindow")
