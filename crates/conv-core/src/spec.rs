//! The playground's model: a [`LayerSpec`] for each of the nine layer types, the ranges its
//! controls offer, and the correction of any value that arrives from outside (a URL, a message) to
//! the nearest valid one, with a record of every change.

use serde::{Deserialize, Serialize};

use crate::names::named_enum;
use crate::shape::kernel_field;
use crate::{Budget, Conv2dOptions, ConvError, ConvTranspose2dOptions, Padding, PaddingMode};

named_enum! {
    /// The nine layer types of the playground: the article's eight and sub-pixel convolution.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
    pub enum LayerKind {
        #[default]
        Standard => "standard",
        Depthwise => "depthwise",
        Pointwise => "pointwise",
        Separable => "separable",
        Transposed => "transposed",
        Upsample => "upsample",
        Dilated => "dilated",
        Grouped => "grouped",
        /// Sub-pixel convolution: a convolution to `C_out·r²` channels, then
        /// `nn.PixelShuffle(r)`.
        Subpixel => "subpixel",
    }
}

impl LayerKind {
    /// Whether the "standard alternative" of [`crate::Costs`] is a different layer. Standard,
    /// pointwise and upsample + conv are compared with themselves (ratio 1); the page shows no
    /// comparison for them.
    pub const fn has_standard_alternative(self) -> bool {
        !matches!(
            self,
            LayerKind::Standard | LayerKind::Pointwise | LayerKind::Upsample
        )
    }

    /// The parameters that matter for this layer type, in the order the controls show them.
    pub fn params(self) -> &'static [Param] {
        // Long: a table, one list of parameters per layer type.
        use Param::*;
        match self {
            LayerKind::Standard => &[
                Height,
                Width,
                InChannels,
                OutChannels,
                KernelSize,
                Stride,
                Padding,
                PaddingMode,
                Bias,
            ],
            LayerKind::Depthwise => &[
                Height,
                Width,
                InChannels,
                OutChannels,
                KernelSize,
                Stride,
                Padding,
                PaddingMode,
                Bias,
            ],
            LayerKind::Pointwise => &[Height, Width, InChannels, OutChannels, Bias],
            LayerKind::Separable => &[
                Height,
                Width,
                InChannels,
                OutChannels,
                KernelSize,
                Stride,
                Padding,
                PaddingMode,
                DepthMultiplier,
                Bias,
            ],
            LayerKind::Transposed => &[
                Height,
                Width,
                InChannels,
                OutChannels,
                KernelSize,
                Stride,
                Padding,
                OutputPadding,
                Dilation,
                Bias,
            ],
            LayerKind::Upsample => &[
                Height,
                Width,
                InChannels,
                OutChannels,
                ScaleFactor,
                Mode,
                AlignCorners,
                KernelSize,
                Padding,
                PaddingMode,
                Bias,
            ],
            LayerKind::Dilated => &[
                Height,
                Width,
                InChannels,
                OutChannels,
                KernelSize,
                Dilation,
                Stride,
                Padding,
                PaddingMode,
                Bias,
            ],
            LayerKind::Grouped => &[
                Height,
                Width,
                InChannels,
                OutChannels,
                Groups,
                KernelSize,
                Stride,
                Padding,
                PaddingMode,
                Bias,
            ],
            LayerKind::Subpixel => &[
                Height,
                Width,
                InChannels,
                OutChannels,
                UpscaleFactor,
                KernelSize,
                Padding,
                PaddingMode,
                Bias,
            ],
        }
    }

    /// Whether the layer offers `param`.
    pub fn uses(self, param: Param) -> bool {
        self.params().contains(&param)
    }
}

named_enum! {
    /// One adjustable parameter; its name is the URL parameter's (after `torch.nn.Conv2d`).
    /// `ALL` is in URL order.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum Param {
        Height => "height",
        Width => "width",
        InChannels => "in_channels",
        OutChannels => "out_channels",
        KernelSize => "kernel_size",
        Stride => "stride",
        Padding => "padding",
        Dilation => "dilation",
        Groups => "groups",
        OutputPadding => "output_padding",
        ScaleFactor => "scale_factor",
        /// Sub-pixel convolution: `nn.PixelShuffle(upscale_factor)`.
        UpscaleFactor => "upscale_factor",
        DepthMultiplier => "depth_multiplier",
        Bias => "bias",
        /// Upsampling: `nearest` or `bilinear` ([`UpsampleMode`]; 0 and 1 as a number).
        Mode => "mode",
        /// Bilinear upsampling: PyTorch's `align_corners` (0 or 1).
        AlignCorners => "align_corners",
        /// What the padded cells hold: [`PaddingMode`] (`zeros`, `reflect`, `replicate`,
        /// `circular`; 0–3 as a number), as `nn.Conv2d(padding_mode=…)`. Every layer with a
        /// padding stage but the transposed one, which PyTorch allows zeros only.
        PaddingMode => "padding_mode",
    }
}

/// Padding as the UI offers it: a symmetric integer, or PyTorch's `same` / `valid`. What the
/// padded cells hold is a separate choice, [`LayerSpec::padding_mode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaddingSpec {
    Explicit(usize),
    Same,
    Valid,
}

impl Default for PaddingSpec {
    fn default() -> Self {
        PaddingSpec::Explicit(0)
    }
}

impl std::fmt::Display for PaddingSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PaddingSpec::Explicit(p) => write!(f, "{p}"),
            PaddingSpec::Same => f.write_str("same"),
            PaddingSpec::Valid => f.write_str("valid"),
        }
    }
}

named_enum! {
    /// How an upsampling layer fills the new pixels: `nn.Upsample(mode=…)`. Bilinear reads
    /// [`LayerSpec::align_corners`] (`false` by default, as in PyTorch).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
    pub enum UpsampleMode {
        #[default]
        Nearest => "nearest",
        Bilinear => "bilinear",
    }
}

/// Range limits of the controls. Values arriving from outside are clamped into these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub max_size: usize,
    pub max_channels: usize,
    pub max_kernel: usize,
    pub max_stride: usize,
    pub max_padding: usize,
    pub max_dilation: usize,
    pub max_scale: usize,
    pub max_depth_multiplier: usize,
    pub budget: Budget,
}

