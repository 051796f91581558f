"""SPL Token and Token-2022 accounts as the RPC shows them: token balances (getTokenAccountBalance, the
pre/postTokenBalances of a transaction's meta) and the `jsonParsed` encoding (agave's account decoder: program
`spl-token` / `spl-token-2022`, types `account` and `mint`). Only the base layouts are decoded (82-byte mint,
165-byte account): Token-2022 extensions are not, and their `extensions` array is left out, as agave leaves out an
empty one."""
from __future__ import annotations

from solders.account import Account
from solders.pubkey import Pubkey
from solders.token.state import Mint, TokenAccount, TokenAccountState

TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
TOKEN_2022_PROGRAM = Pubkey.from_string("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")
ASSOCIATED_TOKEN_PROGRAM = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
TOKEN_PROGRAMS = {str(TOKEN_PROGRAM): "spl-token", str(TOKEN_2022_PROGRAM): "spl-token-2022"}
MINT_SIZE, ACCOUNT_SIZE = 82, 165
# Token-2022 puts an account-type byte after the base layout: 1 mint, 2 account.
ACCOUNT_TYPE_OFFSET = 165


def is_token_program(owner: Pubkey) -> bool:
    return str(owner) in TOKEN_PROGRAMS


def kind(account: Account) -> str | None:
    """'mint', 'account' or None, as the token programs tell their accounts apart (by size, then Token-2022's
    account-type byte)."""
    if account is None or not is_token_program(account.owner):
        return None
    size = len(account.data)
    if size == MINT_SIZE:
        return "mint"
    if size == ACCOUNT_SIZE:
        return "account"
    if size > ACCOUNT_SIZE and account.owner == TOKEN_2022_PROGRAM:
        return {1: "mint", 2: "account"}.get(account.data[ACCOUNT_TYPE_OFFSET])
    return None


def parse_mint(account: Account) -> Mint:
    return Mint.from_bytes(bytes(account.data[:MINT_SIZE]))


def parse_token_account(account: Account) -> TokenAccount:
    return TokenAccount.from_bytes(bytes(account.data[:ACCOUNT_SIZE]))


def ui_amount_string(amount: int, decimals: int) -> str:
    """agave's real_number_string_trimmed: the exact decimal, trailing zeros (and a bare point) dropped."""
    if decimals == 0:
        return str(amount)
    whole, fraction = divmod(amount, 10**decimals)
    text = f"{whole}.{fraction:0{decimals}d}".rstrip("0").rstrip(".")
    return text


def ui_token_amount(amount: int, decimals: int) -> dict:
    # uiAmount is a float by definition of the API (deprecated for exactly that reason); amount is the exact one.
    return {"amount": str(amount), "decimals": decimals, "uiAmount": amount / 10**decimals,
            "uiAmountString": ui_amount_string(amount, decimals)}


def state_name(state) -> str:
    # The state byte (offset 108 of the layout): 0 uninitialized, 1 initialized, 2 frozen.
    return {str(TokenAccountState.Uninitialized): "uninitialized", str(TokenAccountState.Frozen): "frozen"}.get(
        str(state), "initialized")


def mint_decimals(mint: Pubkey, lookup) -> int | None:
    account = lookup(mint)
    if kind(account) != "mint":
        return None
    return parse_mint(account).decimals


def json_parsed(account: Account, lookup) -> dict | None:
    """The `jsonParsed` data of a token account or mint, or None when it is neither (the RPC then falls back to
    base64). `lookup(pubkey)` reads another account (the mint, for a token account's decimals)."""
    what = kind(account)
    program = TOKEN_PROGRAMS.get(str(account.owner)) if account is not None else None
    if what == "mint":
        mint = parse_mint(account)
        info = {"decimals": mint.decimals,
                "freezeAuthority": None if mint.freeze_authority is None else str(mint.freeze_authority),
                "isInitialized": mint.is_initialized,
                "mintAuthority": None if mint.mint_authority is None else str(mint.mint_authority),
                "supply": str(mint.supply)}
    elif what == "account":
        token = parse_token_account(account)
        decimals = mint_decimals(token.mint, lookup)
        if decimals is None:
            return None
        info = {"isNative": token.is_native is not None, "mint": str(token.mint), "owner": str(token.owner),
                "state": state_name(token.state),
                "tokenAmount": ui_token_amount(token.amount, decimals)}
        if token.delegate is not None:
            info["delegate"] = str(token.delegate)
            info["delegatedAmount"] = ui_token_amount(token.delegated_amount, decimals)
        if token.is_native is not None:
            info["rentExemptReserve"] = ui_token_amount(token.is_native, decimals)
        if token.close_authority is not None:
            info["closeAuthority"] = str(token.close_authority)
    else:
        return None
    return {"program": program, "parsed": {"info": info, "type": what}, "space": len(account.data)}


def token_balances(accounts: list, lookup) -> list[dict]:
    """A transaction meta's pre/postTokenBalances: one entry per token account among the message's accounts."""
    out = []
    for index, account in enumerate(accounts):
        if kind(account) != "account":
            continue
        token = parse_token_account(account)
        decimals = mint_decimals(token.mint, lookup)
        if decimals is None:
            continue
        out.append({"accountIndex": index, "mint": str(token.mint), "owner": str(token.owner),
                    "programId": str(account.owner), "uiTokenAmount": ui_token_amount(token.amount, decimals)})
    return out


def associated_address(owner: Pubkey, mint: Pubkey, program: Pubkey = TOKEN_PROGRAM) -> Pubkey:
    """The associated token account: the PDA of [owner, token program, mint] under the ATA program."""
    return Pubkey.find_program_address([bytes(owner), bytes(program), bytes(mint)], ASSOCIATED_TOKEN_PROGRAM)[0]
