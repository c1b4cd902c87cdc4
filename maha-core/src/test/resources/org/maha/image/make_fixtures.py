#!/usr/bin/env python3
"""Writes the org.maha.image test fixtures into this folder.

Needs the Debian packages python3-numpy, python3-opencv and python3-pil (run with /usr/bin/python3).
Everything is seeded; rerunning gives the same files on the same library versions (listed in fixtures.json).

Files written:
  decode/<name>.<ext>      small (23 x 17) images in every format / bit depth the decoder supports
  decode/<name>.rgb.npy    cv2.imread(file, IMREAD_COLOR)[..., ::-1]: the reference RGB uint8, H x W x 3
  resize_cases.json        cv2.resize(src, (dw, dh)) (INTER_LINEAR) on synthetic sources the Java test rebuilds
                           from the same integer hash; per case the SHA-256 of the output bytes and their sum,
                           and the output itself when small
  normalization.npy        float32 [2, 3, 256]: value of pixel p in channel c, [0] albumentations 0.4.3
                           Normalize() (ImageNet), [1] Keras 'tf' mode p / 127.5 - 1
  fixtures.json            library versions and the list of files
"""
import hashlib
import json
import os
import struct
import zlib

import cv2
import numpy as np
import PIL
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
DEC = os.path.join(HERE, "decode")
W, H = 23, 17
M32 = 0xFFFFFFFF


def lowbias32(i, seed):
    """The integer hash the Java test also implements (uint32 wrap-around arithmetic)."""
    h = (i.astype(np.uint64) * 0x9E3779B1 + seed * 0x85EBCA77) & M32
    h ^= h >> 16
    h = (h * 0x7FEB352D) & M32
    h ^= h >> 15
    h = (h * 0x846CA68B) & M32
    h ^= h >> 16
    return h


def synthetic(w, h, seed, pattern):
    """H x W x 3 uint8 source image; index i = (y * w + x) * 3 + c, as in OpenCvResizeTest."""
    i = np.arange(w * h * 3, dtype=np.uint64)
    hv = lowbias32(i, seed)
    if pattern == "noise":
        v = hv >> 24
    elif pattern == "binary":
        v = (hv >> 31) * 255
    elif pattern == "smooth":
        c = i % 3
        x = (i // 3) % w
        y = i // (3 * w)
        v = (x * 3 + y * 5 + c * 40 + (hv >> 29)) & 255
    else:
        raise ValueError(pattern)
    return v.astype(np.uint8).reshape(h, w, 3)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & M32)


def write_png(path, rows_bytes, w, h, bit_depth, color_type, extra=b""):
    """Minimal PNG writer for the layouts cv2 cannot write (gray+alpha 16-bit, 2-bit gray)."""
    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 0)
    raw = b"".join(b"\x00" + r for r in rows_bytes)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + extra
                + png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b""))


