//! `AppState -> Scene`: everything conv-core computes for one state (stages, kernels, costs,
//! formulas), built once per change of what it depends on, so redraws do not recompute.

use std::rc::Rc;

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
        crate::palette::max_abs_of(&self.slices)
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
    /// Shared: a scene built on another (`Scene::with_outputs`) has the same weights.
    pub weights: Rc<LayerWeights>,
    /// What the weights are generated from: scenes with the same have the same weights and
    /// kernels (what the kernels' canvas is drawn again on).
    pub weights_key: WeightsKey,
    /// Each convolution's kernels as they are drawn ([`Scene::kernel_set`]).
    kernel_sets: KernelSets,
}

/// What a layer's spec alone gives, without computing anything of its data: the effective spec,
/// the costs and the formulas. The page shows these figures as soon as a control moves (a large
/// layer's scene follows in a later task, see `scene_worker`); a scene's own are these.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub spec: LayerSpec,
    pub costs: Costs,
    pub formulas: Vec<Formula>,
}

impl Summary {
    /// **Errors** with conv-core's message if it rejects `spec`.
    pub fn of(spec: &LayerSpec) -> Result<Summary, String> {
        let spec = spec.effective();
        let budget = Budget::PLAYGROUND;
        Ok(Summary {
            costs: spec.costs(&budget).map_err(|e| e.to_string())?,
            formulas: spec.formulas(&budget).map_err(|e| e.to_string())?,
            spec,
        })
    }
}

/// What a layer's weights are generated from ([`LayerWeights::generate`]).
#[derive(Debug, Clone, PartialEq)]
pub struct WeightsKey {
    /// The effective spec.
    pub spec: LayerSpec,
    pub kernel: conv_core::KernelPreset,
    pub seed: u64,
}

/// A layer's weights and what they are generated from.
type Weights = (Rc<LayerWeights>, WeightsKey);
/// Each convolution's kernels as they are drawn.
type KernelSets = Rc<Vec<Option<KernelSet>>>;

thread_local! {
    /// The weights generated last, and the kernels drawn from them: a change of the input, of
    /// the data or of a large layer's scene (its outline, then the worker's answers) keeps them,
    /// and generating those of the largest layer takes milliseconds.
    static LAST_WEIGHTS: std::cell::RefCell<Option<(Weights, Option<KernelSets>)>> =
        const { std::cell::RefCell::new(None) };
}

/// The weights of `key`, generated or the last ones again.
fn weights(key: WeightsKey) -> Result<Weights, String> {
    let last = LAST_WEIGHTS.with(|l| {
        l.borrow()
            .as_ref()
            .filter(|((_, k), _)| *k == key)
            .map(|((w, _), _)| w.clone())
    });
    if let Some(w) = last {
        return Ok((w, key));
    }
    let w = LayerWeights::generate(&key.spec, key.kernel, key.seed).map_err(|e| e.to_string())?;
    let weights = (Rc::new(w), key);
    LAST_WEIGHTS.with(|l| *l.borrow_mut() = Some((weights.clone(), None)));
    Ok(weights)
}

