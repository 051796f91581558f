"""The operations behind both REST and the WebSocket ops (the docs give them the same parameters and results).

Order operations answer the docs' envelope: top-level `code` "0" when every order succeeded, "1" "Operation
failed." when all failed, "2" "Bulk operation partially succeeded." for a batch with both; each order's result is a
`data` entry with sCode / sMsg / subCode (docs-v5 "General Info": with sCode present, sCode/sMsg are the result).
"""
from __future__ import annotations

from decimal import Decimal

from accounts import Account, ApiKey
from common import (OPERATION_FAILED, PARTIAL, ZERO, OkxError, OrderReject, empty_param, fmt, param_error)
from orders import Order
from params import require_fields
from state import State


# ---------- orders ----------
def reject_entry(state: State, args: dict, reject: OrderReject) -> dict:
    return {"clOrdId": str(args.get("clOrdId") or ""), "ordId": str(args.get("ordId") or ""),
            "tag": str(args.get("tag") or ""), "ts": str(state.clock.ms()), "sCode": reject.s_code,
            "sMsg": reject.s_msg, "subCode": reject.sub_code}


def envelope(entries: list[dict]) -> dict:
    failed = sum(1 for entry in entries if entry["sCode"] != "0")
    if failed == 0:
        return {"code": "0", "msg": "", "data": entries}
    if failed == len(entries):
        return {"code": "1", "msg": OPERATION_FAILED, "data": entries}
    return {"code": "2", "msg": PARTIAL, "data": entries}


def run(state: State, account: Account, op: str, items: list[dict], charge=None) -> dict:
    """Executes order op `op` ("order", "cancel-order", "amend-order") for each item; the docs' envelope."""
    entries = []
    for args in items:
        try:
            if charge:
                charge(args)
            entries.append(ORDER_OPS[op](state, account, args))
        except OkxError as error:          # a rate limit met while counting this order
            entries.append(reject_entry(state, args, OrderReject(error.code, error.msg)))
        except OrderReject as reject:
            entries.append(reject_entry(state, args, reject))
    return envelope(entries)


def _target(state: State, account: Account, args: dict) -> Order | None:
    inst = state.instruments.resolve(args)
    if inst is None:
        raise OrderReject(51001, "Instrument ID, Instrument ID code or Spread ID doesn't exist.")
    if args.get("ordId") in (None, "") and args.get("clOrdId") in (None, ""):
        raise OrderReject(51003, "Either client order ID or order ID is required.")
    return state.engine.find(account.uid, inst.inst_id, args.get("ordId"), args.get("clOrdId"))


def place(state: State, account: Account, args: dict) -> dict:
    return state.engine.place(account, args).ack(state.clock.ms())


def cancel(state: State, account: Account, args: dict) -> dict:
    return state.engine.cancel(account, _target(state, account, args)).ack(state.clock.ms())


def amend(state: State, account: Account, args: dict) -> dict:
    order = state.engine.amend(account, _target(state, account, args), args)
    return order.ack(state.clock.ms(), req_id=str(args.get("reqId") or ""))


ORDER_OPS = {"order": place, "cancel-order": cancel, "amend-order": amend}
REQUIRED = {"order": ("instId", "tdMode", "side", "ordType", "sz"), "cancel-order": ("instId",),
            "amend-order": ("instId",)}


def check_required(op: str, items: list[dict]) -> None:
    for args in items:
        if not isinstance(args, dict):
            raise param_error("body")
        require_fields(args, REQUIRED[op])


# ---------- queries ----------
def order_details(state: State, account: Account, params: dict) -> list[dict]:
    inst = state.instruments.require(params.get("instId"))
    if params.get("ordId") in (None, "") and params.get("clOrdId") in (None, ""):
        raise OkxError(51003, "Either client order ID or order ID is required.")
    order = state.engine.find(account.uid, inst.inst_id, params.get("ordId"), params.get("clOrdId"))
    if order is None:
        raise OkxError(51603, "Order does not exist.")
    return [order.details()]


