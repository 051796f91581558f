"""REST API, fapi.binance.com shape. Every answer carries X-MBX-USED-WEIGHT-1M; order answers also
X-MBX-ORDER-COUNT-10S and -1M. Errors are `{"code", "msg"}` with HTTP 400 (401 for key errors, 429/418 for limits).
"""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from accounts import MARGIN_ASSET, Account
from auth import NONE, TRADE, USER_DATA, USER_STREAM, authenticate, parse_params, resolve_key
from common import NO_ORDER, ZERO, BinanceError, fmt, mandatory
from state import State, dumps
from symbols import get_spec

log = logging.getLogger("binance_usdm.rest")


def W(n: int):
    return lambda params: n


def _json(payload, status: int = 200, headers: dict | None = None) -> web.Response:
    return web.Response(text=dumps(payload), status=status, content_type="application/json", headers=headers)


class Route:
    def __init__(self, method: str, path: str, security: str, weight, handler, order: bool = False) -> None:
        self.method, self.path, self.security, self.weight, self.handler, self.order = \
            method, path, security, weight, handler, order


def _limit(params: dict, default: int, most: int) -> int:
    raw = params.get("limit")
    try:
        return max(1, min(most, int(raw))) if raw not in (None, "") else default
    except ValueError:
        raise BinanceError(-1100, "Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'.")


