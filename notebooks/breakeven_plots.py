"""Shared code of the breakeven notebooks: finding and loading a run folder,
checking its columns, the figure footer, and saving figures.

A run folder is what `breakeven` writes (docs/output-files.md):
samples.csv, summary.csv, curve.csv, sensitivity.csv, sobol.csv (with
--sensitivity sobol), variants.csv with variants/NAME/summary.csv and
curve.csv (when the scenario has variants), and manifest.json, with the
column names of docs/MODEL.md ("Names in the files"). "Never" is written
`inf`; it stays +inf here and is counted and plotted as such, never
dropped silently. An empty cell (an undefined statistic) is NaN.

A comparison folder is what `breakeven --library` (or several --scenario
or --config) writes: one run folder per scenario, DIR/NAME/, with
comparison.csv (every scenario's summary.csv rows, after the columns
scenario, assumed_usage, use_unit, use_per) and a manifest.json whose
"comparison" lists the scenarios. `Comparison` reads it (models.ipynb);
the other notebooks, pointed at one, draw its first scenario.

The notebooks use Matplotlib's Agg backend (no display needed): every
figure is saved as PNG and SVG in the folder RUN.figures/ beside the run
folder RUN (never inside it: breakeven replaces a run folder only when it
holds nothing but the files its manifest lists), then the PNG is shown in
the notebook.
"""

import json
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

NOTEBOOK_DIR = Path(__file__).resolve().parent
REPO_ROOT = NOTEBOOK_DIR.parent
DEFAULT_RUN = "runs/deepseek-v3-r1"
DEFAULT_COMPARISON = "runs/library"    # breakeven --library --out runs/library

# MODEL.md's seed case: 2,935,000 GPU-h of final-run training against
# 226.75 nodes x 8 GPUs x 24 h = 43,536 GPU-h of inference a day.
REPORTED_TRAINING_GPU_HOURS = 2_935_000.0
REPORTED_INFERENCE_GPU_HOURS_PER_DAY = 226.75 * 8 * 24
REPORTED_BREAK_EVEN_DAYS = (REPORTED_TRAINING_GPU_HOURS
                            / REPORTED_INFERENCE_GPU_HOURS_PER_DAY)  # 67.4155

INPUTS = ("final_run_gpu_hours", "overhead", "nodes", "gpus_per_node",
          "representativeness", "monthly_growth", "power_ratio", "pue_ratio",
          "lifetime_days", "gpu_hour_usd")

# Axis labels, with units, for every column the notebooks plot.
LABELS = {
    "final_run_gpu_hours": "final-run training F (GPU-hours)",
    "overhead": "experimentation overhead k (ratio, >= 1)",
    "nodes": "inference nodes n (nodes)",
    "gpus_per_node": "GPUs per node g_n (GPUs)",
    "representativeness": "representativeness of the day R (ratio)",
    "monthly_growth": "monthly traffic growth m (fraction per month)",
    "power_ratio": "power ratio r, inference / training (ratio)",
    "pue_ratio": "PUE ratio p, inference / training site (ratio)",
    "lifetime_days": "serving lifetime L (days)",
    "gpu_hour_usd": "GPU-hour price c (USD)",
    "training_gpu_hours": "training T = k F (GPU-hours)",
    "inference_gpu_hours_per_day": "inference I0 (GPU-hours per day)",
    "break_even_days": "break-even, GPU-hours (days)",
    "break_even_days_energy": "break-even, energy (days)",
    "break_even_days_final_run": "break-even, GPU-hours, final run only (days)",
    "break_even_days_energy_final_run": "break-even, energy, final run only (days)",
    "multiplier": "multiplier at lifetime, GPU-hours (x)",
    "multiplier_energy": "multiplier at lifetime, energy (x)",
    "multiplier_final_run": "multiplier at lifetime, GPU-hours, final run only (x)",
    "multiplier_energy_final_run": "multiplier at lifetime, energy, final run only (x)",
}

# Outputs whose distribution is heavy-tailed: drawn on a log scale.
LOG_SCALE = {"break_even_days", "break_even_days_energy",
             "break_even_days_final_run", "break_even_days_energy_final_run",
             "multiplier", "multiplier_energy", "multiplier_final_run",
             "multiplier_energy_final_run", "training_gpu_hours", "overhead"}

COLORS = {"gpu": "#1f5fa6", "energy": "#c4511a", "final": "#6b6b6b",
          "reported": "#111111", "never": "#b0186b", "two": "#2a8a3e"}


