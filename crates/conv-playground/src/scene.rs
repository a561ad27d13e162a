//! `AppState -> Scene`: everything conv-core computes for one state (stages, kernels, costs,
//! formulas), built once per change of what it depends on, so redraws do not recompute.

use conv_core::{Budget, Costs, Formula, Forward, LayerSpec, LayerWeights};
use ndarray::Array3;

use crate::state::{AppState, InputMode};

/// Kernels of one convolution, drawn as the reader sees them: `(count · depth, k, k)` slices in
/// output-channel order, the group of each kernel, the dilation rate.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelSet {
    pub slices: ndarray::Array3<f32>,
    pub depth: usize,
    /// Colour of each kernel: its group, or before a pixel shuffle its place in the block.
    pub groups: Vec<usize>,
    pub dilation: usize,
    /// The factor `r` of the pixel shuffle that follows, if one does.
    pub shuffle: Option<usize>,
}

impl KernelSet {
    pub fn count(&self) -> usize {
        self.slices.dim().0 / self.depth.max(1)
    }
    pub fn k(&self) -> usize {
        self.slices.dim().1
    }
    /// The drawn side: the kernel with its dilation gaps.
    pub fn extent(&self) -> usize {
        conv_core::shape::kernel_field(self.k(), self.dilation).unwrap_or(self.k())
    }
    pub fn group(&self, kernel: usize) -> usize {
        self.groups.get(kernel).copied().unwrap_or(0)
    }
    /// Slice `d` of kernel `kernel` at drawn position `(y, x)`: `None` in a dilation gap.
    pub fn tap(&self, kernel: usize, d: usize, y: usize, x: usize) -> Option<f32> {
        let r = self.dilation.max(1);
        (y % r == 0 && x % r == 0).then(|| self.slices[[kernel * self.depth + d, y / r, x / r]])
    }
    pub fn scale(&self) -> f32 {
        crate::palette::max_abs(self.slices.iter())
    }
}

/// What the figure and the figures are drawn from.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    /// The effective spec (fixed fields filled in).
    pub spec: LayerSpec,
    pub costs: Costs,
    pub formulas: Vec<Formula>,
    pub forward: Forward,
    pub weights: LayerWeights,
    /// Each convolution's kernels as they are drawn ([`Scene::kernel_set`]).
    kernel_sets: Vec<Option<KernelSet>>,
}

/// The part of the state a scene depends on: a change elsewhere (language, theme, notices) does
/// not rebuild it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SceneKey {
    pub spec: LayerSpec,
    pub input: InputMode,
    pub kernel: conv_core::KernelPreset,
    pub pattern: conv_core::InputPattern,
    pub seed: u64,
    pub image: Option<crate::state::ImageInput>,
}

impl From<&AppState> for SceneKey {
    fn from(s: &AppState) -> Self {
        SceneKey {
            spec: s.spec.clone(),
            input: s.input,
            kernel: s.kernel,
            pattern: s.pattern,
            seed: s.seed,
            image: s.image.clone(),
        }
    }
}

/// `cos(t)` to about 1e-5 for the sample picture's rings: `t` folded into [−π, π], then the Taylor
/// series to t¹⁴. The standard library's `cos` links a large-argument reduction (several KB of
/// code and tables) the page does not need for a picture.
fn ring_cos(t: f32) -> f32 {
    use std::f32::consts::{PI, TAU};
    let t = t - TAU * (t / TAU + 0.5).floor();
    let t = if t > PI { t - TAU } else { t };
    let t2 = t * t;
    // Horner form of 1 − t²/2! + t⁴/4! − … + t¹⁴/14!.
    let mut sum = 1.0f32;
    for n in (1..=7).rev() {
        let m = (2 * n) as f32;
        sum = 1.0 - t2 / (m * (m - 1.0)) * sum;
    }
    sum
}

