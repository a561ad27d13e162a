//! Validation shared by the operations: the geometry of one (transposed) convolution, derived once
//! from the input, weight and options, with every check done.

use crate::shape::{check_groups, conv_output_len, conv_transpose_output_len, nonzero, product};
use crate::{Budget, Conv2dOptions, ConvError, ConvTranspose2dOptions, Padding, PaddingMode};

/// Everything the loops of one convolution need, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvGeometry {
    pub in_channels: usize,
    pub in_h: usize,
    pub in_w: usize,
    pub out_channels: usize,
    pub out_h: usize,
    pub out_w: usize,
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub dilation: [usize; 2],
    pub padding: Padding,
    pub output_padding: [usize; 2],
    pub groups: usize,
    pub in_per_group: usize,
    pub out_per_group: usize,
}

impl ConvGeometry {
    /// The input row that kernel row `ky` reads for output row `oy`; `None` when it falls in
    /// the padding.
    #[inline]
    pub(crate) fn tap_row(&self, oy: usize, ky: usize) -> Option<usize> {
        (oy * self.stride[0] + ky * self.dilation[0])
            .checked_sub(self.padding.top)
            .filter(|&iy| iy < self.in_h)
    }

    /// The output columns `first..end` whose kernel column `kx` reads inside the input (not the
    /// padding): `0 <= ox·s + kx·d − pad_left < W`.
    #[inline]
    pub(crate) fn tap_cols(&self, kx: usize) -> (usize, usize) {
        let s = self.stride[1];
        let offset = kx * self.dilation[1];
        let first = self.padding.left.saturating_sub(offset).div_ceil(s);
        let limit = self.in_w + self.padding.left; // ox·s + offset < limit
        let end = if limit > offset {
            (limit - offset).div_ceil(s)
        } else {
            0
        };
        let end = end.min(self.out_w);
        (first.min(end), end)
    }

    /// Multiply-accumulates of the layer as docs/CONVENTIONS.md counts them.
    pub fn macs(&self, transposed: bool) -> u128 {
        if transposed {
            product(&[
                self.in_h,
                self.in_w,
                self.in_channels,
                self.out_per_group,
                self.kernel[0],
                self.kernel[1],
            ])
        } else {
            product(&[
                self.out_h,
                self.out_w,
                self.out_channels,
                self.in_per_group,
                self.kernel[0],
                self.kernel[1],
            ])
        }
    }

    /// The geometry of a convolution, checked. `input` is `(C, H, W)`, `weight`
    /// `(C_out, C_in / groups, kh, kw)`.
    ///
    /// **Errors** on zero sizes, groups that do not divide the channels, a weight or bias of the
    /// wrong shape, a padding larger than the `padding_mode` allows, a kernel larger than the
    /// padded input, or sizes beyond `budget` (the padded input among them, for a mode other than
    /// zeros, which pads a copy).
    pub fn conv(
        input: [usize; 3],
        weight: [usize; 4],
        bias: Option<usize>,
        options: &Conv2dOptions,
        budget: &Budget,
    ) -> Result<Self, ConvError> {
        let [c_in, h, w] = input;
        nonzero("in_channels", c_in)?;
        nonzero("height", h)?;
        nonzero("width", w)?;
        let groups = options.groups;
        check_groups(groups, "in_channels", c_in)?;
        let c_out = weight[0];
        nonzero("out_channels", c_out)?;
        check_groups(groups, "out_channels", c_out)?;
        nonzero("kernel height", weight[2])?;
        nonzero("kernel width", weight[3])?;
        let expected = [c_out, c_in / groups, weight[2], weight[3]];
        if weight != expected {
            return Err(ConvError::WeightShape {
                expected,
                actual: weight,
            });
        }
        check_bias(bias, c_out)?;
        budget.check_elements("input elements", product(&input))?;
        budget.check_elements("weight elements", product(&weight))?;
        if options.padding_mode != PaddingMode::Zeros {
            crate::pad::padded_shape(input, &options.padding, options.padding_mode, budget)?;
        }
        let (pad, stride, dilation) = (&options.padding, options.stride, options.dilation);
        let out_h = conv_output_len(0, h, weight[2], stride[0], pad.axis(0), dilation[0])?;
        let out_w = conv_output_len(1, w, weight[3], stride[1], pad.axis(1), dilation[1])?;
        let geometry = ConvGeometry {
            in_channels: c_in,
            in_h: h,
            in_w: w,
            out_channels: c_out,
            out_h,
            out_w,
            kernel: [weight[2], weight[3]],
            stride,
            dilation,
            padding: *pad,
            output_padding: [0, 0],
            groups,
            in_per_group: c_in / groups,
            out_per_group: c_out / groups,
        };
        geometry.check_budget(budget, false)?;
        Ok(geometry)
    }