class RunFolderError(RuntimeError):
    """A run folder, file or column the notebook needs is missing."""


def check_columns(path, have, need, remedy):
    """Raise RunFolderError naming the columns of NEED missing from HAVE
    (read from PATH), with REMEDY, what to do about it."""
    missing = [c for c in need if c not in have]
    if missing:
        raise RunFolderError(
            f"{path} lacks the column(s) {missing} that this notebook needs; "
            f"it has {list(have)}. {remedy}")


def setup():
    """Matplotlib defaults shared by every notebook (readable, reproducible)."""
    plt.rcParams.update({
        "figure.dpi": 100,
        "savefig.dpi": 110,
        "font.size": 10,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "legend.fontsize": 9,
        "axes.grid": True,
        "grid.alpha": 0.25,
        "grid.linewidth": 0.6,
        "figure.constrained_layout.use": True,
        "svg.hashsalt": "breakeven",   # stable element ids in the SVG files
        "svg.fonttype": "none",        # text stays text in the SVG files
    })


def _resolve(path):
    p = Path(os.path.expanduser(str(path)))
    return p if p.is_absolute() else (REPO_ROOT / p)


def run_dir(path=None):
    """The run folder: `path`, else $BREAKEVEN_RUN, else runs/deepseek-v3-r1
    (relative paths are taken from the repository root)."""
    return _resolve(path or os.environ.get("BREAKEVEN_RUN") or DEFAULT_RUN)


def run_dirs():
    """The run folders named by $BREAKEVEN_RUNS (colon-separated); [] if unset."""
    env = os.environ.get("BREAKEVEN_RUNS", "")
    return [_resolve(n.strip()) for n in env.split(":") if n.strip()]


# Why a file can be missing from a complete run folder, and the option of
# `breakeven` that writes it.
_MADE_BY = {
    "samples.csv": ("The run was made with --no-samples (or the scenario's "
                    "output.samples_csv false).", None),
    "sensitivity.csv": ("The run was made with --sensitivity none (or the "
                        'scenario\'s "sensitivity": "none").',
                        "--sensitivity rank"),
    "sobol.csv": ("Only a run made with --sensitivity sobol (or a scenario "
                  'with "sensitivity": "sobol") writes it.',
                  "--sensitivity sobol"),
    "variants.csv": ("The run was made with --no-variants, or its scenario "
                     "has no variants (the default scenario has five).", None),
}


