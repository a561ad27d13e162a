//! The current layer as code a reader can paste: PyTorch and Keras, with notes where the two
//! frameworks differ. Pure, tested natively.

use conv_core::{LayerKind, LayerSpec, PaddingMode};

/// Code for the current layer and the notes (i18n keys) that go with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippets {
    pub pytorch: String,
    pub keras: String,
    pub notes: Vec<&'static str>,
}

// The arguments mirror `nn.Conv2d`'s own, one for one.
#[allow(clippy::too_many_arguments)]
fn conv_args(
    c_in: usize,
    c_out: usize,
    k: usize,
    s: usize,
    padding: &str,
    d: usize,
    g: usize,
    bias: bool,
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
    a
}

/// One line of a layer list: the trailing comma goes before a comment.
fn list_item(line: &str) -> String {
    match line.split_once("  #") {
        Some((code, comment)) => format!("    {code},  #{comment}"),
        None => format!("    {line},"),
    }
}

/// PyTorch's padding argument; `None` when PyTorch cannot express it (`same` with stride > 1).
fn torch_padding(spec: &LayerSpec) -> Option<String> {
    match spec.padding {
        PaddingMode::Explicit(0) | PaddingMode::Valid => Some(String::new()),
        PaddingMode::Explicit(p) => Some(p.to_string()),
        PaddingMode::Same if spec.stride == 1 => Some("\"same\"".into()),
        PaddingMode::Same => None,
    }
}

