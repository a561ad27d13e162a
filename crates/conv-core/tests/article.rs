//! The article's examples, checked by hand: every figure's numbers as a reader would work them out.

use conv_core::*;

fn costs(spec: &LayerSpec) -> Costs {
    spec.costs(&Budget::PLAYGROUND).expect("valid spec")
}

#[test]
fn standard_3_to_16() {
    // 16 kernels of 3×3×3; a 6×6 input without padding gives 4×4 maps.
    let spec = LayerSpec::preset(LayerKind::Standard);
    assert_eq!((spec.in_channels, spec.out_channels), (3, 16));
    let c = costs(&spec);
    assert_eq!(c.output_shape, [16, 4, 4]);
    assert_eq!(c.params, 16 * 3 * 3 * 3 + 16);
    assert_eq!(c.macs, 4 * 4 * 16 * 27);
    assert_eq!(c.flops, 2 * c.macs);
    assert_eq!((c.standard_params, c.standard_macs), (c.params, c.macs));
    let w = LayerWeights::generate(&spec, KernelPreset::Random, 1).unwrap();
    assert_eq!(w.convs[0].weight.dim(), (16, 3, 3, 3));
}

#[test]
fn depthwise_on_three_channels() {
    // Three separate 3×3×1 kernels, one per channel; three maps out.
    let spec = LayerSpec::preset(LayerKind::Depthwise);
    let c = costs(&spec);
    assert_eq!(c.output_shape, [3, 4, 4]);
    assert_eq!(c.params, 3 * 9 + 3);
    assert_eq!(c.macs, 4 * 4 * 3 * 9);
    // A standard 3×3 layer from 3 to 3 channels would need 3× the weights.
    assert_eq!(c.standard_params, 3 * 3 * 9 + 3);
    let w = LayerWeights::generate(&spec, KernelPreset::Random, 1).unwrap();
    assert_eq!(w.convs[0].weight.dim(), (3, 1, 3, 3));
}

#[test]
fn separable_is_depthwise_plus_pointwise() {
    let spec = LayerSpec {
        out_channels: 16,
        height: 8,
        width: 8,
        ..LayerSpec::preset(LayerKind::Separable)
    };
    let c = costs(&spec);
    assert_eq!(c.output_shape, [16, 6, 6]);
    assert_eq!(c.params, (3 * 9 + 3) + (16 * 3 + 16));
    assert_eq!(c.macs, 6 * 6 * 3 * 9 + 6 * 6 * 16 * 3);
    assert_eq!(c.standard_macs, 6 * 6 * 16 * 3 * 9);
    // About 1/C_out + 1/k² (MobileNet): 1/16 + 1/9 = 0.1736.
    assert!((c.macs_ratio - (1.0 / 16.0 + 1.0 / 9.0)).abs() < 1e-9);
}

#[test]
fn dilated_3x3_rate_2_covers_5x5_with_9_weights() {
    let spec = LayerSpec {
        bias: false,
        ..LayerSpec::preset(LayerKind::Dilated)
    };
    let c = costs(&spec);
    assert_eq!(c.receptive_field, [5, 5]);
    assert_eq!(c.params, 9);
    assert_eq!(c.standard_params, 25);
    // 7×7 input, extent 5: 3×3 output.
    assert_eq!(c.output_shape, [1, 3, 3]);
    assert_eq!(c.standard_macs, 3 * 3 * 25);
}

#[test]
fn grouped_4_channels_2_groups_4_kernels_each_gives_8() {
    let spec = LayerSpec::preset(LayerKind::Grouped);
    assert_eq!(
        (spec.in_channels, spec.groups, spec.out_channels),
        (4, 2, 8)
    );
    let w = LayerWeights::generate(&spec, KernelPreset::Random, 1).unwrap();
    // Each kernel has depth 2: it sees only its group's channels.
    assert_eq!(w.convs[0].weight.dim(), (8, 2, 3, 3));
    let c = costs(&spec);
    assert_eq!(c.params, 8 * 2 * 9 + 8);
    assert_eq!(c.standard_params, 8 * 4 * 9 + 8);
    let input = InputPattern::Random.generate(4, 6, 6, 3);
    let fwd = spec.forward(input.view(), &w, &Budget::PLAYGROUND).unwrap();
    assert_eq!(fwd.stages[0].channel_groups, vec![0, 0, 1, 1]);
    assert_eq!(fwd.output().channel_groups, vec![0, 0, 0, 0, 1, 1, 1, 1]);
    // Output channel 5 (group 1) reads only input channels 2 and 3.
    let list = fwd.contributions(0, 5, 0, 0).unwrap();
    assert!(list.iter().all(|t| t.channel == 2 || t.channel == 3));
    assert_eq!(list.len(), 2 * 9);
}