    /// The geometry of a transposed convolution, checked. `weight` is
    /// `(C_in, C_out / groups, kh, kw)`.
    ///
    /// **Errors** as [`ConvGeometry::conv`], and if `output_padding >= max(stride, dilation)` or the
    /// padding leaves no output.
    pub fn conv_transpose(
        input: [usize; 3],
        weight: [usize; 4],
        bias: Option<usize>,
        options: &ConvTranspose2dOptions,
        budget: &Budget,
    ) -> Result<Self, ConvError> {
        let [c_in, h, w] = input;
        nonzero("in_channels", c_in)?;
        nonzero("height", h)?;
        nonzero("width", w)?;
        let groups = options.groups;
        check_groups(groups, "in_channels", c_in)?;
        nonzero("out_channels / groups", weight[1])?;
        nonzero("kernel height", weight[2])?;
        nonzero("kernel width", weight[3])?;
        let expected = [c_in, weight[1], weight[2], weight[3]];
        if weight != expected {
            return Err(ConvError::WeightShape {
                expected,
                actual: weight,
            });
        }
        let c_out = weight[1].checked_mul(groups).ok_or(ConvError::Overflow {
            what: "out_channels",
        })?;
        check_bias(bias, c_out)?;
        budget.check_elements("input elements", product(&input))?;
        budget.check_elements("weight elements", product(&weight))?;
        let (pad, stride, dilation, op) = (
            &options.padding,
            options.stride,
            options.dilation,
            options.output_padding,
        );
        let out_h =
            conv_transpose_output_len(0, h, weight[2], stride[0], pad.axis(0), dilation[0], op[0])?;
        let out_w =
            conv_transpose_output_len(1, w, weight[3], stride[1], pad.axis(1), dilation[1], op[1])?;
        let geometry = ConvGeometry {
            in_channels: c_in,
            in_h: h,
            in_w: w,
            out_channels: c_out,
            out_h,
            out_w,
            kernel: [weight[2], weight[3]],
            stride,
            dilation,
            padding: *pad,
            output_padding: op,
            groups,
            in_per_group: c_in / groups,
            out_per_group: weight[1],
        };
        geometry.check_budget(budget, true)?;
        Ok(geometry)
    }

    fn check_budget(&self, budget: &Budget, transposed: bool) -> Result<(), ConvError> {
        budget.check_elements(
            "output elements",
            product(&[self.out_channels, self.out_h, self.out_w]),
        )?;
        // The fast paths keep one unfolded (im2col) buffer of a group: bound it too.
        let unfolded = if transposed {
            product(&[
                self.out_per_group,
                self.kernel[0],
                self.kernel[1],
                self.in_h,
                self.in_w,
            ])
        } else {
            product(&[
                self.in_per_group,
                self.kernel[0],
                self.kernel[1],
                self.out_h,
                self.out_w,
            ])
        };
        budget.check_elements("unfolded elements", unfolded)?;
        budget.check_macs(self.macs(transposed))
    }
}

fn check_bias(bias: Option<usize>, c_out: usize) -> Result<(), ConvError> {
    match bias {
        Some(len) if len != c_out => Err(ConvError::BiasShape {
            expected: c_out,
            actual: len,
        }),
        _ => Ok(()),
    }
}
