#!/usr/bin/python3
"""Writes the hostile weight-file corpus and the fuzzing seeds. Run from the repository root with Debian's python3
(python3-torch 1.13 and python3-numpy, needed only to read the committed tiny ResNet):

    /usr/bin/python3 scripts/make_hostile_weights.py

Each file is a small, hand-assembled attack on one reader, refused by maha with exit 2 and one line (see
maha-cli's HostileWeightsTest, which names the expected problem for each). Nothing here executes a pickle.

  maha-cli/src/test/resources/org/maha/cli/hostile-weights/
    dag_key.pth            zip checkpoint: a dict key is a tuple nesting (t, t) 60 times: 2^60 nodes in 1 KB
    dag_pid.pth            zip checkpoint: a persistent id built the same way (its message would be 2^50 items)
    memo_bomb.pth          zip checkpoint, deflated: data.pkl is NONE then 8 M MEMOIZE opcodes (one byte each)
    stride_2e62.pth        zip checkpoint: a [4, 1] tensor with stride (2^62, 1): its last element is at 3 * 2^62
    size_2e31x2e40.pth     zip checkpoint: a tensor of size [2^31, 2^40]
    view_offset_2e31.pth   legacy checkpoint: a storage view at offset 2^31 whose size makes offset + size wrap
    resnet_view_2e62.pth   legacy checkpoint: the full tiny ResNet of org/maha/zoo, float16, whose conv1.weight is
                           a storage view at offset 2^62 (offset + size wraps; torch.load refuses it)
    alias.safetensors      300 tensors whose data_offsets all name the same 16 KB
    st_huge_header.safetensors   header length field of 2^40 (not even recognised as safetensors)
    st_overflow.safetensors      a shape [2^30, 2^30, 2^30, 4] whose product overflows a long
    tfl_root_oob.tflite    root table offset past the end of the file
    tfl_vtable_oob.tflite  a table whose vtable offset points before the file
    tfl_huge_vector.tflite a tensor shape vector claiming 2^31 - 1 elements
    tfl_reuse.tflite       12,000 operator offsets all naming one operator whose inputs vector has 12,000 entries
    tfl_buffer_wrap.tflite a buffer at offset 2^62 of size 2^62 (offset + size wraps)
    tfl_cycle.tflite       a MobileNetV2-shaped graph whose classifier output is a QUANTIZE of itself
  maha-core/src/test/resources/org/maha/weights/<Class>Inputs/<method>/seed-*: valid small files for the fuzzers
"""
import os
import pickle
import struct
import sys
import zipfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
WEIGHTS = os.path.join(ROOT, "maha-core/src/test/resources/org/maha/weights")
sys.path.insert(0, WEIGHTS)
from make_fixtures import p_global, p_int, p_str, p_tuple, write_legacy  # noqa: E402  the pickle assembler

OUT = os.path.join(ROOT, "maha-cli/src/test/resources/org/maha/cli/hostile-weights")
SEEDS = WEIGHTS


def p_tensor_at(pid, offset, size, stride):
    """_rebuild_tensor_v2(<persistent id>, offset, size, stride, False, OrderedDict())."""
    args = p_tuple(pid + b"Q", p_int(offset), p_tuple(*map(p_int, size)), p_tuple(*map(p_int, stride)), b"\x89",
                   p_global("collections", "OrderedDict") + b")R")
    return p_global("torch._utils", "_rebuild_tensor_v2") + args + b"R"


def p_pid(key, numel, cls="FloatStorage", view=b""):
    return b"(" + p_str("storage") + p_global("torch", cls) + p_str(key) + p_str("cpu") + p_int(numel) + view + b"t"


def p_long8(i):
    return b"\x8a\x08" + struct.pack("<q", i)


def zip_checkpoint(path, pkl, storages, deflate=False):
    stem = os.path.splitext(os.path.basename(path))[0]
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", method) as z:
        for name, data in [("data.pkl", pkl)] + [("data/" + k, raw) for k, raw in storages.items()] + [
                ("version", b"3\n")]:
            z.writestr(zipfile.ZipInfo(stem + "/" + name, date_time=(2024, 1, 1, 0, 0, 0)), data, method)


def shared_tuple(levels, leaf):
    """leaf, then (prev, prev) memoised (and popped) at each level, then the last one pushed: a DAG of `levels`
    levels, 2^levels tree nodes."""
    out = leaf + b"q\x000"
    for i in range(1, levels + 1):
        out += b"h" + bytes([i - 1]) + b"h" + bytes([i - 1]) + b"\x86q" + bytes([i]) + b"0"
    return out + b"h" + bytes([levels])


