#!/usr/bin/env bash
# Starts the local EVM node of ../shared/evm (eth-tester + py-evm behind JSON-RPC over HTTP, 127.0.0.1 only) with the
# Uniswap deployment of ../shared/evm/uniswap (V3 from the canonical mainnet bytecode, V2 venues, test tokens, pools
# and positions at deterministic addresses). Once it answers it prints ONE JSON line on stdout:
#   {"rpcUrl":"http://127.0.0.1:PORT","deployments":"/tmp/…/deployments.json","chainId":31337}
# and stays until SIGTERM / SIGINT (or until its parent dies), then stops the node it started, by that node's pid.
#   usage: scripts/evm-node.sh [--chain-id N] [--bare]      (--bare: the node alone, no deployment, no deployments)
# Python comes from .venv-evm (scripts/evm-venv.sh, made on first use). ../shared is found beside the repository, or
# at $DEXTER_SHARED.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${DEXTER_SHARED:-$root/../shared}"
chain_id=31337
bare=0
while [ $# -gt 0 ]; do
    case "$1" in
        --chain-id) chain_id="$2"; shift 2 ;;
        --bare) bare=1; shift ;;
        *) echo "usage: scripts/evm-node.sh [--chain-id N] [--bare]" >&2; exit 2 ;;
    esac
done
if [ ! -d "$shared/evm/uniswap" ]; then
    echo "evm-node.sh: $shared/evm/uniswap not found: the local EVM node lives in the shared folder (set DEXTER_SHARED)" >&2
    exit 1
fi
"$root/scripts/evm-venv.sh" >&2
export PYTHON="$root/.venv-evm/bin/python" CHAIN_ID="$chain_id" PORT=0
run="$(mktemp -d -t dexter-evm.XXXXXX)"
parent=$PPID
stop() {
    "$shared/evm/stop_node.sh" "$run" >/dev/null 2>&1 || true
    rm -rf "$run"
}
trap 'stop; exit 0' TERM INT HUP
trap stop EXIT
if [ "$bare" = 1 ]; then
    environment="$("$shared/evm/start_node.sh" "$run")"
else
    environment="$("$shared/evm/uniswap/start_uniswap_node.sh" "$run")"
fi
eval "$environment"
deployments=""
[ "$bare" = 1 ] || deployments="$UNISWAP_DEPLOYMENTS"
printf '{"rpcUrl":"%s","deployments":"%s","chainId":%s}\n' "$EVM_RPC_URL" "$deployments" "$chain_id"
# Stay while the node runs and whoever started us lives (a test killed outright must not leave a node behind).
while kill -0 "$(cat "$run/node.pid" 2>/dev/null || echo 0)" 2>/dev/null && kill -0 "$parent" 2>/dev/null; do
    sleep 0.5 &
    wait $! || true
done
