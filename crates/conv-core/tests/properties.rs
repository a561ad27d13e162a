//! Properties over random problems: the fast paths equal the naive reference, and the relations
//! between layer types hold. Case counts are sized to finish in CI; failures found are pinned in
//! `regressions.rs`.

use conv_core::reference;
use conv_core::*;
use ndarray::{Array1, Array3, Array4};
use proptest::prelude::*;

fn tensor3(shape: (usize, usize, usize), seed: u64) -> Array3<f32> {
    let mut rng = SeededRng::new(seed);
    Array3::from_shape_simple_fn(shape, || rng.signed_unit())
}

fn tensor4(shape: (usize, usize, usize, usize), seed: u64) -> Array4<f32> {
    let mut rng = SeededRng::new(seed);
    Array4::from_shape_simple_fn(shape, || rng.signed_unit())
}

fn assert_close(a: &Array3<f32>, b: &Array3<f32>, tol: f32) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.dim(), b.dim());
    for (x, y) in a.iter().zip(b.iter()) {
        prop_assert!(
            (x - y).abs() <= tol * (1.0 + x.abs().max(y.abs())),
            "{} vs {}",
            x,
            y
        );
    }
    Ok(())
}

#[derive(Debug, Clone)]
struct ConvProblem {
    c_in: usize,
    c_out: usize,
    h: usize,
    w: usize,
    k: [usize; 2],
    options: Conv2dOptions,
    bias: bool,
    seed: u64,
}

fn conv_problem() -> impl Strategy<Value = ConvProblem> {
    (
        1usize..=4,
        1usize..=3,
        1usize..=3,
        1usize..=9,
        1usize..=9,
        (1usize..=4, 1usize..=4),
        (1usize..=3, 1usize..=3),
        (1usize..=3, 1usize..=3),
        (0usize..=3, 0usize..=3, 0usize..=3, 0usize..=3),
        any::<bool>(),
        any::<u64>(),
    )
        .prop_filter_map(
            "kernel must fit",
            |(groups, ipg, opg, h, w, k, s, d, p, bias, seed)| {
                let pr = ConvProblem {
                    c_in: groups * ipg,
                    c_out: groups * opg,
                    h,
                    w,
                    k: [k.0, k.1],
                    options: Conv2dOptions {
                        stride: [s.0, s.1],
                        padding: Padding {
                            top: p.0,
                            left: p.1,
                            bottom: p.2,
                            right: p.3,
                        },
                        dilation: [d.0, d.1],
                        groups,
                        padding_mode: PaddingMode::Zeros,
                    },
                    bias,
                    seed,
                };
                let fits = (k.0 - 1) * d.0 < h + p.0 + p.2 && (k.1 - 1) * d.1 < w + p.1 + p.3;
                fits.then_some(pr)
            },
        )
}

#[derive(Debug, Clone)]
struct TransposeProblem {
    c_in: usize,
    c_out: usize,
    h: usize,
    w: usize,
    k: usize,
    options: ConvTranspose2dOptions,
    bias: bool,
    seed: u64,
}

fn transpose_problem() -> impl Strategy<Value = TransposeProblem> {
    (
        1usize..=3,
        1usize..=3,
        1usize..=3,
        1usize..=6,
        1usize..=6,
        1usize..=4,
        1usize..=3,
        1usize..=3,
        (0usize..=3, 0usize..=3, 0usize..=3, 0usize..=3),
        (0usize..=2, 0usize..=2),
        any::<bool>(),
        any::<u64>(),
    )
        .prop_filter_map(
            "valid transposed",
            |(groups, ipg, opg, h, w, k, s, d, p, op, bias, seed)| {
                let pr = TransposeProblem {
                    c_in: groups * ipg,
                    c_out: groups * opg,
                    h,
                    w,
                    k,
                    options: ConvTranspose2dOptions {
                        stride: [s, s],
                        padding: Padding {
                            top: p.0,
                            left: p.1,
                            bottom: p.2,
                            right: p.3,
                        },
                        output_padding: [op.0, op.1],
                        dilation: [d, d],
                        groups,
                    },
                    bias,
                    seed,
                };
                let geometry_ok = conv_core::geometry::ConvGeometry::conv_transpose(
                    [pr.c_in, h, w],
                    [pr.c_in, opg, k, k],
                    None,
                    &pr.options,
                    &Budget::OPERATIONS,
                )
                .is_ok();
                geometry_ok.then_some(pr)
            },
        )
}

#[derive(Debug, Clone)]
struct AdjointProblem {
    c_in: usize,
    c_out: usize,
    h: usize,
    w: usize,
    k: [usize; 2],
    options: Conv2dOptions,
    output_padding: [usize; 2],
    seed: u64,
}

