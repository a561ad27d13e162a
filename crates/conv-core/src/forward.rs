//! The forward pass a reader sees: every stage of a layer in order (input, padded input,
//! zero-inserted or upsampled maps, intermediates, output), each cell marked as data, padding,
//! inserted zero or copy; per-output-cell contributions both ways; animation steps; and the
//! overlap map of a transposed convolution.

use ndarray::{Array1, Array2, Array3, Array4, ArrayView1, ArrayView3, ArrayView4, Axis};
use serde::{Deserialize, Serialize};

use crate::spec::{ConvRole, LayerSpec, Op, UpsampleMode};
use crate::{Budget, Conv2dOptions, ConvError, ConvTranspose2dOptions, Padding, PaddingMode};

/// What a cell of a stage holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum Cell {
    /// A value of the previous stage, at `(y, x)` there (for the input: its own position).
    Data { y: usize, x: usize },
    /// A zero added around the map.
    Padding,
    /// A zero inserted between pixels (transposed convolution).
    Inserted,
    /// A copy of the previous stage's pixel `(y, x)`: upsampling, and the border of a padding
    /// that reflects, replicates or wraps the map.
    Copied { y: usize, x: usize },
    /// A bilinear mix of up to four pixels of the previous stage, the first at `(y, x)`
    /// ([`Forward::sources`] gives all four with their weights).
    Interpolated { y: usize, x: usize },
    /// A pixel shuffle's copy: channel `c` here is channel `c·r² + sub` of the previous stage at
    /// `(y, x)`, where `sub = (row % r)·r + column % r` is this cell's place in its `r × r` block
    /// ([`Forward::source_channel`]).
    Shuffled { y: usize, x: usize, sub: usize },
}

/// The role of a stage in the layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StageKind {
    Input,
    /// Input of a convolution with its padding cells.
    Padded,
    /// Zeros inserted between the pixels (transposed convolution).
    ZeroInserted,
    /// Enlarged by copying (upsampling).
    Upsampled,
    /// The output of the depthwise stage of a separable layer.
    Intermediate,
    /// The `C·r²` maps of a sub-pixel convolution before the pixel shuffle; each channel's group
    /// is its place `sub` in the `r × r` block ([`Cell::Shuffled`]).
    BeforeShuffle,
    Output,
}

/// What the overlap map of a transposed convolution shows away from its borders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evenness {
    /// Every interior output cell receives the same number of stamps: no checkerboard.
    Even,
    /// Interior counts differ: the checkerboard pattern.
    Uneven,
    /// The map has no interior (too small to tell).
    TooSmall,
}

/// One stage: values, what every cell is, and the group of every channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub kind: StageKind,
    /// `(C, H, W)`.
    pub data: Array3<f32>,
    /// What each spatial position holds (the same for every channel).
    pub cells: Array2<Cell>,
    /// Group of each channel, for colour coding (all 0 for ungrouped layers).
    pub channel_groups: Vec<usize>,
}

impl Stage {
    /// `[C, H, W]`.
    pub fn shape(&self) -> [usize; 3] {
        let (c, h, w) = self.data.dim();
        [c, h, w]
    }

    /// The factor `r` of the pixel shuffle that reads this stage (its groups are the `r²`
    /// places of a block); `None` for any other stage.
    pub fn shuffle_factor(&self) -> Option<usize> {
        if self.kind != StageKind::BeforeShuffle {
            return None;
        }
        let square = self.channel_groups.iter().max().map_or(1, |g| g + 1);
        (1..=square).find(|r| r * r >= square)
    }
}

/// Weights and bias of one convolution op, in PyTorch layout.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvWeights {
    pub weight: Array4<f32>,
    pub bias: Option<Array1<f32>>,
}

/// The weights of every convolution op of a layer, in [`LayerSpec::ops`] order (upsampling has
/// none).
#[derive(Debug, Clone, PartialEq)]
pub struct LayerWeights {
    pub convs: Vec<ConvWeights>,
}

/// A convolution as the reader sees it: a stride / dilation window sliding over `input_stage`
/// (already padded, and zero-inserted for a transposed convolution) with `weight` in
/// convolution layout, writing `output_stage`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvView {
    pub role: ConvRole,
    pub transposed: bool,
    pub input_stage: usize,
    pub output_stage: usize,
    /// Index of the original op in [`LayerSpec::ops`].
    pub op: usize,
    /// Index into [`LayerWeights::convs`].
    pub weights: usize,
    /// `(C_out, C_in / groups, k, k)`; for a transposed convolution the flipped, transposed kernel.
    pub weight: Array4<f32>,
    pub bias: Option<Array1<f32>>,
    pub stride: usize,
    pub dilation: usize,
    pub groups: usize,
    /// For a transposed convolution: the options, to give the scatter view.
    pub transposed_options: Option<ConvTranspose2dOptions>,
}

impl ConvView {
    fn in_per_group(&self) -> usize {
        self.weight.dim().1
    }
    fn out_per_group(&self) -> usize {
        self.weight.dim().0 / self.groups
    }
    fn kernel(&self) -> usize {
        self.weight.dim().2
    }
    /// Index into the original (PyTorch) weight of the view's weight `[co, cl, ky, kx]`.
    pub fn original_index(&self, co: usize, cl: usize, ky: usize, kx: usize) -> [usize; 4] {
        if self.transposed {
            let k = self.kernel();
            let group = co / self.out_per_group();
            [
                group * self.in_per_group() + cl,
                co % self.out_per_group(),
                k - 1 - ky,
                k - 1 - kx,
            ]
        } else {
            [co, cl, ky, kx]
        }
    }
}

/// One product of a weighted sum.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// Channel, row and column in the convolution's input stage.
    pub channel: usize,
    pub y: usize,
    pub x: usize,
    /// Index into the op's weight, PyTorch layout.
    pub kernel_index: [usize; 4],
    pub weight: f32,
    pub value: f32,
    pub cell: Cell,
}

