#!/usr/bin/env bash
# Creates or refreshes .venv-evm/ for the local EVM node of ../shared/evm (py-evm behind JSON-RPC) and its Uniswap
# deployment: the node's and the deploy's packages from PyPI, and web3-ethereum-defi WITHOUT its dependencies (only its
# contract files are read, never imported: ../shared/evm/uniswap/README.md). Quiet and quick when up to date.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${DEXTER_SHARED:-$root/../shared}"
evm="$shared/evm"
if [ ! -d "$evm" ]; then
    echo "evm-venv.sh: $evm not found: the local EVM node lives in the shared folder (set DEXTER_SHARED to where it is)" >&2
    exit 1
fi
venv="$root/.venv-evm"
requirements=("$evm/requirements-node.txt" "$evm/requirements-tools.txt")
contracts="$evm/uniswap/requirements-contracts.txt"
stamp="$venv/.requirements.sha256"
# Several tests may start nodes at once: one makes the venv, the others wait for it.
exec 9>"$root/.venv-evm.lock"
flock 9
python="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
    echo '*' > "$venv/.gitignore"
fi
want="$(cat "${requirements[@]}" "$contracts" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    pip=("$venv/bin/pip" install --quiet --disable-pip-version-check)
    "${pip[@]}" -r "${requirements[0]}" -r "${requirements[1]}"
    "${pip[@]}" --no-deps -r "$contracts"
    echo "$want" > "$stamp"
fi