/// Generated sample pictures for the image input (no download needed), one per input pattern:
/// rings over a gradient (random), soft shapes on a diagonal gradient (gradient), blocks
/// (checkerboard) and a large glyph. Values in `[0, 1]`; channels are shifted so that R, G and B
/// differ.
pub fn sample_image(pattern: conv_core::InputPattern, c: usize, h: usize, w: usize) -> Array3<f32> {
    use conv_core::InputPattern;
    Array3::from_shape_fn((c, h, w), |(ci, y, x)| {
        let (fy, fx) = (
            y as f32 / h.max(1) as f32 - 0.5,
            x as f32 / w.max(1) as f32 - 0.5,
        );
        let shift = ci as f32 * 0.15;
        let v = match pattern {
            InputPattern::Random => {
                let r = (fy * fy + fx * fx).sqrt();
                let rings = (0.5 + 0.5 * ring_cos(r * 28.0)) * (1.0 - r).max(0.0);
                0.6 * rings + 0.4 * (fx + 0.5 + shift).fract()
            }
            InputPattern::Gradient => {
                let blob = |cy: f32, cx: f32, rad: f32| {
                    (1.0 - ((fy - cy).powi(2) + (fx - cx).powi(2)).sqrt() / rad).max(0.0)
                };
                0.35 * (fx + fy + 1.0) / 2.0
                    + blob(-0.2, -0.15 + shift * 0.2, 0.25)
                    + 0.7 * blob(0.2, 0.2, 0.18)
            }
            InputPattern::Checkerboard => {
                let cell = (h.max(w) / 8).max(1);
                if ((y / cell) + (x / cell) + ci) % 2 == 0 {
                    0.9
                } else {
                    0.1
                }
            }
            InputPattern::Glyph => {
                let (gy, gx) = (fy + 0.5, fx + 0.5);
                let bar = gy < 0.25 && gx > 0.15 && gx < 0.9;
                let diag = (gx - (0.9 - 0.55 * gy)).abs() < 0.12 && gy >= 0.2;
                if bar || diag {
                    0.95 - shift * 0.3
                } else {
                    0.05 + shift * 0.1
                }
            }
        };
        v.clamp(0.0, 1.0)
    })
}

impl Scene {
    /// Computes the scene of `key`.
    ///
    /// **Errors** with a readable message if conv-core rejects the spec (which the reducer's
    /// corrections should make impossible).
    pub fn build(key: &SceneKey) -> Result<Scene, String> {
        let budget = Budget::PLAYGROUND;
        let spec = key.spec.effective();
        let costs = spec.costs(&budget).map_err(|e| e.to_string())?;
        let formulas = spec.formulas(&budget).map_err(|e| e.to_string())?;
        let input = match key.input {
            InputMode::Grid => {
                key.pattern
                    .generate(spec.in_channels, spec.height, spec.width, key.seed)
            }
            InputMode::Image => match &key.image {
                Some(img) => {
                    let rgba = conv_core::resize_rgba(
                        &img.rgba,
                        img.width,
                        img.height,
                        spec.width,
                        spec.height,
                    )
                    .map_err(|e| e.to_string())?;
                    conv_core::input_from_rgba(&rgba, spec.width, spec.height, spec.in_channels)
                        .map_err(|e| e.to_string())?
                }
                None => sample_image(key.pattern, spec.in_channels, spec.height, spec.width),
            },
        };
        let weights =
            LayerWeights::generate(&spec, key.kernel, key.seed).map_err(|e| e.to_string())?;
        let forward = spec
            .forward(input.view(), &weights, &budget)
            .map_err(|e| e.to_string())?;
        let kernel_sets = (0..forward.convs.len())
            .map(|c| kernels_of(&forward, &weights, c))
            .collect();
        Ok(Scene {
            spec,
            costs,
            formulas,
            forward,
            weights,
            kernel_sets,
        })
    }

    /// The kernels of convolution `conv` as they are drawn: in output-channel order, a
    /// transposed weight per output channel as it stamps.
    pub fn kernel_set(&self, conv: usize) -> Option<&KernelSet> {
        self.kernel_sets.get(conv)?.as_ref()
    }
}

