#!/usr/bin/python3
"""Writes the torchvision-EfficientNet parity fixtures read by org.maha.arch.EfficientNetTorchvisionParityTest.

Run with Debian's python3 (python3-torch, python3-torchvision 0.14, python3-numpy), in this folder:
    /usr/bin/python3 make_fixtures.py

Each case is torchvision's own EfficientNet class (models/efficientnet.py: MBConv, SqueezeExcitation,
Conv2dNormActivation, stochastic depth inactive in eval) built from `_efficientnet_conf("efficientnet_b0",
width_mult=W, depth_mult=D)` with a 10-class classifier (to keep the files small), then given random weights the
way ../../../../../../../shared/fixtures/effnet063/README.md describes for the 0.6.3 fixtures:
  1. torch.manual_seed(seed) before construction (torchvision's own initialisation);
  2. every BatchNorm, in model.modules() order, from a Generator seeded seed+1: running_mean ~ N(0, 0.1^2),
     running_var ~ U(0.5, 2.0), weight ~ N(1, 0.1^2), bias ~ N(0, 0.1^2);
  3. every Conv2d, in forward order, has its weight multiplied by one scalar so that its output minus its bias has
     root-mean-square 1 on a calibration batch of 2 N(0,1) images (Generator seed+2), so the signal does not die
     out (RMS rather than the 0.6.3 fixtures' std: a std-normalised SE reduce conv can leave outputs far below 0,
     where SiLU is ~0 and the next conv's scalar explodes);
  4. eval mode; the taps are recorded with forward hooks on features[0..8].
Files (state dicts hold exactly model.state_dict(), num_batches_tracked included):
  tv_small.pth            case "small" (W 0.15, D 0.5, BN eps 1e-5 as efficientnet_b0..b4), torch.save zip format
  tv_small_expected.npz   L0..L8: float64 mean over H, W of the float32 taps, [2, C]; logits [2, 10];
                          L2_map: the full float32 map of features[2], [2, C, 16, 16] (border handling)
  tv_eps3.pth             case "eps3" (W 0.1, D 0.25, BN eps 1e-3 as efficientnet_b5..b7), legacy (non-zip) format
  tv_eps3_expected.npz    as above, without L2_map
  tv_input.npy            float32 [2, 3, 64, 64], N(0,1), seeded
  fixtures.json           versions, seeds, per-case structure (blocks per stage, channels, conv scalars), and
                          per standard torchvision variant efficientnet_b0..b7: BN eps, level dims, blocks per stage
                          and the weights' crop size (read from the constructed models and the weights' transforms)
"""
import json
import platform
from functools import partial

import numpy as np
import torch
import torch.nn as nn
import torchvision
from torchvision.models.efficientnet import EfficientNet, _efficientnet_conf

SIZE = 64
IMAGES = 2
CLASSES = 10
INPUT_SEED = 6414
CASES = {
    # name: (width_mult, depth_mult, bn eps, seed, zip format)
    "small": (0.15, 0.5, 1e-5, 6420, True),
    "eps3": (0.1, 0.25, 1e-3, 6430, False),
}


def randomise(model, seed, size):
    """Steps 2-4 above on a constructed model (also used by bench_effnet_torch.py); returns the conv scalars."""
    gen = torch.Generator().manual_seed(seed + 1)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            m.running_mean = torch.randn(c, generator=gen) * 0.1
            m.running_var = torch.rand(c, generator=gen) * 1.5 + 0.5
            m.weight.data = torch.randn(c, generator=gen) * 0.1 + 1.0
            m.bias.data = torch.randn(c, generator=gen) * 0.1
    model.eval()
    calib = torch.randn(2, 3, size, size, generator=torch.Generator().manual_seed(seed + 2))
    scalars = []
    for conv in [m for m in model.modules() if isinstance(m, nn.Conv2d)]:  # registration order = forward order
        seen = {}
        handle = conv.register_forward_hook(lambda _m, _i, out: seen.__setitem__("y", out.clone()))
        with torch.no_grad():
            model(calib)
        handle.remove()
        y = seen["y"]
        if conv.bias is not None:
            y = y - conv.bias.view(1, -1, 1, 1)
        s = 1.0 / float(y.pow(2).mean().sqrt())
        with torch.no_grad():
            conv.weight.mul_(s)
        scalars.append(s)
    return scalars


def build(width, depth, eps, seed):
    torch.manual_seed(seed)
    setting, last_channel = _efficientnet_conf("efficientnet_b0", width_mult=width, depth_mult=depth)
    norm = partial(nn.BatchNorm2d, eps=eps)
    model = EfficientNet(setting, 0.2, last_channel=last_channel, num_classes=CLASSES, norm_layer=norm)
    return model, setting, randomise(model, seed, SIZE)


def main():
    x = torch.randn(IMAGES, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(INPUT_SEED))
    np.save("tv_input.npy", x.numpy().astype(np.float32))
    info = {"script": "make_fixtures.py", "python": platform.python_version(), "torch": torch.__version__,
            "torchvision": torchvision.__version__, "numpy": np.__version__, "input": [IMAGES, 3, SIZE, SIZE],
            "input_seed": INPUT_SEED, "cases": {}}
    for name, (width, depth, eps, seed, zipped) in CASES.items():
        model, setting, scalars = build(width, depth, eps, seed)
        taps = {}
        for level in range(9):
            model.features[level].register_forward_hook(
                lambda _m, _i, out, level=level: taps.__setitem__(level, out))
        with torch.no_grad():
            logits = model(x)
        expected = {f"L{l}": taps[l].double().mean(dim=(2, 3)).numpy() for l in range(9)}
        expected["logits"] = logits.double().numpy()
        if name == "small":
            expected["L2_map"] = taps[2].numpy()
        np.savez(f"tv_{name}_expected.npz", **expected)
        torch.save(model.state_dict(), f"tv_{name}.pth", _use_new_zipfile_serialization=zipped)
        info["cases"][name] = {
            "width_mult": width, "depth_mult": depth, "bn_eps": eps, "seed": seed,
            "format": "zip" if zipped else "legacy",
            "blocks_per_stage": [c.num_layers for c in setting],
            "level_dims": [int(taps[l].shape[1]) for l in range(9)],
            "map_sizes": [int(taps[l].shape[2]) for l in range(9)],
            "state_dict_entries": len(model.state_dict()),
            "values": int(sum(v.numel() for v in model.state_dict().values())),
            "conv_scalars": [min(scalars), max(scalars), len(scalars)],
            "max_abs_pooled": [float(np.abs(expected[f"L{l}"]).max()) for l in range(9)],
        }
    info["torchvision_variants"] = {}
    for b in range(8):
        model = getattr(torchvision.models, f"efficientnet_b{b}")()
        weights = getattr(torchvision.models, f"EfficientNet_B{b}_Weights").IMAGENET1K_V1
        info["torchvision_variants"][f"efficientnet_b{b}"] = {
            "bn_eps": model.features[0][1].eps,
            "level_dims": [model.features[0][0].out_channels] + [model.features[s][-1].out_channels
                                                                 for s in range(1, 8)]
                          + [model.features[8][0].out_channels],
            "blocks_per_stage": [len(model.features[s]) for s in range(1, 8)],
            "crop_size": weights.transforms().crop_size[0],
        }
        del model
    with open("fixtures.json", "w") as f:
        json.dump(info, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
