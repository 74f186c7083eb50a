#!/usr/bin/env bash
# Every test: install what is missing, then
#   1. the normal build (preset release: build/, Release, warnings as
#      errors) and the whole ctest suite, valgrind memcheck of breakeven
#      included;
#   2. the MPI build (preset mpi: build-mpi/, -DBREAKEVEN_MPI=ON, Debian's
#      Open MPI) and its test, tests/mpi/test_mpi.sh: 1, 2 and 3 ranks give
#      the files of build/'s breakeven byte for byte; faults;
#   3. the sanitizer build (preset asan: build-asan/, ASan + fatal UBSan,
#      Debug at -O1, warnings as errors) and the whole suite again, leak
#      checks on; tests labelled no_sanitizers (they cannot run under ASan
#      at all) are left out of this pass only;
#   4. libFuzzer on the scenario loader (tests/fuzz/run.sh, preset fuzz)
#      for BREAKEVEN_FUZZ_SECONDS seconds (default 60; 0 skips it).
# Extra arguments go to both ctest runs (scripts/test.sh -R test_dist);
# with extra arguments the fuzz step runs only if BREAKEVEN_FUZZ_SECONDS
# is set.  Any failure stops the script with a non-zero exit.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/deps.sh"
breakeven_install_debs "${BREAKEVEN_TEST_DEBS[@]}" "${BREAKEVEN_PY_DEBS[@]}"
start=$SECONDS
stamp() { echo "== $* ($((SECONDS - start)) s)"; }

# The builds are CMakePresets.json's presets (docs/building.md); cmake and
# ctest read them from the top folder.
cd "$root"

stamp "normal build: build/ (preset release)"
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)"
ctest --preset release "$@"

stamp "MPI build: build-mpi/ (preset mpi: Open MPI, Release)"
cmake --preset mpi >/dev/null
cmake --build --preset mpi -j"$(nproc)"
ctest --preset mpi

stamp "sanitizer build: build-asan/ (preset asan: ASan + UBSan, Debug -O1)"
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$(nproc)"
# Ours first; the caller's own options (if any) come after and win.
ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
    ctest --preset asan "$@"

if [ $# -gt 0 ] && [ -z "${BREAKEVEN_FUZZ_SECONDS+set}" ]; then
    stamp "fuzz: skipped (ctest arguments given; set BREAKEVEN_FUZZ_SECONDS to run it)"
else
    stamp "fuzz: scenario loader (build-fuzz/, clang, libFuzzer)"
    "$root/tests/fuzz/run.sh" "${BREAKEVEN_FUZZ_SECONDS:-60}"
fi
stamp "all passed"
