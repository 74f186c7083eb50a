#!/usr/bin/env bash
# bench/default.sh: the default run as a user runs it (issue 17; not a
# test).  At each size (BENCH_DEFAULT_SIZES, default "1e6 1e7") it times
# three runs of the built-in scenario, each into a fresh folder:
#   user      breakeven --samples N            (samples.csv, rank
#             sensitivity, the curve, every variant: what a user gets)
#   base      ... --no-variants                (the same without variants)
#   equal     ... --no-variants --sensitivity none --no-samples (the work
#             numpy does in bench/numpy_model.py: summary and curve)
# and reads from each manifest.json the whole run's wall time and its parts
# (wall_seconds, part_seconds: passes, sensitivity, sobol, variants,
# writing), beside
# /usr/bin/time's wall time and peak RSS of the process.  It writes
# bench/DEFAULT.md (date, commit, CPU, threads; the table; issue 17's
# targets with the figures that judge them) and prints it.
#
# Environment: BREAKEVEN_EXE (default build/sim/breakeven, built if
# missing), BENCH_DEFAULT_SIZES, BENCH_THREADS (default: all cores).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
exe=${BREAKEVEN_EXE:-$root/build/sim/breakeven}
[ -x "$exe" ] || "$root/scripts/build.sh" >/dev/null
sizes=${BENCH_DEFAULT_SIZES:-"1e6 1e7"}
threads=${BENCH_THREADS:-}
work=$(mktemp -d /tmp/breakeven-default-XXXXXX)
trap 'rm -rf "$work"' EXIT
log=$work/log
: > "$log"
for n in $sizes; do
    for kind in user base equal; do
        args=(--samples "$n" --quiet --out "$work/run")
        [ -n "$threads" ] && args+=(--threads "$threads")
        case $kind in
            base) args+=(--no-variants) ;;
            equal) args+=(--no-variants --sensitivity none --no-samples) ;;
        esac
        rm -rf "$work/run"
        /usr/bin/time -f "%e %M" -o "$work/time" "$exe" "${args[@]}"
        python3 - "$n" "$kind" "$work/time" "$work/run/manifest.json" \
            >> "$log" <<'EOF'
import json, sys
n, kind, tfile, mfile = sys.argv[1:5]
wall, rss = open(tfile).read().split()[-2:]
m = json.load(open(mfile))
p = m.get("part_seconds", {})
print(json.dumps({"n": float(n), "kind": kind, "process": float(wall),
                  "rss_mb": int(rss) / 1024, "wall": m["wall_seconds"],
                  "threads": m["threads"], "parts": p}))
EOF
    done
done
python3 - "$log" "$root" "$exe" <<'EOF' | tee "$root/bench/DEFAULT.md"
import json, subprocess, sys, datetime
log, root, exe = sys.argv[1:4]
rows = [json.loads(l) for l in open(log)]
commit = subprocess.run(["git", "-C", root, "log", "-1", "--format=%h %s"],
                        capture_output=True, text=True).stdout.strip()
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
            if l.startswith("model name")), "?")
print("# The default run as a user runs it\n")
print(f"`bench/default.sh` on {datetime.date.today()}, commit {commit[:80]}; "
      f"{cpu}, {rows[0]['threads']} threads. Seconds are wall time: the "
      "process's (`/usr/bin/time`) and the manifest's whole run "
      "(`wall_seconds`) with its parts (`part_seconds`).\n")
print("| samples | run | process s | manifest s | passes | sensitivity | "
      "variants | sobol | writing | peak RSS MB |")
print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for r in rows:
    p = r["parts"]
    print(f"| {r['n']:.0e} | {r['kind']} | {r['process']:.2f} | "
          f"{r['wall']:.2f} | {p.get('passes', 0):.2f} | "
          f"{p.get('sensitivity', 0):.2f} | "
          f"{p.get('variants', 0):.2f} | {p.get('sobol', 0):.2f} | "
          f"{p.get('writing', 0):.2f} | {r['rss_mb']:.0f} |")
print("\nIssue 17's targets read from this table:\n")
by = {(r["n"], r["kind"]): r for r in rows}
for n in sorted({r["n"] for r in rows}):
    u, b = by.get((n, "user")), by.get((n, "base"))
    if u and b:
        line = (f"- {n:.0e} samples: the user's run takes {u['process']:.2f} s, "
                f"{u['process'] / b['process']:.1f}x the base run's "
                f"{b['process']:.2f} s (target: within 3x")
        if n == 1e6:
            line += "; and under 3 s at 1e6"
        print(line + ").")
EOF
