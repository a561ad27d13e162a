"""Reference vectors for conv-core, computed by ONNX Runtime (an implementation independent of
conv-core whose Conv, ConvTranspose and Resize operators follow the same definitions as PyTorch's
conv2d, conv_transpose2d and Upsample: pads [top, left, bottom, right], strides, dilations, group,
output_padding; nearest = floor(dst / scale); linear with half_pixel = align_corners=False).

    python3 -m venv env && env/bin/pip install numpy onnx onnxruntime
    env/bin/python generate.py > onnxruntime.json

Versions used for the committed file: onnxruntime 1.32.0, onnx 1.23.2, numpy 2.4.6.
"""
import json

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper


def values(shape, salt):
    """Small exact values (multiples of 1/8) so the case reads the same in any language."""
    n = int(np.prod(shape))
    i = np.arange(n)
    return (((i * 7 + salt * 3) % 17) - 8).astype(np.float32).reshape(shape) / 8.0


def run(node, inputs, out_rank=4):
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info(k, TensorProto.FLOAT, list(v.shape)) for k, v in inputs.items()],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    model.ir_version = 9
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, inputs)[0]


def conv_case(name, c_in, h, w, c_out, k, stride, pads, dilation, groups, bias):
    x = values((1, c_in, h, w), 1)
    wt = values((c_out, c_in // groups, k[0], k[1]), 2)
    b = values((c_out,), 3) if bias else None
    inputs = {"x": x, "w": wt}
    names = ["x", "w"]
    if bias:
        inputs["b"] = b
        names.append("b")
    node = helper.make_node(
        "Conv", names, ["y"], strides=stride, pads=pads, dilations=dilation, group=groups, kernel_shape=list(k)
    )
    y = run(node, inputs)
    return {
        "name": name, "op": "conv2d", "input": x[0].tolist(), "weight": wt.tolist(),
        "bias": b.tolist() if bias else None, "stride": stride, "padding": pads,
        "dilation": dilation, "groups": groups, "output_padding": [0, 0], "scale": [1, 1],
        "expected": y[0].tolist(),
    }


def transpose_case(name, c_in, h, w, c_out, k, stride, pads, dilation, groups, output_padding, bias):
    x = values((1, c_in, h, w), 4)
    wt = values((c_in, c_out // groups, k, k), 5)
    b = values((c_out,), 6) if bias else None
    inputs = {"x": x, "w": wt}
    names = ["x", "w"]
    if bias:
        inputs["b"] = b
        names.append("b")
    node = helper.make_node(
        "ConvTranspose", names, ["y"], strides=stride, pads=pads, dilations=dilation, group=groups,
        output_padding=output_padding, kernel_shape=[k, k],
    )
    y = run(node, inputs)
    return {
        "name": name, "op": "conv_transpose2d", "input": x[0].tolist(), "weight": wt.tolist(),
        "bias": b.tolist() if bias else None, "stride": stride, "padding": pads,
        "dilation": dilation, "groups": groups, "output_padding": output_padding, "scale": [1, 1],
        "expected": y[0].tolist(),
    }


def resize_case(name, mode, c, h, w, scale):
    x = values((1, c, h, w), 7)
    scales = np.array([1, 1, scale, scale], dtype=np.float32)
    attrs = {"mode": mode}
    if mode == "nearest":
        attrs.update(coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    else:
        attrs.update(coordinate_transformation_mode="half_pixel")
    node = helper.make_node("Resize", ["x", "", "scales"], ["y"], **attrs)
    y = run(node, {"x": x, "scales": scales})
    return {
        "name": name, "op": "upsample_" + ("nearest" if mode == "nearest" else "bilinear"),
        "input": x[0].tolist(), "weight": None, "bias": None, "stride": [1, 1], "padding": [0, 0, 0, 0],
        "dilation": [1, 1], "groups": 1, "output_padding": [0, 0], "scale": [scale, scale],
        "expected": y[0].tolist(),
    }


cases = [
    conv_case("standard_3_to_4_pad1_bias", 3, 5, 5, 4, (3, 3), [1, 1], [1, 1, 1, 1], [1, 1], 1, True),
    conv_case("asymmetric_pad_stride2_dilation2", 2, 7, 6, 3, (3, 3), [2, 2], [0, 1, 1, 2], [2, 2], 1, False),
    conv_case("rectangular_kernel_stride_2_1", 2, 6, 5, 2, (2, 3), [2, 1], [1, 0, 0, 1], [1, 1], 1, True),
    conv_case("grouped_4_to_8_groups2", 4, 5, 5, 8, (3, 3), [1, 1], [1, 1, 1, 1], [1, 1], 2, True),
    conv_case("depthwise_3_to_6_stride2", 3, 6, 6, 6, (3, 3), [2, 2], [1, 1, 1, 1], [1, 1], 3, False),
    conv_case("pointwise_4_to_2", 4, 3, 4, 2, (1, 1), [1, 1], [0, 0, 0, 0], [1, 1], 1, True),
    conv_case("dilated_rate3_k3", 1, 9, 9, 2, (3, 3), [1, 1], [2, 2, 2, 2], [3, 3], 1, False),
    transpose_case("transposed_2_to_3_k3_s2_p1_op1", 2, 3, 3, 3, 3, [2, 2], [1, 1, 1, 1], [1, 1], 1, [1, 1], True),
    transpose_case("transposed_grouped_k2_s2", 4, 2, 3, 4, 2, [2, 2], [0, 0, 0, 0], [1, 1], 2, [0, 0], False),
    transpose_case("transposed_dilation2_k3_p1", 1, 3, 3, 2, 3, [1, 1], [1, 1, 1, 1], [2, 2], 1, [0, 0], True),
    transpose_case("transposed_asymmetric_pad_s3", 1, 2, 2, 1, 3, [3, 3], [0, 1, 2, 0], [1, 1], 1, [2, 1], False),
    resize_case("nearest_x2", "nearest", 2, 2, 3, 2),
    resize_case("nearest_x3", "nearest", 1, 3, 2, 3),
    resize_case("bilinear_x2", "linear", 2, 3, 3, 2),
    resize_case("bilinear_x3", "linear", 1, 2, 4, 3),
]
print(json.dumps({"source": "onnxruntime " + ort.__version__, "cases": cases}))
