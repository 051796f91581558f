#!/usr/bin/env bash
# Starts the local 0x Swap API v2 server used by the tests (Tests/Servers/zeroex), on 127.0.0.1 only.
# Creates the Python venv .venv-servers/ at the repository root on first use (scripts/servers-venv.sh). Once listening
# it prints one JSON line with the chosen ports on stdout; --port 0 and --control-port 0 (the defaults) pick free ports.
# All arguments go to the server: see `scripts/zeroex-server.sh --help`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/servers-venv.sh" >&2
exec "$root/.venv-servers/bin/python" "$root/Tests/Servers/zeroex/server.py" "$@"
