"""Runs every PyTorch and Keras snippet of the code panel and checks what its notes say.

Reads the cases that `cargo run -q -p conv-playground --example snippet_cases` writes (a file
named on the command line, or standard input): for each layer setting of the sweep, the spec, the
two snippets, their notes, and the page's input, weights (PyTorch layout) and output.

For every case:
- each snippet is parsed: every `nn.X(...)` / `layers.X(...)` call must name only arguments of
  that class's signature, never one given positionally too, with the keywords in the
  signature's order;
- the PyTorch snippet is executed, the page's weights are copied in, it is run on the page's input
  and must give conv-core's output within 1e-4;
- the Keras snippet likewise (weights converted to Keras' layouts, the input to channels last), or,
  where it says Keras cannot build the layer, the plain Keras translation of the spec must raise;
- every note the snippets carry must be true of this setting, and every note that would be true
  must be there: each is checked against PyTorch and Keras themselves (the direct translation
  raises, a size Keras picks on its own differs, and so on).

Ends with `snippets: N passed, M failed` (two snippets per case) and exits 1 on any failure.
Runs Keras on the JAX CPU backend; see tests/snippets/requirements.txt for the versions.
"""

import ast
import inspect
import json
import os
import sys
import time
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

TOLERANCE = 1e-4
CANNOT = "# Keras cannot build this layer"


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def array(t):
    return np.asarray(t["data"], dtype=np.float32).reshape(t["shape"])


def describe(spec):
    keys = ["height", "width", "in_channels", "out_channels", "kernel_size", "stride",
            "padding", "dilation", "groups", "output_padding", "scale_factor",
            "upscale_factor", "depth_multiplier", "bias", "upsample_mode", "padding_mode"]
    pad = spec["padding"]
    spec = dict(spec, padding=pad["explicit"] if isinstance(pad, dict) else pad)
    return spec["layer"] + " " + " ".join(f"{k}={spec[k]}" for k in keys)


def padding(spec):
    """The integer padding, or "same" / "valid"."""
    p = spec["padding"]
    return p["explicit"] if isinstance(p, dict) else p


# --- Signatures ----------------------------------------------------------------------------