impl Limits {
    /// The grid input: feature maps small enough to show every value.
    pub const GRID: Limits = Limits {
        max_size: 64,
        max_channels: 64,
        max_kernel: 11,
        max_stride: 4,
        max_padding: 5,
        max_dilation: 6,
        max_scale: 4,
        max_depth_multiplier: 4,
        budget: Budget::PLAYGROUND,
    };
    /// A real image: larger maps.
    pub const IMAGE: Limits = Limits {
        max_size: 512,
        ..Limits::GRID
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::GRID
    }
}

/// One layer of the playground, with the `torch.nn.Conv2d` parameter names.
///
/// Fields a layer type does not use (see [`LayerKind::params`]) are ignored by it; use
/// [`LayerSpec::effective`] for the values a layer really computes with.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct LayerSpec {
    pub layer: LayerKind,
    pub height: usize,
    pub width: usize,
    pub in_channels: usize,
    pub out_channels: usize,
    pub kernel_size: usize,
    pub stride: usize,
    pub padding: PaddingSpec,
    pub dilation: usize,
    pub groups: usize,
    pub output_padding: usize,
    pub scale_factor: usize,
    /// Sub-pixel convolution: the factor `r` of `nn.PixelShuffle(r)`.
    pub upscale_factor: usize,
    pub depth_multiplier: usize,
    pub bias: bool,
    pub upsample_mode: UpsampleMode,
    /// Bilinear upsampling only: corner pixels of input and output aligned
    /// (`nn.Upsample(align_corners=True)`); see [`crate::bilinear_taps`].
    pub align_corners: bool,
    /// What the padding of the (spatial) convolution holds, as `nn.Conv2d(padding_mode=…)`;
    /// zeros wherever the layer has no such choice ([`LayerKind::uses`]).
    pub padding_mode: PaddingMode,
}

impl Default for LayerSpec {
    fn default() -> Self {
        LayerSpec::preset(LayerKind::Standard)
    }
}

/// A value that was changed to make a spec valid: which parameter, from the value given to the
/// value used, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub param: &'static str,
    pub from: String,
    pub to: String,
    pub reason: CorrectionReason,
}

/// Why [`LayerSpec::corrected`] changed a value, with the values that explain it. Typed so that a
/// front end can word it in the reader's language; [`Display`](std::fmt::Display) gives English
/// for logs and tests.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CorrectionReason {
    /// The value is outside the range its control offers.
    OutOfRange { min: usize, max: usize },
    /// The value must be a multiple of `param`, whose value is `of` (a depthwise layer's
    /// `out_channels` of its `in_channels`).
    NotMultipleOf { param: Param, of: usize },
    /// `groups` must divide both channel counts.
    GroupsMustDivide {
        in_channels: usize,
        out_channels: usize,
    },
    /// `ConvTranspose2d` takes an integer padding, not `same` / `valid`.
    TransposedPaddingInteger,
    /// The kernel's extent (dilation included) must fit in the padded input, `padded` pixels
    /// along the side where it did not.
    KernelLargerThanInput { padded: usize },
    /// A transposed convolution's padding left no output.
    EmptyOutput,
    /// `output_padding` must be smaller than `max(stride, dilation)`.
    OutputPaddingTooLarge { stride: usize, dilation: usize },
    /// A tensor of the layer would hold more than `limit` values (the budget).
    TooManyValues { limit: u128 },
    /// The layer would take more than `limit` multiply-accumulates (the budget).
    TooManyMacs { limit: u128 },
    /// No repair gave a valid layer: the layer type's preset was restored.
    ResetToPreset,
    /// `align_corners` applies to bilinear upsampling only (PyTorch refuses it otherwise).
    AlignCornersNeedsBilinear,
    /// A `reflect` padding must be smaller than the map it pads, a `circular` one at most as
    /// long: `max` pixels here. (An integer padding is lowered to it; `same` pads with zeros.)
    PaddingTooLargeForMode { mode: PaddingMode, max: usize },
}

impl std::fmt::Display for CorrectionReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            CorrectionReason::OutOfRange { min, max } => write!(f, "allowed range is {min}–{max}"),
            CorrectionReason::NotMultipleOf { param, of } => {
                write!(f, "must be a multiple of {} ({of})", param.name())
            }
            CorrectionReason::GroupsMustDivide {
                in_channels,
                out_channels,
            } => write!(
                f,
                "groups must divide in_channels ({in_channels}) and out_channels ({out_channels})"
            ),
            CorrectionReason::TransposedPaddingInteger => {
                f.write_str("ConvTranspose2d takes an integer padding")
            }
            CorrectionReason::KernelLargerThanInput { padded } => {
                write!(
                    f,
                    "the kernel extent must fit in the padded input ({padded})"
                )
            }
            CorrectionReason::EmptyOutput => f.write_str("the padding would leave no output"),
            CorrectionReason::OutputPaddingTooLarge { stride, dilation } => write!(
                f,
                "output_padding must be smaller than max(stride ({stride}), dilation ({dilation}))"
            ),
            CorrectionReason::TooManyValues { limit } => {
                write!(f, "a tensor would hold more than {limit} values")
            }
            CorrectionReason::TooManyMacs { limit } => {
                write!(f, "more than {limit} multiply-accumulates")
            }
            CorrectionReason::ResetToPreset => {
                f.write_str("reset to the layer's default configuration")
            }
            CorrectionReason::AlignCornersNeedsBilinear => {
                f.write_str("align_corners applies to bilinear upsampling only")
            }
            CorrectionReason::PaddingTooLargeForMode { mode, max } => {
                write!(f, "{mode} padding allows at most {max} here")
            }
        }
    }
}