/// One stamp of the scatter view of a transposed convolution: input pixel × weight added to an
/// output cell.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stamp {
    pub out_channel: usize,
    pub y: usize,
    pub x: usize,
    pub kernel_index: [usize; 4],
    pub weight: f32,
    pub value: f32,
}

/// One step of the animation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum Step {
    /// Upsampling: input pixel `(y, x)` is copied into its block of stage `stage`.
    Copy { stage: usize, y: usize, x: usize },
    /// Convolution `conv` writes output position `(y, x)` (every output channel).
    Conv { conv: usize, y: usize, x: usize },
    /// Transposed convolution, scatter view: input pixel `(y, x)` stamps the kernel.
    Scatter { conv: usize, y: usize, x: usize },
}

/// The address of one cell of a forward pass: stage, channel, row, column (what a reader points
/// at, and what a highlight marks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CellRef {
    pub stage: usize,
    pub channel: usize,
    pub y: usize,
    pub x: usize,
}

/// A whole forward pass.
#[derive(Debug, Clone, PartialEq)]
pub struct Forward {
    pub stages: Vec<Stage>,
    pub convs: Vec<ConvView>,
    /// The bilinear upsampling of the layer, if it has one.
    pub interpolation: Option<Interpolation>,
}

/// A bilinear upsampling stage: which stage, by which factor, with which corner convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interpolation {
    pub stage: usize,
    pub scale: usize,
    pub align_corners: bool,
}

fn data_cells(h: usize, w: usize) -> Array2<Cell> {
    Array2::from_shape_fn((h, w), |(y, x)| Cell::Data { y, x })
}

/// `src` placed at offset `(top, left)` of an `(h, w)` map; cells outside `src` are padding.
fn embed(src: &Stage, kind: StageKind, top: isize, left: isize, h: usize, w: usize) -> Stage {
    let (c, sh, sw) = src.data.dim();
    let at = |y: usize, x: usize| -> Option<(usize, usize)> {
        let sy = y as isize - top;
        let sx = x as isize - left;
        (sy >= 0 && sx >= 0 && (sy as usize) < sh && (sx as usize) < sw)
            .then_some((sy as usize, sx as usize))
    };
    // The rows and columns of the new map that `src` covers, and where they start in `src`.
    let span = |off: isize, n: usize, len: usize| {
        let from = off.clamp(0, len as isize) as usize;
        let to = (off + n as isize).clamp(0, len as isize) as usize;
        (from, to.max(from), (from as isize - off) as usize)
    };
    let ((y0, y1, sy0), (x0, x1, sx0)) = (span(top, sh, h), span(left, sw, w));
    // Row by row: `src` is in standard layout (every stage is built so), the copy plain slices.
    let mut out = vec![0.0f32; c * h * w];
    let from = src.data.as_standard_layout();
    let from = from.as_slice().unwrap_or(&[]);
    for ci in (0..c).filter(|_| x1 > x0) {
        for y in y0..y1 {
            let sy = sy0 + y - y0;
            let to = (ci * h + y) * w;
            let at = (ci * sh + sy) * sw + sx0;
            out[to + x0..to + x1].copy_from_slice(&from[at..at + (x1 - x0)]);
        }
    }
    let data = Array3::from_shape_vec((c, h, w), out).unwrap_or_else(|_| Array3::zeros((c, h, w)));
    let cells = Array2::from_shape_fn((h, w), |(y, x)| match at(y, x) {
        Some((sy, sx)) => match src.cells[[sy, sx]] {
            Cell::Inserted => Cell::Inserted,
            _ => Cell::Data { y: sy, x: sx },
        },
        None => Cell::Padding,
    });
    Stage {
        kind,
        data,
        cells,
        channel_groups: src.channel_groups.clone(),
    }
}

/// The padded input of a convolution: `src` with `padding` around it, filled as `mode` says. A
/// zero is [`Cell::Padding`]; with reflect, replicate or circular padding a border cell is
/// [`Cell::Copied`] from the cell of `src` it repeats ([`crate::pad_source`]).
fn padded_stage(
    src: &Stage,
    padding: Padding,
    mode: PaddingMode,
    budget: &Budget,
) -> Result<Stage, ConvError> {
    let (_, h, w) = src.data.dim();
    let (ph, pw) = (
        h + padding.top + padding.bottom,
        w + padding.left + padding.right,
    );
    let mut stage = embed(
        src,
        StageKind::Padded,
        padding.top as isize,
        padding.left as isize,
        ph,
        pw,
    );
    if mode == PaddingMode::Zeros {
        return Ok(stage);
    }
    stage.data = crate::pad::pad_with_budget(src.data.view(), padding, mode, budget)?;
    for ((y, x), cell) in stage.cells.indexed_iter_mut() {
        if *cell == Cell::Padding {
            if let Some([sy, sx]) = crate::pad::pad_source(y, x, [h, w], padding, mode) {
                *cell = Cell::Copied { y: sy, x: sx };
            }
        }
    }
    Ok(stage)
}

fn groups_of(channels: usize, groups: usize) -> Vec<usize> {
    let per = (channels / groups.max(1)).max(1);
    (0..channels).map(|c| c / per).collect()
}

impl LayerSpec {
    /// Runs the layer on `input` with `weights` and returns every stage.
    ///
    /// **Errors** if the spec is invalid or over `budget`, if `input` is not
    /// `(in_channels, height, width)`, or if the weights do not fit the ops.
    pub fn forward(
        &self,
        input: ArrayView3<f32>,
        weights: &LayerWeights,
        budget: &Budget,
    ) -> Result<Forward, ConvError> {
        self.forward_given(input, weights, budget, Vec::new())
    }

