"""REST request security (docs "Spot REST Authentication").

API-Sign = base64(HMAC-SHA512(key = base64decode(secret), msg = URI path + SHA256(nonce + POST body))), the URI path
being "/0/private/<Method>", nonce + body the ASCII strings concatenated (the body exactly as received), SHA256 the
raw 32 bytes. The nonce (a form field, JSON field for JSON bodies) must be strictly greater than the last one this
key used, unless the key has a nonce window (`nonceWindow` option: that many units below the highest accepted nonce
are tolerated once each, as the docs' nonce-window setting describes). Order of checks (this server's): key header,
key known, signature, nonce, permission.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from accounts import Account, Accounts, ApiKey
from common import KrakenError


def sign(secret_b64: str, uri_path: str, nonce: str, body: str) -> str:
    digest = hashlib.sha256((nonce + body).encode()).digest()
    mac = hmac.new(base64.b64decode(secret_b64), uri_path.encode() + digest, hashlib.sha512)
    return base64.b64encode(mac.digest()).decode()


def authenticate(accounts: Accounts, headers, uri_path: str, nonce_text, body: str, nonce_window: int = 0,
                 seen: dict | None = None) -> tuple[Account, ApiKey]:
    found = accounts.lookup(headers.get("API-Key", ""))
    if found is None:
        raise KrakenError("EAPI:Invalid key")
    account, key = found
    signature = headers.get("API-Sign", "")
    nonce = str(nonce_text) if nonce_text is not None else ""
    try:
        expected = sign(key.secret, uri_path, nonce, body)
    except (binascii.Error, ValueError):
        raise KrakenError("EAPI:Invalid key")
    if not signature or not hmac.compare_digest(expected.encode(), signature.encode()):
        raise KrakenError("EAPI:Invalid signature")
    if not nonce.isdigit():
        raise KrakenError("EAPI:Invalid nonce")
    value = int(nonce)
    if value > key.last_nonce:
        key.last_nonce = value
    else:
        used = seen.setdefault(key.api_key, set()) if seen is not None else set()
        if nonce_window <= 0 or value <= key.last_nonce - nonce_window or value in used or value == key.last_nonce:
            raise KrakenError("EAPI:Invalid nonce")
        used.add(value)
    return account, key