impl CorrectionReason {
    /// The reason a combination error is repaired for.
    fn of_error(err: &ConvError, budget: &Budget) -> Self {
        match *err {
            ConvError::KernelLargerThanInput { padded, .. } => {
                CorrectionReason::KernelLargerThanInput { padded }
            }
            ConvError::EmptyOutput { .. } => CorrectionReason::EmptyOutput,
            ConvError::OutputPadding {
                stride, dilation, ..
            } => CorrectionReason::OutputPaddingTooLarge { stride, dilation },
            ConvError::Budget { what, limit, .. } if what == crate::options::MACS => {
                CorrectionReason::TooManyMacs { limit }
            }
            ConvError::Budget { limit, .. } => CorrectionReason::TooManyValues { limit },
            // Overflowing sizes, the only other error left once the values are clamped.
            _ => CorrectionReason::TooManyValues {
                limit: budget.max_elements,
            },
        }
    }
}

/// One step of a layer: what the forward pass runs, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// A convolution. `role` tells the part it plays in the layer.
    Conv {
        role: ConvRole,
        in_channels: usize,
        out_channels: usize,
        kernel: usize,
        options: Conv2dOptions,
    },
    /// A transposed convolution.
    ConvTranspose {
        in_channels: usize,
        out_channels: usize,
        kernel: usize,
        options: ConvTranspose2dOptions,
    },
    /// Upsampling by an integer factor.
    Upsample {
        scale: usize,
        mode: UpsampleMode,
        align_corners: bool,
    },
    /// `nn.PixelShuffle(factor)`: `(C·r², H, W)` → `(C, H·r, W·r)`.
    PixelShuffle { factor: usize },
}

/// The part a convolution plays inside a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConvRole {
    Main,
    Depthwise,
    Pointwise,
}

impl Op {
    /// The shape `(C, H, W)` this op makes of `input`, and its multiply-accumulates; every map it
    /// computes or draws is checked against `budget`.
    fn output(&self, input: [usize; 3], budget: &Budget) -> Result<([usize; 3], u128), ConvError> {
        match *self {
            Op::Conv {
                in_channels,
                out_channels,
                kernel,
                ref options,
                ..
            } => conv_output(input, [in_channels, out_channels, kernel], options, budget),
            Op::ConvTranspose {
                in_channels,
                out_channels,
                kernel,
                ref options,
            } => transposed_output(input, [in_channels, out_channels, kernel], options, budget),
            Op::Upsample { scale, .. } => Ok((upsampled(input, scale, budget)?, 0)),
            Op::PixelShuffle { factor } => {
                // The same values rearranged: only the new sizes are checked.
                let [_, h, w] = upsampled([1, input[1], input[2]], factor, budget)?;
                Ok(([input[0] / (factor * factor), h, w], 0))
            }
        }
    }
}

/// A convolution of `input` with `[C_in, C_out, k]`: its output shape and MACs; the padded map
/// (drawn too) is checked against the budget.
fn conv_output(
    input: [usize; 3],
    [in_channels, out_channels, kernel]: [usize; 3],
    options: &Conv2dOptions,
    budget: &Budget,
) -> Result<([usize; 3], u128), ConvError> {
    let g = crate::geometry::ConvGeometry::conv(
        input,
        [
            out_channels,
            in_channels / options.groups.max(1),
            kernel,
            kernel,
        ],
        None,
        options,
        budget,
    )?;
    let padding = &options.padding;
    budget.check_elements(
        "padded input elements",
        crate::shape::product(&[
            input[0],
            input[1].saturating_add(padding.top + padding.bottom),
            input[2].saturating_add(padding.left + padding.right),
        ]),
    )?;
    Ok(([out_channels, g.out_h, g.out_w], g.macs(false)))
}

/// A transposed convolution of `input` with `[C_in, C_out, k]`: its output shape and MACs. Both
/// views are computed, the scatter and the convolution over the zero-inserted map, which is the
/// larger: its MACs are the ones counted and its map is checked against the budget.
fn transposed_output(
    input: [usize; 3],
    [in_channels, out_channels, kernel]: [usize; 3],
    options: &ConvTranspose2dOptions,
    budget: &Budget,
) -> Result<([usize; 3], u128), ConvError> {
    let g = crate::geometry::ConvGeometry::conv_transpose(
        input,
        [in_channels, out_channels, kernel, kernel],
        None,
        options,
        budget,
    )?;
    let direct =
        crate::shape::product(&[g.out_h, g.out_w, out_channels, in_channels, kernel, kernel]);
    budget.check_macs(direct)?;
    let ext = kernel_field(kernel, options.dilation[0])?;
    let inserted = |len: usize, axis: usize| {
        (len - 1) * options.stride[axis] + 1 + 2 * (ext - 1) + options.output_padding[axis]
    };
    budget.check_elements(
        "zero-inserted elements",
        crate::shape::product(&[in_channels, inserted(input[1], 0), inserted(input[2], 1)]),
    )?;
    Ok(([out_channels, g.out_h, g.out_w], direct))
}

/// `input` upsampled by `scale`, checked against the budget.
fn upsampled(input: [usize; 3], scale: usize, budget: &Budget) -> Result<[usize; 3], ConvError> {
    crate::shape::nonzero("scale_factor", scale)?;
    let h = input[1].checked_mul(scale).ok_or(ConvError::Overflow {
        what: "upsampled height",
    })?;
    let w = input[2].checked_mul(scale).ok_or(ConvError::Overflow {
        what: "upsampled width",
    })?;
    budget.check_elements(
        "upsampled elements",
        crate::shape::product(&[input[0], h, w]),
    )?;
    Ok([input[0], h, w])
}