def check_calls(code, namespace, label):
    """Every `module.Class(...)` call of `code` matches `Class`'s signature: known names, none
    given twice, keywords in the signature's order."""
    for node in ast.walk(ast.parse(code)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id in namespace):
            continue
        owner = namespace[node.func.value.id]
        name = node.func.attr
        check(hasattr(owner, name), f"{label}: no {node.func.value.id}.{name}")
        cls = getattr(owner, name)
        if name in ("Sequential",):
            continue
        params = [p for p in inspect.signature(cls.__init__).parameters.values()
                  if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        names = [p.name for p in params]
        check(len(node.args) <= len(names), f"{label}: {name} takes {len(names)} arguments")
        order = []
        for kw in node.keywords:
            check(kw.arg in names, f"{label}: {name} has no argument {kw.arg!r} ({names})")
            i = names.index(kw.arg)
            check(i >= len(node.args), f"{label}: {name} gets {kw.arg!r} twice")
            order.append(i)
        check(order == sorted(order),
              f"{label}: {name}'s keywords are not in the signature's order "
              f"{[k.arg for k in node.keywords]} (signature: {names})")


# --- PyTorch -------------------------------------------------------------------------------

def run_pytorch(case):
    code = case["pytorch"]
    check(code.startswith("from torch import nn\n"), "PyTorch: the import is missing")
    check_calls(code, {"nn": nn}, "PyTorch")
    ns = {}
    exec(compile(code, "<PyTorch snippet>", "exec"), ns)
    layer = ns.get("layer")
    check(isinstance(layer, nn.Module), "PyTorch: the snippet defines no `layer`")
    convs = [m for m in layer.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    check(len(convs) == len(case["weights"]),
          f"PyTorch: {len(convs)} convolutions, the page has {len(case['weights'])}")
    with torch.no_grad():
        for m, w in zip(convs, case["weights"]):
            weight = torch.from_numpy(array(w["weight"]))
            check(tuple(m.weight.shape) == tuple(weight.shape),
                  f"PyTorch: weight {tuple(m.weight.shape)}, the page's {tuple(weight.shape)}")
            m.weight.copy_(weight)
            check((m.bias is None) == (w["bias"] is None), "PyTorch: bias on / off differs")
            if m.bias is not None:
                m.bias.copy_(torch.from_numpy(array(w["bias"])))
        x = torch.from_numpy(array(case["input"]))[None]
        y = layer(x)[0].numpy()
    compare("PyTorch", y, array(case["output"]))


# --- Keras ---------------------------------------------------------------------------------

def keras_weights(layer, convs, spec):
    """The page's PyTorch weights in the layout of Keras layer `layer`; consumes from `convs`."""
    name = type(layer).__name__
    first = convs.pop(0)
    w = array(first["weight"])
    b = None if first["bias"] is None else array(first["bias"])
    if name == "SeparableConv2D":
        # Depthwise (C_in·m, 1, k, k) → (k, k, C_in, m); pointwise (C_out, C_in·m, 1, 1) →
        # (1, 1, C_in·m, C_out); the depthwise bias folded into the pointwise one.
        second = convs.pop(0)
        wp = array(second["weight"])
        ci = spec["in_channels"]
        dw = w.reshape(ci, -1, *w.shape[2:]).transpose(2, 3, 0, 1)
        out = [dw, wp.transpose(2, 3, 1, 0)]
        if b is not None:
            out.append(array(second["bias"]) + wp[:, :, 0, 0] @ b)
        return out
    if name == "DepthwiseConv2D":
        # (C_in·m, 1, k, k) → (k, k, C_in, m).
        kernel = w.reshape(spec["in_channels"], -1, *w.shape[2:]).transpose(2, 3, 0, 1)
    elif name in ("Conv2D", "Conv2DTranspose"):
        # Conv2D: (C_out, C_in/g, k, k) → (k, k, C_in/g, C_out);
        # Conv2DTranspose: (C_in, C_out, k, k) → (k, k, C_out, C_in).
        kernel = w.transpose(2, 3, 1, 0)
    else:
        raise Failure(f"Keras: no weight conversion for {name}")
    return [kernel] + ([] if b is None else [b])


def run_keras(case):
    code, spec = case["keras"], case["spec"]
    check(code.startswith("import keras\nfrom keras import layers\n"),
          "Keras: the imports are missing")
    check_calls(code, {"layers": layers, "keras": keras}, "Keras")
    ns = {}
    exec(compile(code, "<Keras snippet>", "exec"), ns)
    if CANNOT in code:
        check("layer" not in ns, "Keras: says it cannot, yet defines `layer`")
        error = keras_error(lambda: direct_keras(spec), spec)
        check(error is not None,
              "Keras: the snippet says Keras cannot build the layer, but it builds")
        return
    layer = ns.get("layer")
    check(isinstance(layer, keras.layers.Layer), "Keras: the snippet defines no `layer`")
    x = array(case["input"]).transpose(1, 2, 0)[None]
    layer(x)  # builds the weights
    parts = layer.layers if isinstance(layer, keras.Sequential) else [layer]
    convs = list(case["weights"])
    for part in parts:
        if not part.weights:
            continue
        check(convs, f"Keras: {type(part).__name__} has weights the page has not")
        values = keras_weights(part, convs, spec)
        shapes = [tuple(v.shape) for v in part.get_weights()]
        check(shapes == [tuple(v.shape) for v in values],
              f"Keras: {type(part).__name__} weights {shapes}, converted "
              f"{[tuple(v.shape) for v in values]}")
        part.set_weights(values)
    check(not convs, f"Keras: {len(convs)} of the page's convolutions have no Keras layer")
    y = np.asarray(layer(x))[0].transpose(2, 0, 1)
    compare("Keras", y, array(case["output"]))


def direct_keras(spec):
    """The plain one-layer Keras translation of the spec, asking for exactly its settings: where
    Keras refuses the setting, this raises."""
    k, s, d, co = spec["kernel_size"], spec["stride"], spec["dilation"], spec["out_channels"]
    kind = spec["layer"]
    if kind == "transposed":
        return layers.Conv2DTranspose(co, k, strides=s, output_padding=spec["output_padding"],
                                      dilation_rate=d)
    if kind == "depthwise":
        return layers.DepthwiseConv2D(k, strides=s, depth_multiplier=co // spec["in_channels"])
    if kind == "separable":
        return layers.SeparableConv2D(co, k, strides=s,
                                      depth_multiplier=spec["depth_multiplier"])
    return layers.Conv2D(co, k, strides=s, dilation_rate=d, groups=spec["groups"])


def keras_error(make, spec):
    """The error Keras raises building and calling `make()` on the spec's input size, or None."""
    try:
        layer = make()
        layer(np.zeros((1, spec["height"], spec["width"], spec["in_channels"]), np.float32))
        return None
    except (ValueError, AttributeError, TypeError) as e:
        return str(e) or type(e).__name__


def keras_height(make, spec):
    layer = make()
    x = np.zeros((1, spec["height"], spec["width"], spec["in_channels"]), np.float32)
    return tuple(layer(x).shape[1:3])


# --- Notes ---------------------------------------------------------------------------------

def true_notes(spec):
    """The notes that are true of this setting, each decided by PyTorch or Keras themselves."""
    kind, s, d, k = spec["layer"], spec["stride"], spec["dilation"], spec["kernel_size"]
    ci, co, op, bias = spec["in_channels"], spec["out_channels"], spec["output_padding"], \
        spec["bias"]
    notes = {"code.note.layout"}
    if kind == "transposed":
        cannot = keras_error(lambda: layers.Conv2DTranspose(co, k, strides=s, dilation_rate=d),
                             spec) is not None
        if cannot:
            notes.add("code.note.keras-transposed-dilated-stride")
            return notes
        if keras_error(lambda: layers.Conv2DTranspose(co, k, strides=s, output_padding=op),
                       spec) is not None:
            notes.add("code.note.keras-output-padding")
        if op == 0 or "code.note.keras-output-padding" in notes:
            # Keras is then given output_padding=0: does leaving it out change the size?
            omitted = keras_height(
                lambda: layers.Conv2DTranspose(co, k, strides=s, dilation_rate=d), spec)
            zero = keras_height(
                lambda: layers.Conv2DTranspose(co, k, strides=s, output_padding=0,
                                               dilation_rate=d), spec)
            if omitted != zero:
                notes.add("code.note.keras-output-padding-zero")
        if padding(spec) != 0 and keras_error(
                lambda: layers.Conv2DTranspose(co, k, padding=padding(spec)), spec) is not None:
            notes.add("code.note.keras-transposed-crop")
        return notes
    if keras_error(lambda: direct_keras(spec), spec) is not None:
        notes.add("code.note.keras-dilated-stride")
    if spec["padding_mode"] != "zeros" and pads(spec) and \
            "padding_mode" not in inspect.signature(layers.Conv2D).parameters:
        notes.add("code.note.keras-padding-mode")
    if padding(spec) == "same" and s > 1:
        try:
            nn.Conv2d(ci, co, k, stride=s, padding="same")
        except ValueError:
            notes.add("code.note.keras-same-stride")
    if kind == "subpixel" and spec["upscale_factor"] > 1 and \
            depth_to_space_orders() == (False, True):
        notes.add("code.note.keras-pixel-shuffle")
    if kind == "separable" and bias:
        sep = layers.SeparableConv2D(co, k)
        sep(np.zeros((1, k, k, ci), np.float32))
        # "one bias (C_out terms)"; the fold is checked by running the snippet.
        if [tuple(w.shape) for w in sep.weights if "bias" in w.path] == [(co,)]:
            notes.update(["code.note.separable-bias", "code.note.separable-bias-fold"])
    return notes


def depth_to_space_orders():
    """Whether keras.ops.depth_to_space equals nn.PixelShuffle on channels-last and on
    channels-first maps (2 channels, r = 2)."""
    x = np.arange(8 * 2 * 3, dtype=np.float32).reshape(1, 8, 2, 3)
    want = nn.PixelShuffle(2)(torch.from_numpy(x)).numpy()
    last = np.asarray(keras.ops.depth_to_space(x.transpose(0, 2, 3, 1), 2)).transpose(0, 3, 1, 2)
    first = np.asarray(keras.ops.depth_to_space(x, 2, data_format="channels_first"))
    return np.array_equal(last, want), np.array_equal(first, want)


def pads(spec):
    """Whether the (spatial) convolution pads at all: an integer padding above 0, or a `same`
    padding of more than nothing (PyTorch's and TensorFlow's split, over the map it runs on)."""
    p = padding(spec)
    if p == "valid":
        return False
    if p != "same":
        return p > 0
    s, k, d = spec["stride"], spec["kernel_size"], spec["dilation"]
    scale = spec["scale_factor"] if spec["layer"] == "upsample" else 1
    if spec["layer"] == "upsample":
        s = 1
    ext = (k - 1) * d + 1
    return any(((n * scale + s - 1) // s - 1) * s + ext - n * scale > 0
               for n in (spec["height"], spec["width"]))


def check_notes(case):
    have, want = set(case["notes"]), true_notes(case["spec"])
    check(len(case["notes"]) == len(have), f"notes repeated: {case['notes']}")
    check(have == want, f"notes: missing {sorted(want - have)}, untrue {sorted(have - want)}")


# --- Main ----------------------------------------------------------------------------------

def compare(label, got, want):
    check(got.shape == want.shape, f"{label}: output {got.shape}, conv-core {want.shape}")
    diff = float(np.max(np.abs(got - want))) if got.size else 0.0
    check(diff <= TOLERANCE, f"{label}: output differs from conv-core by {diff:.3g}")


def main():
    source = open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin
    cases = json.load(source)
    start = time.time()
    passed = failed = 0
    print(f"keras {keras.__version__} ({keras.backend.backend()}), torch {torch.__version__}, "
          f"numpy {np.__version__}; {len(cases)} cases")
    for case in cases:
        for label, run in (("PyTorch", run_pytorch), ("Keras", run_keras)):
            try:
                run(case)
                if label == "Keras":
                    check_notes(case)
                passed += 1
            except Exception as e:  # a snippet that fails in any way is reported, not fatal
                failed += 1
                text = str(e).strip().splitlines()
                print(f"FAIL {describe(case['spec'])}\n  {type(e).__name__}: "
                      f"{text[0] if text else ''}\n  " + case[label.lower()].replace("\n", "\n  "))
    print(f"{time.time() - start:.1f} s")
    print(f"snippets: {passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
