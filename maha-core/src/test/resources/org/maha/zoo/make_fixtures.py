#!/usr/bin/python3
"""Writes the fixtures read by org.maha.zoo tests and maha-cli's NamedBackbone*Test.

Run with Debian's python3 (python3-torch, python3-torchvision, python3-numpy):
    /usr/bin/python3 make_fixtures.py            (in this folder)

tiny_resnet.pth: a torchvision ResNet (its own BasicBlock, forward and _make_layer) with one block per stage, the
  stem narrowed to 8 channels and the stage planes divided by 16 (4, 8, 16, 32), random weights and random BatchNorm
  affine parameters and running statistics, saved with torch.save(state_dict) (zip format). It stands in for
  resnet18's weight file in tests: it has resnet18's keys layout but not its hash, so it is "unverified".
tiny_resnet_expected.json: the pooled taps L0..L4 (float64 mean over H, W of the float32 maps after maxpool and
  layer1..layer4) of the eval-mode model on one 224 x 224 input whose values are given by a formula the Java test
  repeats: x[c, h, w] = ((7 h + 3 w + 11 c) mod 17) / 8 - 1 (exact in float32); plus versions and the file's SHA-256.
"""
import hashlib
import json
import platform

import numpy as np
import torch
import torch.nn as nn
import torchvision
from torchvision.models.resnet import BasicBlock, ResNet

SEED = 20241129
SIZE = 224
STEM = 8
SCALE = 16
CLASSES = 10


class TinyResNet(ResNet):
    """torchvision's ResNet with the stem narrowed to STEM channels and every stage's planes divided by SCALE."""

    def __init__(self):
        super().__init__(BasicBlock, [1, 1, 1, 1], num_classes=CLASSES)
        self.fc = nn.Linear(self.inplanes, CLASSES)

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        if planes == 64:  # first call (layer1): conv1/bn1 exist already; narrow them
            self.inplanes = STEM
            self.conv1 = nn.Conv2d(3, STEM, kernel_size=7, stride=2, padding=3, bias=False)
            self.bn1 = self._norm_layer(STEM)
        return super()._make_layer(block, planes // SCALE, blocks, stride, dilate)


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
    model = TinyResNet()
    randomise_bn(model, gen)
    model.eval()
    torch.save(model.state_dict(), "tiny_resnet.pth")
    c, h, w = np.meshgrid(np.arange(3), np.arange(SIZE), np.arange(SIZE), indexing="ij")
    x = torch.from_numpy((((7 * h + 3 * w + 11 * c) % 17) / 8.0 - 1.0).astype(np.float32)[None])
    taps = {}
    for level, module in enumerate([model.maxpool, model.layer1, model.layer2, model.layer3, model.layer4]):
        module.register_forward_hook(lambda _m, _i, out, level=level: taps.__setitem__(level, out))
    with torch.no_grad():
        model(x)
    with open("tiny_resnet.pth", "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    info = {"script": "make_fixtures.py", "seed": SEED, "input_size": SIZE,
            "input_formula": "((7*h + 3*w + 11*c) % 17) / 8 - 1",
            "python": platform.python_version(), "torch": torch.__version__,
            "torchvision": torchvision.__version__, "numpy": np.__version__,
            "weights_file": "tiny_resnet.pth", "weights_sha256": sha,
            "level_dims": [int(taps[l].shape[1]) for l in range(5)],
            "levels": {f"L{l}": taps[l].double().mean(dim=(2, 3))[0].tolist() for l in range(5)}}
    with open("tiny_resnet_expected.json", "w") as f:
        json.dump(info, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
