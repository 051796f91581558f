"""A local Bybit v5 (linear USDT perpetuals) protocol server for tests: REST (api.bybit.com shape), the public and
private WebSockets (stream.bybit.com: /v5/public/linear and /v5/private, on one port) and a control port.

Binds 127.0.0.1 only. Port 0 picks a free port. Once every port listens, prints one JSON line on stdout:
{"rest": P, "ws": P, "control": P, "restUrl": ..., "publicWsUrl": ..., "privateWsUrl": ..., "controlUrl": ...}

The market is the real capture in <shared>/vectors/exchanges/wire/bybit/cryptofeed (legacy orderBookL2_25 for eight
USDT perpetuals, 2021-04-17, translated to the v5 model; see capture.py), read at start (<shared> = $DEXTER_SHARED,
else ../shared beside the repository), plus scripted books (BTCUSDT and ETHUSDT by default) set through the control
port. Instruments of BTCUSDT and ETHUSDT: nautilus_trader's instruments-info fixture in the same folder tree.
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
from ws import Sockets, add_routes  # noqa: E402

REPO_ROOT = HERE.parents[2]
HOST = "127.0.0.1"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rest-port", type=int, default=0)
    parser.add_argument("--ws-port", type=int, default=0)
    parser.add_argument("--control-port", type=int, default=0)
    parser.add_argument("--speed", type=float, default=1.0,
                        help="replay speed factor; 0 = the capture moves only on POST /control/advance")
    parser.add_argument("--scripted-symbol", action="append", default=None, metavar="SYMBOL",
                        help="a symbol whose book only POST /control/script sets (repeatable; default BTCUSDT and "
                             "ETHUSDT); a captured symbol named here is not replayed")
    parser.add_argument("--accounts", help="accounts JSON file (see accounts.py)")
    parser.add_argument("--account", action="append", default=[], help="KEY:SECRET:USDT=AMOUNT (repeatable)")
    parser.add_argument("--ip-limit", type=int, default=600, help="requests per IP in any 5-second window")
    parser.add_argument("--ban-seconds", type=int, default=600, help="how long an IP over its limit gets 403")
    parser.add_argument("--ban-after", type=int, default=1,
                        help="requests sent before the reset timestamp of a fault's 10006 before the IP ban")
    parser.add_argument("--idle-timeout", type=float, default=600.0,
                        help="seconds without ping and without data before a WebSocket is closed (docs: 10 min)")
    parser.add_argument("--level1-repeat", type=float, default=3.0,
                        help="seconds without change before orderbook.1 repeats its snapshot (docs: 3)")
    parser.add_argument("--keep-recorded-times", action="store_true",
                        help="cts of captured books is the recorded engine time instead of the send time")
    parser.add_argument("--shared", help="path of the shared folder (default $DEXTER_SHARED or ../shared)")
    parser.add_argument("--log-level", default="WARNING")
    return parser.parse_args(argv)


def build_state(args: argparse.Namespace) -> State:
    shared = Path(args.shared) if args.shared else capture_module.shared_root(REPO_ROOT)
    capture = capture_module.load(shared)
    specs = symbols.build(capture)
    scripted = args.scripted_symbol if args.scripted_symbol is not None else ["BTCUSDT", "ETHUSDT"]
    for symbol in scripted:
        if symbol not in specs:
            raise SystemExit(f"--scripted-symbol {symbol}: not an instrument of this server ({', '.join(specs)})")
    for symbol in specs:
        if symbol not in capture.snapshots and symbol not in scripted:
            scripted.append(symbol)   # no capture for it: only a script can set its book
    market = Market(capture, specs, scripted, speed=args.speed)
    limits = Limits(ip_per_5s=args.ip_limit, ban_seconds=args.ban_seconds, ban_after=args.ban_after)
    options = Options(keep_recorded_times=args.keep_recorded_times, level1_repeat_s=args.level1_repeat,
                      idle_timeout_s=args.idle_timeout)
    state = State(accounts_module.load(args.accounts, args.account), market, specs, limits, options)
    state.capture = capture
    return state


async def serve(args: argparse.Namespace) -> None:
    state = build_state(args)
    sockets = Sockets(state)
    ws_app = web.Application()
    add_routes(ws_app, sockets)
    runners, ports = [], {}
    for name, app, port in (("rest", rest.make_app(state), args.rest_port), ("ws", ws_app, args.ws_port),
                            ("control", control.make_app(state), args.control_port)):
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, HOST, port)
        await site.start()
        ports[name] = site._server.sockets[0].getsockname()[1]
        runners.append(runner)
    state.market.start()
    tasks = [asyncio.ensure_future(sockets.level1_loop())]
    print(json.dumps({**ports, "restUrl": f"http://{HOST}:{ports['rest']}",
                      "publicWsUrl": f"ws://{HOST}:{ports['ws']}/v5/public/linear",
                      "privateWsUrl": f"ws://{HOST}:{ports['ws']}/v5/private",
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
