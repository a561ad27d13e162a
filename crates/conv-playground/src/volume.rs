//! The volume view, as the article draws layers: every tensor a block in an oblique projection
//! (front face: channel 0's H×W values; one slab per channel going back; the top and right faces
//! show each channel's top row and last column, so every visible cell is a real value), kernels
//! as boxes of k×k×depth coloured by group, and at each animation step the active kernel box
//! inside the volume it reads, spanning exactly its channels, joined to the cell it writes.
//! Pure: a [`Display`] built from the scene, tested natively.

use conv_core::{Cell, Forward, Stage, Step};

use crate::channels::{FAST_BELOW, VALUES_FROM};
use crate::display::{bounds_of, fit, text_width, Display, Item, Pt, Shape};
use crate::layout::CellRange;
use crate::palette::{self, text_on_value, Ink, Paint};
use crate::pipeline::{Part, Piece, SHAPE_PX, TITLE_PX};
use crate::scene::{KernelSet, Scene};
use crate::trace::{format_value, CellRef, Role};

/// What one moment of the animation does, in the terms of the volumes: a box (stage, channel
/// range, window) and the cell it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Active {
    /// The stage the box sits in: a convolution's input; the output for a transposed layer's
    /// scatter step (the stamp); the upsampled stage for a copy.
    pub stage: usize,
    /// Channels of `stage` the box spans, inclusive.
    pub channels: [usize; 2],
    /// `[y, x, h, w]` of the box in `stage`.
    pub window: [usize; 4],
    /// The cell written (for a stamp or a copy, the first of its cells).
    pub output: CellRef,
    /// `(conv, kernel)` in use.
    pub kernel: Option<(usize, usize)>,
    /// Where a stamp or a copy comes from: stage, channel range, row, column.
    pub source: Option<(usize, [usize; 2], usize, usize)>,
}

/// The box of animation step `step` with output channel `channel` followed (as the trace
/// follows it). `None` for a step that does not exist.
pub fn active(fwd: &Forward, step: &Step, channel: usize) -> Option<Active> {
    match *step {
        Step::Conv { conv, y, x } => {
            let v = fwd.convs.get(conv)?;
            let [oc, ..] = fwd.stages[v.output_stage].shape();
            let [ic, ..] = fwd.stages[v.input_stage].shape();
            let (co, ipg, opg) = per_group(channel, oc, ic, v.groups);
            let g = co / opg;
            let ext = conv_core::shape::kernel_field(v.weight.dim().2, v.dilation).ok()?;
            Some(Active {
                stage: v.input_stage,
                channels: [g * ipg, g * ipg + ipg - 1],
                window: [y * v.stride, x * v.stride, ext, ext],
                output: CellRef {
                    stage: v.output_stage,
                    channel: co,
                    y,
                    x,
                },
                kernel: Some((conv, co)),
                source: None,
            })
        }
        Step::Scatter { conv, y, x } => {
            let v = fwd.convs.get(conv)?;
            let src = v.input_stage.checked_sub(2)?;
            let [oc, ..] = fwd.stages[v.output_stage].shape();
            let [ic, ..] = fwd.stages[src].shape();
            let (co, ipg, opg) = per_group(channel, oc, ic, v.groups);
            let g = co / opg;
            let stamps: Vec<[usize; 2]> = fwd
                .scatter(conv, g * ipg, y, x)
                .iter()
                .filter(|s| s.out_channel == co)
                .map(|s| [s.y, s.x])
                .collect();
            let window = window_of(&stamps)?;
            Some(Active {
                stage: v.output_stage,
                channels: [g * opg, g * opg + opg - 1],
                window,
                output: CellRef {
                    stage: v.output_stage,
                    channel: co,
                    y: window[0],
                    x: window[1],
                },
                kernel: Some((conv, co)),
                source: Some((src, [g * ipg, g * ipg + ipg - 1], y, x)),
            })
        }
        Step::Copy { stage, y, x } => {
            let up = fwd.stages.get(stage)?;
            let [c, ..] = up.shape();
            let window = window_of(&fwd.made_from(stage, y, x))?;
            Some(Active {
                stage,
                channels: [0, c - 1],
                window,
                output: CellRef {
                    stage,
                    channel: 0,
                    y: window[0],
                    x: window[1],
                },
                kernel: None,
                source: Some((stage - 1, [0, c - 1], y, x)),
            })
        }
    }
}

/// The followed output channel (clamped), input and output channels per group.
fn per_group(channel: usize, oc: usize, ic: usize, groups: usize) -> (usize, usize, usize) {
    let g = groups.max(1);
    (channel.min(oc.max(1) - 1), (ic / g).max(1), (oc / g).max(1))
}

/// `[y, x, h, w]` around `cells`.
fn window_of(cells: &[[usize; 2]]) -> Option<[usize; 4]> {
    let y0 = cells.iter().map(|c| c[0]).min()?;
    let x0 = cells.iter().map(|c| c[1]).min()?;
    let y1 = cells.iter().map(|c| c[0]).max()?;
    let x1 = cells.iter().map(|c| c[1]).max()?;
    Some([y0, x0, y1 - y0 + 1, x1 - x0 + 1])
}

/// Thinnest slab drawn, in CSS pixels; more channels than fit at this break the block.
const MIN_SLAB: f64 = 1.5;
/// Kernel boxes drawn per convolution (the active one always among them).
pub const MAX_BOXES: usize = 8;
const CAPTION_H: f64 = 36.0;
const ARROW_W: f64 = 30.0;
const ROW_GAP: f64 = 18.0;
const BOX_GAP: f64 = 10.0;
const MARGIN: f64 = 6.0;
/// Room for the channel count under a block whose channels do not all have a slab.
const BREAK_LABEL_H: f64 = 14.0;
/// Room for a kernel box's label above it.
const LABEL_H: f64 = 14.0;

