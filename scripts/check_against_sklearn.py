#!/usr/bin/env python3
"""Independent check of maha's numbers with numpy + scikit-learn (Debian: python3-sklearn).

Usage:
  check_against_sklearn.py model MODEL.maha EMBED_DIR     # model arrays vs sklearn LedoitWolf on `maha embed` output
  check_against_sklearn.py scores REPORT_DIR              # auroc.csv vs roc_auc_score on scores.csv

Never needed to build, test or run maha; it is here so anyone can verify the Java results.
"""
import csv, io, json, sys, zipfile
from collections import defaultdict

import numpy as np
from sklearn.covariance import LedoitWolf
from sklearn.metrics import roc_auc_score


def rel(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def check_model(model, embed):
    z = zipfile.ZipFile(model)
    m = json.loads(z.read("manifest.json"))
    meta = json.load(open(f"{embed}/embed.json"))
    worst = 0.0
    for lvl, e in zip(m["levels"], meta["levels"]):
        assert lvl["name"] == e["name"], (lvl["name"], e["name"])
        if lvl["kind"] != "mvg":
            print(f"{lvl['name']}: kind {lvl['kind']}, skipped")
            continue
        x = np.load(f"{embed}/{e['file']}").astype(np.float64)
        lw = LedoitWolf().fit(x)
        arr = lambda k: np.load(io.BytesIO(z.read(lvl["arrays"][k])))
        d_cov = rel(arr("covariance"), lw.covariance_)
        d_mean = rel(arr("mean"), lw.location_)
        d_s = abs(lvl["shrinkage"] - lw.shrinkage_) / max(abs(lw.shrinkage_), 1e-300)
        L = arr("cholesky")
        d_chol = rel(L @ L.T, lw.covariance_)
        worst = max(worst, d_cov, d_mean, d_s, d_chol)
        print(f"{lvl['name']:>10} n={x.shape[0]} d={x.shape[1]:>5} shrinkage {lw.shrinkage_:.6f}  "
              f"rel.diff cov {d_cov:.1e} mean {d_mean:.1e} shrinkage {d_s:.1e} LLt {d_chol:.1e}")
    print(f"worst relative difference {worst:.2e} -> {'OK' if worst <= 1e-10 else 'FAIL'}")
    return worst <= 1e-10


def check_scores(report):
    groups = defaultdict(lambda: ([], defaultdict(list)))
    with open(f"{report}/scores.csv", newline="") as f:  # quoted fields may hold line breaks
        r = csv.DictReader(f)
        dcols = [c for c in r.fieldnames if c.startswith("d_")]
        for row in r:
            y, per = groups[(row["category"], row["variant"], row["fold"])]
            y.append(int(row["label"]))
            per["combined"].append(float(row["score"]))
            for c in dcols:
                per[c[2:]].append(float(row[c]))
    def ref_auroc(cat, var, fold, level):
        if fold == "mean":  # PAPER §1.8: mean over folds of the per-fold AUROCs
            folds = sorted({k[2] for k in groups if k[:2] == (cat, var)})
            return float(np.mean([ref_auroc(cat, var, f, level) for f in folds]))
        y, per = groups[(cat, var, fold)]
        return roc_auc_score(y, per[level])

    worst, n = 0.0, 0
    with open(f"{report}/auroc.csv", newline="") as f:
        for row in csv.DictReader(f):
            ref = ref_auroc(row["category"], row["variant"], row["fold"], row["level"])
            worst = max(worst, abs(ref - float(row["auroc"])))
            n += 1
    print(f"{n} AUROCs compared with roc_auc_score: max abs difference {worst:.1e} -> {'OK' if worst <= 1e-12 else 'FAIL'}")
    return worst <= 1e-12


if __name__ == "__main__":
    ok = check_model(sys.argv[2], sys.argv[3]) if sys.argv[1] == "model" else check_scores(sys.argv[2])
    sys.exit(0 if ok else 1)
