//! Deterministic inputs and weights: a seeded generator, named kernel presets, simple input
//! patterns, and inputs built from image pixels.

use ndarray::{Array1, Array2, Array3, Array4};
use serde::{Deserialize, Serialize};

use crate::forward::{ConvWeights, LayerWeights};
use crate::names::named_enum;
use crate::spec::{ConvRole, LayerSpec, Op};
use crate::ConvError;

/// SplitMix64: small, fast and the same on every platform, so a seed names one exact figure.
#[derive(Debug, Clone)]
pub struct SeededRng(u64);

impl SeededRng {
    pub fn new(seed: u64) -> Self {
        SeededRng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// Uniform in `[-1, 1)`.
    pub fn signed_unit(&mut self) -> f32 {
        ((self.next_u64() >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }

    /// One of `-1, -0.5, 0, 0.5, 1`: values a reader can multiply in their head.
    pub fn half_step(&mut self) -> f32 {
        (self.below(5) as f32 - 2.0) * 0.5
    }
}

named_enum! {
    /// Named kernels a reader knows, at any size `k` (see [`KernelPreset::kernel`]).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
    pub enum KernelPreset {
        /// Seeded values from `{-1, -0.5, 0, 0.5, 1}`.
        #[default]
        Random => "random",
        /// 1 at the centre, 0 elsewhere (for even `k`, the centre is the cell above and left
        /// of the middle).
        Identity => "identity",
        /// `1/k²` everywhere.
        BoxBlur => "box-blur",
        /// The binomial row of `k − 1` (`[1 2 1]`, `[1 4 6 4 1]`, …) times itself, divided by
        /// its sum: `1/16 · [1 2 1]ᵀ[1 2 1]` at 3, `1/256 · [1 4 6 4 1]ᵀ[1 4 6 4 1]` at 5.
        Gaussian => "gaussian",
        /// Horizontal gradient: the binomial row of `k − 1` down (smoothing) times the
        /// derivative row `C(k−2, i−1) − C(k−2, i)` across (the binomial row of `k − 2`
        /// differenced). At 3 the classic `[-1 0 1; -2 0 2; -1 0 1]`; at 5
        /// `[1 4 6 4 1]ᵀ[-1 -2 0 2 1]`, OpenCV's 5×5 Sobel; at 1 all zero (one tap has no
        /// neighbour to take a difference with).
        SobelX => "sobel-x",
        /// Vertical gradient: [`KernelPreset::SobelX`] transposed.
        SobelY => "sobel-y",
        /// The centre 5 and its four neighbours −1 (`[0 -1 0; -1 5 -1; 0 -1 0]`), zeros around
        /// at larger `k`. The weights always sum to 1 (a flat area keeps its brightness): at
        /// `k = 2`, where only the right and lower neighbours fit, `[3 -1; -1 0]`; at `k = 1`,
        /// `[1]`.
        Sharpen => "sharpen",
    }
}

impl KernelPreset {
    /// The `k × k` kernel of the preset (`None` for [`KernelPreset::Random`]).
    pub fn kernel(self, k: usize) -> Option<Array2<f32>> {
        let k = k.max(1);
        let binomial: Vec<f32> = (0..k).map(|i| binomial(k - 1, i)).collect();
        let derivative = sobel_derivative(k);
        let kernel = match self {
            KernelPreset::Random => return None,
            KernelPreset::Identity => Array2::from_shape_fn((k, k), |(y, x)| {
                if y == (k - 1) / 2 && x == (k - 1) / 2 {
                    1.0
                } else {
                    0.0
                }
            }),
            KernelPreset::BoxBlur => Array2::from_elem((k, k), 1.0 / (k * k) as f32),
            KernelPreset::Gaussian => {
                let sum: f32 = binomial.iter().sum();
                Array2::from_shape_fn((k, k), |(y, x)| binomial[y] * binomial[x] / (sum * sum))
            }
            KernelPreset::SobelX => {
                Array2::from_shape_fn((k, k), |(y, x)| binomial[y] * derivative[x])
            }
            KernelPreset::SobelY => {
                Array2::from_shape_fn((k, k), |(y, x)| derivative[y] * binomial[x])
            }
            KernelPreset::Sharpen => {
                let mut m = Array2::zeros((k, k));
                let mid = (k - 1) / 2;
                // The neighbours inside the window; the centre outweighs them by 1.
                let neighbours = [
                    (mid.checked_sub(1), Some(mid)),
                    (Some(mid + 1), Some(mid)),
                    (Some(mid), mid.checked_sub(1)),
                    (Some(mid), Some(mid + 1)),
                ];
                let mut centre = 1.0;
                for (y, x) in neighbours {
                    if let (Some(y), Some(x)) = (y, x) {
                        if y < k && x < k {
                            m[[y, x]] = -1.0;
                            centre += 1.0;
                        }
                    }
                }
                m[[mid, mid]] = centre;
                m
            }
        };
        Some(kernel)
    }
}

/// `C(n, k)`, 0 when `k > n`.
fn binomial(n: usize, k: usize) -> f32 {
    if k > n {
        return 0.0;
    }
    (0..k).fold(1.0f64, |acc, i| acc * (n - i) as f64 / (i + 1) as f64) as f32
}

/// The derivative row of a `k`-tap Sobel kernel, `C(k−2, i−1) − C(k−2, i)`: the binomial row of
/// `k − 2` differenced (`[-1 0 1]` convolved with the binomial row of `k − 3`). `[-1 1]` at 2,
/// `[-1 0 1]` at 3, `[-1 -1 1 1]` at 4, `[-1 -2 0 2 1]` at 5; `[0]` at 1. The middle of an odd
/// row is exactly 0.
fn sobel_derivative(k: usize) -> Vec<f32> {
    if k < 2 {
        return vec![0.0; k];
    }
    (0..k)
        .map(|i| {
            let left = if i == 0 { 0.0 } else { binomial(k - 2, i - 1) };
            left - binomial(k - 2, i)
        })
        .collect()
}

named_enum! {
    /// Simple inputs for the grid view.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
    pub enum InputPattern {
        /// Seeded small integers 0–9.
        #[default]
        Random => "random",
        /// `x + y`, one more per channel, wrapping at `h + w`.
        Gradient => "gradient",
        /// 0 and 1 alternating, the other way round on the next channel.
        Checkerboard => "checkerboard",
        /// A digit-like glyph (a "7"), 1 on 0.
        Glyph => "glyph",
    }
}

impl InputPattern {
    /// A `(c, h, w)` input; channels differ (shifted) so they can be told apart.
    pub fn generate(self, c: usize, h: usize, w: usize, seed: u64) -> Array3<f32> {
        let mut rng = SeededRng::new(seed);
        match self {
            InputPattern::Random => {
                Array3::from_shape_simple_fn((c, h, w), || rng.below(10) as f32)
            }
            InputPattern::Gradient => Array3::from_shape_fn((c, h, w), |(ci, y, x)| {
                ((x + y + ci) % (h + w).max(1)) as f32
            }),
            InputPattern::Checkerboard => {
                Array3::from_shape_fn((c, h, w), |(ci, y, x)| ((x + y + ci) % 2) as f32)
            }
            InputPattern::Glyph => Array3::from_shape_fn((c, h, w), |(ci, y, x)| {
                // A "7": the top bar and a diagonal, drawn in a unit square.
                let (fy, fx) = ((y as f32 + 0.5) / h as f32, (x as f32 + 0.5) / w as f32);
                let bar = fy < 0.25 && fx > 0.15 && fx < 0.9;
                let diag = (fx - (0.9 - 0.55 * fy)).abs() < 0.18 && fy >= 0.2;
                let on = bar || diag;
                if on {
                    1.0 + ci as f32 * 0.0
                } else {
                    0.0
                }
            }),
        }
    }
}

/// An input built from RGBA pixels (`width × height × 4` bytes, row-major), scaled to `[0, 1]`:
/// 1 channel = luminance, 3 = RGB, other counts cycle through R, G, B, luminance.
///
/// **Errors** with [`ConvError::ImageData`] if the byte count does not match, or
/// [`ConvError::ZeroSize`] on an empty image.
pub fn input_from_rgba(
    rgba: &[u8],
    width: usize,
    height: usize,
    channels: usize,
) -> Result<Array3<f32>, ConvError> {
    crate::shape::nonzero("width", width)?;
    crate::shape::nonzero("height", height)?;
    crate::shape::nonzero("in_channels", channels)?;
    let expected = width
        .checked_mul(height)
        .and_then(|v| v.checked_mul(4))
        .ok_or(ConvError::Overflow { what: "image size" })?;
    if rgba.len() != expected {
        return Err(ConvError::ImageData {
            width,
            height,
            expected,
            actual: rgba.len(),
        });
    }
    Ok(Array3::from_shape_fn(
        (channels, height, width),
        |(c, y, x)| {
            let p = &rgba[(y * width + x) * 4..][..4];
            let lum = 0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32;
            let v = if channels == 1 {
                lum
            } else {
                match c % 4 {
                    3 => lum,
                    i => p[i] as f32,
                }
            };
            v / 255.0
        },
    ))
}

/// Resize RGBA pixels (`sw × sh`) to `dw × dh` by averaging the source pixels each target pixel
/// covers (a box filter: downscaling a photo keeps its detail as averages, not as aliasing).
///
/// **Errors** with [`ConvError::ImageData`] if `rgba` is not `sw × sh × 4` bytes, or on a zero size.
pub fn resize_rgba(
    rgba: &[u8],
    sw: usize,
    sh: usize,
    dw: usize,
    dh: usize,
) -> Result<Vec<u8>, ConvError> {
    for (name, v) in [("width", sw), ("height", sh), ("width", dw), ("height", dh)] {
        crate::shape::nonzero(name, v)?;
    }
    let expected = sw
        .checked_mul(sh)
        .and_then(|v| v.checked_mul(4))
        .ok_or(ConvError::Overflow { what: "image size" })?;
    if rgba.len() != expected {
        return Err(ConvError::ImageData {
            width: sw,
            height: sh,
            expected,
            actual: rgba.len(),
        });
    }
    crate::Budget::PLAYGROUND
        .check_elements("image pixels", crate::shape::product(&[dw, dh, 4]))?;
    let mut out = vec![0u8; dw * dh * 4];
    for y in 0..dh {
        let y0 = y * sh / dh;
        let y1 = ((y + 1) * sh).div_ceil(dh).clamp(y0 + 1, sh);
        for x in 0..dw {
            let x0 = x * sw / dw;
            let x1 = ((x + 1) * sw).div_ceil(dw).clamp(x0 + 1, sw);
            let mut acc = [0u64; 4];
            for sy in y0..y1 {
                for sx in x0..x1 {
                    let p = &rgba[(sy * sw + sx) * 4..][..4];
                    for c in 0..4 {
                        acc[c] += p[c] as u64;
                    }
                }
            }
            let n = ((y1 - y0) * (x1 - x0)) as u64;
            for c in 0..4 {
                out[(y * dw + x) * 4 + c] = ((acc[c] + n / 2) / n) as u8;
            }
        }
    }
    Ok(out)
}

impl LayerWeights {
    /// Weights for every convolution op of `spec`: `preset` for the spatial kernels (each input
    /// channel of a group gets the kernel divided by the group's depth, so a blur stays a blur),
    /// seeded values for 1×1 and random kernels; seeded biases in tenths.
    ///
    /// **Errors** only if the spec is invalid (see [`LayerSpec::shapes`]).
    pub fn generate(
        spec: &LayerSpec,
        preset: KernelPreset,
        seed: u64,
    ) -> Result<LayerWeights, ConvError> {
        spec.shapes(&crate::Budget::OPERATIONS)?;
        let e = spec.effective();
        let mut rng = SeededRng::new(seed ^ 0xC0FF_EE00);
        let mut convs = Vec::new();
        for op in spec.ops() {
            let (shape, role, c_out) = match op {
                Op::Conv {
                    role,
                    in_channels,
                    out_channels,
                    kernel,
                    options,
                } => (
                    [out_channels, in_channels / options.groups, kernel, kernel],
                    role,
                    out_channels,
                ),
                Op::ConvTranspose {
                    in_channels,
                    out_channels,
                    kernel,
                    options,
                } => (
                    [in_channels, out_channels / options.groups, kernel, kernel],
                    ConvRole::Main,
                    out_channels,
                ),
                Op::Upsample { .. } | Op::PixelShuffle { .. } => continue,
            };
            let depth = if role == ConvRole::Main && e.layer == crate::LayerKind::Transposed {
                1
            } else {
                shape[1]
            };
            let fixed = if role == ConvRole::Pointwise {
                None
            } else {
                preset.kernel(shape[2])
            };
            let weight = match fixed {
                Some(k) => Array4::from_shape_fn(shape, |(_, _, y, x)| k[[y, x]] / depth as f32),
                None => Array4::from_shape_simple_fn(shape, || rng.half_step()),
            };
            let bias = e
                .bias
                .then(|| Array1::from_shape_simple_fn(c_out, || (rng.below(5) as f32 - 2.0) * 0.1));
            convs.push(ConvWeights { weight, bias });
        }
        Ok(LayerWeights { convs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resize_averages_blocks_and_checks_sizes() {
        // 2×2 pixels of 0, 100, 200, 40 (grey) shrink to their mean, 85.
        let px = |v: u8| [v, v, v, 255];
        let src: Vec<u8> = [px(0), px(100), px(200), px(40)].concat();
        assert_eq!(
            resize_rgba(&src, 2, 2, 1, 1).unwrap(),
            vec![85, 85, 85, 255]
        );
        // Upscaling repeats pixels.
        let up = resize_rgba(&src, 2, 2, 4, 4).unwrap();
        assert_eq!(&up[..4], &[0, 0, 0, 255]);
        assert_eq!(&up[(3 * 4 + 3) * 4..][..4], &[40, 40, 40, 255]);
        assert!(resize_rgba(&src, 3, 2, 1, 1).is_err());
        assert!(resize_rgba(&src, 2, 2, 0, 1).is_err());
        let img = input_from_rgba(&src, 2, 2, 1).unwrap();
        assert!((img[[0, 0, 1]] - 100.0 / 255.0).abs() < 1e-6);
    }
}
