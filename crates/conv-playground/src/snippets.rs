//! The current layer as code a reader can paste and run: PyTorch and Keras, each with its
//! imports, with notes where the two frameworks differ. Pure, tested natively; every snippet of a
//! sweep of settings is also run in PyTorch and Keras by `tests/snippets/check.py`.

use conv_core::{LayerKind, LayerSpec, PaddingMode, PaddingSpec, Param, UpsampleMode};

/// Code for the current layer and the notes (i18n keys) that go with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippets {
    pub pytorch: String,
    pub keras: String,
    pub notes: Vec<&'static str>,
}

/// The first lines of every PyTorch snippet.
pub const TORCH_IMPORTS: &str = "from torch import nn";
/// The first lines of every Keras snippet.
pub const KERAS_IMPORTS: &str = "import keras\nfrom keras import layers";
/// Keras' `UpSampling2D` interpolates as `align_corners=False` only: with `True` the snippet
/// writes the interpolation out as two weight matrices (rows: output pixels), applied with
/// `keras.ops.einsum`. The weights follow `conv_core::bilinear_taps`.
const KERAS_ALIGN_CORNERS: &str = "import numpy as np


def corners(n, f):
    \"\"\"Bilinear weights with align_corners=True: output i reads input i·(n−1)/(n·f−1).\"\"\"
    pos = np.arange(n * f) * (n - 1) / max(n * f - 1, 1)
    i0 = np.floor(pos).astype(int)
    i1 = np.minimum(i0 + 1, n - 1)
    rows = np.arange(n * f)
    m = np.zeros((n * f, n), \"float32\")
    np.add.at(m, (rows, i0), 1 - (pos - i0))
    np.add.at(m, (rows, i1), pos - i0)
    return m";
/// `keras.ops.depth_to_space` takes PyTorch's channel order (`nn.PixelShuffle`: channel
/// `c·r² + i·r + j` goes to sub-pixel `(i, j)`) on channels-first maps only; on channels-last
/// ones it takes TensorFlow's. The snippet transposes around it.
const KERAS_PIXEL_SHUFFLE: &str = "

def pixel_shuffle(t, r):
    \"\"\"nn.PixelShuffle(r): depth_to_space in PyTorch's channel order (channels first).\"\"\"
    t = keras.ops.transpose(t, (0, 3, 1, 2))
    t = keras.ops.depth_to_space(t, r, data_format=\"channels_first\")
    return keras.ops.transpose(t, (0, 2, 3, 1))";

/// The snippets of `spec`.
pub fn snippets(spec: &LayerSpec) -> Snippets {
    let e = spec.effective();
    let mut notes = vec!["code.note.layout"];
    let pytorch = pytorch(&e);
    let keras = keras(&e, &mut notes);
    Snippets {
        pytorch,
        keras,
        notes,
    }
}

// The arguments mirror `nn.Conv2d`'s own, one for one (`padding_mode` only beside a padding).
#[allow(clippy::too_many_arguments)]
fn torch_conv(
    c_in: usize,
    c_out: usize,
    k: usize,
    s: usize,
    padding: &str,
    d: usize,
    g: usize,
    bias: bool,
    mode: PaddingMode,
) -> String {
    let mut a = format!("{c_in}, {c_out}, kernel_size={k}");
    if s != 1 {
        a += &format!(", stride={s}");
    }
    if !padding.is_empty() {
        a += &format!(", padding={padding}");
    }
    if d != 1 {
        a += &format!(", dilation={d}");
    }
    if g != 1 {
        a += &format!(", groups={g}");
    }
    if !bias {
        a += ", bias=False";
    }
    if !padding.is_empty() && mode != PaddingMode::Zeros {
        a += &format!(", padding_mode=\"{}\"", mode.name());
    }
    format!("nn.Conv2d({a})")
}

/// One line of a layer list: the trailing comma goes before a comment.
fn list_item(line: &str) -> String {
    match line.split_once("  #") {
        Some((code, comment)) => format!("    {code},  #{comment}"),
        None => format!("    {line},"),
    }
}

/// `imports`, a blank line and `layer = …`: the one layer, or `open` + the list + `close`.
fn program(imports: &str, open: &str, close: &str, layers: Vec<String>) -> String {
    let body = match layers.as_slice() {
        [one] => one.clone(),
        _ => {
            let items: Vec<String> = layers.iter().map(|l| list_item(l)).collect();
            format!("{open}\n{}\n{close}", items.join("\n"))
        }
    };
    format!("{imports}\n\nlayer = {body}\n")
}

/// PyTorch's padding argument; `None` when PyTorch cannot express it (`same` with stride > 1).
fn torch_padding(spec: &LayerSpec) -> Option<String> {
    match spec.padding {
        PaddingSpec::Explicit(0) | PaddingSpec::Valid => Some(String::new()),
        PaddingSpec::Explicit(p) => Some(p.to_string()),
        PaddingSpec::Same if spec.stride == 1 => Some("\"same\"".into()),
        PaddingSpec::Same => None,
    }
}

fn upsample_mode(e: &LayerSpec) -> &'static str {
    match e.upsample_mode {
        UpsampleMode::Nearest => "nearest",
        UpsampleMode::Bilinear => "bilinear",
    }
}

/// The PyTorch snippet of the effective spec `e`.
fn pytorch(e: &LayerSpec) -> String {
    program(TORCH_IMPORTS, "nn.Sequential(", ")", torch_modules(e))
}

/// The PyTorch modules of the effective spec `e`, in order (a comment may follow `  #`).
pub fn torch_modules(e: &LayerSpec) -> Vec<String> {
    let (ci, co, k, s, d, b) = (
        e.in_channels,
        e.out_channels,
        e.kernel_size,
        e.stride,
        e.dilation,
        e.bias,
    );
    // A `same` padding PyTorch refuses (stride > 1) is written as an explicit padding layer,
    // TensorFlow's split: the odd pixel goes right and bottom.
    let (pad, mut layers) = match torch_padding(e) {
        Some(p) => (p, vec![]),
        None => {
            let p = e.padding_sides([e.height, e.width]);
            let class = match e.padding_mode {
                PaddingMode::Zeros => "ZeroPad2d",
                PaddingMode::Reflect => "ReflectionPad2d",
                PaddingMode::Replicate => "ReplicationPad2d",
                PaddingMode::Circular => "CircularPad2d",
            };
            let pad_layer = format!(
                "nn.{class}(({}, {}, {}, {}))",
                p.left, p.right, p.top, p.bottom
            );
            (String::new(), vec![pad_layer])
        }
    };
    let m = e.padding_mode;
    match e.layer {
        LayerKind::Standard | LayerKind::Dilated | LayerKind::Grouped | LayerKind::Depthwise => {
            layers.push(torch_conv(ci, co, k, s, &pad, d, e.groups, b, m));
        }
        LayerKind::Pointwise => layers.push(torch_conv(ci, co, 1, 1, "", 1, 1, b, m)),
        LayerKind::Separable => {
            let mid = e.separable_channels();
            let depthwise = torch_conv(ci, mid, k, s, &pad, 1, ci, b, m);
            layers.push(format!("{depthwise}  # depthwise"));
            let pointwise = torch_conv(mid, co, 1, 1, "", 1, 1, b, m);
            layers.push(format!("{pointwise}  # pointwise"));
        }
        LayerKind::Transposed => {
            let p = match e.padding {
                PaddingSpec::Explicit(p) => p,
                _ => 0,
            };
            // In the order of the signature: stride, padding, output_padding, bias, dilation.
            let mut a = format!("{ci}, {co}, kernel_size={k}");
            for (name, v, default) in [
                ("stride", s, 1),
                ("padding", p, 0),
                ("output_padding", e.output_padding, 0),
                ("bias", usize::from(b), 1),
                ("dilation", d, 1),
            ] {
                match (name, v == default) {
                    (_, true) => {}
                    ("bias", false) => a += ", bias=False",
                    _ => a += &format!(", {name}={v}"),
                }
            }
            layers.push(format!("nn.ConvTranspose2d({a})"));
        }
        LayerKind::Upsample => {
            let f = e.scale_factor;
            let mode = upsample_mode(e);
            let align = if e.align_corners {
                ", align_corners=True"
            } else {
                ""
            };
            layers.push(format!(
                "nn.Upsample(scale_factor={f}, mode=\"{mode}\"{align})"
            ));
            layers.push(torch_conv(ci, co, k, 1, &pad, 1, 1, b, m));
        }
        LayerKind::Subpixel => {
            let r = e.upscale_factor;
            layers.push(torch_conv(ci, co * r * r, k, 1, &pad, 1, 1, b, m));
            layers.push(format!("nn.PixelShuffle({r})"));
        }
    }
    layers
}

/// Keras' padding argument and the layer in front that pads explicitly: an integer padding, or
/// `same` when the convolution runs at stride 1 for a larger stride (then the sides of that
/// stride's `same` are written out: the odd pixel right and bottom).
fn keras_padding(e: &LayerSpec, explicit_same: bool) -> (&'static str, Option<String>) {
    if e.padding_mode != PaddingMode::Zeros {
        return ("\"valid\"", keras_mode_padding(e));
    }
    match e.padding {
        PaddingSpec::Same if explicit_same => {
            let p = e.padding_sides([e.height, e.width]);
            let layer = (p.top + p.bottom + p.left + p.right > 0).then(|| {
                format!(
                    "layers.ZeroPadding2D((({}, {}), ({}, {})))",
                    p.top, p.bottom, p.left, p.right
                )
            });
            ("\"valid\"", layer)
        }
        PaddingSpec::Same => ("\"same\"", None),
        PaddingSpec::Valid | PaddingSpec::Explicit(0) => ("\"valid\"", None),
        PaddingSpec::Explicit(p) => ("\"valid\"", Some(format!("layers.ZeroPadding2D({p})"))),
    }
}

/// Keras convolutions pad with zeros only: a reflect, replicate or circular padding is a
/// `keras.ops.pad` in front (numpy's modes `reflect`, `edge` and `wrap` are PyTorch's three),
/// `None` when the layer does not pad.
fn keras_mode_padding(e: &LayerSpec) -> Option<String> {
    let p = e.padding_sides([e.height, e.width]);
    if p.top + p.bottom + p.left + p.right == 0 {
        return None;
    }
    let mode = match e.padding_mode {
        PaddingMode::Reflect => "reflect",
        PaddingMode::Replicate => "edge",
        _ => "wrap",
    };
    Some(format!(
        "layers.Lambda(lambda t: keras.ops.pad(t, [[0, 0], [{}, {}], [{}, {}], [0, 0]], mode=\"{mode}\"))",
        p.top, p.bottom, p.left, p.right
    ))
}

/// The Keras snippet (channels last) of the effective spec `e`; its notes go to `notes`.
fn keras(e: &LayerSpec, notes: &mut Vec<&'static str>) -> String {
    let (co, k, s, d) = (e.out_channels, e.kernel_size, e.stride, e.dilation);
    let bias = if e.bias { "" } else { ", use_bias=False" };
    // Keras refuses strides > 1 with dilation_rate > 1: convolve at stride 1, then keep every
    // s-th row and column, which is the same.
    let subsample = s > 1 && d > 1;
    let (pad, pre) = keras_padding(e, subsample);
    if pre.is_some() && e.padding_mode != PaddingMode::Zeros {
        notes.push("code.note.keras-padding-mode");
    }
    let mut layers: Vec<String> = pre.into_iter().collect();
    let strides = if s > 1 && !subsample {
        format!(", strides={s}")
    } else {
        String::new()
    };
    let main = match e.layer {
        LayerKind::Transposed => return keras_transposed(e, notes),
        LayerKind::Standard => format!("layers.Conv2D({co}, {k}{strides}, padding={pad}{bias})"),
        LayerKind::Dilated => {
            format!("layers.Conv2D({co}, {k}{strides}, padding={pad}, dilation_rate={d}{bias})")
        }
        LayerKind::Grouped => format!(
            "layers.Conv2D({co}, {k}{strides}, padding={pad}, groups={}{bias})",
            e.groups
        ),
        LayerKind::Depthwise => {
            let m = co / e.in_channels.max(1);
            let dm = multiplier(m);
            format!("layers.DepthwiseConv2D({k}{strides}, padding={pad}{dm}{bias})")
        }
        LayerKind::Pointwise => format!("layers.Conv2D({co}, 1{bias})"),
        LayerKind::Separable => {
            if e.bias {
                notes.extend(["code.note.separable-bias", "code.note.separable-bias-fold"]);
            }
            let dm = multiplier(e.depth_multiplier);
            format!("layers.SeparableConv2D({co}, {k}{strides}, padding={pad}{dm}{bias})")
        }
        LayerKind::Upsample => {
            let (f, mode) = (e.scale_factor, upsample_mode(e));
            let up = if e.align_corners {
                let (h, w) = (e.height, e.width);
                format!(
                    "layers.Lambda(lambda t: keras.ops.einsum(\"yh,bhwc,xw->byxc\", corners({h}, {f}), t, corners({w}, {f})))"
                )
            } else {
                format!("layers.UpSampling2D(size={f}, interpolation=\"{mode}\")")
            };
            layers.insert(0, up);
            format!("layers.Conv2D({co}, {k}, padding={pad}{bias})")
        }
        LayerKind::Subpixel => {
            let r = e.upscale_factor;
            let conv = format!("layers.Conv2D({}, {k}, padding={pad}{bias})", co * r * r);
            // depth_to_space refuses a block of 1, and a shuffle by 1 moves nothing.
            if r == 1 {
                format!("{conv}  # PixelShuffle(1) leaves the maps as they are")
            } else {
                notes.push("code.note.keras-pixel-shuffle");
                layers.push(conv);
                format!("layers.Lambda(lambda t: pixel_shuffle(t, {r}))")
            }
        }
    };
    layers.push(main);
    if subsample {
        notes.push("code.note.keras-dilated-stride");
        layers.push(format!(
            "layers.Lambda(lambda t: t[:, ::{s}, ::{s}, :])  # strides={s}"
        ));
    }
    if e.padding == PaddingSpec::Same && s > 1 {
        notes.push("code.note.keras-same-stride");
    }
    let imports = match e.layer {
        LayerKind::Upsample if e.align_corners => format!("{KERAS_IMPORTS}\n{KERAS_ALIGN_CORNERS}"),
        LayerKind::Subpixel if e.upscale_factor > 1 => {
            format!("{KERAS_IMPORTS}\n{KERAS_PIXEL_SHUFFLE}")
        }
        _ => KERAS_IMPORTS.to_string(),
    };
    program(&imports, "keras.Sequential([", "])", layers)
}

/// `, depth_multiplier=m`, or nothing for 1.
fn multiplier(m: usize) -> String {
    if m != 1 {
        format!(", depth_multiplier={m}")
    } else {
        String::new()
    }
}

/// Keras for a transposed layer. Conv2DTranspose has no integer padding (crop afterwards),
/// needs `output_padding < strides`, picks a size of its own when `output_padding` is left out,
/// and refuses strides > 1 with dilation_rate > 1.
fn keras_transposed(e: &LayerSpec, notes: &mut Vec<&'static str>) -> String {
    let (co, k, s, d) = (e.out_channels, e.kernel_size, e.stride, e.dilation);
    if s > 1 && d > 1 {
        notes.push("code.note.keras-transposed-dilated-stride");
        return format!(
            "{KERAS_IMPORTS}\n\n# Keras cannot build this layer: Conv2DTranspose raises a ValueError \
             for\n# strides > 1 together with dilation_rate > 1 (here strides={s}, \
             dilation_rate={d}).\n"
        );
    }
    let mut layers = Vec::new();
    let mut op = e.output_padding;
    if op >= s {
        // Only at stride 1 (output_padding < max(stride, dilation), and a dilation above 1
        // needs stride 1 here): op zeros after the input add op output rows and columns that
        // only the bias reaches, as output_padding does.
        notes.push("code.note.keras-output-padding");
        layers.push(format!(
            "layers.ZeroPadding2D(((0, {op}), (0, {op})))  # output_padding={op}"
        ));
        op = 0;
    }
    if op == 0 && conv_core::shape::kernel_field(k.max(1), d.max(1)).unwrap_or(1) < s {
        notes.push("code.note.keras-output-padding-zero");
    }
    let strides = if s > 1 {
        format!(", strides={s}")
    } else {
        String::new()
    };
    let dil = if d > 1 {
        format!(", dilation_rate={d}")
    } else {
        String::new()
    };
    let bias = if e.bias { "" } else { ", use_bias=False" };
    layers.push(format!(
        "layers.Conv2DTranspose({co}, {k}{strides}, padding=\"valid\", output_padding={op}{dil}{bias})"
    ));
    if let PaddingSpec::Explicit(p @ 1..) = e.padding {
        notes.push("code.note.keras-transposed-crop");
        layers.push(format!("layers.Cropping2D({p})"));
    }
    program(KERAS_IMPORTS, "keras.Sequential([", "])", layers)
}

/// The settings whose snippets `tests/snippets/check.py` runs in PyTorch and Keras: every layer
/// type over strides 1–3, dilations 1–3, integer / `same` / `valid` padding, output paddings,
/// groups, depth multipliers, upsampling modes and bias on and off, on small non-square maps.
/// Each is corrected as the page would correct it, and listed once. The order fixes each case
/// (bias and some kernel sizes follow the position in the list), so the groups keep it.
pub fn sweep() -> Vec<LayerSpec> {
    let mut specs = Vec::new();
    for kind in LayerKind::ALL {
        for stride in 1..=3 {
            let at = SweepPoint::new(kind, stride);
            let group = match kind {
                LayerKind::Standard => at.standard(),
                LayerKind::Depthwise | LayerKind::Separable => at.multiplied(),
                LayerKind::Pointwise => at.pointwise(),
                LayerKind::Transposed => at.transposed(),
                LayerKind::Upsample => at.upsample(specs.len()),
                LayerKind::Dilated => at.dilated(),
                LayerKind::Grouped => at.grouped(),
                // One group for all strides (the layer has none), after the padding modes.
                LayerKind::Subpixel => Vec::new(),
            };
            specs.extend(group);
        }
    }
    // Then the padding modes, after the rest so as not to move its cases: each layer type that
    // has the choice, one mode per stride, with an integer and a `same` padding.
    for kind in LayerKind::ALL
        .into_iter()
        .filter(|k| k.uses(Param::PaddingMode))
    {
        for (stride, mode) in (1..=3).zip([
            PaddingMode::Reflect,
            PaddingMode::Replicate,
            PaddingMode::Circular,
        ]) {
            let at = SweepPoint::new(kind, stride);
            specs.extend(
                [PaddingSpec::Explicit(2), PaddingSpec::Same].map(|p| LayerSpec {
                    padding_mode: mode,
                    dilation: if kind == LayerKind::Dilated { 2 } else { 1 },
                    ..at.with(p)
                }),
            );
        }
    }
    specs.extend(SweepPoint::new(LayerKind::Subpixel, 1).subpixel());
    corrected_once(specs)
}

/// The paddings a sweep tries: a number, `same` and `valid`.
const SWEEP_PADS: [PaddingSpec; 3] = [
    PaddingSpec::Explicit(1),
    PaddingSpec::Same,
    PaddingSpec::Valid,
];

/// One layer type at one stride: the group of settings the sweep tries there.
struct SweepPoint {
    kind: LayerKind,
    stride: usize,
    /// The layer's preset on a 7×6 map, 2 → 3 channels.
    base: LayerSpec,
}

impl SweepPoint {
    fn new(kind: LayerKind, stride: usize) -> Self {
        let base = LayerSpec {
            height: 7,
            width: 6,
            in_channels: 2,
            out_channels: 3,
            ..LayerSpec::preset(kind)
        };
        SweepPoint { kind, stride, base }
    }

    /// The base at this stride with `padding`.
    fn with(&self, padding: PaddingSpec) -> LayerSpec {
        LayerSpec {
            stride: self.stride,
            padding,
            ..self.base.clone()
        }
    }

    /// Standard: kernels 2 and 3, each padding.
    fn standard(&self) -> Vec<LayerSpec> {
        [2, 3]
            .into_iter()
            .flat_map(|k| SWEEP_PADS.map(|p| (k, p)))
            .map(|(k, p)| LayerSpec {
                kernel_size: k,
                ..self.with(p)
            })
            .collect()
    }

    /// Depthwise and separable: depth multipliers 1 and 2, each padding.
    fn multiplied(&self) -> Vec<LayerSpec> {
        [1, 2]
            .into_iter()
            .flat_map(|m| SWEEP_PADS.map(|p| (m, p)))
            .map(|(m, p)| LayerSpec {
                out_channels: if self.kind == LayerKind::Depthwise {
                    2 * m
                } else {
                    3
                },
                depth_multiplier: m,
                ..self.with(p)
            })
            .collect()
    }

    /// Pointwise: 3 → 1 and 3 → 4 channels, without bias at stride 2 (the stride itself is fixed
    /// at 1 by the layer).
    fn pointwise(&self) -> Vec<LayerSpec> {
        [1, 4]
            .map(|c| LayerSpec {
                in_channels: 3,
                out_channels: c,
                bias: self.stride != 2,
                ..self.base.clone()
            })
            .to_vec()
    }

    /// Transposed, on a 4×3 map: kernels 1 and 3, dilations 1–3, padding 0 and 1, and every
    /// output padding below max(stride, dilation).
    fn transposed(&self) -> Vec<LayerSpec> {
        let mut out = Vec::new();
        for (k, d, p) in [1, 3]
            .into_iter()
            .flat_map(|k| (1..=3).flat_map(move |d| [0, 1].map(|p| (k, d, p))))
        {
            for op in 0..self.stride.max(d) {
                out.push(LayerSpec {
                    height: 4,
                    width: 3,
                    kernel_size: k,
                    dilation: d,
                    output_padding: op,
                    ..self.with(PaddingSpec::Explicit(p))
                });
            }
        }
        out
    }

    /// Upsample + conv, on a 4×3 map scaled by the stride: padding 0 and each sweep padding,
    /// nearest, bilinear and bilinear with `align_corners`; kernels 2 and 3 by turns, counted
    /// from `index`, the position of the group's first case in the whole sweep.
    fn upsample(&self, index: usize) -> Vec<LayerSpec> {
        [PaddingSpec::Explicit(0)]
            .into_iter()
            .chain(SWEEP_PADS)
            .flat_map(|p| {
                [
                    (UpsampleMode::Nearest, false),
                    (UpsampleMode::Bilinear, false),
                    (UpsampleMode::Bilinear, true),
                ]
                .map(|(m, a)| (p, m, a))
            })
            .enumerate()
            .map(|(i, (p, mode, align_corners))| LayerSpec {
                height: 4,
                width: 3,
                scale_factor: self.stride,
                kernel_size: 2 + (index + i) % 2,
                upsample_mode: mode,
                align_corners,
                ..self.with(p)
            })
            .collect()
    }

    /// Sub-pixel: upscale factors 1–3, kernels 1 and 3, each padding.
    fn subpixel(&self) -> Vec<LayerSpec> {
        (1..=3)
            .flat_map(|r| [1, 3].map(|k| (r, k)))
            .flat_map(|(r, k)| SWEEP_PADS.map(|p| (r, k, p)))
            .map(|(r, k, p)| LayerSpec {
                upscale_factor: r,
                kernel_size: k,
                ..self.with(p)
            })
            .collect()
    }

    /// Dilated, on a 9×8 map: kernels 2 and 3, dilations 1–3, each padding.
    fn dilated(&self) -> Vec<LayerSpec> {
        [2, 3]
            .into_iter()
            .flat_map(|k| (1..=3).flat_map(move |d| SWEEP_PADS.map(|p| (k, d, p))))
            .map(|(k, d, p)| LayerSpec {
                height: 9,
                width: 8,
                kernel_size: k,
                dilation: d,
                ..self.with(p)
            })
            .collect()
    }

    /// Grouped, 4 → 8 channels: groups 1, 2 and 4, each padding.
    fn grouped(&self) -> Vec<LayerSpec> {
        [1, 2, 4]
            .into_iter()
            .flat_map(|g| SWEEP_PADS.map(|p| (g, p)))
            .map(|(g, p)| LayerSpec {
                in_channels: 4,
                out_channels: 8,
                groups: g,
                ..self.with(p)
            })
            .collect()
    }
}

/// Bias on for two cases in three (pointwise keeps its own), each case corrected as the page
/// would correct it, and each listed once.
fn corrected_once(specs: Vec<LayerSpec>) -> Vec<LayerSpec> {
    let mut seen = std::collections::HashSet::new();
    specs
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let bias = if s.layer == LayerKind::Pointwise {
                s.bias
            } else {
                i % 3 != 1
            };
            LayerSpec { bias, ..s }
                .corrected(&conv_core::Limits::GRID)
                .0
                .effective()
        })
        .filter(|s| seen.insert(s.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The code after the imports, without the trailing newline.
    fn body<'a>(code: &'a str, imports: &str) -> &'a str {
        code.strip_prefix(imports)
            .and_then(|c| c.strip_prefix("\n\n"))
            .unwrap_or_else(|| panic!("no imports: {code}"))
            .trim_end()
    }

    #[test]
    fn grouped_layer_reads_like_the_issue() {
        let s = snippets(&LayerSpec::preset(LayerKind::Grouped));
        assert_eq!(
            s.pytorch,
            "from torch import nn\n\nlayer = nn.Conv2d(4, 8, kernel_size=3, groups=2)\n"
        );
        assert_eq!(
            s.keras,
            "import keras\nfrom keras import layers\n\n\
             layer = layers.Conv2D(8, 3, padding=\"valid\", groups=2)\n"
        );
        let padded = LayerSpec {
            padding: PaddingSpec::Explicit(1),
            ..LayerSpec::preset(LayerKind::Grouped)
        };
        assert_eq!(
            body(&snippets(&padded).pytorch, TORCH_IMPORTS),
            "layer = nn.Conv2d(4, 8, kernel_size=3, padding=1, groups=2)"
        );
        assert_eq!(
            body(&snippets(&padded).keras, KERAS_IMPORTS),
            "layer = keras.Sequential([\n    layers.ZeroPadding2D(1),\n    \
             layers.Conv2D(8, 3, padding=\"valid\", groups=2),\n])"
        );
    }

    #[test]
    fn every_layer_has_code() {
        let want = [
            (
                LayerKind::Standard,
                "nn.Conv2d(3, 16, kernel_size=3)",
                "layers.Conv2D(16, 3",
            ),
            (
                LayerKind::Depthwise,
                "nn.Conv2d(3, 3, kernel_size=3, groups=3)",
                "layers.DepthwiseConv2D(3",
            ),
            (
                LayerKind::Pointwise,
                "nn.Conv2d(3, 4, kernel_size=1)",
                "layers.Conv2D(4, 1)",
            ),
            (
                LayerKind::Separable,
                "groups=3),  # depthwise",
                "layers.SeparableConv2D(4, 3",
            ),
            (
                LayerKind::Transposed,
                "nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=1, output_padding=1)",
                "layers.Conv2DTranspose(1, 3, strides=2, padding=\"valid\", output_padding=1)",
            ),
            (
                LayerKind::Upsample,
                "nn.Upsample(scale_factor=2, mode=\"nearest\")",
                "layers.UpSampling2D(size=2",
            ),
            (
                LayerKind::Dilated,
                "nn.Conv2d(1, 1, kernel_size=3, dilation=2)",
                "dilation_rate=2",
            ),
            (LayerKind::Grouped, "groups=2", "groups=2"),
        ];
        for (kind, torch, keras) in want {
            let s = snippets(&LayerSpec::preset(kind));
            assert!(s.pytorch.contains(torch), "{kind:?}: {}", s.pytorch);
            assert!(s.keras.contains(keras), "{kind:?}: {}", s.keras);
        }
        let sep = snippets(&LayerSpec::preset(LayerKind::Separable));
        assert!(sep.notes.contains(&"code.note.separable-bias"));
        assert!(sep.notes.contains(&"code.note.separable-bias-fold"));
        let no_bias = LayerSpec {
            bias: false,
            ..LayerSpec::preset(LayerKind::Separable)
        };
        assert!(!snippets(&no_bias)
            .notes
            .contains(&"code.note.separable-bias"));
    }

    #[test]
    fn same_padding_with_stride_is_explicit_in_pytorch_and_noted_for_keras() {
        let spec = LayerSpec {
            padding: PaddingSpec::Same,
            stride: 2,
            height: 6,
            width: 6,
            kernel_size: 3,
            ..LayerSpec::preset(LayerKind::Standard)
        };
        let s = snippets(&spec);
        // TensorFlow's rule for 6 → 3 with k = 3, s = 2: 1 pixel in total, on the right/bottom.
        assert!(
            s.pytorch.contains("nn.ZeroPad2d((0, 1, 0, 1))"),
            "{}",
            s.pytorch
        );
        assert!(
            s.keras.contains("strides=2, padding=\"same\""),
            "{}",
            s.keras
        );
        assert!(s.notes.contains(&"code.note.keras-same-stride"));
        let (_, en, _) = crate::i18n::strings()
            .iter()
            .find(|(k, _, _)| *k == "code.note.keras-same-stride")
            .unwrap();
        // Only an odd total is split unevenly (k = 3, s = 2 on 7 pads 1 + 1).
        assert!(
            en.contains("may pad asymmetrically (when the total padding is odd"),
            "{en}"
        );
    }

    #[test]
    fn keras_dilated_stride_convolves_at_stride_one_then_subsamples() {
        let spec = LayerSpec {
            stride: 2,
            padding: PaddingSpec::Same,
            ..LayerSpec::preset(LayerKind::Dilated)
        };
        let s = snippets(&spec);
        // Keras refuses strides=2 with dilation_rate=2; `same` of stride 2 on 7 with extent 5:
        // 4 rows in all, 2 + 2.
        assert_eq!(
            body(&s.keras, KERAS_IMPORTS),
            "layer = keras.Sequential([\n    layers.ZeroPadding2D(((2, 2), (2, 2))),\n    \
             layers.Conv2D(1, 3, padding=\"valid\", dilation_rate=2),\n    \
             layers.Lambda(lambda t: t[:, ::2, ::2, :]),  # strides=2\n])"
        );
        assert!(s.notes.contains(&"code.note.keras-dilated-stride"));
        assert!(s.pytorch.contains("stride=2, dilation=2"), "{}", s.pytorch);
        let plain = snippets(&LayerSpec::preset(LayerKind::Dilated));
        assert!(!plain.notes.contains(&"code.note.keras-dilated-stride"));
        assert!(!plain.keras.contains("Lambda"));
    }

    #[test]
    fn keras_transposed_writes_output_padding_and_says_what_it_cannot_build() {
        let t = |k, s, d, op| LayerSpec {
            kernel_size: k,
            stride: s,
            dilation: d,
            output_padding: op,
            padding: PaddingSpec::Explicit(0),
            ..LayerSpec::preset(LayerKind::Transposed)
        };
        // k = 1, s = 2 on 4: PyTorch 7; without output_padding Keras would make 8.
        let s = snippets(&t(1, 2, 1, 0));
        assert_eq!(
            body(&s.keras, KERAS_IMPORTS),
            "layer = layers.Conv2DTranspose(1, 1, strides=2, padding=\"valid\", output_padding=0)"
        );
        assert!(s.notes.contains(&"code.note.keras-output-padding-zero"));
        assert!(!snippets(&t(3, 2, 1, 0))
            .notes
            .contains(&"code.note.keras-output-padding-zero"));
        // output_padding 2 ≥ stride 1 (PyTorch allows it below the dilation, 3).
        let s = snippets(&t(3, 1, 3, 2));
        assert_eq!(
            body(&s.keras, KERAS_IMPORTS),
            "layer = keras.Sequential([\n    \
             layers.ZeroPadding2D(((0, 2), (0, 2))),  # output_padding=2\n    \
             layers.Conv2DTranspose(1, 3, padding=\"valid\", output_padding=0, dilation_rate=3),\n])"
        );
        assert!(s.notes.contains(&"code.note.keras-output-padding"));
        // Stride and dilation above 1: no Keras layer, and the snippet says so.
        let s = snippets(&t(3, 2, 2, 1));
        assert!(
            s.keras.contains("# Keras cannot build this layer"),
            "{}",
            s.keras
        );
        assert!(!s.keras.contains("layer ="), "{}", s.keras);
        assert!(s
            .notes
            .contains(&"code.note.keras-transposed-dilated-stride"));
        assert!(s.pytorch.contains("stride=2, output_padding=1, dilation=2"));
    }

    #[test]
    fn bilinear_upsampling_names_its_corner_convention() {
        let spec = LayerSpec {
            upsample_mode: UpsampleMode::Bilinear,
            align_corners: true,
            ..LayerSpec::preset(LayerKind::Upsample)
        };
        let s = snippets(&spec);
        assert!(s
            .pytorch
            .contains("nn.Upsample(scale_factor=2, mode=\"bilinear\", align_corners=True)"));
        assert!(
            s.keras.contains("corners(4, 2), t, corners(4, 2)"),
            "{}",
            s.keras
        );
        assert!(!s.keras.contains("UpSampling2D"));
        let off = snippets(&LayerSpec {
            align_corners: false,
            ..spec
        });
        assert!(!off.pytorch.contains("align_corners"));
        assert!(off
            .keras
            .contains("layers.UpSampling2D(size=2, interpolation=\"bilinear\")"));
    }

    #[test]
    fn every_snippet_of_the_sweep_has_its_imports_a_layer_and_translated_notes() {
        let specs = sweep();
        assert!((200..=400).contains(&specs.len()), "{} cases", specs.len());
        for kind in LayerKind::ALL {
            assert!(specs.iter().any(|s| s.layer == kind), "{kind:?}");
        }
        for spec in &specs {
            let s = snippets(spec);
            assert!(body(&s.pytorch, TORCH_IMPORTS).starts_with("layer = nn."));
            // With align_corners the interpolation's helper comes after the imports.
            let imports = if spec.effective().align_corners {
                format!("{KERAS_IMPORTS}\n{KERAS_ALIGN_CORNERS}")
            } else if spec.layer == LayerKind::Subpixel && spec.upscale_factor > 1 {
                format!("{KERAS_IMPORTS}\n{KERAS_PIXEL_SHUFFLE}")
            } else {
                KERAS_IMPORTS.to_string()
            };
            let keras = body(&s.keras, &imports);
            assert!(
                keras.starts_with("layer = ") || keras.starts_with("# Keras cannot build"),
                "{keras}"
            );
            for note in &s.notes {
                let found = crate::i18n::strings().iter().any(|(k, _, _)| k == note);
                assert!(found, "{note} has no translation");
            }
        }
    }
}
