"""Test-suite helpers shared by the servers' pytest suites (imported as `serverkit.testing`; Tests/Servers is on
pytest's path through pytest.ini).

- `start_server` / `stop_server`: a server process on loopback with free ports; its first stdout line is the JSON of
  its ports.
- `Ws`: one WebSocket that keeps every message (numbers as Decimal) and waits for the ones a test wants.
- `sync`: runs an async test body in its own event loop (the venv has no pytest asyncio plugin).
- `listening_ips`: the addresses a TCP port listens on, from /proc/net (for the loopback-only checks).
"""
from __future__ import annotations

import asyncio
import functools
import json
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import aiohttp


def start_server(server: Path, args: list[str], cwd: Path) -> tuple[subprocess.Popen, dict]:
    process = subprocess.Popen([sys.executable, str(server), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=cwd)
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise RuntimeError(f"server did not start: {process.stderr.read()}")
    return process, json.loads(line)


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Ws:
    """One WebSocket: collects every message (numbers as Decimal); waits for the ones wanted."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.messages: list = []

    @classmethod
    async def connect(cls, http: aiohttp.ClientSession, url: str) -> "Ws":
        return cls(await http.ws_connect(url, autoping=True))

    async def send(self, payload) -> None:
        await self.ws.send_str(payload if isinstance(payload, str) else json.dumps(payload))

    async def wait(self, predicate, timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        for message in self.messages:
            if predicate(message):
                self.messages.remove(message)
                return message
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise asyncio.TimeoutError("no matching message")
            msg = await self.ws.receive(timeout=left)
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise ConnectionError(f"WebSocket closed: {msg.type}")
            message = json.loads(msg.data, parse_float=Decimal)
            if predicate(message):
                return message
            self.messages.append(message)

    async def drain(self, seconds: float = 0.2) -> list:
        """Everything that arrives within `seconds` (and what was kept)."""
        out, self.messages = list(self.messages), []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = await self.ws.receive(timeout=left)
            except asyncio.TimeoutError:
                break
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            out.append(json.loads(msg.data, parse_float=Decimal))
        return out

    async def close(self) -> None:
        await self.ws.close()


def sync(test):
    """Runs an async test body in its own event loop (no pytest asyncio plugin in the venv)."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))
    return run


def listening_ips(port: int) -> set[str]:
    """The local addresses a TCP port is in LISTEN on ("127.0.0.1", or "ipv6:<hex>")."""
    found = set()
    for name in ("tcp", "tcp6"):
        path = Path("/proc/net") / name
        if not path.exists():
            continue
        for row in path.read_text().splitlines()[1:]:
            fields = row.split()
            address, hex_port = fields[1].split(":")
            if fields[3] == "0A" and int(hex_port, 16) == port:
                found.add(".".join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0)) if len(address) == 8
                          else "ipv6:" + address)
    return found