    /// [`LayerSpec::forward`] with the convolutions' outputs `given` (in the order of
    /// [`Forward::convs`]; those not given are computed): a front end that computes a large
    /// layer away from the thread it draws on builds the stages there from the outputs computed
    /// elsewhere, which leaves only the cheap stages to compute.
    ///
    /// **Errors** as [`LayerSpec::forward`], and if a given output has another shape than the
    /// convolution's.
    pub fn forward_given(
        &self,
        input: ArrayView3<f32>,
        weights: &LayerWeights,
        budget: &Budget,
        given: Vec<Array3<f32>>,
    ) -> Result<Forward, ConvError> {
        let shapes = self.shapes(budget)?;
        let e = self.effective();
        let expected = [e.in_channels, e.height, e.width];
        let actual: [usize; 3] = input.dim().into();
        if actual != expected {
            return Err(ConvError::WeightShape {
                expected: [1, expected[0], expected[1], expected[2]],
                actual: [1, actual[0], actual[1], actual[2]],
            });
        }
        let ops = self.ops();
        let mut pass = Pass {
            stages: vec![Stage {
                kind: StageKind::Input,
                data: input.to_owned(),
                cells: data_cells(e.height, e.width),
                channel_groups: groups_of(e.in_channels, first_groups(&ops)),
            }],
            convs: Vec::new(),
            interpolation: None,
            budget,
            given: given.into_iter(),
            shapes,
        };
        let mut weight_iter = weights.convs.iter().enumerate();
        let kinds: Vec<StageKind> = (0..ops.len())
            .map(|op| match ops.get(op + 1) {
                None => StageKind::Output,
                Some(Op::PixelShuffle { .. }) => StageKind::BeforeShuffle,
                Some(_) => StageKind::Intermediate,
            })
            .collect();
        for (op, spec) in ops.into_iter().enumerate() {
            let out_kind = kinds[op];
            let mut slot = || {
                let (weights, conv) = weight_iter
                    .next()
                    .ok_or(ConvError::ZeroSize { name: "weights" })?;
                Ok::<_, ConvError>(Slot {
                    op,
                    out_kind,
                    weights,
                    conv,
                })
            };
            match spec {
                Op::Upsample {
                    scale,
                    mode,
                    align_corners,
                } => pass.push_upsample(scale, mode, align_corners)?,
                Op::Conv {
                    role,
                    out_channels,
                    options,
                    ..
                } => pass.push_conv(slot()?, role, out_channels, options)?,
                Op::ConvTranspose {
                    out_channels,
                    kernel,
                    options,
                    ..
                } => pass.push_conv_transpose(slot()?, out_channels, kernel, options)?,
                Op::PixelShuffle { factor } => pass.push_shuffle(factor)?,
            }
        }
        debug_assert_eq!(
            pass.stages.last().map(|s| s.shape()),
            pass.shapes.last().copied()
        );
        Ok(Forward {
            stages: pass.stages,
            convs: pass.convs,
            interpolation: pass.interpolation,
        })
    }
}

/// The groups of `op` if it is a convolution (or a transposed one).
fn conv_groups(op: &Op) -> Option<usize> {
    match op {
        Op::Conv { options, .. } => Some(options.groups),
        Op::ConvTranspose { options, .. } => Some(options.groups),
        _ => None,
    }
}

/// The groups of the first convolution (1 without one): how the input's channels are coloured.
fn first_groups(ops: &[Op]) -> usize {
    ops.iter().find_map(conv_groups).unwrap_or(1)
}

impl LayerSpec {
    /// The convolutions' outputs of a first picture: the last convolution's first `n` output
    /// channels computed, its others left at zero, where [`LayerSpec::first_apart`] holds (else
    /// every channel); the other convolutions whole. For [`LayerSpec::forward_given`] where it
    /// draws.
    ///
    /// **Errors** as [`LayerSpec::forward`].
    pub fn first_outputs(
        &self,
        input: ArrayView3<f32>,
        weights: &LayerWeights,
        budget: &Budget,
        n: usize,
    ) -> Result<Vec<Array3<f32>>, ConvError> {
        let Some((last, others)) = weights.convs.split_last().filter(|_| self.first_apart(n))
        else {
            return Ok(self.forward(input, weights, budget)?.into_conv_outputs());
        };
        let e = self.effective();
        // The weights' output-channel axis: 0 for a convolution (C_out, C_in / g, kh, kw), 1 for
        // a transposed one (C_in, C_out / g, kh, kw).
        let axis = usize::from(matches!(e.ops().pop(), Some(Op::ConvTranspose { .. })));
        let total = e.out_channels;
        // The same layer with `n` output channels, its last weights cut to them (the others are
        // copied, not the last whole: at the largest layer it is most of the weights).
        let narrow = LayerSpec {
            out_channels: n,
            ..e
        };
        let mut convs = others.to_vec();
        convs.push(ConvWeights {
            weight: last.weight.slice_axis(Axis(axis), (0..n).into()).to_owned(),
            bias: last
                .bias
                .as_ref()
                .map(|b| b.slice(ndarray::s![..n]).to_owned()),
        });
        let cut = LayerWeights { convs };
        let mut out = narrow.forward(input, &cut, budget)?.into_conv_outputs();
        if let Some(some) = out.pop() {
            let (_, h, w) = some.dim();
            let mut whole = Array3::zeros((total, h, w));
            whole.slice_mut(ndarray::s![..n, .., ..]).assign(&some);
            out.push(whole);
        }
        Ok(out)
    }

    /// Whether [`LayerSpec::first_outputs`] computes the first `n` output channels apart from
    /// the rest (a first picture of them is sooner than the whole): the last op is a convolution
    /// (or a transposed one) of one group, which writes the output, with more than `n` output
    /// channels. The page asks for a first picture where this holds and the scene worker sends
    /// only the channels computed where it does.
    pub fn first_apart(&self, n: usize) -> bool {
        let e = self.effective();
        e.ops().last().and_then(conv_groups) == Some(1) && e.out_channels > n
    }

