"""Reference vectors for conv-core, computed by ONNX Runtime (an implementation independent of
conv-core whose Conv, ConvTranspose and Resize operators follow the same definitions as PyTorch's
conv2d, conv_transpose2d and Upsample: pads [top, left, bottom, right], strides, dilations, group,
output_padding; nearest = floor(dst / scale); linear with half_pixel = align_corners=False, linear
with align_corners = align_corners=True). Conv2d's padding_mode is Pad (mode reflect, edge or wrap
for PyTorch's reflect, replicate and circular) followed by Conv without pads; PixelShuffle is
DepthToSpace in CRD mode.

    python3 -m venv env && env/bin/pip install numpy==2.4.6 onnx==1.23.2 onnxruntime==1.32.0
    env/bin/python generate.py > onnxruntime.json

Versions used for the committed file: onnxruntime 1.32.0, onnx 1.23.2, numpy 2.4.6 (protobuf 7.36.2,
Python 3.11.7); with them the script reproduces the file byte for byte. New cases go at the end of
`cases`, so the earlier ones keep their values and order; reference_vectors.rs counts the cases of
each operation and must be told of new ones.
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
    k = (k, k) if isinstance(k, int) else k
    x = values((1, c_in, h, w), 4)
    wt = values((c_in, c_out // groups, k[0], k[1]), 5)
    b = values((c_out,), 6) if bias else None
    inputs = {"x": x, "w": wt}
    names = ["x", "w"]
    if bias:
        inputs["b"] = b
        names.append("b")
    node = helper.make_node(
        "ConvTranspose", names, ["y"], strides=stride, pads=pads, dilations=dilation, group=groups,
        output_padding=output_padding, kernel_shape=list(k),
    )
    y = run(node, inputs)
    return {
        "name": name, "op": "conv_transpose2d", "input": x[0].tolist(), "weight": wt.tolist(),
        "bias": b.tolist() if bias else None, "stride": stride, "padding": pads,
        "dilation": dilation, "groups": groups, "output_padding": output_padding, "scale": [1, 1],
        "expected": y[0].tolist(),
    }


def resize_case(name, mode, c, h, w, scale):
    scale = [scale, scale] if isinstance(scale, int) else scale
    x = values((1, c, h, w), 7)
    scales = np.array([1, 1, scale[0], scale[1]], dtype=np.float32)
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
        "dilation": [1, 1], "groups": 1, "output_padding": [0, 0], "scale": scale,
        "expected": y[0].tolist(),
    }


def run_graph(nodes, inputs, outputs):
    """Like run, for a graph of several nodes; returns the named outputs."""
    graph = helper.make_graph(
        nodes,
        "g",
        [
            helper.make_tensor_value_info(k, TensorProto.INT64 if v.dtype == np.int64 else TensorProto.FLOAT, list(v.shape))
            for k, v in inputs.items()
        ],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in outputs],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    model.ir_version = 9
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(list(outputs), inputs)


# PyTorch's padding_mode -> ONNX Pad's mode.
ONNX_PAD_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def padded_conv_case(name, mode, c_in, h, w, c_out, k, stride, pads, dilation, groups, bias):
    """Conv2d with padding_mode: Pad by mode, then Conv without pads. Keeps the padded map too."""
    x = values((1, c_in, h, w), 8)
    wt = values((c_out, c_in // groups, k[0], k[1]), 9)
    b = values((c_out,), 10) if bias else None
    top, left, bottom, right = pads
    inputs = {"x": x, "pads": np.array([0, 0, top, left, 0, 0, bottom, right], dtype=np.int64), "w": wt}
    names = ["p", "w"]
    if bias:
        inputs["b"] = b
        names.append("b")
    nodes = [
        helper.make_node("Pad", ["x", "pads"], ["p"], mode=ONNX_PAD_MODE[mode]),
        helper.make_node(
            "Conv", names, ["y"], strides=stride, pads=[0, 0, 0, 0], dilations=dilation, group=groups,
            kernel_shape=list(k),
        ),
    ]
    p, y = run_graph(nodes, inputs, ["p", "y"])
    return {
        "name": name, "op": "conv2d", "padding_mode": mode, "input": x[0].tolist(), "weight": wt.tolist(),
        "bias": b.tolist() if bias else None, "stride": stride, "padding": pads,
        "dilation": dilation, "groups": groups, "output_padding": [0, 0], "scale": [1, 1],
        "padded": p[0].tolist(), "expected": y[0].tolist(),
    }


def pixel_shuffle_case(name, c, h, w, r):
    """PixelShuffle(r) as DepthToSpace(blocksize=r, mode=CRD)."""
    x = values((1, c, h, w), 11)
    node = helper.make_node("DepthToSpace", ["x"], ["y"], blocksize=r, mode="CRD")
    y = run(node, {"x": x})
    return {
        "name": name, "op": "pixel_shuffle", "input": x[0].tolist(), "weight": None, "bias": None,
        "stride": [1, 1], "padding": [0, 0, 0, 0], "dilation": [1, 1], "groups": 1,
        "output_padding": [0, 0], "scale": [r, r], "expected": y[0].tolist(),
    }


def bilinear_case(name, c, h, w, scale, align_corners):
    """Resize linear with half_pixel (align_corners=False) or align_corners (align_corners=True)."""
    scale = [scale, scale] if isinstance(scale, int) else scale
    x = values((1, c, h, w), 12)
    scales = np.array([1, 1, scale[0], scale[1]], dtype=np.float32)
    mode = "align_corners" if align_corners else "half_pixel"
    node = helper.make_node("Resize", ["x", "", "scales"], ["y"], mode="linear", coordinate_transformation_mode=mode)
    y = run(node, {"x": x, "scales": scales})
    return {
        "name": name, "op": "upsample_bilinear", "align_corners": align_corners, "input": x[0].tolist(),
        "weight": None, "bias": None, "stride": [1, 1], "padding": [0, 0, 0, 0], "dilation": [1, 1],
        "groups": 1, "output_padding": [0, 0], "scale": scale, "expected": y[0].tolist(),
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
    # Depthwise, multiplier 1 (groups = C_in = C_out): conv-core's direct loop, not im2col + GEMM,
    # with stride 1 along the width (its contiguous-row branch), padding 1 and a bias.
    conv_case("depthwise_3_to_3_pad1_bias", 3, 5, 6, 3, (3, 3), [1, 1], [1, 1, 1, 1], [1, 1], 3, True),
    # The direct depthwise loop's strided branch (stride 2 along the width), with a 3x2 kernel,
    # dilation 2 along the height only and padding top 1, left 0, bottom 2, right 1.
    conv_case(
        "depthwise_4_to_4_k3x2_stride_1_2_dilation_2_1_pad_1_0_2_1",
        4, 6, 7, 4, (3, 2), [1, 2], [1, 0, 2, 1], [2, 1], 4, False,
    ),
    # Depthwise, multiplier 2 (groups = C_in, C_out = 2 C_in): output channels 2c and 2c+1 both
    # read input channel c only (conv-core takes im2col + GEMM here: its direct loop is for
    # multiplier 1). A 2x3 kernel, stride 1 down and 2 across, bias.
    conv_case(
        "depthwise_2_to_4_k2x3_stride_1_2_pad_0_1_1_1_bias",
        2, 5, 7, 4, (2, 3), [1, 2], [0, 1, 1, 1], [1, 1], 2, True,
    ),
    # Grouped and dilated: 2 groups of 2 -> 3 channels, dilation 2 on both axes, padding 2.
    conv_case(
        "grouped_4_to_6_groups2_dilation2_pad2_bias",
        4, 6, 7, 6, (3, 3), [1, 1], [2, 2, 2, 2], [2, 2], 2, True,
    ),
    # Grouped and dilated per axis: 3 groups of 2 -> 1 channel, 2x3 kernel, stride 2 down,
    # dilation 2 across only.
    conv_case(
        "grouped_6_to_3_groups3_k2x3_stride_2_1_dilation_1_2",
        6, 7, 8, 3, (2, 3), [2, 1], [0, 0, 0, 0], [1, 2], 3, False,
    ),
    # A wide 2x4 kernel with stride 1 down and 3 across (windows that do not overlap across),
    # padding top 0, left 1, bottom 1, right 0, bias.
    conv_case("rect_kernel_2x4_stride_1_3_pad_0_1_1_0", 2, 5, 11, 3, (2, 4), [1, 3], [0, 1, 1, 0], [1, 1], 1, True),
    # A tall 4x2 kernel with stride 3 down and 2 across, dilation 1 down and 2 across.
    conv_case("rect_kernel_4x2_stride_3_2_dilation_1_2", 2, 10, 8, 2, (4, 2), [3, 2], [0, 0, 0, 0], [1, 2], 1, False),
    # Dilation 3 down and 1 across with a square kernel, padding 3 / 1 so the output keeps the
    # input's size: pins which axis each dilation applies to.
    conv_case("dilation_3_1_k3_same", 1, 9, 5, 2, (3, 3), [1, 1], [3, 1, 3, 1], [3, 1], 1, False),
    # Padding top 2, left 0, bottom 0, right 3: the right padding equals the kernel width, so the
    # last output column sees only zeros (bias alone); the top rows see the top padding only.
    conv_case("asymmetric_pad_2_0_0_3_bias", 2, 4, 5, 2, (3, 3), [1, 1], [2, 0, 0, 3], [1, 1], 1, True),
    # Transposed, grouped and dilated: 2 groups of 2 -> 3 channels, stride 2, dilation 2,
    # padding 1, output_padding 1, bias.
    transpose_case(
        "transposed_grouped_4_to_6_dilation2_s2_p1_op1_bias",
        4, 3, 3, 6, 3, [2, 2], [1, 1, 1, 1], [2, 2], 2, [1, 1], True,
    ),
    # Transposed depthwise (3 groups of 1 -> 1) with a 2x3 kernel, stride 1 down and 2 across,
    # dilation 3 down and 2 across, output_padding 0 / 1 (below max(stride, dilation) per axis).
    transpose_case(
        "transposed_groups3_k2x3_stride_1_2_dilation_3_2_op_0_1",
        3, 3, 3, 3, (2, 3), [1, 2], [0, 0, 0, 0], [3, 2], 3, [0, 1], False,
    ),
    # Transposed with a 2x3 kernel, stride 1 down and 2 across, padding top 0, left 1, bottom 1,
    # right 0, output_padding 0 / 1, bias.
    transpose_case(
        "transposed_rect_kernel_2x3_stride_1_2_pad_0_1_1_0_op_0_1",
        2, 3, 4, 3, (2, 3), [1, 2], [0, 1, 1, 0], [1, 1], 1, [0, 1], True,
    ),
    # Transposed with a 3x1 kernel, stride 2 down and 3 across: across, each input column stamps
    # one column and leaves two zero columns; output_padding 1 / 2 adds a row and two columns.
    transpose_case(
        "transposed_rect_kernel_3x1_stride_2_3_op_1_2",
        1, 3, 3, 2, (3, 1), [2, 3], [0, 0, 0, 0], [1, 1], 1, [1, 2], False,
    ),
    # Transposed with dilation 1 down and 3 across, a 2x3 kernel, stride 2 down and 1 across,
    # padding top 1, left 2, bottom 0, right 1 and output_padding 1 / 0.
    transpose_case(
        "transposed_k2x3_stride_2_1_dilation_1_3_pad_1_2_0_1_op_1_0",
        2, 3, 4, 2, (2, 3), [2, 1], [1, 2, 0, 1], [1, 3], 1, [1, 0], True,
    ),
    # Transposed with padding top 2, left 0, bottom 1, right 3: crops two rows above, one below,
    # three columns on the right and none on the left.
    transpose_case(
        "transposed_asymmetric_pad_2_0_1_3_s2_op1_bias",
        2, 3, 3, 2, 3, [2, 2], [2, 0, 1, 3], [1, 1], 1, [1, 1], True,
    ),
    # Nearest x4: every pixel becomes a 4x4 block.
    resize_case("nearest_x4", "nearest", 2, 2, 3, 4),
    # Nearest by 2 down and 3 across: pins which axis each factor applies to.
    resize_case("nearest_2x3", "nearest", 2, 3, 2, [2, 3]),
    # Bilinear with a height of 1: the rows are copies, only the width interpolates.
    resize_case("bilinear_h1_x2", "linear", 2, 1, 4, 2),
    # Bilinear x3 with a width of 1: the columns are copies, only the height interpolates.
    resize_case("bilinear_w1_x3", "linear", 1, 3, 1, 3),
    # Bilinear x3 on 3x3 inputs of two channels: weights 1/3, 2/3 and clamped borders.
    resize_case("bilinear_x3_3x3", "linear", 2, 3, 3, 3),
    # Bilinear by 2 down and 3 across: each axis uses its own factor in (o + 1/2) / s - 1/2.
    resize_case("bilinear_2x3", "linear", 1, 3, 3, [2, 3]),
    # Padding modes: Pad (reflect / edge / wrap) then Conv without pads; "padded" is Pad's output.
    # Reflect, padding 1 all round, bias.
    padded_conv_case("reflect_pad1_bias", "reflect", 2, 5, 5, 2, (3, 3), [1, 1], [1, 1, 1, 1], [1, 1], 1, True),
    # Reflect with padding top 2, left 0, bottom 1, right 3 (each below its axis), a 3x2 kernel,
    # stride 2 down and 1 across, dilation 1 down and 2 across.
    padded_conv_case(
        "reflect_pad_2_0_1_3_k3x2_stride_2_1_dilation_1_2",
        "reflect", 2, 6, 7, 3, (3, 2), [2, 1], [2, 0, 1, 3], [1, 2], 1, False,
    ),
    # Reflect on a 2-row input: padding 1 is the most it allows along the height; grouped (2
    # groups), dilation 2 across, stride 2 across, bias.
    padded_conv_case(
        "reflect_h2_pad_1_2_1_2_groups2_stride_1_2_dilation_1_2_bias",
        "reflect", 4, 2, 6, 4, (2, 3), [1, 2], [1, 2, 1, 2], [1, 2], 2, True,
    ),
    # Replicate, padding 2 all round, stride 2, bias.
    padded_conv_case("replicate_pad2_stride2_bias", "replicate", 1, 4, 5, 2, (3, 3), [2, 2], [2, 2, 2, 2], [1, 1], 1, True),
    # Replicate with padding longer than the input (top 4 on 3 rows, left 3 on 2 columns): only
    # the edge value repeated; no limit, unlike reflect and circular.
    padded_conv_case("replicate_pad_4_3_1_0_beyond_the_input", "replicate", 2, 3, 2, 1, (2, 2), [1, 1], [4, 3, 1, 0], [1, 1], 1, False),
    # Replicate, depthwise (3 groups of 1), a 2x3 kernel, stride 1 down and 2 across, dilation 2
    # down, padding top 0, left 1, bottom 3, right 2.
    padded_conv_case(
        "replicate_depthwise_k2x3_stride_1_2_dilation_2_1_pad_0_1_3_2",
        "replicate", 3, 5, 6, 3, (2, 3), [1, 2], [0, 1, 3, 2], [2, 1], 3, False,
    ),
    # Circular, padding 1 all round, bias: the opposite row and column wrap in.
    padded_conv_case("circular_pad1_bias", "circular", 2, 4, 4, 2, (3, 3), [1, 1], [1, 1, 1, 1], [1, 1], 1, True),
    # Circular with a whole period on two sides (top 3 on 3 rows, right 4 on 4 columns, the most
    # it allows), stride 2 down, dilation 2 across.
    padded_conv_case(
        "circular_pad_3_0_1_4_stride_2_1_dilation_1_2",
        "circular", 2, 3, 4, 2, (3, 3), [2, 1], [3, 0, 1, 4], [1, 2], 1, False,
    ),
    # Circular, grouped (2 groups of 2 -> 3), dilation 2, padding top 2, left 1, bottom 0, right 2.
    padded_conv_case(
        "circular_groups2_dilation2_pad_2_1_0_2_bias",
        "circular", 4, 5, 5, 6, (3, 3), [1, 1], [2, 1, 0, 2], [2, 2], 2, True,
    ),
    # Pixel shuffle (DepthToSpace, CRD): 4 channels -> 1 at x2.
    pixel_shuffle_case("pixel_shuffle_4_to_1_x2", 4, 2, 3, 2),
    # 8 channels -> 2 at x2 on a 3x2 map: each output channel takes its own 4 channels.
    pixel_shuffle_case("pixel_shuffle_8_to_2_x2_3x2", 8, 3, 2, 2),
    # 18 channels -> 2 at x3.
    pixel_shuffle_case("pixel_shuffle_18_to_2_x3", 18, 2, 2, 3),
    # 16 channels -> 1 at x4 on a single row.
    pixel_shuffle_case("pixel_shuffle_16_to_1_x4_h1", 16, 1, 2, 4),
    # Factor 1: the identity.
    pixel_shuffle_case("pixel_shuffle_x1_identity", 3, 2, 2, 1),
    # Bilinear, align_corners=True (Resize linear, align_corners): x2 on 3x3, two channels.
    bilinear_case("bilinear_align_corners_x2", 2, 3, 3, 2, True),
    # x3 on 2x4: the source step is (n - 1) / (n s - 1), 1/5 down and 3/11 across.
    bilinear_case("bilinear_align_corners_x3", 1, 2, 4, 3, True),
    # A height of 1, x2: the rows are copies (source 0), only the width interpolates.
    bilinear_case("bilinear_align_corners_h1_x2", 2, 1, 4, 2, True),
    # A width of 1, x3: the columns are copies.
    bilinear_case("bilinear_align_corners_w1_x3", 1, 3, 1, 3, True),
    # A single pixel, x3: nine copies.
    bilinear_case("bilinear_align_corners_1x1_x3", 1, 1, 1, 3, True),
    # 2 down and 3 across: each axis uses its own factor.
    bilinear_case("bilinear_align_corners_2x3", 1, 3, 3, [2, 3], True),
    # Bilinear, align_corners=False (half_pixel) on a single pixel, x2 and 3 down, 2 across on a
    # single row: the axes of length 1 are copies.
    bilinear_case("bilinear_half_pixel_1x1_x2", 1, 1, 1, 2, False),
    bilinear_case("bilinear_half_pixel_h1_3x2", 2, 1, 3, [3, 2], False),
]
print(json.dumps({"source": "onnxruntime " + ort.__version__, "cases": cases}))