class Run:
    """One run folder: its manifest, and its CSV files read on demand with
    their columns checked."""

    def __init__(self, path):
        self.path = Path(path)
        if not self.path.is_dir():
            raise RunFolderError(
                f"run folder {self.path} does not exist. Make it with "
                f"`scripts/run.sh --out {self.path}` (or `breakeven --out ...`), "
                "or point BREAKEVEN_RUN at an existing run folder.")
        mpath = self.path / "manifest.json"
        if not mpath.is_file():
            raise RunFolderError(
                f"{mpath} is missing: {self.path} is not a complete breakeven "
                "run folder (docs/output-files.md).")
        with open(mpath) as f:
            self.manifest = json.load(f)
        if "scenario" not in self.manifest and is_comparison(self.path):
            names = [str(e.get("folder", e.get("scenario")))
                     for e in self.manifest["comparison"] if isinstance(e, dict)]
            raise RunFolderError(
                f"{self.path} is a comparison folder (several scenarios, "
                "comparison.csv), not the run folder of one scenario: "
                "models.ipynb compares its scenarios; for this one, use one of "
                f"its run folders {[str(self.path / n) for n in names]}.")
        for key in ("scenario", "seed", "samples"):
            if key not in self.manifest:
                raise RunFolderError(f"{mpath} has no '{key}'; it has "
                                     f"{sorted(self.manifest)}")
        self.scenario = str(self.manifest["scenario"])
        self.seed = int(self.manifest["seed"])
        self.samples = int(self.manifest["samples"])
        # beside the run folder, not in it: breakeven replaces a run folder
        # only when it holds nothing but what its manifest lists; for a
        # scenario's folder in a comparison folder, beside the comparison
        # (DIR.figures/NAME/), which is held to the same rule
        parent = self.path.parent
        if (parent / "comparison.csv").is_file():
            self.figures = (parent.parent / f"{parent.name}.figures"
                            / self.path.name)
        else:
            self.figures = parent / f"{self.path.name}.figures"

    def __repr__(self):
        return (f"Run({self.scenario!r}, {self.samples:,} samples, "
                f"seed {self.seed}, {self.path})")

    @property
    def label(self):
        """Scenario, sample count and seed: what every figure must state."""
        return f"{self.scenario}: {self.samples:,} samples, seed {self.seed}"

    def command(self, *options):
        """The breakeven command that makes this run folder again (scenario,
        samples, seed and sampling from manifest.json), with `options`."""
        m = self.manifest
        cmd = ["breakeven"]
        if m.get("config") not in (None, "", "(built-in)"):
            cmd += ["--config", str(m["config"])]
        cmd += ["--samples", str(self.samples), "--seed", str(self.seed)]
        if m.get("sampling") not in (None, "random"):
            cmd += ["--sampling", str(m["sampling"])]
        if ((self.path / "sobol.csv").is_file()
                and not any(o.startswith("--sensitivity") for o in options)):
            cmd += ["--sensitivity", "sobol"]
        return " ".join(cmd + list(options) + ["--out", str(self.path)])

    def missing(self, name):
        """None if the file NAME is in the run folder; else why it is not
        and the command that writes it (the text of the error)."""
        p = self.path / name
        if p.is_file():
            return None
        why, option = _MADE_BY.get(name, (None, None))
        if not why:
            return f"{p} is missing."
        return (f"{p} is missing. {why} Make it with `"
                + self.command(*([option] if option else [])) + "`.")

    def _csv(self, name):
        why = self.missing(name)
        if why:
            raise RunFolderError(why)
        return self.path / name

    def _table(self, name, keys, metrics=(), columns=()):
        """A long CSV of the run (one row per metric and KEYS...): read with
        empty cells as NaN and "inf" as +inf, its columns checked, and every
        metric asked for present."""
        p = self._csv(name)
        df = pd.read_csv(p, keep_default_na=False, na_values=[""])
        self._check(p, df.columns, [*keys, *columns])
        missing = [m for m in metrics if m not in set(df["metric"])]
        if missing:
            raise RunFolderError(f"{p} has no rows for {missing}; it has "
                                 f"{list(dict.fromkeys(df['metric']))}")
        return df

    def _check(self, path, have, need):
        check_columns(path, have, need, "The run was probably written by an "
                      "older breakeven: run it again (column names: "
                      "docs/MODEL.md, 'Names in the files').")

    def read_samples(self, columns):
        """The named columns of samples.csv as float64 ("inf" stays +inf)."""
        p = self._csv("samples.csv")
        header = pd.read_csv(p, nrows=0).columns
        self._check(p, header, columns)
        df = pd.read_csv(p, usecols=list(columns), dtype=np.float64,
                         engine="c", na_filter=False)
        if len(df) != self.samples:
            raise RunFolderError(f"{p} has {len(df)} rows, manifest.json says "
                                 f"{self.samples} samples")
        return df[list(columns)]

    def read_summary(self, metrics=(), columns=()):
        """summary.csv indexed by metric; checks the rows and columns asked."""
        return self._table("summary.csv", ["metric"], metrics,
                           columns).set_index("metric")

    def read_curve(self, metrics=(), columns=()):
        """curve.csv (long format: one row per horizon and metric)."""
        return self._table("curve.csv", ["horizon_days", "metric"], metrics,
                           columns)

    def read_sensitivity(self, metrics=(), columns=()):
        """sensitivity.csv (one row per output and uncertain input: Spearman
        and PRCC with their 95% intervals; PRCC NaN where undefined)."""
        return self._table("sensitivity.csv", ["metric", "input"], metrics,
                           columns)

    def read_sobol(self, metrics=(), columns=()):
        """sobol.csv (one row per output and uncertain input: S1 and ST with
        their 95% intervals, n_base; censored_at the day "never" was
        censored at, NaN if it was not; indices NaN for an output with no
        variance). Only runs made with --sensitivity sobol have it."""
        return self._table("sobol.csv", ["metric", "input"], metrics, columns)

    def read_variants(self, metrics=(), columns=()):
        """variants.csv (one row per variant and output: the per-sample
        difference variant - base on common random numbers, and the median
        shift with its 95% interval and the standard error two independent
        runs would give)."""
        return self._table("variants.csv", ["variant", "metric"], metrics,
                           columns)

    def variant_names(self):
        """The variants this run wrote (variants/NAME/), in the scenario's
        order (manifest.json's list of files)."""
        names = []
        for f in self.manifest.get("files", []):
            parts = str(f.get("name", "")).split("/")
            if len(parts) == 3 and parts[0] == "variants":
                names.append(parts[1])
        return list(dict.fromkeys(names))

    def variant(self, name):
        """Variant NAME of this run: its folder variants/NAME/ (summary.csv and
        curve.csv) as a Run with the base's manifest, samples and seed, whose
        figures go to the base's figures folder."""
        return VariantRun(self, name)


