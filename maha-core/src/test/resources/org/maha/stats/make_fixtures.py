#!/usr/bin/env python3
"""Writes the scikit-learn / SciPy reference values that org.maha.stats tests compare against.

Needs the Debian packages python3-numpy, python3-sklearn and python3-scipy (run with /usr/bin/python3):
    /usr/bin/python3 make_fixtures.py
Deterministic (fixed seeds); rewrites ledoit_wolf_cases.json, ledoit_wolf_blocks.json, pca_cases.json and
chi2_cases.json next to this file.
All floats are written with repr(), so they round-trip exactly into Java doubles.
"""
import json
import math
import os
import warnings

import numpy as np
import scipy
import sklearn
from scipy.stats import chi2
from sklearn.covariance import LedoitWolf
from sklearn.decomposition import PCA

HERE = os.path.dirname(os.path.abspath(__file__))
VERSIONS = {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__,
            "script": "make_fixtures.py"}


def dump(name, payload):
    payload = {"versions": VERSIONS, **payload}
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(payload, f, indent=None, separators=(",", ":"))
        f.write("\n")


def lw_case(name, X, Y):
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Only one sample available" for the n == 1 case
        lw = LedoitWolf().fit(X)
        mahal_x = np.sqrt(lw.mahalanobis(X)).tolist() if X.shape[0] > 1 else None
        mahal_y = np.sqrt(lw.mahalanobis(Y)).tolist() if X.shape[0] > 1 else None
    return {
        "name": name,
        "x": X.tolist(),
        "y": Y.tolist(),
        "location": lw.location_.tolist(),
        "covariance": lw.covariance_.tolist(),
        "shrinkage": float(lw.shrinkage_),
        "mahalanobis_x": mahal_x,
        "mahalanobis_y": mahal_y,
    }


def ledoit_wolf_fixtures():
    rng = np.random.default_rng(20240607)
    cases = []
    worked = [[1, 2, 0], [3, 5, 1], [4, 4, 2], [0, 1, 1], [2, 2, 2], [5, 3, 0]]
    cases.append(lw_case("paper_worked_6x3", worked, [[6, 0, 3]]))
    for n, d in [(10, 40), (50, 8), (30, 30), (150, 12)]:  # 150 rows span three 64-row blocks
        mix = rng.normal(size=(d, d)) / math.sqrt(d)
        X = rng.normal(size=(n, d)) @ mix + rng.normal(size=d)
        Y = rng.normal(size=(5, d)) @ mix * 1.5
        cases.append(lw_case(f"random_{n}x{d}", X, Y))
    # Large common offset: the features' mean is 1e4 times their spread (catastrophic cancellation check).
    d = 6
    X = 1e4 * (1.0 + rng.uniform(size=d)) + rng.normal(size=(130, d)) @ rng.normal(size=(d, d))
    Y = X[:5] + rng.normal(size=(5, d))
    cases.append(lw_case("offset_1e4_130x6", X, Y))
    X = rng.normal(size=(20, 1)) * 3 + 7
    cases.append(lw_case("one_feature_20x1", X, rng.normal(size=(4, 1)) * 3 + 7))
    cases.append(lw_case("one_sample_1x3", [[1.0, 2.0, 3.0]], [[0.0, 0.0, 0.0]]))
    dump("ledoit_wolf_cases.json", {"cases": cases})


def block_x(n, d, shift):
    """Rows defined by a formula (LedoitWolfTest.blockRows computes the same, to an ulp), so the file holds no X."""
    return np.array([[3.0 + math.sin(0.37 * i + 1.3 * j) + 0.5 * math.cos(0.11 * i * (j % 5 + 1))
                      + 0.2 * math.sin(0.013 * i * j) + 0.01 * j + shift for j in range(d)] for i in range(n)])


