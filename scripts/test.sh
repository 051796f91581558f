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
# The local exchange-protocol servers' Python venv (PyPI), made once before the tests that start the servers run in
# parallel.
scripts/servers-venv.sh
# The local EVM node's venv (py-evm and the Uniswap deployment's packages, PyPI), made once before the EVM tests start
# nodes in parallel.
scripts/evm-venv.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# Unit, vector, ledger and engine tests first, in parallel; then the chain tests; then the end-to-end suites (real binaries in real
# terminals, a hundred SIGKILLs) on their own, so their screens are not timed against scrypt on two cores.
swift test --skip-build --skip EndToEndTests --skip DexterEVMTests --skip DexterDeskTests 2>&1 | tee "$log" || status=$?
# The shared desk's tests each start a PostgreSQL server of their own (Debian's, private socket, as nobody when run
# as root): one suite at a time, each bounded, so a server that never answers fails the run instead of hanging it.
for suite in DeskDatabaseURLTests SharedLedgerTests DeskKillSwitchTests DeskLimitTests DeskMembersTests DeskPlansTests DeskCapsTests; do
    timeout 600 swift test --skip-build --filter "DexterDeskTests.$suite" 2>&1 | tee -a "$log" || status=$?
done
# The chain tests each start a py-evm node and deploy Uniswap into it (seconds of Python each): on their own, so that
# load never starves the exchange tests' request timeouts.
swift test --skip-build --filter DexterEVMTests 2>&1 | tee -a "$log" || status=$?
swift test --skip-build --filter EndToEndTests 2>&1 | tee -a "$log" || status=$?
# The Python protocol servers the connector tests talk to (Tests/Servers, loopback only), checked on their own:
# documented behaviour, ccxt as an independent client, real wire captures. pytest's counts join the totals below.
servers_log=$(mktemp)
trap 'rm -f "$log" "$servers_log"' EXIT
scripts/test-servers.sh 2>&1 | tee "$servers_log" || status=$?
py_summary=$(sed 's/\x1b\[[0-9;]*m//g' "$servers_log" | grep -E '(passed|failed|error).* in [0-9.]+s' | tail -1 || true)
py_passed=$(echo "$py_summary" | grep -oE '[0-9]+ passed' | cut -d' ' -f1 || true)
# grep finds nothing when nothing failed; under pipefail that must not end the script.
py_failed=$(echo "$py_summary" | { grep -oE '[0-9]+ (failed|error)' || true; } | awk '{ sum += $1 } END { print sum + 0 }')
# One plain closing line with the counts, from Swift Testing's summaries.
total=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | sed -nE 's/.*Test run with ([0-9]+) tests?.*/\1/p' | awk '{ sum += $1 } END { print sum + 0 }')
failed=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E "^✘ Test .* failed after" | grep -cv "^✘ Test run with" || true)
total=$((total + ${py_passed:-0} + py_failed))
failed=$((failed + py_failed))
if [ "$total" -eq 0 ]; then
    echo "no test summary found" >&2
    exit 1
fi
if [ "$status" -ne 0 ] || [ "$failed" -gt 0 ]; then
    echo "tests: $((total - failed)) passed, $((failed > 0 ? failed : 1)) failed"
    exit 1
fi
echo "tests: $total passed, 0 failed"