/// A tensor's block at cell size `s`: `slabs` drawn of `channels`, each `q` deep.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Vol {
    /// Top-left of the block's bounding box.
    x: f64,
    y: f64,
    s: f64,
    q: f64,
    slabs: usize,
    channels: usize,
    h: usize,
    w: usize,
}

impl Vol {
    /// The depth of a block for `channels` at cell `s` over an `h × w` face: slabs of up to
    /// 0.6 cells, the whole no deeper than 0.6 of the longer side.
    fn sized(channels: usize, h: usize, w: usize, s: f64) -> Vol {
        let budget = 0.6 * h.max(w) as f64 * s;
        let c = channels.max(1) as f64;
        let q = (0.6 * s).min(budget / c);
        let thinnest = MIN_SLAB.min(0.6 * s);
        let (q, slabs) = if q < thinnest {
            (thinnest, ((budget / thinnest).floor() as usize).max(2))
        } else {
            (q, channels.max(1))
        };
        Vol {
            x: 0.0,
            y: 0.0,
            s,
            q,
            slabs: slabs.min(channels.max(1)),
            channels,
            h,
            w,
        }
    }

    /// A block of `depth` channels with slabs as deep as `like`'s (a kernel beside the volume
    /// it slides through).
    fn like(like: &Vol, depth: usize, h: usize, w: usize) -> Vol {
        let slabs = depth.min(like.slabs.max(1)).max(1);
        Vol {
            q: like.q,
            slabs,
            channels: depth,
            h,
            w,
            ..*like
        }
    }

    /// The same block at `k` times the size (kernels drawn smaller than the volumes).
    fn scaled(&self, k: f64) -> Vol {
        Vol {
            s: self.s * k,
            q: self.q * k,
            ..*self
        }
    }

    fn broken(&self) -> bool {
        self.slabs < self.channels
    }
    fn depth(&self) -> f64 {
        self.slabs as f64 * self.q
    }
    fn size(&self) -> [f64; 2] {
        [
            self.w as f64 * self.s + self.depth(),
            self.h as f64 * self.s + self.depth(),
        ]
    }
    /// The projection of column `col`, row `row`, channel depth `dep` (fractions allowed).
    fn p(&self, col: f64, row: f64, dep: f64) -> Pt {
        [
            self.x + col * self.s + dep * self.q,
            self.y + self.depth() + row * self.s - dep * self.q,
        ]
    }
    /// Channel `c` as a slab depth (channels past a break sit at the back).
    fn slab(&self, c: usize) -> f64 {
        c.min(self.slabs) as f64
    }
    /// The eight corners of the box `[y, x, h, w]` over channels `[a, b]`.
    fn corners(&self, window: [usize; 4], channels: [usize; 2]) -> Vec<Pt> {
        let [y, x, h, w] = window.map(|v| v as f64);
        let (a, b) = (
            self.slab(channels[0]),
            self.slab(channels[1] + 1).max(self.slab(channels[0]) + 0.5),
        );
        let mut out = Vec::with_capacity(8);
        for d in [a, b] {
            for (cx, cy) in [(x, y), (x + w, y), (x + w, y + h), (x, y + h)] {
                out.push(self.p(cx, cy, d));
            }
        }
        out
    }
}

/// Values of a block: a stage's channels, or one kernel's slices.
trait Values {
    /// The value at `(channel, y, x)` and how its cell is drawn; `None` for a gap.
    fn at(&self, c: usize, y: usize, x: usize) -> (Paint, bool, Option<f32>);

    /// The front face (channel 0), `h × w` cells of side `s` from `at`.
    fn front_face(&self, d: &mut Display, at: Pt, s: f64, h: usize, w: usize) {
        if s < VALUES_FROM {
            let paints = (0..h * w).map(|i| self.at(0, i / w, i % w).0).collect();
            d.cells(at, s, w, h, paints);
            for i in (0..h * w).filter(|&i| s >= FAST_BELOW && self.at(0, i / w, i % w).1) {
                let shape =
                    Shape::rect(at[0] + (i % w) as f64 * s, at[1] + (i / w) as f64 * s, s, s);
                d.push(Item::Fill {
                    shape,
                    paint: Paint::Ink(Ink::Inserted),
                    hatch: true,
                    cell: false,
                });
            }
            return;
        }
        for y in 0..h {
            for x in 0..w {
                self.front(d, y, x, [at[0] + x as f64 * s, at[1] + y as f64 * s], s);
            }
        }
    }

    /// Front-face cell `(y, x)` (channel 0) at `at`, side `s`: its colour, hatching, and the value
    /// written when the cell is large enough.
    fn front(&self, d: &mut Display, y: usize, x: usize, at: Pt, s: f64) {
        let (paint, hatch, value) = self.at(0, y, x);
        d.cell(Shape::rect(at[0], at[1], s, s), paint, hatch);
        if let (Some(val), true, Paint::Value(t)) = (value, s >= 22.0, paint) {
            let c = [at[0] + s / 2.0, at[1] + s / 2.0];
            let font = (s * 0.36).clamp(7.0, 13.0);
            d.centred(c, format_value(val), font, text_on_value(t), s - 2.0);
        }
    }
}

struct StageValues<'a> {
    stage: &'a Stage,
    scale: f32,
}