class VariantRun(Run):
    """A variant's folder variants/NAME/ inside a run folder: summary.csv and
    curve.csv of the base scenario with some inputs changed, on the base's
    random numbers (no samples.csv, no manifest of its own)."""

    def __init__(self, base, name):
        self.base = base
        self.name = name
        self.path = base.path / "variants" / name
        if not self.path.is_dir():
            raise RunFolderError(
                f"{self.path} does not exist: the run wrote the variants "
                f"{base.variant_names()} (manifest.json).")
        self.manifest = base.manifest
        self.scenario = f"{base.scenario}/{name}"
        self.seed = base.seed
        self.samples = base.samples
        self.figures = base.figures

    def missing(self, name):
        p = self.path / name
        if p.is_file():
            return None
        return (f"{p} is missing: a variant's folder holds summary.csv and "
                "curve.csv only (per-sample values are not written for "
                "variants; variants.csv compares them with the base).")


def load_run(path=None):
    """The run folder named by `path`, $BREAKEVEN_RUN or the default. A
    comparison folder gives its first scenario's run folder, with the
    figures in the comparison's figures folder (so that scripts/notebooks.sh
    renders every notebook against it)."""
    p = run_dir(path)
    if is_comparison(p):
        comp = Comparison(p)
        run = comp.run(comp.scenarios[0])
        print(f"{p} is a comparison folder of {len(comp.scenarios)} scenarios "
              f"({', '.join(comp.scenarios)}): this notebook draws the first, "
              f"{run.path}; models.ipynb compares them all. Figures go to "
              f"{run.figures}/.")
        return run
    return Run(p)


# ---------------------------------------------------------------------------
# Comparison folders (models.ipynb)

COMPARISON_KEYS = ("scenario", "assumed_usage", "use_unit", "use_per")
MAKE_COMPARISON = ("`breakeven --library --out DIR` (the four model scenarios), "
                   "`breakeven --scenario NAME --scenario NAME ... --out DIR` or "
                   "`breakeven --config FILE --config FILE ... --out DIR`")


def is_comparison(path):
    """True if `path` holds a manifest.json with a "comparison" list."""
    try:
        with open(Path(path) / "manifest.json") as f:
            m = json.load(f)
    except (OSError, ValueError):
        return False
    return isinstance(m, dict) and isinstance(m.get("comparison"), list)


