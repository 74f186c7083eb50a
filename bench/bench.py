#!/usr/bin/python3
"""bench/run.sh's driver: breakeven vs numpy vs the generator floor.

Environment (sizes accept exponents, e.g. 1e7):
  BREAKEVEN_EXE, FLOOR_EXE  the binaries to time (run.sh sets both)
  BENCH_DIR            scratch folder, default build-bench/runs
  BENCH_SIZES          breakeven's sizes, default "1e6 1e7 1e8"
  BENCH_NUMPY_SIZES    numpy's sizes, default the BENCH_SIZES up to 1e7
  BENCH_TARGET_SAMPLES the size issue 5's targets are read at, default 1e7
  BENCH_LARGE=1        adds one breakeven run of BENCH_LARGE_SAMPLES
                       (default 1e9) samples, all cores, --no-samples
Targets are read from the figures, never asserted; the exit status is the
numpy agreement check's."""
import datetime
import json
import math
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXE = os.environ["BREAKEVEN_EXE"]
FLOOR = os.environ["FLOOR_EXE"]
WORK = os.environ.get("BENCH_DIR", os.path.join(ROOT, "build-bench", "runs"))


def sizes(var, default):
    return [int(float(s)) for s in os.environ.get(var, default).split()]


SIZES = sizes("BENCH_SIZES", "1e6 1e7 1e8")
NP_SIZES = sizes("BENCH_NUMPY_SIZES",
                 " ".join(str(n) for n in SIZES if n <= 10**7))
TARGET_N = sizes("BENCH_TARGET_SAMPLES", "1e7")[0]
LARGE = os.environ.get("BENCH_LARGE") == "1"
LARGE_N = sizes("BENCH_LARGE_SAMPLES", "1e9")[0]
NCPU = os.cpu_count() or 1
THREADS = [1] if NCPU == 1 else [1, NCPU]
os.makedirs(WORK, exist_ok=True)


def git_commit():
    """HEAD of the sources built, and whether they had local changes."""
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short",
                               "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True,
                               text=True).stdout.strip()
        return head + (" (with local changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"


# the sources run.sh has just built: read now, not when the report is
# written (the checkout may move on during a long run)
COMMIT = git_commit()


def timed(cmd, env=None):
    """(wall s, peak RSS MiB, stdout) from /usr/bin/time -f."""
    tf = os.path.join(WORK, "time.txt")
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-o", tf, "-f", "%e %M"] + cmd,
                       env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0   # %e has only 2 decimals
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed ({p.returncode}): "
                 f"{p.stderr.strip()}")
    rss = open(tf).read().split()[-1]
    return wall, int(rss) / 1024.0, p.stdout


def mem_total():
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return 0


def fmt(x, d=2):
    return f"{x:.{d}f}" if isinstance(x, float) else str(x)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run_breakeven(n, t, csv):
    """Times one run; reads its manifest.json and summary.csv, then
    deletes its folder (samples.csv is 34 GB at 1e8)."""
    out = os.path.join(WORK, f"be-{n}-{t}-{int(csv)}")
    # the work numpy does too: summary and curve (no sensitivity.csv, no
    # variants; their cost is measured apart, bench/README.md)
    cmd = ([EXE, "--samples", str(n), "--threads", str(t), "--out", out,
            "--quiet", "--no-variants", "--sensitivity", "none"]
           + ([] if csv else ["--no-samples"]))
    log(f"bench: breakeven {n} samples, {t} thread(s), "
        f"samples.csv {'on' if csv else 'off'}")
    wall, rss, _ = timed(cmd)
    size = os.path.getsize(os.path.join(out, "samples.csv")) if csv else 0
    man = json.load(open(os.path.join(out, "manifest.json")))
    summary = open(os.path.join(out, "summary.csv")).read()
    shutil.rmtree(out)
    return {"wall": wall, "rss": rss, "bytes": size,
            "passes": man.get("passes"),
            "pass_s": man.get("pass_seconds") or [], "summary": summary}


def pass_split(r):
    """'pass 1 s / later s' of a run (later = the sum of passes 2..)."""
    ps = r["pass_s"]
    if not ps:
        return ""
    return (f"{ps[0]:.2f} / " +
            (f"{sum(ps[1:]):.2f}" if len(ps) > 1 else "-"))