    /// Whether [`LayerSpec::face_outputs`] computes the faces apart from the rest (the layer is
    /// one convolution), not the whole pass.
    pub fn faces_apart(&self) -> bool {
        let ops = self.effective().ops();
        ops.len() == 1 && matches!(ops[0], Op::Conv { .. })
    }

    /// The convolution output of a first picture of a volume (as the article draws a tensor):
    /// the cells a volume shows computed (channel 0's map in front, every channel's top row and
    /// last column on the top and the right), the inside left at zero, where the layer is one
    /// convolution (else the whole pass's outputs). The top row and the last column are each a
    /// convolution of a strip of the input padded as the layer pads it, so they are the whole
    /// output's in every padding mode; for the largest layer the three faces are 5 % of the
    /// multiply-accumulates. For [`LayerSpec::forward_given`] where it draws.
    ///
    /// **Errors** as [`LayerSpec::forward`].
    pub fn face_outputs(
        &self,
        input: ArrayView3<f32>,
        weights: &LayerWeights,
        budget: &Budget,
    ) -> Result<Vec<Array3<f32>>, ConvError> {
        use ndarray::s;
        let e = self.effective();
        let (ops, conv) = (e.ops(), weights.convs.first());
        let (
            true,
            Some(Op::Conv {
                kernel, options, ..
            }),
            Some(conv),
        ) = (self.faces_apart(), ops.first(), conv)
        else {
            return Ok(self.forward(input, weights, budget)?.into_conv_outputs());
        };
        let (w, b) = (conv.weight.view(), conv.bias.as_ref().map(|b| b.view()));
        let padded =
            crate::pad::pad_with_budget(input, options.padding, options.padding_mode, budget)?;
        let bare = Conv2dOptions {
            padding: Padding::default(),
            padding_mode: PaddingMode::Zeros,
            ..options.clone()
        };
        // The rows (columns) one output row (column) reads: the dilated kernel's extent.
        let reach = |axis: usize| (kernel - 1) * options.dilation[axis] + 1;
        let top =
            crate::conv2d_with_budget(padded.slice(s![.., ..reach(0), ..]), w, b, &bare, budget)?;
        let (c, _, width) = top.dim();
        let x0 = (width - 1) * options.stride[1];
        // The last column: the strip's rows and columns swapped (and the kernels', strides' and
        // dilations'), so that it is computed as a row. The SIMD kernels' tiles span 8 pixels of
        // a row; a column of one pixel a row would fill one of them (8 times the work; at the
        // largest layer the volume view's first picture came 5–8 ms sooner for this).
        let swap = |[a, b]: [usize; 2]| [b, a];
        let strip = padded.slice(s![.., .., x0..x0 + reach(1)]);
        let strip = strip
            .permuted_axes([0, 2, 1])
            .as_standard_layout()
            .into_owned();
        let across = w
            .permuted_axes([0, 1, 3, 2])
            .as_standard_layout()
            .into_owned();
        let turned = Conv2dOptions {
            stride: swap(options.stride),
            dilation: swap(options.dilation),
            ..bare.clone()
        };
        let right = crate::conv2d_with_budget(strip.view(), across.view(), b, &turned, budget)?;
        let right = right.permuted_axes([0, 2, 1]);
        // Channel 0: kernel 0 over the first group's input channels.
        let group = input.dim().0 / options.groups;
        let front = crate::conv2d_with_budget(
            input.slice(s![..group, .., ..]),
            w.slice(s![..1, .., .., ..]),
            b.map(|b| b.slice_move(s![..1])),
            &Conv2dOptions {
                groups: 1,
                ..options.clone()
            },
            budget,
        )?;
        let mut out = Array3::zeros((c, right.dim().1, width));
        out.slice_mut(s![..1, .., ..]).assign(&front);
        out.slice_mut(s![.., ..1, ..]).assign(&top);
        out.slice_mut(s![.., .., width - 1..]).assign(&right);
        Ok(vec![out])
    }
}

/// A forward pass being built, one op after the other.
struct Pass<'a> {
    stages: Vec<Stage>,
    convs: Vec<ConvView>,
    interpolation: Option<Interpolation>,
    budget: &'a Budget,
    /// [`LayerSpec::forward_given`]'s outputs, in the order the convolutions come.
    given: std::vec::IntoIter<Array3<f32>>,
    /// Each op's output shape.
    shapes: Vec<[usize; 3]>,
}

/// Where a convolution op sits: its index among the ops, the kind of stage it writes, and its
/// weights with their index.
struct Slot<'w> {
    op: usize,
    out_kind: StageKind,
    weights: usize,
    conv: &'w ConvWeights,
}

/// A convolution op on the last stage: input, weight, bias, budget.
type ConvOp<'a> = dyn Fn(
        ArrayView3<f32>,
        ArrayView4<f32>,
        Option<ArrayView1<f32>>,
        &Budget,
    ) -> Result<Array3<f32>, ConvError>
    + 'a;

