"""Fixtures: the local EVM node (scripts/evm-node.sh --bare: py-evm, loopback) and the WebSocket front before it, one
of each per test module. Not a conftest.py: every server's suite runs in one pytest process."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import requests

from serverkit.testing import start_server, stop_server

SERVER = Path(__file__).resolve().parents[1] / "server.py"
REPO = Path(__file__).resolve().parents[4]


class EVMNode:
    """scripts/evm-node.sh: stopped by closing its stdin (see the script)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([str(REPO / "scripts/evm-node.sh"), "--bare"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        if not line:
            self.process.kill()
            raise RuntimeError("the local EVM node did not start")
        self.url = json.loads(line)["rpcUrl"]
        self.next_id = 0

    def call(self, method: str, params: list | None = None):
        self.next_id += 1
        answer = requests.post(self.url, json={"jsonrpc": "2.0", "id": self.next_id, "method": method,
                                               "params": params or []}, timeout=30).json()
        assert "error" not in answer, answer
        return answer["result"]

    def mine(self) -> dict:
        self.call("evm_mine")
        return self.call("eth_getBlockByNumber", ["latest", False])

    def stop(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Front:
    def __init__(self, ports: dict) -> None:
        self.url, self.control_url, self.ports = ports["wsUrl"], ports["controlUrl"], ports

    def fault(self, **spec) -> None:
        assert requests.post(self.control_url + "/control/fault", json=spec, timeout=10).json() == {"ok": True}

    def state(self) -> dict:
        return requests.get(self.control_url + "/control/state", timeout=10).json()


@pytest.fixture(scope="module")
def evm_node():
    node = EVMNode()
    yield node
    node.stop()


@pytest.fixture(scope="module")
def evm_front(evm_node):
    process, ports = start_server(SERVER, ["--node-url", evm_node.url, "--poll-ms", "20"], REPO)
    yield Front(ports)
    stop_server(process)


@pytest.fixture
def fresh_front(evm_front):
    evm_front.fault(type="clear")
    return evm_front
