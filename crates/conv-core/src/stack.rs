//! Stacks of layers: the shape flowing from each layer to the next, a table of costs per layer
//! (parameters, MACs, FLOPs, activation bytes) with its receptive field in closed form (size,
//! jump, start), and the exact footprint of any output cell traced back through every layer.
//!
//! A stack's layers are the playground's layer types ([`LayerSpec`], whose input size and
//! channels come from the layer before) and the layers networks put between them: max and
//! average pooling, global average pooling, flatten, linear, ReLU and batch norm. Conventions in
//! `docs/CONVENTIONS.md` ("Stacks").

use std::collections::HashMap;

use crate::spec::{Correction, LayerKind, LayerSpec, Limits, Op, UpsampleMode};
use crate::{Budget, ConvError, PaddingSpec};

/// One layer of a stack.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A layer of the playground; its `height`, `width` and `in_channels` are set from the layer
    /// before.
    Layer(LayerSpec),
    /// `nn.MaxPool2d(kernel_size, stride, padding)`.
    MaxPool {
        kernel: usize,
        stride: usize,
        padding: usize,
    },
    /// `nn.AvgPool2d(kernel_size, stride, padding)` (padding counted in the mean, PyTorch's
    /// default).
    AvgPool {
        kernel: usize,
        stride: usize,
        padding: usize,
    },
    /// `nn.AdaptiveAvgPool2d(1)`: one value per channel.
    GlobalAvgPool,
    /// `nn.Flatten()`: a map becomes a vector.
    Flatten,
    /// `nn.Linear(in, out_features, bias)` on a vector.
    Linear { out_features: usize, bias: bool },
    /// `nn.ReLU()`.
    Relu,
    /// `nn.BatchNorm2d(C)`: `2·C` learned parameters (scale and shift); the running statistics
    /// are buffers, not parameters, as PyTorch counts them.
    BatchNorm,
}

/// What flows between layers: a map `(C, H, W)` or, after flatten or linear, a vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tensor {
    Map([usize; 3]),
    Vector(usize),
}

impl Tensor {
    /// The number of values.
    pub fn len(&self) -> u128 {
        match *self {
            Tensor::Map([c, h, w]) => c as u128 * h as u128 * w as u128,
            Tensor::Vector(n) => n as u128,
        }
    }

    /// Whether it holds no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The receptive field of one cell of a layer's output in the stack's input, in closed form:
/// cell `i` of the output covers input pixels `start + i·jump ..= start + i·jump + size − 1`
/// along each axis (`start` is negative where the padding reaches out). It applies to chains of
/// windows (convolutions and pooling); after a transposed layer, an upsampling or a pixel shuffle
/// the jump is no longer whole and only the traced footprint answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Field {
    pub size: [i64; 2],
    pub jump: [i64; 2],
    pub start: [i64; 2],
}

/// One row of a stack's table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub output: Tensor,
    pub params: u128,
    pub macs: u128,
    /// `2 × macs`.
    pub flops: u128,
    /// Bytes of the output in `f32`.
    pub activation_bytes: u128,
    /// `None` where the closed form does not apply (see [`Field`]), or after the map is gone.
    pub field: Option<Field>,
}

/// Why a stack cannot be computed: which layer (0-based) and the error.
#[derive(Debug, Clone, PartialEq)]
pub struct StackError {
    pub layer: usize,
    pub error: ConvError,
}

impl std::fmt::Display for StackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "layer {}: {}", self.layer + 1, self.error)
    }
}

/// One spatial step of a layer, as the footprint follows it back.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    /// A window: output `o` reads input `o·stride − before + t·dilation`, `t < kernel`.
    Window {
        kernel: usize,
        stride: usize,
        before: [usize; 2],
        dilation: usize,
    },
    /// A transposed convolution: input `i` reaches output `i·stride − before + t·dilation`.
    Scatter {
        kernel: usize,
        stride: usize,
        before: [usize; 2],
        dilation: usize,
    },
    /// Nearest upsampling or a pixel shuffle by `factor`: output `o` reads input `⌊o / f⌋`.
    Block { factor: usize },
    /// Bilinear upsampling: output `o` reads the (up to) two pixels it mixes.
    Bilinear { factor: usize, align_corners: bool },
    /// Every output reads every input (global pooling, flatten, linear).
    Global,
    /// Output `o` reads input `o` (ReLU, batch norm).
    Same,
}

/// A layer in its stack: its playground layer's spec on its input (if it is one), its input and
/// its output.
pub type Flowed = (Option<LayerSpec>, Tensor, Tensor);

/// A stack: an input shape and its layers.
#[derive(Debug, Clone, PartialEq)]
pub struct Stack {
    pub input: [usize; 3],
    pub blocks: Vec<Block>,
}

/// The most layers a stack holds.
pub const MAX_LAYERS: usize = 32;
/// The longest side of a stack's input.
pub const MAX_SIDE: usize = 4096;