class Comparison:
    """A comparison folder: manifest.json's "comparison" list, comparison.csv
    (one row per scenario and output: summary.csv's columns after scenario,
    assumed_usage, use_unit, use_per) and each scenario's run folder
    DIR/FOLDER/. Scenarios keep the command line's order. `figures` is the
    folder DIR.figures/ beside it, as for a run folder."""

    def __init__(self, path):
        self.path = Path(path)
        if not self.path.is_dir():
            raise RunFolderError(
                f"comparison folder {self.path} does not exist. Make one with "
                f"{MAKE_COMPARISON}, and point BREAKEVEN_RUN at it.")
        mpath = self.path / "manifest.json"
        if not mpath.is_file():
            raise RunFolderError(
                f"{mpath} is missing: {self.path} is not a comparison folder "
                f"of breakeven's. Make one with {MAKE_COMPARISON}.")
        with open(mpath) as f:
            self.manifest = json.load(f)
        entries = self.manifest.get("comparison")
        if not isinstance(entries, list) or not entries:
            what = (f"the run folder of the single scenario "
                    f"{self.manifest['scenario']!r}" if "scenario" in self.manifest
                    else "not a comparison folder")
            hint = (f" It is one of the scenarios of the comparison folder "
                    f"{self.path.parent}: point BREAKEVEN_RUN at that."
                    if is_comparison(self.path.parent) else "")
            raise RunFolderError(
                f"{self.path} is {what}, not a comparison folder: its "
                "manifest.json has no \"comparison\" list of scenarios, so "
                f"there is nothing to compare.{hint} Make a comparison folder "
                f"with {MAKE_COMPARISON}, and point BREAKEVEN_RUN at it.")
        self.entries = {}
        for e in entries:
            if not isinstance(e, dict) or "scenario" not in e:
                raise RunFolderError(f"{mpath}: an entry of \"comparison\" has no "
                                     f"'scenario': {e!r}")
            self.entries[str(e["scenario"])] = e
        self.scenarios = list(self.entries)
        self.figures = self.path.parent / f"{self.path.name}.figures"

        p = self.path / "comparison.csv"
        if not p.is_file():
            raise RunFolderError(f"{p} is missing: {self.path} is not a complete "
                                 f"comparison folder. Make it again with "
                                 f"{MAKE_COMPARISON}.")
        df = pd.read_csv(p, keep_default_na=False, na_values=[""],
                         dtype={"scenario": str, "assumed_usage": str,
                                "use_unit": str, "metric": str})
        self._check(p, df.columns, [*COMPARISON_KEYS, "metric", "n", "never"])
        have = list(dict.fromkeys(df["scenario"]))
        if set(have) != set(self.scenarios):
            raise RunFolderError(f"{p} has the scenarios {have}, manifest.json "
                                 f"lists {self.scenarios}")
        flags = df["assumed_usage"].fillna("").str.strip().str.lower()
        bad = sorted(set(flags) - {"true", "false"})
        if bad:
            raise RunFolderError(f"{p}: assumed_usage must be true or false, "
                                 f"found {bad}")
        df["assumed_usage"] = flags == "true"
        self.table = df
        self._runs = {}

    def __repr__(self):
        return (f"Comparison({len(self.scenarios)} scenarios: "
                + ", ".join(self.label(s) for s in self.scenarios)
                + f"; {self.path})")

    def _check(self, path, have, need):
        check_columns(path, have, need, "It was probably written by an older "
                      f"breakeven: make it again with {MAKE_COMPARISON} "
                      "(columns: docs/output-files.md).")

    def read(self, metrics=(), columns=()):
        """comparison.csv, with COLUMNS checked and a row of each of METRICS
        checked for every scenario (outputs every scenario computes; the
        others, a scenario has only with their inputs: see `has`)."""
        p = self.path / "comparison.csv"
        self._check(p, self.table.columns, columns)
        for s in self.scenarios:
            missing = [m for m in metrics if not self.has(s, m)]
            if missing:
                raise RunFolderError(
                    f"{p} has no rows for {missing} of scenario {s!r}; it has "
                    f"{list(self.summary(s).index)}. It was probably written "
                    f"by an older breakeven: make it again with {MAKE_COMPARISON}.")
        return self.table

    def summary(self, scenario):
        """Scenario's rows of comparison.csv, indexed by metric (the cells of
        its summary.csv)."""
        t = self.table
        return t[t["scenario"] == scenario].set_index("metric")

    def has(self, scenario, *metrics):
        """True if the scenario has a row for every one of METRICS."""
        rows = set(self.table.loc[self.table["scenario"] == scenario, "metric"])
        return all(m in rows for m in metrics)

    def assumed(self, scenario):
        """True when the scenario's inference traffic is an assumption, not a
        measurement (comparison.csv's assumed_usage)."""
        t = self.table
        return bool(t.loc[t["scenario"] == scenario, "assumed_usage"].any())

    def label(self, scenario, sep=" "):
        """The scenario's name, with "(assumed usage)" appended when its
        inference traffic is assumed."""
        return scenario + (f"{sep}(assumed usage)" if self.assumed(scenario) else "")

    def use(self, scenario):
        """(unit, per) of the scenario's per-use outputs, None without them."""
        t = self.table
        r = t[t["scenario"] == scenario].iloc[0]
        unit = r["use_unit"]
        if not isinstance(unit, str) or not unit.strip():
            return None
        per = float(r["use_per"]) if pd.notna(r["use_per"]) else 1.0
        return unit.strip(), per

    def per_use(self, scenario):
        """"per 1e6 output tokens", "per 1 request": what the scenario's
        *_per_use figures are per (None without per-use outputs)."""
        u = self.use(scenario)
        if u is None:
            return None
        unit, per = u
        if per >= 1000 and float(np.log10(per)).is_integer():
            count = f"1e{int(np.log10(per))}"
        else:
            count = f"{per:,.0f}" if per.is_integer() else f"{per:,g}"
        plural = per != 1 and not unit.endswith("s")
        return f"per {count} {unit}{'s' if plural else ''}"

    def run(self, scenario):
        """The scenario's run folder DIR/FOLDER/ as a Run (its manifest,
        samples.csv...), whose figures go to the comparison's figures."""
        if scenario not in self._runs:
            e = self.entries[scenario]
            p = self.path / str(e.get("folder", scenario))
            if not (p / "manifest.json").is_file():
                raise RunFolderError(
                    f"{p} is missing or not a run folder: manifest.json of "
                    f"{self.path} lists the scenario {scenario!r} in it. Make "
                    f"the comparison folder again with {MAKE_COMPARISON}.")
            r = Run(p)
            r.figures = self.figures
            self._runs[scenario] = r
        return self._runs[scenario]

    def runs(self):
        return [self.run(s) for s in self.scenarios]