impl Pass<'_> {
    fn last(&self) -> (usize, &Stage) {
        let prev = self.stages.len() - 1;
        (prev, &self.stages[prev])
    }

    /// The output of the convolution in `slot`: the one given if it has the op's shape (another
    /// shape is an error), else `run` on the last stage.
    fn output(&mut self, slot: &Slot, run: &ConvOp) -> Result<Array3<f32>, ConvError> {
        let cw = slot.conv;
        let Some(given) = self.given.next() else {
            let bias = cw.bias.as_ref().map(|b| b.view());
            let x = self.last().1.data.view();
            return run(x, cw.weight.view(), bias, self.budget);
        };
        let [c, h, w] = self.shapes[slot.op];
        if given.dim() != (c, h, w) {
            let (gc, gh, gw) = given.dim();
            return Err(ConvError::WeightShape {
                expected: [1, c, h, w],
                actual: [1, gc, gh, gw],
            });
        }
        Ok(given)
    }

    /// The upsampled stage: nearest copies every pixel into a `scale × scale` block, bilinear
    /// mixes up to four pixels into each cell.
    fn push_upsample(
        &mut self,
        scale: usize,
        mode: UpsampleMode,
        align_corners: bool,
    ) -> Result<(), ConvError> {
        let (prev, src) = self.last();
        let [_, sh, sw] = src.shape();
        let bilinear = mode == UpsampleMode::Bilinear;
        let data = if bilinear {
            crate::upsample_bilinear(src.data.view(), [scale, scale], align_corners)?
        } else {
            crate::upsample_nearest(src.data.view(), [scale, scale])?
        };
        let (_, h, w) = data.dim();
        let cells = Array2::from_shape_fn((h, w), |(y, x)| {
            if bilinear {
                let (sy, _, _) = crate::bilinear_taps(y, sh, scale, align_corners);
                let (sx, _, _) = crate::bilinear_taps(x, sw, scale, align_corners);
                return Cell::Interpolated { y: sy, x: sx };
            }
            let (sy, sx) = (y / scale, x / scale);
            if y % scale == 0 && x % scale == 0 {
                Cell::Data { y: sy, x: sx }
            } else {
                Cell::Copied { y: sy, x: sx }
            }
        });
        let channel_groups = src.channel_groups.clone();
        if bilinear {
            self.interpolation = Some(Interpolation {
                stage: prev + 1,
                scale,
                align_corners,
            });
        }
        self.stages.push(Stage {
            kind: StageKind::Upsampled,
            data,
            cells,
            channel_groups,
        });
        Ok(())
    }

    /// The pixel shuffle: each `r × r` block of the output takes one pixel of `r²` consecutive
    /// channels; those channels are coloured by their place in the block.
    fn push_shuffle(&mut self, r: usize) -> Result<(), ConvError> {
        let data = crate::pixel_shuffle(self.last().1.data.view(), r)?;
        let square = r * r;
        let before = self.stages.len() - 1;
        let channels = self.stages[before].shape()[0];
        self.stages[before].channel_groups = (0..channels).map(|c| c % square).collect();
        let (c, h, w) = data.dim();
        let cells = Array2::from_shape_fn((h, w), |(y, x)| Cell::Shuffled {
            y: y / r,
            x: x / r,
            sub: (y % r) * r + x % r,
        });
        self.stages.push(Stage {
            kind: StageKind::Output,
            data,
            cells,
            channel_groups: vec![0; c],
        });
        Ok(())
    }

    /// A convolution: its padded input (when it pads), its output, and its view.
    fn push_conv(
        &mut self,
        slot: Slot,
        role: ConvRole,
        out_channels: usize,
        options: Conv2dOptions,
    ) -> Result<(), ConvError> {
        let out = self.output(&slot, &|x, w, b, budget| {
            crate::ops::conv2d_with_budget(x, w, b, &options, budget)
        })?;
        let (prev, src) = self.last();
        let cw = slot.conv;
        let input_stage = if options.padding == crate::Padding::default() {
            prev
        } else {
            let padded = padded_stage(src, options.padding, options.padding_mode, self.budget)?;
            self.stages.push(padded);
            self.stages.len() - 1
        };
        let (_, h, w) = out.dim();
        self.stages.push(Stage {
            kind: slot.out_kind,
            data: out,
            cells: data_cells(h, w),
            channel_groups: groups_of(out_channels, options.groups),
        });
        self.convs.push(ConvView {
            role,
            transposed: false,
            input_stage,
            output_stage: self.stages.len() - 1,
            op: slot.op,
            weights: slot.weights,
            weight: cw.weight.clone(),
            bias: cw.bias.clone(),
            stride: options.stride[0],
            dilation: options.dilation[0],
            groups: options.groups,
            transposed_options: None,
        });
        Ok(())
    }

    /// A transposed convolution: the zero-inserted input, its padding, the output, and the view
    /// of it as a convolution with the flipped kernel.
    fn push_conv_transpose(
        &mut self,
        slot: Slot,
        out_channels: usize,
        kernel: usize,
        options: ConvTranspose2dOptions,
    ) -> Result<(), ConvError> {
        let out = self.output(&slot, &|x, w, b, budget| {
            crate::ops::conv_transpose2d_with_budget(x, w, b, &options, budget)
        })?;
        let (_, src) = self.last();
        let cw = slot.conv;
        let inserted = zero_inserted(src, options.stride[0]);
        let ext = crate::shape::kernel_field(kernel, options.dilation[0])?;
        let (_, oh, ow) = out.dim();
        let p = options.padding;
        let top = ext as isize - 1 - p.top as isize;
        let left = ext as isize - 1 - p.left as isize;
        let padded = embed(
            &inserted,
            StageKind::Padded,
            top,
            left,
            oh + ext - 1,
            ow + ext - 1,
        );
        self.stages.push(inserted);
        self.stages.push(padded);
        let input_stage = self.stages.len() - 1;
        self.stages.push(Stage {
            kind: slot.out_kind,
            data: out,
            cells: data_cells(oh, ow),
            channel_groups: groups_of(out_channels, options.groups),
        });
        self.convs.push(ConvView {
            role: ConvRole::Main,
            transposed: true,
            input_stage,
            output_stage: self.stages.len() - 1,
            op: slot.op,
            weights: slot.weights,
            weight: flipped_kernel(&cw.weight, out_channels, options.groups),
            bias: cw.bias.clone(),
            stride: 1,
            dilation: options.dilation[0],
            groups: options.groups,
            transposed_options: Some(options),
        });
        Ok(())
    }
}

/// `src` with `s - 1` zeros inserted between its pixels.
fn zero_inserted(src: &Stage, s: usize) -> Stage {
    let (c, h, w) = src.data.dim();
    let (zh, zw) = ((h - 1) * s + 1, (w - 1) * s + 1);
    Stage {
        kind: StageKind::ZeroInserted,
        data: Array3::from_shape_fn((c, zh, zw), |(ci, y, x)| {
            if y % s == 0 && x % s == 0 {
                src.data[[ci, y / s, x / s]]
            } else {
                0.0
            }
        }),
        cells: Array2::from_shape_fn((zh, zw), |(y, x)| {
            if y % s == 0 && x % s == 0 {
                Cell::Data { y: y / s, x: x / s }
            } else {
                Cell::Inserted
            }
        }),
        channel_groups: src.channel_groups.clone(),
    }
}