impl Values for StageValues<'_> {
    /// As the channel view draws a map.
    fn front_face(&self, d: &mut Display, at: Pt, s: f64, _h: usize, _w: usize) {
        crate::channels::paint_map(d, self.stage, 0, at[0], at[1], s, self.scale);
    }

    /// As the channel view draws it: inserted zeros dotted, copies marked in a corner.
    fn front(&self, d: &mut Display, y: usize, x: usize, at: Pt, s: f64) {
        crate::channels::paint_cell(d, self.stage, 0, y, x, at, s, self.scale);
    }

    fn at(&self, c: usize, y: usize, x: usize) -> (Paint, bool, Option<f32>) {
        match self.stage.cells[[y, x]] {
            Cell::Padding => (Paint::Ink(Ink::Padding), true, Some(0.0)),
            Cell::Inserted => (Paint::Ink(Ink::Inserted), false, None),
            _ => {
                let v = self.stage.data[[c, y, x]];
                (
                    Paint::Value(palette::normalise(v, self.scale)),
                    false,
                    Some(v),
                )
            }
        }
    }
}

struct KernelValues<'a> {
    set: &'a KernelSet,
    kernel: usize,
    scale: f32,
}

impl Values for KernelValues<'_> {
    fn at(&self, c: usize, y: usize, x: usize) -> (Paint, bool, Option<f32>) {
        match self.set.tap(self.kernel, c, y, x) {
            Some(v) => (
                Paint::Value(palette::normalise(v, self.scale)),
                false,
                Some(v),
            ),
            None => (Paint::Ink(Ink::Inserted), true, None),
        }
    }
}

/// The channel a drawn slab stands for: the first slabs are the first channels; past a break
/// the last slab is the last channel.
fn slab_channel(v: &Vol, slab: usize) -> usize {
    if v.broken() && slab + 1 == v.slabs {
        v.channels - 1
    } else {
        slab
    }
}

/// Paint a block: top and right faces slab by slab, the front face (channel 0), its outline,
/// and a break mark with the channel count when not every channel has a slab.
fn paint_volume(d: &mut Display, v: &Vol, values: &dyn Values, outline: Ink) {
    let s = v.s;
    // The top face: one row of W cells per slab; the right face: H rows of one cell per slab.
    // Each is one skewed cell map (one image on the canvas), hatching laid over padding.
    let slab = |i: usize| slab_channel(v, i);
    let (origin, right) = (v.p(0.0, 0.0, 0.0), v.p(v.w as f64, 0.0, 0.0));
    let (across, back, down) = ([s, 0.0], [v.q, -v.q], [0.0, s]);
    let top: Vec<(Paint, bool)> = (0..v.slabs)
        .flat_map(|i| (0..v.w).map(move |x| (i, x)))
        .map(|(i, x)| {
            let (p, hatch, _) = values.at(slab(i), 0, x);
            (p, hatch)
        })
        .collect();
    let side: Vec<(Paint, bool)> = (0..v.h)
        .flat_map(|y| (0..v.slabs).map(move |i| (y, i)))
        .map(|(y, i)| {
            let (p, hatch, _) = values.at(slab(i), y, v.w - 1);
            (p, hatch)
        })
        .collect();
    for (at, u, w, cols, rows, cells) in [
        (origin, across, back, v.w, v.slabs, top),
        (right, back, down, v.slabs, v.h, side),
    ] {
        let paints = cells.iter().map(|c| c.0).collect();
        d.push(Item::Cells {
            at,
            u,
            v: w,
            cols,
            rows,
            paints,
        });
        // Hatched in a few regions (a padded face is one), not cell by cell.
        if s >= 5.0 && v.q >= 3.0 {
            let padding = |r: usize, c: usize| cells[r * cols + c].1;
            d.hatch([at, u, w], [rows, cols], padding, Ink::Padding);
        }
    }
    values.front_face(d, v.p(0.0, 0.0, 0.0), s, v.h, v.w);
    let (w, h, dep) = (v.w as f64, v.h as f64, v.slabs as f64);
    let outline_pts = [
        v.p(0.0, 0.0, 0.0),
        v.p(0.0, 0.0, dep),
        v.p(w, 0.0, dep),
        v.p(w, h, dep),
        v.p(w, h, 0.0),
        v.p(0.0, h, 0.0),
    ];
    d.stroke(Shape::Poly(outline_pts.to_vec()), outline, 1.5);
    d.line(v.p(0.0, 0.0, 0.0), v.p(w, 0.0, 0.0), outline, 1.0);
    d.line(v.p(w, 0.0, 0.0), v.p(w, 0.0, dep), outline, 1.0);
    d.line(v.p(w, 0.0, 0.0), v.p(w, h, 0.0), outline, 1.0);
    if v.broken() {
        // A zigzag across the top and right faces before the last slab.
        let at = dep - 1.0;
        let zig = |a: Pt, b: Pt| [(a[0] + b[0]) / 2.0 + 2.0, (a[1] + b[1]) / 2.0 - 2.0];
        let (a, b, c) = (v.p(0.0, 0.0, at), v.p(w, 0.0, at), v.p(w, h, at));
        for (p, q) in [(a, b), (b, c)] {
            d.line(p, zig(p, q), Ink::Background, 3.0);
            d.line(zig(p, q), q, Ink::Background, 3.0);
        }
    }
}

/// A thin box `[y, x, h, w] × [a, b]` in `v`, drawn as its three visible faces' outlines.
fn wire_box(
    d: &mut Display,
    v: &Vol,
    window: [usize; 4],
    channels: [usize; 2],
    ink: Ink,
    width: f64,
) -> [f64; 4] {
    let c = v.corners(window, channels);
    // Front (0..4), back (4..8); visible: front, top (0,1,5,4), right (1,2,6,5).
    d.stroke(Shape::Poly(c[0..4].to_vec()), ink, width);
    d.stroke(Shape::Poly(vec![c[0], c[1], c[5], c[4]]), ink, width);
    d.stroke(Shape::Poly(vec![c[1], c[2], c[6], c[5]]), ink, width);
    bounds_of(&c)
}

