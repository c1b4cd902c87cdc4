#!/usr/bin/env python3
"""PyTorch side of the peak-memory comparison (issue 12 item 3), run by scripts/bench_memory.sh.

The same work as `maha embed --backbone efficientnet-b4 --random-init 1` on N images: torchvision's EfficientNet-B4
(random weights, the same architecture as maha's Java-built graph), eval mode, no_grad, batches of --batch images
at --size px, the nine level taps (features[0..8]: stem, the seven stages, head) globally average-pooled to float64
vectors kept for every image (as maha keeps them for the .npy files). Inputs are seeded random tensors already
preprocessed: decoding N 300-px PNGs (270 KB each) is left out on this side. Prints the peak resident memory of
the process (getrusage ru_maxrss) after the work, and images/s.

Usage: bench_memory.py [--images 200] [--batch 16] [--size 380] [--threads 2]
"""
import argparse, resource, time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=200)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--size", type=int, default=380)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--arch", default="efficientnet_b4")
    a = ap.parse_args()
    import torch, torchvision
    torch.set_num_threads(a.threads)
    m = getattr(torchvision.models, a.arch)().eval()
    pooled = []
    for block in m.features:
        block.register_forward_hook(lambda mod, inp, out: pooled[-1].append(out.mean(dim=(2, 3)).double().numpy()))
    rng = np.random.default_rng(1)
    features = []
    t0 = time.perf_counter()
    with torch.no_grad():
        for first in range(0, a.images, a.batch):
            n = min(a.batch, a.images - first)
            x = torch.from_numpy(rng.random((n, 3, a.size, a.size), dtype=np.float32) * 2 - 1)
            pooled.append([])
            m.features(x)
            features.append(pooled[-1])
    sec = time.perf_counter() - t0
    dims = [f.shape[1] for f in features[0]]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pytorch {torch.__version__} {a.arch} @{a.size}, batch {a.batch}, {a.images} images, levels {dims}: "
          f"peak RSS {peak_mb:.0f} MB, {a.images / sec:.2f} images/s")


if __name__ == "__main__":
    main()