def _page(rows: list, params: dict, key) -> list:
    """Newest first; after = older than that id, before = newer than that id; limit <= 100 (default 100)."""
    rows = sorted(rows, key=key, reverse=True)
    if params.get("after"):
        rows = [r for r in rows if key(r) < int(params["after"])]
    if params.get("before"):
        rows = [r for r in rows if key(r) > int(params["before"])]
    try:
        limit = min(100, max(1, int(params.get("limit") or 100)))
    except ValueError:
        raise param_error("limit")
    return rows[:limit]


def _filtered(state: State, account: Account, params: dict, open_: bool) -> list[Order]:
    if params.get("instType") not in (None, "", "SPOT"):
        return []
    inst_id = params.get("instId") or None
    types = set(params["ordType"].split(",")) if params.get("ordType") else None
    state_filter = params.get("state") or None
    return [o for o in state.engine.orders.values()
            if o.uid == account.uid and o.is_open == open_ and inst_id in (None, o.inst_id)
            and (types is None or o.ord_type in types) and state_filter in (None, o.state)]


def orders_pending(state: State, account: Account, params: dict) -> list[dict]:
    rows = _filtered(state, account, params, open_=True)
    return [o.details() for o in _page(rows, params, lambda o: int(o.ord_id))]


def orders_history(state: State, account: Account, params: dict) -> list[dict]:
    if params.get("instType") in (None, ""):
        raise empty_param("instType")
    rows = _filtered(state, account, params, open_=False)
    return [o.details() for o in _page(rows, params, lambda o: int(o.ord_id))]


def fills(state: State, account: Account, params: dict) -> list[dict]:
    rows = []
    for order in _filtered(state, account, params, open_=True) + _filtered(state, account, params, open_=False):
        if params.get("ordId") and order.ord_id != params["ordId"]:
            continue
        rows.extend(order.fill_row(fill) for fill in order.fills)
    return _page(rows, params, lambda row: int(row["billId"]))


def fills_history(state: State, account: Account, params: dict) -> list[dict]:
    """The last 3 months: here every fill the server made (it lives shorter than 3 days). instType is required."""
    if params.get("instType") in (None, ""):
        raise empty_param("instType")
    return fills(state, account, params)


# ---------- account ----------
def usd_price(state: State, ccy: str) -> Decimal | None:
    if ccy in ("USDT", "USDC", "USD"):
        return Decimal(1)
    book = state.replay.books.get(f"{ccy}-USDT")
    return book.mid() if book else None


def balance_detail(state: State, account: Account, ccy: str) -> dict:
    avail, frozen = account.balance(ccy)
    eq = avail + frozen
    price = usd_price(state, ccy)
    stamp = str(account.update_time.get(ccy, state.clock.ms()))
    detail = {key: "" for key in ("imr", "mmr", "mgnRatio", "notionalLever", "spotInUseAmt", "clSpotInUseAmt",
                                  "maxSpotInUse", "maxSpotInUseAmt", "spotBal", "openAvgPx", "accAvgPx", "spotUpl",
                                  "spotUplRatio", "totalPnl", "totalPnlRatio", "borrowFroz")}
    detail.update({key: "0" for key in ("crossLiab", "colRes", "colBorrAutoConversion", "disEq", "fixedBal",
                                        "frpType", "interest", "isoEq", "isoLiab", "isoUpl", "liab", "maxLoan",
                                        "ordFrozen", "rewardBal", "smtSyncEq", "spotCopyTradingEq", "spotIsoBal",
                                        "stgyEq", "twap", "upl", "uplLiab", "autoLendMtAmt")})
    detail.update({"ccy": ccy, "eq": fmt(eq), "cashBal": fmt(eq), "availBal": fmt(avail), "availEq": fmt(avail),
                   "frozenBal": fmt(frozen), "eqUsd": fmt(eq * price) if price is not None else "",
                   "coinUsdPrice": fmt(price) if price is not None else "",
                   "collateralEnabled": False, "collateralRestrict": False, "autoLendStatus": "off",
                   "uTime": stamp})
    return detail