def pickles():
    four = {"0": struct.pack("<4f", 1, 2, 3, 4)}
    zip_checkpoint(os.path.join(OUT, "dag_key.pth"), b"\x80\x02}" + shared_tuple(60, b")") + b"Ns.", {})
    dag_pid = b"\x80\x02}" + p_str("w") + shared_tuple(50, p_str("storage")) + b"Qs."
    zip_checkpoint(os.path.join(OUT, "dag_pid.pth"), dag_pid, {})
    zip_checkpoint(os.path.join(OUT, "memo_bomb.pth"), b"\x80\x02N" + b"\x94" * (8 << 20) + b".", {}, deflate=True)
    stride = b"\x80\x02}(" + p_str("w") + p_tensor_at(p_pid("0", 4), 0, [4, 1], [1 << 62, 1]) + b"u."
    zip_checkpoint(os.path.join(OUT, "stride_2e62.pth"), stride, four)
    size = b"\x80\x02}(" + p_str("w") + p_tensor_at(p_pid("0", 4), 0, [1 << 31, 1 << 40], [1, 1]) + b"u."
    zip_checkpoint(os.path.join(OUT, "size_2e31x2e40.pth"), size, four)
    # legacy view (view_key, offset, size): offset + size = 2^63 + 3 wraps to a negative long
    view = p_tuple(p_str("v"), p_long8(1 << 31), p_long8((1 << 63) - (1 << 31) + 3))
    legacy = b"\x80\x02}(" + p_str("w") + p_tensor_at(p_pid("0", 4, view=view), 0, [4], [1]) + b"u."
    write_legacy(os.path.join(OUT, "view_offset_2e31.pth"), legacy, four)