/// The kernels of every convolution of `forward` as they are drawn, built once for the weights
/// (kept with them in [`LAST_WEIGHTS`]).
fn kernel_sets(forward: &Forward, weights: &Weights) -> KernelSets {
    let kept = LAST_WEIGHTS.with(|l| {
        l.borrow()
            .as_ref()
            .filter(|((w, _), _)| Rc::ptr_eq(w, &weights.0))
            .and_then(|(_, sets)| sets.clone())
    });
    kept.unwrap_or_else(|| {
        let sets: Rc<Vec<_>> = Rc::new(
            (0..forward.convs.len())
                .map(|c| kernels_of(forward, &weights.0, c))
                .collect(),
        );
        LAST_WEIGHTS.with(|l| *l.borrow_mut() = Some((weights.clone(), Some(sets.clone()))));
        sets
    })
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
        Scene::build_given(key, Vec::new())
    }

    /// The scene of `key` with the convolution outputs `given` (see
    /// [`LayerSpec::forward_given`]; those not given are computed).
    ///
    /// **Errors** as [`Scene::build`], and if a given output has the wrong shape.
    pub fn build_given(key: &SceneKey, given: Vec<Array3<f32>>) -> Result<Scene, String> {
        let (spec, input, weights) = Scene::inputs(key)?;
        let budget = Budget::PLAYGROUND;
        let Summary {
            costs, formulas, ..
        } = Summary::of(&spec)?;
        let forward = spec
            .forward_given(input.view(), &weights.0, &budget, given)
            .map_err(|e| e.to_string())?;
        let kernel_sets = kernel_sets(&forward, &weights);
        Ok(Scene {
            spec,
            costs,
            formulas,
            forward,
            weights: weights.0,
            weights_key: weights.1,
            kernel_sets,
        })
    }

    /// The convolution outputs of `key`'s scene with only the faces of its volumes computed
    /// where that saves time ([`LayerSpec::face_outputs`]).
    ///
    /// **Errors** as [`Scene::build`].
    pub fn face_outputs(key: &SceneKey) -> Result<Vec<Array3<f32>>, String> {
        let (spec, input, (weights, _)) = Scene::inputs(key)?;
        spec.face_outputs(input.view(), &weights, &Budget::PLAYGROUND)
            .map_err(|e| e.to_string())
    }

    /// The convolution outputs of `key`'s scene with only the last convolution's first `n`
    /// output channels computed where that saves time ([`LayerSpec::first_outputs`]).
    ///
    /// **Errors** as [`Scene::build`].
    pub fn first_outputs(key: &SceneKey, n: usize) -> Result<Vec<Array3<f32>>, String> {
        let (spec, input, (weights, _)) = Scene::inputs(key)?;
        spec.first_outputs(input.view(), &weights, &Budget::PLAYGROUND, n)
            .map_err(|e| e.to_string())
    }

    /// The effective spec, the input and the weights of `key`'s scene.
    fn inputs(key: &SceneKey) -> Result<(LayerSpec, Array3<f32>, Weights), String> {
        let spec = key.spec.effective();
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
        let weights = weights(WeightsKey {
            spec: spec.clone(),
            kernel: key.kernel,
            seed: key.seed,
        })?;
        Ok((spec, input, weights))
    }

    /// The scene of `key` with its convolutions not computed: each output taken from `carry`
    /// where it has the right shape (the outputs of the scene shown before), else zero. What
    /// does not depend on the outputs (shapes, costs, formulas, kernels, cells, the input) is
    /// the scene's own, at little cost.
    ///
    /// **Errors** as [`Scene::build`].
    pub fn outline(key: &SceneKey, carry: Option<&Scene>) -> Result<Scene, String> {
        let carried = |i: usize, shape: [usize; 3]| {
            let fwd = &carry?.forward;
            let data = &fwd.stages[fwd.convs.get(i)?.output_stage].data;
            (data.shape() == shape).then(|| data.clone())
        };
        let given = conv_shapes(&key.spec)
            .into_iter()
            .enumerate()
            .map(|(i, shape)| carried(i, shape).unwrap_or_else(|| Array3::zeros(shape)))
            .collect();
        Scene::build_given(key, given)
    }

    /// This scene with the convolution outputs `given` (as [`Scene::build_given`] of its key,
    /// without generating the input and the weights again).
    ///
    /// **Errors** as [`Scene::build_given`].
    pub fn with_outputs(&self, given: Vec<Array3<f32>>) -> Result<Scene, String> {
        let input = self.forward.stages.first().ok_or("no input")?.data.view();
        let forward = self
            .spec
            .forward_given(input, &self.weights, &Budget::PLAYGROUND, given)
            .map_err(|e| e.to_string())?;
        Ok(Scene {
            spec: self.spec.clone(),
            costs: self.costs.clone(),
            formulas: self.formulas.clone(),
            forward,
            weights: self.weights.clone(),
            weights_key: self.weights_key.clone(),
            kernel_sets: self.kernel_sets.clone(),
        })
    }

    /// The kernels of convolution `conv` as they are drawn: in output-channel order, a
    /// transposed weight per output channel as it stamps.
    pub fn kernel_set(&self, conv: usize) -> Option<&KernelSet> {
        self.kernel_sets.get(conv)?.as_ref()
    }
}

/// The output shape of each convolution of `spec`, in order.
pub fn conv_shapes(spec: &LayerSpec) -> Vec<[usize; 3]> {
    use conv_core::Op;
    let shapes = spec.shapes(&Budget::PLAYGROUND).unwrap_or_default();
    let ops = spec.ops().into_iter().zip(shapes);
    ops.filter(|(op, _)| matches!(op, Op::Conv { .. } | Op::ConvTranspose { .. }))
        .map(|(_, shape)| shape)
        .collect()
}