/// The convolution equivalent to a transposed convolution's `weight` (PyTorch layout
/// `(C_in, C_out / groups, k, k)`): the kernel flipped, in and out swapped per group.
fn flipped_kernel(weight: &Array4<f32>, out_channels: usize, groups: usize) -> Array4<f32> {
    let (ci_total, opg, k, _) = weight.dim();
    let ipg = ci_total / groups;
    Array4::from_shape_fn((out_channels, ipg, k, k), |(co, cl, ky, kx)| {
        let group = co / opg;
        weight[[group * ipg + cl, co % opg, k - 1 - ky, k - 1 - kx]]
    })
}

impl Forward {
    /// Each convolution's output, in the order of [`Forward::convs`] (what
    /// [`LayerSpec::forward_given`] takes).
    pub fn into_conv_outputs(self) -> Vec<Array3<f32>> {
        let mut stages: Vec<_> = self.stages.into_iter().map(|s| Some(s.data)).collect();
        (self.convs.iter())
            .filter_map(|v| stages.get_mut(v.output_stage)?.take())
            .collect()
    }

    /// The output stage.
    pub fn output(&self) -> &Stage {
        self.stages.last().expect("a forward pass has an output")
    }

    /// The products whose sum, plus the bias, gives output cell `(c, y, x)` of convolution
    /// `conv`, in kernel order; `None` if the cell does not exist. Products with padding or
    /// inserted zeros are included (they are part of the computation and of its MAC count).
    pub fn contributions(
        &self,
        conv: usize,
        c: usize,
        y: usize,
        x: usize,
    ) -> Option<Vec<Contribution>> {
        let v = self.convs.get(conv)?;
        let out = &self.stages[v.output_stage];
        let [oc, oh, ow] = out.shape();
        if c >= oc || y >= oh || x >= ow {
            return None;
        }
        let input = &self.stages[v.input_stage];
        let (ipg, k) = (v.in_per_group(), v.kernel());
        let group = c / v.out_per_group();
        let mut list = Vec::with_capacity(ipg * k * k);
        for cl in 0..ipg {
            let ci = group * ipg + cl;
            for ky in 0..k {
                for kx in 0..k {
                    let iy = y * v.stride + ky * v.dilation;
                    let ix = x * v.stride + kx * v.dilation;
                    list.push(Contribution {
                        channel: ci,
                        y: iy,
                        x: ix,
                        kernel_index: v.original_index(c, cl, ky, kx),
                        weight: v.weight[[c, cl, ky, kx]],
                        value: input.data[[ci, iy, ix]],
                        cell: input.cells[[iy, ix]],
                    });
                }
            }
        }
        Some(list)
    }

    /// The bias added to output channel `c` of convolution `conv` (0 without bias).
    pub fn bias(&self, conv: usize, c: usize) -> f32 {
        self.convs
            .get(conv)
            .and_then(|v| v.bias.as_ref())
            .and_then(|b| b.get(c).copied())
            .unwrap_or(0.0)
    }

    /// Every output cell `(c, y, x)` of convolution `conv` that input-stage cell
    /// `(channel, y, x)` feeds.
    pub fn feeds(&self, conv: usize, channel: usize, y: usize, x: usize) -> Vec<[usize; 3]> {
        let Some(v) = self.convs.get(conv) else {
            return Vec::new();
        };
        let [oc, oh, ow] = self.stages[v.output_stage].shape();
        let [ic, ih, iw] = self.stages[v.input_stage].shape();
        if channel >= ic || y >= ih || x >= iw {
            return Vec::new();
        }
        let (ipg, opg, k) = (v.in_per_group(), v.out_per_group(), v.kernel());
        let group = channel / ipg;
        // Ascending: a larger tap offset reads from an earlier output position, so the taps are
        // walked from the last. Distinct taps give distinct positions, so the cells below come
        // out sorted and distinct without a sort (which would cost the page's first load).
        let positions = |p: usize, len: usize| -> Vec<usize> {
            (0..k)
                .rev()
                .filter_map(|kk| {
                    let off = kk * v.dilation;
                    (p >= off && (p - off) % v.stride == 0 && (p - off) / v.stride < len)
                        .then(|| (p - off) / v.stride)
                })
                .collect()
        };
        let ys = positions(y, oh);
        let xs = positions(x, ow);
        let mut cells = Vec::new();
        for co in group * opg..((group + 1) * opg).min(oc) {
            for &oy in &ys {
                for &ox in &xs {
                    cells.push([co, oy, ox]);
                }
            }
        }
        debug_assert!(cells.windows(2).all(|w| w[0] < w[1]));
        cells
    }

