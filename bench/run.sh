#!/usr/bin/env bash
# bench/run.sh: breakeven vs numpy vs the generator floor (not a test).
# Prints a table and writes bench/RESULTS.md.  BENCH_LARGE=1 adds 1e8
# samples (about 20 GB and minutes); BREAKEVEN_EXE picks another binary.
# breakeven and the floor are always rebuilt (Release, build-bench/) from
# the current sources, so the figures never come from a stale binary.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/deps.sh"
breakeven_install_debs python3-numpy time
cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_TESTING=OFF >/dev/null
cmake --build "$root/build-bench" --target breakeven bench_floor \
  -j"$(nproc)" >/dev/null
exe=${BREAKEVEN_EXE:-$root/build-bench/sim/breakeven}
BREAKEVEN_EXE=$exe FLOOR_EXE=$root/build-bench/bench/bench_floor \
  exec /usr/bin/python3 "$root/bench/bench.py"
