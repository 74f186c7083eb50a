#!/usr/bin/env bash
# The notebooks test (ctest: `notebooks`):
#   notebooks/test_notebooks.sh PATH/TO/breakeven
# 1. the committed notebooks under notebooks/ (in the source tree) are
#    nbformat 4 with a Python 3 kernel, and have no outputs and no execution
#    counts;
# 2. a run folder lacking a column, or sobol.csv, gives the clear error;
# 3. a small fresh run (the default scenario with its five variants and
#    --sensitivity sobol, $TEST_SAMPLES samples, default 20000) in a
#    temporary folder, every notebook executed against it by
#    scripts/notebooks.sh; fails if a cell raises, an expected figure (PNG
#    and SVG) is missing or empty, or the scenarios table lacks a variant;
#    models.ipynb, on this plain run folder, must say it is not a
#    comparison folder and draw nothing;
# 4. a small comparison folder (`breakeven --library`: the four model
#    scenarios, $TEST_SAMPLES samples each) with models.ipynb executed
#    against it: its figures written, the assumed-usage scenarios labelled
#    as such, and a comparison.csv lacking a column named in the error.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
exe=${1:?usage: test_notebooks.sh PATH/TO/breakeven}
exe=$(cd "$(dirname "$exe")" && pwd)/$(basename "$exe")
samples=${TEST_SAMPLES:-20000}
PY=/usr/bin/python3
passed=0
failed=0
ok()   { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
t_start=$(date +%s)

source "$root/scripts/deps_python.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PYTHONDONTWRITEBYTECODE=1

# 1. committed notebooks: clean
if "$PY" - "$here" <<'EOF'; then ok "committed notebooks have no outputs"; else fail "committed notebooks"; fi
import json, sys
from pathlib import Path
import nbformat
here = Path(sys.argv[1])
sys.path.insert(0, str(here))
import breakeven_plots as bp
bad = []
names = sorted(p.stem for p in here.glob("*.ipynb"))
for want in bp.expected_figures():
    if want not in names:
        bad.append(f"notebooks/{want}.ipynb is missing")
for p in sorted(here.glob("*.ipynb")):
    nb = nbformat.read(p, as_version=nbformat.NO_CONVERT)
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as e:
        bad.append(f"{p.name}: not valid nbformat: {e.message}")
    if nb.nbformat != 4:
        bad.append(f"{p.name}: nbformat {nb.nbformat}, expected 4")
    ks = nb.metadata.get("kernelspec", {})
    if ks.get("language") != "python" or ks.get("name") != "python3":
        bad.append(f"{p.name}: kernelspec {ks}, expected python3")
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code":
            continue
        if c.get("outputs"):
            bad.append(f"{p.name}: cell {i} has {len(c.outputs)} output(s)")
        if c.get("execution_count") is not None:
            bad.append(f"{p.name}: cell {i} has execution_count {c.execution_count}")
for b in bad:
    print("  " + b)
print(f"  {len(names)} notebooks checked: {names}")
sys.exit(1 if bad else 0)
EOF

# 2. the clear messages for a missing column and a missing sobol.csv
mkdir -p "$tmp/bad"
"$exe" --out "$tmp/bad" --samples 100 --quiet
"$PY" - "$tmp/bad/samples.csv" <<'EOF'
import sys
import pandas as pd
p = sys.argv[1]
pd.read_csv(p).drop(columns=["break_even_days_energy_final_run"]).to_csv(p, index=False)
EOF
# expect_error WHAT RUN_DIR PATTERN STATEMENT: STATEMENT (Python, with
# `run` the run folder) raises RunFolderError with a message matching PATTERN
expect_error() {
    local what=$1 run=$2 pattern=$3 statement=$4 out
    if out=$(BREAKEVEN_RUN="$run" "$PY" - "$here" "$statement" 2>&1 <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import breakeven_plots as bp
run = bp.load_run()
try:
    exec(sys.argv[2])
except bp.RunFolderError as e:
    print(e)
    sys.exit(0)
sys.exit("no error")
EOF
    ) && grep -q -- "$pattern" <<<"$out"; then
        ok "$what: clear message"
    else
        fail "$what message: $out"
    fi
}
expect_error "missing column" "$tmp/bad" \
    "lacks the column(s) \['break_even_days_energy_final_run'\]" \
    'run.read_samples(["break_even_days", "break_even_days_energy_final_run"])'
# a run without sobol.csv: the message names the option that writes it
expect_error "missing sobol.csv" "$tmp/bad" \
    "sobol.csv is missing.*--sensitivity sobol --out $tmp/bad" 'run.read_sobol()'
# a plain run folder is not a comparison folder (models.ipynb)
expect_error "not a comparison folder" "$tmp/bad" \
    "is the run folder of the single scenario.*not a comparison folder.*breakeven --library" \
    'bp.load_comparison()'

# 3. a fresh run, every notebook executed
before=$(cd "$here" && sha256sum ./*.ipynb ./*.py)
"$exe" --out "$tmp/runs/deepseek-v3-r1" --samples "$samples" --sensitivity sobol --quiet
if BREAKEVEN_EXE="$exe" "$root/scripts/notebooks.sh" "$tmp/runs/deepseek-v3-r1" \
        >"$tmp/render.log" 2>&1; then
    ok "scripts/notebooks.sh executed every notebook"
else
    fail "scripts/notebooks.sh (a cell raised?):"
    tail -n 60 "$tmp/render.log"
fi
grep -E '^(no run|notebook|  [0-9]+ ms)' "$tmp/render.log" | sed 's/^/  /' || true

if "$PY" - "$here" "$tmp/runs" "$samples" <<'EOF'; then ok "every expected figure, PNG and SVG, written and not empty"; else fail "figures"; fi
import sys
from pathlib import Path
import pandas as pd
here, runs, samples = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
sys.path.insert(0, str(here))
import breakeven_plots as bp
figs = runs / "deepseek-v3-r1.figures"
bad = []
run = bp.Run(runs / "deepseek-v3-r1")
if run.samples != samples:
    bad.append(f"run: {run.samples} samples, expected {samples}")
# the scenarios table compares the base with every variant the run wrote
variants = list(dict.fromkeys(run.read_variants()["variant"]))
want = [run.scenario] + [f"{run.scenario}/{v}" for v in variants]
table = figs / "scenarios_summary.csv"
have = (list(pd.read_csv(table)["scenario"]) if table.is_file() else [])
if len(variants) < 5 or have != want:
    bad.append(f"scenarios_summary.csv rows {have}, expected {want} (variants.csv: {variants})")
n = 0
# models.ipynb compares the scenarios of a comparison folder (step 4); on
# this plain run folder it says why it draws nothing, without raising
import nbformat
p = figs / "models.ipynb"
if not p.is_file():
    bad.append("executed copy models.ipynb missing")
else:
    out = "".join(o.get("text", "") for c in nbformat.read(p, as_version=4).cells
                  if c.cell_type == "code" for o in c.get("outputs", []))
    if "not a comparison folder" not in out or "breakeven --library" not in out:
        bad.append(f"models.ipynb on a plain run folder: no clear message in {out[:300]!r}")
    drawn = [f.name for f in figs.glob("models_*")]
    if drawn:
        bad.append(f"models.ipynb drew {drawn} from a plain run folder")
for nb, names in bp.expected_figures().items():
    if nb == "models":
        continue
    if not (figs / f"{nb}.ipynb").is_file():
        bad.append(f"executed copy {nb}.ipynb missing")
    for name in names:
        for ext, magic in (("png", b"\x89PNG\r\n\x1a\n"), ("svg", b"<svg")):
            p = figs / f"{name}.{ext}"
            if not p.is_file() or p.stat().st_size == 0:
                bad.append(f"{nb}: {p.name} missing or empty")
                continue
            head = p.read_bytes()[:2000]
            if magic not in head:
                bad.append(f"{nb}: {p.name} is not a {ext.upper()} file")
            n += 1
for b in bad:
    print("  " + b)
print(f"  {n} figure files checked in {figs}")
sys.exit(1 if bad else 0)
EOF

# the figures sit beside the run folder, so a new run into it replaces the
# old one (nothing of the notebooks' is in it) and leaves the figures alone
figs_before=$(cd "$tmp/runs/deepseek-v3-r1.figures" && ls | sha256sum)
if "$exe" --out "$tmp/runs/deepseek-v3-r1" --samples 100 --quiet &&
   [ "$(cd "$tmp/runs/deepseek-v3-r1.figures" && ls | sha256sum)" = "$figs_before" ]; then
    ok "a new run into the rendered run folder, figures kept beside it"
else
    fail "a new run into the rendered run folder (exit or figures changed)"
fi

# 4. a comparison folder: `breakeven --library` (the four model scenarios),
# models.ipynb executed on it the way scripts/notebooks.sh executes each
# notebook (the other notebooks, already run in step 3, are not run again)
if "$exe" --library --samples "$samples" --out "$tmp/library" --quiet; then
    mkdir -p "$tmp/library.figures"
    t0=$(date +%s%N)
    if BREAKEVEN_RUN="$tmp/library" MPLBACKEND=Agg PYDEVD_DISABLE_FILE_VALIDATION=1 \
            "$PY" -m nbconvert --to notebook --execute \
            --ExecutePreprocessor.timeout="${NOTEBOOK_TIMEOUT:-600}" \
            --ExecutePreprocessor.kernel_name=python3 \
            --output-dir "$tmp/library.figures" --log-level=WARN "$here/models.ipynb" \
            >"$tmp/models.log" 2>&1; then
        ok "models.ipynb executed on a comparison folder ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
    else
        fail "models.ipynb on the comparison folder (a cell raised?):"
        tail -n 40 "$tmp/models.log"
    fi
    if "$PY" - "$here" "$tmp/library" <<'EOF'; then ok "models figures, PNG and SVG, written; assumed usage labelled"; else fail "models figures"; fi
import sys
from pathlib import Path
here, lib = Path(sys.argv[1]), Path(sys.argv[2])
sys.path.insert(0, str(here))
import breakeven_plots as bp
comp = bp.Comparison(lib)
figs = comp.figures
bad = []
want = ["deepseek-v3-r1", "bloom-176b", "llama-3.1-405b", "olmo-3-32b"]
if comp.scenarios != want:
    bad.append(f"comparison folder scenarios {comp.scenarios}, expected {want}")
assumed = [s for s in comp.scenarios if comp.assumed(s)]
if assumed != ["llama-3.1-405b", "olmo-3-32b"]:
    bad.append(f"assumed usage for {assumed}, expected llama-3.1-405b and olmo-3-32b")
n = 0
for name in bp.expected_figures()["models"]:
    for ext, magic in (("png", b"\x89PNG\r\n\x1a\n"), ("svg", b"<svg")):
        p = figs / f"{name}.{ext}"
        if not p.is_file() or p.stat().st_size == 0:
            bad.append(f"models: {p.name} missing or empty")
            continue
        if magic not in p.read_bytes()[:2000]:
            bad.append(f"models: {p.name} is not a {ext.upper()} file")
        n += 1
    # every figure says which scenarios have assumed usage (text stays
    # text in the SVG files)
    p = figs / f"{name}.svg"
    if p.is_file() and assumed and "(assumed usage)" not in p.read_text():
        bad.append(f"models: {p.name} has no '(assumed usage)'")
for b in bad:
    print("  " + b)
print(f"  {n} figure files checked in {figs}")
sys.exit(1 if bad else 0)
EOF
    # a comparison.csv lacking a column: the message names it
    cp -r "$tmp/library" "$tmp/badlib"
    "$PY" - "$tmp/badlib/comparison.csv" <<'EOF'
import sys
import pandas as pd
p = sys.argv[1]
pd.read_csv(p, keep_default_na=False).drop(columns=["p_le_2"]).to_csv(p, index=False)
EOF
    expect_error "comparison.csv missing column" "$tmp/badlib" \
        "comparison.csv lacks the column(s) \['p_le_2'\]" \
        'bp.load_comparison().read(columns=["p50", "p_le_2"])'
else
    fail "breakeven --library --samples $samples --out $tmp/library"
fi

# the source notebooks are still clean after the run
if [ "$(cd "$here" && sha256sum ./*.ipynb ./*.py)" = "$before" ]; then
    ok "notebooks/ untouched by the run"
else
    fail "notebooks/*.ipynb changed during the run"
fi

echo "notebooks test: $(( $(date +%s) - t_start )) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
