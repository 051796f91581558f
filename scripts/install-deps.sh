#!/usr/bin/env bash
# Installs the Debian packages dexter builds and tests with, if any is missing.
set -euo pipefail
# systemd: systemd-analyze and libseccomp2, which check packaging/dexter.service; prometheus: promtool, which checks
# /metrics; postgresql: the shared desk's tests start their own server on a private socket.
packages=(libncursesw5-dev libsqlite3-dev sqlite3 libssl-dev libsecp256k1-dev tmux openssl zlib1g-dev systemd prometheus postgresql)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
