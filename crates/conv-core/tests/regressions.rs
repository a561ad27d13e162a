//! Failures found by the property tests, pinned by name with the reason.

use conv_core::reference;
use conv_core::*;
use ndarray::{Array3, Array4};

/// Found by `conv2d_fast_equals_naive`: when the left padding is wider than the output, the first
/// tap reaches no input column; its column range was empty with the start past the end, and the
/// copy computed `start - pad_left` below zero (an overflow panic in debug builds).
#[test]
fn conv2d_empty_tap_range_with_large_left_padding_regression() {
    let x = Array3::from_shape_fn((1, 2, 1), |(_, y, _)| y as f32 + 1.0);
    let w = Array4::from_elem((1, 1, 1, 3), 1.0);
    let options = Conv2dOptions {
        padding: Padding {
            top: 0,
            left: 3,
            bottom: 0,
            right: 0,
        },
        ..Default::default()
    };
    let fast = conv2d(x.view(), w.view(), None, &options).unwrap();
    let naive = reference::conv2d(x.view(), w.view(), None, &options).unwrap();
    assert_eq!(fast, naive.output);
}

/// Found by `conv_transpose_is_adjoint_of_conv`: the adjoint only holds when output_padding is
/// smaller than the stride. An output_padding below the dilation is accepted too (PyTorch's
/// rule), but with stride 1 the extra column has no counterpart in the convolution's input: the
/// transposed output comes out one column wider than `x`, so the property now builds its problems
/// with output_padding < stride. Pinned with the shrunk case (a 2×3 input, a 2×1 kernel,
/// dilation [1, 2], output_padding [0, 1] at stride 1) and with the same output padding at
/// stride [1, 2], where it is what gives the input's shape back.
#[test]
fn adjoint_needs_output_padding_below_stride_regression() {
    let w = Array4::from_elem((1, 1, 2, 1), 0.5);
    let transposed = |y: &Array3<f32>, stride: [usize; 2], output_padding: [usize; 2]| {
        let options = ConvTranspose2dOptions {
            stride,
            output_padding,
            dilation: [1, 2],
            ..Default::default()
        };
        conv_transpose2d(y.view(), w.view(), None, &options).unwrap()
    };
    // Stride 1: output_padding 1 is allowed (below the dilation) but adds a column x never had.
    let x = Array3::from_shape_fn((1, 2, 3), |(_, y, x)| (y * 3 + x) as f32);
    let conv = Conv2dOptions {
        dilation: [1, 2],
        ..Default::default()
    };
    let y = conv2d(x.view(), w.view(), None, &conv).unwrap();
    assert_eq!(transposed(&y, [1, 1], [0, 0]).dim(), x.dim());
    assert_eq!(
        transposed(&y, [1, 1], [0, 1]).dim(),
        (1, 2, 4),
        "one column too many"
    );
    // Stride 2 on a 4-wide input: the convolution drops the last column's position, and
    // output_padding 1 (below the stride) gives it back; then ⟨conv(x), v⟩ = ⟨x, convᵀ(v)⟩.
    let x = Array3::from_shape_fn((1, 2, 4), |(_, y, x)| (y * 4 + x) as f32 - 3.0);
    let conv = Conv2dOptions {
        stride: [1, 2],
        dilation: [1, 2],
        ..Default::default()
    };
    let cx = conv2d(x.view(), w.view(), None, &conv).unwrap();
    assert_eq!(cx.dim(), (1, 1, 2));
    assert_eq!(
        transposed(&cx, [1, 2], [0, 0]).dim(),
        (1, 2, 3),
        "one column short"
    );
    let v = Array3::from_shape_vec((1, 1, 2), vec![1.5, -2.0]).unwrap();
    let back = transposed(&v, [1, 2], [0, 1]);
    assert_eq!(back.dim(), x.dim());
    let lhs: f32 = cx.iter().zip(v.iter()).map(|(a, b)| a * b).sum();
    let rhs: f32 = x.iter().zip(back.iter()).map(|(a, b)| a * b).sum();
    assert!((lhs - rhs).abs() < 1e-4, "{lhs} vs {rhs}");
}

/// Found by the fuzz target: a depthwise spec with an enormous `out_channels` was rounded up to a
/// multiple of `in_channels` before being clamped, and the multiplication overflowed.
#[test]
fn depthwise_huge_out_channels_correction_overflow_regression() {
    let spec = LayerSpec {
        in_channels: 3,
        out_channels: usize::MAX,
        ..LayerSpec::preset(LayerKind::Depthwise)
    };
    let (fixed, notes) = spec.corrected(&Limits::GRID);
    assert_eq!(
        fixed.out_channels, 63,
        "the largest multiple of 3 within 64"
    );
    assert!(notes.iter().any(|n| n.param == "out_channels"));
}

/// Found by the fuzz target: upsampling an empty map by a huge factor asked ndarray for an axis
/// longer than `isize::MAX` (the element count was 0, so the budget did not catch it).
#[test]
fn upsample_empty_input_huge_scale_regression() {
    let x = ndarray::Array3::<f32>::zeros((7, 0, 3));
    assert!(upsample_nearest(x.view(), [2, usize::MAX / 2]).is_err());
    assert!(upsample_bilinear(x.view(), [2, 2], false).is_err());
    assert!(upsample_bilinear(x.view(), [2, 2], true).is_err());
    assert!(reference::upsample_bilinear(x.view(), [2, 2], true).is_err());
    assert!(pixel_shuffle(x.view(), 1).is_err());
    assert!(reference::pixel_shuffle(x.view(), 1).is_err());
    for mode in PaddingMode::ALL {
        assert!(pad(x.view(), Padding::uniform(1), mode).is_err());
        assert!(reference::pad(x.view(), Padding::uniform(1), mode).is_err());
    }
    assert!(reference::upsample_nearest(x.view(), [1, usize::MAX]).is_err());
}
