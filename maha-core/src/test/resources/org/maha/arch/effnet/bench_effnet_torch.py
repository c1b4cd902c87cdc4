#!/usr/bin/python3
"""PyTorch side of the EfficientNet-B0 speed comparison (issue 3 item 5); the Java side is EfficientNetBenchTest.

    /usr/bin/python3 bench_effnet_torch.py --out /tmp/maha-effnet-bench [--threads 2] [--batches 1,16] [--seconds 10]

Builds torchvision's full-size efficientnet_b0 (224 px) with seeded random weights, random BatchNorm statistics and
per-conv weight scaling as make_fixtures.py does (so the features are not just propagated BN biases), eval mode,
and writes to --out (nothing here is committed; the checkpoint is ~21 MB):
  tv_b0_random.pth   the state dict, torchvision keys, torch.save zip format
  input.npy          float32 [16, 3, 224, 224], seeded N(0, 1)
  expected.npz       L0..L8 pooled (float64 means of the float32 taps of features[0..8]) and logits, first 2 images
  torch_bench.json   images/s of PyTorch CPU eager (torch.no_grad, torch.set_num_threads(threads)) per batch
Then run the Java side on the same files:
  mvn -B -o -pl maha-core test -Dtest=EfficientNetBenchTest -Dmaha.bench.dir=/tmp/maha-effnet-bench
which checks full-size parity and writes java_bench.json there (OnnxBackbone, same threads and batches) for the
torchvision graph and, when ../shared/fixtures/effnet063/b0_legacy.pth exists, for the 0.6.3 graph of that
checkpoint. The 0.6.3 B0 has the same convolutions, channel counts and FLOPs as torchvision's B0 (only the
padding differs), so torchvision's eager B0 is its PyTorch reference for speed.
"""
import argparse
import json
import os
import platform
import sys
import time

import numpy as np
import torch
import torchvision

sys.dont_write_bytecode = True  # no __pycache__ in the test resources
from make_fixtures import randomise  # noqa: E402

SEED = 12


def images_per_second(run, batch, seconds):
    for _ in range(3):
        run()
    n, start = 0, time.perf_counter()
    while True:
        run()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and n >= 5:
            return n * batch / elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batches", default="1,16")
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    model = torchvision.models.efficientnet_b0()
    randomise(model, SEED, 224)
    x = torch.randn(16, 3, 224, 224, generator=torch.Generator().manual_seed(SEED + 3))
    torch.save(model.state_dict(), os.path.join(args.out, "tv_b0_random.pth"))
    np.save(os.path.join(args.out, "input.npy"), x.numpy())
    taps = {}
    for level in range(9):
        model.features[level].register_forward_hook(lambda _m, _i, out, level=level: taps.__setitem__(level, out))
    with torch.no_grad():
        logits = model(x[:2])
    expected = {f"L{l}": taps[l].double().mean(dim=(2, 3)).numpy() for l in range(9)}
    expected["logits"] = logits.double().numpy()
    np.savez(os.path.join(args.out, "expected.npz"), **expected)
    results = {"python": platform.python_version(), "torch": torch.__version__,
               "torchvision": torchvision.__version__, "threads": args.threads, "cpu": platform.processor(),
               "model": "torchvision efficientnet_b0, 224 px, random weights", "images_per_second": {}}
    with torch.no_grad():
        for batch in [int(b) for b in args.batches.split(",")]:
            xb = x[:batch].contiguous()
            results["images_per_second"][str(batch)] = images_per_second(lambda: model(xb), batch, args.seconds)
    with open(os.path.join(args.out, "torch_bench.json"), "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
