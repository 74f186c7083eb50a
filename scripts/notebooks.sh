#!/usr/bin/env bash
# Renders every notebook under notebooks/ headless against one run folder.
#
#   scripts/notebooks.sh [RUN_DIR]   # default runs/deepseek-v3-r1
#   scripts/notebooks.sh --docs      # regenerates docs/figures/multiplier_fan.png
#                                    # and docs/figures/models_forest.png (from
#                                    # a fresh 200,000-sample default run and
#                                    # library comparison, --library, in a
#                                    # temporary folder; each < 150 KB)
#
# Installs the missing Debian Python packages (scripts/deps_python.sh), then
# executes each notebook with `jupyter nbconvert --to notebook --execute`
# (Debian's /usr/bin/python3 and its python3 kernel). Figures (PNG and SVG),
# tables (CSV) and the executed copies of the notebooks go to RUN_DIR.figures/,
# beside the run folder and never in it (breakeven replaces a run folder only
# when it holds nothing but the files its manifest lists); the notebooks in
# notebooks/ are never written to.
#
# The default run is made if missing, with --sensitivity sobol (the drivers
# notebook draws sobol.csv), by $BREAKEVEN_EXE or else build/sim/breakeven
# (built if missing). The scenarios notebook compares the run with the
# variants it wrote (RUN_DIR/variants/NAME/, on common random numbers): no
# other run is made. A RUN_DIR made without --sensitivity sobol, or without
# variants, renders with those figures left out and a line saying why.
#
# Environment: BREAKEVEN_EXE (the breakeven binary), BREAKEVEN_RUNS (a
# colon-separated list of run folders for the scenarios notebook to compare
# instead of RUN_DIR and its variants), NOTEBOOK_TIMEOUT (seconds per cell,
# default 600).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3
DOCS_SAMPLES=200000
DOCS_FIGURE=docs/figures/multiplier_fan.png
DOCS_MODELS_FIGURE=docs/figures/models_forest.png
DOCS_MAX_BYTES=150000

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; }

docs=0
run_dir=
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --docs) docs=1 ;;
        -*) echo "notebooks.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) [ -z "$run_dir" ] || { echo "notebooks.sh: one RUN_DIR only" >&2; exit 2; }
           run_dir=$1 ;;
    esac
    shift
done

source "$root/scripts/deps_python.sh"

exe() {
    local e=${BREAKEVEN_EXE:-$root/build/sim/breakeven}
    if [ ! -x "$e" ]; then
        [ -n "${BREAKEVEN_EXE:-}" ] && { echo "notebooks.sh: BREAKEVEN_EXE=$e is not executable" >&2; exit 2; }
        source "$root/scripts/deps.sh"
        "$root/scripts/build.sh" >/dev/null
    fi
    echo "$e"
}

# render RUN_DIR NOTEBOOK...: executes each notebook into RUN_DIR.figures/
render() {
    local run=$1; shift
    local figs="$run.figures"
    if [ -f "$figs/manifest.json" ]; then
        echo "notebooks.sh: $figs holds a run of breakeven's, not figures; move it" >&2
        exit 2
    fi
    mkdir -p "$figs"
    local nb t0 t1
    for nb in "$@"; do
        t0=$(date +%s%N)
        echo "notebook $(basename "$nb") -> $figs/" >&2
        # The kernel inherits this environment: the run folder (and
        # BREAKEVEN_RUNS if set), the Agg backend, no .pyc in the source
        # tree, no debugger warnings.
        BREAKEVEN_RUN="$run" MPLBACKEND=Agg \
        PYTHONDONTWRITEBYTECODE=1 PYDEVD_DISABLE_FILE_VALIDATION=1 \
            "$PY" -m nbconvert --to notebook --execute \
            --ExecutePreprocessor.timeout="${NOTEBOOK_TIMEOUT:-600}" \
            --ExecutePreprocessor.kernel_name=python3 \
            --output-dir "$figs" --log-level=WARN "$nb"
        t1=$(date +%s%N)
        echo "  $(( (t1 - t0) / 1000000 )) ms" >&2
    done
}

if [ "$docs" = 1 ]; then
    # A fresh default run in a temporary folder, the multiplier notebook on
    # it, and its fan chart copied (palette-quantised to stay small).
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    e=$(exe)
    "$e" --out "$tmp/deepseek-v3-r1" --samples "$DOCS_SAMPLES" --quiet
    render "$tmp/deepseek-v3-r1" "$root/notebooks/multiplier.ipynb"
    "$e" --library --out "$tmp/library" --samples "$DOCS_SAMPLES" --quiet
    render "$tmp/library" "$root/notebooks/models.ipynb"
    mkdir -p "$root/docs/figures"
    for pair in "$tmp/deepseek-v3-r1.figures/multiplier_fan.png:$root/$DOCS_FIGURE" \
                "$tmp/library.figures/models_forest.png:$root/$DOCS_MODELS_FIGURE"; do
    "$PY" - "${pair%%:*}" "${pair#*:}" "$DOCS_MAX_BYTES" <<'EOF'
import os, sys
from PIL import Image
src, dst, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
img = Image.open(src).convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT,
                                              dither=Image.Dither.NONE)
img.save(dst, optimize=True)
size = os.path.getsize(dst)
print(f"{dst}: {img.size[0]}x{img.size[1]}, {size:,} bytes")
if size > limit:
    sys.exit(f"{dst} is {size:,} bytes, over the {limit:,} limit")
EOF
    done
    exit 0
fi

# The run folder: made if it is the default one and missing.
default_run="$root/runs/deepseek-v3-r1"
if [ -z "$run_dir" ]; then
    run_dir=$default_run
    if [ ! -f "$run_dir/manifest.json" ]; then
        echo "no run in $run_dir: making it (built-in default scenario, --sensitivity sobol)" >&2
        e=$(exe)
        (cd "$root" && "$e" --out "$run_dir" --sensitivity sobol --quiet)
    fi
fi
[ -d "$run_dir" ] && run_dir=$(cd "$run_dir" && pwd)
if [ ! -f "$run_dir/manifest.json" ]; then
    echo "notebooks.sh: $run_dir is not a run folder (no manifest.json); make one with" \
         "scripts/run.sh --out $run_dir" >&2
    exit 2
fi

render "$run_dir" "$root"/notebooks/*.ipynb
echo "figures: $run_dir.figures/" >&2
