"""CDP API key authentication (docs "Coinbase App API Key Authentication"): `Authorization: Bearer <JWT>` on REST,
`"jwt"` in a WebSocket subscribe.

Checks, in order (the first failure answers 401 with its reason in `error_details`): three base64url parts; header
`alg` ES256 and `kid` a known key name; payload `sub` = `kid`; `iss` "cdp" (or "coinbase-cloud", what the older
SDKs and ccxt 4.5.90 send); `nbf` <= now (+5 s leeway) < `exp`; `exp` - `nbf` <= 120; the ES256 signature (JWS r||s,
64 bytes) over "header.payload" with the key; REST: `uri` == "<METHOD> <host><path>" (no scheme, no query) where
host is the production `api.coinbase.com` or this server's own `127.0.0.1:<port>` / `localhost:<port>`; WebSocket:
no `uri` needed (one, if present, is ignored). `aud`, `iat` and the header `nonce` / `typ` are not checked.
"""
from __future__ import annotations

import base64
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from accounts import Account, Accounts, ApiKey
from common import ApiError

PRODUCTION_HOST = "api.coinbase.com"
ISSUERS = ("cdp", "coinbase-cloud")
LEEWAY_S = 5
MAX_LIFETIME_S = 120


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verify(accounts: Accounts, token: str | None, now: float, method: str | None = None, path: str | None = None,
           hosts: tuple[str, ...] = ()) -> tuple[Account, ApiKey]:
    """The account and key of a valid JWT, else ApiError(401). REST when `method` is given, WebSocket otherwise."""
    def fail(reason: str) -> ApiError:
        return ApiError(401, reason)
    if not token:
        raise fail("missing JWT")
    parts = token.split(".")
    if len(parts) != 3:
        raise fail("malformed JWT")
    try:
        header, payload, signature = json.loads(_b64(parts[0])), json.loads(_b64(parts[1])), _b64(parts[2])
    except (ValueError, TypeError):
        raise fail("malformed JWT")
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise fail("malformed JWT")
    if header.get("alg") != "ES256":
        raise fail("alg must be ES256")
    found = accounts.lookup(header.get("kid"))
    if found is None:
        raise fail("unknown key")
    account, key = found
    if payload.get("sub") != key.name:
        raise fail("sub does not match kid")
    if payload.get("iss") not in ISSUERS:
        raise fail("bad iss")
    nbf, exp = payload.get("nbf"), payload.get("exp")
    if not isinstance(nbf, int) or not isinstance(exp, int):
        raise fail("nbf and exp required")
    if exp - nbf > MAX_LIFETIME_S:
        raise fail("lifetime above 120 s")
    if nbf > now + LEEWAY_S:
        raise fail("not yet valid (nbf)")
    if now >= exp:
        raise fail("expired")
    if len(signature) != 64:
        raise fail("signature must be r||s (64 bytes)")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        key.public_key.verify(der, f"{parts[0]}.{parts[1]}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise fail("bad signature")
    if method is not None:
        allowed = {f"{method} {host}{path}" for host in (PRODUCTION_HOST, *hosts)}
        if payload.get("uri") not in allowed:
            raise fail("uri does not match the request")
    return account, key