/// The output channels computed first: those the channel view draws of `key`'s output.
pub fn first_maps(key: &SceneKey) -> usize {
    match key.spec.output_shape(&conv_core::Budget::PLAYGROUND) {
        Ok([_, h, w]) => crate::layout::max_maps(h, w),
        Err(_) => crate::layout::MAX_MAPS,
    }
}

/// What a job computes of a scene: all of it, or first what the view shows of a large layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    Whole,
    /// The output channels the channel view draws ([`first_maps`]).
    First,
    /// The faces of the volumes the volume view draws (`LayerSpec::face_outputs`).
    Faces,
}

impl Ask {
    /// What to ask first of `key`'s scene in the volume view (`volume`) or the channel view:
    /// its whole where a first picture would compute it all anyway.
    pub fn first_of(key: &SceneKey, volume: bool) -> Ask {
        match volume {
            true if key.spec.faces_apart() => Ask::Faces,
            false if key.spec.first_apart(first_maps(key)) => Ask::First,
            _ => Ask::Whole,
        }
    }
}

/// What of the last convolution output an answer of the scene worker holds (the outputs before
/// it are always whole).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    Whole,
    /// Its first channels (`LayerSpec::first_outputs`): the rest is zero, not sent.
    First(usize),
    /// Channel 0 and the faces of the others, their top row and last column
    /// (`LayerSpec::face_outputs`): the inside is zero, not sent.
    Faces,
}

/// The flag of the `stored` word: the channels after the stored ones are sent as their faces.
const FACES: u32 = 1 << 31;

/// Convolution outputs as the scene worker sends them: their count, each one's shape and what of
/// it is sent (`c`, `h`, `w`, `stored`; u32, little-endian), then each one's values (f32,
/// little-endian), in order: its first `stored` channels whole, and where `stored` has the
/// [`FACES`] bit, every other channel's top row then its last column below it (`w + h − 1`
/// values). `sent` says what of the last output is sent (see [`Sent`]): at the largest layer a
/// first answer is 64 KB and a faces answer 48 KB, where the whole output is 1 MB.
pub fn encode_outputs(outputs: &[Array3<f32>], sent: Sent) -> Vec<u8> {
    let last = outputs.len().saturating_sub(1);
    let stored = |i: usize, c: usize| match sent {
        Sent::First(n) if i == last => n.min(c) as u32,
        Sent::Faces if i == last => c.min(1) as u32 | FACES,
        _ => c as u32,
    };
    let mut bytes = (outputs.len() as u32).to_le_bytes().to_vec();
    for (i, o) in outputs.iter().enumerate() {
        let (c, h, w) = o.dim();
        for n in [c as u32, h as u32, w as u32, stored(i, c)] {
            bytes.extend(n.to_le_bytes());
        }
    }
    bytes.reserve(4 * outputs.iter().map(|o| o.len()).sum::<usize>());
    let mut put = |v: &f32| bytes.extend(v.to_le_bytes());
    for (i, o) in outputs.iter().enumerate() {
        let (c, h, w) = o.dim();
        let word = stored(i, c);
        let whole = (word & !FACES) as usize;
        o.slice(ndarray::s![..whole, .., ..])
            .iter()
            .for_each(&mut put);
        if word & FACES != 0 && h * w > 0 {
            for ch in whole..c {
                o.slice(ndarray::s![ch, 0, ..]).iter().for_each(&mut put);
                o.slice(ndarray::s![ch, 1.., w - 1])
                    .iter()
                    .for_each(&mut put);
            }
        }
    }
    bytes
}

