#!/usr/bin/env bash
# Starts the WebSocket front of the local EVM node used by the tests (Tests/Servers/evm_ws): eth_subscribe("newHeads")
# as geth documents it, fed by polling the node at --node-url, with faults through its control port; 127.0.0.1 only.
# Creates the Python venv .venv-servers/ on first use (Tests/Servers/requirements.txt). Once listening it prints one
# JSON line with its ports on stdout. All arguments go to the server: see `scripts/evm-ws-server.sh --help`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/servers-venv.sh" >&2
exec "$root/.venv-servers/bin/python" "$root/Tests/Servers/evm_ws/server.py" "$@"
