"""A local Coinbase Advanced Trade protocol server for tests: REST, the market-data and user-order-data WebSockets,
and a control port.

Binds 127.0.0.1 only. Port 0 picks a free port. Once every port listens, prints one JSON line on stdout:
{"rest": P, "ws": P, "wsUser": P, "control": P, "restUrl": "http://127.0.0.1:P", "publicWsUrl": "ws://127.0.0.1:P",
 "privateWsUrl": "ws://127.0.0.1:P2", "controlUrl": ..., "defaultKeyName"?: ..., "defaultKeyFile"?: ...}
(the default key only when no account is given: its private key in a temp file, mode 0600, removed at exit).

The market is the real Coinbase Pro capture in <shared>/vectors/exchanges/wire/coinbase/cryptofeed (legacy level2
snapshot + l2update, 10 products, 2021-04-17) served as Advanced Trade level2, read at start (<shared> =
$DEXTER_SHARED, else ../shared beside the repository).
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
import capture  # noqa: E402
import control  # noqa: E402
import products as products_module  # noqa: E402
import rest  # noqa: E402
import ws  # noqa: E402
from book import Replay  # noqa: E402
from state import Options, State  # noqa: E402

REPO_ROOT = HERE.parents[2]
HOST = "127.0.0.1"
log = logging.getLogger("coinbase.server")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rest-port", type=int, default=0)
    parser.add_argument("--ws-port", type=int, default=0, help="market data WebSocket (advanced-trade-ws)")
    parser.add_argument("--ws-user-port", type=int, default=0, help="user order data WebSocket (advanced-trade-ws-user)")
    parser.add_argument("--control-port", type=int, default=0)
    parser.add_argument("--speed", type=float, default=1.0,
                        help="replay speed factor; 0 = the market moves only on POST /control/advance")
    parser.add_argument("--accounts", help="accounts JSON file (see accounts.py)")
    parser.add_argument("--account", action="append", default=[],
                        help="KEYNAME:PEMFILE:ASSET=AMOUNT,... (repeatable)")
    parser.add_argument("--subscribe-timeout", type=float, default=5.0,
                        help="seconds a WebSocket may stay without a subscribe (docs: 5)")
    parser.add_argument("--heartbeat", type=float, default=1.0, help="seconds between heartbeats (docs: 1)")
    parser.add_argument("--channel-idle", type=float, default=90.0,
                        help="seconds without anything sent before a subscribed WebSocket is closed (docs: 60-90)")
    parser.add_argument("--keep-recorded-times", action="store_true",
                        help="l2_data event_time = the capture's time for replayed updates")
    parser.add_argument("--scripted-product", action="append", default=[], metavar="PRODUCT_ID",
                        help="a product (e.g. BTC-USDT) listed with an empty book until POST /control/script sets one "
                             "(repeatable)")
    parser.add_argument("--shared", help="path of the shared folder (default $DEXTER_SHARED or ../shared)")
    parser.add_argument("--log-level", default="WARNING")
    return parser.parse_args(argv)


def build_state(args: argparse.Namespace) -> State:
    shared = Path(args.shared) if args.shared else capture.shared_root(REPO_ROOT)
    recorded = capture.load(shared / capture.CAPTURE_DIR)
    products = products_module.from_capture(recorded)
    for product_id in args.scripted_product:
        products.setdefault(product_id, products_module.scripted(product_id))
    replay = Replay(recorded, products, args.speed)
    options = Options(subscribe_timeout_s=args.subscribe_timeout, heartbeat_s=args.heartbeat,
                      channel_idle_s=args.channel_idle, keep_recorded_times=args.keep_recorded_times)
    return State(accounts_module.load(args.accounts, args.account), products, replay, options)


async def serve(args: argparse.Namespace) -> None:
    state = build_state(args)
    runners, ports = [], {}
    try:
        for name, app, port in (("rest", rest.make_app(state), args.rest_port),
                                ("ws", ws.app(state, False), args.ws_port),
                                ("wsUser", ws.app(state, True), args.ws_user_port),
                                ("control", control.make_app(state), args.control_port)):
            runner = web.AppRunner(app, access_log=None, handle_signals=False)
            await runner.setup()
            site = web.TCPSite(runner, HOST, port)
            await site.start()
            ports[name] = site._server.sockets[0].getsockname()[1]
            runners.append(runner)
        state.replay.start()
        line = {**ports, "restUrl": f"http://{HOST}:{ports['rest']}", "publicWsUrl": f"ws://{HOST}:{ports['ws']}",
                "privateWsUrl": f"ws://{HOST}:{ports['wsUser']}", "controlUrl": f"http://{HOST}:{ports['control']}"}
        if state.accounts.default_key_name:
            line.update(defaultKeyName=state.accounts.default_key_name, defaultKeyFile=state.accounts.default_key_file)
        print(json.dumps(line), flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        # SIGTERM / SIGINT stop it (whatever mask it inherited), and so does its parent's death.
        lifetime.stop_with_parent(loop, stop.set)
        await stop.wait()
        await state.replay.stop()
        await state.drop_connections()
    finally:
        for runner in runners:
            await runner.cleanup()
        state.accounts.cleanup()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