/// The ranges a stack's layers are fitted within ([`Stack::fitted`]): wider than the single
/// layer's sliders, for the sizes and channels of whole networks.
pub const STACK_LIMITS: Limits = Limits {
    max_size: MAX_SIDE,
    max_channels: 4096,
    max_kernel: 64,
    max_stride: 16,
    max_padding: 32,
    max_dilation: 32,
    max_scale: 8,
    max_depth_multiplier: 8,
    budget: Budget::OPERATIONS,
};

impl Stack {
    /// Each layer's input and output, and for a playground layer its spec with the size and
    /// channels of its input set.
    ///
    /// **Errors** as [`Stack::rows`].
    pub fn flow(&self, budget: &Budget) -> Result<Vec<Flowed>, StackError> {
        if self.blocks.len() > MAX_LAYERS {
            return Err(StackError {
                layer: MAX_LAYERS,
                error: ConvError::OutOfRange {
                    name: "layers",
                    value: self.blocks.len() as i128,
                    min: 0,
                    max: MAX_LAYERS as i128,
                },
            });
        }
        // The input within the budget, and no side too long to trace a footprint over.
        let [c, h, w] = self.input;
        let input_error = |error| StackError { layer: 0, error };
        for (name, n) in [("in_channels", c), ("height", h), ("width", w)] {
            crate::shape::nonzero(name, n).map_err(input_error)?;
        }
        if h.max(w) > MAX_SIDE {
            return Err(input_error(ConvError::OutOfRange {
                name: "input side",
                value: h.max(w) as i128,
                min: 1,
                max: MAX_SIDE as i128,
            }));
        }
        budget
            .check_elements("input elements", crate::shape::product(&self.input))
            .map_err(input_error)?;
        let mut t = Tensor::Map(self.input);
        let mut out = Vec::with_capacity(self.blocks.len());
        for (layer, block) in self.blocks.iter().enumerate() {
            let fail = |error| StackError { layer, error };
            let (spec, next) = block.output(t, budget).map_err(fail)?;
            out.push((spec, t, next));
            t = next;
        }
        Ok(out)
    }

    /// This stack with each playground layer set to the nearest values that fit the map the
    /// layer before gives it ([`LayerSpec::corrected`] within [`STACK_LIMITS`]), and what was
    /// changed, by layer. A stack edited elsewhere (a layer removed or moved, a layer's settings
    /// changed) fits again this way wherever a layer's own values can make it fit; what cannot
    /// (a pooling window over a smaller map, a map after flatten) is left for [`Stack::rows`]
    /// to name. Fitting a fitted stack changes nothing.
    pub fn fitted(&self, budget: &Budget) -> (Stack, Vec<(usize, Correction)>) {
        let mut out = self.clone();
        let mut changes = Vec::new();
        let mut t = Tensor::Map(self.input);
        for (layer, block) in out.blocks.iter_mut().enumerate() {
            if let (Block::Layer(spec), Tensor::Map([c, h, w])) = (&mut *block, t) {
                let given = LayerSpec {
                    height: h,
                    width: w,
                    in_channels: c,
                    ..spec.clone()
                };
                let (fit, notes) = given.corrected(&STACK_LIMITS);
                // The input is the layer before's to set: only the layer's own values change.
                if fit.height == h && fit.width == w && fit.in_channels == c {
                    changes.extend(notes.into_iter().map(|n| (layer, n)));
                    *spec = LayerSpec {
                        height: spec.height,
                        width: spec.width,
                        in_channels: spec.in_channels,
                        ..fit
                    };
                }
            }
            match block.output(t, budget) {
                Ok((_, next)) => t = next,
                Err(_) => break,
            }
        }
        (out, changes)
    }

    /// The table: one row per layer.
    ///
    /// **Errors** with the first layer that does not fit its input (a window larger than the
    /// padded map, a map where a vector is needed, a size over `budget`).
    pub fn rows(&self, budget: &Budget) -> Result<Vec<Row>, StackError> {
        let mut field = Some(Field {
            size: [1, 1],
            jump: [1, 1],
            start: [0, 0],
        });
        let mut rows = Vec::new();
        for (layer, (spec, input, output)) in self.flow(budget)?.into_iter().enumerate() {
            let fail = |error| StackError { layer, error };
            let block = &self.blocks[layer];
            let (params, macs) = match (&spec, block) {
                (Some(s), _) => {
                    let c = s.costs(budget).map_err(fail)?;
                    (c.params, c.macs)
                }
                (None, Block::Linear { out_features, bias }) => {
                    let n = input.len();
                    let o = *out_features as u128;
                    (n * o + if *bias { o } else { 0 }, n * o)
                }
                (None, Block::BatchNorm) => match input {
                    Tensor::Map([c, ..]) => (2 * c as u128, 0),
                    Tensor::Vector(n) => (2 * n as u128, 0),
                },
                _ => (0, 0),
            };
            for step in block.steps(spec.as_ref(), input) {
                field = field.and_then(|f| f.through(step));
            }
            if !matches!(output, Tensor::Map(_)) {
                field = None;
            }
            rows.push(Row {
                output,
                params,
                macs,
                flops: macs.saturating_mul(2),
                activation_bytes: output.len().saturating_mul(4),
                field,
            });
        }
        Ok(rows)
    }

