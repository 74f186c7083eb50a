#!/usr/bin/env bash
# Fuzzes the scenario loader (mc_cfg_load_string) with libFuzzer for a
# bounded time.  Usage: tests/fuzz/run.sh [SECONDS]   (default 60; 0 = skip)
#
# Builds build-fuzz/ with clang (CMakePresets.json's preset fuzz,
# BREAKEVEN_FUZZ=ON: -fsanitize=fuzzer,address,undefined), seeds a corpus
# from the scenario files of the tree (config/*.json, tests/checks,
# tests/scenarios, tests/bad if present, and the saved reproducers
# tests/fuzz/crashes/*), runs with -max_len=65536 and the dictionary
# tests/fuzz/scenario.dict, and exits non-zero on a crash,
# leak, timeout or sanitizer report (the input is left in
# build-fuzz/fuzz/artifacts/).  The corpus the fuzzer grows is kept in
# build-fuzz/fuzz/corpus/ across runs.  Prints the executions at the end.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
secs=${1:-60}
case $secs in ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2;; esac
if [ "$secs" -eq 0 ]; then
    echo "fuzz: skipped (0 seconds)"
    exit 0
fi

source "$root/scripts/deps.sh"
breakeven_install_debs "${BREAKEVEN_TEST_DEBS[@]}"   # clang-14, libFuzzer
bdir=$root/build-fuzz
# CMakePresets.json's preset fuzz: clang-14, BREAKEVEN_FUZZ=ON, Debug at
# -O1 (asserts stay on, sanitizer stacks stay readable); a machine with
# only `clang` gets that instead.  cmake reads the presets from the top.
cc=()
command -v clang-14 >/dev/null || cc=(-DCMAKE_C_COMPILER="$(command -v clang)")
cd "$root"
cmake --preset fuzz "${cc[@]}" >/dev/null
cmake --build --preset fuzz -j"$(nproc)" >/dev/null
fuzzer=$bdir/tests/fuzz/fuzz_scenario

work=$bdir/fuzz
rm -rf "$work/seeds"
mkdir -p "$work/seeds" "$work/corpus" "$work/artifacts"
shopt -s nullglob
seeds=("$root"/config/*.json "$root"/tests/checks/*.json
       "$root"/tests/scenarios/*.json "$root"/tests/bad/*.json
       "$root"/tests/fuzz/crashes/*)
shopt -u nullglob
i=0
for f in "${seeds[@]}"; do     # copies at run time: the tree is the source
    i=$((i + 1))
    cp "$f" "$work/seeds/$i-$(basename "$f")"
done

log=$work/last.log
echo "fuzz: $secs s, ${#seeds[@]} seed files, log $log"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}
sym=/usr/lib/llvm-14/bin/llvm-symbolizer      # stacks with file:line
[ -x "$sym" ] && export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$sym}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
rc=0
"$fuzzer" -max_len=65536 -dict="$root/tests/fuzz/scenario.dict" \
    -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
    "$work/corpus" "$work/seeds" >"$log" 2>&1 || rc=$?

runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
time_s=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
ncorpus=$(find "$work/corpus" -type f | wc -l)
if [ "$rc" -ne 0 ]; then
    # the report: from the sanitizer's or libFuzzer's first line on
    grep -n -m1 -E '^==[0-9]+==|runtime error|^fuzz_scenario:|ERROR: libFuzzer' "$log" \
        | cut -d: -f1 | { read -r n && tail -n +"$n" "$log" | head -60; } >&2 || tail -40 "$log" >&2
    art=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
    echo "fuzz: FAILED (exit $rc) after ${runs:-?} executions; input saved as" \
         "${art:-?} (replay: $fuzzer FILE); full log $log" >&2
    exit 1
fi
echo "fuzz: ${runs:-?} executions in ${time_s:-$secs} s, no crash, leak or sanitizer report (corpus $ncorpus inputs)"
