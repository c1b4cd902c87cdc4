#!/usr/bin/env python3
"""Writes the reference values that the org.maha.maps tests compare against.

Needs the Debian packages python3-numpy, python3-scipy, python3-sklearn and python3-torch
(run with /usr/bin/python3):
    /usr/bin/python3 make_fixtures.py
Deterministic (fixed seed); rewrites maps_cases.json next to this file.

- position Gaussians: per grid position, sklearn.covariance.LedoitWolf().fit(X_p) on the N x C features of that
  position (X_p rounded to float32 first: grids are float32), and the Mahalanobis distance of test grids
  sqrt(d^T cov^-1 d) by numpy.linalg.solve;
- bilinear: torch.nn.functional.interpolate(mode='bilinear', align_corners=False) on float64 tensors (so the
  reference runs in float64 as the Java does);
- smoothing: scipy.ndimage.gaussian_filter(map, sigma) with its defaults truncate=4.0, mode='reflect', float64;
- level concatenation: PaDiM's embedding_concat (F.unfold / F.fold with kernel and stride s = H1 / H2), written
  below as PaDiM's code does it, for integer ratios; F.interpolate(mode='nearest') then torch.cat for others;
- whole map: PaDiM's test path on the level grids (embedding_concat, the channel subset, per-position
  Mahalanobis, F.interpolate bilinear to the image size, gaussian_filter sigma 4) with Ledoit-Wolf covariances in
  place of PaDiM's cov + 0.01 I, all in float64;
- channel subset: the rule of org.maha.maps.ChannelSubset (partial Fisher-Yates driven by SplitMix64), written out
  below from its definition.
"""
import json
import os

import numpy as np
import scipy
import scipy.ndimage
import sklearn
import torch
import torch.nn.functional as F
from sklearn.covariance import LedoitWolf

HERE = os.path.dirname(os.path.abspath(__file__))
VERSIONS = {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__,
            "torch": torch.__version__, "script": "make_fixtures.py"}
M64 = (1 << 64) - 1


def splitmix64(seed):
    state = seed & M64
    while True:
        state = (state + 0x9E3779B97F4A7C15) & M64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        yield z ^ (z >> 31)


def channel_subset(total, count, seed):
    order = list(range(total))
    rng = splitmix64(seed)
    for i in range(count):
        j = i + ((next(rng) >> 1) % (total - i))
        order[i], order[j] = order[j], order[i]
    return sorted(order[:count])


def embedding_concat(x, y):
    b, c1, h1, w1 = x.size()
    _, c2, h2, w2 = y.size()
    s = int(h1 / h2)
    x = F.unfold(x, kernel_size=s, dilation=1, stride=s)
    x = x.view(b, c1, -1, h2, w2)
    z = torch.zeros(b, c1 + c2, x.size(2), h2, w2, dtype=x.dtype)
    for i in range(x.size(2)):
        z[:, :, i, :, :] = torch.cat((x[:, :, i, :, :], y), 1)
    z = z.view(b, -1, h2 * w2)
    return F.fold(z, kernel_size=s, output_size=(h1, w1), stride=s)


def concat_case(rng, shapes, padim):
    levels = [torch.from_numpy(rng.normal(size=(1,) + s).astype(np.float32)) for s in shapes]
    if padim:
        z = levels[0]
        for y in levels[1:]:
            z = embedding_concat(z, y)
    else:
        h, w = shapes[0][1:]
        z = torch.cat([levels[0]] + [F.interpolate(y, size=(h, w), mode="nearest") for y in levels[1:]], 1)
    return {"shapes": [list(s) for s in shapes], "levels": [l[0].numpy().astype(np.float64).ravel().tolist()
                                                           for l in levels],
            "out": z[0].numpy().astype(np.float64).ravel().tolist(), "rule": "padim" if padim else "nearest"}


def padim_case(rng):
    shapes = [(4, 8, 8), (6, 4, 4), (5, 2, 2)]
    n, keep, seed, size = 30, 7, 99, (37, 41)
    idx = channel_subset(sum(s[0] for s in shapes), keep, seed)
    def draw():
        levels = [torch.from_numpy(rng.normal(size=(1,) + s).astype(np.float32)) for s in shapes]
        z = levels[0]
        for y in levels[1:]:
            z = embedding_concat(z, y)
        return levels, z[0, idx].numpy().astype(np.float64).reshape(keep, -1)  # (keep, P)
    train = [draw() for _ in range(n)]
    x = np.stack([t[1] for t in train])  # (n, keep, P)
    test_levels, test = draw()
    dist = []
    for p in range(x.shape[2]):
        lw = LedoitWolf().fit(x[:, :, p])
        d = test[:, p] - lw.location_
        dist.append(np.sqrt(d @ np.linalg.solve(lw.covariance_, d)))
    grid = torch.from_numpy(np.array(dist).reshape(1, 1, 8, 8))
    up = F.interpolate(grid, size=size, mode="bilinear", align_corners=False)[0, 0].numpy()
    out = scipy.ndimage.gaussian_filter(up, 4)
    return {"shapes": [list(s) for s in shapes], "keep": keep, "seed": seed, "image_height": size[0],
            "image_width": size[1],
            "train": [[l[0].numpy().astype(np.float64).ravel().tolist() for l in t[0]] for t in train],
            "test": [l[0].numpy().astype(np.float64).ravel().tolist() for l in test_levels],
            "out": out.ravel().tolist()}