    /// The footprint of cell `(y, x)` of layer `layer`'s output (any channel): for the stack's
    /// input (index 0) and the output of every layer before `layer` (index `i + 1`), how many
    /// paths through the layers' taps lead from the cell to each of its cells, traced exactly
    /// through every layer type; padding ends a path (it depends on nothing). Maps whose data
    /// is a vector have a 1 × 1 count.
    ///
    /// **Errors** as [`Stack::rows`], or if the layer or the cell does not exist.
    pub fn footprint(
        &self,
        layer: usize,
        [y, x]: [usize; 2],
        budget: &Budget,
    ) -> Result<Vec<ndarray::Array2<u64>>, StackError> {
        let flow = self.flow(budget)?;
        let bad = |what| StackError {
            layer,
            error: ConvError::ZeroSize { name: what },
        };
        let (_, _, out) = flow.get(layer).ok_or(bad("layer"))?;
        let [oh, ow] = spatial(*out);
        if y >= oh || x >= ow {
            return Err(bad("cell"));
        }
        let mut counts: HashMap<[i64; 2], u64> = HashMap::from([([y as i64, x as i64], 1)]);
        let mut maps = Vec::with_capacity(layer + 1);
        for i in (0..=layer).rev() {
            let (spec, input, _) = &flow[i];
            let steps = self.blocks[i].steps(spec.as_ref(), *input);
            // The steps' intermediate maps (an upsampled map, the maps before a shuffle) have
            // the sizes the steps give them, walked back from the layer's input.
            let sizes = step_sizes(&steps, spatial(*input));
            for (step, size) in steps.iter().zip(sizes).rev() {
                counts = back(*step, &counts, size, true);
            }
            maps.push(dense(&counts, spatial(*input)));
        }
        maps.reverse();
        Ok(maps)
    }

    /// The bounding box `[y0, x0, y1, x1]` of the footprint of cell `(y, x)` of layer `layer` in
    /// the stack's input, traced as if every map went on past its borders (padding included),
    /// which is what the closed form [`Field`] describes.
    ///
    /// **Errors** as [`Stack::footprint`].
    pub fn unbounded_extent(
        &self,
        layer: usize,
        [y, x]: [usize; 2],
        budget: &Budget,
    ) -> Result<[i64; 4], StackError> {
        let flow = self.flow(budget)?;
        let mut counts: HashMap<[i64; 2], u64> = HashMap::from([([y as i64, x as i64], 1)]);
        for i in (0..=layer.min(flow.len().saturating_sub(1))).rev() {
            let (spec, input, _) = &flow[i];
            let steps = self.blocks[i].steps(spec.as_ref(), *input);
            let sizes = step_sizes(&steps, spatial(*input));
            for (step, size) in steps.iter().zip(sizes).rev() {
                counts = back(*step, &counts, size, false);
            }
        }
        let ys = counts.keys().map(|k| k[0]);
        let xs = counts.keys().map(|k| k[1]);
        Ok([
            ys.clone().min().unwrap_or(0),
            xs.clone().min().unwrap_or(0),
            ys.max().unwrap_or(0),
            xs.max().unwrap_or(0),
        ])
    }
}

/// `(H, W)` of a tensor (a vector is 1 × 1).
fn spatial(t: Tensor) -> [usize; 2] {
    match t {
        Tensor::Map([_, h, w]) => [h, w],
        Tensor::Vector(_) => [1, 1],
    }
}

/// The size of the map each step reads, the first being `input`.
fn step_sizes(steps: &[Step], input: [usize; 2]) -> Vec<[usize; 2]> {
    let mut size = input;
    let mut sizes = Vec::with_capacity(steps.len());
    for step in steps {
        sizes.push(size);
        size = match *step {
            Step::Block { factor } | Step::Bilinear { factor, .. } => size.map(|n| n * factor),
            Step::Window {
                kernel,
                stride,
                before,
                dilation,
            } => {
                // Only the size matters here: the layer's own shapes already passed.
                let ext = (kernel - 1) * dilation + 1;
                [0, 1].map(|a| (size[a] + 2 * before[a]).saturating_sub(ext) / stride + 1)
            }
            _ => size,
        };
    }
    sizes
}

/// Counts on a step's output, followed back to the map it reads (`size`); with `clip`, taps
/// outside that map (padding) end there.
fn back(
    step: Step,
    counts: &HashMap<[i64; 2], u64>,
    size: [usize; 2],
    clip: bool,
) -> HashMap<[i64; 2], u64> {
    let mut out: HashMap<[i64; 2], u64> = HashMap::new();
    let inside = |p: [i64; 2]| {
        !clip || (p[0] >= 0 && p[1] >= 0 && p[0] < size[0] as i64 && p[1] < size[1] as i64)
    };
    let mut add = |p: [i64; 2], n: u64| {
        if inside(p) {
            let e = out.entry(p).or_insert(0);
            *e = e.saturating_add(n);
        }
    };
    for (&[y, x], &n) in counts {
        match step {
            Step::Global => {
                for yy in 0..size[0] as i64 {
                    for xx in 0..size[1] as i64 {
                        add([yy, xx], n);
                    }
                }
            }
            _ => {
                let (ys, xs) = (taps(step, 0, y, size[0]), taps(step, 1, x, size[1]));
                for &yy in &ys {
                    for &xx in &xs {
                        add([yy, xx], n);
                    }
                }
            }
        }
    }
    out
}