def ledoit_wolf_block_fixtures():
    """A case large enough for the native kernels (d >= 64) and several 256-row blocks of the accumulator."""
    n, d = 700, 96
    X = block_x(n, d, 0.0)
    Y = block_x(5, d, 0.3)
    lw = LedoitWolf().fit(X)
    dump("ledoit_wolf_blocks.json", {"cases": [{
        "name": f"formula_{n}x{d}", "n": n, "d": d, "y_shift": 0.3,
        "location": lw.location_.tolist(), "covariance": lw.covariance_.tolist(), "shrinkage": float(lw.shrinkage_),
        "mahalanobis_y": np.sqrt(lw.mahalanobis(Y)).tolist()}]})


def official_slice(ratio, t, negated):
    """The official rule (gaussian/model.py compute_pca), applied to index ranges."""
    c = int((np.cumsum(ratio) > t).argmax())
    idx = list(range(len(ratio)))
    kept = idx[c - 1:] if negated else idx[:c + 1]
    return c, [kept[0], kept[-1] + 1]


def pca_fixtures():
    rng = np.random.default_rng(777)
    thresholds = [0.95, 0.99, 0.999, 0.9999]
    fits = []
    for name, n, d, dominant in [("n_lt_d_12x20", 12, 20, False), ("n_gt_d_60x10", 60, 10, False),
                                 ("dominant_first_40x5", 40, 5, True)]:
        scales = np.geomspace(10.0, 0.01, d)
        X = rng.normal(size=(n, d)) * scales @ np.linalg.qr(rng.normal(size=(d, d)))[0] + rng.normal(size=d)
        if dominant:  # first component alone carries > 99.99 % of the variance → c == 0
            X = rng.normal(size=(n, d)) * np.array([1000.0, 1.0, 0.5, 0.2, 0.1]) + 3.0
        pca = PCA(n_components=None).fit(X)
        cum = np.cumsum(pca.explained_variance_ratio_)
        selections = []
        for t in thresholds:
            # keep fixtures away from ties with rounding: no cumulative sum within 1e-9 of a threshold
            assert np.min(np.abs(cum - t)) > 1e-9, (name, t)
            for negated in (False, True):
                c, rng_ = official_slice(pca.explained_variance_ratio_, t, negated)
                selections.append({"threshold": t, "negated": negated, "c": c, "range": rng_})
        fits.append({
            "name": name,
            "x": X.tolist(),
            "mean": pca.mean_.tolist(),
            "components": pca.components_.tolist(),
            "explained_variance": pca.explained_variance_.tolist(),
            "explained_variance_ratio": pca.explained_variance_ratio_.tolist(),
            "transform_first3": pca.transform(X[:3]).tolist(),
            "selections": selections,
        })
    # The rule on hand-made ratio vectors, including "no cumulative sum exceeds t" (numpy argmax of all-False = 0).
    rule_cases = []
    for ratio in ([0.5, 0.25, 0.125, 0.125], [0.9, 0.05, 0.03, 0.02], [0.99995, 0.00004, 0.00001],
                  [0.4, 0.3, 0.2, 0.1]):
        for t in (0.5, 0.8, 0.95, 0.99, 0.999, 0.9999, 1.0):
            for negated in (False, True):
                c, rng_ = official_slice(np.array(ratio), t, negated)
                rule_cases.append({"ratio": ratio, "threshold": t, "negated": negated, "c": c, "range": rng_})
    dump("pca_cases.json", {"fits": fits, "rule_cases": rule_cases})


def chi2_fixtures():
    rows = []
    for k in [1, 2, 3, 16, 48, 112, 192, 272, 448, 1280, 1792, 2560]:
        for sigma in range(1, 9):
            p = math.erf(sigma / math.sqrt(2.0))  # as the official code: erf in float64, then chi2.ppf(p, k)
            rows.append({"k": k, "sigma": sigma, "p": p, "threshold": float(np.sqrt(chi2.ppf(p, k)))})
    fpr = [{"sigma": s, "fpr": float(scipy.special.erfc(s / math.sqrt(2.0)))} for s in range(1, 9)]
    dump("chi2_cases.json", {"thresholds": rows, "predicted_fpr": fpr})


if __name__ == "__main__":
    ledoit_wolf_fixtures()
    ledoit_wolf_block_fixtures()
    pca_fixtures()
    chi2_fixtures()
