//! The wasm SIMD kernels (`src/simd.rs`) against the naive reference on random problems. The
//! direct convolution on kernel sizes 1–5, dilations 1–3, any padding on each side, 1–3 groups
//! (one output channel a group among them, in rows of up to 70 pixels),
//! 2–5 input channels per group, 1–9 output channels per group (blocks of 4 and the rest), maps
//! from 1 to 20 pixels a side (tiles of 8 and the rest), with and without bias: `conv2d` takes
//! the direct kernel for every stride-1 case with a kernel over 1×1 in builds with `+simd128`,
//! which every wasm build of the project has (`.cargo/config.toml`):
//!
//! `cargo test -p conv-core --target wasm32-unknown-unknown --test simd`
//!
//! (a stage of `make test`). 1×1 and strided cases, which take im2col and the SIMD matrix
//! product, are mixed in; the product has tests of its own on the shapes that reach it:
//! 1×1 layers with maps over a column chunk (1024 pixels) and channels that leave partial
//! blocks, and transposed convolutions; and the depthwise run of stride-1 depthwise layers.
#![cfg(target_arch = "wasm32")]

use conv_core::{
    conv2d, conv2d_into, conv_transpose2d, reference, Budget, Conv2dOptions,
    ConvTranspose2dOptions, Padding, SeededRng, Workspace,
};
use ndarray::{Array1, Array3, Array4};
use wasm_bindgen_test::wasm_bindgen_test;

// Without the target feature these tests would hold the portable path, not the kernel.
#[cfg(not(target_feature = "simd128"))]
compile_error!("build with the simd128 target feature (.cargo/config.toml)");

#[wasm_bindgen_test]
fn the_simd_kernel_equals_the_naive_reference() {
    let mut pick = picker(2026);
    let mut checked = 0;
    for case in 0..600u64 {
        let groups = if case % 3 == 2 { 1 + pick(3) } else { 1 };
        let (ipg, opg) = (2 + pick(4), 1 + pick(9));
        let (k, d) = (1 + pick(5), 1 + pick(3));
        // One output channel a group takes tiles of 32 pixels: rows of up to 70 cross them.
        let (h, w) = (1 + pick(20), 1 + pick(if opg == 1 { 70 } else { 20 }));
        let padding = padding_below(&mut pick, 4);
        let stride = if case % 5 == 4 { 2 } else { 1 };
        if !fits(h, w, &padding, k, d) {
            continue;
        }
        let problem = problem(
            case,
            (groups * ipg, h, w),
            (groups * opg, ipg, k, k),
            groups * opg,
        );
        let options = Conv2dOptions {
            stride: [stride, stride],
            padding,
            dilation: [d, d],
            groups,
            ..Conv2dOptions::default()
        };
        case_matches(case, &problem, &options, (k, h, w));
        checked += 1;
    }
    assert!(checked > 300, "{checked} cases");
}

/// Whole numbers below a bound, drawn from the seeded stream of `seed`.
fn picker(seed: u64) -> impl FnMut(usize) -> usize {
    let mut rng = SeededRng::new(seed);
    move |n: usize| ((rng.signed_unit() + 1.0) * 0.5 * n as f32) as usize % n
}

/// A padding of 0 to `most − 1` on each side.
fn padding_below(pick: &mut impl FnMut(usize) -> usize, most: usize) -> Padding {
    Padding {
        top: pick(most),
        left: pick(most),
        bottom: pick(most),
        right: pick(most),
    }
}

/// Whether a `k × k` kernel dilated by `d` fits an `h × w` map with `padding`.
fn fits(h: usize, w: usize, padding: &Padding, k: usize, d: usize) -> bool {
    let ext = (k - 1) * d + 1;
    h + padding.top + padding.bottom >= ext && w + padding.left + padding.right >= ext
}

/// An input of `shape`, weights of `weight` and a bias of `outputs` values, in that order from
/// the seeded stream of `seed`.
fn problem(
    seed: u64,
    shape: (usize, usize, usize),
    weight: (usize, usize, usize, usize),
    outputs: usize,
) -> (Array3<f32>, Array4<f32>, Array1<f32>) {
    let mut values = SeededRng::new(seed);
    let input = Array3::from_shape_simple_fn(shape, || values.signed_unit());
    let weight = Array4::from_shape_simple_fn(weight, || values.signed_unit());
    let bias = Array1::from_shape_simple_fn(outputs, || values.signed_unit());
    (input, weight, bias)
}

/// `conv2d` equals the naive reference within 1e-4 relative, and `conv2d_into` a buffer of NaN
/// the same values (every kernel writes each output value, none adds to what the buffer held).
fn conv_matches(
    (input, weight): (&Array3<f32>, &Array4<f32>),
    bias: Option<ndarray::ArrayView1<f32>>,
    options: &Conv2dOptions,
    what: &str,
) {
    let fast = conv2d(input.view(), weight.view(), bias, options).unwrap();
    let naive = reference::conv2d(input.view(), weight.view(), bias, options)
        .unwrap()
        .output;
    close(&fast, &naive, what);
    let mut out = vec![f32::NAN; fast.len()];
    let (budget, mut workspace) = (Budget::OPERATIONS, Workspace::default());
    conv2d_into(
        input.view(),
        weight.view(),
        bias,
        options,
        &budget,
        &mut out,
        &mut workspace,
    )
    .unwrap();
    assert_eq!(
        out.as_slice(),
        fast.as_slice().unwrap(),
        "{what}: into a buffer"
    );
}

