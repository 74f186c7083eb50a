#!/usr/bin/env bash
# Installs the Debian 12 packages breakeven needs, if any is missing.
# Sourced by run.sh and test.sh; safe to run again (it checks first).
set -euo pipefail

BREAKEVEN_DEBS=(cmake make gcc libc6-dev pkg-config
                libgsl-dev libcjson-dev libcmocka-dev librandom123-dev)

breakeven_install_debs() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing: ${missing[*]}" >&2
    local sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    # A fresh machine may have no package lists yet: update only if needed.
    "${sudo[@]}" apt-get install -y -q "${missing[@]}" >/dev/null ||
        { "${sudo[@]}" apt-get update -q >/dev/null &&
          "${sudo[@]}" apt-get install -y -q "${missing[@]}" >/dev/null; }
}

breakeven_install_debs "${BREAKEVEN_DEBS[@]}"