# rows: (tool, samples, threads, csv, wall, samples/s, rss, eff, passes,
# pass 1 s / later s)
rows = []
be = {}     # (n, t, csv) -> run_breakeven's dict
summaries = {}
for n in SIZES:
    threads = list(THREADS)
    if NCPU > 2 and n == TARGET_N:
        threads.insert(1, 2)   # issue 5's efficiency target is at 2 threads
    for t in threads:
        for csv in (False, True):
            if t == 2 and t != NCPU and csv:
                continue
            be[(n, t, csv)] = run_breakeven(n, t, csv)
            if not csv and t == THREADS[-1]:
                summaries[n] = be[(n, t, csv)]["summary"]
    for t in threads:
        for csv in (False, True):
            if (n, t, csv) not in be:
                continue
            r = be[(n, t, csv)]
            eff = be[(n, 1, csv)]["wall"] / (t * r["wall"]) if t > 1 else 1.0
            rows.append(("breakeven", n, t, "yes" if csv else "no",
                         r["wall"], n / r["wall"], r["rss"], eff,
                         r["passes"], pass_split(r)))

# BENCH_LARGE: one run of 1e9 samples, all cores, summary and curve only
large = None
if LARGE:
    large = run_breakeven(LARGE_N, NCPU, False)

# numpy
env = dict(os.environ)
env.pop("OPENBLAS_CORETYPE", None)
env.pop("OPENBLAS_L2_SIZE", None)
np_res, np_run, np_notes = {}, {}, []
for n in NP_SIZES:
    need = 8.0 * n * 30   # ~30 live float64 arrays of n at the peak
    if need > 0.8 * mem_total():
        np_notes.append(f"numpy at {n:.0e} samples not run: needs about "
                        f"{need / 2**30:.0f} GiB, the machine has "
                        f"{mem_total() / 2**30:.0f} GiB")
        continue
    out = os.path.join(WORK, f"np-{n}")
    log(f"bench: numpy {n} samples")
    wall, rss, _ = timed(["/usr/bin/python3",
                          os.path.join(ROOT, "bench", "numpy_model.py"),
                          "--samples", str(n), "--out", out], env=env)
    np_res[n] = json.load(open(os.path.join(out, "check.json")))
    np_run[n] = (wall, rss)
    rows.append(("numpy", n, 1, "no", wall, n / wall, rss, math.nan,
                 None, ""))
    if n >= 10**8:
        shutil.rmtree(out)
# breakeven sizes beyond numpy's: estimated from numpy's largest run
# (its arrays grow linearly with the samples)
if np_run:
    m = max(np_run)
    for n in SIZES:
        if n > m and n not in NP_SIZES:
            k = n / m
            mib, s = k * np_run[m][1], k * np_run[m][0]
            np_notes.append(
                f"numpy was not run at {n:.0e} samples: it would need about "
                + (f"{mib / 1024:.0f} GiB" if mib >= 1024 else
                   f"{mib:.0f} MiB") + " of memory and "
                + (f"{s / 60:.0f} minutes" if s >= 120 else f"{s:.0f} s")
                + f" ({k:g} x its peak RSS "
                f"and wall time at {m:.0e} samples), so the table compares "
                f"breakeven with numpy up to {m:.0e} samples only")

# the floor
log("bench: floor")
nf = 2 * 10**6
_, _, fo = timed([FLOOR, str(nf), str(nf)])
kv, dists = {}, []
for line in fo.splitlines():
    k, v = line.split("=", 1)
    if k == "dist":
        dists.append(v.split("|"))
    else:
        kv[k] = v
floor_sps = float(kv["floor_samples_per_s"])
floor_all = float(kv["floor_all_inputs_samples_per_s"])

# CSV vs dd
csv_rows = []
for n in SIZES:
    for t in THREADS:
        w1, size = be[(n, t, True)]["wall"], be[(n, t, True)]["bytes"]
        w0 = be[(n, t, False)]["wall"]
        csv_rows.append((n, t, size, w1 - w0,
                         size / (w1 - w0) if w1 > w0 else math.nan))