def load_comparison(path=None):
    """The comparison folder named by `path`, else $BREAKEVEN_RUN, else
    runs/library (RunFolderError if it is not one)."""
    return Comparison(run_dir(path or os.environ.get("BREAKEVEN_RUN")
                              or DEFAULT_COMPARISON))


def load_scenarios(base=None):
    """What the scenarios notebook compares: the run folders named by
    $BREAKEVEN_RUNS if it is set, else the run `base` (default: load_run())
    and each variant it wrote (variants/NAME/)."""
    dirs = run_dirs()
    if dirs:
        return [Run(p) for p in dirs]
    base = base or load_run()
    return [base] + [base.variant(v) for v in base.variant_names()]


def footer(fig, runs, note=None):
    """Writes, under the figure, the scenario(s), sample count(s) and seed(s)
    (from manifest.json) and the run folder(s)."""
    if isinstance(runs, Run):
        runs = [runs]
    lines = []
    if isinstance(runs, Comparison):
        comp, runs = runs, runs.runs()
        lines.append(f"comparison folder {comp.path.name}  |  breakeven "
                     f"{comp.manifest.get('version', '?')}  |  " + ", ".join(
                         f"{r.scenario} ({r.samples:,} samples, seed {r.seed})"
                         for r in runs))
    elif len(runs) == 1:
        r = runs[0]
        lines.append(f"scenario {r.scenario}  |  {r.samples:,} samples  |  "
                     f"seed {r.seed}  |  run folder {r.path.name}  |  "
                     f"breakeven {r.manifest.get('version', '?')}")
    else:
        same = len({(r.samples, r.seed) for r in runs}) == 1
        if same:
            lines.append(f"scenarios {', '.join(r.scenario for r in runs)}")
            lines.append(f"each {runs[0].samples:,} samples, seed {runs[0].seed} "
                         "(common random numbers: the differences are the "
                         "changed inputs, not noise)")
        else:
            for r in runs:
                lines.append(r.label)
    if note:
        lines.append(note)
    # wrap to the figure's width (about 15 characters an inch at 8 points)
    import textwrap
    width = max(60, int(fig.get_figwidth() * 15))
    lines = [w for line in lines for w in textwrap.wrap(line, width)]
    fig.text(0.005, -0.01, "\n".join(lines), ha="left", va="top",
             fontsize=8, color="#444444", transform=fig.transFigure)


def save(fig, run, name, show=True):
    """Saves the figure as figures/NAME.png and figures/NAME.svg in the run
    folder, closes it, and shows the PNG in the notebook. Returns the paths."""
    run.figures.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext, meta in (("png", {"Software": None}),
                      ("svg", {"Date": None, "Creator": None})):
        p = run.figures / f"{name}.{ext}"
        fig.savefig(p, format=ext, bbox_inches="tight", pad_inches=0.08,
                    metadata=meta)
        paths.append(p)
    plt.close(fig)
    if show:
        try:
            from IPython.display import Image, display
            display(Image(filename=str(paths[0])))
        except ImportError:
            pass
    return paths


# ---------------------------------------------------------------------------
# Numbers and helpers the notebooks share

def never_share(x):
    """Share of +inf ("never") values."""
    x = np.asarray(x, dtype=float)
    return float(np.isposinf(x).mean()) if x.size else float("nan")


