#!/usr/bin/python3
"""Writes imagenet_classes.txt: the 1000 ImageNet-1k class names, one a line, in class-index order, as Debian's
python3-torchvision 0.14 ships them (ResNet18_Weights.IMAGENET1K_V1.meta["categories"]). org.maha.imagenet.ImageNetClasses reads it (`maha classify`);
a 1001-way classifier (Coral's MobileNetV2) puts a background class before them.

    /usr/bin/python3 make_imagenet_classes.py      (in this folder)
"""
import torchvision
from torchvision.models import ResNet18_Weights

cats = ResNet18_Weights.IMAGENET1K_V1.meta["categories"]
assert len(cats) == 1000 and all("\n" not in c for c in cats)
with open("imagenet_classes.txt", "w", encoding="utf-8") as f:
    f.write("".join(c + "\n" for c in cats))
print("wrote %d classes from torchvision %s" % (len(cats), torchvision.__version__))