impl LayerSpec {
    /// The default configuration of each layer type: the article's example where it has one.
    pub fn preset(layer: LayerKind) -> Self {
        let base = LayerSpec {
            layer,
            height: 6,
            width: 6,
            in_channels: 3,
            out_channels: 4,
            kernel_size: 3,
            stride: 1,
            padding: PaddingSpec::Explicit(0),
            dilation: 1,
            groups: 1,
            output_padding: 0,
            scale_factor: 2,
            upscale_factor: 2,
            depth_multiplier: 1,
            bias: true,
            upsample_mode: UpsampleMode::Nearest,
            align_corners: false,
            padding_mode: PaddingMode::Zeros,
        };
        match layer {
            LayerKind::Standard => LayerSpec {
                out_channels: 16,
                ..base
            },
            LayerKind::Depthwise => LayerSpec {
                out_channels: 3,
                groups: 3,
                ..base
            },
            LayerKind::Pointwise => LayerSpec {
                kernel_size: 1,
                out_channels: 4,
                ..base
            },
            LayerKind::Separable => LayerSpec {
                out_channels: 4,
                ..base
            },
            LayerKind::Transposed => LayerSpec {
                height: 4,
                width: 4,
                in_channels: 1,
                out_channels: 1,
                stride: 2,
                padding: PaddingSpec::Explicit(1),
                output_padding: 1,
                ..base
            },
            // Sub-pixel: the same 1×4×4 → 1×8×8 as the transposed and upsampling presets.
            LayerKind::Upsample | LayerKind::Subpixel => LayerSpec {
                height: 4,
                width: 4,
                in_channels: 1,
                out_channels: 1,
                padding: PaddingSpec::Explicit(1),
                ..base
            },
            LayerKind::Dilated => LayerSpec {
                height: 7,
                width: 7,
                in_channels: 1,
                out_channels: 1,
                dilation: 2,
                ..base
            },
            LayerKind::Grouped => LayerSpec {
                in_channels: 4,
                out_channels: 8,
                groups: 2,
                ..base
            },
        }
    }

    /// The spec with every field the layer type fixes set to its implied value (pointwise: 1×1
    /// kernel; depthwise: groups = C_in; standard: dilation 1, groups 1; ...).
    pub fn effective(&self) -> LayerSpec {
        let mut s = self.clone();
        let uses = |p| self.layer.uses(p);
        if !uses(Param::Groups) {
            s.groups = 1;
        }
        if !uses(Param::Dilation) {
            s.dilation = 1;
        }
        if !uses(Param::OutputPadding) {
            s.output_padding = 0;
        }
        if !uses(Param::ScaleFactor) {
            s.scale_factor = 1;
        }
        if !uses(Param::UpscaleFactor) {
            s.upscale_factor = 1;
        }
        if !uses(Param::DepthMultiplier) {
            s.depth_multiplier = 1;
        }
        if !uses(Param::Mode) {
            s.upsample_mode = UpsampleMode::Nearest;
        }
        if !uses(Param::AlignCorners) {
            s.align_corners = false;
        }
        if !uses(Param::PaddingMode) {
            s.padding_mode = PaddingMode::Zeros;
        }
        match self.layer {
            LayerKind::Depthwise => s.groups = s.in_channels,
            LayerKind::Pointwise => {
                s.kernel_size = 1;
                s.stride = 1;
                s.padding = PaddingSpec::Explicit(0);
            }
            LayerKind::Upsample | LayerKind::Subpixel => s.stride = 1,
            _ => {}
        }
        s
    }

    /// Padding of the spatial convolution as four sides. `same` follows PyTorch for stride 1
    /// (the odd pixel goes to the bottom / right) and TensorFlow's rule for larger strides, where
    /// PyTorch refuses it; `input` is the size of the map the convolution runs over.
    pub fn padding_sides(&self, input: [usize; 2]) -> Padding {
        let e = self.effective();
        match e.padding {
            PaddingSpec::Explicit(p) => Padding::uniform(p),
            PaddingSpec::Valid => Padding::default(),
            PaddingSpec::Same => {
                let extent = (e.kernel_size.max(1) - 1)
                    .saturating_mul(e.dilation)
                    .saturating_add(1);
                let total = |len: usize| {
                    let s = e.stride.max(1);
                    let out = len.div_ceil(s);
                    out.saturating_sub(1)
                        .saturating_mul(s)
                        .saturating_add(extent)
                        .saturating_sub(len)
                };
                let (th, tw) = (total(input[0]), total(input[1]));
                Padding {
                    top: th / 2,
                    bottom: th - th / 2,
                    left: tw / 2,
                    right: tw - tw / 2,
                }
            }
        }
    }

    /// Intermediate channels of a separable layer: `C_in × depth_multiplier`.
    pub fn separable_channels(&self) -> usize {
        self.in_channels
            .saturating_mul(self.effective().depth_multiplier)
    }

    /// The operations the layer runs, in order: one arm per layer type, side by side.
    pub fn ops(&self) -> Vec<Op> {
        let e = self.effective();
        let hw = [e.height, e.width];
        let (c_in, c_out, k) = (e.in_channels, e.out_channels, e.kernel_size);
        match e.layer {
            LayerKind::Standard
            | LayerKind::Depthwise
            | LayerKind::Pointwise
            | LayerKind::Dilated
            | LayerKind::Grouped => vec![e.conv_op(
                ConvRole::Main,
                [c_in, c_out, k],
                hw,
                [e.stride, e.dilation, e.groups],
            )],
            LayerKind::Separable => {
                let mid = e.separable_channels();
                vec![
                    e.conv_op(ConvRole::Depthwise, [c_in, mid, k], hw, [e.stride, 1, c_in]),
                    e.conv_op(ConvRole::Pointwise, [mid, c_out, 1], hw, [1, 1, 1]),
                ]
            }
            LayerKind::Transposed => vec![e.transposed_op()],
            LayerKind::Upsample => {
                let up = hw.map(|len| len.saturating_mul(e.scale_factor));
                vec![
                    Op::Upsample {
                        scale: e.scale_factor,
                        mode: e.upsample_mode,
                        align_corners: e.align_corners,
                    },
                    e.conv_op(ConvRole::Main, [c_in, c_out, k], up, [1, 1, 1]),
                ]
            }
            LayerKind::Subpixel => {
                let r = e.upscale_factor;
                vec![
                    e.conv_op(
                        ConvRole::Main,
                        [c_in, c_out.saturating_mul(r.saturating_mul(r)), k],
                        hw,
                        [1, 1, 1],
                    ),
                    Op::PixelShuffle { factor: r },
                ]
            }
        }
    }