def balance(state: State, account: Account, params: dict, ccys: list[str] | None = None) -> list[dict]:
    wanted = ccys or ([c for c in params["ccy"].split(",") if c] if params.get("ccy") else None)
    names = wanted or [c for c in account.currencies() if sum(account.balance(c)) != 0]
    details = [balance_detail(state, account, ccy) for ccy in names if ccy in account.currencies()]
    total = sum((Decimal(d["eqUsd"]) for d in details if d["eqUsd"]), ZERO)
    summary = {key: "0" for key in ("adjEq", "borrowFroz", "delta", "deltaLever", "deltaNeutralStatus", "imr",
                                    "isoEq", "mmr", "notionalUsd", "notionalUsdForBorrow", "notionalUsdForFutures",
                                    "notionalUsdForOption", "notionalUsdForSwap", "ordFroz", "upl")}
    summary.update({"availEq": "", "mgnRatio": "", "totalEq": fmt(total), "uTime": str(state.clock.ms()),
                    "details": details})
    return [summary]


def trade_fee(state: State, account: Account, params: dict) -> list[dict]:
    inst_type = params.get("instType")
    if inst_type in (None, ""):
        raise empty_param("instType")
    if inst_type not in ("SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION", "EVENTS"):
        raise param_error("instType")
    if params.get("instId"):
        state.instruments.require(params["instId"])
    maker, taker = fmt(account.maker), fmt(account.taker)
    return [{"category": "1", "delivery": "", "exercise": "", "instType": inst_type, "level": "Lv1",
             "feeGroup": [{"groupId": "1", "maker": maker, "taker": taker, "elpMaker": maker}],
             "fiat": [], "maker": maker, "taker": taker, "makerU": "", "takerU": "", "makerUSDC": "",
             "takerUSDC": "", "ruleType": "normal", "ts": str(state.clock.ms())}]


def config(state: State, account: Account, key: ApiKey) -> list[dict]:
    return [{"acctLv": "1", "acctStpMode": "cancel_maker", "autoLoan": False, "ctIsoMode": "automatic",
             "enableSpotBorrow": False, "greeksType": "PA", "feeType": "0", "ip": "", "type": "0", "kycLv": "2",
             "label": key.label, "level": "Lv1", "levelTmp": "", "liquidationGear": "-1", "mainUid": account.uid,
             "mgnIsoMode": "automatic", "opAuth": "0", "perm": key.perm, "posMode": "net_mode", "roleType": "0",
             "spotBorrowAutoRepay": False, "spotOffsetType": "", "spotRoleType": "0", "spotTraderInsts": [],
             "stgyType": "0", "traderInsts": [], "uid": account.uid, "settleCcy": "USDT",
             "settleCcyList": ["USDT"]}]


# ---------- public ----------
def instruments(state: State, params: dict) -> list[dict]:
    inst_type = params.get("instType")
    if inst_type in (None, ""):
        raise empty_param("instType")
    if inst_type not in ("SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION", "EVENTS"):
        raise param_error("instType")
    if inst_type != "SPOT":
        return []
    if params.get("instId"):
        return [state.instruments.require(params["instId"]).json()]
    return [inst.json() for inst in state.instruments.all()]


def books(state: State, params: dict) -> list[dict]:
    inst = state.instruments.require(params.get("instId"))
    try:
        depth = int(params.get("sz") or 1)
    except ValueError:
        raise param_error("sz")
    if not 1 <= depth <= 400:
        raise param_error("sz")
    book = state.replay.books[inst.inst_id]
    ts = book.ts if state.options.keep_recorded_times and book.ts else state.clock.ms()
    return [{"asks": book.asks.top(depth), "bids": book.bids.top(depth), "ts": str(ts), "seqId": book.seq_id}]
