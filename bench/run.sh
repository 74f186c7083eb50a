#!/usr/bin/env bash
# bench/run.sh: breakeven vs numpy vs the generator floor (not a test).
# Prints a table and writes bench/RESULTS.md, issue 5's targets first
# (read, never asserted).  breakeven runs at 1e6, 1e7 and 1e8 samples
# (1e8 writes a 34 GB samples.csv, deleted once measured), numpy at 1e6 and
# 1e7 (1e8 would need about 20 GB).  BENCH_LARGE=1 adds one breakeven run
# of 1e9 samples (all cores, --no-samples: about 20 minutes on 2 cores, tens
# of MB) for the target "1e9 samples in under 1 GiB".  BREAKEVEN_EXE picks
# another binary; BENCH_SIZES, BENCH_NUMPY_SIZES, BENCH_TARGET_SAMPLES and
# BENCH_LARGE_SAMPLES shrink the runs for a quick try (see bench/bench.py),
# e.g. BENCH_SIZES="2e4 5e4" BENCH_TARGET_SAMPLES=5e4 bench/run.sh
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
