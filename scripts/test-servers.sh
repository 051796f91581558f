#!/usr/bin/env bash
# The Python test servers' own tests (Tests/Servers/*/tests): each server is checked against the exchange's documented
# protocol, ccxt as an independent client (offline: only the local server), and the real wire captures in ../shared;
# the Solana node and the Jupiter server (solana/, jupiter/) with solders as the client. The suites are pytest.ini's
# testpaths.
# Loopback only; every server a test starts is stopped by it. Closes with pytest's summary line.
# Arguments go to pytest, relative to Tests/Servers (e.g. `scripts/test-servers.sh -x binance/tests/test_ccxt.py`).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/servers-venv.sh"
cd "$root/Tests/Servers"
exec "$root/.venv-servers/bin/python" -m pytest -q "$@"
