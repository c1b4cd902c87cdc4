#!/usr/bin/env python3
"""Writes the scikit-learn / SciPy reference values that org.maha.eval tests compare against.

Needs the Debian packages python3-numpy, python3-sklearn and python3-scipy (run with /usr/bin/python3):
    /usr/bin/python3 make_fixtures.py
Deterministic (fixed seed); rewrites roc_cases.json and mean_sem_cases.json next to this file.
roc_curve's first threshold is sklearn 1.2's "max score + 1"; sklearn >= 1.3 and maha use +inf there, so the
fixture stores the sklearn value as written and the tests check the leading point separately.
"""
import json
import os

import numpy as np
import scipy
import scipy.stats
import sklearn
from sklearn.metrics import roc_auc_score, roc_curve

HERE = os.path.dirname(os.path.abspath(__file__))
VERSIONS = {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__,
            "script": "make_fixtures.py"}


def dump(name, payload):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump({"versions": VERSIONS, **payload}, f, separators=(",", ":"))
        f.write("\n")


def roc_case(name, scores, labels):
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=bool)
    fpr, tpr, thr = roc_curve(labels, scores, drop_intermediate=False)
    return {"name": name, "scores": scores.tolist(), "anomalous": labels.tolist(),
            "auroc": float(roc_auc_score(labels, scores)),
            "fpr": fpr.tolist(), "tpr": tpr.tolist(), "thresholds": thr.tolist()}


def main():
    rng = np.random.default_rng(31337)
    cases = []
    y = rng.uniform(size=60) < 0.4
    cases.append(roc_case("continuous_60", rng.normal(size=60) + 0.8 * y, y))
    y = rng.uniform(size=200) < 0.3
    cases.append(roc_case("integer_heavy_ties_200", rng.integers(0, 4, size=200) + y * rng.integers(0, 2, size=200), y))
    y = rng.uniform(size=40) < 0.5
    cases.append(roc_case("rounded_ties_40", np.round(rng.normal(size=40) + y, 1), y))
    cases.append(roc_case("all_tied_10", np.full(10, 2.5), [i % 3 == 0 for i in range(10)]))
    cases.append(roc_case("perfect_8", [0.1, 0.2, 0.3, 0.4, 1.1, 1.2, 1.3, 1.4], [False] * 4 + [True] * 4))
    cases.append(roc_case("inverted_6", [5.0, 4.0, 3.0, 2.0, 1.0, 0.0], [False] * 4 + [True] * 2))
    cases.append(roc_case("signed_zero_7", [-0.0, 0.0, 3.0, -1.0, 1.0, 1.0, -2.0],
                          [True, False, True, False, True, False, False]))
    y = rng.uniform(size=1000) < 0.1
    cases.append(roc_case("imbalanced_1000", np.round(rng.exponential(size=1000) * (1 + y), 2), y))
    dump("roc_cases.json", {"cases": cases})

    sems = []
    for name, values in [("fifteen_categories", rng.uniform(0.8, 1.0, size=15)),
                         ("two", [0.25, 0.75]), ("with_offset", 1e6 + rng.normal(size=7)),
                         ("npca_table_v", [1.000, 0.897, 1.000, 0.998, 0.996, 1.000, 0.950, 0.951, 0.991,
                                           0.947, 0.887, 0.852, 0.969, 0.955, 0.979])]:
        values = np.asarray(values, dtype=np.float64)
        sems.append({"name": name, "values": values.tolist(), "mean": float(np.mean(values)),
                     "sem": float(scipy.stats.sem(values, ddof=1))})
    dump("mean_sem_cases.json", {"cases": sems})


if __name__ == "__main__":
    main()