    /// A convolution of this (effective) spec: `[C_in, C_out, k]` over a map of size `input`
    /// with `[stride, dilation, groups]`; padded as the spec says, except a 1×1 pointwise stage.
    fn conv_op(
        &self,
        role: ConvRole,
        [in_channels, out_channels, kernel]: [usize; 3],
        input: [usize; 2],
        [stride, dilation, groups]: [usize; 3],
    ) -> Op {
        let (padding, padding_mode) = if kernel == 1 && role == ConvRole::Pointwise {
            (Padding::default(), PaddingMode::Zeros)
        } else {
            (self.padding_sides(input), self.padding_mode)
        };
        Op::Conv {
            role,
            in_channels,
            out_channels,
            kernel,
            options: Conv2dOptions {
                stride: [stride, stride],
                padding,
                dilation: [dilation, dilation],
                groups,
                padding_mode,
            },
        }
    }

    /// The transposed convolution of this (effective) spec; `same` and `valid` (refused by
    /// [`LayerSpec::shapes`]) count as no padding.
    fn transposed_op(&self) -> Op {
        let p = match self.padding {
            PaddingSpec::Explicit(p) => p,
            _ => 0,
        };
        Op::ConvTranspose {
            in_channels: self.in_channels,
            out_channels: self.out_channels,
            kernel: self.kernel_size,
            options: ConvTranspose2dOptions {
                stride: [self.stride, self.stride],
                padding: Padding::uniform(p),
                output_padding: [self.output_padding, self.output_padding],
                dilation: [self.dilation, self.dilation],
                groups: 1,
            },
        }
    }

    /// Checks the spec against the conventions and `budget`; returns the shape `(C, H, W)` after
    /// each op.
    ///
    /// **Errors** with the first [`ConvError`] that any op raises.
    pub fn shapes(&self, budget: &Budget) -> Result<Vec<[usize; 3]>, ConvError> {
        let e = self.effective();
        e.check_input(budget)?;
        let mut shape = [e.in_channels, e.height, e.width];
        let mut out = Vec::new();
        let mut macs = 0u128;
        for op in self.ops() {
            let (next, op_macs) = op.output(shape, budget)?;
            macs = macs.saturating_add(op_macs);
            shape = next;
            out.push(shape);
        }
        budget.check_macs(macs)?;
        Ok(out)
    }

    /// The checks of an effective spec before any op runs: sizes above zero, a depthwise `C_out`
    /// that is a multiple of `C_in`, a number as a transposed layer's padding, the input within
    /// `budget`.
    fn check_input(&self, budget: &Budget) -> Result<(), ConvError> {
        crate::shape::nonzero("in_channels", self.in_channels)?;
        crate::shape::nonzero("out_channels", self.out_channels)?;
        crate::shape::nonzero("height", self.height)?;
        crate::shape::nonzero("width", self.width)?;
        if self.layer == LayerKind::Depthwise && self.out_channels % self.in_channels != 0 {
            return Err(ConvError::DepthwiseMultiple {
                in_channels: self.in_channels,
                out_channels: self.out_channels,
            });
        }
        if self.layer == LayerKind::Transposed && !matches!(self.padding, PaddingSpec::Explicit(_))
        {
            return Err(ConvError::OutOfRange {
                name: "transposed padding (same / valid)",
                value: 0,
                min: 0,
                max: 0,
            });
        }
        budget.check_elements(
            "input elements",
            crate::shape::product(&[self.in_channels, self.height, self.width]),
        )
    }

    /// The output shape `(C_out, H_out, W_out)`.
    ///
    /// **Errors** as [`LayerSpec::shapes`].
    pub fn output_shape(&self, budget: &Budget) -> Result<[usize; 3], ConvError> {
        self.shapes(budget)
            .map(|s| *s.last().expect("every layer has at least one op"))
    }

    /// The values `groups` can take for the current channel counts: the common divisors of
    /// `in_channels` and `out_channels`, ascending (1 = standard; C_in = depthwise, when it
    /// divides C_out).
    pub fn valid_groups(&self) -> Vec<usize> {
        let (a, b) = (self.in_channels.max(1), self.out_channels.max(1));
        (1..=a.min(b))
            .filter(|g| a % g == 0 && b % g == 0)
            .collect()
    }

    /// The valid `groups` closest to the current value (the smaller one on a tie).
    pub fn nearest_valid_groups(&self) -> usize {
        *self
            .valid_groups()
            .iter()
            .min_by_key(|&&g| (g.abs_diff(self.groups), g))
            .unwrap_or(&1)
    }

    /// The inclusive range a control offers for `param` under `limits`, given the other values:
    /// only values for which the whole layer stays valid and within the budget, so a slider can
    /// never reach a contradiction (a height below the kernel's extent, a kernel larger than the
    /// padded input, sizes beyond the budget). Channel counts keep their plain ranges: their
    /// relations (groups, depthwise multiples) are repaired by [`LayerSpec::corrected`]. Falls back
    /// to the plain range when the other values are themselves invalid.
    pub fn range(&self, param: Param, limits: &Limits) -> (usize, usize) {
        let (lo, hi) = self.static_range(param, limits);
        let scanned = matches!(
            param,
            Param::Height
                | Param::Width
                | Param::KernelSize
                | Param::Stride
                | Param::Padding
                | Param::Dilation
                | Param::ScaleFactor
                | Param::UpscaleFactor
        ) && self.layer.uses(param);
        if scanned && lo <= hi {
            let ok = |v: usize| {
                let mut s = self.clone();
                s.set(param, v);
                s.shapes(&limits.budget).is_ok()
            };
            if let (Some(a), Some(b)) =
                ((lo..=hi).find(|&v| ok(v)), (lo..=hi).rev().find(|&v| ok(v)))
            {
                return (a, b);
            }
        }
        (lo, hi)
    }

    /// Sets one numeric parameter (`Bias`: non-zero is on; `Padding`: an explicit padding).
    pub fn set(&mut self, param: Param, v: usize) {
        match param {
            Param::Height => self.height = v,
            Param::Width => self.width = v,
            Param::InChannels => self.in_channels = v,
            Param::OutChannels => self.out_channels = v,
            Param::KernelSize => self.kernel_size = v,
            Param::Stride => self.stride = v,
            Param::Padding => self.padding = PaddingSpec::Explicit(v),
            Param::Dilation => self.dilation = v,
            Param::Groups => self.groups = v,
            Param::OutputPadding => self.output_padding = v,
            Param::ScaleFactor => self.scale_factor = v,
            Param::UpscaleFactor => self.upscale_factor = v,
            Param::DepthMultiplier => self.depth_multiplier = v,
            Param::Bias => self.bias = v != 0,
            Param::Mode => {
                self.upsample_mode = UpsampleMode::ALL[v.min(UpsampleMode::ALL.len() - 1)]
            }
            Param::AlignCorners => self.align_corners = v != 0,
            Param::PaddingMode => {
                self.padding_mode = PaddingMode::ALL[v.min(PaddingMode::ALL.len() - 1)]
            }
        }
    }

