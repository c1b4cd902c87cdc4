#!/usr/bin/env python3
"""Writes the reference values that org.maha.eval.PixelMetricsTest compares against.

Needs the Debian packages python3-numpy, python3-scipy and python3-sklearn (run with /usr/bin/python3):
    /usr/bin/python3 make_pixel_fixtures.py
Deterministic (fixed seed); rewrites pixel_cases.json next to this file.

Pixel AUROC: sklearn.metrics.roc_auc_score over all pixels of all images of a case.
AU-PRO: computed here from its definition (Bergmann et al. 2021, IJCV, "The MVTec Anomaly Detection Dataset"),
independently of the fast cumulative-sum code: for every distinct score t (highest first),
    FPR(t) = (# defect-free pixels with score >= t) / (# defect-free pixels)
    PRO(t) = mean over all ground-truth regions r of (# pixels of r with score >= t) / |r|
where the regions are the 8-connected components of each image's mask
(scipy.ndimage.label(mask, structure=np.ones((3, 3))), as the MVTec evaluation code's compute_pro). The curve
(0, 0), points..., (1, 1) is integrated with the trapezoidal rule up to FPR 0.3, interpolated linearly at 0.3
(the evaluation code's trapezoid(x, y, x_max)), and divided by 0.3. All in float64; scores are float32 values.
As a cross-check the script also runs the evaluation code's algorithm (sort all pixels once, cumulative sums of
per-pixel FP and 1/|region| changes, keep the last point of each run of equal scores), in float64 where that code
casts FPRs to float32, and asserts both agree to 1e-12.
"""
import json
import os
from bisect import bisect

import numpy as np
import scipy
import scipy.ndimage
import sklearn
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
VERSIONS = {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__,
            "script": "make_pixel_fixtures.py"}
LIMIT = 0.3


def trapezoid(x, y, x_max):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    correction = 0.0
    if x_max not in x:
        ins = bisect(x, x_max)
        assert 0 < ins < len(x)
        y_interp = y[ins - 1] + (y[ins] - y[ins - 1]) * (x_max - x[ins - 1]) / (x[ins] - x[ins - 1])
        correction = 0.5 * (y_interp + y[ins - 1]) * (x_max - x[ins - 1])
    keep = x <= x_max
    x = x[keep]
    y = y[keep]
    return float(np.sum(0.5 * (y[1:] + y[:-1]) * (x[1:] - x[:-1])) + correction)


def pro_by_definition(maps, masks):
    structure = np.ones((3, 3), dtype=int)
    regions = []  # (image index, boolean region mask)
    for i, m in enumerate(masks):
        labeled, n = scipy.ndimage.label(m, structure)
        for k in range(1, n + 1):
            regions.append((i, labeled == k))
    ok = [~m.astype(bool) for m in masks]
    n_ok = sum(int(o.sum()) for o in ok)
    thresholds = np.unique(np.concatenate([m.ravel() for m in maps]).astype(np.float64))[::-1]
    fprs = [0.0]
    pros = [0.0]
    for t in thresholds:
        fp = sum(int((maps[i][ok[i]] >= t).sum()) for i in range(len(maps)))
        overlaps = [float((maps[i][r] >= t).sum()) / float(r.sum()) for i, r in regions]
        fprs.append(fp / n_ok)
        pros.append(float(np.mean(overlaps)))
    fprs.append(1.0)
    pros.append(1.0)
    return trapezoid(fprs, pros, LIMIT) / LIMIT, len(regions), fprs, pros


def pro_by_cumsum(maps, masks):
    structure = np.ones((3, 3), dtype=int)
    fp_changes, pro_changes, n_ok, n_regions = [], [], 0, 0
    for m in masks:
        labeled, n = scipy.ndimage.label(m, structure)
        n_regions += n
        ok = labeled == 0
        n_ok += int(ok.sum())
        pro = np.zeros(m.shape, dtype=np.float64)
        for k in range(1, n + 1):
            region = labeled == k
            pro[region] = 1.0 / region.sum()
        fp_changes.append(ok.astype(np.float64).ravel())
        pro_changes.append(pro.ravel())
    scores = np.concatenate([m.ravel() for m in maps])
    order = np.argsort(scores, kind="stable")[::-1]
    scores = scores[order]
    fprs = np.cumsum(np.concatenate(fp_changes)[order]) / n_ok
    pros = np.cumsum(np.concatenate(pro_changes)[order]) / n_regions
    keep = np.append(np.diff(scores) != 0, True)
    fprs = np.concatenate(([0.0], np.minimum(fprs[keep], 1.0), [1.0]))
    pros = np.concatenate(([0.0], np.minimum(pros[keep], 1.0), [1.0]))
    return trapezoid(fprs, pros, LIMIT) / LIMIT