/// The layout of the volume view at one cell size.
struct Placement {
    /// Per piece: its block (a volume, or kernel boxes), its position and size.
    blocks: Vec<Placed>,
    width: f64,
    height: f64,
}

#[derive(Debug, Clone, PartialEq)]
struct Placed {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    kind: Kind,
    /// Whether an arrow leads into it from the block before.
    arrow: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Stage {
        index: usize,
        vol: Vol,
    },
    /// Kernel boxes (`shown` of them in columns of `per_col`), each like `unit`.
    Kernels {
        conv: usize,
        unit: Vol,
        shown: Vec<usize>,
        per_col: usize,
        more: usize,
    },
}

/// The input volume convolution `conv` slides over, sized at `s`.
fn input_vol(fwd: &Forward, conv: usize, s: f64) -> Option<Vol> {
    let v = fwd.convs.get(conv)?;
    let [c, h, w] = fwd.stages[v.input_stage].shape();
    Some(Vol::sized(c, h, w, s))
}

/// The kernels shown: the first [`MAX_BOXES`], with the active one in place of the last if it is
/// further on.
fn shown_kernels(count: usize, active: Option<usize>) -> (Vec<usize>, usize) {
    let n = count.min(MAX_BOXES);
    let mut shown: Vec<usize> = (0..n).collect();
    if let Some(a) = active.filter(|&a| a >= n && a < count) {
        shown[n - 1] = a;
    }
    (shown, count - n)
}

fn place(
    scene: &Scene,
    pieces: &[Piece],
    s: f64,
    width: f64,
    active_kernel: Option<(usize, usize)>,
) -> Placement {
    let fwd = &scene.forward;
    let tallest = fwd
        .stages
        .iter()
        .map(|st| {
            let [c, h, w] = st.shape();
            Vol::sized(c, h, w, s).size()[1]
        })
        .fold(0.0, f64::max);
    let mut sized: Vec<(f64, f64, Kind)> = Vec::new();
    for piece in pieces {
        let caption = text_width(&piece.title, TITLE_PX).max(text_width(&piece.shape, SHAPE_PX));
        let block = match piece.part {
            Part::Stage(index, _) => {
                let [c, h, w] = fwd.stages[index].shape();
                let vol = Vol::sized(c, h, w, s);
                let [bw, bh] = vol.size();
                let bh = bh + if vol.broken() { BREAK_LABEL_H } else { 0.0 };
                Some((bw, bh, Kind::Stage { index, vol }))
            }
            Part::Kernels(conv) => {
                let active = active_kernel.filter(|(c, _)| *c == conv).map(|(_, k)| k);
                kernel_block(scene, conv, s, tallest, active)
            }
        };
        if let Some((w, h, kind)) = block {
            sized.push((w.max(caption), h, kind));
        }
    }
    flow(sized, width)
}

/// The kernels of `conv` as a near-square grid of boxes, scaled down to the height of the
/// tallest volume: its size and contents.
fn kernel_block(
    scene: &Scene,
    conv: usize,
    s: f64,
    tallest: f64,
    active: Option<usize>,
) -> Option<(f64, f64, Kind)> {
    let set = scene.kernel_set(conv)?;
    let input = input_vol(&scene.forward, conv, s)?;
    let ext = set.extent();
    let (shown, more) = shown_kernels(set.count(), active);
    let per_col = (shown.len() as f64).sqrt().ceil().max(1.0) as usize;
    let natural = Vol::like(&input, set.depth, ext, ext);
    let grid_h = per_col as f64 * (natural.size()[1] + BOX_GAP + LABEL_H) - BOX_GAP;
    let k = (tallest.max(60.0) / grid_h).min(1.0);
    let unit = Vol::like(&input.scaled(k), set.depth, ext, ext);
    let [uw, uh] = unit.size();
    let cols = shown.len().div_ceil(per_col);
    let bw = cols as f64 * (uw + BOX_GAP) - BOX_GAP;
    let more_h = if more > 0 { 16.0 } else { 0.0 };
    let bh = per_col as f64 * (uh + BOX_GAP + LABEL_H) - BOX_GAP + more_h;
    let kind = Kind::Kernels {
        conv,
        unit,
        shown,
        per_col,
        more,
    };
    Some((bw, bh, kind))
}

/// Blocks of `(width, height, contents)` in rows read left to right, a new row when the next
/// block would pass `width`, an arrow before every block but a row's first.
fn flow(sized: Vec<(f64, f64, Kind)>, width: f64) -> Placement {
    let mut blocks = Vec::new();
    let (mut x, mut y, mut row_h, mut max_w) = (MARGIN, MARGIN, 0.0f64, 0.0f64);
    for (w, h, kind) in sized {
        if x > MARGIN && x + ARROW_W + w > width - MARGIN {
            y += row_h + CAPTION_H + ROW_GAP;
            x = MARGIN;
            row_h = 0.0;
        }
        let arrow = x > MARGIN;
        if arrow {
            x += ARROW_W;
        }
        blocks.push(Placed {
            x,
            y: y + CAPTION_H,
            w,
            h,
            kind,
            arrow,
        });
        x += w;
        max_w = max_w.max(x);
        row_h = row_h.max(h);
    }
    Placement {
        blocks,
        width: max_w + MARGIN,
        height: y + row_h + CAPTION_H + MARGIN,
    }
}

/// A front face the reader can point at: stage, top-left, cell size and map size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Front {
    pub stage: usize,
    pub at: Pt,
    pub cell: f64,
    pub h: usize,
    pub w: usize,
}

