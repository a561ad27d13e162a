//! Shape arithmetic as small named functions with checked arithmetic: a slider that makes the
//! kernel larger than the padded input yields an error, never an underflow.

use crate::ConvError;

const AXES: [&str; 2] = ["height", "width"];

/// Name of an axis for messages: 0 = height, 1 = width.
pub fn axis_name(axis: usize) -> &'static str {
    AXES[axis.min(1)]
}

/// The extent a dilated kernel covers: `(kernel - 1) * dilation + 1`.
///
/// **Errors** if `kernel` or `dilation` is 0, or on overflow.
pub fn kernel_field(kernel: usize, dilation: usize) -> Result<usize, ConvError> {
    nonzero("kernel_size", kernel)?;
    nonzero("dilation", dilation)?;
    (kernel - 1)
        .checked_mul(dilation)
        .and_then(|v| v.checked_add(1))
        .ok_or(ConvError::Overflow {
            what: "kernel extent",
        })
}

/// Output length of a convolution along one axis (PyTorch's formula):
/// `floor((input + pad_before + pad_after - dilation * (kernel - 1) - 1) / stride) + 1`.
///
/// **Errors** if any size is 0, or if the dilated kernel is larger than the padded input.
pub fn conv_output_len(
    axis: usize,
    input: usize,
    kernel: usize,
    stride: usize,
    pad: (usize, usize),
    dilation: usize,
) -> Result<usize, ConvError> {
    nonzero(axis_name(axis), input)?;
    nonzero("stride", stride)?;
    let extent = kernel_field(kernel, dilation)?;
    let padded = input
        .checked_add(pad.0)
        .and_then(|v| v.checked_add(pad.1))
        .ok_or(ConvError::Overflow {
            what: "padded input",
        })?;
    let room = padded
        .checked_sub(extent)
        .ok_or(ConvError::KernelLargerThanInput {
            axis: axis_name(axis),
            kernel,
            dilation,
            extent,
            padded,
        })?;
    Ok(room / stride + 1)
}

/// Output length of a transposed convolution along one axis:
/// `(input - 1) * stride - pad_before - pad_after + dilation * (kernel - 1) + output_padding + 1`.
///
/// **Errors** if any size is 0, if `output_padding >= max(stride, dilation)`, on overflow, or if
/// the padding leaves no output.
pub fn conv_transpose_output_len(
    axis: usize,
    input: usize,
    kernel: usize,
    stride: usize,
    pad: (usize, usize),
    dilation: usize,
    output_padding: usize,
) -> Result<usize, ConvError> {
    nonzero(axis_name(axis), input)?;
    nonzero("stride", stride)?;
    let extent = kernel_field(kernel, dilation)?;
    if output_padding >= stride.max(dilation) {
        return Err(ConvError::OutputPadding {
            output_padding,
            stride,
            dilation,
        });
    }
    let overflow = ConvError::Overflow {
        what: "transposed output",
    };
    let grown = ((input - 1) as u128)
        .checked_mul(stride as u128)
        .ok_or(overflow.clone())?
        + extent as u128
        + output_padding as u128;
    let out = i128::try_from(grown).map_err(|_| overflow.clone())? - pad.0 as i128 - pad.1 as i128;
    if out < 1 {
        return Err(ConvError::EmptyOutput {
            axis: axis_name(axis),
            value: out,
        });
    }
    usize::try_from(out).map_err(|_| overflow)
}

/// **Errors** with [`ConvError::ZeroSize`] if `value` is 0.
pub fn nonzero(name: &'static str, value: usize) -> Result<usize, ConvError> {
    if value == 0 {
        Err(ConvError::ZeroSize { name })
    } else {
        Ok(value)
    }
}

/// Product of sizes as `u128`, which cannot overflow for any product of three `usize`s and rarely
/// for more; saturates instead of wrapping.
pub fn product(sizes: &[usize]) -> u128 {
    sizes
        .iter()
        .fold(1u128, |acc, &s| acc.saturating_mul(s as u128))
}

/// **Errors** with [`ConvError::GroupsDoNotDivide`] unless `groups` divides `channels`.
pub fn check_groups(groups: usize, name: &'static str, channels: usize) -> Result<(), ConvError> {
    nonzero("groups", groups)?;
    if channels % groups != 0 {
        return Err(ConvError::GroupsDoNotDivide {
            groups,
            name,
            channels,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conv_len_matches_pytorch_formula() {
        // floor((8 + 1 + 1 - 2*(3-1) - 1) / 1) + 1 = 6
        assert_eq!(conv_output_len(0, 8, 3, 1, (1, 1), 2).unwrap(), 6);
        // floor((7 + 0 - 2 - 1)/2) + 1 = 3
        assert_eq!(conv_output_len(0, 7, 3, 2, (0, 0), 1).unwrap(), 3);
    }

    #[test]
    fn kernel_larger_than_padded_input_is_an_error() {
        let err = conv_output_len(1, 2, 3, 1, (0, 0), 1).unwrap_err();
        assert!(matches!(
            err,
            ConvError::KernelLargerThanInput {
                extent: 3,
                padded: 2,
                ..
            }
        ));
    }

    #[test]
    fn transposed_len_and_output_padding_rule() {
        // (56 - 1) * 2 - 2 + 2 + 1 + 1 = 112
        assert_eq!(
            conv_transpose_output_len(0, 56, 3, 2, (1, 1), 1, 1).unwrap(),
            112
        );
        assert!(matches!(
            conv_transpose_output_len(0, 4, 3, 2, (0, 0), 1, 2),
            Err(ConvError::OutputPadding { .. })
        ));
        assert!(matches!(
            conv_transpose_output_len(0, 1, 1, 1, (1, 1), 1, 0),
            Err(ConvError::EmptyOutput { .. })
        ));
    }

    #[test]
    fn huge_values_do_not_overflow() {
        assert!(kernel_field(usize::MAX, usize::MAX).is_err());
        assert!(conv_output_len(0, usize::MAX, 1, 1, (usize::MAX, 1), 1).is_err());
        assert!(conv_transpose_output_len(0, usize::MAX, 2, usize::MAX, (0, 0), 1, 0).is_err());
    }
}
