#!/usr/bin/python3
"""Writes the ResNet parity fixtures read by org.maha.arch.ResNetParityTest.

Run with Debian's python3 (python3-torch, python3-torchvision, python3-numpy):
    /usr/bin/python3 make_fixtures.py            (in this folder)

For each case, torchvision's own ResNet class (its BasicBlock / Bottleneck, forward and _make_layer) is built with
reduced widths (stem 8 channels, stage planes 64..512 divided by `scale`) and random weights, random BatchNorm
affine parameters and running statistics (so that BN folding is exercised), in eval mode. Written per case:
  resnet_<case>.npz           the state dict, torchvision keys (float32; num_batches_tracked int64)
  resnet_<case>_expected.npz  L0..L4: float64 mean over H, W of the taps (after maxpool, layer1..layer4) of the
                              float32 forward pass, shape [images, C]; logits: the model output, [images, classes]
and once: resnet_input.npy (float32 [2, 3, 64, 64]) and fixtures.json (versions, cases).
"""
import json
import platform

import numpy as np
import torch
import torch.nn as nn
import torchvision
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet

SEED = 20240603
SIZE = 64
IMAGES = 2
STEM = 8
CLASSES = 10


class SmallResNet(ResNet):
    """torchvision's ResNet with the stem narrowed to STEM channels and every stage's planes divided by scale."""

    def __init__(self, block, layers, scale, **kwargs):
        self._scale = scale
        super().__init__(block, layers, num_classes=CLASSES, **kwargs)
        self.fc = nn.Linear(self.inplanes, CLASSES)  # built for 512 * expansion inputs; narrow it too

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        if planes == 64:  # first call (layer1): conv1/bn1 exist already; narrow them
            self.inplanes = STEM
            self.conv1 = nn.Conv2d(3, STEM, kernel_size=7, stride=2, padding=3, bias=False)
            self.bn1 = self._norm_layer(STEM)
        return super()._make_layer(block, planes // self._scale, blocks, stride, dilate)


CASES = {
    # name: (block, blocks per stage, planes divisor, extra ResNet kwargs)
    "basic": (BasicBlock, [2, 1, 1, 1], 16, {}),
    "bottleneck": (Bottleneck, [2, 1, 1, 1], 16, {}),
    "wide": (Bottleneck, [1, 1, 1, 1], 32, {"width_per_group": 128}),
    "resnext": (Bottleneck, [1, 1, 1, 1], 16, {"groups": 4, "width_per_group": 16}),
}


def randomise_bn(model, gen):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            m.weight.data = torch.rand(c, generator=gen) + 0.5
            m.bias.data = torch.randn(c, generator=gen) * 0.2
            m.running_mean = torch.randn(c, generator=gen) * 0.5
            m.running_var = torch.rand(c, generator=gen) * 1.5 + 0.5
            m.num_batches_tracked = torch.tensor(100, dtype=torch.long)


def main():
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    x = torch.randn(IMAGES, 3, SIZE, SIZE, generator=gen)
    np.save("resnet_input.npy", x.numpy().astype(np.float32))
    info = {"script": "make_fixtures.py", "seed": SEED, "input": [IMAGES, 3, SIZE, SIZE],
            "python": platform.python_version(), "torch": torch.__version__,
            "torchvision": torchvision.__version__, "numpy": np.__version__, "cases": {}}
    for name, (block, layers, scale, kwargs) in CASES.items():
        model = SmallResNet(block, layers, scale, **kwargs)
        randomise_bn(model, gen)
        model.eval()
        taps = {}
        for level, module in enumerate([model.maxpool, model.layer1, model.layer2, model.layer3, model.layer4]):
            module.register_forward_hook(lambda _m, _i, out, level=level: taps.__setitem__(level, out))
        with torch.no_grad():
            logits = model(x)
        expected = {f"L{l}": taps[l].double().mean(dim=(2, 3)).numpy() for l in range(5)}
        expected["logits"] = logits.double().numpy()
        state = {k: v.numpy() for k, v in model.state_dict().items()}
        np.savez(f"resnet_{name}.npz", **state)
        np.savez(f"resnet_{name}_expected.npz", **expected)
        info["cases"][name] = {"block": block.__name__, "layers": layers, "planes_divisor": scale, "kwargs": kwargs,
                               "level_dims": [int(expected[f"L{l}"].shape[1]) for l in range(5)],
                               "map_sizes": [int(taps[l].shape[2]) for l in range(5)],
                               "parameters": int(sum(v.size for v in state.values()))}
    with open("fixtures.json", "w") as f:
        json.dump(info, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
