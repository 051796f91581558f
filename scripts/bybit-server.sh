#!/usr/bin/env bash
# Starts the local Bybit v5 (linear USDT perpetuals) protocol server used by the tests (Tests/Servers/bybit), on
# 127.0.0.1 only. Creates the Python venv .venv-servers/ at the repository root on first use (packages from PyPI,
# pinned in Tests/Servers/requirements.txt). Once listening it prints one JSON line with the chosen ports on stdout
# (restUrl, publicWsUrl, privateWsUrl, controlUrl); --*-port 0 (the default) picks free ports. All arguments go to
# the server: see `scripts/bybit-server.sh --help`. Its market is the capture in ../shared (or $DEXTER_SHARED), never
# copied.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/servers-venv.sh" >&2
exec "$root/.venv-servers/bin/python" "$root/Tests/Servers/bybit/server.py" "$@"
