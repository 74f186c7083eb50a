#!/usr/bin/env bash
# The MPI test (ctest: `mpi`, in a -DBREAKEVEN_MPI=ON build):
#   tests/mpi/test_mpi.sh MPI_BREAKEVEN [PLAIN_BREAKEVEN]
# 1. Every CSV file of a run (samples, summary, curve, sensitivity,
#    sobol, variants and the variants' own files) is byte for byte the
#    same at P = 1, 2 and 3 ranks (at 1 and 2 threads a rank), as the MPI
#    binary started alone (one process), and as the default build's
#    (PLAIN_BREAKEVEN, when given: scripts/test.sh passes build/'s).
#    Again at 300,001 samples for random, LHS and Sobol' sampling, which
#    takes the quantiles through a second pass of kept values.  And a
#    comparison of the library's scenarios (--library): its folders and
#    comparison.csv.
# 2. A bad scenario is reported once (by rank 0), exit 3.
# 3. A rank killed while sampling ends the run: no run folder, no
#    temporary folder left, a message from rank 0 (SIGTERM from mpirun).
# 4. A write that fails on every rank (LD_PRELOAD fault library, as in
#    test_faults), or on rank 1 alone (its own environment: mpirun's
#    colon syntax), fails the run once, exit 4, nothing left behind.
# mpirun runs with --oversubscribe (3 ranks on 2 cores) and, as root,
# --allow-run-as-root.
set -euo pipefail
exe=${1:?usage: test_mpi.sh MPI_BREAKEVEN [PLAIN_BREAKEVEN] [FAULT_LIB]}
plain=${2:-}
fault_lib=${3:-}
mpirun=(mpirun --oversubscribe)
[ "$(id -u)" -eq 0 ] && mpirun+=(--allow-run-as-root)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
passed=0
failed=0
ok()   { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# the CSV files of run folder $1, relative, sorted
csvs() { (cd "$1" && find . -name '*.csv' | sort); }
same_files() {    # same_files REF DIR WHAT
    local ref=$1 dir=$2 what=$3 n=0 bad=0
    if [ "$(csvs "$ref")" != "$(csvs "$dir")" ]; then
        fail "$what: not the same files: $(csvs "$dir" | tr '\n' ' ')"
        return
    fi
    for f in $(csvs "$ref"); do
        n=$((n + 1))
        cmp -s "$ref/$f" "$dir/$f" || { bad=1; echo "  differs: $f"; }
    done
    if [ $bad -eq 0 ]; then ok "$what: $n files identical"; else fail "$what"; fi
}

# 1. identical files
args=(--samples 30001 --sensitivity sobol --quiet)
"$exe" "${args[@]}" --out alone
[ -n "$plain" ] && { "$plain" "${args[@]}" --out plain; same_files plain alone "MPI binary alone vs default build"; }
for p in 1 2 3; do
    for t in 1 2; do
        "${mpirun[@]}" -n $p "$exe" "${args[@]}" --threads $t --out "p$p-t$t"
        same_files alone "p$p-t$t" "P=$p, $t thread(s) a rank"
    done
done
[ -f p3-t2/variants/v3-only/summary.csv ] && [ -f p3-t2/sobol.csv ] &&
    [ "$(wc -l < p3-t2/samples.csv)" -eq 30002 ] &&
    ok "P=3 wrote samples.csv (30,001 rows), sobol.csv and the variants" ||
    fail "P=3's files"
ls p3-t2 | grep -q part && fail "parts of samples.csv left" || ok "no parts left"
for d in random lhs sobol; do
    big=(--samples 300001 --sampling "$d" --no-samples --no-variants --quiet)
    "$exe" "${big[@]}" --out "big-$d-1"
    "${mpirun[@]}" -n 3 "$exe" "${big[@]}" --threads 1 --out "big-$d-3"
    same_files "big-$d-1" "big-$d-3" "$d sampling, 300,001 samples, P=3"
done

# the traffic between ranks does not grow with the samples: 10x the
# samples, within 1% of the bytes (manifest.json's "mpi")
traffic() { sed -n 's/.*"max_bytes_sent_per_rank": \([0-9]*\).*/\1/p' "$1/manifest.json"; }
small=$(traffic big-random-3)
"${mpirun[@]}" -n 3 "$exe" --samples 30001 --no-samples --no-variants \
    --threads 1 --quiet --out small-3
tenth=$(traffic small-3)
if [ -n "$small" ] && [ -n "$tenth" ] &&
   [ $((small * 100)) -le $((tenth * 101)) ]; then
    ok "traffic per rank: $tenth bytes at 30,001 samples, $small at 300,001"
else
    fail "traffic per rank: '$tenth' at 30,001 samples, '$small' at 300,001"
fi

# a comparison (issue 16): every scenario's folder and comparison.csv the
# same at 3 ranks as the one-process run
lib=(--library --samples 5001 --quiet)
"$exe" "${lib[@]}" --out lib-1
"${mpirun[@]}" -n 3 "$exe" "${lib[@]}" --threads 1 --out lib-3
same_files lib-1 lib-3 "--library comparison, P=3"

# 2. a bad scenario, once
printf '{"name": "x", "seed": 1, "samples": 10, "inputs": {}}\n' > bad.json
set +e
"${mpirun[@]}" -n 3 "$exe" --config bad.json --out nope >out.txt 2>err.txt
rc=$?
set -e
n=$(grep -c '^breakeven: bad.json: ' err.txt || true)
if [ $rc -eq 3 ] && [ "$n" -eq 1 ] && [ ! -e nope ]; then
    ok "bad scenario: exit 3, reported once ($(grep '^breakeven:' err.txt | head -c 100))"
else
    fail "bad scenario: exit $rc, reported $n times"; cat err.txt
fi

# 3. a rank killed while sampling
set +e
"${mpirun[@]}" -n 2 "$exe" --samples 3e7 --threads 1 --out killed \
    >kill.out 2>kill.err &
job=$!
set -e
victim=
for _ in $(seq 1 100); do          # until rank 1 has begun
    for pid in $(pgrep -x breakeven || true); do
        r=$({ tr '\0' '\n' < "/proc/$pid/environ"; } 2>/dev/null |
            sed -n 's/^OMPI_COMM_WORLD_RANK=//p' || true)
        [ "$r" = 1 ] && victim=$pid
    done
    [ -n "$victim" ] && ls -a | grep -q '^\.killed\.' && break
    sleep 0.1
done
sleep 1
start=$SECONDS
[ -n "$victim" ] && kill -9 "$victim"
set +e
wait $job
rc=$?
set -e
left=$(ls -a | grep -c '^killed$\|^\.killed\.' || true)
if [ -n "$victim" ] && [ $rc -ne 0 ] && [ "$left" -eq 0 ] &&
   grep -q '^breakeven: interrupted by SIGTERM; no results written' kill.err; then
    ok "rank 1 killed: exit $rc after $((SECONDS - start)) s, nothing left, rank 0 says so"
else
    fail "rank killed: victim '$victim', exit $rc, $left entries left"; cat kill.err
fi

# 4. every rank's writes fail
if [ -n "$fault_lib" ]; then
    set +e
    "${mpirun[@]}" -n 2 -x LD_PRELOAD="$fault_lib" -x FAULT_AFTER_BYTES=100000 \
        "$exe" --samples 30001 --threads 1 --out full >full.out 2>full.err
    rc=$?
    set -e
    n=$(grep -c '^breakeven: .*cannot write: No space left on device' full.err || true)
    left=$(ls -a | grep -c '^full$\|^\.full\.' || true)
    if [ $rc -eq 4 ] && [ "$n" -eq 1 ] && [ "$left" -eq 0 ]; then
        ok "full disk on every rank: exit 4, reported once, nothing left"
    else
        fail "full disk: exit $rc, reported $n times, $left left"; cat full.err
    fi
fi

if [ -n "$fault_lib" ]; then
    one=(--samples 30001 --threads 1 --out one)
    set +e
    "${mpirun[@]}" -n 1 "$exe" "${one[@]}" : -n 1 -x LD_PRELOAD="$fault_lib" \
        -x FAULT_AFTER_BYTES=100000 "$exe" "${one[@]}" >one.out 2>one.err
    rc=$?
    set -e
    n=$(grep -c '^breakeven: rank 1: one/samples.csv.part1: cannot write: No space left on device; no results written' one.err || true)
    left=$(ls -a | grep -c '^one$\|^\.one\.' || true)
    if [ $rc -eq 4 ] && [ "$n" -eq 1 ] && [ "$left" -eq 0 ]; then
        ok "full disk on rank 1 alone: exit 4, rank 1's message once, nothing left"
    else
        fail "full disk on rank 1: exit $rc, reported $n times, $left left"; cat one.err
    fi
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
