//! # conv-core
//!
//! Every number and pixel of Conv Playground: the tensor operations (`conv2d` with its padding
//! modes, `pad`, `conv_transpose2d`, upsampling, `pixel_shuffle`) with PyTorch semantics, a naive
//! [`reference`] to check them against, the playground's model of nine layer types
//! ([`LayerSpec`]) with shapes, costs, formulas, stages, contributions, animation steps, the
//! overlap map and the backward pass, and [`stack`]s of layers with their costs, receptive fields
//! and traced footprints.
//!
//! Tensors are `(C, H, W)`; weights use PyTorch layouts. This crate knows nothing of the web.

mod backward;
pub mod benchmarks;
mod cost;
mod error;
mod forward;
pub mod geometry;
mod init;
mod names;
mod ops;
mod options;
mod pad;
mod padding_mode;
pub mod reference;
pub mod shape;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd;
mod spec;
pub mod stack;
mod stack_text;

pub use cost::{Costs, Formula};
pub use error::ConvError;
pub use forward::{
    Cell, CellRef, Contribution, ConvView, ConvWeights, Evenness, Forward, Interpolation,
    LayerWeights, Stage, StageKind, Stamp, Step,
};
pub use init::{input_from_rgba, resize_rgba, InputPattern, KernelPreset, SeededRng};
pub use ops::{
    bilinear_mix, bilinear_taps, conv2d, conv2d_into, conv2d_with_budget, conv_transpose2d,
    conv_transpose2d_with_budget, pixel_shuffle, upsample_bilinear, upsample_nearest,
    upsample_nearest_into, Workspace,
};
pub use options::{Budget, Conv2dOptions, ConvTranspose2dOptions, Padding};
pub use pad::{check_padding_mode, pad, pad_source, pad_with_budget};
pub use padding_mode::PaddingMode;
pub use spec::{
    ConvRole, Correction, CorrectionReason, LayerKind, LayerSpec, Limits, Op, PaddingSpec, Param,
    UpsampleMode,
};
pub use stack_text::TextError;
