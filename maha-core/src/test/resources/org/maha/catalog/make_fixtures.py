#!/usr/bin/python3
"""Writes the known answers for org.maha.catalog tests (run with Debian's /usr/bin/python3).

catalog_expected.json
  - payload: length and SHA-256 (hashlib) of the deterministic test payload byte[i] = (i*i + 7*i + 3) % 251,
    which the Java tests serve from a loopback HTTP server;
  - efficientnet: per variant, input size and level dims derived from efficientnet_pytorch 0.6.3's formulas
    (efficientnet_params, round_filters), independently of the Java table;
  - resnet: per torchvision architecture, the channels of the five taps (after maxpool, layer1..layer4), measured
    by running torchvision's model (random weights, no download) on a 64x64 input;
  - mobilenet_v2: tap dims from shared/models/PROVENANCE.md (Keras MobileNetV2 1.0 stages);
  - torchvision_urls: the IMAGENET1K_V1 URL torchvision ships for wide_resnet50_2 (the same file as 0.4's).
Deterministic: no randomness affects any recorded value (the ResNet weights are random, the channel counts are not).
"""
import hashlib
import json
import math
import os
import sys

import torch
import torchvision
from torchvision.models import resnet

HERE = os.path.dirname(os.path.abspath(__file__))


def payload(n):
    return bytes((i * i + 7 * i + 3) % 251 for i in range(n))


# efficientnet_pytorch 0.6.3 utils.efficientnet_params: (width, depth, resolution, dropout)
PARAMS = {
    'efficientnet-b0': (1.0, 1.0, 224, 0.2), 'efficientnet-b1': (1.0, 1.1, 240, 0.2),
    'efficientnet-b2': (1.1, 1.2, 260, 0.3), 'efficientnet-b3': (1.2, 1.4, 300, 0.3),
    'efficientnet-b4': (1.4, 1.8, 380, 0.4), 'efficientnet-b5': (1.6, 2.2, 456, 0.4),
    'efficientnet-b6': (1.8, 2.6, 528, 0.5), 'efficientnet-b7': (2.0, 3.1, 600, 0.5),
}
STAGE_OUT = [16, 24, 40, 80, 112, 192, 320]  # base output filters of the 7 stages (0.6.3 blocks_args)


def round_filters(filters, width, divisor=8):
    """efficientnet_pytorch 0.6.3 utils.round_filters."""
    filters *= width
    new_filters = max(divisor, int(filters + divisor / 2) // divisor * divisor)
    if new_filters < 0.9 * filters:
        new_filters += divisor
    return int(new_filters)


def efficientnet():
    out = {}
    for name, (w, d, s, _) in PARAMS.items():
        dims = [round_filters(32, w)] + [round_filters(f, w) for f in STAGE_OUT] + [round_filters(1280, w)]
        out[name] = {'input_size': s, 'dims': dims}
    return out


def resnet_taps():
    out = {}
    torch.manual_seed(0)
    x = torch.zeros(1, 3, 64, 64)
    for name in ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'wide_resnet50_2']:
        m = getattr(resnet, name)().eval()
        with torch.no_grad():
            h = m.maxpool(m.relu(m.bn1(m.conv1(x))))
            dims = [h.shape[1]]
            for layer in [m.layer1, m.layer2, m.layer3, m.layer4]:
                h = layer(h)
                dims.append(h.shape[1])
        out[name] = {'input_size': 224, 'dims': [int(v) for v in dims]}
    return out


def main():
    n = 200_003
    data = payload(n)
    doc = {
        'generator': 'make_fixtures.py',
        'versions': {'python': sys.version.split()[0], 'torch': torch.__version__,
                     'torchvision': torchvision.__version__},
        'payload': {'formula': '(i*i + 7*i + 3) % 251', 'length': n, 'sha256': hashlib.sha256(data).hexdigest()},
        'efficientnet': efficientnet(),
        'resnet': resnet_taps(),
        'mobilenet_v2': {'input_size': 224, 'dims': [32, 16, 24, 32, 64, 96, 160, 320, 1280]},
        'torchvision_urls': {
            'wide_resnet50_2': resnet.Wide_ResNet50_2_Weights.IMAGENET1K_V1.url,
        },
    }
    with open(os.path.join(HERE, 'catalog_expected.json'), 'w') as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write('\n')


if __name__ == '__main__':
    main()
