//! `LayerSpec::first_outputs` (a first picture of some output channels) and
//! `LayerSpec::forward_given` (a pass built from convolution outputs computed elsewhere), each
//! against the whole pass.

use conv_core::{
    Budget, ConvError, InputPattern, KernelPreset, LayerKind, LayerSpec, LayerWeights, Limits,
};
use ndarray::s;

fn setup(kind: LayerKind, out_channels: usize) -> (LayerSpec, ndarray::Array3<f32>, LayerWeights) {
    let spec = LayerSpec {
        out_channels,
        ..LayerSpec::preset(kind)
    }
    .corrected(&Limits::GRID)
    .0
    .effective();
    let input = InputPattern::Random.generate(spec.in_channels, spec.height, spec.width, 7);
    let weights = LayerWeights::generate(&spec, KernelPreset::Random, 7).unwrap();
    (spec, input, weights)
}

#[test]
fn first_channels_are_the_whole_pass_s_and_the_rest_is_zero() {
    let budget = Budget::PLAYGROUND;
    for kind in [
        LayerKind::Standard,
        LayerKind::Dilated,
        LayerKind::Transposed,
        LayerKind::Upsample,
        LayerKind::Separable,
        LayerKind::Pointwise,
    ] {
        let (spec, input, weights) = setup(kind, 6);
        let whole = spec.forward(input.view(), &weights, &budget).unwrap();
        let outputs = spec
            .first_outputs(input.view(), &weights, &budget, 2)
            .unwrap();
        let first = spec
            .forward_given(input.view(), &weights, &budget, outputs)
            .unwrap();
        let (a, b) = (&whole.output().data, &first.output().data);
        assert_eq!(a.dim(), b.dim(), "{kind:?}");
        assert_eq!(
            a.slice(s![..2, .., ..]),
            b.slice(s![..2, .., ..]),
            "{kind:?}"
        );
        assert!(
            b.slice(s![2.., .., ..]).iter().all(|&v| v == 0.0),
            "{kind:?}"
        );
        assert!(
            a.slice(s![2.., .., ..]).iter().any(|&v| v != 0.0),
            "{kind:?}"
        );
        // Every stage before the last convolution's output is the whole pass's.
        let last = first.convs.last().unwrap().output_stage;
        for (i, (x, y)) in whole.stages.iter().zip(&first.stages).enumerate() {
            if i != last {
                assert_eq!(x, y, "{kind:?} stage {i}");
            }
        }
    }
}

#[test]
fn the_first_channels_are_apart_where_the_last_convolution_has_one_group_and_more_channels() {
    let with = |kind, out_channels| LayerSpec {
        out_channels,
        ..LayerSpec::preset(kind)
    };
    assert!(with(LayerKind::Standard, 64).first_apart(16));
    assert!(with(LayerKind::Separable, 64).first_apart(16));
    assert!(with(LayerKind::Transposed, 64).first_apart(16));
    assert!(with(LayerKind::Upsample, 64).first_apart(16));
    // Not more output channels than asked for.
    assert!(!with(LayerKind::Standard, 16).first_apart(16));
    // The last op has groups (grouped, depthwise) or is not a convolution (pixel shuffle).
    assert!(!with(LayerKind::Grouped, 64).first_apart(1));
    assert!(!LayerSpec::preset(LayerKind::Depthwise).first_apart(1));
    assert!(!LayerSpec::preset(LayerKind::Subpixel).first_apart(1));
}

#[test]
fn grouped_and_shuffled_layers_are_computed_whole() {
    let budget = Budget::PLAYGROUND;
    for kind in [
        LayerKind::Grouped,
        LayerKind::Depthwise,
        LayerKind::Subpixel,
    ] {
        let (spec, input, weights) = setup(kind, 8);
        let whole = spec.forward(input.view(), &weights, &budget).unwrap();
        let outputs = spec
            .first_outputs(input.view(), &weights, &budget, 1)
            .unwrap();
        let first = spec
            .forward_given(input.view(), &weights, &budget, outputs)
            .unwrap();
        assert_eq!(whole, first, "{kind:?}");
    }
}