fn adjoint_problem() -> impl Strategy<Value = AdjointProblem> {
    (
        (1usize..=3, 1usize..=2, 1usize..=2),
        (1usize..=5, 1usize..=5),
        (1usize..=4, 1usize..=4),
        (1usize..=3, 1usize..=3),
        (1usize..=3, 1usize..=3),
        (0usize..=2, 0usize..=2, 0usize..=2, 0usize..=2),
        (0usize..=2, 0usize..=2),
        any::<u64>(),
    )
        .prop_filter_map(
            "a valid input size",
            |((g, ipg, opg), (oh, ow), (kh, kw), (sh, sw), (dh, dw), p, (oph, opw), seed)| {
                // With output_padding >= stride the forward conv would see one more output row.
                if oph >= sh || opw >= sw {
                    return None;
                }
                let h = ((oh - 1) * sh + (kh - 1) * dh + 1 + oph).checked_sub(p.0 + p.2)?;
                let w = ((ow - 1) * sw + (kw - 1) * dw + 1 + opw).checked_sub(p.1 + p.3)?;
                (h >= 1 && w >= 1).then_some(AdjointProblem {
                    c_in: g * ipg,
                    c_out: g * opg,
                    h,
                    w,
                    k: [kh, kw],
                    options: Conv2dOptions {
                        stride: [sh, sw],
                        padding: Padding {
                            top: p.0,
                            left: p.1,
                            bottom: p.2,
                            right: p.3,
                        },
                        dilation: [dh, dw],
                        groups: g,
                        padding_mode: PaddingMode::Zeros,
                    },
                    output_padding: [oph, opw],
                    seed,
                })
            },
        )
}

/// A map and four sides of padding: three times in four each side shorter than its axis (what
/// every mode accepts), otherwise up to two cells longer (which reflect and circular may refuse).
fn pad_problem() -> impl Strategy<Value = ((usize, usize, usize), Padding, u64)> {
    (
        (1usize..=3, 1usize..=7, 1usize..=7),
        prop::bool::weighted(0.75),
        any::<u64>(),
    )
        .prop_flat_map(|((c, h, w), within, seed)| {
            let (h_max, w_max) = if within {
                (h - 1, w - 1)
            } else {
                (h + 2, w + 2)
            };
            (
                (0..=h_max, 0..=w_max, 0..=h_max, 0..=w_max),
                Just(((c, h, w), seed)),
            )
        })
        .prop_map(|(p, (shape, seed))| {
            let padding = Padding {
                top: p.0,
                left: p.1,
                bottom: p.2,
                right: p.3,
            };
            (shape, padding, seed)
        })
}

/// Whether `mode` accepts `padding` on an `h × w` input, written from PyTorch's rule: reflect
/// needs each padding below the axis length, circular at most the axis length.
fn mode_accepts(mode: PaddingMode, padding: &Padding, h: usize, w: usize) -> bool {
    let sides = [
        (padding.top, h),
        (padding.bottom, h),
        (padding.left, w),
        (padding.right, w),
    ];
    match mode {
        PaddingMode::Reflect => sides.iter().all(|&(p, n)| p < n),
        PaddingMode::Circular => sides.iter().all(|&(p, n)| p <= n),
        PaddingMode::Zeros | PaddingMode::Replicate => true,
    }
}

fn wild_spec() -> impl Strategy<Value = LayerSpec> {
    (
        prop::sample::select(LayerKind::ALL.to_vec()),
        (1usize..=10, 1usize..=10),
        (1usize..=6, 1usize..=8),
        (1usize..=5, 1usize..=3, 0usize..=3, 1usize..=3),
        (1usize..=6, 0usize..=3, 1usize..=3, 1usize..=3),
        any::<bool>(),
        prop::sample::select(vec![
            PaddingSpec::Same,
            PaddingSpec::Valid,
            PaddingSpec::Explicit(0),
        ]),
        any::<bool>(),
        (
            prop::sample::select(UpsampleMode::ALL.to_vec()),
            any::<bool>(),
            prop::sample::select(PaddingMode::ALL.to_vec()),
        ),
    )
        .prop_map(
            |(
                layer,
                (h, w),
                (ci, co),
                (k, s, p, d),
                (g, op, sf, dm),
                bias,
                mode,
                explicit,
                (upsample_mode, align_corners, padding_mode),
            )| {
                let spec = LayerSpec {
                    layer,
                    height: h,
                    width: w,
                    in_channels: ci,
                    out_channels: co,
                    kernel_size: k,
                    stride: s,
                    padding: if explicit {
                        PaddingSpec::Explicit(p)
                    } else {
                        mode
                    },
                    dilation: d,
                    groups: g,
                    output_padding: op,
                    scale_factor: sf,
                    upscale_factor: sf,
                    depth_multiplier: dm,
                    bias,
                    upsample_mode,
                    align_corners,
                    padding_mode,
                };
                spec.corrected(&Limits::GRID).0
            },
        )
}

fn forward_of(spec: &LayerSpec, seed: u64) -> (Forward, LayerWeights, Array3<f32>) {
    let e = spec.effective();
    let input = InputPattern::Random.generate(e.in_channels, e.height, e.width, seed);
    let weights = LayerWeights::generate(spec, KernelPreset::Random, seed).expect("valid spec");
    let fwd = spec
        .forward(input.view(), &weights, &Budget::PLAYGROUND)
        .expect("valid spec");
    (fwd, weights, input)
}

