#!/usr/bin/python3
"""PyTorch side of the ResNet-18 speed comparison (issue 3 item 5); the Java side is ResNetBenchTest.

    /usr/bin/python3 bench_resnet_torch.py --out /tmp/maha-bench [--threads 2] [--batches 1,16] [--seconds 10]

Builds torchvision's full-size resnet18 with seeded random weights and random BatchNorm statistics, eval mode,
and writes to --out (nothing here is committed; the state dict is ~47 MB):
  resnet18_random.npz     the state dict (torchvision keys)
  input.npy               float32 [16, 3, 224, 224], seeded
  expected.npz            L0..L4 pooled (float64 means of the float32 taps) and logits, for the first 2 images
  torch_bench.json        images/s of PyTorch CPU eager (torch.no_grad, torch.set_num_threads(threads)) per batch
Then run the Java side on the same files:
  mvn -B -o -pl maha-core test -Dtest=ResNetBenchTest -Dmaha.bench.dir=/tmp/maha-bench
which writes java_bench.json there (OnnxBackbone, same threads and batches).
"""
import argparse
import json
import os
import platform
import time

import numpy as np
import torch
import torch.nn as nn
import torchvision

SEED = 11


def images_per_second(run, batch, seconds):
    for _ in range(3):
        run()
    n, start = 0, time.perf_counter()
    while True:
        run()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and n >= 5:
            return n * batch / elapsed, n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batches", default="1,16")
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(SEED)
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(SEED)
    model = torchvision.models.resnet18()
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            m.weight.data = torch.rand(c, generator=gen) + 0.5
            m.bias.data = torch.randn(c, generator=gen) * 0.2
            m.running_mean = torch.randn(c, generator=gen) * 0.5
            m.running_var = torch.rand(c, generator=gen) * 1.5 + 0.5
    model.eval()
    x = torch.randn(16, 3, 224, 224, generator=gen)
    np.savez(os.path.join(args.out, "resnet18_random.npz"), **{k: v.numpy() for k, v in model.state_dict().items()})
    np.save(os.path.join(args.out, "input.npy"), x.numpy())
    taps = {}
    for level, module in enumerate([model.maxpool, model.layer1, model.layer2, model.layer3, model.layer4]):
        module.register_forward_hook(lambda _m, _i, out, level=level: taps.__setitem__(level, out))
    with torch.no_grad():
        logits = model(x[:2])
    expected = {f"L{l}": taps[l].double().mean(dim=(2, 3)).numpy() for l in range(5)}
    expected["logits"] = logits.double().numpy()
    np.savez(os.path.join(args.out, "expected.npz"), **expected)
    results = {"python": platform.python_version(), "torch": torch.__version__,
               "torchvision": torchvision.__version__, "threads": args.threads, "cpu": platform.processor(),
               "images_per_second": {}}
    with torch.no_grad():
        for batch in [int(b) for b in args.batches.split(",")]:
            xb = x[:batch].contiguous()
            ips, n = images_per_second(lambda: model(xb), batch, args.seconds)
            results["images_per_second"][str(batch)] = ips
    with open(os.path.join(args.out, "torch_bench.json"), "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