dd_rows = []
for n in SIZES:
    size = be[(n, THREADS[-1], True)]["bytes"]
    mib = max(1, round(size / 2**20))
    f = os.path.join(WORK, "dd.bin")
    log(f"bench: dd {mib} MiB")
    wall, _, _ = timed(["dd", "if=/dev/zero", f"of={f}", "bs=1M",
                        f"count={mib}", "conv=fsync", "status=none"])
    os.remove(f)
    dd_rows.append((n, mib * 2**20, wall, mib * 2**20 / wall))

# agreement check: quantiles of breakeven's summary.csv vs numpy's
def be_quantiles(text):
    lines = text.splitlines()
    head = lines[0].split(",")
    res = {}
    for line in lines[1:]:
        f = line.split(",")
        res[f[0]] = {p: float(f[head.index(c)])
                     for p, c in ((0.05, "p05"), (0.5, "p50"), (0.95, "p95"))}
    return res

checks, ok = [], True
for n in SIZES:
    if n not in np_res or n not in summaries:
        continue
    bq = be_quantiles(summaries[n])
    for metric in ("break_even_days", "multiplier"):
        for p in (0.05, 0.5, 0.95):
            c = np_res[n][f"{metric}:{p}"]
            se = math.sqrt(2) * c["se"]   # both estimates carry MC error
            diff = bq[metric][p] - c["q"]
            z = abs(diff) / se if se > 0 else math.inf
            good = z < 4
            ok &= good
            checks.append((n, metric, p, bq[metric][p], c["q"], diff, se, z,
                           "PASS" if good else "FAIL"))

# issue 5's targets, read from the figures above (never asserted)
def verdict(good, by):
    return "met" if good else f"missed (by {by})"


be1 = {n: be[(n, 1, False)]["wall"] for n in SIZES}
N = TARGET_N
NS = f"{N:.0e}"
targets = []   # (target, measured, result)
absent = (f"not measured ({NS} not in BENCH_SIZES)", "not measured")
np_why = ((f"not measured (numpy not run at {NS})", "not measured")
          if N in SIZES else absent)
be_all = be.get((N, NCPU, False))
np_n = np_run.get(N)
label = f">= 10x faster than numpy at {NS} samples"
if be_all and np_n:
    x = np_n[0] / be_all["wall"]
    targets.append((label, f"{x:.1f}x (numpy {np_n[0]:.2f} s; breakeven "
                    f"{be_all['wall']:.2f} s, {NCPU} threads, --no-samples)",
                    verdict(x >= 10, f"{10 / x:.2f}x")))
else:
    targets.append((label,) + np_why)
label = f"<= 1/10 of numpy's peak memory at {NS} samples"
be_rss = [(r["rss"], t, c) for (n, t, c), r in be.items() if n == N]
if be_rss and np_n:
    rb, t, c = max(be_rss)
    x = rb / np_n[1]
    targets.append((label, f"{x:.3f} = 1/{1 / x:.1f} (breakeven "
                    f"{rb:,.0f} MiB, its largest at {NS}: {t} thread(s), "
                    f"samples.csv {'on' if c else 'off'}; numpy "
                    f"{np_n[1]:,.0f} MiB)",
                    verdict(x <= 0.1, f"{x / 0.1:.2f}x")))
else:
    targets.append((label,) + np_why)
label = f"within 1.5x of the floor at 1 thread, {NS} samples"
if N in SIZES:
    fs = N / floor_sps
    x = be1[N] / fs
    targets.append((label, f"{x:.1f}x (breakeven {be1[N]:.2f} s, "
                    f"--no-samples; floor {fs:.3f} s)",
                    verdict(x <= 1.5, f"{x / 1.5:.1f}x")))
else:
    targets.append((label,) + absent)
label = f"parallel efficiency >= 85% at 2 threads, {NS} samples"
if (N, 2, False) in be:
    w1, w2 = be[(N, 1, False)]["wall"], be[(N, 2, False)]["wall"]
    x = w1 / (2 * w2)
    targets.append((label, f"{100 * x:.0f}% (--no-samples: {w1:.2f} s at 1 "
                    f"thread, {w2:.2f} s at 2)",
                    verdict(x >= 0.85, f"{100 * (0.85 - x):.0f} points")))