/// The convolution outputs [`encode_outputs`] wrote (values not sent are zero).
///
/// **Errors** if `bytes` are not such outputs.
pub fn decode_outputs(bytes: &[u8]) -> Result<Vec<Array3<f32>>, String> {
    let word = |i: usize| -> Option<usize> {
        let b = bytes.get(i * 4..i * 4 + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let decode = || -> Option<Vec<Array3<f32>>> {
        let count = word(0)?;
        let mut at = (1 + 4 * count).checked_mul(4)?;
        let mut out = Vec::new();
        for i in 0..count {
            let [c, h, w, stored] = [1, 2, 3, 4].map(|k| word(4 * i + k));
            let (c, h, w, stored) = (c?, h?, w?, stored?);
            let faces = stored & FACES as usize != 0 && h * w > 0;
            let whole = stored & !(FACES as usize);
            let plane = h.checked_mul(w)?;
            let mut values = vec![0f32; c.checked_mul(plane)?];
            // The whole channels' values, then each other channel's top row and last column
            // where faces are sent.
            let mut sent = bytes.get(at..)?.chunks_exact(4);
            let mut put = |cell: usize| -> Option<()> {
                let b = sent.next()?;
                *values.get_mut(cell)? = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                at += 4;
                Some(())
            };
            // (More whole channels said than there are: a value past the maps, refused.)
            for cell in 0..whole * plane {
                put(cell)?;
            }
            for ch in (whole..c).filter(|_| faces) {
                let p = ch * plane;
                for x in 0..w {
                    put(p + x)?;
                }
                for y in 1..h {
                    put(p + y * w + w - 1)?;
                }
            }
            out.push(Array3::from_shape_vec((c, h, w), values).ok()?);
        }
        Some(out)
    };
    decode().ok_or_else(|| "the worker's answer is malformed".to_string())
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
    fn the_summary_of_a_state_is_its_scene_s_figures() {
        for kind in LayerKind::ALL {
            let state = AppState::default().reduce(Action::SetLayer(kind));
            let scene = Scene::build(&SceneKey::from(&state)).unwrap();
            let summary = Summary::of(&state.spec).unwrap();
            assert_eq!(summary.spec, scene.spec, "{kind:?}");
            assert_eq!(summary.costs, scene.costs, "{kind:?}");
            assert_eq!(summary.formulas, scene.formulas, "{kind:?}");
        }
        let bad = LayerSpec {
            kernel_size: 0,
            ..LayerSpec::preset(LayerKind::Standard)
        };
        assert!(Summary::of(&bad).is_err());
    }

    #[test]
    fn weights_are_generated_once_for_scenes_that_share_them() {
        let base = AppState::default().reduce(Action::SetLayer(LayerKind::Standard));
        let other_input = base
            .clone()
            .reduce(Action::SetPattern(conv_core::InputPattern::Checkerboard));
        let a = Scene::build(&SceneKey::from(&base)).unwrap();
        let b = Scene::build(&SceneKey::from(&other_input)).unwrap();
        assert_ne!(a.forward.stages[0].data, b.forward.stages[0].data);
        assert!(Rc::ptr_eq(&a.weights, &b.weights) && a.weights_key == b.weights_key);
        assert!(Rc::ptr_eq(&a.kernel_sets, &b.kernel_sets));
        // Another seed, or more output channels: other weights, generated as a first build
        // generates them.
        for changed in [
            base.clone().reduce(Action::Reseed),
            base.clone()
                .reduce(Action::SetParam(conv_core::Param::OutChannels, 7)),
        ] {
            let c = Scene::build(&SceneKey::from(&changed)).unwrap();
            assert!(!Rc::ptr_eq(&a.weights, &c.weights) && a.weights_key != c.weights_key);
            let fresh = LayerWeights::generate(&c.spec, changed.kernel, changed.seed).unwrap();
            assert_eq!(*c.weights, fresh);
            assert_ne!(c.kernel_set(0), a.kernel_set(0));
        }
    }

    #[test]
    fn a_scene_built_from_its_encoded_outputs_is_the_same_scene() {
        for kind in LayerKind::ALL {
            let state = AppState::default().reduce(Action::SetLayer(kind));
            let key = SceneKey::from(&state);
            let scene = Scene::build(&key).unwrap();
            let bytes = encode_outputs(&scene.forward.clone().into_conv_outputs(), Sent::Whole);
            let given = decode_outputs(&bytes).unwrap();
            let shapes: Vec<[usize; 3]> = given.iter().map(|g| g.dim().into()).collect();
            assert_eq!(shapes, conv_shapes(&scene.spec), "{kind:?}");
            assert_eq!(Scene::build_given(&key, given).unwrap(), scene, "{kind:?}");
            // Cut short or empty, the answer is refused, not a panic.
            assert!(decode_outputs(&bytes[..bytes.len() - 1]).is_err());
            assert!(decode_outputs(&[]).is_err());
            assert!(decode_outputs(&[1, 0, 0, 0, 255, 255, 255, 255]).is_err());
        }
    }

    #[test]
    fn a_first_answer_sends_only_its_channels() {
        let key = SceneKey::from(&AppState::default());
        let outputs = Scene::build(&key).unwrap().forward.into_conv_outputs();
        let (c, h, w) = outputs.last().unwrap().dim();
        assert!(c > 2, "{c} channels");
        let whole = encode_outputs(&outputs, Sent::Whole);
        let first = encode_outputs(&outputs, Sent::First(2));
        assert_eq!(whole.len() - first.len(), 4 * (c - 2) * h * w);
        let decoded = decode_outputs(&first).unwrap();
        for (i, (d, o)) in decoded.iter().zip(&outputs).enumerate() {
            assert_eq!(d.dim(), o.dim());
            let n = if i + 1 == outputs.len() { 2 } else { o.dim().0 };
            let s = ndarray::s![..n, .., ..];
            assert_eq!(d.slice(s), o.slice(s), "output {i}");
            assert!(d.slice(ndarray::s![n.., .., ..]).iter().all(|&v| v == 0.0));
        }
        // More channels asked than there are: all of them.
        assert_eq!(encode_outputs(&outputs, Sent::First(c + 5)), whole);
        // More channels said to be sent than the output has: refused.
        let mut wrong = first.clone();
        let stored = 4 * (4 * outputs.len());
        wrong[stored..stored + 4].copy_from_slice(&(c as u32 + 1).to_le_bytes());
        assert!(decode_outputs(&wrong).is_err());
    }

    #[test]
    fn a_faces_answer_sends_channel_0_and_the_others_top_row_and_last_column() {
        let (c, h, w) = (5, 4, 6);
        let out = Array3::from_shape_fn((c, h, w), |(ch, y, x)| (100 * ch + 10 * y + x) as f32);
        let bytes = encode_outputs(std::slice::from_ref(&out), Sent::Faces);
        assert_eq!(bytes.len(), 4 * (5 + h * w + (c - 1) * (w + h - 1)));
        let decoded = decode_outputs(&bytes).unwrap();
        assert_eq!(decoded.len(), 1);
        for ((ch, y, x), &v) in decoded[0].indexed_iter() {
            let shown = ch == 0 || y == 0 || x == w - 1;
            assert_eq!(v, if shown { out[[ch, y, x]] } else { 0.0 }, "{ch} {y} {x}");
        }
        // Cut short by one value, or said to hold more whole channels than it has: refused.
        assert!(decode_outputs(&bytes[..bytes.len() - 4]).is_err());
        let mut wrong = bytes.clone();
        wrong[16..20].copy_from_slice(&((c as u32 + 1) | FACES).to_le_bytes());
        assert!(decode_outputs(&wrong).is_err());
        // A map of one row or one column: its faces are all of it.
        for (h, w) in [(1, 6), (4, 1), (1, 1)] {
            let out = Array3::from_shape_fn((c, h, w), |(ch, y, x)| (1 + ch + y + x) as f32);
            let bytes = encode_outputs(std::slice::from_ref(&out), Sent::Faces);
            assert_eq!(decode_outputs(&bytes).unwrap()[0], out, "{h}×{w}");
        }
    }

    #[test]
    fn an_outline_is_the_scene_but_for_its_convolution_outputs() {
        for kind in LayerKind::ALL {
            let key = SceneKey::from(&AppState::default().reduce(Action::SetLayer(kind)));
            let scene = Scene::build(&key).unwrap();
            let outline = Scene::outline(&key, None).unwrap();
            let outputs: Vec<usize> = scene.forward.convs.iter().map(|v| v.output_stage).collect();
            assert_eq!(outline.costs, scene.costs);
            assert_eq!(outline.kernel_sets, scene.kernel_sets);
            for (i, (a, b)) in scene
                .forward
                .stages
                .iter()
                .zip(&outline.forward.stages)
                .enumerate()
            {
                assert_eq!(a.cells, b.cells, "{kind:?} {i}");
                if i == 0 {
                    assert_eq!(a.data, b.data, "{kind:?}");
                }
                if outputs.contains(&i) {
                    assert!(b.data.iter().all(|&v| v == 0.0), "{kind:?} {i}");
                }
            }
            // Given the scene's outputs, it is the scene.
            let given = outputs
                .iter()
                .map(|&i| scene.forward.stages[i].data.clone())
                .collect();
            assert_eq!(outline.with_outputs(given).unwrap(), scene, "{kind:?}");
            // Carried from a scene of the same shapes, it is that scene.
            assert_eq!(
                Scene::outline(&key, Some(&scene)).unwrap(),
                scene,
                "{kind:?}"
            );
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
