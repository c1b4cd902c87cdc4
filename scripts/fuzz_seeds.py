#!/usr/bin/env python3
"""Regenerates the valid seed inputs of the .npy and .maha fuzz targets (maha-core test resources).

  python3 scripts/fuzz_seeds.py

.npy seeds: one small valid array per dtype, byte order, rank and header version read by org.maha.npy.Npy.
.maha seeds: the golden v1 models as they are (raw-bytes target), and for the target that fixes checksums, one
file per entry of golden-v1-npca_0.9.maha: its index in the zip as one byte, then the entry's bytes.
The image seeds (ImageDecoderFuzzTestInputs) are an 8 x 8 noise image written by ImageIO as PNG, JPEG, BMP and
TIFF, plus HostileFiles.tiff(1, 0) and HostileFiles.ancillaryBombPng("zTXt", 100) (maha-cli test sources).
"""
import os
import shutil
import struct
import zipfile

ROOT = os.path.join(os.path.dirname(__file__), "..", "maha-core", "src", "test", "resources", "org", "maha")


def npy(descr, shape, data, major=1):
    h = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    pre = 10 if major == 1 else 12
    h += " " * ((64 - (pre + len(h) + 1) % 64) % 64) + "\n"
    size = struct.pack("<H", len(h)) if major == 1 else struct.pack("<I", len(h))
    return b"\x93NUMPY" + bytes([major, 0]) + size + h.encode("latin1") + data


def main():
    d = os.path.join(ROOT, "npy", "NpyFuzzTestInputs", "readsOrRefuses")
    os.makedirs(d, exist_ok=True)
    seeds = {
        "f8-vector.npy": npy("<f8", "(3,)", struct.pack("<3d", 1.5, -2.0, 3.25)),
        "f8-matrix.npy": npy("<f8", "(2, 2)", struct.pack("<4d", 1, 0, 0, 1)),
        "f8-big-endian.npy": npy(">f8", "(2,)", struct.pack(">2d", 1, 2)),
        "f4.npy": npy("<f4", "(2, 1)", struct.pack("<2f", 1, 2)),
        "i8.npy": npy("<i8", "(2,)", struct.pack("<2q", -1, 7)),
        "u1.npy": npy("|u1", "(4,)", bytes([0, 1, 254, 255])),
        "b1.npy": npy("|b1", "(2,)", bytes([0, 1])),
        "scalar.npy": npy("<f8", "()", struct.pack("<d", 42)),
        "empty.npy": npy("<f8", "(0, 5)", b""),
        "v2.npy": npy("<i4", "(2,)", struct.pack("<2i", 3, 4), major=2),
    }
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)

    model = os.path.join(ROOT, "model")
    raw = os.path.join(model, "ModelFileFuzzTestInputs", "readsOrRefuses")
    fixed = os.path.join(model, "ModelFileFuzzTestInputs", "readsOrRefusesWithValidChecksums")
    os.makedirs(raw, exist_ok=True)
    os.makedirs(fixed, exist_ok=True)
    for v in ("mvg", "sed"):
        shutil.copy(os.path.join(model, "golden-v1-%s.maha" % v), os.path.join(raw, "seed-%s.maha" % v))
    with zipfile.ZipFile(os.path.join(model, "golden-v1-npca_0.9.maha")) as z:
        for i, name in enumerate(z.namelist()):
            if not name.endswith(".sha256"):
                with open(os.path.join(fixed, "seed-%02d-%s" % (i, name.replace("/", "_"))), "wb") as f:
                    f.write(bytes([i]) + z.read(name))


if __name__ == "__main__":
    main()