#[test]
fn upsampling_2x_copies_each_pixel_4_times() {
    let spec = LayerSpec::preset(LayerKind::Upsample);
    let input = InputPattern::Random.generate(1, 4, 4, 9);
    let w = LayerWeights::generate(&spec, KernelPreset::Identity, 0).unwrap();
    let fwd = spec.forward(input.view(), &w, &Budget::PLAYGROUND).unwrap();
    let up = &fwd.stages[1];
    assert_eq!(up.kind, StageKind::Upsampled);
    assert_eq!(up.data.len(), 4 * input.len());
    let copies = up
        .cells
        .iter()
        .filter(|c| matches!(c, Cell::Copied { y: 1, x: 2 } | Cell::Data { y: 1, x: 2 }))
        .count();
    assert_eq!(copies, 4);
    assert_eq!(fwd.origin(1, 3, 5), Some([1, 2]));
    // Upsampling has no parameters; the conv after it has 1·1·3·3 + 1.
    assert_eq!(costs(&spec).params, 10);
    // Upsample + conv (3×3, padding 1) covers every interior cell with all 9 taps.
    let coverage = fwd.coverage(0).unwrap();
    assert!(coverage
        .slice(ndarray::s![1..7, 1..7])
        .iter()
        .all(|&c| c == 9));
    assert_eq!(coverage[[0, 0]], 4);
    // 4 × 4 input pixels are copied one after another, then 8 × 8 output positions.
    assert_eq!(fwd.steps(false).len(), 16 + 64);
}

#[test]
fn transposed_2x_gives_4x_pixels_with_inserted_zeros() {
    let spec = LayerSpec::preset(LayerKind::Transposed);
    let c = costs(&spec);
    assert_eq!(c.output_shape, [1, 8, 8]);
    let input = InputPattern::Random.generate(1, 4, 4, 9);
    let w = LayerWeights::generate(&spec, KernelPreset::Random, 0).unwrap();
    let fwd = spec.forward(input.view(), &w, &Budget::PLAYGROUND).unwrap();
    let kinds: Vec<_> = fwd.stages.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            StageKind::Input,
            StageKind::ZeroInserted,
            StageKind::Padded,
            StageKind::Output
        ]
    );
    // 4×4 with one zero between pixels: 7×7, of which 16 are data and 33 inserted.
    let inserted = &fwd.stages[1];
    assert_eq!(inserted.shape(), [1, 7, 7]);
    assert_eq!(
        inserted
            .cells
            .iter()
            .filter(|c| **c == Cell::Inserted)
            .count(),
        49 - 16
    );
    // Padded by d·(k − 1) − p = 1 on top/left and 1 + output_padding = 2 on bottom/right.
    assert_eq!(fwd.stages[2].shape(), [1, 10, 10]);
    // Direct convolution over that map: 8·8·1·1·9 MACs against 4·4·1·1·9 for the scatter.
    assert_eq!(c.macs, 16 * 9);
    assert_eq!(c.standard_macs, 64 * 9);
    // The overlap map of k = 3, s = 2 is a checkerboard of 1, 2 and 4 stamps. Output row y is
    // row y + 1 of the uncropped map, which input row iy reaches with tap ky when 2·iy + ky = y + 1:
    // one way for even y (ky = 1), two ways for odd y (ky = 0 and 2); columns likewise.
    let overlap = fwd.overlap().unwrap();
    assert_eq!(overlap[[0, 0]], 1);
    assert_eq!(overlap[[1, 1]], 4);
    assert_eq!(overlap[[0, 1]], 2);
    assert_eq!(overlap[[1, 0]], 2);
    // Seen as a convolution over the zero-inserted map, the same unevenness: interior cells at
    // even rows and columns meet 1 data cell, at odd ones up to 4.
    let coverage = fwd.coverage(0).unwrap();
    assert_eq!(coverage, overlap);
}

#[test]
fn formulas_fill_in_the_numbers() {
    let spec = LayerSpec {
        layer: LayerKind::Dilated,
        height: 8,
        width: 8,
        padding: PaddingSpec::Explicit(1),
        dilation: 2,
        kernel_size: 3,
        ..LayerSpec::preset(LayerKind::Dilated)
    };
    let f = spec.formulas(&Budget::PLAYGROUND).unwrap();
    let h = f.iter().find(|f| f.id == "output-height").unwrap();
    assert_eq!(h.substituted, "⌊(8 + 1 + 1 − 2·(3 − 1) − 1) / 1⌋ + 1");
    assert_eq!(h.value, "6");
    let rf = f.iter().find(|f| f.id == "receptive-field").unwrap();
    assert_eq!(rf.value, "5");
}