def resnet_view():
    import torch
    sd = torch.load(os.path.join(ROOT, "maha-core/src/test/resources/org/maha/zoo/tiny_resnet.pth"))
    body, storages, widths = b"", {}, {}
    for i, (k, v) in enumerate(sd.items()):
        key = str(i)
        if v.dtype == torch.int64:
            raw, cls, widths[key] = v.contiguous().numpy().tobytes(), "LongStorage", 8
        else:
            raw, cls, widths[key] = v.contiguous().half().numpy().tobytes(), "HalfStorage", 2
        storages[key] = raw
        n = v.numel()
        view = b""
        if k == "conv1.weight":  # a view at 2^62 of 2^63 - 2^62 elements: offset + size = 2^63 wraps
            view = p_tuple(p_str("v"), p_long8(1 << 62), p_long8((1 << 63) - (1 << 62)))
        stride = [int(s) for s in v.contiguous().stride()]
        body += p_str(k) + p_tensor_at(p_pid(key, n, cls, view), 0, list(v.shape), stride)
    pkl = b"\x80\x02}(" + body + b"u."
    # written by hand: write_legacy counts 4-byte elements, these storages hold 2- and 8-byte ones
    path = os.path.join(OUT, "resnet_view_2e62.pth")
    info = dict(protocol_version=1001, little_endian=True, type_sizes=dict(short=2, int=4, long=4))
    with open(path, "wb") as f:
        for obj in (0x1950a86a20f9469cfc6c, 1001, info):
            pickle.dump(obj, f, protocol=2)
        f.write(pkl)
        pickle.dump(sorted(storages, key=int), f, protocol=2)
        for k in sorted(storages, key=int):
            f.write(struct.pack("<q", len(storages[k]) // widths[k]) + storages[k])


def safetensors(path, header, data):
    import json
    h = json.dumps(header, separators=(",", ":")).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + data)


def safetensors_files():
    header = {"t%d" % i: {"dtype": "F32", "shape": [4096], "data_offsets": [0, 16384]} for i in range(300)}
    safetensors(os.path.join(OUT, "alias.safetensors"), header, bytes(16384))
    with open(os.path.join(OUT, "st_huge_header.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", 1 << 40) + b"{}" + bytes(6))
    header = {"t": {"dtype": "F32", "shape": [1 << 30, 1 << 30, 1 << 30, 4], "data_offsets": [0, 16]}}
    safetensors(os.path.join(OUT, "st_overflow.safetensors"), header, bytes(16))


# --- a minimal FlatBuffers writer: tables in depth-first order, each child after the field that points to it ---
class Fb:
    def __init__(self):
        self.b = bytearray(8)
        self.b[4:8] = b"TFL3"

    def pad(self, n):
        while len(self.b) % n:
            self.b.append(0)

    def table(self, fields):
        """fields: list by field id of None, (fmt, value) scalars, or ('off', writer) where writer() writes the child
        and returns its position."""
        self.pad(4)
        n = len(fields)
        vt = len(self.b)
        self.b += bytes(4 + 2 * n)
        if len(self.b) % 4:
            self.b += bytes(2)
        start = len(self.b)
        self.b += bytes(4)  # soffset to the vtable
        slots, later = [], []
        for i, f in enumerate(fields):
            if f is None:
                slots.append(0)
                continue
            fmt, value = f
            if fmt == "Q":
                self.pad(8)
            pos = len(self.b)
            slots.append(pos - start)
            if fmt == "off":
                self.b += bytes(4)
                later.append((pos, value))
            else:
                self.b += struct.pack("<" + fmt, value)
                self.pad(4)
        struct.pack_into("<HH" + "H" * n, self.b, vt, 4 + 2 * n, len(self.b) - start, *slots)
        struct.pack_into("<i", self.b, start, start - vt)
        for pos, writer in later:
            struct.pack_into("<I", self.b, pos, writer() - pos)
        return start

    def vector(self, fmt, values):
        self.pad(8 if fmt == "Q" else 4)
        pos = len(self.b)
        self.b += struct.pack("<I", len(values)) + b"".join(struct.pack("<" + fmt, v) for v in values)
        return pos

    def tables(self, items):
        self.pad(4)
        pos = len(self.b)
        self.b += struct.pack("<I", len(items)) + bytes(4 * len(items))
        for i, fields in enumerate(items):
            slot = pos + 4 + 4 * i
            struct.pack_into("<I", self.b, slot, self.table(fields) - slot)
        return pos

    def string(self, s):
        self.pad(4)
        pos = len(self.b)
        self.b += struct.pack("<I", len(s)) + s.encode() + b"\0"
        return pos

    def finish(self, root):
        struct.pack_into("<I", self.b, 0, root)
        return bytes(self.b)


def tensor(fb, shape, name, buffer=0, ttype=0):
    return [("off", lambda: fb.vector("i", shape)), ("b", ttype), ("I", buffer), ("off", lambda: fb.string(name)), None]


def op(fb, code_index, ins, outs, options=None):
    return [("I", code_index), ("off", lambda: fb.vector("i", ins)), ("off", lambda: fb.vector("i", outs)),
            ("B", 1) if options else None, ("off", lambda: fb.table(options)) if options else None]


def model(fb, codes, tensors, ins, outs, ops, buffers):
    sub = [("off", lambda: fb.tables(tensors)), ("off", lambda: fb.vector("i", ins)),
           ("off", lambda: fb.vector("i", outs)), ("off", lambda: fb.tables(ops))]
    root = fb.table([("I", 3), ("off", lambda: fb.tables([[("b", c), None, ("i", 1), ("i", c)] for c in codes])),
                     ("off", lambda: fb.tables([sub])), ("off", lambda: fb.string("maha hostile corpus")),
                     ("off", lambda: fb.tables(buffers))])
    return fb.finish(root)


def tiny_conv():
    """A valid 1×4×4×3 → CONV_2D 1×1 → 1×4×4×2 float model: the fuzzing seed and the base of the corruptions."""
    fb = Fb()
    w = struct.pack("<6f", 0.5, -1, 0.25, 2, 0, -0.5)
    b = struct.pack("<2f", 0.1, -0.1)
    tensors = [tensor(fb, [1, 4, 4, 3], "input"), tensor(fb, [2, 1, 1, 3], "w", 1),
               tensor(fb, [2], "b", 2), tensor(fb, [1, 4, 4, 2], "output")]
    conv_opts = [("b", 1), ("i", 1), ("i", 1), ("b", 0), ("i", 1), ("i", 1)]
    buffers = [[], [("off", lambda: fb.vector("B", list(w)))], [("off", lambda: fb.vector("B", list(b)))]]
    return model(fb, [3], tensors, [0], [3], [op(fb, 0, [0, 1, 2], [3], conv_opts)], buffers)


def mobilenet_cycle():
    fb = Fb()
    dims = [16, 24, 32, 64, 96, 160, 320]
    shapes, ops = [[1, 8, 8, 3], [1, 8, 8, 32]], []
    ops.append((0, [0], [1]))
    prev, ch = 1, 32
    for d in dims:
        shapes.append([1, 8, 8, ch])
        dw = len(shapes) - 1
        ops.append((1, [prev], [dw]))
        shapes.append([1, 8, 8, d])
        ops.append((0, [dw], [len(shapes) - 1]))
        prev, ch = len(shapes) - 1, d
    shapes.append([1, 8, 8, 1280])
    ops.append((0, [prev], [len(shapes) - 1]))
    head = len(shapes) - 1
    shapes.append([1, 1280])
    ops.append((2, [head], [len(shapes) - 1]))
    shapes.append([1, 1000])
    logits = len(shapes) - 1
    ops.append((3, [logits], [logits]))  # QUANTIZE of itself
    tensors = [tensor(fb, s, "t%d" % i) for i, s in enumerate(shapes)]
    return model(fb, [3, 4, 40, 114], tensors, [0], [logits], [op(fb, c, i, o) for c, i, o in ops], [[]])


def tflite_files():
    base = tiny_conv()
    write(os.path.join(SEEDS, "TfliteFuzzTestInputs/readsOrRefuses/seed-tiny-conv"), base)
    b = bytearray(base)
    struct.pack_into("<I", b, 0, len(b) + 100)
    write(os.path.join(OUT, "tfl_root_oob.tflite"), b)
    b = bytearray(base)
    root = struct.unpack_from("<I", b, 0)[0]
    struct.pack_into("<i", b, root, root + 4096)  # vtable = table - soffset, before the file
    write(os.path.join(OUT, "tfl_vtable_oob.tflite"), b)
    fb = Fb()
    tensors = [[("off", lambda: fb.vector("i", [1, 4, 4, 3])), ("b", 0), ("I", 0), ("off", lambda: fb.string("x"))]]
    data = bytearray(model(fb, [3], tensors, [0], [0], [], [[]]))
    at = data.find(struct.pack("<I4i", 4, 1, 4, 4, 3))
    struct.pack_into("<I", data, at, 0x7fffffff)
    write(os.path.join(OUT, "tfl_huge_vector.tflite"), data)
    write(os.path.join(OUT, "tfl_reuse.tflite"), reuse())
    write(os.path.join(OUT, "tfl_buffer_wrap.tflite"), buffer_wrap())
    write(os.path.join(OUT, "tfl_cycle.tflite"), mobilenet_cycle())


def reuse():
    """One operator table, named 12,000 times by the operators vector; its inputs vector has 12,000 entries: a
    96 KB file whose operators, each read in full, would take 576 MB."""
    fb = Fb()
    tensors = [tensor(fb, [1], "x")]
    one_op = op(fb, 0, [0] * 12_000, [0])

    def ops_vector():
        fb.pad(4)
        pos = len(fb.b)
        n = 12_000
        fb.b += struct.pack("<I", n) + bytes(4 * n)
        table = fb.table(one_op)
        for i in range(n):
            slot = pos + 4 + 4 * i
            struct.pack_into("<I", fb.b, slot, table - slot)
        return pos
    sub = [("off", lambda: fb.tables(tensors)), ("off", lambda: fb.vector("i", [0])),
           ("off", lambda: fb.vector("i", [0])), ("off", ops_vector)]
    root = fb.table([("I", 3), ("off", lambda: fb.tables([[("b", 3), None, ("i", 1), ("i", 3)]])),
                     ("off", lambda: fb.tables([sub])), None, ("off", lambda: fb.tables([[]]))])
    return fb.finish(root)


def buffer_wrap():
    fb = Fb()
    tensors = [tensor(fb, [1 << 20, 1 << 20, 1 << 22], "w", 1, ttype=9), tensor(fb, [1], "x")]
    buffers = [[], [None, ("Q", 1 << 62), ("Q", 1 << 62)]]
    return model(fb, [3], tensors, [1], [1], [], buffers)


def seeds():
    for src, target in (("sd_zip.pth", "TorchCheckpointFuzzTestInputs/readsOrRefuses/seed-zip"),
                        ("sd_legacy.pth", "TorchCheckpointFuzzTestInputs/readsOrRefuses/seed-legacy"),
                        ("sd.safetensors", "SafetensorsFuzzTestInputs/readsOrRefuses/seed-state-dict")):
        with open(os.path.join(WEIGHTS, src), "rb") as f:
            write(os.path.join(SEEDS, target), f.read())
    with zipfile.ZipFile(os.path.join(WEIGHTS, "sd_zip.pth")) as z:
        name = [n for n in z.namelist() if n.endswith("/data.pkl")][0]
        write(os.path.join(SEEDS, "UnpicklerFuzzTestInputs/loadsOrRefuses/seed-state-dict"), z.read(name))


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(bytes(data))


def main():
    os.makedirs(OUT, exist_ok=True)
    pickles()
    resnet_view()
    safetensors_files()
    tflite_files()
    seeds()


if __name__ == "__main__":
    main()