    /// The current value of one numeric parameter (`Padding`: the explicit padding, else 0).
    pub fn get(&self, param: Param) -> usize {
        match param {
            Param::Height => self.height,
            Param::Width => self.width,
            Param::InChannels => self.in_channels,
            Param::OutChannels => self.out_channels,
            Param::KernelSize => self.kernel_size,
            Param::Stride => self.stride,
            Param::Padding => match self.padding {
                PaddingSpec::Explicit(p) => p,
                _ => 0,
            },
            Param::Dilation => self.dilation,
            Param::Groups => self.groups,
            Param::OutputPadding => self.output_padding,
            Param::ScaleFactor => self.scale_factor,
            Param::UpscaleFactor => self.upscale_factor,
            Param::DepthMultiplier => self.depth_multiplier,
            Param::Bias => self.bias as usize,
            Param::Mode => self.upsample_mode as usize,
            Param::AlignCorners => self.align_corners as usize,
            Param::PaddingMode => self.padding_mode as usize,
        }
    }

    /// The range of a control from `limits` and the channel relations alone.
    fn static_range(&self, param: Param, limits: &Limits) -> (usize, usize) {
        let e = self.effective();
        match param {
            Param::Height | Param::Width => (1, limits.max_size),
            Param::InChannels => (1, limits.max_channels),
            Param::OutChannels => match e.layer {
                LayerKind::Depthwise => (
                    e.in_channels.min(limits.max_channels),
                    (limits.max_channels / e.in_channels.max(1)).max(1)
                        * e.in_channels.min(limits.max_channels),
                ),
                _ => (1, limits.max_channels),
            },
            Param::KernelSize => (1, limits.max_kernel),
            Param::Stride => (1, limits.max_stride),
            Param::Padding => (0, limits.max_padding),
            Param::Dilation => (1, limits.max_dilation),
            Param::Groups => {
                let v = self.valid_groups();
                (v[0], *v.last().unwrap_or(&1))
            }
            Param::OutputPadding => (
                0,
                e.stride
                    .max(e.dilation)
                    .clamp(1, limits.max_stride.max(limits.max_dilation))
                    - 1,
            ),
            Param::ScaleFactor | Param::UpscaleFactor => (1, limits.max_scale),
            Param::DepthMultiplier => (1, limits.max_depth_multiplier),
            Param::Bias | Param::AlignCorners => (0, 1),
            Param::Mode => (0, UpsampleMode::ALL.len() - 1),
            Param::PaddingMode => (0, PaddingMode::ALL.len() - 1),
        }
    }

    /// The nearest valid spec under `limits`, and what was changed to get there.
    ///
    /// Clamps every value into its control's range, then repairs the combinations: groups to the
    /// nearest common divisor, a depthwise `out_channels` to a multiple of `in_channels`,
    /// `output_padding` below `max(stride, dilation)`, a kernel that does not fit the padded input,
    /// and sizes beyond the budget. Never fails: the result always passes [`LayerSpec::shapes`].
    ///
    /// The corrections hold one entry per parameter, in the order the parameters were first
    /// changed: from the value given to the value used, with the reason of the **last** change,
    /// the one that decided the value used (`kernel_size` 99 → 6 because a 7×7 kernel did not
    /// fit a 6×6 input, not because 99 was above 11). A parameter changed and then changed back
    /// has no entry.
    pub fn corrected(&self, limits: &Limits) -> (LayerSpec, Vec<Correction>) {
        let (s, steps) = self.correction_steps(limits);
        (s, merge_corrections(steps))
    }

    /// [`LayerSpec::corrected`] with every step of the repair, in order.
    fn correction_steps(&self, limits: &Limits) -> (LayerSpec, Vec<Correction>) {
        let mut repair = Repair {
            spec: self.clone(),
            notes: Vec::new(),
            limits,
        };
        repair.clamp_to_ranges();
        repair.repair_relations();
        repair.shrink_to_fit();
        repair.reset_if_invalid();
        (repair.spec, repair.notes)
    }

    /// A parameter's value as a URL writes it (`same` for a padding mode).
    fn value_text(&self, param: Param) -> String {
        match param {
            Param::Padding => self.padding.to_string(),
            Param::Mode => self.upsample_mode.name().to_string(),
            Param::PaddingMode => self.padding_mode.name().to_string(),
            _ => self.get(param).to_string(),
        }
    }
}

/// A spec being corrected, and the corrections made so far in the order they are made.
struct Repair<'a> {
    spec: LayerSpec,
    notes: Vec<Correction>,
    limits: &'a Limits,
}

