"""Local-chain mode of the aggregator servers (1inch, 0x), for tests that execute the transaction an API builds.

--token SYMBOL=ADDRESS   the book's token SYMBOL lives at ADDRESS (the local node's deployment), decimals unchanged
--v2-router ADDRESS      a swap's transaction calls this Uniswap V2 Router02 instead of carrying a stand-in:
                         `swapExactTokensForTokens(amountIn, amountOutMin, [src, dst], receiver, deadline)`, real
                         calldata the local node runs; `to` (and, for 0x, the allowance target) is the router.

The book still prices every answer (`book.py`): a test that wants the transaction to fill what the API quoted sets the
book to the local pool's reserves (POST /control/book).
"""
from __future__ import annotations

import argparse

from serverkit.pairbook import TOKENS

# swapExactTokensForTokens(uint256,uint256,address[],address,uint256)
SWAP_EXACT_TOKENS_FOR_TOKENS = "38ed1739"
# Far past any block's timestamp: the test's node decides, not the server's clock.
DEADLINE = 2**64 - 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--token", action="append", default=[], metavar="SYMBOL=ADDRESS",
                        help="the book's token SYMBOL is at ADDRESS on the served chain (repeatable)")
    parser.add_argument("--v2-router", default=None, metavar="ADDRESS",
                        help="swap transactions call this V2 router's swapExactTokensForTokens")


def apply(args: argparse.Namespace) -> None:
    for spec in args.token:
        symbol, _, address = spec.partition("=")
        if symbol not in TOKENS or len(address) != 42 or not address.startswith("0x"):
            raise SystemExit(f"--token {spec!r}: expected SYMBOL=0xADDRESS with SYMBOL one of {sorted(TOKENS)}")
        TOKENS[symbol] = (address, TOKENS[symbol][1])


def word(value: int | str) -> str:
    number = int(value, 16) if isinstance(value, str) else value
    return f"{number:064x}"


def v2_swap(amount_in: int, minimum: int, src: str, dst: str, receiver: str) -> str:
    """The router call, ABI-encoded: five head words (the path's offset is 5 × 32), then the path."""
    head = word(amount_in) + word(minimum) + word(5 * 32) + word(receiver) + word(DEADLINE)
    return "0x" + SWAP_EXACT_TOKENS_FOR_TOKENS + head + word(2) + word(src) + word(dst)
