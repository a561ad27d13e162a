//! Typed errors: every rejection names the values that caused it.

use thiserror::Error;

use crate::PaddingMode;

/// Why an operation or a layer specification was rejected.
///
/// Every variant carries the offending values so that a message can be shown to a reader as is.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConvError {
    /// A size that must be at least 1 was 0.
    #[error("{name} must be at least 1 (got 0)")]
    ZeroSize { name: &'static str },

    /// `groups` does not divide a channel count.
    #[error("groups ({groups}) must divide {name} ({channels})")]
    GroupsDoNotDivide {
        groups: usize,
        name: &'static str,
        channels: usize,
    },

    /// A depthwise layer needs an output channel count that is a multiple of the input's.
    #[error(
        "depthwise out_channels ({out_channels}) must be a multiple of in_channels ({in_channels})"
    )]
    DepthwiseMultiple {
        in_channels: usize,
        out_channels: usize,
    },

    /// The weight tensor does not have the shape the options and the input imply.
    #[error("weight shape {actual:?} does not match the expected {expected:?}")]
    WeightShape {
        expected: [usize; 4],
        actual: [usize; 4],
    },

    /// An output buffer has the wrong length.
    #[error("output buffer has {actual} elements, expected {expected}")]
    OutputShape { expected: usize, actual: usize },

    /// The bias has the wrong length.
    #[error("bias length ({actual}) must equal out_channels ({expected})")]
    BiasShape { expected: usize, actual: usize },

    /// The dilated kernel is larger than the padded input along an axis.
    #[error(
        "kernel extent (({kernel} - 1) * {dilation} + 1 = {extent}) is larger than the padded {axis} ({padded})"
    )]
    KernelLargerThanInput {
        axis: &'static str,
        kernel: usize,
        dilation: usize,
        extent: usize,
        padded: usize,
    },

    /// A transposed convolution with too much padding has no output left.
    #[error("transposed convolution output {axis} would be {value} (padding too large)")]
    EmptyOutput { axis: &'static str, value: i128 },

    /// `output_padding` must be smaller than `max(stride, dilation)`.
    #[error("output_padding ({output_padding}) must be smaller than max(stride ({stride}), dilation ({dilation}))")]
    OutputPadding {
        output_padding: usize,
        stride: usize,
        dilation: usize,
    },

    /// A reflect padding must be smaller than the input along its axis, a circular one at most as
    /// long (PyTorch refuses more): `max` is the largest padding the mode allows there.
    #[error("{mode} padding ({padding}) along the {axis} must be at most {max} for an input {axis} of {len}")]
    PaddingTooLarge {
        mode: PaddingMode,
        axis: &'static str,
        padding: usize,
        len: usize,
        max: usize,
    },

    /// Pixel shuffle needs a channel count divisible by the square of the upscale factor.
    #[error(
        "channels ({channels}) must be divisible by upscale_factor² ({upscale_factor}² = {square})"
    )]
    PixelShuffleChannels {
        channels: usize,
        upscale_factor: usize,
        square: usize,
    },

    /// Shape arithmetic overflowed `usize`.
    #[error("the size of {what} overflows")]
    Overflow { what: &'static str },

    /// A tensor or a computation would exceed the configured budget.
    #[error("{what} ({value}) exceeds the budget ({limit})")]
    Budget {
        what: &'static str,
        value: u128,
        limit: u128,
    },

    /// A value is outside the range an operation accepts.
    #[error("{name} ({value}) is out of range {min}..={max}")]
    OutOfRange {
        name: &'static str,
        value: i128,
        min: i128,
        max: i128,
    },

    /// Image bytes do not match the stated dimensions.
    #[error("image data has {actual} bytes, expected {expected} ({width}×{height}×4)")]
    ImageData {
        width: usize,
        height: usize,
        expected: usize,
        actual: usize,
    },
}
