#!/usr/bin/env python3
"""Writes seeded RGB PNG images for scripts/serve_load.sh (standard library only: zlib and struct, no PIL).

  python3 scripts/serve_load_images.py OUT_DIR COUNT [WIDTH] [HEIGHT] [SEED]

Each image is smooth colour gradients plus seeded noise (deterministic: the same arguments give the same bytes),
named img-000.png, img-001.png, ...: good images to fit and calibrate a model on, and one to post under load.
"""
import os
import random
import struct
import sys
import zlib


def png(width, height, rows):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def image(width, height, rng):
    gx, gy, phase = rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8), rng.randrange(64)
    rows = []
    for y in range(height):
        row = bytearray(3 * width)
        for x in range(width):
            base = int(96 + 64 * gx * x / width + 64 * gy * y / height) + ((x + y + phase) // 16 % 2) * 16
            for c in range(3):
                row[3 * x + c] = max(0, min(255, base + 12 * c + rng.randrange(-20, 21)))
        rows.append(row)
    return png(width, height, rows)


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: serve_load_images.py OUT_DIR COUNT [WIDTH] [HEIGHT] [SEED]")
    out, count = sys.argv[1], int(sys.argv[2])
    width = int(sys.argv[3]) if len(sys.argv) > 3 else 320
    height = int(sys.argv[4]) if len(sys.argv) > 4 else 240
    rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 0)
    os.makedirs(out, exist_ok=True)
    for i in range(count):
        with open(os.path.join(out, "img-%03d.png" % i), "wb") as f:
            f.write(image(width, height, rng))


if __name__ == "__main__":
    main()