def gaussian_case(name, rng, n, c, h, w, n_test):
    # position-dependent mean and correlation, skewed noise
    mix = rng.normal(size=(h * w, c, c)) * 0.5 + np.eye(c)
    base = rng.normal(size=(h * w, c)) * 3
    def grids(count):
        e = rng.normal(size=(count, h * w, c))
        e = e + 0.3 * e ** 2
        x = base[None] + np.einsum("pij,npj->npi", mix, e)
        return x.astype(np.float32)  # (count, P, C)
    train = grids(n)
    test = grids(n_test)
    shrinkage, means, covs, dists = [], [], [], []
    for p in range(h * w):
        lw = LedoitWolf().fit(train[:, p, :].astype(np.float64))
        shrinkage.append(float(lw.shrinkage_))
        means.append(lw.location_.tolist())
        covs.append(lw.covariance_.ravel().tolist())
        d = test[:, p, :].astype(np.float64) - lw.location_
        dists.append([float(np.sqrt(v @ np.linalg.solve(lw.covariance_, v))) for v in d])
    to_chw = lambda g: np.transpose(g.reshape(g.shape[0], h, w, c), (0, 3, 1, 2)).reshape(g.shape[0], -1)
    return {"name": name, "channels": c, "height": h, "width": w,
            "train": to_chw(train).astype(np.float64).tolist(), "test": to_chw(test).astype(np.float64).tolist(),
            "shrinkage": shrinkage, "means": means, "covariances": covs,
            "distances": np.array(dists).T.tolist()}  # [test image][position]


def main():
    rng = np.random.default_rng(2020_11)
    gaussians = [gaussian_case("N > C", rng, 40, 5, 3, 4, 3),
                 gaussian_case("N < C (shrinkage needed)", rng, 6, 9, 2, 3, 2),
                 gaussian_case("over 64 images (two blocks)", rng, 70, 3, 2, 2, 2)]
    bilinear = []
    for (h, w, oh, ow) in [(3, 4, 17, 23), (7, 7, 4, 5), (1, 3, 5, 6), (14, 14, 64, 64), (5, 6, 5, 6)]:
        m = rng.normal(size=(h, w))
        out = F.interpolate(torch.from_numpy(m)[None, None], size=(oh, ow), mode="bilinear", align_corners=False)
        bilinear.append({"height": h, "width": w, "out_height": oh, "out_width": ow, "map": m.ravel().tolist(),
                         "out": out[0, 0].numpy().ravel().tolist()})
    smoothing = []
    for (h, w, sigma) in [(9, 13, 4.0), (40, 37, 4.0), (20, 24, 1.5), (1, 5, 4.0), (64, 64, 0.3)]:
        m = rng.normal(size=(h, w)) + (np.arange(h)[:, None] * 0.2)
        out = scipy.ndimage.gaussian_filter(m, sigma)
        smoothing.append({"height": h, "width": w, "sigma": sigma, "map": m.ravel().tolist(),
                          "out": out.ravel().tolist()})
    concat = [concat_case(rng, [(3, 8, 8), (2, 4, 4), (4, 2, 2)], True),
              concat_case(rng, [(2, 6, 6), (3, 3, 3)], True),
              concat_case(rng, [(2, 7, 10), (2, 3, 4), (1, 2, 2)], False)]
    padim = [padim_case(rng)]
    subsets = [{"total": t, "count": k, "seed": s, "channels": channel_subset(t, k, s)}
               for (t, k, s) in [(10, 4, 0), (448, 100, 1024), (1792, 550, 1024), (5, 5, -7), (3, 1, 42)]]
    with open(os.path.join(HERE, "maps_cases.json"), "w") as f:
        json.dump({"versions": VERSIONS, "gaussians": gaussians, "bilinear": bilinear, "smoothing": smoothing, "concat": concat, "padim": padim,
                   "subsets": subsets}, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
