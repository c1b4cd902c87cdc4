#!/usr/bin/python3
"""Writes the org.maha.weights test fixtures. Run with Debian's python3 (python3-torch 1.13, numpy 1.24, onnx):

    /usr/bin/python3 make_fixtures.py        # from this folder

Outputs (all small):
  sd_zip.pth, sd_legacy.pth      one random state dict in both torch.save formats (conv+bn+linear, float16,
                                 bfloat16, float64, int64, int32, uint8 entries, a non-contiguous transpose,
                                 a slice at a storage offset, a 0-d tensor, two entries sharing one storage)
  sd_wrapped.pth                 {"state_dict": sd, "epoch": 7}, zip format
  sd_ddp_legacy.pth              a training checkpoint as DataParallel code saves it, legacy format:
                                 {"epoch": 3, "model_state_dict": {"module." + k: v}, "optimizer_state_dict": ...}
  sd.safetensors                 the same tensors (minus bfloat16-free dtypes only) written by hand
  expected/<key>.npy             float32 values each reader must return; expected/keys.txt in file order
  mal_os_system_zip.pth          zip checkpoint whose data.pkl (protocol 2, hand-assembled) calls os.system
  mal_os_system_legacy.pth       the same pickle in the legacy layout
  mal_eval_stack_global.pth      zip checkpoint pickled by pickle.dumps(protocol=4): builtins.eval via STACK_GLOBAL
  huge_storage_claim.pth         zip checkpoint whose storage claims 10^9 float32 elements
  stride0_expansion.pth          zip checkpoint: a one-element storage viewed as 10^9 elements with stride 0
  tflite_expected.json           facts about ../../../../../../../../shared/models/tf2_mobilenet_v2_1.0_224_ptq.tflite
                                 from an independent pure-Python flatbuffer walk, cross-checked against the
                                 shared ONNX conversion (written only when the shared files are present)
Nothing here executes the malicious pickles; they are only assembled as bytes.
"""
import io
import json
import os
import pickle
import struct
import sys
import zipfile
from collections import OrderedDict

import numpy as np
import torch

SEED = 20240603
HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, *[".."] * 8, "shared"))
VERSIONS = {"python": sys.version.split()[0], "torch": torch.__version__, "numpy": np.__version__}


def state_dict():
    torch.manual_seed(SEED)
    net = torch.nn.Sequential(OrderedDict([
        ("conv", torch.nn.Conv2d(3, 4, 3)),
        ("bn", torch.nn.BatchNorm2d(4)),
        ("fc", torch.nn.Linear(8, 3)),
    ]))
    with torch.no_grad():
        net.bn.running_mean.normal_()
        net.bn.running_var.uniform_(0.5, 2.0)
        net.bn.num_batches_tracked.fill_(5)
    sd = net.state_dict()
    g = torch.Generator().manual_seed(SEED + 1)
    sd["half"] = torch.randn(2, 3, generator=g).half()
    sd["bf16"] = torch.randn(5, generator=g).bfloat16()
    sd["double"] = torch.randn(3, 2, generator=g).double()
    sd["long"] = torch.tensor([-3, 0, 7, 1 << 40], dtype=torch.int64)
    sd["int"] = torch.tensor([[1, -2], [3, 40000]], dtype=torch.int32)
    sd["byte"] = torch.tensor([0, 1, 255], dtype=torch.uint8)
    sd["transposed"] = torch.randn(3, 4, generator=g).t()  # stride (1, 4): not contiguous
    base = torch.randn(10, generator=g)
    sd["slice"] = base[2:7]  # storage offset 2
    sd["slice_tail"] = base[6:]  # shares the storage with "slice"
    sd["scalar"] = torch.tensor(2.5)
    assert not sd["transposed"].is_contiguous()
    return sd


