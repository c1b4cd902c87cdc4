#!/usr/bin/env python3
"""Time per test image of `maha score` on whole images, with anomaly maps, and tiled, side by side in one run.

  scripts/bench_score_modes.py CATEGORY_DIR [TILE OVERLAP] [ROUNDS]

CATEGORY_DIR is one category of the MVTec layout (train/good, test/<defect>/*.png), e.g. maha-demo/data/fabric
from `./maha demo`. Fits three models on train/good with the default backbone (plain, --maps, --tile TILE
--tile-overlap OVERLAP; default 128 and 16), then, ROUNDS times (default 3) and alternating, scores test/ with each
(score --maps writes its overlays and .npy to a scratch folder) and a one-image run of each, so that JVM start-up
and model loading cancel: (t_all - t_one) / (n - 1) ms per image. Prints each round and the fastest.
Standard library only; runs ./maha from the repository root.
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time


def run(args):
    start = time.time()
    r = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode:
        sys.exit("bench_score_modes: failed: %s\n%s" % (" ".join(args), r.stderr.decode()[-400:]))
    return time.time() - start


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cat = sys.argv[1]
    tile = sys.argv[2] if len(sys.argv) > 2 else "128"
    overlap = sys.argv[3] if len(sys.argv) > 3 else "16"
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    images = sorted(glob.glob(os.path.join(cat, "test", "*", "*.png")))
    if len(images) < 2:
        sys.exit("bench_score_modes: %s/test holds fewer than 2 PNG images" % cat)
    work = tempfile.mkdtemp(prefix="maha-score-modes-")
    try:
        good = os.path.join(cat, "train", "good")
        models = {"whole image": [], "whole image + maps": ["--maps"],
                  "tiled %s/%s" % (tile, overlap): ["--tile", tile, "--tile-overlap", overlap]}
        cases = {}
        for i, (name, extra) in enumerate(models.items()):
            m = os.path.join(work, "m%d.maha" % i)
            run(["./maha", "fit", "-q", "-o", m] + extra + [good])
            cases[name] = ["-m", m] + (["--maps", os.path.join(work, "out")] if "--maps" in extra else [])
        times = {k: [] for k in cases}
        for r in range(rounds):
            for name, args in cases.items():
                shutil.rmtree(os.path.join(work, "out"), ignore_errors=True)
                one = run(["./maha", "score"] + args + [images[0]])
                shutil.rmtree(os.path.join(work, "out"), ignore_errors=True)
                every = run(["./maha", "score", "--recursive"] + args + [os.path.join(cat, "test")])
                times[name].append((every - one) * 1000 / (len(images) - 1))
            print("round %d: %s" % (r + 1, ", ".join("%s %.0f ms" % (k, v[-1]) for k, v in times.items())),
                  flush=True)
        print("fastest per image (%d test images): %s; load average %s" % (
            len(images), ", ".join("%s %.0f ms" % (k, min(v)) for k, v in times.items()),
            ", ".join("%.2f" % x for x in os.getloadavg())))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
