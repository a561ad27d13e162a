//! Every kernel preset at k = 1, 3 and 5, and the input patterns that are defined exactly,
//! against matrices written out by hand.

use conv_core::{InputPattern, KernelPreset, LayerKind, Param};
use ndarray::{Array2, Array3};

/// A matrix of integers divided by `divisor`, so `1/16 · [1 2 1; …]` reads as it is written.
fn m(rows: &[&[i32]], divisor: f32) -> Array2<f32> {
    let k = rows.len();
    assert!(rows.iter().all(|r| r.len() == k), "rows of equal length");
    Array2::from_shape_fn((k, k), |(y, x)| rows[y][x] as f32 / divisor)
}

/// Checks `preset` at each `(k, expected)` and reports every mismatch at once.
fn check(preset: KernelPreset, cases: &[(usize, Array2<f32>)]) {
    let mut wrong = Vec::new();
    for (k, expected) in cases {
        match preset.kernel(*k) {
            Some(actual)
                if actual.dim() == expected.dim()
                    && actual
                        .iter()
                        .zip(expected.iter())
                        .all(|(a, e)| (a - e).abs() <= 1e-6) => {}
            actual => wrong.push(format!(
                "{preset:?} at k = {k}:\n  expected {expected:?}\n  got      {actual:?}"
            )),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn random_has_no_fixed_kernel() {
    for k in [1, 3, 5] {
        assert_eq!(KernelPreset::Random.kernel(k), None);
    }
}

#[test]
fn identity() {
    check(
        KernelPreset::Identity,
        &[
            (1, m(&[&[1]], 1.0)),
            (3, m(&[&[0, 0, 0], &[0, 1, 0], &[0, 0, 0]], 1.0)),
            (
                5,
                m(
                    &[
                        &[0, 0, 0, 0, 0],
                        &[0, 0, 0, 0, 0],
                        &[0, 0, 1, 0, 0],
                        &[0, 0, 0, 0, 0],
                        &[0, 0, 0, 0, 0],
                    ],
                    1.0,
                ),
            ),
        ],
    );
}

#[test]
fn box_blur() {
    check(
        KernelPreset::BoxBlur,
        &[
            (1, m(&[&[1]], 1.0)),
            (3, m(&[&[1, 1, 1], &[1, 1, 1], &[1, 1, 1]], 9.0)),
            (
                5,
                m(
                    &[
                        &[1, 1, 1, 1, 1],
                        &[1, 1, 1, 1, 1],
                        &[1, 1, 1, 1, 1],
                        &[1, 1, 1, 1, 1],
                        &[1, 1, 1, 1, 1],
                    ],
                    25.0,
                ),
            ),
        ],
    );
}

#[test]
fn gaussian() {
    check(
        KernelPreset::Gaussian,
        &[
            (1, m(&[&[1]], 1.0)),
            (3, m(&[&[1, 2, 1], &[2, 4, 2], &[1, 2, 1]], 16.0)),
            (
                5,
                m(
                    &[
                        &[1, 4, 6, 4, 1],
                        &[4, 16, 24, 16, 4],
                        &[6, 24, 36, 24, 6],
                        &[4, 16, 24, 16, 4],
                        &[1, 4, 6, 4, 1],
                    ],
                    256.0,
                ),
            ),
        ],
    );
}

#[test]
fn sobel_x() {
    check(
        KernelPreset::SobelX,
        &[
            // One tap has no neighbour to take a difference with.
            (1, m(&[&[0]], 1.0)),
            (3, m(&[&[-1, 0, 1], &[-2, 0, 2], &[-1, 0, 1]], 1.0)),
            // Smoothing [1 4 6 4 1] down, derivative [-1 -2 0 2 1] across (OpenCV's ksize = 5).
            (
                5,
                m(
                    &[
                        &[-1, -2, 0, 2, 1],
                        &[-4, -8, 0, 8, 4],
                        &[-6, -12, 0, 12, 6],
                        &[-4, -8, 0, 8, 4],
                        &[-1, -2, 0, 2, 1],
                    ],
                    1.0,
                ),
            ),
        ],
    );
}

#[test]
fn sobel_y() {
    check(
        KernelPreset::SobelY,
        &[
            (1, m(&[&[0]], 1.0)),
            (3, m(&[&[-1, -2, -1], &[0, 0, 0], &[1, 2, 1]], 1.0)),
            (
                5,
                m(
                    &[
                        &[-1, -4, -6, -4, -1],
                        &[-2, -8, -12, -8, -2],
                        &[0, 0, 0, 0, 0],
                        &[2, 8, 12, 8, 2],
                        &[1, 4, 6, 4, 1],
                    ],
                    1.0,
                ),
            ),
        ],
    );
}

#[test]
fn sharpen() {
    check(
        KernelPreset::Sharpen,
        &[
            // Nothing around the centre to subtract: the pixel itself.
            (1, m(&[&[1]], 1.0)),
            // Even: only the right and lower neighbours fit; the weights still sum to 1.
            (2, m(&[&[3, -1], &[-1, 0]], 1.0)),
            (3, m(&[&[0, -1, 0], &[-1, 5, -1], &[0, -1, 0]], 1.0)),
            // The same cross, centred; the rest of the window is zero.
            (
                5,
                m(
                    &[
                        &[0, 0, 0, 0, 0],
                        &[0, 0, -1, 0, 0],
                        &[0, -1, 5, -1, 0],
                        &[0, 0, -1, 0, 0],
                        &[0, 0, 0, 0, 0],
                    ],
                    1.0,
                ),
            ),
        ],
    );
}

/// Blurs, the identity and sharpen keep a flat area's brightness (weights sum to 1); the Sobel
/// kernels see no edge in it (weights sum to 0). Every size the sliders allow, even ones too.
#[test]
fn weights_sum_to_one_or_zero_at_every_size() {
    for k in 1..=11 {
        for preset in [
            KernelPreset::Identity,
            KernelPreset::BoxBlur,
            KernelPreset::Gaussian,
            KernelPreset::Sharpen,
        ] {
            let sum: f32 = preset.kernel(k).unwrap().sum();
            assert!(
                (sum - 1.0).abs() < 1e-4,
                "{preset:?} at k = {k} sums to {sum}"
            );
        }
        for preset in [KernelPreset::SobelX, KernelPreset::SobelY] {
            let kernel = preset.kernel(k).unwrap();
            assert!(kernel.sum().abs() < 1e-4, "{preset:?} at k = {k}");
            // Antisymmetric across the axis it differentiates, symmetric along the other.
            let flipped = match preset {
                KernelPreset::SobelX => kernel.slice(ndarray::s![.., ..;-1]).to_owned(),
                _ => kernel.slice(ndarray::s![..;-1, ..]).to_owned(),
            };
            assert_eq!(flipped, -&kernel, "{preset:?} at k = {k}");
            assert_eq!(
                KernelPreset::SobelY.kernel(k).unwrap(),
                KernelPreset::SobelX.kernel(k).unwrap().t(),
                "Sobel Y is Sobel X transposed at k = {k}"
            );
        }
    }
}

fn grid(rows: &[&[i32]]) -> Array2<f32> {
    Array2::from_shape_fn((rows.len(), rows[0].len()), |(y, x)| rows[y][x] as f32)
}

fn channel(a: &Array3<f32>, c: usize) -> Array2<f32> {
    a.index_axis(ndarray::Axis(0), c).to_owned()
}

#[test]
fn gradient_pattern() {
    // x + y, shifted by one per channel, wrapping at h + w = 7.
    let g = InputPattern::Gradient.generate(3, 3, 4, 1);
    assert_eq!(g.dim(), (3, 3, 4));
    assert_eq!(
        channel(&g, 0),
        grid(&[&[0, 1, 2, 3], &[1, 2, 3, 4], &[2, 3, 4, 5]])
    );
    assert_eq!(
        channel(&g, 1),
        grid(&[&[1, 2, 3, 4], &[2, 3, 4, 5], &[3, 4, 5, 6]])
    );
    assert_eq!(
        channel(&g, 2),
        grid(&[&[2, 3, 4, 5], &[3, 4, 5, 6], &[4, 5, 6, 0]])
    );
    // The seed plays no part.
    assert_eq!(g, InputPattern::Gradient.generate(3, 3, 4, 99));
}

#[test]
fn checkerboard_pattern() {
    let g = InputPattern::Checkerboard.generate(2, 3, 3, 1);
    assert_eq!(channel(&g, 0), grid(&[&[0, 1, 0], &[1, 0, 1], &[0, 1, 0]]));
    // The next channel is the opposite colouring.
    assert_eq!(channel(&g, 1), grid(&[&[1, 0, 1], &[0, 1, 0], &[1, 0, 1]]));
    assert_eq!(g, InputPattern::Checkerboard.generate(2, 3, 3, 99));
}

#[test]
fn glyph_pattern_draws_a_seven() {
    let g = InputPattern::Glyph.generate(2, 8, 8, 1);
    let seven = grid(&[
        &[0, 1, 1, 1, 1, 1, 1, 0],
        &[0, 1, 1, 1, 1, 1, 1, 0],
        &[0, 0, 0, 0, 1, 1, 1, 0],
        &[0, 0, 0, 0, 1, 1, 1, 0],
        &[0, 0, 0, 1, 1, 1, 0, 0],
        &[0, 0, 0, 1, 1, 1, 0, 0],
        &[0, 0, 1, 1, 1, 0, 0, 0],
        &[0, 0, 1, 1, 1, 0, 0, 0],
    ]);
    assert_eq!(channel(&g, 0), seven);
    // Every channel shows the same glyph.
    assert_eq!(channel(&g, 1), seven);
}

#[test]
fn random_pattern_is_seeded_digits() {
    let a = InputPattern::Random.generate(2, 5, 6, 7);
    assert_eq!(a, InputPattern::Random.generate(2, 5, 6, 7), "same seed");
    assert_ne!(a, InputPattern::Random.generate(2, 5, 6, 8), "other seed");
    assert!(a
        .iter()
        .all(|&v| v.fract() == 0.0 && (0.0..=9.0).contains(&v)));
}

#[test]
fn names_round_trip_and_are_the_serde_names() {
    let presets: Vec<&str> = KernelPreset::ALL.iter().map(|p| p.name()).collect();
    assert_eq!(
        presets,
        ["random", "identity", "box-blur", "gaussian", "sobel-x", "sobel-y", "sharpen"]
    );
    for p in KernelPreset::ALL {
        assert_eq!(KernelPreset::from_name(p.name()), Some(p));
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            format!("\"{}\"", p.name())
        );
        let back: KernelPreset = serde_json::from_str(&format!("\"{}\"", p.name())).unwrap();
        assert_eq!(back, p);
    }
    let patterns: Vec<&str> = InputPattern::ALL.iter().map(|p| p.name()).collect();
    assert_eq!(patterns, ["random", "gradient", "checkerboard", "glyph"]);
    for p in InputPattern::ALL {
        assert_eq!(InputPattern::from_name(p.name()), Some(p));
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            format!("\"{}\"", p.name())
        );
    }
    assert_eq!(KernelPreset::from_name("Sobel X"), None);
    assert_eq!(InputPattern::from_name(""), None);
    assert_eq!(KernelPreset::default(), KernelPreset::Random);
    assert_eq!(InputPattern::default(), InputPattern::Random);
}

#[test]
fn layer_and_parameter_names_are_the_url_and_serde_names() {
    let layers: Vec<&str> = LayerKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(
        layers,
        [
            "standard",
            "depthwise",
            "pointwise",
            "separable",
            "transposed",
            "upsample",
            "dilated",
            "grouped",
            "subpixel"
        ]
    );
    let params: Vec<&str> = Param::ALL.iter().map(|p| p.name()).collect();
    assert_eq!(
        params,
        [
            "height",
            "width",
            "in_channels",
            "out_channels",
            "kernel_size",
            "stride",
            "padding",
            "dilation",
            "groups",
            "output_padding",
            "scale_factor",
            "upscale_factor",
            "depth_multiplier",
            "bias",
            "mode",
            "align_corners",
            "padding_mode"
        ]
    );
    for k in LayerKind::ALL {
        assert_eq!(LayerKind::from_name(k.name()), Some(k));
        let json = format!("\"{}\"", k.name());
        assert_eq!(serde_json::to_string(&k).unwrap(), json);
        assert_eq!(serde_json::from_str::<LayerKind>(&json).unwrap(), k);
    }
    for p in Param::ALL {
        assert_eq!(Param::from_name(p.name()), Some(p));
        let json = format!("\"{}\"", p.name());
        assert_eq!(serde_json::to_string(&p).unwrap(), json);
        assert_eq!(serde_json::from_str::<Param>(&json).unwrap(), p);
    }
    assert_eq!(LayerKind::from_name("Standard"), None);
    assert_eq!(Param::from_name("kernelSize"), None);
    assert_eq!(LayerKind::default(), LayerKind::Standard);
}
