//! The wasm SIMD kernels (`src/simd.rs`) against the naive reference on random problems. The
//! direct convolution on kernel sizes 1–5, dilations 1–3, any padding on each side, 1–3 groups,
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
    conv2d, conv_transpose2d, reference, Conv2dOptions, ConvTranspose2dOptions, Padding, SeededRng,
};
use ndarray::{Array1, Array3, Array4};
use wasm_bindgen_test::wasm_bindgen_test;

// Without the target feature these tests would hold the portable path, not the kernel.
#[cfg(not(target_feature = "simd128"))]
compile_error!("build with the simd128 target feature (.cargo/config.toml)");

#[wasm_bindgen_test]
fn the_simd_kernel_equals_the_naive_reference() {
    let mut rng = SeededRng::new(2026);
    let mut pick = |n: usize| ((rng.signed_unit() + 1.0) * 0.5 * n as f32) as usize % n;
    let mut checked = 0;
    for case in 0..600u64 {
        let groups = if case % 3 == 2 { 1 + pick(3) } else { 1 };
        let (ipg, opg) = (2 + pick(4), 1 + pick(9));
        let (k, d) = (1 + pick(5), 1 + pick(3));
        let (h, w) = (1 + pick(20), 1 + pick(20));
        let padding = Padding {
            top: pick(4),
            left: pick(4),
            bottom: pick(4),
            right: pick(4),
        };
        let stride = if case % 5 == 4 { 2 } else { 1 };
        let ext = (k - 1) * d + 1;
        if h + padding.top + padding.bottom < ext || w + padding.left + padding.right < ext {
            continue;
        }
        let mut values = SeededRng::new(case);
        let input = Array3::from_shape_simple_fn((groups * ipg, h, w), || values.signed_unit());
        let weight =
            Array4::from_shape_simple_fn((groups * opg, ipg, k, k), || values.signed_unit());
        let bias = Array1::from_shape_simple_fn(groups * opg, || values.signed_unit());
        let bias = (case % 2 == 0).then_some(bias.view());
        let options = Conv2dOptions {
            stride: [stride, stride],
            padding,
            dilation: [d, d],
            groups,
            ..Conv2dOptions::default()
        };
        let fast = conv2d(input.view(), weight.view(), bias, &options).unwrap();
        let naive = reference::conv2d(input.view(), weight.view(), bias, &options)
            .unwrap()
            .output;
        assert_eq!(fast.dim(), naive.dim(), "case {case}");
        for (a, b) in fast.iter().zip(naive.iter()) {
            assert!(
                (a - b).abs() <= 1e-4 * (1.0 + a.abs().max(b.abs())),
                "case {case}: {a} vs {b} ({options:?}, k {k}, {h}×{w})"
            );
        }
        checked += 1;
    }
    assert!(checked > 300, "{checked} cases");
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
    let mut rng = SeededRng::new(7);
    let mut pick = |n: usize| ((rng.signed_unit() + 1.0) * 0.5 * n as f32) as usize % n;
    for case in 0..40u64 {
        let (ci, co) = (1 + pick(70), 1 + pick(11));
        let (h, w) = (1 + pick(48), 1 + pick(48));
        let groups = if case % 4 == 3 && ci % 2 == 0 && co % 2 == 0 {
            2
        } else {
            1
        };
        let mut values = SeededRng::new(case);
        let input = Array3::from_shape_simple_fn((ci, h, w), || values.signed_unit());
        let weight = Array4::from_shape_simple_fn((co, ci / groups, 1, 1), || values.signed_unit());
        let options = Conv2dOptions {
            groups,
            ..Conv2dOptions::default()
        };
        let fast = conv2d(input.view(), weight.view(), None, &options).unwrap();
        let naive = reference::conv2d(input.view(), weight.view(), None, &options)
            .unwrap()
            .output;
        close(
            &fast,
            &naive,
            &format!("case {case}: {ci}→{co}, {h}×{w}, {groups} groups"),
        );
    }
    // Maps over one column chunk: 64 input channels keep 512 columns a chunk, 40×40 has 1600.
    let mut values = SeededRng::new(99);
    let input = Array3::from_shape_simple_fn((64, 40, 40), || values.signed_unit());
    let weight = Array4::from_shape_simple_fn((6, 64, 1, 1), || values.signed_unit());
    let options = Conv2dOptions::default();
    let fast = conv2d(input.view(), weight.view(), None, &options).unwrap();
    let naive = reference::conv2d(input.view(), weight.view(), None, &options)
        .unwrap()
        .output;
    close(&fast, &naive, "64→6, 40×40");
}

#[wasm_bindgen_test]
fn the_simd_product_equals_the_naive_reference_on_transposed_layers() {
    let mut rng = SeededRng::new(11);
    let mut pick = |n: usize| ((rng.signed_unit() + 1.0) * 0.5 * n as f32) as usize % n;
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
        let mut values = SeededRng::new(case);
        let input = Array3::from_shape_simple_fn((groups * ipg, h, w), || values.signed_unit());
        let weight =
            Array4::from_shape_simple_fn((groups * ipg, opg, k, k), || values.signed_unit());
        let bias = Array1::from_shape_simple_fn(groups * opg, || values.signed_unit());
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
/// `simd::depthwise_run`): kernel sizes 1–5, dilations 1–3, any padding, maps 1–30 pixels wide
/// (runs of 8 and the rest), 1–6 channels, with and without bias.
#[wasm_bindgen_test]
fn the_simd_depthwise_run_equals_the_naive_reference() {
    let mut rng = SeededRng::new(77);
    let mut pick = |n: usize| ((rng.signed_unit() + 1.0) * 0.5 * n as f32) as usize % n;
    let mut checked = 0;
    for case in 0..400u64 {
        let c = 1 + pick(6);
        let (k, d) = (1 + pick(5), 1 + pick(3));
        let (h, w) = (1 + pick(12), 1 + pick(30));
        let padding = Padding {
            top: pick(3),
            left: pick(3),
            bottom: pick(3),
            right: pick(3),
        };
        let ext = (k - 1) * d + 1;
        if h + padding.top + padding.bottom < ext || w + padding.left + padding.right < ext {
            continue;
        }
        let mut values = SeededRng::new(case ^ 0xd00d);
        let input = Array3::from_shape_simple_fn((c, h, w), || values.signed_unit());
        let weight = Array4::from_shape_simple_fn((c, 1, k, k), || values.signed_unit());
        let bias = Array1::from_shape_simple_fn(c, || values.signed_unit());
        let bias = (case % 2 == 0).then_some(bias.view());
        let options = Conv2dOptions {
            padding,
            dilation: [d, d],
            groups: c,
            ..Conv2dOptions::default()
        };
        let fast = conv2d(input.view(), weight.view(), bias, &options).unwrap();
        let naive = reference::conv2d(input.view(), weight.view(), bias, &options)
            .unwrap()
            .output;
        close(
            &fast,
            &naive,
            &format!("case {case}: {options:?}, k {k}, {h}×{w}"),
        );
        checked += 1;
    }
    assert!(checked > 200, "{checked} cases");
}
