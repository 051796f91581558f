"""The control port (not Solana's protocol): faults, the clock of slots, priority fees, and test setup — mints,
token accounts with exact balances, lamports, raw accounts. Every body is JSON; a bad one gets 400
{"error": "<what and where>"}.

POST /control/fault           {"type": …} (faults.py)        GET /control/faults     pending request faults
POST /control/advance         {"slots": N}: N new blocks now (default 1)
GET  /control/state           slot, block height, blockhash, finalized slot, behind, transactions, notifications
POST /control/priority-fees   {"fees": [{"slot": S, "prioritizationFee": F}, …]} or {"recent": [F, …]} (the
                              latest blocks, oldest first): what getRecentPrioritizationFees reports for them
POST /control/mint            {"decimals": D, "program"?: "spl-token"|"spl-token-2022", "mintAuthority"?: key,
                              "address"?: key} → {"mint", "mintAuthority", "program"}
POST /control/token-account   {"mint", "owner", "amount", "address"?: key (default the owner's associated
                              account), "delegate"?, "delegatedAmount"?} → the account's jsonParsed info; the
                              mint's supply moves by the difference (amounts are integers of base units)
POST /control/airdrop         {"pubkey", "lamports"} → {"signature"} (a landed faucet transfer)
POST /control/account         {"pubkey", "lamports", "owner"?, "data"? (base64), "executable"?}: written as given
POST /control/lookup-table    {"addresses": [key, …], "address"?: key} → {"address"}: an active address lookup
                              table (the layout of the address-lookup-table program, authority the control's
                              keypair, last extended at slot 0 so every address is usable at once)
GET  /control/requests        {"count": N, "methods": {name: n}}: what the RPC port was asked
"""
from __future__ import annotations

import base64
import struct

from aiohttp import web
from solders.account import Account
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.token.state import Mint, TokenAccount, TokenAccountState

import tokens
from chain import NATIVE_MINT, NATIVE_MINT_2022, SYSTEM_PROGRAM

RENT_EPOCH_EXEMPT = 2**64 - 1
LOOKUP_TABLE_PROGRAM = Pubkey.from_string("AddressLookupTab1e1111111111111111111111111")


class BadRequest(ValueError):
    pass


def field(body: dict, name: str, required: bool = True):
    if name not in body or body[name] is None:
        if required:
            raise BadRequest(f"`{name}` is required")
        return None
    return body[name]


def key(body: dict, name: str, required: bool = True) -> Pubkey | None:
    value = field(body, name, required)
    if value is None:
        return None
    try:
        return Pubkey.from_string(value)
    except Exception:
        raise BadRequest(f"`{name}` is not a base-58 public key: {value!r}") from None


def whole(body: dict, name: str, required: bool = True, default: int = 0) -> int:
    """An exact non-negative integer of base units: a JSON integer or a string of digits, never a float."""
    value = field(body, name, required)
    if value is None:
        return default
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
        raise BadRequest(f"`{name}` must be a non-negative integer of base units (a JSON integer or a string of "
                         f"digits), got {value!r}")
    number = int(value)
    if number < 0 or number >= 2**64:
        raise BadRequest(f"`{name}` must fit in a u64, got {number}")
    return number