    /// Scatter view of a transposed convolution: every stamp that input pixel `(channel, y, x)`
    /// of the layer input makes on the output (stamps cropped away by the padding are left out).
    pub fn scatter(&self, conv: usize, channel: usize, y: usize, x: usize) -> Vec<Stamp> {
        let Some(v) = self.convs.get(conv) else {
            return Vec::new();
        };
        let Some(o) = &v.transposed_options else {
            return Vec::new();
        };
        let src = &self.stages[v.input_stage - 2];
        let [ic, ih, iw] = src.shape();
        if channel >= ic || y >= ih || x >= iw {
            return Vec::new();
        }
        let [_, oh, ow] = self.stages[v.output_stage].shape();
        let (ipg, opg, k) = (v.in_per_group(), v.out_per_group(), v.kernel());
        let group = channel / ipg;
        let value = src.data[[channel, y, x]];
        let mut stamps = Vec::new();
        for col in 0..opg {
            let co = group * opg + col;
            for ky in 0..k {
                for kx in 0..k {
                    let fy = y * o.stride[0] + ky * o.dilation[0];
                    let fx = x * o.stride[1] + kx * o.dilation[1];
                    let (Some(oy), Some(ox)) = (
                        fy.checked_sub(o.padding.top),
                        fx.checked_sub(o.padding.left),
                    ) else {
                        continue;
                    };
                    if oy < oh && ox < ow {
                        let kernel_index = [channel, col, ky, kx];
                        // The view's weight holds the flipped kernel: read the original back.
                        let weight = v.weight[[co, channel % ipg, k - 1 - ky, k - 1 - kx]];
                        stamps.push(Stamp {
                            out_channel: co,
                            y: oy,
                            x: ox,
                            kernel_index,
                            weight,
                            value,
                        });
                    }
                }
            }
        }
        stamps
    }

    /// How many kernel stamps of a transposed convolution land on each output cell (one channel
    /// pair). Uneven counts are the checkerboard pattern of `kernel_size % stride != 0`.
    pub fn overlap(&self) -> Option<Array2<u32>> {
        let (ci, v) = self.convs.iter().enumerate().find(|(_, v)| v.transposed)?;
        let src = &self.stages[v.input_stage - 2];
        let [_, ih, iw] = src.shape();
        let [_, oh, ow] = self.stages[v.output_stage].shape();
        let mut map = Array2::zeros((oh, ow));
        for y in 0..ih {
            for x in 0..iw {
                for s in self.scatter(ci, 0, y, x) {
                    if s.out_channel == 0 {
                        map[[s.y, s.x]] += 1;
                    }
                }
            }
        }
        Some(map)
    }

    /// Whether the overlap counts of the transposed convolution are even away from the borders,
    /// read off [`Forward::overlap`] itself. Near the borders counts always ramp down (fewer
    /// input pixels reach there); the interior is the output rows `(k−1)·d − p ..= (H_in−1)·s − p`
    /// (columns alike), where every tap can land. For `s > 1` the interior is even exactly when
    /// `s` divides `k` and `gcd(d, s) = 1`; at `s = 1` it always is.
    pub fn overlap_evenness(&self) -> Option<Evenness> {
        let map = self.overlap()?;
        let v = self.convs.iter().find(|v| v.transposed)?;
        let o = v.transposed_options.as_ref()?;
        let k = v.weight.dim().2;
        let [_, ih, iw] = self.stages[v.input_stage - 2].shape();
        let (oh, ow) = map.dim();
        let span = |axis: usize, input: usize, pad: usize, len: usize| {
            let first = ((k - 1) * o.dilation[axis]).saturating_sub(pad);
            let last = ((input.max(1) - 1) * o.stride[axis]).checked_sub(pad)?;
            let last = last.min(len.checked_sub(1)?);
            // One period of the stride at least, or the pattern cannot show.
            (last + 1 >= first + o.stride[axis]).then_some(first..=last)
        };
        let (Some(rows), Some(cols)) = (
            span(0, ih, o.padding.top, oh),
            span(1, iw, o.padding.left, ow),
        ) else {
            return Some(Evenness::TooSmall);
        };
        let first = map[[*rows.start(), *cols.start()]];
        let even = rows
            .flat_map(|y| cols.clone().map(move |x| (y, x)))
            .all(|(y, x)| map[[y, x]] == first);
        Some(if even {
            Evenness::Even
        } else {
            Evenness::Uneven
        })
    }

    /// For every output cell of convolution `conv` (one channel), how many kernel taps land on
    /// data or copied cells rather than on padding or inserted zeros. Upsampling followed by a
    /// convolution covers every interior cell evenly; compare with [`Forward::overlap`].
    pub fn coverage(&self, conv: usize) -> Option<Array2<u32>> {
        let v = self.convs.get(conv)?;
        let [_, oh, ow] = self.stages[v.output_stage].shape();
        Some(Array2::from_shape_fn((oh, ow), |(y, x)| {
            self.contributions(conv, 0, y, x)
                .unwrap_or_default()
                .iter()
                .filter(|t| t.channel == 0 || v.in_per_group() == 1)
                .filter(|t| !matches!(t.cell, Cell::Padding | Cell::Inserted))
                .count() as u32
        }))
    }

    /// The animation: copies, then one step per output position of each convolution in order.
    /// With `scatter`, a transposed convolution plays one step per input pixel instead.
    pub fn steps(&self, scatter: bool) -> Vec<Step> {
        let mut steps = Vec::new();
        for (si, stage) in self.stages.iter().enumerate() {
            if stage.kind == StageKind::Upsampled || self.shuffles(si) {
                let [_, h, w] = self.stages[si - 1].shape();
                for y in 0..h {
                    for x in 0..w {
                        steps.push(Step::Copy { stage: si, y, x });
                    }
                }
            }
            for (ci, v) in self
                .convs
                .iter()
                .enumerate()
                .filter(|(_, v)| v.output_stage == si)
            {
                if scatter && v.transposed {
                    let [_, h, w] = self.stages[v.input_stage - 2].shape();
                    for y in 0..h {
                        for x in 0..w {
                            steps.push(Step::Scatter { conv: ci, y, x });
                        }
                    }
                } else {
                    let [_, h, w] = stage.shape();
                    for y in 0..h {
                        for x in 0..w {
                            steps.push(Step::Conv { conv: ci, y, x });
                        }
                    }
                }
            }
        }
        steps
    }

