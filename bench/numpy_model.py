#!/usr/bin/python3
"""The default breakeven scenario as an analyst would write it in numpy.

    numpy_model.py --samples N [--seed S] [--out DIR]

Same distributions as config/deepseek-v3-r1.json (drawn with numpy's PCG64,
so the results agree with breakeven only within Monte Carlo error), same
formulas as docs/MODEL.md, and the same statistics as summary.csv and
curve.csv.  Writes DIR/summary.csv, DIR/curve.csv and DIR/check.json (the
quantiles that bench/bench.py compares with breakeven, with their
binomial-order-statistic standard errors), and prints the compute time.
"""
import argparse
import json
import math
import os
import time

import numpy as np

P = [0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99]
CURVE_P = [0.05, 0.25, 0.50, 0.75, 0.95]
DAYS_PER_MONTH = 30.4375


def truncated(draw, n, lo, hi):
    """Rejection: redraw the values outside [lo, hi] until none is left."""
    x = draw(n)
    bad = np.flatnonzero((x < lo) | (x > hi))
    while bad.size:
        x[bad] = draw(bad.size)
        bad = bad[(x[bad] < lo) | (x[bad] > hi)]
    return x


def quantiles7(x, probs):
    """Type 7 quantiles (numpy's default) that treat +inf as a value:
    np.quantile gives NaN for inf - inf and for inf * 0."""
    n = x.size
    h = (n - 1) * np.asarray(probs)
    j = np.floor(h).astype(np.int64)
    k = np.minimum(j + 1, n - 1)
    part = np.partition(x, np.unique(np.concatenate([j, k])))
    lo, hi, g = part[j], part[k], h - j
    with np.errstate(invalid="ignore"):
        q = lo + g * (hi - lo)
    return np.where((g == 0) | (lo == hi), lo, q)


def order_stat_se(x, p):
    """SE of the p quantile from the binomial distribution of the number
    of values below it: half the distance between the order statistics
    at n p -+ sqrt(n p (1 - p))."""
    n = x.size
    s = math.sqrt(n * p * (1 - p))
    lo = max(int(math.floor(n * p - s)), 0)
    hi = min(int(math.ceil(n * p + s)), n - 1)
    part = np.partition(x, [lo, hi])
    return float((part[hi] - part[lo]) / 2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=float, default=1e6)
    ap.add_argument("--seed", type=int, default=20250227)
    ap.add_argument("--out", default="numpy-run")
    a = ap.parse_args()
    n = int(a.samples)
    t0 = time.perf_counter()
    rng = np.random.default_rng(a.seed)

    # Inputs (config/deepseek-v3-r1.json)
    F = 2664000.0 + 119000.0 + 5000.0 + 147000.0          # 2,935,000
    k = truncated(lambda m: rng.lognormal(math.log(2.2), 0.366, m), n,
                  1.0, np.inf)
    nodes, gpn, pue, usd = 226.75, 8.0, 1.0, 2.0
    R = rng.lognormal(0.0, 0.09, n)
    m = truncated(lambda s: rng.normal(-0.02, 0.06, s), n, -0.20, 0.25)
    lo, mode, hi = 0.45, 0.80, 1.05                       # PERT, lambda 4
    alpha = 1 + 4 * (mode - lo) / (hi - lo)
    beta = 1 + 4 * (hi - mode) / (hi - lo)
    r = lo + (hi - lo) * rng.beta(alpha, beta, n)
    L = rng.triangular(25.0, 175.0, 421.0, n)

    # Model (docs/MODEL.md)
    g = np.log1p(m) / DAYS_PER_MONTH
    T = k * F
    I0 = nodes * gpn * 24.0 * R
    energy = r * pue
    CL = I0 * np.expm1(g * L) / g

    def break_even(train):
        x = g * train / I0
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.log1p(x) / g
        t[x <= -1] = np.inf
        return t

    out = {
        "training_gpu_hours": T,
        "inference_gpu_hours_per_day": I0,
        "break_even_days": break_even(T),
        "break_even_days_energy": break_even(T / energy),
        "multiplier": 1 + T / CL,
        "multiplier_energy": 1 + T / (energy * CL),
        "break_even_days_final_run": break_even(F),
        "break_even_days_energy_final_run": break_even(F / energy),
        "multiplier_final_run": 1 + F / CL,
        "multiplier_energy_final_run": 1 + F / (energy * CL),
        "training_usd": usd * T,
        "inference_usd_per_day": usd * I0,
    }

    # summary.csv
    rows = []
    for name, x in out.items():
        fin = x[np.isfinite(x)]
        nf = fin.size
        mean = fin.mean() if nf else math.nan
        sd = fin.std(ddof=1) if nf > 1 else math.nan
        q = quantiles7(x, P)
        ple2 = (np.count_nonzero(x <= 2.0) / n
                if name.startswith("multiplier") else "")
        rows.append([name, n, n - nf, mean, sd, sd / math.sqrt(nf),
                     x.min(), *q, x.max(), ple2])

    # curve.csv: 73 horizons x 4 multipliers
    curve = []
    metrics = [("multiplier", T, 1.0, "break_even_days"),
               ("multiplier_energy", T, energy, "break_even_days_energy"),
               ("multiplier_final_run", F, 1.0, "break_even_days_final_run"),
               ("multiplier_energy_final_run", F, energy,
                "break_even_days_energy_final_run")]
    for h in range(10, 731, 10):
        C = I0 * np.expm1(g * h) / g
        for name, num, e, be in metrics:
            M = 1 + num / (e * C)
            curve.append([h, name, M.mean(), *np.quantile(M, CURVE_P),
                          np.count_nonzero(M <= 2.0) / n,
                          np.count_nonzero(out[be] <= h) / n])
    seconds = time.perf_counter() - t0

    # what bench.py compares, with SEs (not part of the timed model)
    check = {"samples": n, "seconds": seconds}
    for name in ("break_even_days", "multiplier"):
        x = out[name]
        for p in (0.05, 0.50, 0.95):
            check[f"{name}:{p}"] = {
                "q": float(quantiles7(x, [p])[0]),
                "se": order_stat_se(x, p)}

    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "summary.csv"), "w") as f:
        f.write("metric,n,never,mean,sd,mcse,min,p01,p05,p10,p25,p50,p75,"
                "p90,p95,p99,max,p_le_2\n")
        for row in rows:
            f.write(",".join(str(v) for v in row) + "\n")
    with open(os.path.join(a.out, "curve.csv"), "w") as f:
        f.write("horizon_days,metric,mean,p05,p25,p50,p75,p95,p_le_2,"
                "p_break_even\n")
        for row in curve:
            f.write(",".join(str(v) for v in row) + "\n")
    with open(os.path.join(a.out, "check.json"), "w") as f:
        json.dump(check, f, indent=1)
    print(f"numpy: {n} samples, {seconds:.3f} s")


if __name__ == "__main__":
    main()