class Control:
    def __init__(self, node, pubsub, faults, go_down) -> None:
        self.node, self.chain, self.pubsub, self.faults = node, node.chain, pubsub, faults
        self.go_down = go_down
        self.authority = Keypair()       # the default mint authority of the mints it creates
        self.requests = {"count": 0, "methods": {}}

    def create_mint(self, body: dict) -> dict:
        decimals = whole(body, "decimals")
        if decimals > 255:
            raise BadRequest(f"`decimals` must be 0–255, got {decimals}")
        program_name = body.get("program", "spl-token")
        programs = {"spl-token": tokens.TOKEN_PROGRAM, "spl-token-2022": tokens.TOKEN_2022_PROGRAM}
        if program_name not in programs:
            raise BadRequest(f"`program` must be spl-token or spl-token-2022, got {program_name!r}")
        address = key(body, "address", required=False) or Keypair().pubkey()
        authority = key(body, "mintAuthority", required=False) or self.authority.pubkey()
        data = bytes(Mint(mint_authority=authority, supply=0, decimals=decimals, is_initialized=True))
        lamports = self.chain.svm.minimum_balance_for_rent_exemption(len(data))
        self.chain.set_account(address, Account(lamports, data, programs[program_name], False, RENT_EPOCH_EXEMPT))
        return {"mint": str(address), "mintAuthority": str(authority), "program": program_name,
                "decimals": decimals}

    def set_token_account(self, body: dict) -> dict:
        mint = key(body, "mint")
        owner = key(body, "owner")
        amount = whole(body, "amount")
        mint_account = self.chain.account(mint)
        if tokens.kind(mint_account) != "mint":
            raise BadRequest(f"`mint` {mint} is not a mint account (create it with /control/mint)")
        program = mint_account.owner
        address = key(body, "address", required=False) or tokens.associated_address(owner, mint, program)
        delegate = key(body, "delegate", required=False)
        delegated = whole(body, "delegatedAmount", required=False)
        if delegated and delegate is None:
            raise BadRequest("`delegatedAmount` needs a `delegate`")
        existing = self.chain.account(address)
        if existing is not None and tokens.kind(existing) == "account":
            token = tokens.parse_token_account(existing)
            if token.mint != mint:
                raise BadRequest(f"{address} is a token account of mint {token.mint}, not {mint}")
            old_amount = token.amount
        elif existing is not None and existing.owner != SYSTEM_PROGRAM:
            raise BadRequest(f"{address} exists and is not a token account (owner {existing.owner})")
        else:
            old_amount = 0
        native = mint in (NATIVE_MINT, NATIVE_MINT_2022)
        size = tokens.ACCOUNT_SIZE
        rent = self.chain.svm.minimum_balance_for_rent_exemption(size)
        data = bytes(TokenAccount(mint=mint, owner=owner, amount=amount, delegate=delegate,
                                  state=TokenAccountState.Initialized, is_native=rent if native else None,
                                  delegated_amount=delegated))
        lamports = rent + amount if native else rent
        self.chain.set_account(address, Account(lamports, data, program, False, RENT_EPOCH_EXEMPT))
        if not native:
            parsed_mint = tokens.parse_mint(mint_account)
            supply = parsed_mint.supply + amount - old_amount
            mint_data = bytes(Mint(mint_authority=parsed_mint.mint_authority, supply=supply,
                                   decimals=parsed_mint.decimals, is_initialized=True,
                                   freeze_authority=parsed_mint.freeze_authority))
            self.chain.set_account(mint, Account(mint_account.lamports, mint_data, program, False,
                                                 RENT_EPOCH_EXEMPT))
        parsed = tokens.json_parsed(self.chain.account(address), self.chain.account)
        return {"address": str(address), **parsed["parsed"]["info"]}

    def set_account(self, body: dict) -> dict:
        address = key(body, "pubkey")
        lamports = whole(body, "lamports")
        owner = key(body, "owner", required=False) or SYSTEM_PROGRAM
        try:
            data = base64.b64decode(body.get("data") or "", validate=True)
        except ValueError:
            raise BadRequest("`data` must be base64") from None
        self.chain.set_account(address, Account(lamports, data, owner, bool(body.get("executable", False)),
                                                RENT_EPOCH_EXEMPT))
        return {"pubkey": str(address), "lamports": lamports, "space": len(data)}

    def create_lookup_table(self, body: dict) -> dict:
        addresses = field(body, "addresses")
        if not isinstance(addresses, list) or not 1 <= len(addresses) <= 256:
            raise BadRequest("`addresses` must be an array of 1 to 256 base-58 keys")
        keys = [key({"address": a}, "address") for a in addresses]
        address = key(body, "address", required=False) or Keypair().pubkey()
        # LookupTableMeta: u32 type (1 = lookup table), u64 deactivation slot (u64::MAX: active), u64 last extended
        # slot, u8 its start index, Option<Pubkey> authority, u16 padding; then the addresses (56-byte header).
        header = struct.pack("<IQQB", 1, 2**64 - 1, 0, 0) + b"\x01" + bytes(self.authority.pubkey()) + b"\0\0"
        data = header + b"".join(bytes(k) for k in keys)
        lamports = self.chain.svm.minimum_balance_for_rent_exemption(len(data))
        self.chain.set_account(address, Account(lamports, data, LOOKUP_TABLE_PROGRAM, False, RENT_EPOCH_EXEMPT))
        return {"address": str(address), "addresses": [str(k) for k in keys]}

    def set_priority_fees(self, body: dict) -> dict:
        if "recent" in body:
            fees = body["recent"]
            if not isinstance(fees, list):
                raise BadRequest("`recent` must be an array of integers (µlamports per CU)")
            blocks = self.chain.blocks[-len(fees):] if fees else []
            if len(blocks) < len(fees):
                raise BadRequest(f"only {len(blocks)} blocks exist, {len(fees)} fees given")
            for block, fee in zip(blocks, fees):
                self.chain.fee_overrides[block.slot] = whole({"fee": fee}, "fee")
        for entry in body.get("fees", []):
            self.chain.fee_overrides[whole(entry, "slot")] = whole(entry, "prioritizationFee")
        return {"fees": self.chain.prioritization_fees([])}

    def state(self) -> dict:
        tip = self.chain.tip
        return {"slot": tip.slot, "blockHeight": tip.height, "blockhash": str(tip.blockhash),
                "lastValidBlockHeight": self.chain.blockhashes[str(tip.blockhash)],
                "confirmedSlot": self.chain.at("confirmed").slot, "finalizedSlot": self.chain.at("finalized").slot,
                "behind": self.node.behind, "transactions": len(self.chain.landed),
                "dropped": sorted(self.chain.dropped), "subscriptions": len(self.pubsub.subs),
                "notifications": self.pubsub.notifications, "mintAuthority": str(self.authority.pubkey())}

    async def fault(self, body: dict) -> dict:
        kind = self.faults.check(body)
        if kind == "clear":
            self.faults.pending.clear()
        elif kind == "behind":
            self.node.behind = whole(body, "slots")
        elif kind == "ws_close":
            return {"ok": True, "closed": self.pubsub.drop_all()}
        elif kind == "down":
            seconds = body.get("seconds", 1.0)
            if not isinstance(seconds, (int, float)) or seconds <= 0:
                raise BadRequest(f"`seconds` must be a positive number, got {seconds!r}")
            await self.go_down(float(seconds))
        else:
            self.faults.add(body)
        return {"ok": True}

    def app(self) -> web.Application:
        def route(work, read_body=True):
            async def handler(request: web.Request) -> web.Response:
                try:
                    body = {}
                    if read_body and request.can_read_body:
                        body = await request.json()
                        if not isinstance(body, dict):
                            raise BadRequest("the body must be a JSON object")
                    answer = work(body)
                    if hasattr(answer, "__await__"):
                        answer = await answer
                except (BadRequest, ValueError) as problem:
                    return web.json_response({"error": f"{request.path}: {problem}"}, status=400)
                return web.json_response(answer)
            return handler

        app = web.Application()
        app.router.add_post("/control/fault", route(self.fault))
        app.router.add_get("/control/faults", route(lambda _: {"faults": self.faults.state()}, False))
        app.router.add_post("/control/advance", route(self.advance))
        app.router.add_get("/control/state", route(lambda _: self.state(), False))
        app.router.add_post("/control/priority-fees", route(self.set_priority_fees))
        app.router.add_post("/control/mint", route(self.create_mint))
        app.router.add_post("/control/token-account", route(self.set_token_account))
        app.router.add_post("/control/airdrop", route(self.airdrop))
        app.router.add_post("/control/account", route(self.set_account))
        app.router.add_post("/control/lookup-table", route(self.create_lookup_table))
        app.router.add_get("/control/requests", route(lambda _: self.requests, False))
        return app

    def advance(self, body: dict) -> dict:
        count = whole(body, "slots", required=False, default=1)
        self.chain.advance(count)
        return self.state()

    def airdrop(self, body: dict) -> dict:
        address = key(body, "pubkey")
        lamports = whole(body, "lamports")
        return {"signature": self.chain.airdrop(address, lamports).signature}
