//! Stacks: the footprint traced through every layer agrees with the closed-form receptive field
//! wherever the closed form applies, on random chains of windows; stacked dilations leave the
//! holes of the gridding effect.

use conv_core::stack::{Block, Stack, Tensor};
use conv_core::{Budget, LayerKind, LayerSpec, PaddingSpec};
use proptest::prelude::*;

const BUDGET: Budget = Budget::PLAYGROUND;

/// A window layer: a convolution (dilated or not) or a pooling layer, or a ReLU.
fn window() -> impl Strategy<Value = Block> {
    prop_oneof![
        (1usize..=4, 1usize..=3, 0usize..=2, 1usize..=3).prop_map(|(k, s, p, d)| {
            Block::Layer(LayerSpec {
                out_channels: 2,
                kernel_size: k,
                stride: s,
                padding: PaddingSpec::Explicit(p),
                dilation: d,
                ..LayerSpec::preset(LayerKind::Dilated)
            })
        }),
        (1usize..=3, 1usize..=3).prop_map(|(k, s)| Block::MaxPool {
            kernel: k,
            stride: s,
            padding: k / 2,
        }),
        (1usize..=3, 1usize..=2).prop_map(|(k, s)| Block::AvgPool {
            kernel: k,
            stride: s,
            padding: 0,
        }),
        Just(Block::Relu),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// For every output cell of the last layer: the footprint traced as if the maps went on past
    /// their borders spans exactly `start + i·jump ..= start + i·jump + size − 1`; the footprint
    /// within the maps lies inside that span.
    #[test]
    fn traced_footprint_equals_the_closed_form(blocks in prop::collection::vec(window(), 1..=5), n in 8usize..=40, cy in 0usize..1000, cx in 0usize..1000) {
        let stack = Stack { input: [1, n, n + 3], blocks };
        let Ok(rows) = stack.rows(&BUDGET) else {
            // A window larger than its map: not a stack to trace.
            return Ok(());
        };
        let last = rows.len() - 1;
        let f = rows[last].field.expect("windows keep the closed form");
        let Tensor::Map([_, h, w]) = rows[last].output else { panic!("a map") };
        let (y, x) = (cy % h, cx % w);
        let ext = stack.unbounded_extent(last, [y, x], &BUDGET).unwrap();
        let (y0, x0) = (f.start[0] + y as i64 * f.jump[0], f.start[1] + x as i64 * f.jump[1]);
        prop_assert_eq!(ext, [y0, x0, y0 + f.size[0] - 1, x0 + f.size[1] - 1]);
        let maps = stack.footprint(last, [y, x], &BUDGET).unwrap();
        prop_assert_eq!(maps.len(), rows.len());
        for ((yy, xx), &count) in maps[0].indexed_iter() {
            if count > 0 {
                let (yy, xx) = (yy as i64, xx as i64);
                prop_assert!(yy >= ext[0] && yy <= ext[2] && xx >= ext[1] && xx <= ext[3]);
            }
        }
    }
}

#[test]
fn stacked_dilations_leave_holes_and_count_their_paths() {
    // Two 3×3 layers at dilation 2 (no padding): the output cell reads every other input pixel
    // of a 9×9 square, the gridding effect; the centre is reached by 3 paths per axis.
    let dilated = |d| {
        Block::Layer(LayerSpec {
            out_channels: 1,
            kernel_size: 3,
            dilation: d,
            padding: PaddingSpec::Explicit(0),
            ..LayerSpec::preset(LayerKind::Dilated)
        })
    };
    let stack = Stack {
        input: [1, 9, 9],
        blocks: vec![dilated(2), dilated(2)],
    };
    let maps = stack.footprint(1, [0, 0], &BUDGET).unwrap();
    let input = &maps[0];
    assert_eq!(input.dim(), (9, 9));
    for ((y, x), &n) in input.indexed_iter() {
        assert_eq!(n > 0, y % 2 == 0 && x % 2 == 0, "({y}, {x}): {n}");
    }
    assert_eq!(input[[4, 4]], 9);
    assert_eq!(input[[0, 0]], 1);
    assert_eq!(input.sum(), 81);
    // With dilations 1 then 2, no holes: the footprint is the whole 7×7 square.
    let filled = Stack {
        input: [1, 7, 7],
        blocks: vec![dilated(1), dilated(2)],
    };
    let maps = filled.footprint(1, [0, 0], &BUDGET).unwrap();
    assert!(maps[0].iter().all(|&n| n > 0));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    /// Pooling read in place equals the plain padded version, max and mean.
    #[test]
    fn pooling_equals_the_reference(c in 1usize..=3, h in 1usize..=9, w in 1usize..=9, k in 1usize..=4, s in 1usize..=3, p in 0usize..=2, seed in any::<u64>()) {
        prop_assume!(2 * p <= k && k <= h + 2 * p && k <= w + 2 * p);
        let mut rng = conv_core::SeededRng::new(seed);
        let x = ndarray::Array3::from_shape_simple_fn((c, h, w), || rng.signed_unit());
        for max in [true, false] {
            let fast = conv_core::stack::pool2d(x.view(), [k, s, p], max).unwrap();
            let naive = conv_core::reference::pool2d(x.view(), [k, s, p], max).unwrap();
            prop_assert_eq!(fast.dim(), naive.dim());
            for (a, b) in fast.iter().zip(naive.iter()) {
                prop_assert!((a - b).abs() <= 1e-5 * (1.0 + b.abs()), "{} vs {}", a, b);
            }
        }
    }
}

#[test]
fn a_stack_runs_as_its_layers_one_by_one() {
    use conv_core::stack::Values;
    use conv_core::{KernelPreset, LayerWeights};
    let conv = |kind, out, k, s, p| {
        Block::Layer(LayerSpec {
            out_channels: out,
            kernel_size: k,
            stride: s,
            padding: PaddingSpec::Explicit(p),
            ..LayerSpec::preset(kind)
        })
    };
    let stack = Stack {
        input: [3, 12, 10],
        blocks: vec![
            conv(LayerKind::Standard, 4, 3, 1, 1),
            Block::Relu,
            Block::MaxPool {
                kernel: 2,
                stride: 2,
                padding: 0,
            },
            conv(LayerKind::Separable, 6, 3, 1, 1),
            Block::AvgPool {
                kernel: 3,
                stride: 1,
                padding: 1,
            },
            Block::BatchNorm,
            Block::GlobalAvgPool,
            Block::Flatten,
            Block::Linear {
                out_features: 5,
                bias: true,
            },
        ],
    };
    let mut rng = conv_core::SeededRng::new(9);
    let x = ndarray::Array3::from_shape_simple_fn((3, 12, 10), || rng.signed_unit());
    let outs = stack.forward(x.view(), 40, &BUDGET).unwrap();
    let rows = stack.rows(&BUDGET).unwrap();
    assert_eq!(outs.len(), rows.len());
    for (o, r) in outs.iter().zip(&rows) {
        match (o, r.output) {
            (Values::Map(m), Tensor::Map(shape)) => assert_eq!(<[usize; 3]>::from(m.dim()), shape),
            (Values::Vector(v), Tensor::Vector(n)) => assert_eq!(v.len(), n),
            other => panic!("{other:?}"),
        }
    }
    let map = |v: &Values| match v {
        Values::Map(m) => m.clone(),
        Values::Vector(_) => panic!("a map"),
    };
    // Layer by layer, each from the stack's output before it.
    let flow = stack.flow(&BUDGET).unwrap();
    let layer = |i: usize, input: &ndarray::Array3<f32>| {
        let spec = flow[i].0.clone().unwrap();
        let w = LayerWeights::generate(&spec, KernelPreset::Random, 40 + i as u64).unwrap();
        spec.forward(input.view(), &w, &BUDGET)
            .unwrap()
            .output()
            .data
            .clone()
    };
    assert_eq!(map(&outs[0]), layer(0, &x));
    assert_eq!(map(&outs[1]), map(&outs[0]).mapv(|v| v.max(0.0)));
    assert_eq!(
        map(&outs[2]),
        conv_core::reference::pool2d(map(&outs[1]).view(), [2, 2, 0], true).unwrap()
    );
    assert_eq!(map(&outs[3]), layer(3, &map(&outs[2])));
    let avg = conv_core::reference::pool2d(map(&outs[3]).view(), [3, 1, 1], false).unwrap();
    for (a, b) in map(&outs[4]).iter().zip(avg.iter()) {
        assert!((a - b).abs() < 1e-5);
    }
    let gap = map(&outs[6]);
    let bn = map(&outs[5]);
    assert_eq!(gap.dim(), (6, 1, 1));
    assert!((gap[[2, 0, 0]] - bn.index_axis(ndarray::Axis(0), 2).mean().unwrap()).abs() < 1e-6);
    let Values::Vector(v) = &outs[8] else {
        panic!()
    };
    assert_eq!(v.len(), 5);
    // The wrong input shape is refused.
    let wrong = ndarray::Array3::<f32>::zeros((3, 12, 11));
    assert!(stack.forward(wrong.view(), 40, &BUDGET).is_err());
}
