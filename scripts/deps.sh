#!/usr/bin/env bash
# Installs the Debian 12 packages breakeven needs, if any is missing.
# Sourced by run.sh and test.sh (which also installs BREAKEVEN_TEST_DEBS);
# run directly, it installs both lists.  Safe to run again (it checks first).
set -euo pipefail

BREAKEVEN_DEBS=(cmake make gcc libc6-dev pkg-config
                libgsl-dev libcjson-dev libcmocka-dev librandom123-dev)
# What scripts/test.sh needs beyond the build: valgrind, and clang with
# libFuzzer and the sanitizer runtimes (libclang-rt-14-dev) for
# tests/fuzz/run.sh; llvm-14 has llvm-symbolizer for readable stacks.
# Open MPI for the MPI build's test (scripts/test.sh, step 2).
BREAKEVEN_TEST_DEBS=(valgrind clang-14 libclang-rt-14-dev llvm-14
                     libopenmpi-dev openmpi-bin)
# The notebooks (scripts/notebooks.sh and the notebooks test); Debian's
# Python, since no other Python registry is reachable.
BREAKEVEN_PY_DEBS=(python3 python3-numpy python3-pandas python3-matplotlib
                   python3-pil python3-nbformat python3-nbclient
                   python3-ipykernel jupyter-nbconvert fonts-dejavu-core)

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
    # A fresh machine may have no package lists yet: update only if needed.
    local install=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive
                   apt-get install -y -q --no-install-recommends "${missing[@]}")
    "${install[@]}" >/dev/null ||
        { "${sudo[@]}" apt-get update -q >/dev/null && "${install[@]}" >/dev/null; }
}

breakeven_install_debs "${BREAKEVEN_DEBS[@]}"
# Run directly (scripts/deps.sh), not sourced: the test tools too.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    breakeven_install_debs "${BREAKEVEN_TEST_DEBS[@]}" "${BREAKEVEN_PY_DEBS[@]}"
fi
