#!/usr/bin/env python3
"""Reference timings to set beside `maha bench` (Debian: python3-sklearn, python3-torch, python3-torchvision).

- fit: scikit-learn LedoitWolf().fit on N x D float64 features + numpy Cholesky (what the paper's code does per
  level, with pinvh replaced by the cheaper Cholesky), same N, D and feature structure as `maha bench`; also
  LedoitWolf(store_precision=False) (no pinvh precision, which maha does not need either) + Cholesky, and the BLAS
  bound: numpy's scatter Xc.T @ Xc + Cholesky of the shrunk covariance (run with Debian's /usr/bin/python3, whose
  numpy uses the system libblas.so.3, the same library maha's native kernels load);
- backbone: torchvision models (--archs; mobilenet_v2 has the same architecture as the shared Keras MobileNetV2,
  resnet18 and efficientnet_b0 the same as maha's Java-built graphs), random weights, PyTorch eager mode on CPU,
  images/s at batch 1 and 16 with the given number of threads.

Usage: bench_reference.py [--threads 2] [--images 128] [--fit-n 400] [--fit-dim 1792] [--repeats 5]
                          [--archs resnet18,efficientnet_b0,efficientnet_b4@380] [--fit-only]
       bench_reference.py --export-onnx DIR --archs ...   (PyTorch's ONNX export, levels pooled, for ONNX Runtime)
"""
import argparse, platform, time

import numpy as np


def features(n, d):
    rng = np.random.default_rng(3)
    basis = rng.random((32, d)) - 0.5
    return 1.0 + (rng.random((n, 32)) * 2 - 1) @ basis + 0.05 * (rng.random((n, d)) - 0.5)


def fit_time(n, d, repeats, store_precision=True, x=None):
    from sklearn.covariance import LedoitWolf
    x = features(n, d) if x is None else x
    times = []
    for r in range(repeats + 1):
        t0 = time.perf_counter()
        lw = LedoitWolf(store_precision=store_precision).fit(x)
        np.linalg.cholesky(lw.covariance_)
        if r:
            times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times)), float(np.min(times)), lw.shrinkage_


def blas_bound_time(n, d, repeats, shrinkage, x=None):
    """numpy's scatter (one BLAS gemm) + Cholesky of the shrunk covariance: what a fit costs at BLAS speed."""
    x = features(n, d) if x is None else x
    times = []
    for r in range(repeats + 1):
        t0 = time.perf_counter()
        xc = x - x.mean(axis=0)
        s = xc.T @ xc / n
        mu = np.trace(s) / d
        s *= 1 - shrinkage
        s.flat[::d + 1] += shrinkage * mu
        np.linalg.cholesky(s)
        if r:
            times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times)), float(np.min(times))


def level_blocks(m, arch):
    """The blocks whose outputs are the levels: torchvision's features[i] (EfficientNet: stem, seven stages, head;
    MobileNetV2: its 19 blocks) or ResNet's stem and four layers, as maha's Java-built graphs tap them."""
    import torch
    if arch.startswith("resnet"):
        stem = torch.nn.Sequential(m.conv1, m.bn1, m.relu, m.maxpool)
        return [stem, m.layer1, m.layer2, m.layer3, m.layer4]
    return list(m.features)


def export_onnx(arch, size, path):
    """PyTorch's own ONNX export of torchvision's model, every level globally average-pooled to an output (the
    same outputs maha's graphs end in), dynamic batch axis: ONNX Runtime on this file is the third column of
    scripts/bench_side_by_side.sh, which separates the graph maha builds from the runtime it runs on."""
    import torch, torchvision

    class Taps(torch.nn.Module):
        def __init__(self, blocks):
            super().__init__()
            self.blocks = torch.nn.ModuleList(blocks)

        def forward(self, x):
            out = []
            for b in self.blocks:
                x = b(x)
                out.append(x.mean(dim=(2, 3)))
            return tuple(out)

    m = Taps(level_blocks(getattr(torchvision.models, arch)().eval(), arch)).eval()
    names = [f"level{i}" for i in range(len(m.blocks))]
    with torch.no_grad():
        torch.onnx.export(m, torch.rand(1, 3, size, size), path, opset_version=13, input_names=["input"],
                          output_names=names, dynamic_axes={"input": {0: "n"}, **{k: {0: "n"} for k in names}})
    return names