def case(name, maps, masks):
    maps = [np.asarray(m, dtype=np.float32) for m in maps]
    masks = [np.asarray(m, dtype=bool) for m in masks]
    scores = np.concatenate([m.ravel() for m in maps]).astype(np.float64)
    labels = np.concatenate([m.ravel() for m in masks])
    out = {"name": name,
           "images": [{"width": int(m.shape[1]), "height": int(m.shape[0]),
                       "scores": m.astype(np.float64).ravel().tolist(),
                       "mask": k.astype(int).ravel().tolist()} for m, k in zip(maps, masks)],
           "defect_pixels": int(labels.sum())}
    if labels.any() and not labels.all():
        aupro, n_regions, fprs, pros = pro_by_definition(maps, masks)
        assert abs(aupro - pro_by_cumsum(maps, masks)) < 1e-12, name
        out.update({"auroc": float(roc_auc_score(labels, scores)), "aupro": aupro, "regions": n_regions,
                    "fpr": fprs, "pro": pros})
    else:
        out["regions"] = int(sum(scipy.ndimage.label(k, np.ones((3, 3), dtype=int))[1] for k in masks))
    return out


def blobs(rng, h, w, count):
    m = np.zeros((h, w), dtype=bool)
    for _ in range(count):
        cy, cx = rng.integers(0, h), rng.integers(0, w)
        ry, rx = rng.integers(1, 4), rng.integers(1, 5)
        m[max(0, cy - ry):cy + ry, max(0, cx - rx):cx + rx] = True
    return m


def main():
    rng = np.random.default_rng(20211)
    cases = []
    # Continuous scores, several images, several regions of different sizes: defect pixels score higher on average.
    maps, masks = [], []
    for (h, w, n) in [(18, 22, 3), (16, 16, 0), (20, 14, 2), (12, 25, 1)]:
        m = blobs(rng, h, w, n)
        maps.append(rng.normal(size=(h, w)) + 1.5 * m + 0.3 * rng.normal(size=(h, w)) * m)
        masks.append(m)
    cases.append(case("continuous, 4 images, one defect-free", maps, masks))
    # Heavy ties: scores quantised to 6 levels, so thresholds group pixels of both classes.
    maps_q = [np.round(np.clip(m, -1.5, 2.0) * 1.5) / 1.5 for m in maps]
    cases.append(case("quantised scores (ties across classes and images)", maps_q, masks))
    # Diagonal touching pixels: one region under 8-connectivity, two under 4-connectivity.
    m = np.zeros((6, 6), dtype=bool)
    m[1, 1] = m[2, 2] = m[3, 3] = True
    m[4, 0] = True
    cases.append(case("diagonal chain is one region", [rng.normal(size=(6, 6)) + 2 * m], [m]))
    # Perfect separation and inverted separation.
    m = blobs(rng, 10, 12, 2)
    cases.append(case("perfect map", [m.astype(float) * 5 + rng.uniform(0, 1, size=m.shape)], [m]))
    cases.append(case("inverted map", [-(m.astype(float) * 5 + rng.uniform(0, 1, size=m.shape))], [m]))
    # Constant map: one threshold, the curve is the diagonal, AUROC 1/2, AU-PRO 0.15.
    cases.append(case("constant map", [np.full((7, 9), 0.25)], [blobs(rng, 7, 9, 1)]))
    # The 0.3 limit lands exactly on a curve point: 10 defect-free pixels, 3 of them at or above 5.
    m = np.zeros((1, 13), dtype=bool)
    m[0, [0, 2, 5]] = True
    s = np.array([[9, 8, 7, 6, 5, 4, 1, 1, 1, 1, 1, 1, 1]], dtype=float)
    cases.append(case("limit on a curve point", [s], [m]))
    # Undefined: no defect pixel, all defect.
    cases.append(case("no defect pixels", [rng.normal(size=(5, 5))], [np.zeros((5, 5), bool)]))
    cases.append(case("all defect", [rng.normal(size=(4, 5))], [np.ones((4, 5), bool)]))
    with open(os.path.join(HERE, "pixel_cases.json"), "w") as f:
        json.dump({"versions": VERSIONS, "fpr_limit": LIMIT, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
