"""REST API, api.kraken.com shape (docs "Spot REST"): `/0/public/<Method>` (GET or POST) and `/0/private/<Method>`
(POST, form-encoded body with `nonce`; a JSON body is accepted too). Every answer is HTTP 200
`{"error": [...], "result": {...}}`; an error answers `{"error": ["EOrder:Insufficient funds"]}` without result.
Private calls: authenticated (auth.py), then counted on the key's REST counter (ratelimit.py), then faults.
"""
from __future__ import annotations

import asyncio
import json
import logging
from urllib.parse import parse_qsl

from aiohttp import web

import api
from auth import authenticate
from common import KrakenError, dumps
from state import State

log = logging.getLogger("kraken.rest")
ORDER_METHODS = {"AddOrder", "CancelOrder", "CancelAll"}


def _json(payload) -> web.Response:
    return web.Response(text=dumps(payload), content_type="application/json")


def _params(body: str, content_type: str) -> dict:
    if "json" in content_type:
        try:
            parsed = json.loads(body or "{}")
        except json.JSONDecodeError:
            raise KrakenError("EGeneral:Invalid arguments")
        if not isinstance(parsed, dict):
            raise KrakenError("EGeneral:Invalid arguments")
        return {k: (v if isinstance(v, (list, dict)) else str(v).lower() if isinstance(v, bool) else str(v))
                for k, v in parsed.items()}
    return dict(parse_qsl(body, keep_blank_values=True))


def make_app(state: State) -> web.Application:
    app = web.Application()

    async def public(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        handler = api.PUBLIC.get(method)
        if handler is None:
            return _json({"error": ["EGeneral:Unknown method"]})
        params = dict(request.query)
        if request.method == "POST":
            params.update(_params(await request.text(), request.content_type))
        try:
            fault = state.faults.take_error(method)
            if fault:
                raise KrakenError(fault.error)
            return _json({"error": [], "result": handler(state, params)})
        except KrakenError as error:
            return _json({"error": [error.text]})

    async def private(request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        body = await request.text()
        executed = False
        try:
            entry = api.PRIVATE.get(method)
            if entry is None:
                raise KrakenError("EGeneral:Unknown method")
            handler, permission = entry
            params = _params(body, request.content_type)
            account, key = authenticate(state.accounts, request.headers, request.path, params.get("nonce"), body,
                                        state.options.nonce_window, state.nonces_seen)
            if not key.can(permission):
                raise KrakenError("EGeneral:Permission denied")
            limited = state.faults.take_rate_limit(method)
            if limited:
                raise KrakenError(limited)
            state.limiter.charge_rest(key.api_key, account.tier, method)
            fault = state.faults.take_error(method)
            if fault and not (fault.execute and method in ORDER_METHODS):
                raise KrakenError(fault.error)
            result = handler(state, account, params)
            executed = True
            if fault:
                raise KrakenError(fault.error)
            payload = {"error": [], "result": result}
        except KrakenError as error:
            payload = {"error": [error.text]}
        if executed and method in ORDER_METHODS:
            if state.faults.take_lost():
                log.info("fault: answer lost for %s", method)
                request.transport.close()
                raise asyncio.CancelledError()
            delay = state.faults.take_delay()
            if delay:
                await asyncio.sleep(delay)
        return _json(payload)

    app.router.add_route("*", "/0/public/{method}", public)
    app.router.add_post("/0/private/{method}", private)
    return app
