//! A stack as one short URL-safe text (`stack=` in the page's URL), and back: the input
//! `C x H x W`, then each layer, all joined by `_`. A layer is its name and its settings, joined
//! by `-`: the playground's layer types by their URL names with `o` (output channels), `k`
//! (kernel), `s` (stride), `p` (padding: a number, `psame` or `pvalid`), `d` (dilation), `g`
//! (groups), `m` (depth multiplier), `f` (scale factor), `r` (upscale factor), `op` (output
//! padding), `bilinear`, `ac` (align corners), `pm` + a padding mode and `nb` (no bias); then
//! `maxpool` / `avgpool` with `k`, `s`, `p`; `gap`; `flatten`; `linear` with `o` and `nb`;
//! `relu`; `bn`. Every setting the layer type uses is written, so a text reads back to the same
//! stack. Example: `3x32x32_standard-o16-k3-s2-p1_relu_maxpool-k2-s2-p0_gap_flatten_linear-o10`.

use crate::spec::{LayerKind, LayerSpec, Param, UpsampleMode};
use crate::stack::{Block, Stack};
use crate::{PaddingMode, PaddingSpec};

/// Why a text is not a stack: the part (0 = the input, then one per layer) and the piece of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextError {
    pub part: usize,
    pub piece: String,
}

impl std::fmt::Display for TextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "part {}: `{}` is not understood", self.part, self.piece)
    }
}

impl Stack {
    /// The stack as text (see the module's documentation).
    pub fn to_text(&self) -> String {
        let [c, h, w] = self.input;
        let mut parts = vec![format!("{c}x{h}x{w}")];
        parts.extend(self.blocks.iter().map(block_text));
        parts.join("_")
    }

    /// The stack a text describes: a preset's name ([`Stack::preset`]) or the form of
    /// [`Stack::to_text`]. Whether its layers fit one another is [`Stack::rows`]' to say.
    ///
    /// **Errors** with the first part that cannot be read.
    pub fn from_text(text: &str) -> Result<Stack, TextError> {
        if let Some(s) = Stack::preset(text) {
            return Ok(s);
        }
        let mut parts = text.split('_');
        let bad = |part: usize, piece: &str| TextError {
            part,
            piece: piece.chars().take(40).collect(),
        };
        let head = parts.next().unwrap_or_default();
        let dims: Vec<usize> = head.split('x').filter_map(|n| n.parse().ok()).collect();
        let input = match dims[..] {
            [c, h, w] if head.split('x').count() == 3 => [c, h, w],
            _ => return Err(bad(0, head)),
        };
        let blocks = parts
            .enumerate()
            .map(|(i, p)| parse_block(p).ok_or_else(|| bad(i + 1, p)))
            .collect::<Result<Vec<_>, _>>()?;
        if blocks.len() > crate::stack::MAX_LAYERS {
            return Err(bad(crate::stack::MAX_LAYERS + 1, "too many layers"));
        }
        Ok(Stack { input, blocks })
    }
}

fn block_text(block: &Block) -> String {
    match block {
        Block::Layer(spec) => layer_text(spec),
        Block::MaxPool { .. } | Block::AvgPool { .. } => {
            let (max, kernel, stride, padding) = block.as_pool().unwrap_or_default();
            let name = if max { "maxpool" } else { "avgpool" };
            format!("{name}-k{kernel}-s{stride}-p{padding}")
        }
        Block::GlobalAvgPool => "gap".into(),
        Block::Flatten => "flatten".into(),
        Block::Linear { out_features, bias } => {
            format!("linear-o{out_features}{}", if *bias { "" } else { "-nb" })
        }
        Block::Relu => "relu".into(),
        Block::BatchNorm => "bn".into(),
    }
}

/// A playground layer: its name and every setting its type uses but its input's.
fn layer_text(spec: &LayerSpec) -> String {
    let mut t = spec.layer.name().to_string();
    for &p in spec.layer.params() {
        let piece = match p {
            Param::Height | Param::Width | Param::InChannels => continue,
            Param::OutChannels => format!("o{}", spec.out_channels),
            Param::KernelSize => format!("k{}", spec.kernel_size),
            Param::Stride => format!("s{}", spec.stride),
            Param::Padding => format!("p{}", spec.padding),
            Param::Dilation => format!("d{}", spec.dilation),
            Param::Groups => format!("g{}", spec.groups),
            Param::DepthMultiplier => format!("m{}", spec.depth_multiplier),
            Param::ScaleFactor => format!("f{}", spec.scale_factor),
            Param::UpscaleFactor => format!("r{}", spec.upscale_factor),
            Param::OutputPadding => format!("op{}", spec.output_padding),
            Param::Mode if spec.upsample_mode == UpsampleMode::Bilinear => "bilinear".into(),
            Param::AlignCorners if spec.align_corners => "ac".into(),
            Param::PaddingMode if spec.padding_mode != PaddingMode::Zeros => {
                format!("pm{}", spec.padding_mode.name())
            }
            Param::Bias if !spec.bias => "nb".into(),
            Param::Mode | Param::AlignCorners | Param::PaddingMode | Param::Bias => continue,
        };
        t.push('-');
        t += &piece;
    }
    t
}

/// A number after `prefix` in `piece`.
fn after(piece: &str, prefix: &str) -> Option<usize> {
    piece.strip_prefix(prefix)?.parse().ok()
}

