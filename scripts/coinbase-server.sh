#!/usr/bin/env bash
# Starts the local Coinbase Advanced Trade protocol server used by the tests (Tests/Servers/coinbase), on 127.0.0.1 only.
# Creates the Python venv .venv-servers/ at the repository root on first use (packages from PyPI, pinned in
# Tests/Servers/requirements.txt). Once listening it prints one JSON line with the chosen ports on stdout; --*-port 0
# (the default) picks free ports. All arguments go to the server: see `scripts/coinbase-server.sh --help`.
# The market it serves is the Coinbase capture in ../shared (or $DEXTER_SHARED), read at start, never copied.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/servers-venv.sh" >&2
exec "$root/.venv-servers/bin/python" "$root/Tests/Servers/coinbase/server.py" "$@"
