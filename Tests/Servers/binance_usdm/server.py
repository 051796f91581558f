"""A local Binance USDⓈ-M futures protocol server for tests: REST (fapi), market and user data streams (fstream),
and a control port.

Binds 127.0.0.1 only. Port 0 picks a free port. Once every port listens, prints one JSON line on stdout:
{"rest": P, "stream": P, "control": P, "restUrl": ..., "streamUrl": ..., "controlUrl": ...}

The market is the real capture in <shared>/vectors/exchanges/wire/binance_usdm/cryptofeed (SUSHIUSDT, AKROUSDT,
KEEPUSDT, CTKUSDT depth with pu, bookTicker, REST snapshots, 2021-07-22), read at start (<shared> = $DEXTER_SHARED,
else ../shared beside the repository), plus scripted books (BTCUSDT, ETHUSDT by default) set through the control port.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))   # Tests/Servers: the shared `serverkit` package
from serverkit import lifetime  # noqa: E402  (first: it takes the parent's pid)

from aiohttp import web  # noqa: E402

import accounts as accounts_module  # noqa: E402
import capture as capture_module  # noqa: E402
import control  # noqa: E402
import rest  # noqa: E402
import symbols  # noqa: E402
from book import Market  # noqa: E402
from ratelimit import Limits  # noqa: E402
from state import Options, State  # noqa: E402
from streams import Streams, add_routes  # noqa: E402

REPO_ROOT = HERE.parents[2]
HOST = "127.0.0.1"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rest-port", type=int, default=0)
    parser.add_argument("--stream-port", type=int, default=0)
    parser.add_argument("--control-port", type=int, default=0)
    parser.add_argument("--speed", type=float, default=1.0,
                        help="replay speed factor; 0 = the capture moves only on POST /control/advance")
    parser.add_argument("--scripted-symbol", action="append", default=None, metavar="SYMBOL",
                        help="a symbol whose book only POST /control/script sets (repeatable; default BTCUSDT and "
                             "ETHUSDT, the exchangeInfo entries of the capture); a captured symbol named here is "
                             "not replayed")
    parser.add_argument("--accounts", help="accounts JSON file (see accounts.py)")
    parser.add_argument("--account", action="append", default=[], help="KEY:SECRET:USDT=AMOUNT (repeatable)")
    parser.add_argument("--weight-limit", type=int, default=2400, help="REQUEST_WEIGHT per minute")
    parser.add_argument("--orders-per-minute", type=int, default=1200)
    parser.add_argument("--orders-per-10s", type=int, default=300)
    parser.add_argument("--ban-after", type=int, default=1,
                        help="requests during a 429's Retry-After before the IP ban (418)")
    parser.add_argument("--ban-seconds", type=int, default=120)
    parser.add_argument("--listen-key-minutes", type=float, default=60.0, help="listenKey validity")
    parser.add_argument("--ws-lifetime", type=float, default=86400.0, help="seconds a WebSocket connection lives")
    parser.add_argument("--ping-interval", type=float, default=180.0)
    parser.add_argument("--pong-timeout", type=float, default=600.0)
    parser.add_argument("--keep-recorded-times", action="store_true", help="send the capture's E instead of now")
    parser.add_argument("--shared", help="path of the shared folder (default $DEXTER_SHARED or ../shared)")
    parser.add_argument("--log-level", default="WARNING")
    return parser.parse_args(argv)


def build_state(args: argparse.Namespace) -> State:
    shared = Path(args.shared) if args.shared else capture_module.shared_root(REPO_ROOT)
    capture = capture_module.load(shared / capture_module.CAPTURE_DIR)
    specs = symbols.build(capture)
    scripted = args.scripted_symbol if args.scripted_symbol is not None else ["BTCUSDT", "ETHUSDT"]
    for symbol in scripted:
        if symbol not in specs:
            raise SystemExit(f"--scripted-symbol {symbol}: not a symbol of the capture's exchangeInfo or depth")
    for symbol in specs:
        if symbol not in capture.snapshots and symbol not in scripted:
            scripted.append(symbol)   # no capture for it: only a script can set its book
    market = Market(capture, specs, scripted, speed=args.speed)
    limits = Limits(weight_per_minute=args.weight_limit, orders_per_minute=args.orders_per_minute,
                    orders_per_10s=args.orders_per_10s, ban_after=args.ban_after, ban_seconds=args.ban_seconds)
    options = Options(keep_recorded_times=args.keep_recorded_times, listen_key_minutes=args.listen_key_minutes,
                      ws_lifetime_s=args.ws_lifetime, ping_interval_s=args.ping_interval,
                      pong_timeout_s=args.pong_timeout)
    return State(accounts_module.load(args.accounts, args.account), market, specs, limits, options)


async def serve(args: argparse.Namespace) -> None:
    state = build_state(args)
    streams = Streams(state)
    stream_app = web.Application()
    add_routes(stream_app, streams)
    runners, ports = [], {}
    for name, app, port in (("rest", rest.make_app(state), args.rest_port), ("stream", stream_app, args.stream_port),
                            ("control", control.make_app(state, streams), args.control_port)):
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, HOST, port)
        await site.start()
        ports[name] = site._server.sockets[0].getsockname()[1]
        runners.append(runner)
    state.market.start()
    tasks = [asyncio.ensure_future(streams.watch_listen_keys()), asyncio.ensure_future(streams.mark_loop())]
    print(json.dumps({**ports, "restUrl": f"http://{HOST}:{ports['rest']}",
                      "streamUrl": f"ws://{HOST}:{ports['stream']}",
                      "controlUrl": f"http://{HOST}:{ports['control']}"}), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # SIGTERM / SIGINT stop it (whatever mask it inherited), and so does its parent's death.
    lifetime.stop_with_parent(loop, stop.set)
    await stop.wait()
    for task in tasks:
        task.cancel()
    await state.market.stop()
    await state.drop_connections()
    for runner in runners:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