impl Repair<'_> {
    fn note(&mut self, param: Param, from: String, to: String, reason: CorrectionReason) {
        self.notes.push(Correction {
            param: param.name(),
            from,
            to,
            reason,
        });
    }

    /// Sets a numeric parameter (`Padding`: an explicit padding) and notes the change.
    fn fix(&mut self, param: Param, value: usize, reason: CorrectionReason) {
        let from = self.spec.value_text(param);
        self.spec.set(param, value);
        let to = self.spec.value_text(param);
        self.note(param, from, to, reason);
    }

    /// Like [`Repair::fix`], when the value changes.
    fn set(&mut self, param: Param, value: usize, reason: CorrectionReason) {
        if self.spec.get(param) != value {
            self.fix(param, value, reason);
        }
    }

    /// A parameter within the range `limits` and the channel relations give it.
    fn clamp(&mut self, param: Param) {
        let (lo, hi) = self.spec.static_range(param, self.limits);
        let value = self.spec.get(param).clamp(lo, hi);
        self.set(
            param,
            value,
            CorrectionReason::OutOfRange { min: lo, max: hi },
        );
    }

    /// Phase 1: every size within its range; a depthwise layer's output channels a multiple of
    /// its input channels.
    fn clamp_to_ranges(&mut self) {
        for param in [
            Param::Height,
            Param::Width,
            Param::InChannels,
            Param::KernelSize,
            Param::Stride,
            Param::Dilation,
            Param::ScaleFactor,
            Param::UpscaleFactor,
            Param::DepthMultiplier,
        ] {
            self.clamp(param);
        }
        if self.spec.layer == LayerKind::Depthwise {
            let c = self.spec.in_channels;
            let (lo, hi) = self.spec.static_range(Param::OutChannels, self.limits);
            // hi is a multiple of c: clamp first, then round up within it.
            let rounded = (self.spec.out_channels.clamp(lo, hi).div_ceil(c) * c).min(hi);
            let reason = CorrectionReason::NotMultipleOf {
                param: Param::InChannels,
                of: c,
            };
            self.set(Param::OutChannels, rounded, reason);
        } else {
            self.clamp(Param::OutChannels);
        }
    }

    /// Phase 2: the values that depend on others: groups divide both channel counts, the output
    /// padding stays below the stride or dilation, the padding within its limit (and a number for
    /// a transposed layer).
    fn repair_relations(&mut self) {
        if self.spec.layer.uses(Param::Groups) {
            self.regroup();
        }
        if self.spec.layer.uses(Param::OutputPadding) {
            self.clamp(Param::OutputPadding);
        }
        if self.spec.layer.uses(Param::AlignCorners)
            && self.spec.align_corners
            && self.spec.upsample_mode != UpsampleMode::Bilinear
        {
            self.fix(
                Param::AlignCorners,
                0,
                CorrectionReason::AlignCornersNeedsBilinear,
            );
        }
        match self.spec.padding {
            PaddingSpec::Explicit(p) => {
                let max = self.limits.max_padding;
                if p > max {
                    self.fix(
                        Param::Padding,
                        max,
                        CorrectionReason::OutOfRange { min: 0, max },
                    );
                }
            }
            mode if self.spec.layer == LayerKind::Transposed => {
                let to = PaddingSpec::Explicit(0);
                let reason = CorrectionReason::TransposedPaddingInteger;
                self.note(Param::Padding, mode.to_string(), to.to_string(), reason);
                self.spec.padding = to;
            }
            _ => {}
        }
    }

    /// Groups at the nearest value that divides both channel counts.
    fn regroup(&mut self) {
        let nearest = self.spec.nearest_valid_groups();
        let reason = CorrectionReason::GroupsMustDivide {
            in_channels: self.spec.in_channels,
            out_channels: self.spec.out_channels,
        };
        self.set(Param::Groups, nearest, reason);
    }

    /// Phase 3, combinations: shrink what makes the layer impossible until it is valid.
    fn shrink_to_fit(&mut self) {
        for _ in 0..64 {
            let Err(err) = self.spec.shapes(&self.limits.budget) else {
                return;
            };
            let reason = CorrectionReason::of_error(&err, &self.limits.budget);
            match err {
                ConvError::KernelLargerThanInput { .. } | ConvError::EmptyOutput { .. } => {
                    if !self.shrink_window(reason) {
                        return;
                    }
                }
                ConvError::OutputPadding { .. } => {
                    let v = self.spec.range(Param::OutputPadding, self.limits).1;
                    self.fix(Param::OutputPadding, v, reason);
                }
                ConvError::PaddingTooLarge { mode, max, .. } => {
                    let reason = CorrectionReason::PaddingTooLargeForMode { mode, max };
                    match self.spec.padding {
                        PaddingSpec::Explicit(p) if p > max => {
                            self.fix(Param::Padding, max, reason)
                        }
                        _ => self.fix(Param::PaddingMode, PaddingMode::Zeros as usize, reason),
                    }
                }
                // Over budget (or anything else).
                _ => self.halve_largest(reason),
            }
        }
    }

    /// One step smaller: the dilation, else the kernel, else the padding; false if none can be.
    fn shrink_window(&mut self, reason: CorrectionReason) -> bool {
        let e = self.spec.effective();
        if e.dilation > 1 {
            self.fix(Param::Dilation, self.spec.dilation - 1, reason);
        } else if e.kernel_size > 1 {
            self.fix(Param::KernelSize, self.spec.kernel_size - 1, reason);
        } else if let PaddingSpec::Explicit(p @ 1..) = self.spec.padding {
            self.fix(Param::Padding, p - 1, reason);
        } else {
            return false;
        }
        true
    }

    /// Halves the largest of the sizes; groups follow the channel counts.
    fn halve_largest(&mut self, reason: CorrectionReason) {
        let e = self.spec.effective();
        let candidates = [
            (Param::Height, e.height),
            (Param::Width, e.width),
            (Param::OutChannels, e.out_channels),
            (Param::InChannels, e.in_channels),
        ];
        let (param, _) = candidates
            .into_iter()
            .max_by_key(|&(_, v)| v)
            .expect("four candidates");
        match param {
            Param::Height => self.fix(param, (e.height / 2).max(1), reason),
            Param::Width => self.fix(param, (e.width / 2).max(1), reason),
            Param::OutChannels if self.spec.layer != LayerKind::Depthwise => {
                self.fix(param, (e.out_channels / 2).max(1), reason);
            }
            _ => {
                // Halve the input channels; a depthwise layer keeps its multiplier.
                let mult = (self.spec.out_channels / self.spec.in_channels.max(1)).max(1);
                let c = (e.in_channels / 2).max(1);
                self.fix(Param::InChannels, c, reason);
                if self.spec.layer == LayerKind::Depthwise {
                    self.fix(Param::OutChannels, c * mult, reason);
                }
            }
        }
        // Channel counts changed: keep groups at the nearest value that divides both.
        if self.spec.layer.uses(Param::Groups) {
            self.regroup();
        }
    }

    /// Phase 4: if nothing above repaired it, the layer's preset, which is always valid.
    fn reset_if_invalid(&mut self) {
        if self.spec.shapes(&self.limits.budget).is_ok() {
            return;
        }
        let preset = LayerSpec::preset(self.spec.layer);
        for &param in self.spec.layer.params() {
            let (from, to) = (self.spec.value_text(param), preset.value_text(param));
            if from != to {
                self.note(param, from, to, CorrectionReason::ResetToPreset);
            }
        }
        self.spec = preset;
    }
}

