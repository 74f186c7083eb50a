#!/usr/bin/env bash
# bench/ab.sh OLD NEW [ROUNDS]: an A/B of two breakeven binaries (not a
# test).  Runs, alternating OLD and NEW so that a machine's drift hits both
# alike, ROUNDS times (default 5): the default run as a user runs it
# (variants and rank sensitivity, --samples 1e6) and the base alone at
# 1e7 samples (--no-variants); both with --no-samples.  Prints each run's
# wall and CPU seconds (/usr/bin/time), then the minimum and median of
# each, NEW against OLD in percent; and whether the two wrote identical
# files (every file but manifest.json, whose times differ).
# Build OLD from an earlier commit, e.g.
#   git worktree add /tmp/old <commit> && cmake -S /tmp/old -B /tmp/old/b \
#     -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
#     && cmake --build /tmp/old/b --target breakeven
#   bench/ab.sh /tmp/old/b/sim/breakeven build/sim/breakeven
set -euo pipefail
old=$1 new=$2 rounds=${3:-5}
work=$(mktemp -d /tmp/breakeven-ab-XXXXXX)
trap 'rm -rf "$work"' EXIT
log=$work/times
run() {   # label exe out args...
    local label=$1 exe=$2 out=$3
    shift 3
    /usr/bin/time -f "$label %e %U %S" -a -o "$log" \
        "$exe" "$@" --no-samples --quiet --out "$work/$out"
}
for r in $(seq "$rounds"); do
    for side in old new; do
        exe=$old
        [ "$side" = new ] && exe=$new
        run "$side default" "$exe" "$side-default" --samples 1e6
        run "$side base" "$exe" "$side-base" --samples 1e7 --no-variants
    done
done
cat "$log"
python3 - "$log" <<'EOF'
import statistics, sys
t = {}
for line in open(sys.argv[1]):
    side, kind, wall, user, sys_ = line.split()
    t.setdefault((kind, side), []).append((float(wall), float(user) + float(sys_)))
for kind in ("default", "base"):
    for i, what in ((0, "wall"), (1, "cpu")):
        o = [x[i] for x in t[(kind, "old")]]
        n = [x[i] for x in t[(kind, "new")]]
        print(f"{kind:8s} {what:4s} min {min(o):7.2f} -> {min(n):7.2f} s "
              f"({100 * (min(n) / min(o) - 1):+.1f}%)  median "
              f"{statistics.median(o):7.2f} -> {statistics.median(n):7.2f} s "
              f"({100 * (statistics.median(n) / statistics.median(o) - 1):+.1f}%)")
EOF
for kind in default base; do
    if diff -r -x manifest.json "$work/old-$kind" "$work/new-$kind" >/dev/null
    then echo "$kind: identical files"
    else echo "$kind: FILES DIFFER"
    fi
done
