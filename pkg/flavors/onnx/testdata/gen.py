#!/usr/bin/python3
"""Writes the small ONNX models the onnx flavor's tests load.

Run from this directory with Debian's python3-onnx (1.12):
    /usr/bin/python3 gen.py
The output is deterministic; commit the .onnx files with this script.
"""
import numpy as np
import onnx
from onnx import TensorProto as TP, helper as h

OPSET = [h.make_opsetid("", 14), h.make_opsetid("ai.onnx.ml", 1)]


def save(graph, name):
    model = h.make_model(graph, opset_imports=OPSET, producer_name="mlctl-testdata")
    model.ir_version = 8  # ONNX Runtime 1.30 reads IR 3..10
    onnx.checker.check_model(model)
    onnx.save(model, name)


def dtypes():
    """z_T = x_T + y_T for every numeric type, Xor for bool, lower-case for
    strings, all with a symbolic batch dimension N; plus a float → float16
    cast whose output has two symbolic dimensions."""
    numeric = {
        "uint8": TP.UINT8, "uint16": TP.UINT16, "uint32": TP.UINT32, "uint64": TP.UINT64,
        "int8": TP.INT8, "int16": TP.INT16, "int32": TP.INT32, "int64": TP.INT64,
        "fp16": TP.FLOAT16, "fp32": TP.FLOAT, "fp64": TP.DOUBLE,
    }
    nodes, inputs, outputs = [], [], []
    for name, t in numeric.items():
        inputs += [h.make_tensor_value_info(f"x_{name}", t, ["N", 3]),
                   h.make_tensor_value_info(f"y_{name}", t, ["N", 3])]
        outputs.append(h.make_tensor_value_info(f"z_{name}", t, ["N", 3]))
        nodes.append(h.make_node("Add", [f"x_{name}", f"y_{name}"], [f"z_{name}"]))
    inputs += [h.make_tensor_value_info("x_bool", TP.BOOL, ["N", 3]),
               h.make_tensor_value_info("y_bool", TP.BOOL, ["N", 3])]
    outputs.append(h.make_tensor_value_info("z_bool", TP.BOOL, ["N", 3]))
    nodes.append(h.make_node("Xor", ["x_bool", "y_bool"], ["z_bool"]))
    inputs.append(h.make_tensor_value_info("x_string", TP.STRING, ["N"]))
    outputs.append(h.make_tensor_value_info("z_string", TP.STRING, ["N"]))
    nodes.append(h.make_node("StringNormalizer", ["x_string"], ["z_string"], case_change_action="LOWER", locale="C"))
    inputs.append(h.make_tensor_value_info("x_wide", TP.FLOAT, ["N", "M"]))
    outputs.append(h.make_tensor_value_info("z_half", TP.FLOAT16, ["N", "M"]))
    nodes.append(h.make_node("Cast", ["x_wide"], ["z_half"], to=TP.FLOAT16))
    save(h.make_graph(nodes, "dtypes", inputs, outputs), "dtypes.onnx")


COEF = [1.0, -1.0, 0.5, -0.5,   # class 0
        -1.0, 1.0, 0.0, 0.25,    # class 1
        0.0, 0.0, 1.0, 1.0]      # class 2
INTERCEPTS = [0.1, -0.2, 0.3]


def classifier(name, labels, zipmap):
    """LinearClassifier with softmax scores, as skl2onnx writes a logistic
    regression: label [N], then probabilities as a ZipMap or a tensor."""
    attr = {"classlabels_strings": labels} if isinstance(labels[0], str) else {"classlabels_ints": labels}
    label_type = TP.STRING if isinstance(labels[0], str) else TP.INT64
    x = h.make_tensor_value_info("X", TP.FLOAT, [None, 4])
    label = h.make_tensor_value_info("output_label", label_type, [None])
    nodes = [h.make_node("LinearClassifier", ["X"], ["output_label", "scores"], domain="ai.onnx.ml",
                         coefficients=COEF, intercepts=INTERCEPTS, post_transform="SOFTMAX", multi_class=0, **attr)]
    if zipmap:
        zattr = {"classlabels_strings": labels} if isinstance(labels[0], str) else {"classlabels_int64s": labels}
        nodes.append(h.make_node("ZipMap", ["scores"], ["output_probability"], domain="ai.onnx.ml", **zattr))
        key = TP.STRING if isinstance(labels[0], str) else TP.INT64
        map_type = onnx.TypeProto()
        map_type.map_type.key_type = key
        map_type.map_type.value_type.CopyFrom(h.make_tensor_type_proto(TP.FLOAT, None))
        probs = h.make_value_info("output_probability", h.make_sequence_type_proto(map_type))
    else:
        nodes.append(h.make_node("Identity", ["scores"], ["output_probability"]))
        probs = h.make_tensor_value_info("output_probability", TP.FLOAT, [None, len(labels)])
    save(h.make_graph(nodes, name, [x], [label, probs]), name + ".onnx")


def plain_classifier():
    """A classifier made of standard ops only (as a torch export would be):
    label = ArgMax(scores) [N] int64, probabilities = Softmax(scores) [N,3].
    It declares no class labels, so they come from the manifest."""
    x = h.make_tensor_value_info("X", TP.FLOAT, ["N", 4])
    w = h.make_tensor("W", TP.FLOAT, [4, 3], np.array(COEF, dtype=np.float32).reshape(3, 4).T.flatten().tolist())
    b = h.make_tensor("B", TP.FLOAT, [3], INTERCEPTS)
    nodes = [h.make_node("MatMul", ["X", "W"], ["xw"]), h.make_node("Add", ["xw", "B"], ["scores"]),
             h.make_node("ArgMax", ["scores"], ["label"], axis=1, keepdims=0),
             h.make_node("Softmax", ["scores"], ["probabilities"], axis=1)]
    label = h.make_tensor_value_info("label", TP.INT64, ["N"])
    probs = h.make_tensor_value_info("probabilities", TP.FLOAT, ["N", 3])
    save(h.make_graph(nodes, "plain_classifier", [x], [label, probs], initializer=[w, b]), "classifier_plain.onnx")


def regressor():
    """LinearRegressor: one float output [N,1], as skl2onnx writes one."""
    x = h.make_tensor_value_info("X", TP.FLOAT, [None, 4])
    y = h.make_tensor_value_info("variable", TP.FLOAT, [None, 1])
    node = h.make_node("LinearRegressor", ["X"], ["variable"], domain="ai.onnx.ml",
                       coefficients=[1.0, 2.0, 3.0, 4.0], intercepts=[0.5])
    save(h.make_graph([node], "regressor", [x], [y]), "regressor.onnx")


def scalar():
    """A rank-0 output: the sum of every element."""
    x = h.make_tensor_value_info("x", TP.FLOAT, ["N", 2])
    total = h.make_tensor_value_info("total", TP.FLOAT, [])
    node = h.make_node("ReduceSum", ["x"], ["total"], keepdims=0)
    save(h.make_graph([node], "scalar", [x], [total]), "scalar.onnx")


if __name__ == "__main__":
    dtypes()
    classifier("classifier_zipmap_int", [0, 1, 2], True)
    classifier("classifier_zipmap_str", ["setosa", "versicolor", "virginica"], True)
    classifier("classifier_tensor", [0, 1, 2], False)
    plain_classifier()
    regressor()
    scalar()
