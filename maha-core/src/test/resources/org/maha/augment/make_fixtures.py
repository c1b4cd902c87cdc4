#!/usr/bin/env python3
"""Writes the org.maha.augment test fixtures into this folder: OpenCV 4.6 references for each augmentation op.

Run with /usr/bin/python3 (Debian python3-numpy, python3-opencv). Seeded: rerunning gives the same files on the
same library versions, which cases.json records. Each op is computed the way albumentations 0.4.3 / imgaug 0.2.6
call OpenCV (see the comments per case); the Java test reads cases.json and compares its own output.

Files written:
  in_<name>.npy          uint8 H x W x 3 RGB inputs (a 32 x 32, b 48 x 40 (W x H), c 37 x 29)
  out_<n>.npy            uint8 expected output of case n
  motion_kernels.npy     int64 [3107]: bitmask (bit r * k + c) of cv2.line(zeros(k, k), (x0, y0), (x1, y1), 1,
                         thickness=1) for k = 3, 5, 7, x0, y0, x1, y1 = 0..k-1 (loops nested in that order):
                         every kernel albumentations' MotionBlur can draw
  cases.json             library versions, the inputs and the list of cases (op, input, params, output file)
"""
import json
import os

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.RandomState(20240611)


def make_input(w, h):
    """Gradients, a saturated colour block, a grey block (HSV s = 0), pure black/white corners and noise."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.zeros((h, w, 3), np.float64)
    img[..., 0] = 255 * xx / (w - 1)
    img[..., 1] = 255 * yy / (h - 1)
    img[..., 2] = 128 + 100 * np.sin(xx / 3.0) * np.cos(yy / 4.0)
    img += rng.normal(0, 18, size=img.shape)
    img[h // 4:h // 2, w // 4:w // 2] = [200, 30, 60]
    img[h // 2:3 * h // 4, w // 2:3 * w // 4] = 97
    img[:3, :3] = 0
    img[-3:, -3:] = 255
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


inputs = {"a": make_input(32, 32), "b": make_input(48, 40), "c": make_input(37, 29)}
for name, img in inputs.items():
    np.save(os.path.join(HERE, "in_%s.npy" % name), img)

cases = []


def add(op, inp, params, out):
    assert out.dtype == np.uint8 and out.ndim == 3 and out.shape[2] == 3, (op, out.shape)
    fname = "out_%02d.npy" % len(cases)
    np.save(os.path.join(HERE, fname), np.ascontiguousarray(out))
    cases.append({"op": op, "input": inp, "params": params, "file": fname})


def motion_kernel(k, x0, y0, x1, y1):
    kernel = np.zeros((k, k), dtype=np.uint8)
    cv2.line(kernel, (x0, y0), (x1, y1), 1, thickness=1)
    return kernel


# Median 3 x 3 (albumentations MedianBlur(blur_limit=3) -> cv2.medianBlur(img, 3)).
for n in "abc":
    add("medianBlur3", n, {}, cv2.medianBlur(inputs[n], 3))
# Box 3 x 3 (Blur(blur_limit=3) -> cv2.blur(img, (3, 3)), BORDER_REFLECT_101).
for n in "abc":
    add("boxBlur", n, {"k": 3}, cv2.blur(inputs[n], (3, 3)))
# MotionBlur: kernel drawn with cv2.line, divided by its sum in float32, cv2.filter2D(img, -1, kernel).
for n, (k, x0, y0, x1, y1) in [("a", (3, 0, 0, 2, 2)), ("a", (7, 1, 6, 5, 0)), ("b", (5, 2, 0, 2, 4)),
                               ("c", (7, 0, 3, 6, 3)), ("b", (3, 1, 0, 1, 1)), ("c", (5, 4, 1, 0, 3))]:
    kernel = motion_kernel(k, x0, y0, x1, y1).astype(np.float32)
    kernel /= np.sum(kernel)
    add("motionBlur", n, {"ksize": k, "x0": x0, "y0": y0, "x1": x1, "y1": y1},
        cv2.filter2D(inputs[n], -1, kernel))
# CLAHE on L of LAB (albumentations F.clahe), tile grid 8 x 8.
for n, clip in [("a", 1.0), ("a", 2.0), ("b", 1.37), ("c", 1.81), ("c", 2.0)]:
    lab = cv2.cvtColor(inputs[n], cv2.COLOR_RGB2LAB)
    add("rgbToLab", n, {}, lab)
    lab[:, :, 0] = cv2.createCLAHE(clipLimit=clip, tileGridSize=(8, 8)).apply(lab[:, :, 0])
    add("clahe", n, {"clip": clip, "tiles": 8}, cv2.cvtColor(lab, cv2.COLOR_LAB2RGB))
# LAB -> RGB alone, on every 8-bit LAB triple reachable from the inputs (and a random set of others).
for n in "abc":
    lab = rng.randint(0, 256, size=inputs[n].shape).astype(np.uint8)
    np.save(os.path.join(HERE, "in_lab_%s.npy" % n), lab)
    add("labToRgb", "lab_" + n, {}, cv2.cvtColor(lab, cv2.COLOR_LAB2RGB))
# imgaug 0.2.6 Sharpen / Emboss: float32 matrices (1 - alpha) * nochange + alpha * effect, cv2.filter2D per channel.
nochange = np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=np.float32)
for n, alpha, lightness in [("a", 0.2, 0.5), ("b", 0.5, 1.0), ("c", 0.3712, 0.8125)]:
    effect = np.array([[-1, -1, -1], [-1, 8 + lightness, -1], [-1, -1, -1]], dtype=np.float32)
    m = (1 - alpha) * nochange + alpha * effect
    out = np.stack([cv2.filter2D(inputs[n][..., c], -1, m) for c in range(3)], axis=-1)
    add("sharpen", n, {"alpha": alpha, "lightness": lightness}, out)
for n, alpha, strength in [("a", 0.2, 0.2), ("b", 0.5, 0.7), ("c", 0.4375, 0.33)]:
    effect = np.array([[-1 - strength, 0 - strength, 0], [0 - strength, 1, 0 + strength],
                       [0, 0 + strength, 1 + strength]], dtype=np.float32)
    m = (1 - alpha) * nochange + alpha * effect
    out = np.stack([cv2.filter2D(inputs[n][..., c], -1, m) for c in range(3)], axis=-1)
    add("emboss", n, {"alpha": alpha, "strength": strength}, out)
# RandomBrightnessContrast, uint8 path: float32 LUT, lut *= alpha, lut += beta * 255, clip, astype (truncate).
for n, alpha, beta in [("a", 0.8, -0.1), ("b", 1.2, 0.2), ("c", 1.0731, 0.0377), ("a", 0.9, 0.0)]:
    lut = np.arange(0, 256).astype("float32")
    if alpha != 1:
        lut *= alpha
    if beta != 0:
        lut += beta * 255
    lut = np.clip(lut, 0, 255).astype(np.uint8)
    add("brightnessContrast", n, {"alpha": alpha, "beta": beta}, cv2.LUT(inputs[n], lut))
# HueSaturationValue, uint8 path: RGB2HSV, LUTs (hue mod 180, sat/val clipped, truncating astype), HSV2RGB.
for n, dh, ds, dv in [("a", 10.0, 30.0, 20.0), ("b", -10.0, -30.0, -10.0), ("c", 3.7, -12.25, 7.5),
                      ("a", -0.4, 0.6, -0.3), ("b", 0.0, 0.0, 13.0)]:
    hsv = cv2.cvtColor(inputs[n], cv2.COLOR_RGB2HSV)
    add("rgbToHsv", n, {}, hsv)
    hue, sat, val = cv2.split(hsv)
    base = np.arange(0, 256, dtype=np.int16)
    hue = cv2.LUT(hue, np.mod(base + dh, 180).astype(np.uint8))
    sat = cv2.LUT(sat, np.clip(base + ds, 0, 255).astype(np.uint8))
    val = cv2.LUT(val, np.clip(base + dv, 0, 255).astype(np.uint8))
    add("hueSaturationValue", n, {"dh": dh, "ds": ds, "dv": dv},
        cv2.cvtColor(cv2.merge((hue, sat, val)), cv2.COLOR_HSV2RGB))
for n in "abc":
    hsv = rng.randint(0, 256, size=inputs[n].shape).astype(np.uint8)
    hsv[..., 0] %= 180
    np.save(os.path.join(HERE, "in_hsv_%s.npy" % n), hsv)
    add("hsvToRgb", "hsv_" + n, {}, cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB))
# ShiftScaleRotate: getRotationMatrix2D((w / 2, h / 2), angle, scale), + (dx * w, dy * h), warpAffine
# INTER_LINEAR, BORDER_REFLECT_101.
for n, angle, scale, dx, dy in [("a", 15.0, 1.0, 0.0, 0.0), ("a", -45.0, 0.95, 0.05, -0.05),
                                ("b", 33.3, 1.1, -0.031, 0.047), ("c", -7.77, 1.02, 0.012, 0.0),
                                ("c", 44.0, 0.97, -0.05, 0.05), ("b", 0.0, 1.0, 0.0, 0.0)]:
    img = inputs[n]
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    m[0, 2] += dx * w
    m[1, 2] += dy * h
    out = cv2.warpAffine(img, M=m, dsize=(w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    add("shiftScaleRotate", n, {"angle": angle, "scale": scale, "dx": dx, "dy": dy}, out)
# Geometry: HorizontalFlip = cv2.flip(img, 1); RandomRotate90 = np.rot90(img, k).
for n in "ab":
    add("hflip", n, {}, cv2.flip(inputs[n], 1))
    for k in (1, 2, 3):
        add("rot90", n, {"k": k}, np.ascontiguousarray(np.rot90(inputs[n], k)))

rows = []
for k in (3, 5, 7):
    for x0 in range(k):
        for y0 in range(k):
            for x1 in range(k):
                for y1 in range(k):
                    bits = motion_kernel(k, x0, y0, x1, y1).ravel()
                    rows.append(int(sum(1 << i for i in range(k * k) if bits[i])))
np.save(os.path.join(HERE, "motion_kernels.npy"), np.array(rows, dtype=np.int64))

with open(os.path.join(HERE, "cases.json"), "w") as f:
    json.dump({"versions": {"opencv": cv2.__version__, "numpy": np.__version__}, "seed": 20240611,
               "inputs": sorted(os.path.basename(p) for p in os.listdir(HERE) if p.startswith("in_")),
               "cases": cases}, f, indent=1)
    f.write("\n")
