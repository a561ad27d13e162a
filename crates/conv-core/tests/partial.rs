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