def save_expected(sd):
    os.makedirs(os.path.join(HERE, "expected"), exist_ok=True)
    with open(os.path.join(HERE, "expected", "keys.txt"), "w") as f:
        for k, v in sd.items():
            np.save(os.path.join(HERE, "expected", k + ".npy"), v.float().contiguous().numpy().astype(np.float32))
            f.write(k + "\n")


SAFE_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
               torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8"}


def write_safetensors(sd, path):
    header, blobs, offset = OrderedDict(), [], 0
    header["__metadata__"] = {"format": "pt", "made_by": "make_fixtures.py"}
    for k, v in sd.items():
        v = v.contiguous()
        raw = v.view(torch.int16).numpy().tobytes() if v.dtype == torch.bfloat16 else v.numpy().tobytes()
        header[k] = {"dtype": SAFE_DTYPES[v.dtype], "shape": list(v.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


# --- a tiny pickle assembler (protocol 2 opcodes) for hand-made hostile files -----------------------------
def p_str(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def p_int(i):
    return b"J" + struct.pack("<i", i) if -2**31 <= i < 2**31 else b"\x8a\x08" + struct.pack("<q", i)


def p_tuple(*items):
    return b"(" + b"".join(items) + b"t"


def p_global(mod, name):
    return b"c" + mod.encode() + b"\n" + name.encode() + b"\n"


def p_tensor(key, numel, size, stride):
    storage = b"(" + p_str("storage") + p_global("torch", "FloatStorage") + p_str(key) + p_str("cpu") + p_int(numel) + b"tQ"
    args = p_tuple(storage, p_int(0), p_tuple(*map(p_int, size)), p_tuple(*map(p_int, stride)), b"\x89",
                   p_global("collections", "OrderedDict") + b")R")
    return p_global("torch._utils", "_rebuild_tensor_v2") + args + b"R"


def malicious_pickle(marker):
    # {"w": <a valid one-element tensor>, "x": os.system("touch MARKER")}
    return (b"\x80\x02}(" + p_str("w") + p_tensor("0", 1, [1], [1])
            + p_str("x") + p_global("os", "system") + p_str("touch " + marker) + b"\x85R" + b"u.")


def write_zip(path, pkl, storages):
    stem = os.path.splitext(os.path.basename(path))[0]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(stem + "/data.pkl", pkl)
        for k, raw in storages.items():
            z.writestr(stem + "/data/" + k, raw)
        z.writestr(stem + "/version", "3\n")


def write_legacy(path, pkl, storages):
    sys_info = dict(protocol_version=1001, little_endian=True, type_sizes=dict(short=2, int=4, long=4))
    with open(path, "wb") as f:
        for obj in (0x1950a86a20f9469cfc6c, 1001, sys_info):
            pickle.dump(obj, f, protocol=2)
        f.write(pkl)
        pickle.dump(sorted(storages), f, protocol=2)
        for k in sorted(storages):
            f.write(struct.pack("<q", len(storages[k]) // 4) + storages[k])


class Evil:
    def __reduce__(self):
        return (eval, ("__import__('os').system('touch /tmp/maha_weights_pwned_eval')",))


# --- TFLite: an independent pure-Python flatbuffer walk ---------------------------------------------------
class Fb:
    def __init__(self, b):
        self.b = b

    def u8(self, p): return self.b[p]
    def i8(self, p): return struct.unpack_from("<b", self.b, p)[0]
    def u16(self, p): return struct.unpack_from("<H", self.b, p)[0]
    def i32(self, p): return struct.unpack_from("<i", self.b, p)[0]
    def u32(self, p): return struct.unpack_from("<I", self.b, p)[0]

    def field(self, t, i):
        vt = t - self.i32(t)
        slot = 4 + 2 * i
        return t + self.u16(vt + slot) if slot < self.u16(vt) and self.u16(vt + slot) else None

    def scalar(self, t, i, fmt, default=0):
        p = self.field(t, i)
        return default if p is None else struct.unpack_from("<" + fmt, self.b, p)[0]

    def table(self, t, i):
        p = self.field(t, i)
        return None if p is None else p + self.u32(p)

    def vector(self, t, i):
        p = self.field(t, i)
        if p is None:
            return None, 0
        v = p + self.u32(p)
        return v + 4, self.u32(v)

    def tables(self, t, i):
        start, n = self.vector(t, i)
        return [start + 4 * k + self.u32(start + 4 * k) for k in range(n)]

    def array(self, t, i, dtype):
        start, n = self.vector(t, i)
        return np.frombuffer(self.b, dtype=dtype, count=n, offset=start) if start else np.zeros(0, dtype)

    def string(self, t, i):
        start, n = self.vector(t, i)
        return self.b[start:start + n].decode() if start else ""


OPNAMES = {0: "ADD", 1: "AVERAGE_POOL_2D", 3: "CONV_2D", 4: "DEPTHWISE_CONV_2D", 6: "DEQUANTIZE",
           9: "FULLY_CONNECTED", 22: "RESHAPE", 25: "SOFTMAX", 34: "PAD", 40: "MEAN", 114: "QUANTIZE"}
NP_TYPES = {0: np.float32, 2: np.int32, 3: np.uint8, 9: np.int8}


def tflite_facts(path):
    b = open(path, "rb").read()
    fb = Fb(b)
    model = fb.u32(0)
    codes = []
    for oc in fb.tables(model, 1):
        codes.append(max(fb.scalar(oc, 0, "b"), fb.scalar(oc, 3, "i")))
    buffers = fb.tables(model, 4)
    sg = fb.tables(model, 2)[0]
    tensors = fb.tables(sg, 0)
    ops = fb.tables(sg, 3)

    def tensor(i):
        t = tensors[i]
        q = fb.table(t, 4)
        scale = fb.array(q, 2, np.float32) if q else np.zeros(0, np.float32)
        zp = fb.array(q, 3, np.int64) if q else np.zeros(0, np.int64)
        qd = fb.scalar(q, 6, "i") if q else 0
        shape = fb.array(t, 0, np.int32).tolist()
        ttype = fb.scalar(t, 1, "b")
        buf = buffers[fb.scalar(t, 2, "I")]
        start, n = fb.vector(buf, 0)
        data = None
        if start:
            raw = np.frombuffer(b, dtype=NP_TYPES[ttype], count=n // np.dtype(NP_TYPES[ttype]).itemsize,
                                offset=start).reshape(shape)
            if len(scale) and ttype != 0:
                bshape = [1] * len(shape)
                if len(scale) > 1:
                    bshape[qd] = len(scale)
                zps = zp if len(zp) else np.zeros(1, np.int64)
                data = ((raw.astype(np.float64) - zps.reshape(bshape if len(zps) > 1 else [1] * len(shape)))
                        * scale.astype(np.float64).reshape(bshape if len(scale) > 1 else [1] * len(shape)))
                data = data.astype(np.float32)
            else:
                data = raw.astype(np.float32)
        return dict(name=fb.string(t, 3), shape=shape, type=ttype, scale=scale, zero_point=zp, qdim=qd, data=data)

    counts, first = {}, {}
    for k, op in enumerate(ops):
        code = codes[fb.scalar(op, 0, "I")]
        name = OPNAMES.get(code, "BUILTIN_%d" % code)
        counts[name] = counts.get(name, 0) + 1
        first.setdefault(name, k)
    conv = ops[first["CONV_2D"]]
    conv_in = fb.array(conv, 1, np.int32).tolist()
    conv_opt = fb.table(conv, 4)
    dw = ops[first["DEPTHWISE_CONV_2D"]]
    dw_in = fb.array(dw, 1, np.int32).tolist()
    dw_opt = fb.table(dw, 4)
    w, bias, dww = tensor(conv_in[1]), tensor(conv_in[2]), tensor(dw_in[1])
    rng = np.random.default_rng(SEED)
    picks = sorted(set(rng.integers(0, w["data"].size, 12).tolist()) | {0, w["data"].size - 1})
    dpicks = sorted(set(rng.integers(0, dww["data"].size, 12).tolist()) | {0, dww["data"].size - 1})

    # independent check: the shared ONNX conversion holds the same weights as (q - z) * s in NCHW
    onnx_path = os.path.join(SHARED, "models", "mobilenet_v2_imagenet.onnx")
    cross = False
    if os.path.exists(onnx_path):
        import onnx
        from onnx import numpy_helper
        init = {i.name: numpy_helper.to_array(i) for i in onnx.load(onnx_path).graph.initializer}
        onnx_w = (init["conv_w__1_q"].astype(np.float64) - init["conv_w__1_z"].reshape(-1, 1, 1, 1)) \
            * init["conv_w__1_s"].astype(np.float64).reshape(-1, 1, 1, 1)
        assert np.allclose(w["data"].transpose(0, 3, 1, 2), onnx_w.astype(np.float32), rtol=0, atol=1e-7)
        assert np.allclose(bias["data"], init["conv_b__2"], rtol=1e-6, atol=1e-9)
        onnx_dw = (init["dw_w__6_q"].astype(np.float64) - init["dw_w__6_z"].reshape(-1, 1, 1, 1)) \
            * init["dw_w__6_s"].astype(np.float64).reshape(-1, 1, 1, 1)
        assert np.allclose(dww["data"][0].transpose(2, 0, 1)[:, None], onnx_dw.astype(np.float32), rtol=0, atol=1e-7)
        cross = True

    def opts(t, fields):
        return {name: fb.scalar(t, i, fmt, d) for name, (i, fmt, d) in fields.items()}

    return {
        "file": os.path.basename(path), "bytes": len(b), "tensors": len(tensors), "operators": len(ops),
        "inputs": fb.array(sg, 1, np.int32).tolist(), "outputs": fb.array(sg, 2, np.int32).tolist(),
        "operator_counts": counts, "tensor_171": tensor(171)["shape"] if len(tensors) > 171 else None,
        "first_conv": {
            "operator": first["CONV_2D"], "inputs": conv_in, "outputs": fb.array(conv, 2, np.int32).tolist(),
            "options": opts(conv_opt, {"padding": (0, "b", 0), "stride_w": (1, "i", 0), "stride_h": (2, "i", 0),
                                       "activation": (3, "b", 0), "dilation_w": (4, "i", 1), "dilation_h": (5, "i", 1)}),
            "weight_name": w["name"], "weight_shape": w["shape"], "weight_type": w["type"],
            "weight_qdim": w["qdim"], "weight_scale_first3": w["scale"][:3].tolist(),
            "weight_zero_point_first3": w["zero_point"][:3].tolist(), "weight_scale_count": len(w["scale"]),
            "weight_picks": picks, "weight_values": [float(v) for v in w["data"].ravel()[picks]],
            "bias_shape": bias["shape"], "bias_type": bias["type"], "bias_values_first5": bias["data"][:5].tolist(),
        },
        "first_depthwise": {
            "operator": first["DEPTHWISE_CONV_2D"],
            "options": opts(dw_opt, {"padding": (0, "b", 0), "stride_w": (1, "i", 0), "stride_h": (2, "i", 0),
                                     "depth_multiplier": (3, "i", 0), "activation": (4, "b", 0)}),
            "weight_shape": dww["shape"], "weight_qdim": dww["qdim"], "weight_picks": dpicks,
            "weight_values": [float(v) for v in dww["data"].ravel()[dpicks]],
        },
        "cross_checked_with_onnx": cross,
    }


def effnet_facts():
    """Key counts, shapes and a few values of the shared effnet063 checkpoints, as torch.load reads them."""
    out = {}
    for name in ("tiny_legacy.pth", "tiny_zip.pth", "b0_legacy.pth"):
        path = os.path.join(SHARED, "fixtures", "effnet063", name)
        if not os.path.exists(path):
            continue
        sd = torch.load(path)
        keys = list(sd)
        picks = {}
        for k in (keys[0], "_bn0.running_var", "_blocks.0._depthwise_conv.weight", keys[-2], keys[-1]):
            flat = sd[k].float().flatten()
            idx = sorted({0, flat.numel() // 2, flat.numel() - 1})
            picks[k] = {"index": idx, "value": [float(flat[i]) for i in idx], "sum": float(flat.double().sum())}
        out[name] = {"n_keys": len(keys), "n_values": int(sum(v.numel() for v in sd.values())),
                     "first_keys": keys[:5], "last_key": keys[-1],
                     "shapes": {k: list(sd[k].shape) for k in picks}, "dtypes": {k: str(sd[k].dtype) for k in picks},
                     "picks": picks}
    return out


def main():
    sd = state_dict()
    save_expected(sd)
    torch.save(sd, os.path.join(HERE, "sd_zip.pth"))
    torch.save(sd, os.path.join(HERE, "sd_legacy.pth"), _use_new_zipfile_serialization=False)
    torch.save({"state_dict": sd, "epoch": 7}, os.path.join(HERE, "sd_wrapped.pth"))
    write_safetensors(sd, os.path.join(HERE, "sd.safetensors"))
    params = [torch.nn.Parameter(torch.zeros(2))]
    opt = torch.optim.SGD(params, lr=0.1, momentum=0.9)
    params[0].grad = torch.ones(2)
    opt.step()
    ddp = OrderedDict(("module." + k, v) for k, v in sd.items())
    torch.save({"epoch": 3, "model_state_dict": ddp, "optimizer_state_dict": opt.state_dict(), "best": 0.5},
               os.path.join(HERE, "sd_ddp_legacy.pth"), _use_new_zipfile_serialization=False)
    for name in ("sd_zip.pth", "sd_legacy.pth", "sd_wrapped.pth"):  # the files load in torch as saved
        back = torch.load(os.path.join(HERE, name))
        back = back.get("state_dict", back)
        assert list(back) == list(sd) and all(torch.equal(back[k], sd[k]) for k in sd)

    one = {"0": struct.pack("<f", 1.5)}
    write_zip(os.path.join(HERE, "mal_os_system_zip.pth"), malicious_pickle("/tmp/maha_weights_pwned_zip"), one)
    write_legacy(os.path.join(HERE, "mal_os_system_legacy.pth"), malicious_pickle("/tmp/maha_weights_pwned_legacy"), one)
    write_zip(os.path.join(HERE, "mal_eval_stack_global.pth"), pickle.dumps({"w": Evil()}, protocol=4), {})
    huge = b"\x80\x02}(" + p_str("w") + p_tensor("0", 10**9, [10**9], [1]) + b"u."
    write_zip(os.path.join(HERE, "huge_storage_claim.pth"), huge, one)
    expand = b"\x80\x02}(" + p_str("w") + p_tensor("0", 1, [10**9], [0]) + b"u."
    write_zip(os.path.join(HERE, "stride0_expansion.pth"), expand, one)

    tfl = os.path.join(SHARED, "models", "tf2_mobilenet_v2_1.0_224_ptq.tflite")
    if os.path.exists(tfl):
        facts = tflite_facts(tfl)
        facts["versions"] = VERSIONS
        with open(os.path.join(HERE, "tflite_expected.json"), "w") as f:
            json.dump(facts, f, indent=1)
    eff = effnet_facts()
    if eff:
        with open(os.path.join(HERE, "effnet063_expected.json"), "w") as f:
            json.dump(dict(eff, versions=VERSIONS), f, indent=1)
    with open(os.path.join(HERE, "fixtures_versions.json"), "w") as f:
        json.dump(dict(VERSIONS, seed=SEED), f, indent=1)


if __name__ == "__main__":
    main()
