#!/usr/bin/env python3
"""Writes the tiny ONNX CNNs and reference features used by org.maha.backbone tests.

Needs Debian's python3-numpy and python3-onnx (run with /usr/bin/python3). Deterministic: seeded RNG, no
timestamps, so re-running reproduces the committed files byte for byte (given the same onnx version).

Files written next to this script:
  tiny_cnn.onnx                input "input" float32 [N,3,32,32] (dim_param "N"), outputs
                               "s1" [N,8,16,16] (Conv 3x3/2 + Relu), "s2" [N,16,8,8] (Conv 3x3/2 + Relu),
                               "pooled" [N,16] (Conv 1x1 + Relu, GlobalAveragePool, Flatten)
  tiny_cnn_batch1.onnx         the same weights, batch fixed at 1 on input and outputs
  tiny_cnn_batch1_reshape.onnx batch fixed at 1 and "pooled" made by Reshape(shape=[1,-1]) instead of Flatten:
                               a graph whose batch axis cannot be relaxed (batch 2 gives [1,32])
  bad_rank.onnx                input [N,3,32] (rank 3): must be rejected
  rank3_output.onnx            input [N,3,8,8], output "seq" [N,3,64]: a level of unsupported rank
  symbolic_dims.onnx           input [N,3,8,8], output "y" [N,C,8,8], C only known at run time (= 3)
  tiny_cnn_input.npy           float32 [5,3,32,32] fixed random input batch
  tiny_cnn_expected.json       per level [5][C] float64 global-average-pooled features, computed with numpy
                               (float64 direct convolution), plus library versions
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20200201
OPSET = 13
S = 32

rng = np.random.default_rng(SEED)


def he(shape):
    fan_in = int(np.prod(shape[1:]))
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)


W1 = he((8, 3, 3, 3))
B1 = (rng.standard_normal(8) * 0.1).astype(np.float32)
W2 = he((16, 8, 3, 3))
B2 = (rng.standard_normal(16) * 0.1).astype(np.float32)
W3 = he((16, 16, 1, 1))
B3 = (rng.standard_normal(16) * 0.1).astype(np.float32)
X = rng.uniform(-2.0, 2.0, size=(5, 3, S, S)).astype(np.float32)


def vi(name, dims):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


def save(model, name):
    onnx.checker.check_model(model)
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(model.SerializeToString())


def tiny(batch, reshape=False):
    inits = [numpy_helper.from_array(a, n) for a, n in
             [(W1, "w1"), (B1, "b1"), (W2, "w2"), (B2, "b2"), (W3, "w3"), (B3, "b3")]]
    nodes = [
        helper.make_node("Conv", ["input", "w1", "b1"], ["c1"], kernel_shape=[3, 3], strides=[2, 2],
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["s1"]),
        helper.make_node("Conv", ["s1", "w2", "b2"], ["c2"], kernel_shape=[3, 3], strides=[2, 2],
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c2"], ["s2"]),
        helper.make_node("Conv", ["s2", "w3", "b3"], ["c3"], kernel_shape=[1, 1]),
        helper.make_node("Relu", ["c3"], ["r3"]),
        helper.make_node("GlobalAveragePool", ["r3"], ["gap"]),
    ]
    if reshape:
        inits.append(numpy_helper.from_array(np.array([1, -1], dtype=np.int64), "flat_shape"))
        nodes.append(helper.make_node("Reshape", ["gap", "flat_shape"], ["pooled"]))
    else:
        nodes.append(helper.make_node("Flatten", ["gap"], ["pooled"], axis=1))
    graph = helper.make_graph(
        nodes, "tiny_cnn", [vi("input", [batch, 3, S, S])],
        [vi("s1", [batch, 8, 16, 16]), vi("s2", [batch, 16, 8, 8]), vi("pooled", [batch, 16])], inits)
    return helper.make_model(graph, producer_name="maha make_tiny_cnn.py",
                             opset_imports=[helper.make_opsetid("", OPSET)])


def bad_rank():
    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "bad_rank",
                              [vi("x", ["N", 3, S])], [vi("y", ["N", 3, S])])
    return helper.make_model(graph, producer_name="maha make_tiny_cnn.py",
                             opset_imports=[helper.make_opsetid("", OPSET)])


def rank3_output():
    shape = numpy_helper.from_array(np.array([0, 3, 64], dtype=np.int64), "shape")
    graph = helper.make_graph([helper.make_node("Reshape", ["input", "shape"], ["seq"])], "rank3_output",
                              [vi("input", ["N", 3, 8, 8])], [vi("seq", ["N", 3, 64])], [shape])
    return helper.make_model(graph, producer_name="maha make_tiny_cnn.py",
                             opset_imports=[helper.make_opsetid("", OPSET)])


def symbolic_dims():
    # y = Relu(Slice(input, axis 1, 0 : int(max|input|) + 3)): always all 3 channels, but the slice end depends
    # on the data, so shape inference cannot know C and the level size must come from a run.
    inits = [numpy_helper.from_array(np.array(3, dtype=np.int64), "three"),
             numpy_helper.from_array(np.array([0], dtype=np.int64), "zero"),
             numpy_helper.from_array(np.array([0], dtype=np.int64), "axis0"),
             numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1")]
    nodes = [
        helper.make_node("Abs", ["input"], ["a"]),
        helper.make_node("ReduceMax", ["a"], ["m"], keepdims=0),
        helper.make_node("Cast", ["m"], ["mi"], to=TensorProto.INT64),
        helper.make_node("Add", ["mi", "three"], ["k"]),
        helper.make_node("Unsqueeze", ["k", "axis0"], ["end"]),
        helper.make_node("Slice", ["input", "zero", "end", "axis1"], ["sl"]),
        helper.make_node("Relu", ["sl"], ["y"]),
    ]
    graph = helper.make_graph(nodes, "symbolic_dims", [vi("input", ["N", 3, 8, 8])], [vi("y", ["N", "C", 8, 8])],
                              inits)
    return helper.make_model(graph, producer_name="maha make_tiny_cnn.py",
                             opset_imports=[helper.make_opsetid("", OPSET)])


# ---- numpy float64 reference -------------------------------------------------------------------------
def conv2d(x, w, b, stride, pad):
    """Direct NCHW convolution in float64 (cross-correlation, as ONNX Conv)."""
    x = x.astype(np.float64)
    w = w.astype(np.float64)
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh = (h + 2 * pad - kh) // stride + 1
    ow = (wd + 2 * pad - kw) // stride + 1
    out = np.zeros((n, o, oh, ow))
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride]  # n,c,oh,ow
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    return out + b.astype(np.float64)[None, :, None, None]


relu = lambda a: np.maximum(a, 0.0)
s1 = relu(conv2d(X, W1, B1, 2, 1))
s2 = relu(conv2d(s1, W2, B2, 2, 1))
r3 = relu(conv2d(s2, W3, B3, 1, 0))
expected = {
    "s1": s1.mean(axis=(2, 3)).tolist(),
    "s2": s2.mean(axis=(2, 3)).tolist(),
    "pooled": r3.mean(axis=(2, 3)).tolist(),
}

save(tiny("N"), "tiny_cnn.onnx")
save(tiny(1), "tiny_cnn_batch1.onnx")
save(tiny(1, reshape=True), "tiny_cnn_batch1_reshape.onnx")
save(bad_rank(), "bad_rank.onnx")
save(rank3_output(), "rank3_output.onnx")
save(symbolic_dims(), "symbolic_dims.onnx")
np.save(os.path.join(HERE, "tiny_cnn_input.npy"), X)
with open(os.path.join(HERE, "tiny_cnn_expected.json"), "w") as f:
    json.dump({
        "generator": "make_tiny_cnn.py",
        "seed": SEED,
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "onnx": onnx.__version__},
        "input": "tiny_cnn_input.npy",
        "levels": ["s1", "s2", "pooled"],
        "dims": [8, 16, 16],
        "features": expected,
    }, f, indent=1)