def _bool(params: dict, name: str) -> bool:
    value = params.get(name)
    if value in (None, ""):
        raise mandatory(name)
    if value.lower() not in ("true", "false"):
        raise BinanceError(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")
    return value.lower() == "true"


def routes(state: State) -> list[Route]:
    s, engine = state, state.engine
    spec_of = lambda params: get_spec(s.specs, params.get("symbol"))  # noqa: E731

    # ---- market data ----
    def exchange_info(a, p):
        return {"timezone": "UTC", "serverTime": s.clock.ms(), "futuresType": "U_MARGINED",
                "rateLimits": s.limiter.limits.exchange_info(), "exchangeFilters": [],
                "assets": [{"asset": "USDT", "marginAvailable": True, "autoAssetExchange": "-10000"}],
                "symbols": [spec.info for spec in s.specs.values()]}

    def depth_weight(p):
        limit = _limit(p, 500, 1000)
        return 2 if limit <= 50 else 5 if limit <= 100 else 10 if limit <= 500 else 20

    def depth(a, p):
        spec = spec_of(p)
        return s.market.books[spec.symbol].snapshot(_limit(p, 500, 1000), s.clock.ms())

    def book_ticker_row(symbol):
        book = s.market.books[symbol]
        spec = s.specs[symbol]
        bid, ask = book.bids.top(1), book.asks.top(1)
        return {"symbol": symbol, "bidPrice": spec.price_text(bid[0][0]) if bid else "0",
                "bidQty": spec.qty_text(bid[0][1]) if bid else "0",
                "askPrice": spec.price_text(ask[0][0]) if ask else "0",
                "askQty": spec.qty_text(ask[0][1]) if ask else "0", "time": s.clock.ms(),
                "lastUpdateId": book.last_update_id}

    def book_ticker(a, p):
        return book_ticker_row(spec_of(p).symbol) if p.get("symbol") else [book_ticker_row(x) for x in s.specs]

    def premium_index(a, p):
        return engine.premium(spec_of(p).symbol) if p.get("symbol") else [engine.premium(x) for x in s.specs]

    def funding_rate(a, p):
        rows = engine.funding_history
        if p.get("symbol"):
            rows = [r for r in rows if r["symbol"] == spec_of(p).symbol]
        if p.get("startTime"):
            rows = [r for r in rows if r["fundingTime"] >= int(p["startTime"])]
        if p.get("endTime"):
            rows = [r for r in rows if r["fundingTime"] <= int(p["endTime"])]
        return rows[-_limit(p, 100, 1000):]

    def funding_info(a, p):
        return [{"symbol": symbol, "adjustedFundingRateCap": fmt(f.cap), "adjustedFundingRateFloor": fmt(f.floor),
                 "fundingIntervalHours": f.interval_hours, "disclaimer": False}
                for symbol, f in engine.funding.items() if f.adjusted]

    # ---- orders ----
    def new_order(account, p):
        order, resp = engine.place(account, p)
        return order.ack if resp == "ACK" else order.json(with_time=False)

    def find(account, p):
        spec = spec_of(p)
        if p.get("orderId") in (None, "") and p.get("origClientOrderId") in (None, ""):
            raise BinanceError(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!")
        return engine.find(account.uid, spec.symbol, p.get("orderId"), p.get("origClientOrderId"))

    def query_order(account, p):
        order = find(account, p)
        if order is None:
            raise BinanceError(-2013, NO_ORDER)
        return order.json()

    def cancel_order(account, p):
        return engine.cancel(account, find(account, p))

    def cancel_all(account, p):
        spec = spec_of(p)
        for order in engine.open_orders(account.uid, spec.symbol):
            engine.cancel(account, order)
        return {"code": 200, "msg": "The operation of cancel all open order is done."}

    def open_orders(account, p):
        symbol = spec_of(p).symbol if p.get("symbol") else None
        return [o.json() for o in engine.open_orders(account.uid, symbol)]

    def all_orders(account, p):
        spec = spec_of(p)
        rows = [o for o in engine.orders[spec.symbol].values() if o.uid == account.uid]
        if p.get("orderId"):
            rows = [o for o in rows if o.order_id >= int(p["orderId"])]
        return [o.json() for o in rows[-_limit(p, 500, 1000):]]

    def user_trades(account, p):
        spec = spec_of(p)
        rows = []
        for order in engine.orders[spec.symbol].values():
            if order.uid != account.uid or (p.get("orderId") and order.order_id != int(p["orderId"])):
                continue
            for f in order.fills:
                rows.append({"buyer": order.side == "BUY", "commission": fmt(f.commission),
                             "commissionAsset": MARGIN_ASSET, "id": f.trade_id, "maker": f.maker,
                             "orderId": order.order_id, "price": spec.price_text(f.price), "qty": spec.qty_text(f.qty),
                             "quoteQty": fmt(f.price * f.qty), "realizedPnl": fmt(f.realized), "side": order.side,
                             "positionSide": order.position_side, "symbol": spec.symbol, "time": f.time})
        rows.sort(key=lambda r: r["id"])
        if p.get("fromId"):
            rows = [r for r in rows if r["id"] >= int(p["fromId"])]
        return rows[-_limit(p, 500, 1000):]

    # ---- account ----
    def totals_json(account):
        t = engine.totals(account)
        return {"totalInitialMargin": fmt(t["pos_im"] + t["ord_im"]), "totalMaintMargin": fmt(t["maint"]),
                "totalWalletBalance": fmt(t["wallet"]), "totalUnrealizedProfit": fmt(t["upnl"]),
                "totalMarginBalance": fmt(t["margin_balance"]), "totalPositionInitialMargin": fmt(t["pos_im"]),
                "totalOpenOrderInitialMargin": fmt(t["ord_im"]), "totalCrossWalletBalance": fmt(t["wallet"]),
                "totalCrossUnPnl": fmt(t["upnl"]), "availableBalance": fmt(t["available"]),
                "maxWithdrawAmount": fmt(t["max_withdraw"])}

    def asset_json(account):
        t = engine.totals(account)
        return {"asset": MARGIN_ASSET, "walletBalance": fmt(t["wallet"]), "unrealizedProfit": fmt(t["upnl"]),
                "marginBalance": fmt(t["margin_balance"]), "maintMargin": fmt(t["maint"]),
                "initialMargin": fmt(t["pos_im"] + t["ord_im"]), "positionInitialMargin": fmt(t["pos_im"]),
                "openOrderInitialMargin": fmt(t["ord_im"]), "crossWalletBalance": fmt(t["wallet"]),
                "crossUnPnl": fmt(t["upnl"]), "availableBalance": fmt(t["available"]),
                "maxWithdrawAmount": fmt(t["max_withdraw"]), "marginAvailable": True,
                "updateTime": account.update_time}

    def positions_of(account, symbol=None, nonzero=False):
        sides = ("LONG", "SHORT") if account.dual_side else ("BOTH",)
        out = []
        for sym in ([symbol] if symbol else list(s.specs)):
            for side in sides:
                pos = account.positions.get((sym, side)) or account.position(sym, side)
                if nonzero and not pos.amount:
                    continue
                out.append(pos)
        return out

    def account_v2(account, p):
        rows = []
        for pos in positions_of(account):
            bids, asks = engine._notional_sides(account.uid, pos.symbol)
            lev = account.lev(pos.symbol)
            rows.append({"symbol": pos.symbol, "initialMargin": fmt(engine.position_im(account, pos)),
                         "maintMargin": fmt(engine.maint(pos)), "unrealizedProfit": fmt(engine.unrealized(pos)),
                         "positionInitialMargin": fmt(engine.position_im(account, pos)),
                         "openOrderInitialMargin": fmt(engine.order_im(account, pos.symbol)), "leverage": str(lev),
                         "isolated": account.mtype(pos.symbol) == "isolated", "entryPrice": fmt(pos.entry),
                         "breakEvenPrice": fmt(pos.entry),
                         "maxNotional": str(int(s.specs[pos.symbol].max_notional(lev))), "bidNotional": fmt(bids),
                         "askNotional": fmt(asks), "positionSide": pos.side,
                         "positionAmt": s.specs[pos.symbol].qty_text(pos.amount), "updateTime": pos.update_time})
        return {"feeTier": 0, "canTrade": True, "canDeposit": True, "canWithdraw": True, "updateTime": 0,
                "multiAssetsMargin": False, "tradeGroupId": -1, **totals_json(account),
                "assets": [asset_json(account)], "positions": rows}

    def account_v3(account, p):
        rows = [{"symbol": pos.symbol, "positionSide": pos.side,
                 "positionAmt": s.specs[pos.symbol].qty_text(pos.amount),
                 "unrealizedProfit": fmt(engine.unrealized(pos)), "isolatedMargin": fmt(ZERO),
                 "notional": fmt(engine.notional(pos)), "isolatedWallet": fmt(ZERO),
                 "initialMargin": fmt(engine.position_im(account, pos)), "maintMargin": fmt(engine.maint(pos)),
                 "updateTime": pos.update_time} for pos in positions_of(account, nonzero=True)]
        return {**totals_json(account), "assets": [asset_json(account)], "positions": rows}

    def balance(account, p):
        t = engine.totals(account)
        return [{"accountAlias": "SgsR", "asset": MARGIN_ASSET, "balance": fmt(t["wallet"]),
                 "crossWalletBalance": fmt(t["wallet"]), "crossUnPnl": fmt(t["upnl"]),
                 "availableBalance": fmt(t["available"]), "maxWithdrawAmount": fmt(t["max_withdraw"]),
                 "marginAvailable": True, "updateTime": account.update_time}]

    def liquidation_price(account, pos):
        """Binance's one-position cross formula, this position alone against the whole wallet."""
        if not pos.amount:
            return ZERO
        spec = s.specs[pos.symbol]
        size = abs(pos.amount)
        side = 1 if pos.amount > 0 else -1
        bracket = spec.bracket_for(size * engine.mark(pos.symbol))
        denominator = size * bracket.mmr - side * size
        if denominator == 0:
            return ZERO
        price = (account.wallet + bracket.cum - side * size * pos.entry) / denominator
        return max(ZERO, price)

    def position_risk(account, p, v3=False):
        symbol = spec_of(p).symbol if p.get("symbol") else None
        rows = []
        for pos in positions_of(account, symbol, nonzero=v3):
            spec, lev = s.specs[pos.symbol], account.lev(pos.symbol)
            row = {"symbol": pos.symbol, "positionAmt": spec.qty_text(pos.amount), "entryPrice": fmt(pos.entry),
                   "breakEvenPrice": fmt(pos.entry), "markPrice": fmt(engine.mark(pos.symbol)),
                   "unRealizedProfit": fmt(engine.unrealized(pos)),
                   "liquidationPrice": fmt(liquidation_price(account, pos)), "isolatedMargin": fmt(ZERO),
                   "notional": fmt(engine.notional(pos)), "isolatedWallet": "0", "positionSide": pos.side,
                   "updateTime": pos.update_time}
            if v3:
                row.update({"marginAsset": MARGIN_ASSET, "initialMargin": fmt(engine.position_im(account, pos)),
                            "maintMargin": fmt(engine.maint(pos)),
                            "positionInitialMargin": fmt(engine.position_im(account, pos)),
                            "openOrderInitialMargin": fmt(engine.order_im(account, pos.symbol)), "adl": 0,
                            "bidNotional": "0", "askNotional": "0"})
            else:
                row.update({"leverage": str(lev), "maxNotionalValue": str(int(spec.max_notional(lev))),
                            "marginType": account.mtype(pos.symbol), "isAutoAddMargin": "false"})
            rows.append(row)
        return rows

    def leverage(account, p):
        spec = spec_of(p)
        raw = p.get("leverage")
        if raw in (None, ""):
            raise mandatory("leverage")
        try:
            value = int(raw)
        except ValueError:
            raise BinanceError(-4028, f"Leverage {raw} is not valid")
        return engine.set_leverage(account, spec, value)

    def margin_type(account, p):
        spec = spec_of(p)
        kind = p.get("marginType")
        if kind not in ("ISOLATED", "CROSSED"):
            raise BinanceError(-4044 if kind else -1102, "The margin type is not valid." if kind
                               else "Mandatory parameter 'marginType' was not sent, was empty/null, or malformed.")
        wanted = "isolated" if kind == "ISOLATED" else "cross"
        if account.mtype(spec.symbol) == wanted:
            raise BinanceError(-4046, "No need to change margin type.")
        positions, orders = engine.has_exposure(account, spec.symbol)
        if positions:
            raise BinanceError(-4048, "Margin type cannot be changed if there exists position.")
        if orders:
            raise BinanceError(-4047, "Margin type cannot be changed if there exists open orders.")
        account.margin_type[spec.symbol] = wanted
        return {"code": 200, "msg": "success"}

    def dual_get(account, p):
        return {"dualSidePosition": account.dual_side}

    def dual_post(account, p):
        wanted = _bool(p, "dualSidePosition")
        if wanted == account.dual_side:
            raise BinanceError(-4059, "No need to change position side.")
        positions, orders = engine.has_exposure(account)
        if orders:
            raise BinanceError(-4067, "Position side cannot be changed if there exists open orders.")
        if positions:
            raise BinanceError(-4068, "Position side cannot be changed if there exists position.")
        account.dual_side = wanted
        return {"code": 200, "msg": "success"}

    def bracket_row(symbol):
        return {"symbol": symbol, "brackets": [b.json() for b in s.specs[symbol].brackets]}

    def leverage_bracket(account, p):
        return bracket_row(spec_of(p).symbol) if p.get("symbol") else [bracket_row(x) for x in s.specs]

    def commission_rate(account, p):
        spec = spec_of(p)
        return {"symbol": spec.symbol, "makerCommissionRate": str(account.maker),
                "takerCommissionRate": str(account.taker)}

    def income(account, p):
        rows = account.income
        if p.get("symbol"):
            rows = [r for r in rows if r["symbol"] == p["symbol"]]
        if p.get("incomeType"):
            rows = [r for r in rows if r["incomeType"] == p["incomeType"]]
        if p.get("startTime"):
            rows = [r for r in rows if r["time"] >= int(p["startTime"])]
        if p.get("endTime"):
            rows = [r for r in rows if r["time"] <= int(p["endTime"])]
        return rows[:_limit(p, 100, 1000)]

    # ---- listen keys ----
    def key_post(account, p):
        return {"listenKey": s.listen_key_for(account)}

    def key_put(account, p):
        for item in s.listen_keys.values():
            if item.uid == account.uid and item.expires_ms > s.clock.ms() and \
                    (not p.get("listenKey") or p["listenKey"] == item.key):
                item.expires_ms = s.clock.ms() + int(s.options.listen_key_minutes * 60_000)
                return {"listenKey": item.key}
        raise BinanceError(-1125, "This listenKey does not exist.")

    def key_delete(account, p):
        for key, item in list(s.listen_keys.items()):
            if item.uid == account.uid:
                del s.listen_keys[key]
        return {}

    return [
        Route("GET", "/fapi/v1/ping", NONE, W(1), lambda a, p: {}),
        Route("GET", "/fapi/v1/time", NONE, W(1), lambda a, p: {"serverTime": s.clock.ms()}),
        Route("GET", "/fapi/v1/exchangeInfo", NONE, W(1), exchange_info),
        Route("GET", "/fapi/v1/depth", NONE, depth_weight, depth),
        Route("GET", "/fapi/v1/ticker/bookTicker", NONE, lambda p: 2 if p.get("symbol") else 5, book_ticker),
        Route("GET", "/fapi/v1/premiumIndex", NONE, lambda p: 1 if p.get("symbol") else 10, premium_index),
        Route("GET", "/fapi/v1/fundingRate", NONE, W(1), funding_rate),
        Route("GET", "/fapi/v1/fundingInfo", NONE, W(1), funding_info),
        Route("POST", "/fapi/v1/order", TRADE, W(0), new_order, order=True),
        Route("GET", "/fapi/v1/order", USER_DATA, W(1), query_order),
        Route("DELETE", "/fapi/v1/order", TRADE, W(1), cancel_order, order=True),
        Route("DELETE", "/fapi/v1/allOpenOrders", TRADE, W(1), cancel_all, order=True),
        Route("GET", "/fapi/v1/openOrders", USER_DATA, lambda p: 1 if p.get("symbol") else 40, open_orders),
        Route("GET", "/fapi/v1/allOrders", USER_DATA, W(5), all_orders),
        Route("GET", "/fapi/v1/userTrades", USER_DATA, W(5), user_trades),
        Route("GET", "/fapi/v2/account", USER_DATA, W(5), account_v2),
        Route("GET", "/fapi/v3/account", USER_DATA, W(5), account_v3),
        Route("GET", "/fapi/v2/balance", USER_DATA, W(5), balance),
        Route("GET", "/fapi/v3/balance", USER_DATA, W(5), balance),
        Route("GET", "/fapi/v2/positionRisk", USER_DATA, W(5), position_risk),
        Route("GET", "/fapi/v3/positionRisk", USER_DATA, W(5), lambda a, p: position_risk(a, p, v3=True)),
        Route("POST", "/fapi/v1/leverage", TRADE, W(1), leverage),
        Route("POST", "/fapi/v1/marginType", TRADE, W(1), margin_type),
        Route("GET", "/fapi/v1/positionSide/dual", USER_DATA, W(30), dual_get),
        Route("POST", "/fapi/v1/positionSide/dual", TRADE, W(1), dual_post),
        Route("GET", "/fapi/v1/leverageBracket", USER_DATA, W(1), leverage_bracket),
        Route("GET", "/fapi/v1/commissionRate", USER_DATA, W(20), commission_rate),
        Route("GET", "/fapi/v1/income", USER_DATA, W(30), income),
        Route("POST", "/fapi/v1/listenKey", USER_STREAM, W(1), key_post),
        Route("PUT", "/fapi/v1/listenKey", USER_STREAM, W(1), key_put),
        Route("DELETE", "/fapi/v1/listenKey", USER_STREAM, W(1), key_delete),
    ]


def make_app(state: State) -> web.Application:
    app = web.Application()
    for route in routes(state):
        app.router.add_route(route.method, route.path, _wrap(state, route))
    return app


def _wrap(state: State, route: Route):
    async def handle(request: web.Request) -> web.StreamResponse:
        ip = request.remote or "127.0.0.1"
        query = request.rel_url.raw_query_string
        body = await request.text() if request.method in ("POST", "PUT", "DELETE") else ""
        headers: dict[str, str] = {}
        executed = False
        account: Account | None = None
        try:
            params = parse_params(query, body)
            state.limiter.charge(ip, route.weight(params))
            fault = state.faults.take_error(route.order)
            if fault and not (fault.execute and route.order):
                raise fault.error()
            if route.security == USER_STREAM:
                account, _ = resolve_key(state.accounts, request.headers.get("X-MBX-APIKEY"))
            elif route.security != NONE:
                account, _ = authenticate(state.accounts, state.clock, route.security,
                                          request.headers.get("X-MBX-APIKEY"), query, body, params)
            if route.order and route.method == "POST":
                state.limiter.count_order(account.uid)
            payload = route.handler(account, params)
            executed = True
            if fault:
                raise fault.error()
            status = 200
        except BinanceError as error:
            if error.code == 0:   # a bare HTTP error (fault http_error): no Binance envelope
                return web.Response(status=error.http, text=error.msg,
                                    headers={"X-MBX-USED-WEIGHT-1M": str(state.limiter.used(ip))})
            status, payload = error.http, error.body()
            headers.update(error.headers)
        headers["X-MBX-USED-WEIGHT-1M"] = str(state.limiter.used(ip))
        if route.order and account is not None:
            headers.update(state.limiter.order_headers(account.uid))
        if route.order and executed:
            if state.faults.take_lost():
                log.info("fault: order answer lost for %s %s", route.method, route.path)
                request.transport.close()
                raise asyncio.CancelledError()
            delay = state.faults.take_delay()
            if delay:
                await asyncio.sleep(delay)
        return _json(payload, status, headers)

    return handle