#[test]
fn errors_name_the_values() {
    let err = conv2d(
        ndarray::Array3::zeros((4, 5, 5)).view(),
        ndarray::Array4::zeros((6, 1, 3, 3)).view(),
        None,
        &Conv2dOptions {
            groups: 3,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "groups (3) must divide in_channels (4)");
    let err = conv2d(
        ndarray::Array3::zeros((1, 2, 2)).view(),
        ndarray::Array4::zeros((1, 1, 3, 3)).view(),
        None,
        &Conv2dOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "kernel extent ((3 - 1) * 1 + 1 = 3) is larger than the padded height (2)"
    );
    let spec = LayerSpec {
        in_channels: 3,
        out_channels: 4,
        ..LayerSpec::preset(LayerKind::Depthwise)
    };
    assert_eq!(
        spec.shapes(&Budget::PLAYGROUND).unwrap_err(),
        ConvError::DepthwiseMultiple {
            in_channels: 3,
            out_channels: 4
        }
    );
    let huge = LayerSpec {
        height: 100_000,
        width: 100_000,
        ..LayerSpec::default()
    };
    assert!(matches!(
        huge.shapes(&Budget::PLAYGROUND),
        Err(ConvError::Budget { .. })
    ));
}

#[test]
fn corrections_report_what_changed() {
    let spec = LayerSpec {
        layer: LayerKind::Grouped,
        in_channels: 4,
        out_channels: 6,
        groups: 3,
        kernel_size: 99,
        ..LayerSpec::preset(LayerKind::Grouped)
    };
    let (fixed, notes) = spec.corrected(&Limits::GRID);
    assert_eq!(fixed.groups, 2);
    // 99 is clamped to 11, then shrunk until it fits the unpadded 6×6 input.
    assert_eq!(fixed.kernel_size, 6);
    assert!(notes
        .iter()
        .any(|n| n.param == "groups" && n.from == "3" && n.to == "2"));
    assert!(notes
        .iter()
        .any(|n| n.param == "kernel_size" && n.from == "99"));
    assert!(fixed.shapes(&Budget::PLAYGROUND).is_ok());
}

#[test]
fn steps_of_a_5x5_input_and_3x3_kernel() {
    let spec = LayerSpec {
        height: 5,
        width: 5,
        in_channels: 1,
        out_channels: 1,
        ..LayerSpec::preset(LayerKind::Standard)
    };
    let input = InputPattern::Random.generate(1, 5, 5, 1);
    let w = LayerWeights::generate(&spec, KernelPreset::Random, 0).unwrap();
    let fwd = spec.forward(input.view(), &w, &Budget::PLAYGROUND).unwrap();
    assert_eq!(fwd.steps(false).len(), 9);
}

#[test]
fn over_budget_layers_shrink_one_size_at_a_time() {
    // 64 → 64 channels at 64² with an 11×11 kernel unfolds to more than the playground allows:
    // the channels are halved (not reset), the kernel and the map stay.
    let spec = LayerSpec {
        height: 64,
        width: 64,
        in_channels: 64,
        out_channels: 64,
        kernel_size: 11,
        padding: PaddingSpec::Explicit(5),
        ..LayerSpec::preset(LayerKind::Standard)
    };
    let (fixed, notes) = spec.corrected(&Limits::GRID);
    assert!(fixed.shapes(&Budget::PLAYGROUND).is_ok());
    assert_eq!((fixed.height, fixed.width, fixed.kernel_size), (64, 64, 11));
    assert_eq!((fixed.in_channels, fixed.out_channels), (32, 64));
    assert!(notes.iter().all(|n| n.param == "in_channels"), "{notes:?}");
    // A grouped layer keeps a valid groups value while its channels shrink.
    let grouped = LayerSpec {
        layer: LayerKind::Grouped,
        groups: 64,
        ..spec
    };
    let (fixed, _) = grouped.corrected(&Limits::GRID);
    assert!(fixed.shapes(&Budget::PLAYGROUND).is_ok());
    assert_eq!(fixed.in_channels % fixed.groups, 0);
    assert_eq!(fixed.out_channels % fixed.groups, 0);
}