/// The kernels of convolution `conv` as they are drawn: in output-channel order, a transposed
/// weight per output channel as it stamps.
fn kernels_of(fwd: &Forward, weights: &LayerWeights, conv: usize) -> Option<KernelSet> {
    let view = fwd.convs.get(conv)?;
    let original = &weights.convs.get(view.weights)?.weight;
    // Conv layout (C_out, depth, k, k); a transposed weight is (C_in, C_out/g, k, k).
    let w = if view.transposed {
        // In row-major order, or the reshape below refuses it (for more than one input channel).
        original
            .view()
            .permuted_axes([1, 0, 2, 3])
            .as_standard_layout()
            .into_owned()
    } else {
        original.clone()
    };
    let (co, depth, k, _) = w.dim();
    let slices = w.into_shape_with_order((co * depth, k, k)).ok()?;
    let out = &fwd.stages[view.output_stage];
    let shuffle = out.shuffle_factor();
    Some(KernelSet {
        slices,
        depth,
        groups: out.channel_groups.clone(),
        dilation: view.dilation,
        shuffle,
    })
}

/// For a transposed layer, the upsample + conv layer with the same factor, kernel and output
/// size; for an upsample layer, the transposed layer that matches it. `None` for other layers.
pub fn counterpart(spec: &LayerSpec) -> Option<LayerSpec> {
    use conv_core::{LayerKind, Limits, PaddingSpec};
    let e = spec.effective();
    let other = match e.layer {
        LayerKind::Transposed => LayerSpec {
            layer: LayerKind::Upsample,
            scale_factor: e.stride,
            padding: PaddingSpec::Same,
            ..e.clone()
        },
        LayerKind::Upsample => {
            let (f, k, h) = (e.scale_factor, e.kernel_size, e.height);
            let p = k.saturating_sub(f).div_ceil(2);
            let natural = ((h - 1) * f + k) as isize - 2 * p as isize;
            let op = (h * f) as isize - natural;
            let op = if (0..f.max(1) as isize).contains(&op) {
                op as usize
            } else {
                0
            };
            LayerSpec {
                layer: LayerKind::Transposed,
                stride: f,
                padding: PaddingSpec::Explicit(p),
                output_padding: op,
                dilation: 1,
                ..e.clone()
            }
        }
        _ => return None,
    };
    Some(other.corrected(&Limits::GRID).0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Action;
    use conv_core::{LayerKind, LayerSpec};

    #[test]
    fn ring_cos_follows_cos_over_the_rings_range() {
        // The rings use t = 28 r with r up to √0.5: t in [0, 20].
        for i in 0..=4000 {
            let t = i as f32 * 0.005;
            let err = (ring_cos(t) - t.cos()).abs();
            assert!(err < 2e-5, "cos({t}): {} vs {}", ring_cos(t), t.cos());
        }
        assert!((ring_cos(-3.0) - (-3.0f32).cos()).abs() < 2e-5);
    }

    #[test]
    fn every_layer_builds_a_scene() {
        for kind in LayerKind::ALL {
            let state = AppState::default().reduce(Action::SetLayer(kind));
            let scene = Scene::build(&SceneKey::from(&state)).unwrap();
            assert_eq!(scene.forward.output().shape(), scene.costs.output_shape);
            let image = AppState {
                input: InputMode::Image,
                ..state
            };
            assert!(Scene::build(&SceneKey::from(&image)).is_ok());
        }
    }

    #[test]
    fn counterparts_have_the_same_output_size_for_the_presets() {
        for kind in [LayerKind::Transposed, LayerKind::Upsample] {
            let spec = LayerSpec::preset(kind);
            let other = counterpart(&spec).unwrap();
            assert_ne!(other.layer, kind);
            let a = spec.output_shape(&Budget::PLAYGROUND).unwrap();
            let b = other.output_shape(&Budget::PLAYGROUND).unwrap();
            assert_eq!(a, b, "{kind:?}");
        }
        assert!(counterpart(&LayerSpec::preset(LayerKind::Standard)).is_none());
    }

    #[test]
    fn language_does_not_change_the_key() {
        let a = AppState::default();
        let b = AppState {
            lang: crate::i18n::Lang::Zh,
            ..a.clone()
        };
        assert_eq!(SceneKey::from(&a), SceneKey::from(&b));
    }
}
