"""A local Binance spot protocol server for tests: REST, market streams, WebSocket API, and a control port.

Binds 127.0.0.1 only. Port 0 picks a free port. Once every port listens, prints one JSON line on stdout:
{"rest": P, "stream": P, "wsApi": P, "control": P, "restUrl": ..., "streamUrl": ..., "wsApiUrl": ..., "controlUrl": ...}

The market is the real recording in <shared>/data/binance_spot_btcusdt_ethusdt_20240808_09, read at start
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
import control  # noqa: E402
import recording  # noqa: E402
import rest  # noqa: E402
from book import Replay  # noqa: E402
from ratelimit import Limits  # noqa: E402
from state import Options, State  # noqa: E402
from streams import Streams, add_routes as add_stream_routes  # noqa: E402
from wsapi import WsApi, add_routes as add_wsapi_routes  # noqa: E402

REPO_ROOT = HERE.parents[2]
HOST = "127.0.0.1"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rest-port", type=int, default=0)
    parser.add_argument("--stream-port", type=int, default=0)
    parser.add_argument("--ws-api-port", type=int, default=0)
    parser.add_argument("--control-port", type=int, default=0)
    parser.add_argument("--speed", type=float, default=1.0,
                        help="replay speed factor; 0 = the recording moves only on POST /control/advance")
    parser.add_argument("--start-offset", type=float, default=0.0, help="seconds into the recording to start at")
    parser.add_argument("--accounts", help="accounts JSON file (see accounts.py)")
    parser.add_argument("--account", action="append", default=[],
                        help="KEY:SECRET:ASSET=AMOUNT,...[:withdraw] (repeatable)")
    parser.add_argument("--notional-filter", choices=("NOTIONAL", "MIN_NOTIONAL"), default="NOTIONAL")
    parser.add_argument("--weight-limit", type=int, default=6000, help="REQUEST_WEIGHT per minute")
    parser.add_argument("--orders-per-10s", type=int, default=100)
    parser.add_argument("--orders-per-day", type=int, default=200000)
    parser.add_argument("--ban-after", type=int, default=1,
                        help="requests during a 429's Retry-After before the IP ban (418)")
    parser.add_argument("--ban-seconds", type=int, default=120)
    parser.add_argument("--ws-lifetime", type=float, default=86400.0, help="seconds a WebSocket connection lives")
    parser.add_argument("--ping-interval", type=float, default=20.0)
    parser.add_argument("--pong-timeout", type=float, default=60.0)
    parser.add_argument("--no-listen-key", action="store_true",
                        help="answer the listenKey endpoints 410 Gone, as Binance spot does since 2026-02-20")
    parser.add_argument("--keep-recorded-times", action="store_true", help="send the recording's E instead of now")
    parser.add_argument("--shared", help="path of the shared folder (default $DEXTER_SHARED or ../shared)")
    parser.add_argument("--log-level", default="WARNING")
    return parser.parse_args(argv)


def build_state(args: argparse.Namespace) -> State:
    shared = Path(args.shared) if args.shared else recording.shared_root(REPO_ROOT)
    rec = recording.load(shared / recording.RECORDING_DIR)
    replay = Replay(rec, speed=args.speed, start_offset_s=args.start_offset)
    accounts = accounts_module.load(args.accounts, args.account)
    limits = Limits(weight_per_minute=args.weight_limit, orders_per_10s=args.orders_per_10s,
                    orders_per_day=args.orders_per_day, ban_after=args.ban_after, ban_seconds=args.ban_seconds)
    options = Options(notional_filter=args.notional_filter, listen_key_enabled=not args.no_listen_key,
                      ws_lifetime_s=args.ws_lifetime, ping_interval_s=args.ping_interval,
                      pong_timeout_s=args.pong_timeout, keep_recorded_times=args.keep_recorded_times)
    return State(accounts, replay, limits, options)


async def serve(args: argparse.Namespace) -> None:
    state = build_state(args)
    streams = Streams(state)
    wsapi = WsApi(state)
    rest_app = rest.make_app(state)
    stream_app = web.Application()
    add_stream_routes(stream_app, streams)
    wsapi_app = web.Application()
    add_wsapi_routes(wsapi_app, wsapi)
    control_app = control.make_app(state)

    runners, ports = [], {}
    for name, app, port in (("rest", rest_app, args.rest_port), ("stream", stream_app, args.stream_port),
                            ("wsApi", wsapi_app, args.ws_api_port), ("control", control_app, args.control_port)):
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, HOST, port)
        await site.start()
        ports[name] = site._server.sockets[0].getsockname()[1]
        runners.append(runner)

    state.replay.start()
    watcher = asyncio.ensure_future(streams.watch_listen_keys())
    line = {**ports,
            "restUrl": f"http://{HOST}:{ports['rest']}",
            "streamUrl": f"ws://{HOST}:{ports['stream']}",
            "wsApiUrl": f"ws://{HOST}:{ports['wsApi']}/ws-api/v3",
            "controlUrl": f"http://{HOST}:{ports['control']}"}
    print(json.dumps(line), flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # SIGTERM / SIGINT stop it (whatever mask it inherited), and so does its parent's death.
    lifetime.stop_with_parent(loop, stop.set)
    await stop.wait()
    watcher.cancel()
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
