#!/usr/bin/env bash
# Installs what dexter needs, builds it, and starts it on the embedded simulated market (or config.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product dexter
exec .build/release/dexter "$@"