fn parse_block(text: &str) -> Option<Block> {
    let mut pieces = text.split('-');
    let name = pieces.next()?;
    let rest: Vec<&str> = pieces.collect();
    let number = |prefix: &str, default: usize| -> Option<usize> {
        match rest.iter().find(|p| p.starts_with(prefix)) {
            Some(p) => after(p, prefix),
            None => Some(default),
        }
    };
    let only = |allowed: &[&str]| {
        rest.iter().all(|p| {
            allowed.iter().any(|a| {
                p.strip_prefix(a)
                    .is_some_and(|v| v.is_empty() || v.parse::<usize>().is_ok())
            })
        })
    };
    Some(match name {
        "maxpool" | "avgpool" if only(&["k", "s", "p"]) => {
            let kernel = number("k", 2)?;
            let (stride, padding) = (number("s", kernel)?, number("p", 0)?);
            Block::pool(name == "maxpool", kernel, stride, padding)
        }
        "gap" if rest.is_empty() => Block::GlobalAvgPool,
        "flatten" if rest.is_empty() => Block::Flatten,
        "relu" if rest.is_empty() => Block::Relu,
        "bn" if rest.is_empty() => Block::BatchNorm,
        "linear" if only(&["o", "nb"]) => Block::Linear {
            out_features: number("o", 0).filter(|&o| o > 0)?,
            bias: !rest.contains(&"nb"),
        },
        _ => Block::Layer(parse_layer(LayerKind::from_name(name)?, &rest)?),
    })
}

fn parse_layer(kind: LayerKind, pieces: &[&str]) -> Option<LayerSpec> {
    let mut s = LayerSpec::preset(kind);
    for &p in pieces {
        // The longer prefixes first: `op` before `o`, `pm` / `psame` / `pvalid` before `p`.
        let param = if let Some(v) = after(p, "op") {
            s.output_padding = v;
            Param::OutputPadding
        } else if let Some(mode) = p.strip_prefix("pm") {
            s.padding_mode = PaddingMode::from_name(mode)?;
            Param::PaddingMode
        } else if p == "psame" || p == "pvalid" {
            s.padding = if p == "psame" {
                PaddingSpec::Same
            } else {
                PaddingSpec::Valid
            };
            Param::Padding
        } else if p == "bilinear" {
            s.upsample_mode = UpsampleMode::Bilinear;
            Param::Mode
        } else if p == "ac" {
            s.align_corners = true;
            Param::AlignCorners
        } else if p == "nb" {
            s.bias = false;
            Param::Bias
        } else {
            let (key, param) = [
                ("o", Param::OutChannels),
                ("k", Param::KernelSize),
                ("s", Param::Stride),
                ("p", Param::Padding),
                ("d", Param::Dilation),
                ("g", Param::Groups),
                ("m", Param::DepthMultiplier),
                ("f", Param::ScaleFactor),
                ("r", Param::UpscaleFactor),
            ]
            .into_iter()
            .find(|(k, _)| after(p, k).is_some())?;
            s.set(param, after(p, key)?);
            param
        };
        if !kind.uses(param) {
            return None;
        }
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Budget;

    #[test]
    fn every_preset_reads_back_from_its_text() {
        for name in crate::stack::PRESETS {
            let s = Stack::preset(name).unwrap();
            let text = s.to_text();
            assert!(
                text.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-".contains(c)),
                "{text}"
            );
            let back = Stack::from_text(&text).unwrap();
            assert_eq!(back.to_text(), text);
            let budget = Budget {
                max_elements: 1 << 40,
                max_macs: 1 << 50,
            };
            assert_eq!(
                back.rows(&budget).unwrap(),
                s.rows(&budget).unwrap(),
                "{name}"
            );
            assert_eq!(Stack::from_text(name).unwrap(), s);
        }
    }

    #[test]
    fn a_written_stack_reads_as_written() {
        let text = "3x32x32_standard-o16-k3-s2-p1-nb_relu_upsample-o8-f2-bilinear-ac-k3-psame_subpixel-o2-r2-k3-p1-pmreflect_maxpool-k2-s2-p0_gap_flatten_linear-o10";
        let s = Stack::from_text(text).unwrap();
        assert_eq!(s.input, [3, 32, 32]);
        assert_eq!(s.blocks.len(), 8);
        let Block::Layer(up) = &s.blocks[2] else {
            panic!()
        };
        assert_eq!(
            (
                up.scale_factor,
                up.upsample_mode,
                up.align_corners,
                up.padding
            ),
            (2, UpsampleMode::Bilinear, true, PaddingSpec::Same)
        );
        let Block::Layer(sub) = &s.blocks[3] else {
            panic!()
        };
        assert_eq!(
            (sub.upscale_factor, sub.padding_mode),
            (2, PaddingMode::Reflect)
        );
        assert_eq!(
            Stack::from_text(&s.to_text()).unwrap().to_text(),
            s.to_text()
        );
    }

    #[test]
    fn unreadable_parts_are_named() {
        for (text, part) in [
            ("3x32", 0),
            ("3x32x32x1_relu", 0),
            ("3x32x32_relu_gelu", 2),
            ("3x32x32_standard-o16-q3", 1),
            // Dilation is not a setting of the standard layer; depthwise has no groups to set.
            ("3x32x32_standard-d2", 1),
            ("3x32x32_depthwise-g2", 1),
            ("3x32x32_linear-o0", 1),
            ("3x32x32_standard-pmsideways", 1),
            ("3x32x32_relu-k3", 1),
        ] {
            assert_eq!(Stack::from_text(text).unwrap_err().part, part, "{text}");
        }
        let long = format!("1x8x8{}", "_relu".repeat(crate::stack::MAX_LAYERS + 1));
        assert!(Stack::from_text(&long).is_err());
    }
}