def backbone(threads, batch, images, arch="mobilenet_v2", size=224):
    import torch, torchvision
    torch.set_num_threads(threads)
    m = getattr(torchvision.models, arch)().eval()
    x = torch.rand(batch, 3, size, size) * 2 - 1
    with torch.no_grad():
        for _ in range(max(2, 16 // batch)):
            m(x)
        runs = max(1, images // batch)
        t0 = time.perf_counter()
        for _ in range(runs):
            m(x)
        sec = time.perf_counter() - t0
    return runs * batch / sec, sec


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--images", type=int, default=128)
    ap.add_argument("--fit-n", type=int, default=400, help="0 skips the fit timing")
    ap.add_argument("--fit-dim", type=int, default=1792)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--archs", default="mobilenet_v2",
                    help="torchvision models, comma-separated; NAME@PX runs NAME at PX x PX (default 224)")
    ap.add_argument("--fit-only", action="store_true", help="only the fit timings (no torch needed)")
    ap.add_argument("--export-onnx", metavar="DIR",
                    help="only write PyTorch's ONNX export of each --archs model (levels pooled) to DIR/ARCH_PX.onnx "
                         "and print the file and its output names")
    a = ap.parse_args()
    if a.export_onnx:
        import os
        for item in filter(None, a.archs.split(",")):
            arch, _, px = item.partition("@")
            size = int(px) if px else 224
            path = os.path.join(a.export_onnx, f"{arch}_{size}.onnx")
            names = export_onnx(arch, size, path)
            print(f"{path} {','.join(names)}")
        raise SystemExit(0)
    import sklearn
    if a.fit_only:
        print(f"reference: python {platform.python_version()}, numpy {np.__version__}, "
              f"scikit-learn {sklearn.__version__}, BLAS threads: all cores (OPENBLAS_NUM_THREADS to change)")
        a.archs = ""
    else:
        import torch
        print(f"reference: python {platform.python_version()}, numpy {np.__version__}, "
              f"scikit-learn {sklearn.__version__}, torch {torch.__version__}, threads {a.threads}")
    for item in filter(None, a.archs.split(",")):
        arch, _, px = item.partition("@")
        size = int(px) if px else 224
        for b in (1, 16):
            ips, sec = backbone(a.threads, b, a.images, arch, size)
            print(f"| PyTorch eager torchvision {arch} {size}px | {b} | {a.images // b * b} | {sec:.2f} | {ips:.1f} |")
    if a.fit_n <= 0:
        raise SystemExit(0)
    x = features(a.fit_n, a.fit_dim)
    if not a.fit_only:
        med, mn, s = fit_time(a.fit_n, a.fit_dim, a.repeats, x=x)
        print(f"fit one level (sklearn LedoitWolf + numpy cholesky), n = {a.fit_n}, d = {a.fit_dim}: "
              f"median {med:.0f} ms, min {mn:.0f} ms over {a.repeats} runs (shrinkage {s:.4f})")
    med, mn, s = fit_time(a.fit_n, a.fit_dim, a.repeats, store_precision=False, x=x)
    print(f"fit one level (sklearn LedoitWolf(store_precision=False) + numpy cholesky), n = {a.fit_n}, "
          f"d = {a.fit_dim}: median {med:.0f} ms, min {mn:.0f} ms over {a.repeats} runs (shrinkage {s:.4f})")
    med, mn = blas_bound_time(a.fit_n, a.fit_dim, a.repeats, s, x=x)
    print(f"fit one level (numpy scatter Xc.T @ Xc + cholesky), n = {a.fit_n}, d = {a.fit_dim}: "
          f"median {med:.0f} ms, min {mn:.0f} ms over {a.repeats} runs")