/// The input positions along `axis` (of a map `len` long) that output position `o` reads.
fn taps(step: Step, axis: usize, o: i64, len: usize) -> Vec<i64> {
    match step {
        Step::Window {
            kernel,
            stride,
            before,
            dilation,
        } => (0..kernel as i64)
            .map(|t| o * stride as i64 - before[axis] as i64 + t * dilation as i64)
            .collect(),
        Step::Scatter {
            kernel,
            stride,
            before,
            dilation,
        } => (0..kernel as i64)
            .filter_map(|t| {
                let at = o + before[axis] as i64 - t * dilation as i64;
                (at.rem_euclid(stride as i64) == 0).then(|| at.div_euclid(stride as i64))
            })
            .collect(),
        Step::Block { factor } => vec![o.div_euclid(factor as i64)],
        Step::Bilinear {
            factor,
            align_corners,
        } => {
            if o < 0 || len == 0 || o as usize >= len * factor {
                return vec![o.div_euclid(factor as i64)];
            }
            let (a, b, wb) = crate::bilinear_taps(o as usize, len, factor, align_corners);
            let mut v = Vec::with_capacity(2);
            if wb < 1.0 {
                v.push(a as i64);
            }
            if wb > 0.0 && b != a {
                v.push(b as i64);
            }
            v
        }
        Step::Same | Step::Global => vec![o],
    }
}

/// Counts as a dense map of `size`, the cells outside it left out.
fn dense(counts: &HashMap<[i64; 2], u64>, [h, w]: [usize; 2]) -> ndarray::Array2<u64> {
    let mut m = ndarray::Array2::zeros((h, w));
    for (&[y, x], &n) in counts {
        if y >= 0 && x >= 0 && (y as usize) < h && (x as usize) < w {
            m[[y as usize, x as usize]] = n;
        }
    }
    m
}

impl Field {
    /// The field after one more step, `None` where the closed form ends.
    fn through(self, step: Step) -> Option<Field> {
        match step {
            Step::Window {
                kernel,
                stride,
                before,
                dilation,
            } => {
                let ext = ((kernel - 1) * dilation) as i64;
                Some(Field {
                    size: [0, 1].map(|a| self.size[a] + ext * self.jump[a]),
                    jump: self.jump.map(|j| j * stride as i64),
                    start: [0, 1].map(|a| self.start[a] - before[a] as i64 * self.jump[a]),
                })
            }
            Step::Same => Some(self),
            _ => None,
        }
    }
}

impl Block {
    /// `nn.MaxPool2d` (`max`) or `nn.AvgPool2d` with these settings.
    pub fn pool(max: bool, kernel: usize, stride: usize, padding: usize) -> Block {
        if max {
            Block::MaxPool {
                kernel,
                stride,
                padding,
            }
        } else {
            Block::AvgPool {
                kernel,
                stride,
                padding,
            }
        }
    }

    /// A pooling layer's `(max, kernel, stride, padding)`, the inverse of [`Block::pool`].
    pub fn as_pool(&self) -> Option<(bool, usize, usize, usize)> {
        match *self {
            Block::MaxPool {
                kernel,
                stride,
                padding,
            } => Some((true, kernel, stride, padding)),
            Block::AvgPool {
                kernel,
                stride,
                padding,
            } => Some((false, kernel, stride, padding)),
            _ => None,
        }
    }
}