def pct(p, digits=2):
    """A share as a percent text; tiny non-zero shares are not shown as 0."""
    if p != p:
        return "n/a"
    if 0 < p < 10 ** -digits / 100:
        return f"< {10 ** -digits:g}%"
    return f"{100 * p:.{digits}f}%"


def fmt(x, digits=4):
    """A number for a figure or table; inf is "never"."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    if np.isposinf(x):
        return "never"
    if abs(x) >= 1e5 or (float(x).is_integer() and abs(x) < 1e15):
        return f"{x:,.0f}"
    return f"{x:,.{digits}g}"


def ecdf(x, max_points=4000):
    """ECDF of x over ALL values (+inf included in the denominator), as points
    (value, share of samples <= value) for the finite values, thinned to at
    most max_points evenly spaced ranks (min and max always kept). The curve
    ends at 1 - share of "never"."""
    x = np.sort(np.asarray(x, dtype=float))
    n = x.size
    finite = x[np.isfinite(x)]
    m = finite.size
    if m == 0:
        return np.array([]), np.array([])
    idx = np.arange(m)
    if m > max_points:
        idx = np.unique(np.linspace(0, m - 1, max_points).round().astype(int))
    return finite[idx], (idx + 1) / n


def log_bins(x, bins=80):
    """Bins of equal width in log10 over the finite values of x."""
    f = np.asarray(x, dtype=float)
    f = f[np.isfinite(f) & (f > 0)]
    lo, hi = f.min(), f.max()
    if hi <= lo:
        hi = lo * 1.01
    return np.logspace(np.log10(lo) - 1e-9, np.log10(hi) + 1e-9, bins + 1)


def interval_err(value, lo, hi):
    """Error-bar lengths (2 x n: below, above) of intervals [lo, hi] around
    value, for Matplotlib's xerr/yerr; 0 where an end is NaN (no interval)."""
    v, lo, hi = (np.asarray(a, dtype=float) for a in (value, lo, hi))
    return np.nan_to_num(np.vstack([v - lo, hi - v]), nan=0.0).clip(min=0)


QUANTILES = (("p01", 0.01), ("p05", 0.05), ("p10", 0.10), ("p25", 0.25),
             ("p50", 0.50), ("p75", 0.75), ("p90", 0.90), ("p95", 0.95),
             ("p99", 0.99))


def quantile_points(row):
    """Points (value, share of samples <= value) of an output's distribution
    from its summary.csv row: min, p01 ... p99, max; infinite values
    ("never") left out, so the points end at 1 - share of never."""
    x = np.array([row["min"]] + [row[q] for q, _ in QUANTILES] + [row["max"]],
                 dtype=float)
    p = np.array([0.0] + [pr for _, pr in QUANTILES] + [1.0])
    keep = np.isfinite(x)
    return x[keep], p[keep]


def constant_columns(df, columns):
    """The columns of df that take a single value."""
    return [c for c in columns if df[c].nunique(dropna=False) <= 1]


def thin(df, max_rows=50_000, seed=0):
    """At most max_rows rows of df, drawn without replacement (fixed seed)."""
    if len(df) <= max_rows:
        return df
    return df.sample(n=max_rows, random_state=seed)


def mark_reported(ax, label=True):
    """Vertical line at the reported-figures break-even, 67.4155 days; its
    label goes to the legend (call ax.legend() afterwards)."""
    ax.axvline(REPORTED_BREAK_EVEN_DAYS, color=COLORS["reported"], lw=1.1,
               ls=(0, (4, 2)), zorder=5,
               label=(f"reported figures: {REPORTED_BREAK_EVEN_DAYS:.4f} days"
                      if label else None))


def log_axis_days(ax, axis="x"):
    """Log scale with plain-number tick labels (50, 100, 200, 500 days...)."""
    from matplotlib.ticker import FuncFormatter, LogLocator
    a = ax.xaxis if axis == "x" else ax.yaxis
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    a.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    a.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1
                                        else f"{v:g}"))
    a.set_minor_formatter(FuncFormatter(lambda v, _: ""))


def log_axis_ratio(ax, axis="x", ticks=(1, 1.5, 2, 3, 5, 10, 20, 50)):
    """Log scale for multipliers with ticks 1, 1.5, 2, 3, 5, 10...x"""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter
    a = ax.xaxis if axis == "x" else ax.yaxis
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    a.set_major_locator(FixedLocator(ticks))
    a.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}x"))
    a.set_minor_formatter(NullFormatter())


