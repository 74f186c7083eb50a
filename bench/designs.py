#!/usr/bin/python3
"""bench/designs.py: how precise is the median break-even under each
sampling design?  (Issue 6's closing figure; not a test.)

For random, LHS and Sobol' sampling it runs the default scenario at
N samples (default 1e5) with R seeds (default 20), reads break_even_days'
median from each run's summary.csv, and reports:
  - the spread of the median over the seeds (its standard deviation) and
    the width of the 95% interval it implies, 2 x 1.96 x sd: the honest
    error of one run of that design (each seed is one randomization);
  - the width of the order-statistic interval in summary.csv (p50_lo to
    p50_hi), which assumes independent samples, for comparison.
Writes bench/DESIGNS.md.  Environment: BREAKEVEN_EXE (default
build/sim/breakeven), DESIGNS_SAMPLES, DESIGNS_SEEDS, DESIGNS_THREADS."""
import csv
import datetime
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXE = os.environ.get("BREAKEVEN_EXE",
                     os.path.join(ROOT, "build", "sim", "breakeven"))
N = int(float(os.environ.get("DESIGNS_SAMPLES", "1e5")))
SEEDS = int(os.environ.get("DESIGNS_SEEDS", "20"))
THREADS = os.environ.get("DESIGNS_THREADS", str(os.cpu_count() or 1))


def median_and_interval(out):
    with open(os.path.join(out, "summary.csv")) as f:
        for row in csv.DictReader(f):
            if row["metric"] == "break_even_days":
                return (float(row["p50"]), float(row["p50_lo"]),
                        float(row["p50_hi"]))
    sys.exit("designs: no break_even_days row")


def main():
    work = tempfile.mkdtemp(prefix="designs-")
    rows = []
    try:
        for design in ("random", "lhs", "sobol"):
            meds, widths = [], []
            for seed in range(1, SEEDS + 1):
                out = os.path.join(work, f"{design}-{seed}")
                cmd = [EXE, "--samples", str(N), "--seed", str(seed),
                       "--sampling", design, "--threads", THREADS,
                       "--no-samples", "--quiet", "--out", out]
                p = subprocess.run(cmd, capture_output=True, text=True)
                if p.returncode != 0:
                    sys.exit(f"designs: {' '.join(cmd)}: {p.stderr.strip()}")
                m, lo, hi = median_and_interval(out)
                meds.append(m)
                widths.append(hi - lo)
                shutil.rmtree(out)
            sd = statistics.stdev(meds)
            rows.append((design, statistics.mean(meds), sd, 2 * 1.96 * sd,
                         statistics.mean(widths)))
            print(f"designs: {design}: median {rows[-1][1]:.3f}, sd over "
                  f"seeds {sd:.4f}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    md = ["# Precision of the median break-even by sampling design", "",
          f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
          f"- default scenario, {N:,} samples, {SEEDS} seeds per design "
          f"(1 .. {SEEDS}), `bench/designs.py`", "",
          "Each seed is one randomization of the design.  The replicate "
          "interval is 2 x 1.96 x the standard deviation of the median over "
          "the seeds: the honest 95% interval width of one run.  The iid "
          "interval is summary.csv's p50_lo .. p50_hi (order statistics, "
          "assuming independent samples), averaged over the seeds.", "",
          "| design | mean of the medians, days | sd over seeds | 95% width "
          "(replicates) | 95% width (iid formula) |",
          "| --- | ---: | ---: | ---: | ---: |"]
    for d, mean, sd, w, iid in rows:
        md.append(f"| {d} | {mean:.3f} | {sd:.4f} | {w:.3f} | {iid:.3f} |")
    md.append("")
    with open(os.path.join(ROOT, "bench", "DESIGNS.md"), "w") as f:
        f.write("\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
