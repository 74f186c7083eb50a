#!/usr/bin/env python3
"""Checks that the golden runs' version-1 rows and columns are byte for byte
those of an earlier commit (default HEAD): after regenerating tests/golden
for version-2 additions (BREAKEVEN_GOLDEN_UPDATE=1), run
    python3 scripts/golden_v1_rows.py [COMMIT]
from the repository's top.  It compares summary.csv, curve.csv and
variants.csv rows of version-1 outputs, samples.csv's version-1 columns
and sensitivity.csv's Spearman columns (PRCC depends on the set of inputs)
of the runs of the built-in scenario (default, lhs)."""
import csv, io, subprocess, sys
REF = sys.argv[1] if len(sys.argv) > 1 else "HEAD"
V1OUT = ["training_gpu_hours","inference_gpu_hours_per_day","break_even_days","break_even_days_energy","multiplier","multiplier_energy","break_even_days_final_run","break_even_days_energy_final_run","multiplier_final_run","multiplier_energy_final_run","training_usd","inference_usd_per_day","required_gpu_hours_per_day","required_gpu_hours_per_day_energy"]
V1IN = ["final_run_gpu_hours","overhead","nodes","gpus_per_node","representativeness","monthly_growth","power_ratio","pue_ratio","lifetime_days","gpu_hour_usd"]
def old(path):
    return subprocess.run(["git","show",REF+":"+path],capture_output=True,text=True,check=True).stdout
def rows(text): return list(csv.reader(io.StringIO(text)))
def cmp_rows(path, keycols, keep):
    o=rows(old(path)); n=rows(open(path).read())
    assert o[0]==n[0], (path,"header")
    ki=[o[0].index(k) for k in keycols]
    od={tuple(r[i] for i in ki): r for r in o[1:] if keep(r,o[0])}
    nd={tuple(r[i] for i in ki): r for r in n[1:] if keep(r,n[0])}
    assert od.keys()==nd.keys(), (path, set(od)^set(nd))
    bad=[k for k in od if od[k]!=nd[k]]
    print(f"{path}: {len(od)} version-1 rows, {len(bad)} differ"+(f" e.g. {bad[:2]}" if bad else ""))
    return not bad
ok=True
for run in ["default","lhs"]:
    d=f"tests/golden/{run}"
    ok&=cmp_rows(d+"/summary.csv",["metric"],lambda r,h: r[0] in V1OUT)
    ok&=cmp_rows(d+"/curve.csv",["horizon_days","metric"],lambda r,h: r[1] in V1OUT)
    # sensitivity: spearman columns only for v1 inputs x v1 outputs (prcc depends on the input set)
    o=rows(old(d+"/sensitivity.csv")); n=rows(open(d+"/sensitivity.csv").read())
    od={(r[0],r[1]):r[2:5] for r in o[1:]}; nd={(r[0],r[1]):r[2:5] for r in n[1:] if (r[0],r[1]) in od}
    bad=[k for k in od if od[k]!=nd.get(k)]
    print(f"{d}/sensitivity.csv: {len(od)} version-1 (output, input) Spearman rows, {len(bad)} differ")
    ok&=not bad
import os
d="tests/golden/default"
# samples.csv: v1 columns
o=rows(old(d+"/samples.csv")); n=rows(open(d+"/samples.csv").read())
cols=o[0]
ni=[n[0].index(c) for c in cols]
bad=sum(1 for a,b in zip(o[1:],n[1:]) if a!=[b[i] for i in ni])
print(f"{d}/samples.csv: {len(o)-1} rows x {len(cols)} version-1 columns, {bad} rows differ; new columns {len(n[0])-len(cols)}")
ok&= bad==0 and len(o)==len(n)
for v in ["pue-uniform","traffic-decay","traffic-growth","v3-only","wide-overhead"]:
    ok&=cmp_rows(f"{d}/variants/{v}/summary.csv",["metric"],lambda r,h: r[0] in V1OUT)
    ok&=cmp_rows(f"{d}/variants/{v}/curve.csv",["horizon_days","metric"],lambda r,h: r[1] in V1OUT)
ok&=cmp_rows(d+"/variants.csv",["variant","metric"],lambda r,h: r[1] in V1OUT and r[0] not in ("ademe-grid","efficiency","spike-decay"))
print("ALL VERSION-1 ROWS IDENTICAL" if ok else "DIFFERENCES")
sys.exit(0 if ok else 1)
