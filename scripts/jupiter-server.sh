#!/usr/bin/env bash
# Starts the local Jupiter Swap API server used by the tests (Tests/Servers/jupiter) in front of a local Solana node
# (scripts/solana-node.sh): `--rpc-url <its rpcUrl> --node-control-url <its controlUrl>`; 127.0.0.1 only. Creates the
# Python venv .venv-servers/ on first use. Once listening (and its fee payer funded on the node) it prints one JSON
# line ({"rest","control","restUrl","controlUrl","authority"}). It exits when its parent process dies.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/servers-venv.sh" >&2
exec "$root/.venv-servers/bin/python" "$root/Tests/Servers/jupiter/server.py" "$@"