#[test]
fn given_outputs_are_taken_instead_of_computed() {
    let budget = Budget::PLAYGROUND;
    for kind in LayerKind::ALL {
        let (spec, input, weights) = setup(kind, 4);
        let whole = spec.forward(input.view(), &weights, &budget).unwrap();
        let given: Vec<_> = whole
            .convs
            .iter()
            .map(|v| whole.stages[v.output_stage].data.clone())
            .collect();
        let rebuilt = spec
            .forward_given(input.view(), &weights, &budget, given.clone())
            .unwrap();
        assert_eq!(whole, rebuilt, "{kind:?}");
        // Outputs that are not the layer's own are taken as given: a marked one shows it.
        let mut marked = given.clone();
        marked[0][[0, 0, 0]] = 1234.0;
        let taken = spec
            .forward_given(input.view(), &weights, &budget, marked)
            .unwrap();
        let first = taken.convs[0].output_stage;
        assert_eq!(taken.stages[first].data[[0, 0, 0]], 1234.0, "{kind:?}");
        // One of the wrong shape is refused.
        let mut wrong = given;
        wrong[0] = ndarray::Array3::zeros((1, 1, 1));
        let refused = spec.forward_given(input.view(), &weights, &budget, wrong);
        assert!(
            matches!(refused, Err(ConvError::WeightShape { .. })),
            "{kind:?}"
        );
    }
}

/// The faces of a volume (channel 0, every channel's top row and last column) of a one-
/// convolution layer are the whole pass's, the inside is zero; strides, dilations, groups,
/// padding modes and the "same" padding included. Other layers are computed whole.
#[test]
fn faces_are_the_whole_pass_s_and_the_inside_is_zero() {
    use conv_core::{PaddingMode, PaddingSpec};
    let budget = Budget::PLAYGROUND;
    let mut checked = 0;
    for kind in [
        LayerKind::Standard,
        LayerKind::Dilated,
        LayerKind::Grouped,
        LayerKind::Depthwise,
        LayerKind::Pointwise,
    ] {
        for (stride, dilation, padding, mode) in [
            (1, 1, PaddingSpec::Explicit(1), PaddingMode::Zeros),
            (2, 1, PaddingSpec::Explicit(2), PaddingMode::Reflect),
            (1, 2, PaddingSpec::Same, PaddingMode::Circular),
            (3, 2, PaddingSpec::Explicit(0), PaddingMode::Replicate),
        ] {
            let asked = LayerSpec {
                out_channels: 8,
                in_channels: 4,
                height: 13,
                width: 11,
                kernel_size: 3,
                stride,
                dilation,
                padding,
                padding_mode: mode,
                ..LayerSpec::preset(kind)
            };
            let spec = asked.corrected(&Limits::GRID).0.effective();
            let input = InputPattern::Random.generate(spec.in_channels, spec.height, spec.width, 3);
            let weights = LayerWeights::generate(&spec, KernelPreset::Random, 3).unwrap();
            let whole = spec.forward(input.view(), &weights, &budget).unwrap();
            let faces = spec.face_outputs(input.view(), &weights, &budget).unwrap();
            let (a, b) = (&whole.output().data, &faces[0]);
            let (c, h, w) = a.dim();
            assert_eq!(faces.len(), 1, "{spec:?}");
            assert_eq!(b.dim(), a.dim(), "{spec:?}");
            for ((ch, y, x), &v) in b.indexed_iter() {
                let shown = ch == 0 || y == 0 || x == w - 1;
                let want = if shown { a[[ch, y, x]] } else { 0.0 };
                assert!(
                    (v - want).abs() <= 1e-5 * (1.0 + want.abs()),
                    "{spec:?} at {ch} {y} {x}: {v} vs {want}"
                );
            }
            assert!(c > 1 && h > 1 && w > 1, "{spec:?}: an inside to leave out");
            checked += 1;
        }
    }
    assert_eq!(checked, 20);
    for kind in [
        LayerKind::Transposed,
        LayerKind::Separable,
        LayerKind::Upsample,
        LayerKind::Subpixel,
    ] {
        let (spec, input, weights) = setup(kind, 6);
        let whole = spec.forward(input.view(), &weights, &budget).unwrap();
        let faces = spec.face_outputs(input.view(), &weights, &budget).unwrap();
        assert_eq!(faces, whole.into_conv_outputs(), "{kind:?}");
    }
}
