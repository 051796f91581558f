"""Request security (docs v5 "Integration Guidance" → Authentication) and WebSocket auth (docs v5 "Connect").

REST: headers X-BAPI-API-KEY, X-BAPI-TIMESTAMP (ms), X-BAPI-SIGN, optional X-BAPI-RECV-WINDOW (default 5000).
X-BAPI-SIGN = lowercase hex HMAC-SHA256(secret, timestamp + apiKey + recvWindow + payload), payload = the query
string exactly as sent (GET) or the raw JSON body (POST); recvWindow is in the signed string only when the header is
sent. The timestamp must satisfy server_time - recv_window <= timestamp < server_time + 1000.
Checks run in this order (the docs give no order): key header and key (10003), signature header (10004),
timestamp header (10002), signature (10004), time window (10002), permission (10005). A missing header answers HTTP
401 (docs "Error Codes": 401 = "put authentication params in the request header") with its retCode; every other
refusal HTTP 200.

WebSocket: {"op": "auth", "args": [apiKey, expires, signature]}, signature = hex HMAC-SHA256(secret,
"GET/realtime" + expires) with expires in ms as sent; expires must be later than the server's time.
"""
from __future__ import annotations

import hashlib
import hmac

from accounts import Account, Accounts, ApiKey
from common import MSG, BybitError, Clock, error


def hmac_hex(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def authenticate(accounts: Accounts, clock: Clock, headers, payload: str, trade: bool) -> tuple[Account, ApiKey]:
    api_key = headers.get("X-BAPI-API-KEY")
    if not api_key:
        raise BybitError(10003, MSG[10003], http=401)
    found = accounts.lookup(api_key)
    if found is None:
        raise error(10003)
    account, key = found
    signature = headers.get("X-BAPI-SIGN")
    if not signature:
        raise BybitError(10004, MSG[10004], http=401)
    stamp = headers.get("X-BAPI-TIMESTAMP", "")
    if not stamp.isdigit():
        raise BybitError(10002, "invalid request, please check your server timestamp or recv_window param. "
                                "X-BAPI-TIMESTAMP is missing or not a number", http=401 if not stamp else 200)
    recv = headers.get("X-BAPI-RECV-WINDOW")
    if recv is not None and (not recv.isdigit() or int(recv) <= 0):
        raise BybitError(10001, "params error: X-BAPI-RECV-WINDOW invalid")
    signed = stamp + api_key + (recv if recv is not None else "") + payload
    if not hmac.compare_digest(hmac_hex(key.secret, signed), signature.lower()):
        raise error(10004)
    window = int(recv) if recv is not None else 5000
    server = clock.ms()
    timestamp = int(stamp)
    if not (server - window <= timestamp < server + 1000):
        raise BybitError(10002, f"invalid request, please check your server timestamp or recv_window param. "
                                f"req_timestamp[{timestamp}],server_timestamp[{server}],recv_window[{window}]")
    if trade and key.read_only:
        raise error(10005)
    return account, key


class WsAuthError(Exception):
    def __init__(self, msg: str) -> None:
        super().__init__(msg)
        self.msg = msg


def ws_authenticate(accounts: Accounts, clock: Clock, args) -> tuple[Account, ApiKey]:
    if not isinstance(args, list) or len(args) != 3:
        raise WsAuthError("Params Error")
    api_key, expires, signature = args
    if isinstance(expires, bool) or not isinstance(expires, (int, str)) or not str(expires).isdigit():
        raise WsAuthError("Params Error")
    if int(expires) <= clock.ms():
        raise WsAuthError("Params Error")       # expired: what Bybit answers (pybit issues #152, #300)
    found = accounts.lookup(api_key) if isinstance(api_key, str) else None
    if found is None or not isinstance(signature, str):
        raise WsAuthError("Request not authorized")
    account, key = found
    if not hmac.compare_digest(hmac_hex(key.secret, "GET/realtime" + str(expires)), signature.lower()):
        raise WsAuthError("Request not authorized")
    return account, key
