"""A local Kraken spot protocol server for tests: REST, the public and private WebSocket v2, and a control port.

Binds 127.0.0.1 only. Port 0 picks a free port. Once every port listens, prints one JSON line on stdout:
{"rest": P, "ws": P, "wsAuth": P, "control": P, "restUrl": ..., "publicWsUrl": "ws://127.0.0.1:P/v2",
 "privateWsUrl": "ws://127.0.0.1:P2/v2", "controlUrl": ...}

The market is the real Kraken capture in <shared>/vectors/exchanges/wire/kraken/cryptofeed (WebSocket v1 book-1000,
10 pairs, 2021-04-17) served as v2, read at start (<shared> = $DEXTER_SHARED, else ../shared beside the repository).
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
import rest  # noqa: E402
import ws  # noqa: E402
from book import Replay  # noqa: E402
from instruments import Instruments  # noqa: E402
from state import Options, State  # noqa: E402

REPO_ROOT = HERE.parents[2]
HOST = "127.0.0.1"
log = logging.getLogger("kraken.server")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rest-port", type=int, default=0)
    parser.add_argument("--ws-port", type=int, default=0, help="public WebSocket v2 (ws.kraken.com/v2)")
    parser.add_argument("--ws-auth-port", type=int, default=0, help="private WebSocket v2 (ws-auth.kraken.com/v2)")
    parser.add_argument("--control-port", type=int, default=0)
    parser.add_argument("--speed", type=float, default=1.0,
                        help="replay speed factor; 0 = the market moves only on POST /control/advance")
    parser.add_argument("--accounts", help="accounts JSON file (see accounts.py)")
    parser.add_argument("--account", action="append", default=[],
                        help="KEY:SECRET_BASE64:ASSET=AMOUNT,... (repeatable)")
    parser.add_argument("--idle-timeout", type=float, default=60.0,
                        help="seconds without a subscription or a request before a WebSocket is closed")
    parser.add_argument("--heartbeat", type=float, default=1.0, help="seconds of silence before a heartbeat")
    parser.add_argument("--keep-recorded-times", action="store_true", help="book timestamps = the capture's")
    parser.add_argument("--scripted-pair", action="append", default=[], metavar="PAIR",
                        help="a REST pair key of the captured AssetPairs (e.g. XBTUSDT) to list with an empty book "
                             "until POST /control/script sets one (repeatable)")
    parser.add_argument("--shared", help="path of the shared folder (default $DEXTER_SHARED or ../shared)")
    parser.add_argument("--log-level", default="WARNING")
    return parser.parse_args(argv)


def build_state(args: argparse.Namespace) -> State:
    shared = Path(args.shared) if args.shared else capture.shared_root(REPO_ROOT)
    recorded = capture.load(shared / capture.CAPTURE_DIR)
    for name in args.scripted_pair:
        if name not in recorded.all_asset_pairs:
            raise SystemExit(f"--scripted-pair {name}: not a pair key of the captured AssetPairs "
                             f"({capture.PAIRS_FILE})")
        recorded.asset_pairs.setdefault(name, recorded.all_asset_pairs[name])
    instruments = Instruments(recorded.asset_pairs)
    replay = Replay(recorded, instruments.all(), args.speed)
    if replay.mismatches or replay.precision_mismatches:
        log.warning("capture: %d checksum mismatches, %d values beyond the pair's precision", replay.mismatches,
                    replay.precision_mismatches)
    options = Options(idle_timeout_s=args.idle_timeout, heartbeat_s=args.heartbeat,
                      keep_recorded_times=args.keep_recorded_times)
    return State(accounts_module.load(args.accounts, args.account), instruments, replay, options)


async def serve(args: argparse.Namespace) -> None:
    state = build_state(args)
    runners, ports = [], {}
    for name, app, port in (("rest", rest.make_app(state), args.rest_port), ("ws", ws.app(state, False), args.ws_port),
                            ("wsAuth", ws.app(state, True), args.ws_auth_port),
                            ("control", control.make_app(state), args.control_port)):
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, HOST, port)
        await site.start()
        ports[name] = site._server.sockets[0].getsockname()[1]
        runners.append(runner)

    state.replay.start()
    line = {**ports, "restUrl": f"http://{HOST}:{ports['rest']}",
            "publicWsUrl": f"ws://{HOST}:{ports['ws']}/v2", "privateWsUrl": f"ws://{HOST}:{ports['wsAuth']}/v2",
            "controlUrl": f"http://{HOST}:{ports['control']}"}
    print(json.dumps(line), flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # SIGTERM / SIGINT stop it (whatever mask it inherited), and so does its parent's death.
    lifetime.stop_with_parent(loop, stop.set)
    await stop.wait()
    await state.replay.stop()
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