def decode_fixtures():
    os.makedirs(DEC, exist_ok=True)
    rng = np.random.default_rng(20240601)
    yy, xx = np.mgrid[0:H, 0:W]
    # photo-like content (a gradient plus noise) so that JPEG is not all ringing
    base = np.stack([(xx * 11 + yy * 3) % 256, (yy * 15 + 40) % 256, (xx * yy) % 256], -1)
    rgb8 = np.clip(base + rng.integers(-20, 21, (H, W, 3)), 0, 255).astype(np.uint8)
    gray8 = rng.integers(0, 256, (H, W), dtype=np.uint8)
    rgb16 = rng.integers(0, 65536, (H, W, 3), dtype=np.uint16)
    gray16 = rng.integers(0, 65536, (H, W), dtype=np.uint16)
    alpha8 = rng.integers(0, 256, (H, W), dtype=np.uint8)
    alpha16 = rng.integers(0, 65536, (H, W), dtype=np.uint16)
    bgr = lambda a: a[..., ::-1].copy()
    files = []

    def cv(name, img, params=()):
        p = os.path.join(DEC, name)
        assert cv2.imwrite(p, img, list(params)), name
        files.append(name)

    def pil(name, im, **kw):
        im.save(os.path.join(DEC, name), **kw)
        files.append(name)

    # PNG
    cv("png_gray8.png", gray8)
    cv("png_rgb8.png", bgr(rgb8))
    cv("png_rgba8.png", np.dstack([bgr(rgb8), alpha8]))
    cv("png_gray16.png", gray16)
    cv("png_rgb16.png", bgr(rgb16))
    cv("png_rgba16.png", np.dstack([bgr(rgb16), alpha16]))
    pil("png_graya8.png", Image.fromarray(np.dstack([gray8, alpha8]), "LA"))
    pal = rng.integers(0, 256, (256, 3), dtype=np.uint8)
    idx = rng.integers(0, 256, (H, W), dtype=np.uint8)
    pim = Image.fromarray(idx, "P")
    pim.putpalette(pal.reshape(-1).tolist())
    pil("png_palette8.png", pim)
    pim_t = pim.copy()
    pim_t.info["transparency"] = bytes(rng.integers(0, 256, 256, dtype=np.uint8))
    pil("png_palette8_trns.png", pim_t, transparency=pim_t.info["transparency"])
    idx4 = (idx % 16).astype(np.uint8)
    p4 = Image.fromarray(idx4, "P")
    p4.putpalette(pal[:16].reshape(-1).tolist())
    pil("png_palette4.png", p4, bits=4)
    pil("png_gray1.png", Image.fromarray(gray8 > 127))
    # 2-bit gray and 16-bit gray+alpha, written by hand
    g2 = (gray8 >> 6).astype(np.uint8)
    rows = []
    for r in g2:
        packed = np.zeros((W + 3) // 4, np.uint8)
        for x, v in enumerate(r):
            packed[x // 4] |= v << (6 - 2 * (x % 4))
        rows.append(packed.tobytes())
    write_png(os.path.join(DEC, "png_gray2.png"), rows, W, H, 2, 0)
    files.append("png_gray2.png")
    ga16 = np.dstack([gray16, alpha16]).astype(">u2")
    write_png(os.path.join(DEC, "png_graya16.png"), [r.tobytes() for r in ga16], W, H, 16, 4)
    files.append("png_graya16.png")
    # BMP
    cv("bmp_rgb24.bmp", bgr(rgb8))
    cv("bmp_gray8.bmp", gray8)
    pil("bmp_palette8.bmp", pim)
    pil("bmp_rgba32.bmp", Image.fromarray(np.dstack([rgb8, alpha8]), "RGBA"))
    # TIFF (cv2 writes LZW)
    cv("tif_gray8.tif", gray8)
    cv("tif_rgb8.tif", bgr(rgb8))
    cv("tif_rgba8.tif", np.dstack([bgr(rgb8), alpha8]))
    cv("tif_gray16.tif", gray16)
    cv("tif_rgb16.tif", bgr(rgb16))
    cv("tif_rgba16.tif", np.dstack([bgr(rgb16), alpha16]))
    pil("tif_palette8.tif", pim)
    pil("tif_rgb8_raw.tif", Image.fromarray(rgb8, "RGB"))
    # JPEG (libjpeg via cv2: 4:2:0; PIL: 4:4:4 and gray)
    cv("jpg_color420.jpg", bgr(rgb8), (cv2.IMWRITE_JPEG_QUALITY, 90))
    cv("jpg_gray.jpg", gray8, (cv2.IMWRITE_JPEG_QUALITY, 90))
    cv("jpg_progressive.jpg", bgr(rgb8), (cv2.IMWRITE_JPEG_QUALITY, 90, cv2.IMWRITE_JPEG_PROGRESSIVE, 1))
    pil("jpg_color444.jpg", Image.fromarray(rgb8, "RGB"), quality=90, subsampling=0)

    for name in files:
        ref = cv2.imread(os.path.join(DEC, name), cv2.IMREAD_COLOR)
        assert ref is not None and ref.shape == (H, W, 3), name
        np.save(os.path.join(DEC, name.rsplit(".", 1)[0] + ".rgb.npy"), ref[..., ::-1].copy())
    return files


RESIZE_CASES = [
    # (src w, src h, dst w, dst h, pattern)
    (1024, 1024, 224, 224, "noise"), (1024, 1024, 380, 380, "smooth"), (700, 700, 380, 380, "noise"),
    (700, 700, 224, 224, "binary"), (900, 900, 456, 456, "noise"), (512, 341, 224, 224, "noise"),
    (512, 384, 224, 224, "smooth"), (448, 448, 224, 224, "noise"), (224, 224, 112, 112, "binary"),
    (640, 480, 320, 240, "noise"), (23, 17, 224, 224, "noise"), (23, 17, 224, 224, "binary"),
    (224, 224, 600, 600, "smooth"), (64, 64, 63, 65, "noise"), (300, 300, 299, 301, "noise"),
    (17, 23, 5, 7, "noise"), (100, 60, 37, 91, "binary"), (3, 2, 11, 13, "noise"), (1, 1, 5, 5, "noise"),
    (7, 1, 3, 4, "noise"), (1, 7, 4, 3, "binary"), (1000, 10, 3, 3, "noise"), (13, 13, 26, 26, "noise"),
    (10, 10, 20, 21, "binary"), (11, 9, 5, 4, "noise"), (5, 5, 1, 1, "noise"), (37, 29, 240, 240, "smooth"),
    (1023, 767, 260, 260, "noise"), (255, 255, 528, 528, "binary"), (999, 5, 31, 5, "noise"),
    (6, 6, 3, 3, "noise"), (8, 6, 4, 5, "noise"), (240, 240, 300, 300, "noise"), (301, 299, 300, 300, "binary"),
]


def resize_fixtures():
    cases = []
    for k, (sw, sh, dw, dh, pattern) in enumerate(RESIZE_CASES):
        seed = 1000 + k
        src = synthetic(sw, sh, seed, pattern)
        out = cv2.resize(src, (dw, dh), interpolation=cv2.INTER_LINEAR)
        assert out.shape == (dh, dw, 3) and out.dtype == np.uint8
        case = {"srcWidth": sw, "srcHeight": sh, "dstWidth": dw, "dstHeight": dh, "seed": seed,
                "pattern": pattern, "sha256": hashlib.sha256(out.tobytes()).hexdigest(),
                "sum": int(out.astype(np.int64).sum())}
        if dw * dh <= 32 * 32:
            case["rgb"] = out.reshape(-1).tolist()
        if k == 0:
            case["srcHead"] = src.reshape(-1)[:12].tolist()  # pins the hash in the Java port
        cases.append(case)
    return cases


def normalization_fixture():
    p = np.arange(256, dtype=np.uint8).reshape(256, 1, 1).repeat(3, axis=2)  # H=256, W=1, C=3
    # albumentations 0.4.3 functional.normalize, verbatim
    mean = np.array((0.485, 0.456, 0.406), dtype=np.float32)
    mean *= 255.0
    std = np.array((0.229, 0.224, 0.225), dtype=np.float32)
    std *= 255.0
    denominator = np.reciprocal(std, dtype=np.float32)
    img = p.astype(np.float32)
    img -= mean
    img *= denominator
    # Keras applications imagenet_utils.preprocess_input(mode='tf') on a float32 array
    tf = p.astype(np.float32)
    tf /= 127.5
    tf -= 1.0
    out = np.stack([img[:, 0, :].T, tf[:, 0, :].T]).astype(np.float32)  # [2, 3, 256]
    np.save(os.path.join(HERE, "normalization.npy"), out)


def main():
    files = decode_fixtures()
    cases = resize_fixtures()
    with open(os.path.join(HERE, "resize_cases.json"), "w") as f:
        json.dump({"generator": "cv2.resize(src, (dstWidth, dstHeight), interpolation=cv2.INTER_LINEAR)",
                   "opencv": cv2.__version__, "cases": cases}, f, indent=None, separators=(",", ":"))
        f.write("\n")
    normalization_fixture()
    with open(os.path.join(HERE, "fixtures.json"), "w") as f:
        json.dump({"script": "make_fixtures.py", "opencv": cv2.__version__, "numpy": np.__version__,
                   "pillow": PIL.__version__, "opencv_simd_baseline": "SSE2 (Debian python3-opencv)",
                   "decode_files": files, "resize_cases": len(cases)}, f, indent=2)
        f.write("\n")
    print("opencv", cv2.__version__, "numpy", np.__version__, "pillow", PIL.__version__,
          "decode files", len(files), "resize cases", len(cases))


if __name__ == "__main__":
    main()