impl Front {
    /// The cell of channel 0 under `(x, y)`, if any.
    pub fn hit(&self, x: f64, y: f64) -> Option<CellRef> {
        let (cx, cy) = ((x - self.at[0]) / self.cell, (y - self.at[1]) / self.cell);
        let inside = cx >= 0.0 && cy >= 0.0 && (cx as usize) < self.w && (cy as usize) < self.h;
        inside.then_some(CellRef {
            stage: self.stage,
            channel: 0,
            y: cy as usize,
            x: cx as usize,
        })
    }
}

/// The volume view of a scene: the drawing, the faces that can be pointed at, and the active
/// box's description for the test hooks.
#[derive(Debug, Clone, PartialEq)]
pub struct VolumeFigure {
    pub display: Display,
    pub fronts: Vec<Front>,
    /// The active box and its projected bounding rectangle `[x, y, w, h]`.
    pub active: Option<(Active, [f64; 4])>,
    pub cell: f64,
    /// Whether the whole figure fits the space it was given.
    pub fits: bool,
}

/// Cell sizes tried, largest first.
const CELLS: [f64; 18] = [
    34.0, 30.0, 26.0, 23.0, 20.0, 17.0, 15.0, 13.0, 12.0, 11.0, 9.0, 7.0, 5.0, 4.0, 3.0, 2.0, 1.5,
    1.0,
];

/// The volume view of `scene` in `space` (width, height in CSS pixels) with `active` (a step's
/// box) and `marks` (a trace's cells) highlighted. The cell is the largest in `range` at which
/// everything fits; if none does, the largest up to `range.scroll` that fits the width (the
/// page scrolls), as the channel view's plan does.
pub fn figure(
    scene: &Scene,
    pieces: &[Piece],
    space: [f64; 2],
    range: CellRange,
    active: Option<Active>,
    marks: &[(CellRef, Role)],
) -> VolumeFigure {
    let kernel = active.and_then(|a| a.kernel);
    let place_at = |s: f64| place(scene, pieces, s, space[0], kernel);
    let wide = |p: &Placement| p.width <= space[0] + 0.5;
    let fitting = CELLS
        .iter()
        .filter(|&&s| s <= range.max && s >= range.min)
        .map(|&s| (s, place_at(s)))
        .find(|(_, p)| wide(p) && p.height <= space[1] + 0.5);
    let (cell, placement, fits) = match fitting {
        Some((s, p)) => (s, p, true),
        None => {
            let s = CELLS
                .iter()
                .copied()
                .filter(|&s| s <= range.scroll)
                .find(|&s| wide(&place_at(s)))
                .unwrap_or(1.0);
            (s, place_at(s), false)
        }
    };
    draw(scene, pieces, placement, cell, fits, active, marks)
}

fn draw(
    scene: &Scene,
    pieces: &[Piece],
    placement: Placement,
    cell: f64,
    fits: bool,
    active: Option<Active>,
    marks: &[(CellRef, Role)],
) -> VolumeFigure {
    let mut d = Display::new(placement.width, placement.height);
    let mut fronts = Vec::new();
    let mut vols: Vec<(usize, Vol)> = Vec::new();
    let pieces: Vec<&Piece> = pieces
        .iter()
        .filter(|p| !matches!(p.part, Part::Kernels(c) if scene.kernel_set(c).is_none()))
        .collect();
    for (placed, piece) in placement.blocks.iter().zip(pieces) {
        caption(&mut d, placed, piece);
        if placed.arrow {
            arrow(&mut d, placed);
        }
        match &placed.kind {
            Kind::Stage { index, vol } => {
                let v = Vol {
                    x: placed.x,
                    y: placed.y,
                    ..*vol
                };
                fronts.push(draw_stage(
                    &mut d,
                    &scene.forward.stages[*index],
                    *index,
                    &v,
                    marks,
                ));
                vols.push((*index, v));
            }
            Kind::Kernels { conv, .. } => {
                if let Some(set) = scene.kernel_set(*conv) {
                    draw_kernels(&mut d, set, placed, active);
                }
            }
        }
    }
    let active = active.and_then(|a| draw_active(&mut d, &vols, a).map(|b| (a, b)));
    VolumeFigure {
        display: d,
        fronts,
        active,
        cell,
        fits,
    }
}

/// A stage's block `v` with the trace's marks on its front face, and its channel count under
/// it when not every channel has a slab; returns the front face.
fn draw_stage(
    d: &mut Display,
    stage: &Stage,
    index: usize,
    v: &Vol,
    marks: &[(CellRef, Role)],
) -> Front {
    let values = StageValues {
        stage,
        scale: palette::max_abs_of(&stage.data),
    };
    paint_volume(d, v, &values, Ink::Text);
    if v.broken() {
        // Under the block, in the room `place` left for it.
        let label = format!("C = {}", v.channels);
        d.text(
            [v.x, v.y + v.size()[1] + BREAK_LABEL_H - 2.0],
            label,
            11.0,
            Ink::Muted,
        );
    }
    mark_front(d, v, index, &values, marks);
    Front {
        stage: index,
        at: v.p(0.0, 0.0, 0.0),
        cell: v.s,
        h: v.h,
        w: v.w,
    }
}

