"""A local OKX v5 protocol server for tests: REST, public and private WebSocket, and a control port.

Binds 127.0.0.1 only. Port 0 picks a free port. Once every port listens, prints one JSON line on stdout:
{"rest": P, "ws": P, "control": P, "restUrl": ..., "publicWsUrl": ".../ws/v5/public",
 "privateWsUrl": ".../ws/v5/private", "controlUrl": ...}

The market is the real OKX capture in <shared>/vectors/exchanges/wire/okx/cryptofeed, read at start
(<shared> = $DEXTER_SHARED, else ../shared beside the repository).
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
from book import Replay  # noqa: E402
from instruments import Instruments  # noqa: E402
from state import Options, State  # noqa: E402
from ws import WebSockets, add_routes as add_ws_routes  # noqa: E402

REPO_ROOT = HERE.parents[2]
HOST = "127.0.0.1"
log = logging.getLogger("okx.server")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rest-port", type=int, default=0)
    parser.add_argument("--ws-port", type=int, default=0, help="serves /ws/v5/public and /ws/v5/private")
    parser.add_argument("--control-port", type=int, default=0)
    parser.add_argument("--speed", type=float, default=1.0,
                        help="replay speed factor; 0 = the capture moves only on POST /control/advance")
    parser.add_argument("--start-offset", type=float, default=0.0, help="seconds into the capture to start at")
    parser.add_argument("--accounts", help="accounts JSON file (see accounts.py)")
    parser.add_argument("--account", action="append", default=[],
                        help="KEY:SECRET:PASSPHRASE:CCY=AMOUNT,... (repeatable)")
    parser.add_argument("--idle-timeout", type=float, default=30.0,
                        help="seconds without a subscription or a message sent before a WebSocket is closed")
    parser.add_argument("--ws-connects-per-second", type=int, default=3)
    parser.add_argument("--book-heartbeat", type=float, default=60.0,
                        help="seconds without book changes before an empty books update")
    parser.add_argument("--keep-recorded-times", action="store_true", help="send the capture's ts instead of now")
    parser.add_argument("--shared", help="path of the shared folder (default $DEXTER_SHARED or ../shared)")
    parser.add_argument("--log-level", default="WARNING")
    return parser.parse_args(argv)


def build_state(args: argparse.Namespace) -> State:
    shared = Path(args.shared) if args.shared else capture.shared_root(REPO_ROOT)
    recorded = capture.load(shared / capture.CAPTURE_DIR)
    instruments = Instruments(recorded.instruments)
    replay = Replay(recorded, [inst.inst_id for inst in instruments.all()], args.speed, args.start_offset)
    if replay.checksum_mismatches:
        log.warning("%d recorded checksums do not match the replayed book", replay.checksum_mismatches)
    options = Options(keep_recorded_times=args.keep_recorded_times, idle_timeout_s=args.idle_timeout,
                      ws_connects_per_second=args.ws_connects_per_second, book_heartbeat_s=args.book_heartbeat)
    return State(accounts_module.load(args.accounts, args.account), instruments, replay, options)


async def serve(args: argparse.Namespace) -> None:
    state = build_state(args)
    sockets = WebSockets(state)
    ws_app = web.Application()
    add_ws_routes(ws_app, sockets)
    runners, ports = [], {}
    for name, app, port in (("rest", rest.make_app(state), args.rest_port), ("ws", ws_app, args.ws_port),
                            ("control", control.make_app(state), args.control_port)):
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, HOST, port)
        await site.start()
        ports[name] = site._server.sockets[0].getsockname()[1]
        runners.append(runner)

    state.replay.start()
    line = {**ports,
            "restUrl": f"http://{HOST}:{ports['rest']}",
            "publicWsUrl": f"ws://{HOST}:{ports['ws']}/ws/v5/public",
            "privateWsUrl": f"ws://{HOST}:{ports['ws']}/ws/v5/private",
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