/// Random case `case` (`problem` of kernel side `k` on `h × w` maps, its bias on even cases)
/// equals the naive reference ([`conv_matches`]).
fn case_matches(
    case: u64,
    (input, weight, bias): &(Array3<f32>, Array4<f32>, Array1<f32>),
    options: &Conv2dOptions,
    (k, h, w): (usize, usize, usize),
) {
    let bias = (case % 2 == 0).then_some(bias.view());
    let what = format!("case {case}: {options:?}, k {k}, {h}×{w}");
    conv_matches((input, weight), bias, options, &what);
}

/// `fast` equals `naive` within 1e-4 relative.
fn close(fast: &Array3<f32>, naive: &Array3<f32>, what: &str) {
    assert_eq!(fast.dim(), naive.dim(), "{what}");
    for (a, b) in fast.iter().zip(naive.iter()) {
        assert!(
            (a - b).abs() <= 1e-4 * (1.0 + a.abs().max(b.abs())),
            "{what}: {a} vs {b}"
        );
    }
}

#[wasm_bindgen_test]
fn the_simd_product_equals_the_naive_reference_on_1x1_layers() {
    let mut pick = picker(7);
    for case in 0..40u64 {
        let (ci, co) = (1 + pick(70), 1 + pick(11));
        let (h, w) = (1 + pick(48), 1 + pick(48));
        let groups = if case % 4 == 3 && ci % 2 == 0 && co % 2 == 0 {
            2
        } else {
            1
        };
        let (input, weight, _) = problem(case, (ci, h, w), (co, ci / groups, 1, 1), co);
        let options = Conv2dOptions {
            groups,
            ..Conv2dOptions::default()
        };
        let what = format!("case {case}: {ci}→{co}, {h}×{w}, {groups} groups");
        conv_matches((&input, &weight), None, &options, &what);
    }
    // Maps over one column chunk: 64 input channels keep 512 columns a chunk, 40×40 has 1600.
    let (input, weight, _) = problem(99, (64, 40, 40), (6, 64, 1, 1), 6);
    conv_matches(
        (&input, &weight),
        None,
        &Conv2dOptions::default(),
        "64→6, 40×40",
    );
}

#[wasm_bindgen_test]
fn the_simd_product_equals_the_naive_reference_on_transposed_layers() {
    let mut pick = picker(11);
    let mut checked = 0;
    for case in 0..120u64 {
        let groups = if case % 3 == 2 { 2 } else { 1 };
        let (ipg, opg) = (1 + pick(5), 1 + pick(6));
        let (k, s, d) = (1 + pick(4), 1 + pick(3), 1 + pick(2));
        let (h, w) = (1 + pick(12), 1 + pick(12));
        let padding = pick(3);
        let output_padding = pick(s.max(d));
        let options = ConvTranspose2dOptions {
            stride: [s, s],
            padding: Padding::uniform(padding),
            output_padding: [output_padding, output_padding],
            dilation: [d, d],
            groups,
        };
        let (input, weight, bias) = problem(
            case,
            (groups * ipg, h, w),
            (groups * ipg, opg, k, k),
            groups * opg,
        );
        let Ok(fast) = conv_transpose2d(input.view(), weight.view(), Some(bias.view()), &options)
        else {
            continue;
        };
        let naive =
            reference::conv_transpose2d(input.view(), weight.view(), Some(bias.view()), &options)
                .unwrap()
                .output;
        close(
            &fast,
            &naive,
            &format!("case {case}: {options:?}, k {k}, {h}×{w}"),
        );
        checked += 1;
    }
    assert!(checked > 60, "{checked} cases");
}

/// Depthwise layers at stride 1 (`ops::depthwise_rows`, runs of 8 pixels summed by
/// `simd::depthwise_runs`, two rows at once where the dilation is 1): kernel sizes 1–5, dilations 1–3, any padding, maps 1–30 pixels wide
/// (runs of 8 and the rest), 1–6 channels, with and without bias.
#[wasm_bindgen_test]
fn the_simd_depthwise_run_equals_the_naive_reference() {
    let mut pick = picker(77);
    let mut checked = 0;
    for case in 0..400u64 {
        let c = 1 + pick(6);
        let (k, d) = (1 + pick(5), 1 + pick(3));
        let (h, w) = (1 + pick(12), 1 + pick(30));
        let padding = padding_below(&mut pick, 3);
        if !fits(h, w, &padding, k, d) {
            continue;
        }
        let problem = problem(case ^ 0xd00d, (c, h, w), (c, 1, k, k), c);
        let options = Conv2dOptions {
            padding,
            dilation: [d, d],
            groups: c,
            ..Conv2dOptions::default()
        };
        case_matches(case, &problem, &options, (k, h, w));
        checked += 1;
    }
    assert!(checked > 200, "{checked} cases");
}