impl Block {
    /// The spec of a playground layer on `input`, and what the block makes of `input`.
    fn output(
        &self,
        input: Tensor,
        budget: &Budget,
    ) -> Result<(Option<LayerSpec>, Tensor), ConvError> {
        let map = || match input {
            Tensor::Map(m) => Ok(m),
            Tensor::Vector(_) => Err(ConvError::OutOfRange {
                name: "a map (this layer needs one, after flatten there is none)",
                value: 0,
                min: 1,
                max: 1,
            }),
        };
        Ok(match *self {
            Block::Layer(ref spec) => {
                let [c, h, w] = map()?;
                let s = LayerSpec {
                    height: h,
                    width: w,
                    in_channels: c,
                    ..spec.clone()
                };
                let out = s.output_shape(budget)?;
                (Some(s), Tensor::Map(out))
            }
            Block::MaxPool {
                kernel,
                stride,
                padding,
            }
            | Block::AvgPool {
                kernel,
                stride,
                padding,
            } => {
                let [c, h, w] = map()?;
                crate::shape::nonzero("stride", stride)?;
                let ext = crate::shape::kernel_field(kernel, 1)?;
                // PyTorch: padding at most half the kernel.
                if 2 * padding > kernel {
                    return Err(ConvError::OutOfRange {
                        name: "pool padding",
                        value: padding as i128,
                        min: 0,
                        max: (kernel / 2) as i128,
                    });
                }
                let len = |n: usize, axis| -> Result<usize, ConvError> {
                    let padded = n + 2 * padding;
                    if padded < ext {
                        return Err(ConvError::KernelLargerThanInput {
                            axis,
                            kernel,
                            dilation: 1,
                            extent: ext,
                            padded,
                        });
                    }
                    Ok((padded - ext) / stride + 1)
                };
                (None, Tensor::Map([c, len(h, "height")?, len(w, "width")?]))
            }
            Block::GlobalAvgPool => {
                let [c, ..] = map()?;
                (None, Tensor::Map([c, 1, 1]))
            }
            Block::Flatten => (None, Tensor::Vector(input.len() as usize)),
            Block::Linear { out_features, .. } => {
                crate::shape::nonzero("out_features", out_features)?;
                match input {
                    Tensor::Vector(_) => (None, Tensor::Vector(out_features)),
                    // nn.Linear on a map acts on its last axis; a stack flattens first.
                    Tensor::Map(_) => {
                        return Err(ConvError::OutOfRange {
                            name: "a vector (flatten the map before a linear layer)",
                            value: 0,
                            min: 1,
                            max: 1,
                        })
                    }
                }
            }
            Block::Relu | Block::BatchNorm => (None, input),
        })
    }

    /// The spatial steps of the block (`spec`: its playground layer on its input).
    fn steps(&self, spec: Option<&LayerSpec>, input: Tensor) -> Vec<Step> {
        match (self, spec) {
            (Block::Layer(_), Some(s)) => s.ops().iter().map(op_step).collect(),
            (
                Block::MaxPool {
                    kernel,
                    stride,
                    padding,
                }
                | Block::AvgPool {
                    kernel,
                    stride,
                    padding,
                },
                _,
            ) => vec![Step::Window {
                kernel: *kernel,
                stride: *stride,
                before: [*padding; 2],
                dilation: 1,
            }],
            (Block::GlobalAvgPool | Block::Linear { .. }, _) => vec![Step::Global],
            (Block::Flatten, _) if matches!(input, Tensor::Map(_)) => vec![Step::Global],
            _ => vec![Step::Same],
        }
    }
}

/// The spatial step of one op of a playground layer.
fn op_step(op: &Op) -> Step {
    match *op {
        Op::Conv {
            kernel,
            ref options,
            ..
        } => Step::Window {
            kernel,
            stride: options.stride[0],
            before: [options.padding.top, options.padding.left],
            dilation: options.dilation[0],
        },
        Op::ConvTranspose {
            kernel,
            ref options,
            ..
        } => Step::Scatter {
            kernel,
            stride: options.stride[0],
            before: [options.padding.top, options.padding.left],
            dilation: options.dilation[0],
        },
        Op::Upsample {
            scale,
            mode: UpsampleMode::Bilinear,
            align_corners,
        } => Step::Bilinear {
            factor: scale,
            align_corners,
        },
        Op::Upsample { scale, .. } => Step::Block { factor: scale },
        Op::PixelShuffle { factor } => Step::Block { factor },
    }
}

/// The values a layer of a stack gives: a map `(C, H, W)` or a vector.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Map(ndarray::Array3<f32>),
    Vector(ndarray::Array1<f32>),
}

/// Max or average pooling of `input` by a `kernel × kernel` window at `stride` with `padding`
/// (a padded cell never wins the maximum; the mean counts it as 0 over all `kernel²` cells, as
/// PyTorch's `count_include_pad=True`): each window read in place, without a padded copy.
///
/// **Errors** if the window does not fit the padded map or the stride is 0.
pub fn pool2d(
    input: ndarray::ArrayView3<f32>,
    [kernel, stride, padding]: [usize; 3],
    max: bool,
) -> Result<ndarray::Array3<f32>, ConvError> {
    let (c, h, w) = input.dim();
    let (ph, pw) = (h + 2 * padding, w + 2 * padding);
    if stride == 0 || kernel == 0 || kernel > ph || kernel > pw {
        return Err(ConvError::ZeroSize {
            name: "pooling window",
        });
    }
    let (oh, ow) = ((ph - kernel) / stride + 1, (pw - kernel) / stride + 1);
    // The input rows (or columns) a window starting at padded position `start` covers.
    let span = |start: usize, len: usize| {
        let lo = start.saturating_sub(padding);
        let hi = (start + kernel).saturating_sub(padding).min(len);
        lo..hi.max(lo)
    };
    let area = (kernel * kernel) as f32;
    Ok(ndarray::Array3::from_shape_fn(
        (c, oh, ow),
        |(ci, oy, ox)| {
            let (ys, xs) = (span(oy * stride, h), span(ox * stride, w));
            let cells = ys.flat_map(|y| xs.clone().map(move |x| input[[ci, y, x]]));
            if max {
                cells.fold(f32::NEG_INFINITY, f32::max)
            } else {
                cells.sum::<f32>() / area
            }
        },
    ))
}

