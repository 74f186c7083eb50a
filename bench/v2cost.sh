#!/usr/bin/env bash
# bench/v2cost.sh: what MODEL.md version 2's columns cost (issue 17: "no
# more than their share of the values evaluated"; not a test).  Times the
# equal-work run (--no-variants --sensitivity none --no-samples) of the
# built-in scenario and of a copy without version 2's inputs (no power,
# carbon, water or `use` block, no variants: version 1's columns and
# multipliers), alternating them BENCH_V2_ROUNDS times (default 3) at
# BENCH_V2_SAMPLES (default 1e6), and prints each one's values per sample
# (summary outputs plus curve points, from its summary.csv and curve.csv),
# its best wall time, and nanoseconds per value: version 2's columns cost
# no more than their share when the full scenario's time per value is no
# higher than the copy's.  Writes bench/V2COST.md.
#
# Environment: BREAKEVEN_EXE (default build/sim/breakeven, built if
# missing), BENCH_V2_SAMPLES, BENCH_V2_ROUNDS, BENCH_THREADS.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
exe=${BREAKEVEN_EXE:-$root/build/sim/breakeven}
[ -x "$exe" ] || "$root/scripts/build.sh" >/dev/null
n=${BENCH_V2_SAMPLES:-1e6}
rounds=${BENCH_V2_ROUNDS:-3}
threads=${BENCH_THREADS:-}
work=$(mktemp -d /tmp/breakeven-v2cost-XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 - "$root/config/deepseek-v3-r1.json" "$work/v1.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("training_kw_per_gpu", "training_pue", "training_kgco2e_per_kwh",
          "inference_kgco2e_per_kwh", "training_l_per_kwh",
          "inference_l_per_kwh", "uses_per_day"):
    d["inputs"].pop(k, None)
for k in ("use", "variants"):
    d.pop(k, None)
d["name"] = "deepseek-v3-r1-version-1-columns"
json.dump(d, open(sys.argv[2], "w"), indent=1)
EOF
: > "$work/log"
for r in $(seq "$rounds"); do
    for kind in v2 v1; do
        args=(--samples "$n" --no-variants --sensitivity none --no-samples
              --quiet --out "$work/$kind")
        [ -n "$threads" ] && args+=(--threads "$threads")
        [ "$kind" = v1 ] && args=(--config "$work/v1.json" "${args[@]}")
        rm -rf "${work:?}/$kind"
        /usr/bin/time -f "$kind %e" -a -o "$work/log" "$exe" "${args[@]}"
    done
done
python3 - "$work" "$n" "$root" <<'EOF' | tee "$root/bench/V2COST.md"
import csv, datetime, subprocess, sys
work, n, root = sys.argv[1], float(sys.argv[2]), sys.argv[3]
best = {}
for line in open(f"{work}/log"):
    kind, t = line.split()
    best[kind] = min(best.get(kind, 1e300), float(t))
def values(kind):
    outs = sum(1 for _ in csv.DictReader(open(f"{work}/{kind}/summary.csv")))
    cur = sum(1 for _ in csv.DictReader(open(f"{work}/{kind}/curve.csv")))
    return outs, cur
commit = subprocess.run(["git", "-C", root, "log", "-1", "--format=%h"],
                        capture_output=True, text=True).stdout.strip()
print("# What version 2's columns cost\n")
print(f"`bench/v2cost.sh` on {datetime.date.today()}, commit {commit}: the "
      f"equal-work run (summary and curve) at {n:.0e} samples, best of the "
      "rounds, of the built-in scenario and of a copy without version 2's "
      "inputs.\n")
print("| scenario | summary outputs | curve points | values per sample | "
      "wall s | ns per value |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
ns = {}
for kind, name in (("v2", "deepseek-v3-r1 (version 2)"),
                   ("v1", "without version 2's inputs")):
    o, c = values(kind)
    ns[kind] = best[kind] / (n * (o + c)) * 1e9
    print(f"| {name} | {o} | {c} | {o + c} | {best[kind]:.2f} | "
          f"{ns[kind]:.2f} |")
r = ns["v2"] / ns["v1"]
print(f"\nVersion 2's columns cost {r:.2f}x the time per value of version "
      f"1's: {'within' if r <= 1.0 else 'above'} their share of the values "
      "evaluated (target: 1.00x or less).")
EOF
