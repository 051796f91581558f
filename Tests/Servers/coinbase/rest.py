"""REST, api.coinbase.com shape (docs "Advanced Trade REST API"): `/api/v3/brokerage/...`, JSON, decimal strings.

Public: GET time, market/products, market/products/{id}, market/product_book (10 / s per IP).
Private (Authorization: Bearer <JWT>, auth.py; 30 / s per account): GET products, products/{id}, product_book,
accounts, key_permissions, transaction_summary, orders/historical/batch, orders/historical/fills,
orders/historical/{order_id}; POST orders, orders/batch_cancel.
Checks in this order: JWT (401), permission (403: view for GETs, trade for orders), rate limit (429), faults.
Errors: HTTP status with {"error", "code", "message", "error_details"} (common.ApiError). POST orders answers HTTP
200 both ways: {"success": true, "success_response": {...}} or {"success": false, "error_response": {...}}.
"""
from __future__ import annotations

import asyncio
import json
import logging
from decimal import Decimal

from aiohttp import web

from common import ApiError, dumps, fmt, parse_decimal, rfc3339
from engine import OrderRejected
from state import State

log = logging.getLogger("coinbase.rest")
PREFIX = "/api/v3/brokerage"
ORDER_ENDPOINTS = {"create_order", "batch_cancel"}


def _json(payload, status: int = 200) -> web.Response:
    return web.Response(text=dumps(payload), status=status, content_type="application/json")


def _page(rows: list, query, default: int, maximum: int) -> tuple[list, bool, str]:
    try:
        limit = min(max(int(query.get("limit", default)), 1), maximum)
        start = int(query.get("cursor") or 0)
    except ValueError:
        raise ApiError(400, "limit and cursor must be integers")
    page = rows[start:start + limit]
    more = start + limit < len(rows)
    return page, more, str(start + limit) if more else ""


