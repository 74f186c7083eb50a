#!/usr/bin/env bash
# bench/run.sh: breakeven vs numpy vs the generator floor (not a test).
# Prints a table and writes bench/RESULTS.md.  BENCH_LARGE=1 adds 1e8
# samples (about 20 GB and minutes); BREAKEVEN_EXE picks the binary.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
exe=${BREAKEVEN_EXE:-$root/build/sim/breakeven}
if [ ! -x "$exe" ]; then
  "$root/scripts/build.sh"
fi
/usr/bin/python3 -c 'import numpy' 2>/dev/null ||
  apt-get install -y python3-numpy || { apt-get update && apt-get install -y python3-numpy; }
[ -x /usr/bin/time ] || apt-get install -y time
cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_TESTING=OFF >/dev/null
cmake --build "$root/build-bench" --target bench_floor -j"$(nproc)" >/dev/null
BREAKEVEN_EXE=$exe FLOOR_EXE=$root/build-bench/bench/bench_floor \
  exec /usr/bin/python3 "$root/bench/bench.py"