impl Stack {
    /// Runs the stack on `input` (`self.input`'s shape): every layer's output, in order. The
    /// playground layers draw their weights as the page does (`LayerWeights::generate`, random
    /// kernels, seed `seed + i` for layer `i`); a linear layer draws its own; batch norm is in
    /// its initial evaluation state (scale 1, shift 0, mean 0, variance 1, eps 1e-5).
    ///
    /// **Errors** as [`Stack::rows`], or if `input` is not the stack's input shape.
    pub fn forward(
        &self,
        input: ndarray::ArrayView3<f32>,
        seed: u64,
        budget: &Budget,
    ) -> Result<Vec<Values>, StackError> {
        let flow = self.flow(budget)?;
        if <[usize; 3]>::from(input.dim()) != self.input {
            return Err(StackError {
                layer: 0,
                error: ConvError::ZeroSize {
                    name: "an input of the stack's shape",
                },
            });
        }
        let mut x = Values::Map(input.to_owned());
        let mut out = Vec::with_capacity(flow.len());
        for (i, (spec, _, _)) in flow.iter().enumerate() {
            let fail = |error| StackError { layer: i, error };
            x = self.blocks[i]
                .run(spec.as_ref(), x, seed.wrapping_add(i as u64), budget)
                .map_err(fail)?;
            out.push(x.clone());
        }
        Ok(out)
    }
}

impl Block {
    /// The block on `x` (its playground layer's `spec` on that input, weights from `seed`).
    fn run(
        &self,
        spec: Option<&LayerSpec>,
        x: Values,
        seed: u64,
        budget: &Budget,
    ) -> Result<Values, ConvError> {
        let map = |x: Values| match x {
            Values::Map(m) => Ok(m),
            Values::Vector(_) => Err(ConvError::ZeroSize { name: "a map" }),
        };
        Ok(match (self, spec) {
            (Block::Layer(_), Some(s)) => {
                let w = crate::LayerWeights::generate(s, crate::KernelPreset::Random, seed)?;
                let fwd = s.forward(map(x)?.view(), &w, budget)?;
                Values::Map(fwd.output().data.clone())
            }
            (
                Block::MaxPool {
                    kernel,
                    stride,
                    padding,
                },
                _,
            ) => Values::Map(pool2d(map(x)?.view(), [*kernel, *stride, *padding], true)?),
            (
                Block::AvgPool {
                    kernel,
                    stride,
                    padding,
                },
                _,
            ) => Values::Map(pool2d(map(x)?.view(), [*kernel, *stride, *padding], false)?),
            (Block::GlobalAvgPool, _) => {
                let m = map(x)?;
                let means = m
                    .outer_iter()
                    .map(|ch| ch.mean().unwrap_or(0.0))
                    .collect::<Vec<f32>>();
                Values::Map(
                    ndarray::Array3::from_shape_vec((means.len(), 1, 1), means)
                        .map_err(|_| ConvError::ZeroSize { name: "channels" })?,
                )
            }
            (Block::Flatten, _) => match x {
                Values::Map(m) => Values::Vector(m.iter().copied().collect()),
                v => v,
            },
            (Block::Linear { out_features, bias }, _) => {
                let Values::Vector(v) = x else {
                    return Err(ConvError::ZeroSize { name: "a vector" });
                };
                let mut rng = crate::SeededRng::new(seed ^ 0x11AE_A200);
                let weight =
                    ndarray::Array2::from_shape_simple_fn((*out_features, v.len()), || {
                        rng.signed_unit()
                    });
                let mut y = weight.dot(&v);
                if *bias {
                    y.mapv_inplace(|o| o + 0.1);
                }
                Values::Vector(y)
            }
            (Block::Relu, _) => match x {
                Values::Map(m) => Values::Map(m.mapv(|v| v.max(0.0))),
                Values::Vector(v) => Values::Vector(v.mapv(|v| v.max(0.0))),
            },
            (Block::BatchNorm, _) => {
                let k = 1.0 / (1.0f32 + 1e-5).sqrt();
                match x {
                    Values::Map(m) => Values::Map(m.mapv(|v| v * k)),
                    Values::Vector(v) => Values::Vector(v.mapv(|v| v * k)),
                }
            }
            (Block::Layer(_), None) => return Err(ConvError::ZeroSize { name: "layer spec" }),
        })
    }
}

/// A convolution layer of a preset: `k×k`, `C_out` channels, stride, padding, dilation, bias.
fn conv(kind: LayerKind, out: usize, k: usize, stride: usize, pad: usize, bias: bool) -> Block {
    Block::Layer(LayerSpec {
        out_channels: out,
        kernel_size: k,
        stride,
        padding: PaddingSpec::Explicit(pad),
        dilation: 1,
        groups: 1,
        bias,
        ..LayerSpec::preset(kind)
    })
}

/// The presets of the stack view, by name (`stack=` in the URL).
pub const PRESETS: [&str; 5] = [
    "mobilenet_v1",
    "vgg16",
    "context_module",
    "unet_decoder",
    "unet_decoder_upsample",
];

