//! Options of the tensor operations, with PyTorch's defaults.

use serde::{Deserialize, Serialize};

use crate::PaddingMode;

/// Padding of the four sides, in ONNX order: top, left, bottom, right (zeros unless a
/// [`PaddingMode`] says otherwise).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Padding {
    pub top: usize,
    pub left: usize,
    pub bottom: usize,
    pub right: usize,
}

impl Padding {
    /// The same padding on every side, as `torch.nn.Conv2d(padding=p)` applies it.
    pub const fn uniform(p: usize) -> Self {
        Padding {
            top: p,
            left: p,
            bottom: p,
            right: p,
        }
    }

    /// `(before, after)` along an axis: 0 = height, 1 = width.
    pub const fn axis(&self, axis: usize) -> (usize, usize) {
        if axis == 0 {
            (self.top, self.bottom)
        } else {
            (self.left, self.right)
        }
    }
}

/// Options of [`crate::conv2d`] (`torch.nn.functional.conv2d`, and `torch.nn.Conv2d`'s
/// `padding_mode`: the input is padded by `padding_mode`, then convolved without padding).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Conv2dOptions {
    pub stride: [usize; 2],
    pub padding: Padding,
    pub dilation: [usize; 2],
    pub groups: usize,
    #[serde(default)]
    pub padding_mode: PaddingMode,
}

impl Default for Conv2dOptions {
    fn default() -> Self {
        Conv2dOptions {
            stride: [1, 1],
            padding: Padding::default(),
            dilation: [1, 1],
            groups: 1,
            padding_mode: PaddingMode::Zeros,
        }
    }
}

/// Options of [`crate::conv_transpose2d`] (`torch.nn.functional.conv_transpose2d`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConvTranspose2dOptions {
    pub stride: [usize; 2],
    pub padding: Padding,
    pub output_padding: [usize; 2],
    pub dilation: [usize; 2],
    pub groups: usize,
}

impl Default for ConvTranspose2dOptions {
    fn default() -> Self {
        ConvTranspose2dOptions {
            stride: [1, 1],
            padding: Padding::default(),
            output_padding: [0, 0],
            dilation: [1, 1],
            groups: 1,
        }
    }
}

/// The `what` of a [`crate::ConvError::Budget`] on multiply-accumulates.
pub(crate) const MACS: &str = "multiply-accumulates";

/// Upper bounds on what one computation may allocate and compute, so that no input, however it
/// arrives, can make the page allocate gigabytes or run for minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    /// Most elements in any one tensor (input, stage or output).
    pub max_elements: u128,
    /// Most multiply-accumulates of one operation.
    pub max_macs: u128,
}

impl Budget {
    /// Generous limits for the plain tensor operations (about 1 GiB of `f32` per tensor).
    pub const OPERATIONS: Budget = Budget {
        max_elements: 1 << 28,
        max_macs: 1 << 36,
    };
    /// The playground's limits: every slider position stays interactive.
    pub const PLAYGROUND: Budget = Budget {
        max_elements: 1 << 24,
        max_macs: 1 << 32,
    };

    /// **Errors** with [`crate::ConvError::Budget`] if `elements` is above the limit.
    pub fn check_elements(
        &self,
        what: &'static str,
        elements: u128,
    ) -> Result<(), crate::ConvError> {
        if elements > self.max_elements {
            return Err(crate::ConvError::Budget {
                what,
                value: elements,
                limit: self.max_elements,
            });
        }
        Ok(())
    }

    /// **Errors** with [`crate::ConvError::Budget`] if `macs` is above the limit.
    pub fn check_macs(&self, macs: u128) -> Result<(), crate::ConvError> {
        if macs > self.max_macs {
            return Err(crate::ConvError::Budget {
                what: MACS,
                value: macs,
                limit: self.max_macs,
            });
        }
        Ok(())
    }
}

impl Default for Budget {
    fn default() -> Self {
        Budget::OPERATIONS
    }
}