/// One correction per parameter: from its first value to its last, with the last reason; in the
/// order the parameters first appear; parameters back at their first value dropped.
fn merge_corrections(steps: Vec<Correction>) -> Vec<Correction> {
    let mut merged: Vec<Correction> = Vec::new();
    for step in steps {
        match merged.iter_mut().find(|m| m.param == step.param) {
            Some(m) => {
                m.to = step.to;
                m.reason = step.reason;
            }
            None => merged.push(step),
        }
    }
    merged.retain(|m| m.from != m.to);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn correction(
        param: &'static str,
        from: &str,
        to: &str,
        reason: CorrectionReason,
    ) -> Correction {
        Correction {
            param,
            from: from.into(),
            to: to.into(),
            reason,
        }
    }

    #[test]
    fn one_correction_per_parameter_from_the_value_given_to_the_value_used() {
        // ?layer=grouped&in_channels=6&out_channels=8&groups=4&kernel_size=99
        let spec = LayerSpec {
            in_channels: 6,
            out_channels: 8,
            groups: 4,
            kernel_size: 99,
            ..LayerSpec::preset(LayerKind::Grouped)
        };
        let (fixed, notes) = spec.corrected(&Limits::GRID);
        assert_eq!((fixed.kernel_size, fixed.groups), (6, 2));
        // 99 was clamped to 11 and then shrunk step by step to fit the 6×6 input: one entry,
        // with the reason that decided the 6.
        assert_eq!(
            notes,
            [
                correction(
                    "kernel_size",
                    "99",
                    "6",
                    CorrectionReason::KernelLargerThanInput { padded: 6 }
                ),
                correction(
                    "groups",
                    "4",
                    "2",
                    CorrectionReason::GroupsMustDivide {
                        in_channels: 6,
                        out_channels: 8
                    }
                ),
            ]
        );
    }

    #[test]
    fn every_kind_of_repair_has_its_typed_reason() {
        // Long: a table of one case per kind of repair, read top to bottom.
        let cases = [
            (
                LayerSpec {
                    height: 500,
                    ..LayerSpec::preset(LayerKind::Standard)
                },
                correction(
                    "height",
                    "500",
                    "64",
                    CorrectionReason::OutOfRange { min: 1, max: 64 },
                ),
            ),
            (
                LayerSpec {
                    in_channels: 3,
                    out_channels: 4,
                    ..LayerSpec::preset(LayerKind::Depthwise)
                },
                correction(
                    "out_channels",
                    "4",
                    "6",
                    CorrectionReason::NotMultipleOf {
                        param: Param::InChannels,
                        of: 3,
                    },
                ),
            ),
            (
                LayerSpec {
                    padding: PaddingSpec::Same,
                    ..LayerSpec::preset(LayerKind::Transposed)
                },
                correction(
                    "padding",
                    "same",
                    "0",
                    CorrectionReason::TransposedPaddingInteger,
                ),
            ),
            (
                // The dilation shrinks to 1 to give the transposed layer an output; the output
                // padding of 1 is then no longer below max(stride, dilation).
                LayerSpec {
                    height: 1,
                    width: 1,
                    padding: PaddingSpec::Explicit(5),
                    stride: 1,
                    dilation: 2,
                    output_padding: 1,
                    ..LayerSpec::preset(LayerKind::Transposed)
                },
                correction(
                    "output_padding",
                    "1",
                    "0",
                    CorrectionReason::OutputPaddingTooLarge {
                        stride: 1,
                        dilation: 1,
                    },
                ),
            ),
            (
                LayerSpec {
                    height: 1,
                    width: 1,
                    padding: PaddingSpec::Explicit(5),
                    ..LayerSpec::preset(LayerKind::Transposed)
                },
                correction("padding", "5", "0", CorrectionReason::EmptyOutput),
            ),
            (
                LayerSpec {
                    height: 64,
                    width: 64,
                    in_channels: 64,
                    out_channels: 64,
                    kernel_size: 11,
                    padding: PaddingSpec::Explicit(5),
                    ..LayerSpec::preset(LayerKind::Standard)
                },
                correction(
                    "in_channels",
                    "64",
                    "32",
                    CorrectionReason::TooManyValues {
                        limit: Budget::PLAYGROUND.max_elements,
                    },
                ),
            ),
        ];
        for (spec, expected) in cases {
            let (fixed, notes) = spec.corrected(&Limits::GRID);
            assert!(fixed.shapes(&Budget::PLAYGROUND).is_ok(), "{spec:?}");
            assert!(notes.contains(&expected), "{spec:?}: {notes:?}");
            let mut params: Vec<_> = notes.iter().map(|n| n.param).collect();
            params.sort_unstable();
            params.dedup();
            assert_eq!(
                params.len(),
                notes.len(),
                "one entry per parameter: {notes:?}"
            );
        }
    }

    #[test]
    fn merged_corrections_keep_the_first_value_the_last_value_and_reason() {
        let steps = vec![
            correction("a", "1", "2", CorrectionReason::EmptyOutput),
            correction("b", "5", "4", CorrectionReason::EmptyOutput),
            correction("a", "2", "3", CorrectionReason::ResetToPreset),
            correction("b", "4", "5", CorrectionReason::EmptyOutput),
        ];
        assert_eq!(
            merge_corrections(steps),
            [correction("a", "1", "3", CorrectionReason::ResetToPreset)],
            "b went back to its value: no entry"
        );
    }

    #[test]
    fn reasons_read_in_english_for_logs() {
        assert_eq!(
            CorrectionReason::OutOfRange { min: 1, max: 11 }.to_string(),
            "allowed range is 1–11"
        );
        assert_eq!(
            CorrectionReason::GroupsMustDivide {
                in_channels: 6,
                out_channels: 8
            }
            .to_string(),
            "groups must divide in_channels (6) and out_channels (8)"
        );
    }
}