    /// The cells of the previous stage that cell `(y, x)` of stage `stage` is made of, with their
    /// weights: one with weight 1 for data and copies, the pixels a bilinear cell mixes (those of
    /// weight above 0, weights summing to 1), none for padding and inserted zeros.
    pub fn sources(&self, stage: usize, y: usize, x: usize) -> Vec<(usize, usize, f32)> {
        let Some(cell) = self.stages.get(stage).and_then(|s| s.cells.get([y, x])) else {
            return Vec::new();
        };
        match *cell {
            Cell::Data { y, x } | Cell::Copied { y, x } | Cell::Shuffled { y, x, .. } => {
                vec![(y, x, 1.0)]
            }
            Cell::Padding | Cell::Inserted => Vec::new(),
            Cell::Interpolated { .. } => {
                let Some(i) = self.interpolation.filter(|i| i.stage == stage) else {
                    return Vec::new();
                };
                let [_, sh, sw] = self.stages[stage - 1].shape();
                let mix = crate::bilinear_mix([y, x], [sh, sw], i.scale, i.align_corners);
                let mut out: Vec<(usize, usize, f32)> = Vec::with_capacity(4);
                for (sy, sx, weight) in mix.into_iter().filter(|t| t.2 > 0.0) {
                    // A clamped tap reads the same pixel twice: one entry, weights added.
                    match out.iter_mut().find(|(py, px, _)| (*py, *px) == (sy, sx)) {
                        Some(e) => e.2 += weight,
                        None => out.push((sy, sx, weight)),
                    }
                }
                out
            }
        }
    }

    /// The cells of stage `stage` made from cell `(y, x)` of the stage before it, in row order:
    /// its copies, or the bilinear cells that mix it in (the reverse of [`Forward::sources`]).
    /// Runs at every copy step of the animation (for the trace and the volume view's box), so it
    /// tests each cell in place instead of listing its sources.
    pub fn made_from(&self, stage: usize, y: usize, x: usize) -> Vec<[usize; 2]> {
        let Some(s) = self.stages.get(stage) else {
            return Vec::new();
        };
        let mix = self.interpolation.filter(|i| i.stage == stage);
        let [_, h, w] = s.shape();
        let [_, sh, sw] = self.stages[stage.saturating_sub(1)].shape();
        // Whether output pixel `o` of an axis of `len` input pixels reads input pixel `at` (with a
        // weight above 0).
        let reads = |i: Interpolation, o: usize, len: usize, at: usize| {
            let (a, b, wb) = crate::bilinear_taps(o, len, i.scale, i.align_corners);
            (a == at && wb < 1.0) || (b == at && wb > 0.0)
        };
        (0..h)
            .flat_map(|yy| (0..w).map(move |xx| [yy, xx]))
            .filter(|&[yy, xx]| match s.cells[[yy, xx]] {
                Cell::Data { y: sy, x: sx }
                | Cell::Copied { y: sy, x: sx }
                | Cell::Shuffled { y: sy, x: sx, .. } => (sy, sx) == (y, x),
                Cell::Interpolated { .. } => {
                    mix.is_some_and(|i| reads(i, yy, sh, y) && reads(i, xx, sw, x))
                }
                Cell::Padding | Cell::Inserted => false,
            })
            .collect()
    }

    /// Whether stage `stage` is a pixel shuffle's output.
    pub fn shuffles(&self, stage: usize) -> bool {
        self.stages
            .get(stage)
            .and_then(|s| s.cells.iter().next())
            .is_some_and(|c| matches!(c, Cell::Shuffled { .. }))
    }

    /// The channel of the stage before `stage` that channel `channel` of cell `(y, x)` reads: the
    /// same channel, except after a pixel shuffle (`channel·r² + sub`).
    pub fn source_channel(&self, stage: usize, channel: usize, y: usize, x: usize) -> usize {
        let Some(s) = self.stages.get(stage) else {
            return channel;
        };
        match s.cells.get([y, x]) {
            Some(&Cell::Shuffled { sub, .. }) => {
                let before = self.stages[stage - 1].shape()[0];
                channel * (before / s.shape()[0].max(1)) + sub
            }
            _ => channel,
        }
    }

    /// Where a pixel shuffle puts cell `(channel, y, x)` of the stage before it: `[c, y, x]` of
    /// stage `stage`; `None` if `stage` is not a shuffle or the cell does not exist. The reverse of
    /// [`Forward::source_channel`] with [`Forward::sources`].
    pub fn shuffled_to(
        &self,
        stage: usize,
        channel: usize,
        y: usize,
        x: usize,
    ) -> Option<[usize; 3]> {
        if !self.shuffles(stage) {
            return None;
        }
        let before = &self.stages[stage - 1];
        let [bc, bh, bw] = before.shape();
        let r = before.shuffle_factor()?;
        let square = r * r;
        let sub = channel % square;
        (channel < bc && y < bh && x < bw).then_some([
            channel / square,
            y * r + sub / r,
            x * r + sub % r,
        ])
    }

    /// Follows a cell of stage `stage` back to the layer input: `Some((y, x))` for data and copies,
    /// `None` for padding, inserted zeros and bilinear mixes (and for cells of stages after a
    /// convolution).
    pub fn origin(&self, stage: usize, y: usize, x: usize) -> Option<[usize; 2]> {
        let mut at = (stage, y, x);
        loop {
            let s = self.stages.get(at.0)?;
            if s.kind == StageKind::Input {
                return Some([at.1, at.2]);
            }
            if matches!(s.kind, StageKind::Intermediate | StageKind::Output) {
                return None;
            }
            match *s.cells.get([at.1, at.2])? {
                Cell::Data { y, x } | Cell::Copied { y, x } => at = (at.0 - 1, y, x),
                Cell::Padding
                | Cell::Inserted
                | Cell::Interpolated { .. }
                | Cell::Shuffled { .. } => return None,
            }
        }
    }
}

impl Conv2dOptions {
    /// Options with the same value on both axes and symmetric padding.
    pub fn square(stride: usize, padding: usize, dilation: usize, groups: usize) -> Self {
        Conv2dOptions {
            stride: [stride, stride],
            padding: crate::Padding::uniform(padding),
            dilation: [dilation, dilation],
            groups,
            padding_mode: crate::PaddingMode::Zeros,
        }
    }
}