/// The kernel boxes of a kernels block, row by row, each labelled and framed in its group's
/// colour; the one in use framed in the focus colour; "+N" for those not drawn.
fn draw_kernels(d: &mut Display, set: &KernelSet, placed: &Placed, active: Option<Active>) {
    let Kind::Kernels {
        conv,
        unit,
        shown,
        per_col,
        more,
    } = &placed.kind
    else {
        return;
    };
    let scale = set.scale();
    let [uw, uh] = unit.size();
    let cols = shown.len().div_ceil(*per_col);
    for (i, &k) in shown.iter().enumerate() {
        let (col, row) = (i % cols, i / cols);
        let v = Vol {
            x: placed.x + col as f64 * (uw + BOX_GAP),
            y: placed.y + LABEL_H + row as f64 * (uh + BOX_GAP + LABEL_H),
            ..*unit
        };
        let is_active = kernel_is(active, *conv, k);
        let label = vec![format!("k{k}"), k.to_string()];
        if let Some(t) = fit(&label, 11.0, uw + BOX_GAP) {
            let ink = if is_active { Ink::Focus } else { Ink::Text };
            d.text([v.x, v.y - 3.0], t, 11.0, ink);
        }
        let values = KernelValues {
            set,
            kernel: k,
            scale,
        };
        paint_volume(d, &v, &values, Ink::Group(set.group(k) as u8));
        if is_active {
            let corners = v.corners([0, 0, v.h, v.w], [0, v.channels.max(1) - 1]);
            let [x, y, w, h] = bounds_of(&corners);
            d.stroke(
                Shape::rect(x - 3.0, y - 3.0, w + 6.0, h + 6.0),
                Ink::Focus,
                2.0,
            );
        }
    }
    if *more > 0 {
        let y = placed.y + placed.h - 4.0;
        d.text([placed.x, y], format!("+{more}"), 11.0, Ink::Muted);
    }
}

fn kernel_is(active: Option<Active>, conv: usize, k: usize) -> bool {
    active.and_then(|a| a.kernel) == Some((conv, k))
}

fn caption(d: &mut Display, placed: &Placed, piece: &Piece) {
    let y = placed.y - CAPTION_H;
    d.push(Item::Text {
        at: [placed.x, y + 14.0],
        text: piece.title.clone(),
        size: TITLE_PX,
        ink: Ink::Text,
        anchor: crate::display::Anchor::Start,
        bold: true,
        max_width: None,
    });
    d.text(
        [placed.x, y + 29.0],
        piece.shape.clone(),
        SHAPE_PX,
        Ink::Muted,
    );
}

fn arrow(d: &mut Display, placed: &Placed) {
    let y = placed.y + placed.h.min(60.0) / 2.0;
    let (x0, x1) = (placed.x - ARROW_W + 6.0, placed.x - 6.0);
    d.line([x0, y], [x1 - 4.0, y], Ink::Muted, 1.5);
    d.fill(
        Shape::Poly(vec![[x1, y], [x1 - 6.0, y - 4.0], [x1 - 6.0, y + 4.0]]),
        Paint::Ink(Ink::Muted),
    );
}

/// The trace's cells on a front face (channel 0): the rest veiled, the cells framed.
fn mark_front(
    d: &mut Display,
    v: &Vol,
    stage: usize,
    values: &dyn Values,
    marks: &[(CellRef, Role)],
) {
    let on: Vec<&(CellRef, Role)> = marks
        .iter()
        .filter(|(c, _)| c.stage == stage && c.channel == 0 && c.y < v.h && c.x < v.w)
        .collect();
    if on.is_empty() {
        return;
    }
    let [fx, fy] = v.p(0.0, 0.0, 0.0);
    d.push(Item::Veil {
        x: fx,
        y: fy,
        w: v.w as f64 * v.s,
        h: v.h as f64 * v.s,
    });
    // The focused cell last, on top of the related ones.
    let related = on.iter().filter(|(_, r)| *r != Role::Focus);
    for &&(c, role) in related.chain(on.iter().filter(|(_, r)| *r == Role::Focus)) {
        let r = Shape::rect(fx + c.x as f64 * v.s, fy + c.y as f64 * v.s, v.s, v.s);
        let [x, y, _, _] = r.bounds();
        values.front(d, c.y, c.x, [x, y], v.s);
        let (ink, width) = match role {
            Role::Focus => (Ink::Focus, 2.5),
            Role::Related => (Ink::Related, 1.5),
        };
        d.stroke(r, ink, width);
    }
}