def log_axis_plain(ax, axis="x", ticks=(1, 1.5, 2, 3, 5, 10, 20, 50, 100)):
    """Log scale with plain tick labels 1, 1.5, 2, 3, 5, 10... (for ratios)."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter
    a = ax.xaxis if axis == "x" else ax.yaxis
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    a.set_major_locator(FixedLocator(ticks))
    a.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    a.set_minor_formatter(NullFormatter())


# Scenarios whose inference traffic is assumed, not measured: drawn grey,
# hollow and dashed in every figure of models.ipynb.
ASSUMED_COLOR = "#8c8c8c"
ASSUMED_LS = (0, (4, 2.5))
ASSUMED_NOTE = ("(assumed usage): hollow, grey, dashed:\n"
                "inference traffic assumed, not measured")


def assumed_style(assumed, color, marker="o"):
    """Line and marker keywords of an interval row: `color`, filled and solid
    for a measured scenario; grey, hollow and dashed for an assumed one."""
    if assumed:
        return dict(color=ASSUMED_COLOR, marker=marker, mfc="white",
                    mec=ASSUMED_COLOR, mew=1.5, ls=ASSUMED_LS)
    return dict(color=color, marker=marker, mfc=color, mec="white", mew=0.8,
                ls="-")


def assumed_handle():
    """A legend entry explaining how assumed usage is drawn."""
    from matplotlib.lines import Line2D
    return Line2D([], [], lw=1.4, ms=6.5, label=ASSUMED_NOTE,
                  **assumed_style(True, None))


def interval_row(ax, y, lo, mid, hi, color, assumed, marker="o", never_x=None,
                 ms=6.5, lw=1.8):
    """One row of a forest plot at height y: the interval lo-hi as a line and
    the median as a marker, styled by assumed_style. Infinite values
    ("never") are drawn at never_x (the never zone of never_zone) when given."""
    st = assumed_style(assumed, color, marker)
    ls = st.pop("ls")
    mk = st.pop("marker")

    def x(v):
        return never_x if (np.isposinf(v) and never_x is not None) else v
    lo, mid, hi = (x(float(v)) for v in (lo, mid, hi))
    if np.isfinite(lo) and np.isfinite(hi):
        ax.plot([lo, hi], [y, y], color=st["color"], ls=ls, lw=lw,
                solid_capstyle="butt", zorder=3)
        for end in (lo, hi):
            ax.plot([end, end], [y - 0.07, y + 0.07], color=st["color"],
                    lw=lw * 0.8, zorder=3)
    if np.isfinite(mid):
        ax.plot([mid], [y], marker=mk, ms=ms, ls="none", zorder=5, **st)


def never_zone(ax, finite_max, label="never"):
    """A shaded zone right of finite_max on a log x-axis where "never" (inf)
    is drawn; returns the x at which to draw it. Call after the scale is set
    and before tick labels are read (ticks in the zone are blanked)."""
    from matplotlib.ticker import FuncFormatter
    start, x_never, end = finite_max * 1.7, finite_max * 3.2, finite_max * 6
    ax.axvspan(start, end, color=COLORS["never"], alpha=0.07, lw=0, zorder=0)
    ax.axvline(start, color=COLORS["never"], lw=0.8, ls=":", zorder=1)
    ax.text(x_never, 0.995, label, transform=ax.get_xaxis_transform(),
            ha="center", va="top", fontsize=8.5, color=COLORS["never"])
    ax.set_xlim(right=end)
    fmt = ax.xaxis.get_major_formatter()
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, pos: "" if v >= start else fmt(v, pos)))
    return x_never


def expected_figures():
    """Figure names each notebook must write (PNG and SVG); the notebooks
    test checks them."""
    return {
        "break_even": ["break_even_hist", "break_even_ecdf"],
        "multiplier": ["multiplier_fan", "p_break_even", "multiplier_lifetime"],
        "drivers": ["drivers_tornado", "drivers_sobol"] + [
            f"drivers_scatter_{o}" for o in ("break_even_days",
                                             "break_even_days_energy",
                                             "multiplier",
                                             "multiplier_energy")],
        "scenarios": ["scenarios_ecdf", "scenarios_variants"],
        "footprint": ["footprint_per_use", "footprint_break_even",
                      "footprint_required_traffic"],
        # against a comparison folder (breakeven --library)
        "models": ["models_forest", "models_multiplier", "models_per_use",
                   "models_required_traffic"],
    }