def make_app(state: State) -> web.Application:
    app = web.Application()
    engine = state.engine

    def product_view(product_id: str) -> dict:
        product, book = state.products[product_id], state.replay.books[product_id]
        bid, ask = book.bids.best(), book.asks.best()
        return product.view((bid + ask) / 2 if bid and ask else bid or ask, bid, ask)

    def products_answer(request: web.Request) -> dict:
        wanted = request.query.getall("product_ids", [])
        kind = request.query.get("product_type")
        rows = [product_view(pid) for pid in sorted(state.products) if (not wanted or pid in wanted)
                and kind in (None, "SPOT")]
        return {"products": rows, "num_products": len(rows)}

    def one_product(request: web.Request) -> dict:
        product_id = request.match_info["product_id"]
        if product_id not in state.products:
            raise ApiError(404, f"product {product_id} not found", error="NOT_FOUND")
        return product_view(product_id)

    def product_book(request: web.Request) -> dict:
        product_id = request.query.get("product_id")
        if product_id not in state.products:
            raise ApiError(404 if product_id else 400, f"product_id {product_id!r} not found")
        limit = int(request.query.get("limit") or 0) or None
        book = state.replay.books[product_id]
        bid, ask = book.bids.best(), book.asks.best()
        return {"pricebook": {"product_id": product_id,
                              "bids": [{"price": fmt(p), "size": fmt(q)} for p, q in book.levels("bid", limit)],
                              "asks": [{"price": fmt(p), "size": fmt(q)} for p, q in book.levels("offer", limit)],
                              "time": rfc3339(state.clock.now())},
                "last": "", "mid_market": fmt((bid + ask) / 2) if bid and ask else "",
                "spread_bps": fmt(((ask - bid) / bid * 10000).quantize(Decimal("0.01"))) if bid and ask else "",
                "spread_absolute": fmt(ask - bid) if bid and ask else ""}

    # ---------- public ----------
    def public(handler):
        async def wrapped(request: web.Request) -> web.Response:
            try:
                ip = request.remote or "?"
                if state.faults.take_rate_limit("public") or not state.limiter.allow("public", ip):
                    raise ApiError(429, "public endpoints: 10 requests per second per IP")
                return _json(handler(request))
            except ApiError as error:
                return _json(error.body, error.status)
        return wrapped

    def server_time(request: web.Request) -> dict:
        now = state.clock.now()
        return {"iso": rfc3339(now), "epochSeconds": str(int(now)), "epochMillis": str(int(now * 1000))}

    # ---------- private ----------
    def private(endpoint: str, permission: str, handler):
        async def wrapped(request: web.Request) -> web.StreamResponse:
            executed = False
            try:
                header = request.headers.get("Authorization", "")
                token = header[7:] if header.startswith("Bearer ") else None
                port = request.transport.get_extra_info("sockname")[1] if request.transport else 0
                account, key = state.verify_jwt(token, request.method, request.path,
                                                 (f"127.0.0.1:{port}", f"localhost:{port}"))
                if permission and not key.can(permission):
                    raise ApiError(403, f"the key lacks the {permission} permission")
                if state.faults.take_rate_limit("private") or not state.limiter.allow("private", account.name):
                    raise ApiError(429, "private endpoints: 30 requests per second")
                fault = state.faults.take_http_error(endpoint)
                if fault and not fault[1]:
                    raise ApiError(fault[0], "injected")
                body = None
                if request.method == "POST":
                    try:
                        body = json.loads(await request.text() or "{}")
                    except ValueError:
                        raise ApiError(400, "body must be JSON")
                    if not isinstance(body, dict):
                        raise ApiError(400, "body must be a JSON object")
                payload = handler(request, account, key, body)
                executed = True
                if fault:
                    raise ApiError(fault[0], "injected after execution")
                response = (200, payload)
            except ApiError as error:
                response = (error.status, error.body)
            if executed and endpoint in ORDER_ENDPOINTS:
                if state.faults.take_lost():
                    log.info("fault: answer lost for %s", endpoint)
                    request.transport.close()
                    raise asyncio.CancelledError()
                delay = state.faults.take_delay()
                if delay:
                    await asyncio.sleep(delay)
            return _json(response[1], response[0])
        return wrapped

    def accounts(request, account, key, body) -> dict:
        currencies = account.assets()
        rows = [{"uuid": account.wallet_uuid(c), "name": f"{c} Wallet", "currency": c,
                 "available_balance": {"value": fmt(account.available(c)), "currency": c},
                 "default": True, "active": True, "created_at": "2021-04-17T00:00:00Z",
                 "updated_at": rfc3339(state.clock.now()), "deleted_at": None,
                 "type": "ACCOUNT_TYPE_FIAT" if c in ("USD", "EUR", "GBP") else "ACCOUNT_TYPE_CRYPTO", "ready": True,
                 "hold": {"value": fmt(account.hold(c)), "currency": c},
                 "retail_portfolio_id": account.portfolio_uuid} for c in currencies]
        page, more, cursor = _page(rows, request.query, 49, 250)
        return {"accounts": page, "has_next": more, "cursor": cursor, "size": len(page)}

    def key_permissions(request, account, key, body) -> dict:
        return {"can_view": key.can("view"), "can_trade": key.can("trade"), "can_transfer": key.can("transfer"),
                "portfolio_uuid": account.portfolio_uuid, "portfolio_type": "DEFAULT"}

    def transaction_summary(request, account, key, body) -> dict:
        mine = engine.mine(account)
        volume = sum((o.filled_value for o in mine), Decimal(0))
        fees = sum((o.fees for o in mine), Decimal(0))
        return {"total_volume": fmt(volume), "total_fees": fmt(fees),
                "fee_tier": {"pricing_tier": account.pricing_tier, "usd_from": "0", "usd_to": "1000",
                             "taker_fee_rate": fmt(account.taker), "maker_fee_rate": fmt(account.maker),
                             "aop_from": "", "aop_to": ""},
                "margin_rate": None, "goods_and_services_tax": None, "advanced_trade_only_volume": fmt(volume),
                "advanced_trade_only_fees": fmt(fees), "coinbase_pro_volume": "0", "coinbase_pro_fees": "0",
                "total_balance": "", "has_promo_fee": False}

    def create_order(request, account, key, body) -> dict:
        fault = state.faults.take_error()
        configuration = body.get("order_configuration") if isinstance(body.get("order_configuration"), dict) else {}
        try:
            if fault and not fault[1]:
                raise OrderRejected(fault[0])
            order = engine.place(account, body)
            if fault:
                raise OrderRejected(fault[0])
        except OrderRejected as rejected:
            return {"success": False, "failure_reason": "UNKNOWN_FAILURE_REASON", "order_id": "",
                    "error_response": rejected.error_response(), "order_configuration": configuration}
        return {"success": True, "failure_reason": "UNKNOWN_FAILURE_REASON", "order_id": order.order_id,
                "success_response": {"order_id": order.order_id, "product_id": order.product.product_id,
                                     "side": order.side, "client_order_id": order.client_order_id},
                "order_configuration": {order.config_name: order.config}}

    def batch_cancel(request, account, key, body) -> dict:
        ids = body.get("order_ids")
        if not isinstance(ids, list) or not ids or len(ids) > 100 or not all(isinstance(i, str) for i in ids):
            raise ApiError(400, "order_ids: 1 to 100 order ids")
        return {"results": [engine.cancel(account, order_id) for order_id in ids]}

    def get_order(request, account, key, body) -> dict:
        order = engine.orders.get(request.match_info["order_id"])
        if order is None or order.account != account.name:
            raise ApiError(404, "order with this orderID was not found", error="NOT_FOUND",
                           message="order with this orderID was not found")
        return {"order": order.rest(account.user_id)}

    def list_orders(request, account, key, body) -> dict:
        q = request.query
        ids, products, statuses = q.getall("order_ids", []), q.getall("product_ids", []), q.getall("order_status", [])
        side, start, end = q.get("order_side"), q.get("start_date"), q.get("end_date")
        rows = []
        for order in sorted(engine.mine(account), key=lambda o: o.created, reverse=True):
            created = rfc3339(order.created)
            if (ids and order.order_id not in ids) or (products and order.product.product_id not in products) or \
                    (statuses and order.status not in statuses) or side not in (None, order.side) or \
                    (start and created < start) or (end and created > end):
                continue
            rows.append(order.rest(account.user_id))
        page, more, cursor = _page(rows, q, 100, 1000)
        return {"orders": page, "sequence": "0", "has_next": more, "cursor": cursor}

    def list_fills(request, account, key, body) -> dict:
        q = request.query
        ids, trades, products = q.getall("order_ids", []), q.getall("trade_ids", []), q.getall("product_ids", [])
        start, end = q.get("start_sequence_timestamp"), q.get("end_sequence_timestamp")
        rows = []
        for order in engine.mine(account):
            if (ids and order.order_id not in ids) or (products and order.product.product_id not in products):
                continue
            for fill in order.fills:
                stamp = rfc3339(fill.time)
                if (trades and fill.trade_id not in trades) or (start and stamp < start) or (end and stamp > end):
                    continue
                rows.append((fill.time, fill.rest(order, account.user_id)))
        rows = [row for _, row in sorted(rows, key=lambda r: r[0], reverse=True)]
        page, more, cursor = _page(rows, q, 100, 1000)
        return {"fills": page, "cursor": cursor}

    def wrap_public(fn):
        return lambda request, account, key, body: fn(request)

    routes = [
        ("GET", "/time", public(server_time)),
        ("GET", "/market/products", public(products_answer)),
        ("GET", "/market/products/{product_id}", public(one_product)),
        ("GET", "/market/product_book", public(product_book)),
        ("GET", "/products", private("products", "view", wrap_public(products_answer))),
        ("GET", "/products/{product_id}", private("product", "view", wrap_public(one_product))),
        ("GET", "/product_book", private("product_book", "view", wrap_public(product_book))),
        ("GET", "/accounts", private("accounts", "view", accounts)),
        ("GET", "/key_permissions", private("key_permissions", "", key_permissions)),
        ("GET", "/transaction_summary", private("transaction_summary", "view", transaction_summary)),
        ("POST", "/orders", private("create_order", "trade", create_order)),
        ("POST", "/orders/batch_cancel", private("batch_cancel", "trade", batch_cancel)),
        ("GET", "/orders/historical/batch", private("list_orders", "view", list_orders)),
        ("GET", "/orders/historical/fills", private("list_fills", "view", list_fills)),
        ("GET", "/orders/historical/{order_id}", private("get_order", "view", get_order)),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, PREFIX + path, handler)
    return app