/// The active box in its volume, the source it comes from, the cell it writes, the written
/// slice marked and a line joining them. Returns the box's projected bounding rectangle.
fn draw_active(d: &mut Display, vols: &[(usize, Vol)], a: Active) -> Option<[f64; 4]> {
    let find = |s: usize| vols.iter().find(|(i, _)| *i == s).map(|(_, v)| *v);
    let vbox = find(a.stage)?;
    let bbox = wire_box(d, &vbox, a.window, a.channels, Ink::Focus, 2.0);
    let centre = |b: [f64; 4]| [b[0] + b[2] / 2.0, b[1] + b[3] / 2.0];
    if let Some((src_stage, chans, y, x)) = a.source {
        if let Some(src) = find(src_stage) {
            let b = wire_box(d, &src, [y, x, 1, 1], chans, Ink::Focus, 2.0);
            d.line(centre(b), centre(bbox), Ink::Focus, 1.5);
        }
    }
    if a.output.stage != a.stage {
        if let Some(out) = find(a.output.stage) {
            let c = a.output.channel;
            let [sx, sy] = out.p(0.0, 0.0, out.slab(c));
            let slice = Shape::rect(sx, sy, out.w as f64 * out.s, out.h as f64 * out.s);
            d.push(Item::Stroke {
                shape: slice,
                ink: Ink::Related,
                width: 1.5,
                dashed: true,
            });
            let b = wire_box(
                d,
                &out,
                [a.output.y, a.output.x, 1, 1],
                [c, c],
                Ink::Focus,
                2.5,
            );
            d.line(centre(bbox), centre(b), Ink::Focus, 1.5);
        }
    } else {
        // A stamp or a copy: the slice of its first channel.
        let c = a.output.channel;
        let [sx, sy] = vbox.p(0.0, 0.0, vbox.slab(c));
        let slice = Shape::rect(sx, sy, vbox.w as f64 * vbox.s, vbox.h as f64 * vbox.s);
        d.push(Item::Stroke {
            shape: slice,
            ink: Ink::Related,
            width: 1.5,
            dashed: true,
        });
    }
    Some(bbox)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use crate::pipeline::pipeline;
    use crate::scene::SceneKey;
    use crate::state::{Action, AppState};
    use crate::trace::for_step;
    use conv_core::{LayerKind, Param};

    const DESK: CellRange = CellRange {
        max: 34.0,
        min: 9.0,
        scroll: 12.0,
    };
    const PHONE: CellRange = CellRange {
        max: 28.0,
        min: 12.0,
        scroll: 14.0,
    };

    fn scene_of(state: AppState) -> Scene {
        Scene::build(&SceneKey::from(&state)).unwrap()
    }

    fn scene(kind: LayerKind) -> Scene {
        scene_of(AppState::default().reduce(Action::SetLayer(kind)))
    }

    fn grouped(groups: usize) -> Scene {
        let s = AppState::default().reduce(Action::SetLayer(LayerKind::Grouped));
        let s = s.reduce(Action::SetParam(Param::InChannels, 8));
        let s = s.reduce(Action::SetParam(Param::OutChannels, 8));
        let s = s.reduce(Action::SetParam(Param::Groups, groups));
        let sc = scene_of(s);
        assert_eq!(sc.spec.groups, groups);
        sc
    }

    /// The step's box holds every input cell the trace sums, spans the group's channels, and
    /// writes the cell the trace focuses on.
    fn check(sc: &Scene, scatter: bool) {
        let steps = sc.forward.steps(scatter);
        assert!(!steps.is_empty());
        let oc = sc.forward.output().shape()[0];
        let picks = [0, steps.len() / 3, steps.len() / 2, steps.len() - 1];
        for &i in &picks {
            for channel in [0, oc - 1] {
                let step = steps[i];
                let a = active(&sc.forward, &step, channel).unwrap();
                let t = for_step(&sc.forward, &step, channel);
                let [y, x, h, w] = a.window;
                if let Step::Conv { conv, .. } = step {
                    let v = &sc.forward.convs[conv];
                    let focus = t.marks.iter().find(|(_, r)| *r == Role::Focus).unwrap().0;
                    assert_eq!(focus, a.output, "{step:?}");
                    let reads: Vec<CellRef> = t
                        .marks
                        .iter()
                        .filter(|(c, r)| *r == Role::Related && c.stage == v.input_stage)
                        .map(|(c, _)| *c)
                        .collect();
                    assert!(!reads.is_empty());
                    for c in &reads {
                        assert!(
                            c.channel >= a.channels[0] && c.channel <= a.channels[1],
                            "{c:?} {a:?}"
                        );
                        assert!(
                            c.y >= y && c.y < y + h && c.x >= x && c.x < x + w,
                            "{c:?} {a:?}"
                        );
                    }
                    let lo = reads.iter().map(|c| c.channel).min().unwrap();
                    let hi = reads.iter().map(|c| c.channel).max().unwrap();
                    assert_eq!(
                        [lo, hi],
                        a.channels,
                        "the box spans exactly the channels read"
                    );
                    assert_eq!(a.kernel, t.kernel);
                } else {
                    // Stamps and copies: every written cell of the followed channel is in the box.
                    let written: Vec<CellRef> = t
                        .marks
                        .iter()
                        .filter(|(c, _)| c.stage == a.stage && c.channel == a.output.channel)
                        .map(|(c, _)| *c)
                        .collect();
                    assert!(!written.is_empty(), "{step:?}");
                    for c in &written {
                        assert!(
                            c.y >= y && c.y < y + h && c.x >= x && c.x < x + w,
                            "{c:?} {a:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_active_box_is_the_window_the_trace_reads() {
        for kind in LayerKind::ALL {
            check(&scene(kind), false);
        }
        check(&grouped(2), false);
        check(&grouped(4), false);
        check(&scene(LayerKind::Transposed), true);
    }

    #[test]
    fn channel_ranges_follow_the_layer_type() {
        let first = |sc: &Scene, channel: usize| {
            let steps = sc.forward.steps(false);
            active(&sc.forward, &steps[0], channel).unwrap()
        };
        let sc = scene(LayerKind::Standard);
        let ic = sc.forward.stages[0].shape()[0];
        assert_eq!(
            first(&sc, 5).channels,
            [0, ic - 1],
            "standard: every channel"
        );
        let sc = scene(LayerKind::Depthwise);
        assert_eq!(
            first(&sc, 2).channels[0],
            first(&sc, 2).channels[1],
            "depthwise: one channel"
        );
        let sc = scene(LayerKind::Pointwise);
        assert_eq!(first(&sc, 0).window[2..], [1, 1], "pointwise: 1×1");
        let sc = grouped(4);
        assert_eq!(
            first(&sc, 7).channels,
            [6, 7],
            "grouped: the last group's channels"
        );
        assert_eq!(first(&sc, 0).channels, [0, 1]);
        let sc = scene(LayerKind::Dilated);
        let v = &sc.forward.convs[0];
        let ext = (v.weight.dim().2 - 1) * v.dilation + 1;
        assert_eq!(first(&sc, 0).window[2], ext, "dilated: the spread box");
        let sc = scene(LayerKind::Separable);
        let steps = sc.forward.steps(false);
        let last = active(&sc.forward, steps.last().unwrap(), 3).unwrap();
        assert_eq!(
            last.kernel.map(|k| k.0),
            Some(1),
            "the pointwise phase comes last"
        );
        assert_eq!(
            last.channels,
            [0, sc.forward.stages[last.stage].shape()[0] - 1]
        );
    }

    #[test]
    fn the_figure_reports_the_box_where_it_draws_it() {
        for kind in LayerKind::ALL {
            let sc = scene(kind);
            let pieces = pipeline(&sc, Lang::En);
            let steps = sc.forward.steps(false);
            let mut boxes = Vec::new();
            for step in [steps[0], steps[steps.len() / 2]] {
                let a = active(&sc.forward, &step, 0);
                let f = figure(&sc, &pieces, [1100.0, 700.0], DESK, a, &[]);
                let (got, b) = f.active.unwrap();
                assert_eq!(Some(got), a);
                assert!(b[2] > 0.0 && b[3] > 0.0);
                assert!(b[0] >= 0.0 && b[1] >= 0.0 && b[0] + b[2] <= f.display.width + 1.0);
                boxes.push(b);
                assert!(f.display.cell_count() > 0);
                assert_eq!(f.fronts.len(), sc.forward.stages.len());
            }
            assert_ne!(boxes[0], boxes[1], "{kind:?}: stepping moves the box");
        }
    }

    #[test]
    fn every_visible_cell_is_drawn_once() {
        let sc = scene(LayerKind::Standard);
        let pieces = pipeline(&sc, Lang::En);
        let f = figure(&sc, &pieces, [1100.0, 700.0], DESK, None, &[]);
        let mut expected = 0;
        for st in &sc.forward.stages {
            let [c, h, w] = st.shape();
            let v = Vol::sized(c, h, w, f.cell);
            expected += h * w + v.slabs * (h + w);
        }
        let set = sc.kernel_set(0).unwrap();
        let ext = set.extent();
        let shown = set.count().min(MAX_BOXES);
        let input = input_vol(&sc.forward, 0, f.cell).unwrap();
        let unit = Vol::like(&input, set.depth, ext, ext);
        expected += shown * (ext * ext + unit.slabs * 2 * ext);
        assert_eq!(f.display.cell_count(), expected);
    }

    #[test]
    fn many_channels_break_the_block() {
        let v = Vol::sized(256, 8, 8, 10.0);
        assert!(v.broken() && v.slabs < 256 && v.q >= MIN_SLAB);
        assert_eq!(slab_channel(&v, v.slabs - 1), 255);
        let v = Vol::sized(3, 8, 8, 10.0);
        assert!(!v.broken() && v.slabs == 3);
    }

    #[test]
    fn the_figure_fits_a_phone() {
        for kind in LayerKind::ALL {
            let sc = scene(kind);
            let pieces = pipeline(&sc, Lang::Zh);
            let f = figure(&sc, &pieces, [355.0, 2000.0], PHONE, None, &[]);
            assert!(f.display.width <= 355.5, "{kind:?}: {}", f.display.width);
        }
    }

    /// Boxes of the labels (captions, kernel names, channel counts) of a display.
    fn label_boxes(d: &Display) -> Vec<([f64; 4], String)> {
        d.items
            .iter()
            .filter_map(|i| match i {
                Item::Text {
                    at,
                    text,
                    size,
                    anchor: crate::display::Anchor::Start,
                    ..
                } => Some((
                    [at[0], at[1] - size, text_width(text, *size), *size + 2.0],
                    text.clone(),
                )),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn labels_never_overlap_and_stay_on_the_canvas() {
        let mut states = Vec::new();
        for kind in LayerKind::ALL {
            states.push(AppState::default().reduce(Action::SetLayer(kind)));
        }
        let big = AppState::default().reduce(Action::SetParam(Param::InChannels, 64));
        let big = big.reduce(Action::SetParam(Param::OutChannels, 64));
        states.push(big.clone());
        // Too many channels for their slabs: broken blocks with their channel count.
        let flat = big.reduce(Action::SetParam(Param::Height, 3));
        states.push(flat.reduce(Action::SetParam(Param::Width, 3)));
        let mut broken = 0;
        for state in states {
            let sc = scene_of(state);
            for (lang, space, range) in [
                (Lang::En, [1100.0, 700.0], DESK),
                (Lang::Zh, [343.0, 400.0], PHONE),
            ] {
                let pieces = pipeline(&sc, lang);
                let f = figure(&sc, &pieces, space, range, None, &[]);
                let boxes = label_boxes(&f.display);
                assert!(boxes.len() >= 2 * pieces.len(), "captions drawn");
                broken += boxes.iter().filter(|(_, t)| t.starts_with("C = ")).count();
                for (i, (a, ta)) in boxes.iter().enumerate() {
                    assert!(
                        a[0] >= 0.0 && a[0] + a[2] <= f.display.width + 0.5,
                        "{ta} off the canvas: {a:?} in {}",
                        f.display.width
                    );
                    for (b, tb) in &boxes[i + 1..] {
                        let ix = (a[0] + a[2]).min(b[0] + b[2]) - a[0].max(b[0]);
                        let iy = (a[1] + a[3]).min(b[1] + b[3]) - a[1].max(b[1]);
                        assert!(
                            ix <= 0.5 || iy <= 0.5,
                            "{:?}: {ta} {a:?} × {tb} {b:?}",
                            sc.spec.layer
                        );
                    }
                }
            }
        }
        assert!(broken > 0, "a broken block was drawn and labelled");
    }

    #[test]
    fn front_faces_are_hit_where_drawn() {
        let sc = scene(LayerKind::Standard);
        let pieces = pipeline(&sc, Lang::En);
        let f = figure(&sc, &pieces, [1100.0, 700.0], DESK, None, &[]);
        let fr = f.fronts[0];
        let hit = fr
            .hit(fr.at[0] + 2.5 * fr.cell, fr.at[1] + 1.5 * fr.cell)
            .unwrap();
        assert_eq!((hit.stage, hit.channel, hit.y, hit.x), (0, 0, 1, 2));
        assert_eq!(fr.hit(fr.at[0] - 1.0, fr.at[1]), None);
    }
}
