"""Order parameters (docs-v5 "POST / Place order", "POST / Amend order"), checked in this order: mandatory fields,
then values. Where the docs' error table gives a code HTTP 400 and the request cannot be understood at all
(50014 "Parameter {x} can not be empty.") the whole request is refused; a value that is wrong for one order is that
order's sCode 51000 "Parameter {x} error", so one bad order in a batch does not sink the others.
"""
from __future__ import annotations

from decimal import Decimal

from common import OrderReject, empty_param, parse_decimal
from instruments import Instrument, Instruments
from orders import CLIENT_ID, TAG

ORDER_TYPES = ("market", "limit", "post_only", "fok", "ioc")
PRICED = ("limit", "post_only", "fok", "ioc")
OTHER_TYPES = ("optimal_limit_ioc", "mmp", "mmp_and_post_only", "elp")   # documented, not for spot cash orders


def bad(name: str) -> OrderReject:
    return OrderReject(51000, f"Parameter {name} error")


def flag(value) -> bool:
    return value is True or str(value).lower() == "true"


def _positive(args: dict, name: str) -> Decimal:
    value = parse_decimal(args.get(name))
    if value is None or value <= 0:
        raise bad(name)
    return value


def _client_ids(args: dict) -> tuple[str, str]:
    cl_ord_id, tag = args.get("clOrdId") or "", args.get("tag") or ""
    if cl_ord_id and (not isinstance(cl_ord_id, str) or not CLIENT_ID.match(cl_ord_id)):
        raise bad("clOrdId")
    if tag and (not isinstance(tag, str) or not TAG.match(tag)):
        raise bad("tag")
    return cl_ord_id, tag


def require_fields(args: dict, names: tuple[str, ...]) -> None:
    for name in names:
        if name == "instId":
            if args.get("instId") in (None, "") and args.get("instIdCode") in (None, ""):
                raise empty_param("instId")
        elif args.get(name) in (None, ""):
            raise empty_param(name)


def parse_place(args: dict, instruments: Instruments) -> dict:
    require_fields(args, ("instId", "tdMode", "side", "ordType", "sz"))
    inst: Instrument | None = instruments.resolve(args)
    if inst is None:
        raise OrderReject(51001, "Instrument ID, Instrument ID code or Spread ID doesn't exist.")
    td_mode = args["tdMode"]
    if td_mode not in ("cash", "cross", "isolated", "spot_isolated"):
        raise bad("tdMode")
    if td_mode != "cash":       # the account is in Spot mode without borrowing: margin modes are not available
        raise OrderReject(51010, "Request unsupported under current account mode")
    side = args["side"]
    if side not in ("buy", "sell"):
        raise bad("side")
    ord_type = args["ordType"]
    if ord_type not in ORDER_TYPES + OTHER_TYPES:
        raise bad("ordType")
    if ord_type in OTHER_TYPES:
        raise OrderReject(51010, "Request unsupported under current account mode")
    sz = _positive(args, "sz")
    px = None
    if ord_type in PRICED:
        if args.get("px") in (None, ""):
            raise OrderReject(51204, "The price for the limit order cannot be empty.")
        px = _positive(args, "px")
    tgt_ccy = ""
    if ord_type == "market":
        tgt_ccy = args.get("tgtCcy") or ("quote_ccy" if side == "buy" else "base_ccy")
        if tgt_ccy not in ("base_ccy", "quote_ccy"):
            raise bad("tgtCcy")
    elif args.get("tgtCcy") not in (None, "", "base_ccy", "quote_ccy"):
        raise bad("tgtCcy")
    cl_ord_id, tag = _client_ids(args)
    return {"inst": inst, "side": side, "ord_type": ord_type, "sz": sz, "px": px, "tgt_ccy": tgt_ccy,
            "cl_ord_id": cl_ord_id, "tag": tag, "ban_amend": flag(args.get("banAmend"))}


def parse_amend(args: dict) -> dict:
    new_sz = new_px = None
    if args.get("newSz") not in (None, ""):
        new_sz = _positive(args, "newSz")
    if args.get("newPx") not in (None, ""):
        new_px = _positive(args, "newPx")
    if new_sz is None and new_px is None:
        raise OrderReject(51500, "You must enter a price, quantity, or TP/SL")
    req_id = args.get("reqId") or ""
    if req_id and (not isinstance(req_id, str) or not CLIENT_ID.match(req_id)):
        raise bad("reqId")
    return {"new_sz": new_sz, "new_px": new_px, "req_id": req_id, "cxl_on_fail": flag(args.get("cxlOnFail"))}
