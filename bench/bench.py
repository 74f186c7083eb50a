#!/usr/bin/python3
"""bench/run.sh's driver: breakeven vs numpy vs the generator floor.
Environment: BREAKEVEN_EXE, FLOOR_EXE, BENCH_DIR (scratch, default
build-bench/runs), BENCH_SIZES (default "1e6 1e7"; BENCH_LARGE=1 adds 1e8)."""
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
SIZES = [int(float(s)) for s in
         os.environ.get("BENCH_SIZES", "1e6 1e7").split()]
if os.environ.get("BENCH_LARGE") == "1" and 10**8 not in SIZES:
    SIZES.append(10**8)
NCPU = os.cpu_count() or 1
THREADS = [1] if NCPU == 1 else [1, NCPU]
os.makedirs(WORK, exist_ok=True)


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


rows = []   # (tool, samples, threads, csv, wall, samples/s, rss, eff)
be = {}     # (n, t, csv) -> (wall, rss, csv bytes)
summaries = {}
for n in SIZES:
    for t in THREADS:
        for csv in (False, True):
            out = os.path.join(WORK, f"be-{n}-{t}-{int(csv)}")
            cmd = [EXE, "--samples", str(n), "--threads", str(t),
                   "--out", out, "--quiet"] + ([] if csv else ["--no-samples"])
            log(f"bench: breakeven {n} samples, {t} thread(s), "
                f"samples.csv {'on' if csv else 'off'}")
            wall, rss, _ = timed(cmd)
            size = (os.path.getsize(os.path.join(out, "samples.csv"))
                    if csv else 0)
            be[(n, t, csv)] = (wall, rss, size)
            if not csv and t == THREADS[-1]:
                summaries[n] = open(os.path.join(out, "summary.csv")).read()
            shutil.rmtree(out)
    for t in THREADS:
        for csv in (False, True):
            wall, rss, _ = be[(n, t, csv)]
            eff = be[(n, 1, csv)][0] / (t * wall) if t > 1 else 1.0
            rows.append(("breakeven", n, t, "yes" if csv else "no", wall,
                         n / wall, rss, eff))

# numpy
env = dict(os.environ)
env.pop("OPENBLAS_CORETYPE", None)
env.pop("OPENBLAS_L2_SIZE", None)
np_res, np_notes = {}, []
for n in SIZES:
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
    rows.append(("numpy", n, 1, "no", wall, n / wall, rss, math.nan))
    if n == 10**8:
        shutil.rmtree(out)

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
        w1, _, size = be[(n, t, True)]
        w0 = be[(n, t, False)][0]
        csv_rows.append((n, t, size, w1 - w0,
                         size / (w1 - w0) if w1 > w0 else math.nan))
dd_rows = []
for n in SIZES:
    size = be[(n, THREADS[-1], True)][2]
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

be1 = {n: be[(n, 1, False)][0] for n in SIZES}
load = os.getloadavg()
md = []
md.append("# Benchmark results\n")
md.append(f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
md.append(f"- CPU: {lscpu_model()}, {NCPU} logical CPUs; threads measured: "
          f"{', '.join(map(str, THREADS))}")
md.append(f"- load average before the report: {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f} (another job may have been running: treat the "
          "figures as indicative)")
md.append(f"- breakeven: `{EXE}`; numpy: Debian python3-numpy, /usr/bin/python3, "
          "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset; command: `bench/run.sh`\n")
md.append("## Wall time\n")
md.append("| tool | samples | threads | samples.csv | wall s | samples/s | peak RSS MiB | parallel eff. |")
md.append("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
for tool, n, t, csv, wall, sps, rss, eff in rows:
    md.append(f"| {tool} | {n:.0e} | {t} | {csv} | {wall:.2f} | {sps:,.0f} | "
              f"{rss:,.0f} | {'' if math.isnan(eff) else f'{eff:.2f}'} |")
md.append(f"| floor (bench/floor.c) | {nf:.0e} | 1 | no | "
          f"{float(kv['floor_seconds']):.2f} | {floor_sps:,.0f} | | |")
md.append("")
md.append("numpy is single-threaded (its wall time includes starting Python "
          "and importing numpy). Parallel efficiency = t1 / (T x tT).")
for note in np_notes:
    md.append(f"\n{note}.")
if 10**8 not in SIZES:
    md.append("\n1e8 samples not run (BENCH_LARGE=1 runs it: about 20 GB "
              "and minutes).")
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