impl Stack {
    /// A preset by name ([`PRESETS`]).
    pub fn preset(name: &str) -> Option<Stack> {
        Some(match name {
            "mobilenet_v1" => mobilenet_v1(),
            "vgg16" => vgg16(),
            "context_module" => context_module(),
            "unet_decoder" => unet_decoder(false),
            "unet_decoder_upsample" => unet_decoder(true),
            _ => return None,
        })
    }
}

/// MobileNetV1-224, α = 1 (Howard et al. 2017, Table 1): a 3×3 convolution at stride 2, 13
/// depthwise separable blocks, global average pooling and a 1000-way linear layer (with bias).
/// The convolutions have no bias; the batch norms after them are left out, as the paper's
/// 4.2 million parameters leave them out (their `2·C` per layer would add about 22 thousand).
fn mobilenet_v1() -> Stack {
    let mut blocks = vec![conv(LayerKind::Standard, 32, 3, 2, 1, false), Block::Relu];
    let plan = [
        (64, 1),
        (128, 2),
        (128, 1),
        (256, 2),
        (256, 1),
        (512, 2),
        (512, 1),
        (512, 1),
        (512, 1),
        (512, 1),
        (512, 1),
        (1024, 2),
        (1024, 1),
    ];
    for (out, stride) in plan {
        blocks.push(conv(LayerKind::Separable, out, 3, stride, 1, false));
        blocks.push(Block::Relu);
    }
    blocks.extend([
        Block::GlobalAvgPool,
        Block::Flatten,
        Block::Linear {
            out_features: 1000,
            bias: true,
        },
    ]);
    Stack {
        input: [3, 224, 224],
        blocks,
    }
}

/// VGG-16's convolutional body to pool5 (Simonyan & Zisserman 2015, configuration D): thirteen
/// 3×3 convolutions with padding 1 and bias, ReLU, and five 2×2 max pools.
fn vgg16() -> Stack {
    let mut blocks = Vec::new();
    for (out, n) in [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)] {
        for _ in 0..n {
            blocks.push(conv(LayerKind::Standard, out, 3, 1, 1, true));
            blocks.push(Block::Relu);
        }
        blocks.push(Block::MaxPool {
            kernel: 2,
            stride: 2,
            padding: 0,
        });
    }
    Stack {
        input: [3, 224, 224],
        blocks,
    }
}

/// The basic context module of Yu & Koltun (2016, Table 1): 3×3 convolutions with dilations 1,
/// 1, 2, 4, 8, 16, 1 and a final 1×1, each keeping the size (padding = dilation), here on 21
/// channels (the classes of Pascal VOC) at 64×64.
fn context_module() -> Stack {
    let c = 21;
    let mut blocks = Vec::new();
    for d in [1, 1, 2, 4, 8, 16, 1] {
        blocks.push(Block::Layer(LayerSpec {
            out_channels: c,
            kernel_size: 3,
            dilation: d,
            padding: PaddingSpec::Explicit(d),
            bias: true,
            ..LayerSpec::preset(LayerKind::Dilated)
        }));
        blocks.push(Block::Relu);
    }
    blocks.push(conv(LayerKind::Pointwise, c, 1, 1, 0, true));
    Stack {
        input: [c, 64, 64],
        blocks,
    }
}

