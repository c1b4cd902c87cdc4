#!/usr/bin/python3
"""Writes the golden ONNX fixtures read by org.maha.onnx.GraphBuilderGoldenTest.

Run with Debian's python3 (python3-onnx, python3-torch, python3-numpy):
    /usr/bin/python3 make_fixtures.py            (in this folder)

ops_graph.onnx     a small graph using every GraphBuilder operator, built with onnx.helper (Pad is not placed right
                   before MaxPool: ONNX Runtime's PadFusion would fold it into the pool's pads); the Java test builds
                   the same graph with GraphBuilder and requires identical bytes (node names, initializer names and
                   order mirror GraphBuilder's: node "<Op>_<k>" writes value "<Op>_<k>"; output() renames values)
ops_case.npz       the weights (float32), input x [2, 4, 9, 9], and the outputs computed by torch.nn.functional
                   (float64 copies of the float32 results): features [2, 6], logits [2, 3], x_copy
softmax_graph.onnx Softmax (axis -1) on x [N, 5] → p, built with onnx.helper, for GraphBuilder.softmax
softmax_case.npz   x [3, 5] (one row with large values, where a naive exp overflows) and torch.softmax(x, -1)
attributes.json    AttributeProto bytes (hex) from onnx.helper.make_attribute, and versions
"""
import json
import platform

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper

SEED = 7
rng = np.random.default_rng(SEED)


def f32(*shape):
    return rng.standard_normal(shape).astype(np.float32)


w1, b1 = f32(6, 2, 3, 3), f32(6)
scale = f32(6, 1, 1)
fcw, fcb = f32(3, 6), f32(3)
x = f32(2, 4, 9, 9)


def raw(name, a):
    return helper.make_tensor(name, TensorProto.FLOAT, list(a.shape), a.tobytes(), raw=True)


nodes = [
    helper.make_node("Conv", ["x", "c1.weight", "c1.bias"], ["Conv_0"], name="Conv_0", dilations=[1, 2], group=2,
                     kernel_shape=[3, 3], pads=[1, 0, 2, 1], strides=[2, 1]),
    helper.make_node("Relu", ["Conv_0"], ["Relu_1"], name="Relu_1"),
    helper.make_node("MaxPool", ["Relu_1"], ["MaxPool_2"], name="MaxPool_2", kernel_shape=[3, 2], pads=[1, 0, 1, 1],
                     strides=[2, 1]),
    helper.make_node("Pad", ["MaxPool_2", "pads"], ["Pad_3"], name="Pad_3", mode="constant"),
    helper.make_node("Sigmoid", ["Pad_3"], ["Sigmoid_4"], name="Sigmoid_4"),
    helper.make_node("Clip", ["Pad_3", "clip_min", "clip_max"], ["Clip_5"], name="Clip_5"),
    helper.make_node("Mul", ["Sigmoid_4", "Clip_5"], ["Mul_6"], name="Mul_6"),
    helper.make_node("Add", ["Mul_6", "scale"], ["Add_7"], name="Add_7"),
    helper.make_node("GlobalAveragePool", ["Add_7"], ["GlobalAveragePool_8"], name="GlobalAveragePool_8"),
    helper.make_node("Flatten", ["GlobalAveragePool_8"], ["features"], name="Flatten_9", axis=1),
    helper.make_node("Gemm", ["features", "fc.weight", "fc.bias"], ["logits"], name="Gemm_10", transB=1),
    helper.make_node("Identity", ["x"], ["x_copy"], name="Identity_11"),
]
inits = [raw("c1.weight", w1), raw("c1.bias", b1),
         helper.make_tensor("pads", TensorProto.INT64, [8], [0, 0, 1, 2, 0, 0, 0, 3]),
         raw("clip_min", np.array(-0.5, np.float32)), raw("clip_max", np.array(0.75, np.float32)),
         raw("scale", scale), raw("fc.weight", fcw), raw("fc.bias", fcb)]
graph = helper.make_graph(
    nodes, "ops", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4, 9, 9])],
    [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 3]),
     helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 6]),
     helper.make_tensor_value_info("x_copy", TensorProto.FLOAT, ["N", 4, 9, 9])],
    initializer=inits)
model = helper.make_model(graph, producer_name="maha", ir_version=8, opset_imports=[helper.make_opsetid("", 17)])
helper.set_model_props(model, {"maha.test": "golden"})
onnx.checker.check_model(model, full_check=True)
with open("ops_graph.onnx", "wb") as f:
    f.write(model.SerializeToString())

# the same computation in torch (float32)
t = torch.from_numpy
y = F.conv2d(F.pad(t(x), (0, 1, 1, 2)), t(w1), t(b1), stride=(2, 1), dilation=(1, 2), groups=2)
y = F.relu(y)
y = F.max_pool2d(F.pad(y, (0, 1, 1, 1), value=float("-inf")), kernel_size=(3, 2), stride=(2, 1))
m = F.pad(y, (2, 3, 1, 0))
y = torch.sigmoid(m) * torch.clamp(m, -0.5, 0.75) + t(scale)
features = y.mean(dim=(2, 3))
logits = F.linear(features, t(fcw), t(fcb))
np.savez("ops_case.npz", w1=w1, b1=b1, scale=scale, fcw=fcw, fcb=fcb, x=x,
         features=features.double().numpy(), logits=logits.double().numpy())

sx = f32(3, 5) * 3
sx[2] += 100  # exp(100) overflows float32: a naive softmax would give NaN
sm = helper.make_model(helper.make_graph(
    [helper.make_node("Softmax", ["x"], ["p"], name="Softmax_0", axis=-1)], "softmax",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 5])],
    [helper.make_tensor_value_info("p", TensorProto.FLOAT, ["N", 5])]),
    producer_name="maha", ir_version=8, opset_imports=[helper.make_opsetid("", 17)])
onnx.checker.check_model(sm, full_check=True)
with open("softmax_graph.onnx", "wb") as f:
    f.write(sm.SerializeToString())
np.savez("softmax_case.npz", x=sx, p=torch.softmax(t(sx), -1).double().numpy())

attributes = {
    "float": helper.make_attribute("alpha", 0.25).SerializeToString().hex(),
    "int": helper.make_attribute("axis", -3).SerializeToString().hex(),
    "ints": helper.make_attribute("pads", [1, -2, 300]).SerializeToString().hex(),
    "string": helper.make_attribute("mode", "reflect").SerializeToString().hex(),
}
with open("attributes.json", "w") as f:
    json.dump({"script": "make_fixtures.py", "seed": SEED, "python": platform.python_version(),
               "onnx": onnx.__version__, "torch": torch.__version__, "numpy": np.__version__,
               "attributes": attributes}, f, indent=2)
    f.write("\n")
