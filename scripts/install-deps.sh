#!/usr/bin/env bash
# Installs the system packages Nightjar needs, only those missing; silent when all are present.
set -euo pipefail

packages=(pkg-config libncurses-dev libsqlite3-dev tmux procps prometheus libonnx-testdata postgresql wrk curl)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "missing system packages: ${missing[*]} — run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
