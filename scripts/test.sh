#!/usr/bin/env bash
# The whole test suite: unit, vector, ledger, engine, golden-screen and end-to-end tests (the real binary in tmux).
# Nothing here needs the network; tmux servers the tests start are their own and stopped by them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
# The end-to-end tests drive the built binary, so build it along with the tests.
swift build --product dexter -j "$jobs"
swift build --build-tests -j "$jobs"
swift test --skip-build