else:
    targets.append((label, "not measured (1 CPU)", "not measured")
                   if NCPU == 1 and N in SIZES else (label,) + absent)
label = f"samples.csv written at >= 200 MB/s ({NS} samples, all cores)"
csv_n = [r for r in csv_rows if r[0] == N and r[1] == NCPU]
if csv_n:
    _, _, size, extra, bps = csv_n[0]
    if extra > 0:
        targets.append((label, f"{bps / 1e6:,.0f} MB/s ({size:,} bytes in "
                        f"{extra:.2f} extra wall s)",
                        verdict(bps >= 200e6, f"{(200e6 - bps) / 1e6:.0f} "
                                f"MB/s, {100 * (1 - bps / 200e6):.0f}%")))
    else:
        targets.append((label, "samples.csv added no wall time", "met"))
else:
    targets.append((label,) + absent)
label = f"{LARGE_N:.0e} samples (summary and curve) in < 1 GiB"
if large:
    targets.append((label, f"{large['rss']:,.0f} MiB peak RSS "
                    f"({large['wall']:.1f} s, {NCPU} threads, --no-samples)",
                    verdict(large["rss"] < 1024,
                            f"{large['rss'] - 1024:,.0f} MiB")))
else:
    targets.append((label, "not run (BENCH_LARGE=1)", "not run"))


