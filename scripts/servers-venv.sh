#!/usr/bin/env bash
# Creates or refreshes .venv-servers/ (Python 3.11) from Tests/Servers/requirements.txt. Quiet when up to date.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv-servers"
requirements="$root/Tests/Servers/requirements.txt"
stamp="$venv/.requirements.sha256"
# Several tests may start servers at once: one makes the venv, the others wait for it.
exec 9>"$root/.venv-servers.lock"
flock 9
python="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    echo "$want" > "$stamp"
fi
