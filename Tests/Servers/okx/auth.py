"""Request security (docs-v5 "REST Authentication" and "WebSocket Login").

REST: OK-ACCESS-SIGN = base64(HMAC-SHA256(secret, timestamp + METHOD + requestPath + body)), where timestamp is
OK-ACCESS-TIMESTAMP exactly as sent (ISO 8601 UTC with milliseconds), requestPath includes the query string of a
GET as sent, and body is the raw JSON body (empty for GET). Requests whose timestamp differs from server time by
more than 30 s are refused with 50102. The order of the checks (which error wins when several apply) is this
server's: missing headers, key, timestamp format, timestamp window, passphrase, signature, environment, permission.

WebSocket login: sign = base64(HMAC-SHA256(secret, timestamp + "GET" + "/users/self/verify")), timestamp in Unix
seconds (a decimal point is allowed: the docs' example computes Date.now() / 1000); expires 30 s after it.
"""
from __future__ import annotations

import base64
import hashlib
import hmac

from accounts import Account, Accounts, ApiKey
from common import Clock, OkxError, parse_iso_ms

WINDOW_MS = 30_000
LOGIN_PATH = "/users/self/verify"


def sign(secret: str, prehash: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), prehash.encode(), hashlib.sha256).digest()).decode()


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


def authenticate_rest(accounts: Accounts, clock: Clock, headers, method: str, path_qs: str, body: str,
                      permission: str) -> tuple[Account, ApiKey]:
    key_text = headers.get("OK-ACCESS-KEY", "")
    signature = headers.get("OK-ACCESS-SIGN", "")
    stamp = headers.get("OK-ACCESS-TIMESTAMP", "")
    passphrase = headers.get("OK-ACCESS-PASSPHRASE", "")
    if not key_text:
        raise OkxError(50103, 'Request header "OK-ACCESS-KEY" cannot be empty.', http=401)
    if not passphrase:
        raise OkxError(50104, 'Request header "OK-ACCESS-PASSPHRASE" cannot be empty.', http=401)
    if not signature:
        raise OkxError(50106, 'Request header "OK-ACCESS-SIGN" cannot be empty.', http=401)
    if not stamp:
        raise OkxError(50107, 'Request header "OK-ACCESS-TIMESTAMP" cannot be empty.', http=401)
    found = accounts.lookup(key_text)
    if found is None:
        raise OkxError(50111, "Invalid OK-ACCESS-KEY.", http=401)
    account, key = found
    sent_ms = parse_iso_ms(stamp)
    if sent_ms is None:
        raise OkxError(50112, "Invalid OK-ACCESS-TIMESTAMP.", http=401)
    if abs(clock.ms() - sent_ms) > WINDOW_MS:
        raise OkxError(50102, "Timestamp request expired.", http=401)
    if not _same(key.passphrase, passphrase):
        raise OkxError(50105, 'Request header "OK-ACCESS-PASSPHRASE" incorrect.', http=401)
    if not _same(sign(key.secret, stamp + method.upper() + path_qs + body), signature):
        raise OkxError(50113, "Invalid signature.", http=401)
    simulated = headers.get("x-simulated-trading", "") == "1"
    if simulated != key.simulated:
        raise OkxError(50101, "APIKey does not match current environment.", http=401)
    if not key.can(permission):
        raise OkxError(50120, "This API key doesn't have permission to use this function")
    return account, key


def authenticate_login(accounts: Accounts, clock: Clock, args: dict) -> tuple[Account, ApiKey]:
    """The WebSocket `login` op. Raises OkxError with the WebSocket error codes (60xxx)."""
    for name in ("apiKey", "passphrase", "timestamp", "sign"):
        if args.get(name) in (None, ""):
            raise OkxError(60027, f"Parameter {name} can not be empty.")
    found = accounts.lookup(str(args["apiKey"]))
    if found is None:
        raise OkxError(60005, "Invalid apiKey")
    account, key = found
    stamp = str(args["timestamp"])
    try:
        sent_ms = int(float(stamp) * 1000)
    except ValueError:
        raise OkxError(60004, "Invalid timestamp")
    if abs(clock.ms() - sent_ms) > WINDOW_MS:
        raise OkxError(60006, "Timestamp request expired")
    if not _same(key.passphrase, str(args["passphrase"])):
        raise OkxError(60024, "Wrong passphrase")
    if not _same(sign(key.secret, stamp + "GET" + LOGIN_PATH), str(args["sign"])):
        raise OkxError(60007, "Invalid sign")
    return account, key