# report
def lscpu_model():
    try:
        for line in subprocess.run(["lscpu"], capture_output=True,
                                   text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def command():
    """bench/run.sh with the environment that shaped this report."""
    keys = ("BENCH_SIZES", "BENCH_NUMPY_SIZES", "BENCH_TARGET_SAMPLES",
            "BENCH_LARGE", "BENCH_LARGE_SAMPLES", "BENCH_DIR")
    pre = [f"{k}={os.environ[k]!r}" if " " in os.environ[k]
           else f"{k}={os.environ[k]}" for k in keys if k in os.environ]
    return " ".join(pre + ["bench/run.sh"])


def large_estimate():
    """Minutes for the large run, scaled from the largest all-cores
    --no-samples run."""
    m = max(SIZES)
    return LARGE_N / m * be[(m, NCPU, False)]["wall"] / 60, m


load = os.getloadavg()
all_threads = sorted({t for (_, t, _) in be})
md = []
md.append("# Benchmark results\n")
md.append(f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
md.append(f"- commit measured: {COMMIT}")
md.append(f"- CPU: {lscpu_model()}, {NCPU} logical CPUs; threads measured: "
          f"{', '.join(map(str, all_threads))}")
md.append(f"- load average before the report: {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f} (another job may have been running: treat the "
          "figures as indicative)")
md.append(f"- breakeven: `{EXE}`; numpy: Debian python3-numpy, /usr/bin/python3, "
          "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset; command: "
          f"`{command()}`\n")
md.append("## Targets (issue 5)\n")
md.append("Read from the figures below, never asserted.\n")
md.append("| target | measured | |")
md.append("| --- | --- | --- |")
for target, measured, result in targets:
    md.append(f"| {target} | {measured} | {result} |")
md.append("\n## Wall time\n")
md.append("| tool | samples | threads | samples.csv | wall s | samples/s | "
          "peak RSS MiB | parallel eff. | passes | pass 1 s / later s |")
md.append("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for tool, n, t, csv, wall, sps, rss, eff, passes, split in rows:
    md.append(f"| {tool} | {n:.0e} | {t} | {csv} | {wall:.2f} | {sps:,.0f} | "
              f"{rss:,.0f} | {'' if math.isnan(eff) else f'{eff:.2f}'} | "
              f"{'' if passes is None else passes} | {split} |")
md.append(f"| floor (bench/floor.c) | {nf:.0e} | 1 | no | "
          f"{float(kv['floor_seconds']):.2f} | {floor_sps:,.0f} | | | | |")
md.append("")
md.append("numpy is single-threaded (its wall time includes starting Python "
          "and importing numpy). Parallel efficiency = t1 / (T x tT). "
          "passes and the seconds of each come from breakeven's "
          "manifest.json (later s: passes 2 and after, summed); the wall "
          "time also counts the start, the files and the exit.")
for note in np_notes:
    md.append(f"\n{note}.")
md.append(f"\n## {LARGE_N:.0e} samples\n")
if large:
    md.append("breakeven, all cores, --no-samples (summary.csv and curve.csv "
              "only); issue 5's target: peak RSS under 1 GiB.\n")
    md.append("| samples | threads | wall s | samples/s | peak RSS MiB | "
              "passes | pass 1 s / later s | peak RSS < 1 GiB |")
    md.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    md.append(f"| {LARGE_N:.0e} | {NCPU} | {large['wall']:.2f} | "
              f"{LARGE_N / large['wall']:,.0f} | {large['rss']:,.0f} | "
              f"{'' if large['passes'] is None else large['passes']} | "
              f"{pass_split(large)} | "
              f"{'yes' if large['rss'] < 1024 else 'no'} |")
else:
    mins, m = large_estimate()
    md.append(f"The {LARGE_N:.0e}-sample run was not made: "
              f"`BENCH_LARGE=1 bench/run.sh` makes it (one run, all cores, "
              f"--no-samples; about {mins:.0f} minutes here, scaled from the "
              f"{m:.0e} run).")
md.append("\n## The generator floor\n")
md.append(f"floor.c draws the {kv['draws_per_sample']} non-fixed variates of "
          f"a sample (mc_rng_seek + mc_dist_sample each): {floor_sps:,.0f} "
          f"samples/s on 1 thread ({floor_all:,.0f} samples/s when the fixed "
          "inputs also go through seek + sample, as the engine's loop does).\n")
md.append("| samples | breakeven 1 thread, --no-samples, s | floor s | breakeven / floor |")
md.append("| ---: | ---: | ---: | ---: |")
for n in SIZES:
    fs = n / floor_sps
    md.append(f"| {n:.0e} | {be1[n]:.2f} | {fs:.3f} | {be1[n] / fs:.1f}x |")
md.append("\n### Cost per draw (seek + sample, 1 thread)\n")
md.append("| distribution | input | ns/draw |")
md.append("| --- | --- | ---: |")
for d, name, ns in dists:
    md.append(f"| {d} | {name} | {float(ns):.1f} |")
md.append("\n## samples.csv\n")
md.append("| samples | threads | samples.csv bytes | extra wall s | MB/s |")
md.append("| ---: | ---: | ---: | ---: | ---: |")
for n, t, size, extra, bps in csv_rows:
    md.append(f"| {n:.0e} | {t} | {size:,} | {extra:.2f} | {bps / 1e6:.1f} |")
md.append("\n`dd if=/dev/zero bs=1M conv=fsync`, same bytes, same disk "
          f"(`{WORK}`):\n")
md.append("| samples | bytes | wall s | MB/s |")
md.append("| ---: | ---: | ---: | ---: |")
for n, size, wall, bps in dd_rows:
    md.append(f"| {n:.0e} | {size:,} | {wall:.2f} | {bps / 1e6:.1f} |")
md.append("\n## numpy vs breakeven\n")
md.append("Quantiles of summary.csv (breakeven, all cores, --no-samples) "
          "against numpy's; SE = sqrt(2) x the binomial-order-statistic SE "
          "of numpy's quantile; PASS when |diff| < 4 SE.\n")
md.append("| samples | metric | p | breakeven | numpy | diff | SE | abs(diff)/SE | |")
md.append("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
for n, metric, p, b, q, diff, se, z, v in checks:
    md.append(f"| {n:.0e} | {metric} | {p} | {b:.4f} | {q:.4f} | {diff:+.4f} "
              f"| {se:.4f} | {z:.2f} | {v} |")
md.append(f"\nAgreement: **{'PASS' if ok and checks else 'FAIL'}**")
text = "\n".join(md) + "\n"
open(os.path.join(ROOT, "bench", "RESULTS.md"), "w").write(text)
print(text)
print("agreement:", "PASS" if ok and checks else "FAIL")
sys.exit(0 if ok and checks else 1)
