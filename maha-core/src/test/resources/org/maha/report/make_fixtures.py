#!/usr/bin/env python3
"""Writes report_case.json: a small made-up evaluation (3 categories, variants mvg and l2, 3 levels) and the
strings the HTML report must show for it, computed independently with scikit-learn and SciPy.

Run with the Debian python3 (numpy, scipy, scikit-learn):
    /usr/bin/python3 make_fixtures.py
Deterministic (numpy default_rng, fixed seed); rewrites report_case.json next to this file.

Numbers are formatted as Java's String.format("%.1f") does (round half up on the shortest decimal repr) and
thresholds as BigDecimal.round(MathContext(4)) does (half up on the exact binary value), so the expected strings
are exact. Level distances: good images sqrt(chi2_k) (a Gaussian's Mahalanobis distance), defective ones
sqrt(noncentral chi2_k); l2 divides by sqrt(k) (an RMS distance). The combined score is the mean over levels.
"""
import json
import math
import os
from decimal import ROUND_HALF_UP, Context, Decimal

import numpy as np
import scipy
import sklearn
from scipy.special import erf
from scipy.stats import chi2, sem
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240611
LEVELS = ["L0", "L1", "L2"]
DIMS = [4, 8, 16]
VARIANTS = ["mvg", "l2"]
HIST_LEVEL = 1  # the level the test asks the report to show in histograms and the sigma table
# name, train count, good count, {defect type: count}, noncentrality per level
CATEGORIES = [
    ("bottle", 40, 12, {"broken_large": 5, "contamination": 5}, [6.0, 10.0, 14.0]),
    ("metal nut", 35, 10, {"scratch": 8}, [3.0, 2.0, 12.0]),
    ("zipper", 50, 11, {"fabric_border": 4, "split_teeth": 5}, [1.0, 5.0, 4.0]),
]


def pct(x):
    """Java String.format(Locale.ROOT, "%.1f", 100 * x)."""
    return str(Decimal(repr(100 * x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def sig4(x):
    """Java new BigDecimal(x).round(new MathContext(4)).stripTrailingZeros().toPlainString()."""
    d = Context(prec=4, rounding=ROUND_HALF_UP).plus(Decimal(x)).normalize()
    return format(d, "f")


def main():
    rng = np.random.default_rng(SEED)
    cats = []
    aurocs = {v: {lv: [] for lv in LEVELS + ["combined"]} for v in VARIANTS}
    for name, n_train, n_good, defects, lam in CATEGORIES:
        types = ["good"] * n_good + [t for t, n in defects.items() for _ in range(n)]
        labels = np.array([t != "good" for t in types])
        n = len(types)
        paths = []
        counters = {}
        for t in types:
            counters[t] = counters.get(t, 0) + 1
            paths.append(f"{name}/test/{t}/{counters[t] - 1:03d}.png")
        variants = []
        for v in VARIANTS:
            dist = np.empty((n, len(LEVELS)))
            for j, k in enumerate(DIMS):
                good = np.sqrt(rng.chisquare(k, size=n))
                bad = np.sqrt(rng.noncentral_chisquare(k, lam[j], size=n))
                d = np.where(labels, bad, good)
                dist[:, j] = d / math.sqrt(k) if v == "l2" else d
            score = dist.mean(axis=1)
            level_auroc = [float(roc_auc_score(labels, dist[:, j])) for j in range(len(LEVELS))]
            comb = float(roc_auc_score(labels, score))
            for j, lv in enumerate(LEVELS):
                aurocs[v][lv].append(level_auroc[j])
            aurocs[v]["combined"].append(comb)
            sigma = []
            if v == "mvg":
                d = dist[:, HIST_LEVEL]
                for s in range(1, 6):
                    t = math.sqrt(chi2.ppf(erf(s / math.sqrt(2)), DIMS[HIST_LEVEL]))
                    g_above = int((d[~labels] > t).sum())
                    b_above = int((d[labels] > t).sum())
                    sigma.append({"sigma": s, "threshold": t, "thresholdText": sig4(t),
                                  "fprText": f"{pct(g_above / (~labels).sum())} ({g_above}/{(~labels).sum()})",
                                  "tprText": f"{pct(b_above / labels.sum())} ({b_above}/{labels.sum()})"})
            order = sorted(range(n), key=lambda i: (-score[i], paths[i]))
            variants.append({
                "variant": v,
                "levelAuroc": level_auroc,
                "combinedAuroc": comb,
                "levelAurocText": [pct(a) for a in level_auroc],
                "combinedAurocText": pct(comb),
                "sigma": sigma,
                "highestFirst": [paths[i] for i in order],
                "images": [{"path": paths[i], "defectType": types[i], "anomalous": bool(labels[i]),
                            "score": float(score[i]), "levelDistances": [float(x) for x in dist[i]]}
                           for i in range(n)],
            })
        cats.append({"category": name, "nTrain": n_train, "nTest": n, "variants": variants})
    summary = {}
    for v in VARIANTS:
        summary[v] = {}
        for lv in LEVELS + ["combined"]:
            a = np.array(aurocs[v][lv])
            summary[v][lv] = f"{pct(float(a.mean()))} ± {pct(float(sem(a, ddof=1)))}"
    out = {
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__,
                     "script": "make_fixtures.py", "seed": SEED},
        "levels": LEVELS, "dims": DIMS, "variants": VARIANTS, "histogramLevel": LEVELS[HIST_LEVEL],
        "summaryText": summary, "categories": cats,
    }
    with open(os.path.join(HERE, "report_case.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"), ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
