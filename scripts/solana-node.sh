#!/usr/bin/env bash
# Starts the local Solana node used by the tests (Tests/Servers/solana): LiteSVM (solders) behind the documented
# JSON-RPC over HTTP and the PubSub WebSocket, with its control port; 127.0.0.1 only. Creates the Python venv
# .venv-servers/ on first use (Tests/Servers/requirements.txt). Once listening it prints one JSON line with its ports
# on stdout ({"rpc","ws","control","rpcUrl","wsUrl","controlUrl"}). It exits when its parent process dies. All
# arguments go to the server (--slot-ms 0: slots move only on POST /control/advance): see `--help`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/servers-venv.sh" >&2
exec "$root/.venv-servers/bin/python" "$root/Tests/Servers/solana/server.py" "$@"