/// Runs the layer's ops one after the other in the naive reference and returns the
/// multiplications it performed, the parameters its weights hold (weights and biases), and the
/// output shape: what `Costs` must report, counted rather than computed from a formula.
fn counted_by_the_reference(spec: &LayerSpec, seed: u64) -> (u128, u128, [usize; 3]) {
    let e = spec.effective();
    let weights = LayerWeights::generate(spec, KernelPreset::Random, seed).expect("valid spec");
    let mut x = InputPattern::Random.generate(e.in_channels, e.height, e.width, seed);
    let mut convs = weights.convs.iter();
    let mut multiplications = 0u128;
    for op in spec.ops() {
        x = match op {
            Op::Conv { options, .. } => {
                let w = convs.next().expect("one weight per convolution");
                let bias = w.bias.as_ref().map(|b| b.view());
                let counted = reference::conv2d(x.view(), w.weight.view(), bias, &options).unwrap();
                multiplications += counted.multiplications;
                counted.output
            }
            Op::ConvTranspose { options, .. } => {
                let w = convs.next().expect("one weight per convolution");
                let bias = w.bias.as_ref().map(|b| b.view());
                let counted =
                    reference::conv_transpose2d(x.view(), w.weight.view(), bias, &options).unwrap();
                multiplications += counted.multiplications;
                counted.output
            }
            // Upsampling copies (or interpolates) pixels: no MACs by the cost conventions.
            Op::Upsample { scale, .. } => {
                reference::upsample_nearest(x.view(), [scale, scale]).unwrap()
            }
            // A rearrangement: no MACs either.
            Op::PixelShuffle { factor } => reference::pixel_shuffle(x.view(), factor).unwrap(),
        };
    }
    let params = weights
        .convs
        .iter()
        .map(|w| (w.weight.len() + w.bias.as_ref().map_or(0, |b| b.len())) as u128)
        .sum();
    (multiplications, params, x.dim().into())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn conv2d_fast_equals_naive(p in conv_problem()) {
        let x = tensor3((p.c_in, p.h, p.w), p.seed);
        let wt = tensor4((p.c_out, p.c_in / p.options.groups, p.k[0], p.k[1]), p.seed ^ 1);
        let b = p.bias.then(|| Array1::from_shape_fn(p.c_out, |i| i as f32 * 0.25 - 0.5));
        let fast = conv2d(x.view(), wt.view(), b.as_ref().map(|b| b.view()), &p.options).unwrap();
        let naive = reference::conv2d(x.view(), wt.view(), b.as_ref().map(|b| b.view()), &p.options).unwrap();
        assert_close(&fast, &naive.output, 1e-4)?;
        // Into a caller's buffer, with a workspace first grown by a larger problem: the same values.
        let mut ws = Workspace::default();
        let big = Array3::<f32>::ones((p.c_in, p.h + 4, p.w + 4));
        let big_out = conv2d(big.view(), wt.view(), None, &p.options).unwrap();
        let mut big_buf = vec![0.0; big_out.len()];
        conv2d_into(big.view(), wt.view(), None, &p.options, &Budget::OPERATIONS, &mut big_buf, &mut ws).unwrap();
        prop_assert_eq!(big_buf.as_slice(), big_out.as_slice().unwrap());
        let mut out = vec![f32::NAN; fast.len()];
        conv2d_into(x.view(), wt.view(), b.as_ref().map(|b| b.view()), &p.options, &Budget::OPERATIONS, &mut out, &mut ws).unwrap();
        prop_assert_eq!(out.as_slice(), fast.as_slice().unwrap());
        prop_assert!(conv2d_into(x.view(), wt.view(), None, &p.options, &Budget::OPERATIONS, &mut vec![0.0; fast.len() + 1], &mut ws).is_err());
        // The naive loops performed exactly the multiplications the MAC formula counts.
        let (_, oh, ow) = fast.dim();
        let macs = (oh * ow * p.c_out * (p.c_in / p.options.groups) * p.k[0] * p.k[1]) as u128;
        prop_assert_eq!(naive.multiplications, macs);
    }

    /// Every padding mode on the random convolutions of `conv2d_fast_equals_naive` (asymmetric
    /// padding, strides, dilations, groups): the fast path equals the naive reference, into a
    /// buffer too; a padding the mode refuses is the same typed error in both.
    #[test]
    fn conv2d_every_padding_mode_fast_equals_naive(p in conv_problem()) {
        let x = tensor3((p.c_in, p.h, p.w), p.seed);
        let wt = tensor4((p.c_out, p.c_in / p.options.groups, p.k[0], p.k[1]), p.seed ^ 6);
        let b = p.bias.then(|| Array1::from_shape_fn(p.c_out, |i| 0.5 - i as f32 * 0.25));
        let b = b.as_ref().map(|b| b.view());
        let mut ws = Workspace::default();
        for mode in PaddingMode::ALL {
            let options = Conv2dOptions { padding_mode: mode, ..p.options.clone() };
            let fast = conv2d(x.view(), wt.view(), b, &options);
            let naive = reference::conv2d(x.view(), wt.view(), b, &options);
            if !mode_accepts(mode, &options.padding, p.h, p.w) {
                let err = fast.unwrap_err();
                prop_assert!(matches!(err, ConvError::PaddingTooLarge { .. }), "{:?}", err);
                prop_assert_eq!(naive.unwrap_err(), err);
                continue;
            }
            let (fast, naive) = (fast.unwrap(), naive.unwrap());
            assert_close(&fast, &naive.output, 1e-4)?;
            // The definition: pad by the mode, then convolve without padding.
            let unpadded = Conv2dOptions { padding: Padding::default(), padding_mode: PaddingMode::Zeros, ..options.clone() };
            let padded = pad(x.view(), options.padding, mode).unwrap();
            assert_close(&conv2d(padded.view(), wt.view(), b, &unpadded).unwrap(), &fast, 1e-5)?;
            let mut out = vec![f32::NAN; fast.len()];
            conv2d_into(x.view(), wt.view(), b, &options, &Budget::OPERATIONS, &mut out, &mut ws).unwrap();
            prop_assert_eq!(out.as_slice(), fast.as_slice().unwrap());
            // The MACs do not depend on what the padding holds.
            let (_, oh, ow) = fast.dim();
            let macs = (oh * ow * p.c_out * (p.c_in / p.options.groups) * p.k[0] * p.k[1]) as u128;
            prop_assert_eq!(naive.multiplications, macs);
        }
    }

    /// `pad` equals the naive padding for every mode, and `pad_source` names the input cell each
    /// padded cell holds (none for a zero cell); a padding the mode refuses is the same typed
    /// error in both and has no sources.
    #[test]
    fn pad_fast_equals_naive_and_sources_agree((shape, padding, seed) in pad_problem()) {
        let x = tensor3(shape, seed);
        let (c, h, w) = shape;
        for mode in PaddingMode::ALL {
            let fast = pad(x.view(), padding, mode);
            let naive = reference::pad(x.view(), padding, mode);
            if !mode_accepts(mode, &padding, h, w) {
                let err = fast.unwrap_err();
                prop_assert!(matches!(err, ConvError::PaddingTooLarge { mode: m, .. } if m == mode), "{:?}", err);
                prop_assert_eq!(naive.unwrap_err(), err);
                prop_assert_eq!(pad_source(0, 0, [h, w], padding, mode), None);
                continue;
            }
            let fast = fast.unwrap();
            prop_assert_eq!(&fast, &naive.unwrap());
            let (_, ph, pw) = fast.dim();
            prop_assert_eq!((ph, pw), (h + padding.top + padding.bottom, w + padding.left + padding.right));
            for y in 0..ph {
                for xx in 0..pw {
                    let inside = (padding.top..padding.top + h).contains(&y) && (padding.left..padding.left + w).contains(&xx);
                    match pad_source(y, xx, [h, w], padding, mode) {
                        Some([sy, sx]) => {
                            prop_assert!(sy < h && sx < w);
                            if inside {
                                prop_assert_eq!([sy, sx], [y - padding.top, xx - padding.left]);
                            }
                            for ci in 0..c {
                                prop_assert_eq!(fast[[ci, y, xx]], x[[ci, sy, sx]]);
                            }
                        }
                        None => {
                            prop_assert!(mode == PaddingMode::Zeros && !inside, "({}, {}) of {:?}", y, xx, mode);
                            for ci in 0..c {
                                prop_assert_eq!(fast[[ci, y, xx]], 0.0);
                            }
                        }
                    }
                }
            }
            prop_assert_eq!(pad_source(ph, 0, [h, w], padding, mode), None);
            prop_assert_eq!(pad_source(0, pw, [h, w], padding, mode), None);
        }
    }

    /// Pixel shuffle equals the naive one, keeps every value (a permutation) and is undone by
    /// reading the blocks back; channel counts that `r²` does not divide are a typed error.
    #[test]
    fn pixel_shuffle_fast_equals_naive(c in 1usize..=3, r in 1usize..=4, h in 1usize..=5, w in 1usize..=5, extra in 1usize..=3, seed in any::<u64>()) {
        let x = tensor3((c * r * r, h, w), seed);
        let fast = pixel_shuffle(x.view(), r).unwrap();
        prop_assert_eq!(fast.dim(), (c, h * r, w * r));
        prop_assert_eq!(&fast, &reference::pixel_shuffle(x.view(), r).unwrap());
        // torch.nn.PixelUnshuffle by its definition gives the input back.
        let back = Array3::from_shape_fn((c * r * r, h, w), |(ch, y, xx)| {
            fast[[ch / (r * r), y * r + (ch % (r * r)) / r, xx * r + ch % r]]
        });
        prop_assert_eq!(&back, &x);
        if r > 1 {
            let odd = tensor3((c * r * r + extra.min(r * r - 1), h, w), seed);
            let err = pixel_shuffle(odd.view(), r).unwrap_err();
            prop_assert!(matches!(err, ConvError::PixelShuffleChannels { .. }), "{:?}", err);
            prop_assert_eq!(reference::pixel_shuffle(odd.view(), r).unwrap_err(), err);
        }
    }

    /// Bilinear upsampling equals the naive one for both corner conventions, any factors per
    /// axis and axes of length 1; constants stay constant; with `align_corners` the four corner
    /// pixels are kept exactly; with factor 1 both conventions are the identity.
    #[test]
    fn upsample_bilinear_fast_equals_naive(c in 1usize..=2, h in 1usize..=6, w in 1usize..=6, sh in 1usize..=4, sw in 1usize..=4, align_corners: bool, seed in any::<u64>()) {
        let x = tensor3((c, h, w), seed);
        let fast = upsample_bilinear(x.view(), [sh, sw], align_corners).unwrap();
        prop_assert_eq!(fast.dim(), (c, h * sh, w * sw));
        assert_close(&fast, &reference::upsample_bilinear(x.view(), [sh, sw], align_corners).unwrap(), 1e-5)?;
        let constant = Array3::from_elem((c, h, w), 0.375f32);
        let up = upsample_bilinear(constant.view(), [sh, sw], align_corners).unwrap();
        prop_assert!(up.iter().all(|&v| (v - 0.375).abs() < 1e-6));
        if align_corners {
            let (oh, ow) = (h * sh - 1, w * sw - 1);
            for ci in 0..c {
                for (y, xx, iy, ix) in [(0, 0, 0, 0), (0, ow, 0, w - 1), (oh, 0, h - 1, 0), (oh, ow, h - 1, w - 1)] {
                    prop_assert_eq!(fast[[ci, y, xx]], x[[ci, iy, ix]]);
                }
            }
        }
        prop_assert_eq!(&upsample_bilinear(x.view(), [1, 1], align_corners).unwrap(), &x);
    }

    #[test]
    fn conv_transpose2d_fast_equals_naive(p in transpose_problem()) {
        let opg = p.c_out / p.options.groups;
        let x = tensor3((p.c_in, p.h, p.w), p.seed);
        let wt = tensor4((p.c_in, opg, p.k, p.k), p.seed ^ 2);
        let b = p.bias.then(|| Array1::from_shape_fn(p.c_out, |i| 0.1 * i as f32));
        let fast = conv_transpose2d(x.view(), wt.view(), b.as_ref().map(|b| b.view()), &p.options).unwrap();
        let naive = reference::conv_transpose2d(x.view(), wt.view(), b.as_ref().map(|b| b.view()), &p.options).unwrap();
        assert_close(&fast, &naive.output, 1e-4)?;
        let macs = (p.h * p.w * p.c_in * opg * p.k * p.k) as u128;
        prop_assert_eq!(naive.multiplications, macs);
    }

    /// ⟨conv(x), y⟩ = ⟨x, conv_transpose(y)⟩ with the same weight and no bias; the input size is
    /// built from the output size so that the transposed output has the input's shape.
    #[test]
    fn conv_transpose_is_adjoint_of_conv(p in adjoint_problem()) {
        let x = tensor3((p.c_in, p.h, p.w), p.seed);
        let wt = tensor4((p.c_out, p.c_in / p.options.groups, p.k[0], p.k[1]), p.seed ^ 3);
        let cx = conv2d(x.view(), wt.view(), None, &p.options).unwrap();
        let y = tensor3(cx.dim(), p.seed ^ 4);
        let t_opts = ConvTranspose2dOptions {
            stride: p.options.stride,
            padding: p.options.padding,
            output_padding: p.output_padding,
            dilation: p.options.dilation,
            groups: p.options.groups,
        };
        // The conv weight (C_out, C_in/g, kh, kw) is read as the transposed weight of a layer
        // from C_out to C_in channels: the same tensor.
        let xt = conv_transpose2d(y.view(), wt.view(), None, &t_opts).unwrap();
        prop_assert_eq!(xt.dim(), x.dim());
        let lhs: f64 = cx.iter().zip(y.iter()).map(|(a, b)| (*a as f64) * (*b as f64)).sum();
        let rhs: f64 = x.iter().zip(xt.iter()).map(|(a, b)| (*a as f64) * (*b as f64)).sum();
        prop_assert!((lhs - rhs).abs() < 1e-3 * (1.0 + lhs.abs()), "{} vs {}", lhs, rhs);
    }

    /// The MACs, FLOPs, parameters and output shape of `Costs` are what the naive reference
    /// counts when it runs the layer's ops, for every layer type at random sizes.
    #[test]
    fn costs_are_what_the_reference_counts(spec in wild_spec(), seed in any::<u64>()) {
        for layer in LayerKind::ALL {
            let spec = LayerSpec { layer, ..spec.clone() }.corrected(&Limits::GRID).0;
            let costs = spec.costs(&Limits::GRID.budget).unwrap();
            let (macs, params, shape) = counted_by_the_reference(&spec, seed);
            prop_assert_eq!(costs.macs, macs, "MACs of {:?}", spec);
            prop_assert_eq!(costs.flops, 2 * macs, "FLOPs of {:?}", spec);
            prop_assert_eq!(costs.params, params, "params of {:?}", spec);
            prop_assert_eq!(costs.output_shape, shape, "shape of {:?}", spec);
        }
    }

    #[test]
    fn corrected_specs_are_valid_and_stable(spec in wild_spec()) {
        prop_assert!(spec.shapes(&Limits::GRID.budget).is_ok(), "{:?}", spec);
        let (again, notes) = spec.corrected(&Limits::GRID);
        prop_assert_eq!(&again, &spec);
        prop_assert!(notes.is_empty(), "{:?}", notes);
    }

    #[test]
    fn stages_match_reported_shapes_and_contributions_sum(spec in wild_spec(), seed in any::<u64>()) {
        let (fwd, _, _) = forward_of(&spec, seed);
        let costs = spec.costs(&Budget::PLAYGROUND).unwrap();
        prop_assert_eq!(fwd.output().shape(), costs.output_shape);
        let shapes = spec.shapes(&Budget::PLAYGROUND).unwrap();
        // Every op's output stage has the shape `shapes` reports for that op.
        for view in &fwd.convs {
            prop_assert_eq!(fwd.stages[view.output_stage].shape(), shapes[view.op]);
        }
        for (ci, view) in fwd.convs.iter().enumerate() {
            let out = &fwd.stages[view.output_stage];
            let [c, h, w] = out.shape();
            for (oc, oy, ox) in [(0, 0, 0), (c - 1, h - 1, w - 1), (c / 2, h / 2, w / 2)] {
                let list = fwd.contributions(ci, oc, oy, ox).unwrap();
                let sum: f32 = list.iter().map(|t| t.weight * t.value).sum::<f32>() + fwd.bias(ci, oc);
                let v = out.data[[oc, oy, ox]];
                prop_assert!((sum - v).abs() <= 1e-3 * (1.0 + v.abs()), "{} vs {}", sum, v);
                // The reverse view agrees: every contributing input cell feeds this output cell.
                for t in list.iter().take(4) {
                    prop_assert!(fwd.feeds(ci, t.channel, t.y, t.x).contains(&[oc, oy, ox]));
                }
            }
        }
    }

    /// Padded stages, every padding mode: a zero cell is 0, every other cell holds the value of
    /// the cell its address names in the stage before (its own place, or for reflect, replicate
    /// and circular padding the cell it repeats), and the border is made of copies exactly when
    /// the mode is not zeros.
    #[test]
    fn padded_stages_copy_their_border_cells(spec in wild_spec(), seed in any::<u64>()) {
        let (fwd, _, _) = forward_of(&spec, seed);
        for view in fwd.convs.iter().filter(|v| !v.transposed) {
            let padded = &fwd.stages[view.input_stage];
            if padded.kind != StageKind::Padded {
                continue;
            }
            let before = &fwd.stages[view.input_stage - 1];
            for ((y, x), cell) in padded.cells.indexed_iter() {
                for c in 0..padded.shape()[0] {
                    let v = padded.data[[c, y, x]];
                    match *cell {
                        Cell::Padding => prop_assert_eq!(v, 0.0),
                        Cell::Data { y: sy, x: sx } | Cell::Copied { y: sy, x: sx } => {
                            prop_assert_eq!(v, before.data[[c, sy, sx]])
                        }
                        other => prop_assert!(false, "{:?} in a padded stage", other),
                    }
                }
            }
            let copies = padded.cells.iter().any(|c| matches!(c, Cell::Copied { .. }));
            let zeros = padded.cells.iter().any(|c| matches!(c, Cell::Padding));
            let mode = spec.effective().padding_mode;
            prop_assert_eq!(copies, mode != PaddingMode::Zeros, "{:?}", spec);
            prop_assert_eq!(zeros, mode == PaddingMode::Zeros, "{:?}", spec);
        }
    }

    /// The backward pass is the layer's adjoint: ⟨L(x), g⟩ = ⟨x, Lᵀ(g)⟩ for the layer without its
    /// biases, random inputs and output gradients, every layer type and padding mode.
    #[test]
    fn input_gradient_is_the_adjoint(spec in wild_spec(), seed in any::<u64>()) {
        let e = spec.effective();
        let mut weights = LayerWeights::generate(&spec, KernelPreset::Random, seed).expect("valid spec");
        for c in &mut weights.convs {
            c.bias = None;
        }
        let x = InputPattern::Random.generate(e.in_channels, e.height, e.width, seed);
        let y = spec.forward(x.view(), &weights, &Budget::PLAYGROUND).unwrap().output().data.clone();
        let g = tensor3(y.dim(), seed ^ 7);
        let back = spec.input_gradient(g.view(), &weights, &Budget::PLAYGROUND).unwrap();
        prop_assert_eq!(back.dim(), x.dim());
        let dot = |a: &Array3<f32>, b: &Array3<f32>| -> (f64, f64) {
            a.iter().zip(b.iter()).fold((0.0, 0.0), |(s, m), (u, v)| {
                (s + *u as f64 * *v as f64, m + (*u as f64 * *v as f64).abs())
            })
        };
        let ((lhs, size_l), (rhs, size_r)) = (dot(&y, &g), dot(&x, &back));
        prop_assert!((lhs - rhs).abs() <= 1e-4 * (1.0 + size_l.max(size_r)), "{} vs {} for {:?}", lhs, rhs, spec);
    }

    #[test]
    fn depthwise_equals_grouped_with_groups_c_in(c in 1usize..=4, mult in 1usize..=2, h in 3usize..=7, k in 1usize..=3, s in 1usize..=2, seed in any::<u64>()) {
        let depthwise = LayerSpec { layer: LayerKind::Depthwise, height: h, width: h, in_channels: c, out_channels: c * mult, kernel_size: k, stride: s, ..LayerSpec::preset(LayerKind::Depthwise) };
        let grouped = LayerSpec { layer: LayerKind::Grouped, groups: c, ..depthwise.clone() };
        let (a, weights, input) = forward_of(&depthwise, seed);
        let b = grouped.forward(input.view(), &weights, &Budget::PLAYGROUND).unwrap();
        assert_close(&a.output().data, &b.output().data, 1e-5)?;
        prop_assert_eq!(depthwise.costs(&Budget::PLAYGROUND).unwrap().macs, grouped.costs(&Budget::PLAYGROUND).unwrap().macs);
    }

    #[test]
    fn separable_equals_depthwise_then_pointwise(c in 1usize..=4, co in 1usize..=5, m in 1usize..=2, h in 3usize..=7, k in 1usize..=3, p in 0usize..=2, seed in any::<u64>()) {
        let spec = LayerSpec { layer: LayerKind::Separable, height: h, width: h, in_channels: c, out_channels: co, depth_multiplier: m, kernel_size: k, padding: PaddingSpec::Explicit(p), ..LayerSpec::preset(LayerKind::Separable) };
        let (fwd, weights, input) = forward_of(&spec, seed);
        let dw = &weights.convs[0];
        let pw = &weights.convs[1];
        let mid = conv2d(input.view(), dw.weight.view(), dw.bias.as_ref().map(|b| b.view()), &Conv2dOptions::square(1, p, 1, c)).unwrap();
        let out = conv2d(mid.view(), pw.weight.view(), pw.bias.as_ref().map(|b| b.view()), &Conv2dOptions::default()).unwrap();
        assert_close(&fwd.output().data, &out, 1e-5)?;
        let costs = spec.costs(&Budget::PLAYGROUND).unwrap();
        let (_, oh, ow) = out.dim();
        prop_assert_eq!(costs.macs, (oh * ow * c * m * k * k + oh * ow * co * c * m) as u128);
    }

    #[test]
    fn upsample_then_conv_equals_conv_over_copied_map(c in 1usize..=3, co in 1usize..=3, h in 1usize..=5, f in 1usize..=3, k in prop::sample::select(vec![1usize, 3, 5]), seed in any::<u64>()) {
        let x = tensor3((c, h, h), seed);
        let wt = tensor4((co, c, k, k), seed ^ 5);
        let p = (k - 1) / 2;
        let up = upsample_nearest(x.view(), [f, f]).unwrap();
        let copied = Array3::from_shape_fn((c, h * f, h * f), |(ci, y, xx)| x[[ci, y / f, xx / f]]);
        prop_assert_eq!(&up, &copied);
        prop_assert_eq!(&up, &reference::upsample_nearest(x.view(), [f, f]).unwrap());
        let mut into = vec![0.0; up.len()];
        upsample_nearest_into(x.view(), [f, f], &mut into).unwrap();
        prop_assert_eq!(into.as_slice(), up.as_slice().unwrap());
        let a = conv2d(up.view(), wt.view(), None, &Conv2dOptions::square(1, p, 1, 1)).unwrap();
        let b = reference::conv2d(copied.view(), wt.view(), None, &Conv2dOptions::square(1, p, 1, 1)).unwrap();
        assert_close(&a, &b.output, 1e-4)?;
    }

    /// A sub-pixel layer is its convolution to `C_out·r²` channels, then the naive pixel shuffle;
    /// every output cell is the cell of the stage before that its `Shuffled` address and
    /// `source_channel` name, and each pixel before the shuffle makes one `r × r` block.
    #[test]
    fn subpixel_layer_is_conv_then_shuffle(c in 1usize..=3, co in 1usize..=3, h in 1usize..=5, w in 1usize..=5, r in 1usize..=4, k in prop::sample::select(vec![1usize, 3]), mode in prop::sample::select(PaddingMode::ALL.to_vec()), seed in any::<u64>()) {
        let p = (k - 1) / 2;
        let spec = LayerSpec { height: h, width: w, in_channels: c, out_channels: co, upscale_factor: r, kernel_size: k, padding: PaddingSpec::Explicit(p), padding_mode: mode, ..LayerSpec::preset(LayerKind::Subpixel) };
        prop_assume!(spec.shapes(&Budget::PLAYGROUND).is_ok());
        let (fwd, weights, x) = forward_of(&spec, seed);
        let conv = &weights.convs[0];
        prop_assert_eq!(conv.weight.dim(), (co * r * r, c, k, k));
        let mut options = Conv2dOptions::square(1, p, 1, 1);
        options.padding_mode = mode;
        let before = reference::conv2d(x.view(), conv.weight.view(), conv.bias.as_ref().map(|b| b.view()), &options).unwrap().output;
        let expected = reference::pixel_shuffle(before.view(), r).unwrap();
        assert_close(&fwd.output().data, &expected, 1e-4)?;
        let last = fwd.stages.len() - 1;
        prop_assert_eq!(fwd.stages[last - 1].kind, StageKind::BeforeShuffle);
        prop_assert!(fwd.shuffles(last));
        let out = fwd.output();
        let [oc, oh, ow] = out.shape();
        prop_assert_eq!([oc, oh, ow], [co, h * r, w * r]);
        for ch in 0..oc {
            for y in 0..oh {
                for xx in 0..ow {
                    let [(sy, sx, _)] = fwd.sources(last, y, xx)[..] else { panic!("one source") };
                    let sc = fwd.source_channel(last, ch, y, xx);
                    prop_assert_eq!(out.data[[ch, y, xx]], fwd.stages[last - 1].data[[sc, sy, sx]]);
                    prop_assert_eq!(fwd.shuffled_to(last, sc, sy, sx), Some([ch, y, xx]));
                }
            }
        }
        prop_assert_eq!(fwd.made_from(last, h - 1, w - 1).len(), r * r);
        // Its costs: the convolution's, and the standard alternative at the output's size has
        // the same MACs with r² times fewer weights.
        let costs = spec.costs(&Budget::PLAYGROUND).unwrap();
        prop_assert_eq!(costs.macs, costs.standard_macs);
        let bias = if spec.bias { 1 } else { 0 };
        prop_assert_eq!(costs.params, ((co * r * r) * (c * k * k + bias)) as u128);
        prop_assert_eq!(costs.standard_params, (co * (c * k * k + bias)) as u128);
    }

    #[test]
    fn bilinear_layer_is_its_sources_then_conv(c in 1usize..=3, co in 1usize..=3, h in 1usize..=5, w in 1usize..=5, f in 1usize..=4, align_corners: bool, seed in any::<u64>()) {
        let spec = LayerSpec { height: h, width: w, in_channels: c, out_channels: co, scale_factor: f, upsample_mode: UpsampleMode::Bilinear, align_corners, ..LayerSpec::preset(LayerKind::Upsample) };
        let (spec, notes) = spec.corrected(&Limits::GRID);
        prop_assume!(notes.is_empty());
        let (fwd, weights, input) = forward_of(&spec, seed);
        // The upsampled stage is PyTorch's bilinear upsampling (the naive reference) ...
        let up = &fwd.stages[1];
        prop_assert_eq!(up.kind, StageKind::Upsampled);
        let naive = reference::upsample_bilinear(input.view(), [f, f], align_corners).unwrap();
        assert_close(&up.data, &naive, 1e-5)?;
        // ... every cell of which is the weighted sum of the sources the trace shows ...
        let [_, uh, uw] = up.shape();
        for (y, x) in [(0, 0), (uh - 1, uw - 1), (uh / 2, uw / 3)] {
            let sources = fwd.sources(1, y, x);
            prop_assert!(!sources.is_empty() && sources.len() <= 4);
            let total: f32 = sources.iter().map(|s| s.2).sum();
            prop_assert!((total - 1.0).abs() < 1e-5, "weights sum to {}", total);
            for ch in 0..c {
                let mixed: f32 = sources.iter().map(|&(sy, sx, wt)| wt * input[[ch, sy, sx]]).sum();
                prop_assert!((mixed - up.data[[ch, y, x]]).abs() < 1e-5);
            }
        }
        // The reverse view lists exactly the cells whose sources hold a pixel.
        for (y, x) in [(0, 0), (h - 1, w - 1), (h / 2, w / 2)] {
            let scanned: Vec<[usize; 2]> = (0..uh)
                .flat_map(|yy| (0..uw).map(move |xx| [yy, xx]))
                .filter(|&[yy, xx]| fwd.sources(1, yy, xx).iter().any(|s| (s.0, s.1) == (y, x)))
                .collect();
            prop_assert_eq!(fwd.made_from(1, y, x), scanned);
        }
        // ... and the output is the convolution of it.
        let cw = &weights.convs[0];
        let e = spec.effective();
        let options = e.ops().into_iter().find_map(|op| match op { Op::Conv { options, .. } => Some(options), _ => None }).unwrap();
        let out = reference::conv2d(naive.view(), cw.weight.view(), cw.bias.as_ref().map(|b| b.view()), &options).unwrap();
        assert_close(&fwd.output().data, &out.output, 1e-4)?;
    }

    #[test]
    fn transposed_views_agree(h in 1usize..=5, k in 1usize..=4, s in 1usize..=3, p in 0usize..=2, seed in any::<u64>()) {
        let spec = LayerSpec { height: h, width: h, kernel_size: k, stride: s, padding: PaddingSpec::Explicit(p), output_padding: 0, in_channels: 2, out_channels: 2, ..LayerSpec::preset(LayerKind::Transposed) };
        let (spec, _) = spec.corrected(&Limits::GRID);
        let (fwd, _, _) = forward_of(&spec, seed);
        let out = fwd.output();
        let [c, oh, ow] = out.shape();
        // Scatter view: summing every stamp gives the output too.
        let mut acc = Array3::<f32>::zeros((c, oh, ow));
        let [ic, ih, iw] = fwd.stages[0].shape();
        let mut stamps = 0usize;
        for ci in 0..ic { for y in 0..ih { for x in 0..iw {
            for st in fwd.scatter(0, ci, y, x) { acc[[st.out_channel, st.y, st.x]] += st.weight * st.value; stamps += 1; }
        }}}
        for co in 0..c { for y in 0..oh { for x in 0..ow { acc[[co, y, x]] += fwd.bias(0, co); }}}
        assert_close(&acc, &out.data, 1e-4)?;
        // Each non-zero product of the convolution view is exactly one stamp of the scatter view.
        let mut data_products = 0usize;
        for co in 0..c { for y in 0..oh { for x in 0..ow {
            data_products += fwd.contributions(0, co, y, x).unwrap().iter().filter(|t| matches!(t.cell, Cell::Data { .. })).count();
        }}}
        prop_assert_eq!(data_products, stamps);
        // All products of the convolution view, zeros included, are the standard alternative's
        // MACs; the stamps of all channels are the layer's own MACs.
        let all_products: usize = (0..c).flat_map(|co| (0..oh).flat_map(move |y| (0..ow).map(move |x| (co, y, x))))
            .map(|(co, y, x)| fwd.contributions(0, co, y, x).unwrap().len())
            .sum();
        let costs = spec.costs(&Budget::PLAYGROUND).unwrap();
        prop_assert_eq!(all_products as u128, costs.standard_macs);
        let full_stamps = (ih * iw * ic * c * spec.kernel_size * spec.kernel_size) as u128;
        prop_assert_eq!(full_stamps, costs.macs);
        // Overlap counts sum to the stamps of one channel pair.
        let overlap = fwd.overlap().unwrap();
        prop_assert_eq!(overlap.iter().map(|&v| v as usize).sum::<usize>(), stamps / (ic * c));
    }
}