/// The snippets of `spec`.
pub fn snippets(spec: &LayerSpec) -> Snippets {
    let e = spec.effective();
    let (ci, co, k, s, d, b) = (
        e.in_channels,
        e.out_channels,
        e.kernel_size,
        e.stride,
        e.dilation,
        e.bias,
    );
    let mut notes = vec!["code.note.layout"];
    // A `same` padding PyTorch refuses (stride > 1) is written as explicit zero padding.
    let (torch_pad, pre_pad) = match torch_padding(&e) {
        Some(p) => (p, None),
        None => {
            let sides = e.padding_sides([e.height, e.width]);
            (
                String::new(),
                Some(format!(
                    "nn.ZeroPad2d(({}, {}, {}, {}))",
                    sides.left, sides.right, sides.top, sides.bottom
                )),
            )
        }
    };
    let conv = |c_in: usize,
                c_out: usize,
                k: usize,
                s: usize,
                pad: &str,
                d: usize,
                g: usize,
                bias: bool| {
        format!(
            "nn.Conv2d({})",
            conv_args(c_in, c_out, k, s, pad, d, g, bias)
        )
    };
    let wrap = |layers: Vec<String>| {
        if layers.len() == 1 {
            layers.into_iter().next().unwrap_or_default()
        } else {
            format!(
                "nn.Sequential(\n{}\n)",
                layers
                    .iter()
                    .map(|l| list_item(l))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        }
    };
    let with_pre = |mut layers: Vec<String>| {
        if let Some(p) = &pre_pad {
            layers.insert(0, p.clone());
        }
        layers
    };
    let pytorch = match e.layer {
        LayerKind::Standard | LayerKind::Dilated | LayerKind::Grouped | LayerKind::Depthwise => {
            wrap(with_pre(vec![conv(
                ci, co, k, s, &torch_pad, d, e.groups, b,
            )]))
        }
        LayerKind::Pointwise => conv(ci, co, 1, 1, "", 1, 1, b),
        LayerKind::Separable => {
            let mid = e.separable_channels();
            wrap(with_pre(vec![
                format!("{}  # depthwise", conv(ci, mid, k, s, &torch_pad, 1, ci, b)),
                format!("{}  # pointwise", conv(mid, co, 1, 1, "", 1, 1, b)),
            ]))
        }
        LayerKind::Transposed => {
            let p = match e.padding {
                PaddingMode::Explicit(p) => p,
                _ => 0,
            };
            let mut a = format!("{ci}, {co}, kernel_size={k}");
            if s != 1 {
                a += &format!(", stride={s}");
            }
            if p != 0 {
                a += &format!(", padding={p}");
            }
            if e.output_padding != 0 {
                a += &format!(", output_padding={}", e.output_padding);
            }
            if d != 1 {
                a += &format!(", dilation={d}");
            }
            if !b {
                a += ", bias=False";
            }
            format!("nn.ConvTranspose2d({a})")
        }
        LayerKind::Upsample => {
            let mode = match e.upsample_mode {
                conv_core::UpsampleMode::Nearest => "nearest",
                conv_core::UpsampleMode::Bilinear => "bilinear",
            };
            wrap(vec![
                format!(
                    "nn.Upsample(scale_factor={}, mode=\"{mode}\")",
                    e.scale_factor
                ),
                conv(ci, co, k, 1, &torch_pad, 1, 1, b),
            ])
        }
    };

    // Keras: channels last; padding is only "valid" or "same".
    let bias = if b { "" } else { ", use_bias=False" };
    let (k_pad, k_pre) = match e.padding {
        PaddingMode::Same => {
            if s > 1 {
                notes.push("code.note.keras-same-stride");
            }
            ("\"same\"", None)
        }
        PaddingMode::Valid | PaddingMode::Explicit(0) => ("\"valid\"", None),
        PaddingMode::Explicit(p) => ("\"valid\"", Some(format!("layers.ZeroPadding2D({p})"))),
    };
    let strides = if s != 1 {
        format!(", strides={s}")
    } else {
        String::new()
    };
    let kwrap = |mut layers: Vec<String>, pre: &Option<String>| {
        if let Some(p) = pre {
            layers.insert(0, p.clone());
        }
        if layers.len() == 1 {
            layers.into_iter().next().unwrap_or_default()
        } else {
            format!(
                "keras.Sequential([\n{}\n])",
                layers
                    .iter()
                    .map(|l| list_item(l))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        }
    };
    let keras = match e.layer {
        LayerKind::Standard => kwrap(
            vec![format!(
                "layers.Conv2D({co}, {k}{strides}, padding={k_pad}{bias})"
            )],
            &k_pre,
        ),
        LayerKind::Dilated => kwrap(
            vec![format!(
                "layers.Conv2D({co}, {k}{strides}, padding={k_pad}, dilation_rate={d}{bias})"
            )],
            &k_pre,
        ),
        LayerKind::Grouped => kwrap(
            vec![format!(
                "layers.Conv2D({co}, {k}{strides}, padding={k_pad}, groups={}{bias})",
                e.groups
            )],
            &k_pre,
        ),
        LayerKind::Depthwise => {
            let m = co / ci.max(1);
            let dm = if m != 1 {
                format!(", depth_multiplier={m}")
            } else {
                String::new()
            };
            kwrap(
                vec![format!(
                    "layers.DepthwiseConv2D({k}{strides}, padding={k_pad}{dm}{bias})"
                )],
                &k_pre,
            )
        }
        LayerKind::Pointwise => format!("layers.Conv2D({co}, 1{bias})"),
        LayerKind::Separable => {
            notes.push("code.note.separable-bias");
            let dm = if e.depth_multiplier != 1 {
                format!(", depth_multiplier={}", e.depth_multiplier)
            } else {
                String::new()
            };
            kwrap(
                vec![format!(
                    "layers.SeparableConv2D({co}, {k}{strides}, padding={k_pad}{dm}{bias})"
                )],
                &k_pre,
            )
        }
        LayerKind::Transposed => {
            let p = match e.padding {
                PaddingMode::Explicit(p) => p,
                _ => 0,
            };
            let op = if e.output_padding != 0 {
                format!(", output_padding={}", e.output_padding)
            } else {
                String::new()
            };
            let dil = if d != 1 {
                format!(", dilation_rate={d}")
            } else {
                String::new()
            };
            let mut layers = vec![format!(
                "layers.Conv2DTranspose({co}, {k}{strides}, padding=\"valid\"{op}{dil}{bias})"
            )];
            if p > 0 {
                notes.push("code.note.keras-transposed-crop");
                layers.push(format!("layers.Cropping2D({p})"));
            }
            kwrap(layers, &None)
        }
        LayerKind::Upsample => {
            let interp = match e.upsample_mode {
                conv_core::UpsampleMode::Nearest => "nearest",
                conv_core::UpsampleMode::Bilinear => "bilinear",
            };
            let mut layers = vec![format!(
                "layers.UpSampling2D(size={}, interpolation=\"{interp}\")",
                e.scale_factor
            )];
            if let Some(p) = &k_pre {
                layers.push(p.clone());
            }
            layers.push(format!("layers.Conv2D({co}, {k}, padding={k_pad}{bias})"));
            kwrap(layers, &None)
        }
    };
    Snippets {
        pytorch,
        keras,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_layer_reads_like_the_issue() {
        let s = snippets(&LayerSpec::preset(LayerKind::Grouped));
        assert_eq!(s.pytorch, "nn.Conv2d(4, 8, kernel_size=3, groups=2)");
        assert_eq!(s.keras, "layers.Conv2D(8, 3, padding=\"valid\", groups=2)");
        let padded = LayerSpec {
            padding: PaddingMode::Explicit(1),
            ..LayerSpec::preset(LayerKind::Grouped)
        };
        assert_eq!(
            snippets(&padded).pytorch,
            "nn.Conv2d(4, 8, kernel_size=3, padding=1, groups=2)"
        );
        assert!(snippets(&padded).keras.contains("layers.ZeroPadding2D(1)"));
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
                "layers.Conv2DTranspose(1, 3, strides=2",
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
    }

    #[test]
    fn same_padding_with_stride_is_explicit_in_pytorch_and_noted_for_keras() {
        let spec = LayerSpec {
            padding: PaddingMode::Same,
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
        assert!(s.notes.contains(&"code.note.keras-same-stride"));
    }
}