/// A small U-Net-style decoder from 256 channels at 8×8 to 32 at 64×64: three stages that
/// double the size and halve the channels, each followed by a 3×3 convolution, with transposed
/// 2×2 convolutions at stride 2 (Ronneberger et al. 2015) or, with `upsample`, nearest 2×
/// upsampling + a 3×3 convolution (Odena et al. 2016).
fn unet_decoder(upsample: bool) -> Stack {
    let mut blocks = Vec::new();
    for out in [128, 64, 32] {
        blocks.push(if upsample {
            Block::Layer(LayerSpec {
                out_channels: out,
                kernel_size: 3,
                scale_factor: 2,
                padding: PaddingSpec::Explicit(1),
                bias: true,
                ..LayerSpec::preset(LayerKind::Upsample)
            })
        } else {
            Block::Layer(LayerSpec {
                out_channels: out,
                kernel_size: 2,
                stride: 2,
                padding: PaddingSpec::Explicit(0),
                output_padding: 0,
                bias: true,
                ..LayerSpec::preset(LayerKind::Transposed)
            })
        });
        blocks.push(Block::Relu);
        blocks.push(conv(LayerKind::Standard, out, 3, 1, 1, true));
        blocks.push(Block::Relu);
    }
    Stack {
        input: [256, 8, 8],
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIG: Budget = Budget {
        max_elements: 1 << 40,
        max_macs: 1 << 50,
    };

    #[test]
    fn fitting_sets_each_layer_to_the_nearest_values_that_fit_and_leaves_fitted_stacks_alone() {
        for name in PRESETS {
            let s = Stack::preset(name).unwrap();
            let (f, changes) = s.fitted(&BIG);
            assert!(changes.is_empty(), "{name}: {changes:?}");
            assert_eq!(f, s, "{name}");
        }
        // The second layer sees a 6×6 map: its 7×7 kernel does not fit and becomes 6×6; the
        // grouped layer after it sees 4 channels, which 3 groups do not divide.
        let s = Stack::from_text(
            "1x8x8_standard-o4-k3-s1-p0_standard-o4-k7-s1-p0_grouped-o6-k1-s1-p0-g3",
        )
        .unwrap();
        assert!(s.rows(&BIG).is_err());
        let (f, changes) = s.fitted(&BIG);
        assert!(f.rows(&BIG).is_ok(), "{}", f.to_text());
        assert!(changes
            .iter()
            .any(|(l, c)| *l == 1 && c.param == "kernel_size" && c.to == "6"));
        assert!(changes.iter().any(|(l, c)| *l == 2 && c.param == "groups"));
        assert!(!changes.iter().any(|(l, _)| *l == 0));
        // Fitting again changes nothing more.
        let (again, none) = f.fitted(&BIG);
        assert_eq!(again, f);
        assert!(none.is_empty());
        // What a layer's own values cannot mend is left for the table to name.
        let s = Stack::from_text("1x4x4_flatten_standard-o1-k3-s1-p0").unwrap();
        let (f, changes) = s.fitted(&BIG);
        assert!(changes.is_empty());
        assert_eq!(f.rows(&BIG).unwrap_err().layer, 1);
    }

    fn totals(s: &Stack) -> (u128, u128) {
        let rows = s.rows(&BIG).unwrap();
        (
            rows.iter().map(|r| r.params).sum(),
            rows.iter().map(|r| r.macs).sum(),
        )
    }

    #[test]
    fn vgg16_to_pool5_has_its_published_parameters_and_receptive_field() {
        let s = vgg16();
        let rows = s.rows(&BIG).unwrap();
        assert_eq!(rows.last().unwrap().output, Tensor::Map([512, 7, 7]));
        assert_eq!(totals(&s).0, 14_714_688);
        let f = rows.last().unwrap().field.unwrap();
        assert_eq!((f.size, f.jump), ([212, 212], [32, 32]));
    }

    #[test]
    fn mobilenet_v1_has_the_papers_mult_adds_and_parameters() {
        let s = mobilenet_v1();
        let rows = s.rows(&BIG).unwrap();
        assert_eq!(rows.last().unwrap().output, Tensor::Vector(1000));
        let (params, macs) = totals(&s);
        // The paper: 569 million mult-adds and 4.2 million parameters.
        assert_eq!((macs, params), (568_740_352, 4_210_088));
        assert_eq!((macs + 500_000) / 1_000_000, 569);
        assert_eq!((params + 50_000) / 100_000, 42);
    }

    #[test]
    fn the_context_module_sees_67_pixels() {
        let rows = context_module().rows(&BIG).unwrap();
        let f = rows.last().unwrap().field.unwrap();
        assert_eq!(f.size, [67, 67]);
        assert_eq!(rows.last().unwrap().output, Tensor::Map([21, 64, 64]));
    }

    #[test]
    fn both_decoders_reach_the_same_size() {
        for up in [false, true] {
            let rows = unet_decoder(up).rows(&BIG).unwrap();
            assert_eq!(rows.last().unwrap().output, Tensor::Map([32, 64, 64]));
            // The closed form ends at the first layer that grows the map.
            assert_eq!(rows[0].field, None);
        }
    }

    #[test]
    fn a_strided_transposed_stack_traces_its_checkerboard() {
        let s = unet_decoder(false);
        // Cell (10, 10) of the first transposed layer's output reads input (5, 5) once.
        let maps = s.footprint(0, [10, 10], &BIG).unwrap();
        assert_eq!(maps.len(), 1);
        assert_eq!(maps[0].sum(), 1);
        assert_eq!(maps[0][[5, 5]], 1);
        // Through the following 3×3 convolution: 9 cells of the transposed output, which come
        // from 2×2 input pixels (a 2×2 kernel at stride 2 has no overlap): 9 paths in all.
        let maps = s.footprint(2, [10, 10], &BIG).unwrap();
        assert_eq!(maps[0].sum(), 9);
        assert_eq!(maps[0].iter().filter(|&&n| n > 0).count(), 4);
    }

    #[test]
    fn errors_name_the_layer() {
        let s = Stack {
            input: [3, 8, 8],
            blocks: vec![
                Block::Relu,
                Block::Linear {
                    out_features: 4,
                    bias: true,
                },
            ],
        };
        assert_eq!(s.rows(&BIG).unwrap_err().layer, 1);
        let too_many = Stack {
            input: [1, 4, 4],
            blocks: vec![Block::Relu; MAX_LAYERS + 1],
        };
        assert!(too_many.rows(&BIG).is_err());
        // An input with no pixels, a side too long to trace, or more values than the budget.
        for input in [[0, 4, 4], [1, 5000, 4], [64, 4096, 4096]] {
            let s = Stack {
                input,
                blocks: vec![Block::Relu],
            };
            assert!(s.rows(&Budget::PLAYGROUND).is_err(), "{input:?}");
        }
    }
}
