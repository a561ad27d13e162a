//! The channel view as [`Display`]s: each stage as labelled per-channel grids (padding hatched,
//! inserted zeros pale with a dot, copies marked in a corner, values written when cells are large
//! enough), kernels as slices side by side, and count maps. Pure, tested natively; the figure
//! paints each block on its canvas, the exports compose them.

use conv_core::{Cell, Stage};
use ndarray::ArrayView2;

use crate::display::{fit, text_width, Display, Item, Shape};
use crate::layout::{
    self, Block, CellRange, Placed, CAPTION_H, KERNEL_SLICES, MAP_GAP as GAP, SLICE_GAP,
};
use crate::palette::{self, text_on_count, text_on_value, Ink, Paint};
use crate::pipeline::{Part, Piece, SHAPE_PX, TITLE_PX};
use crate::scene::{KernelSet, Scene};
use crate::trace::{format_value, Role, Trace};

/// Where a block's maps go on its canvas, from the figure's [`crate::layout::Plan`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridLayout {
    pub cell: f64,
    pub cols: usize,
    pub shown: usize,
    pub map_w: f64,
    pub map_h: f64,
    pub width: f64,
    pub height: f64,
    block: Block,
    placed: Placed,
}

impl GridLayout {
    pub fn from_plan(block: &Block, placed: &Placed) -> GridLayout {
        let [map_w, map_h] = block.map_size(placed.cell);
        GridLayout {
            cell: placed.cell,
            cols: placed.cols,
            shown: block.maps,
            map_w,
            map_h,
            width: placed.canvas[0],
            height: placed.canvas[1],
            block: *block,
            placed: *placed,
        }
    }

    /// Top-left corner of map `i`.
    pub fn origin(&self, i: usize) -> (f64, f64) {
        self.placed.origin(&self.block, i)
    }
}

/// A label's box on a canvas `[x, y, w, h]` in CSS pixels, reported for the layout tests.
pub type LabelBox = [f64; 4];

/// Font size of map labels.
const LABEL_PX: f64 = 12.0;

/// What a map's label adds to its number: its group, or before a pixel shuffle the sub-pixel
/// `(i, j)` its values go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    None,
    Group(usize),
    SubPixel(usize, usize),
}

impl Tag {
    fn of(group: usize, shuffle: Option<usize>, many_groups: bool) -> Tag {
        match shuffle {
            Some(r) => Tag::SubPixel(group / r, group % r),
            None if many_groups => Tag::Group(group),
            None => Tag::None,
        }
    }
}

/// A map's label, longest first: `c3 · g1` (or `c3 → (0,1)`), `c3`, `3`.
fn label_choices(prefix: char, i: usize, tag: Tag) -> Vec<String> {
    let mut out = Vec::with_capacity(3);
    match tag {
        Tag::Group(g) => out.push(format!("{prefix}{i} · g{g}")),
        Tag::SubPixel(y, x) => out.push(format!("{prefix}{i} → ({y},{x})")),
        Tag::None => {}
    }
    out.push(format!("{prefix}{i}"));
    out.push(i.to_string());
    out
}

/// The longest label that fits `room` at `(x, y)` (baseline), recorded in `boxes`.
fn label(
    d: &mut Display,
    choices: &[String],
    x: f64,
    y: f64,
    room: f64,
    boxes: &mut Vec<LabelBox>,
) {
    if let Some(text) = fit(choices, LABEL_PX, room) {
        boxes.push([x, y - 11.0, text_width(text, LABEL_PX), 13.0]);
        d.text([x, y], text, LABEL_PX, Ink::Text);
    }
}

/// What a stage's drawing with its first `shown` channels depends on, as one number: its shape,
/// the values of those channels, its colour scale (the largest finite magnitude of all its
/// values), its cells' kinds (and a shuffled cell's place) and its channels' groups. Equal for a
/// stage computed again the same, so a canvas is not drawn again for it (the input when only the
/// output channels change, or when the worker answers); the channels not drawn are read only for
/// the scale (the largest layer's stages have 64 channels, of which 4 are drawn).
pub fn fingerprint(stage: &Stage, shown: usize) -> u64 {
    // FxHash's step: cheap, and ample to tell drawings apart.
    fn step(h: u64, word: u64) -> u64 {
        (h.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
    }
    // The drawn channels: the first values in standard order (copied there first in the rare
    // stage that is not).
    let view = stage.data.view();
    let data = view.as_standard_layout();
    let (c, h, w) = stage.data.dim();
    let drawn = &data.as_slice().unwrap_or(&[])[..shown.min(c) * h * w];
    // The values in four independent lanes (four times as fast as one chain), two values a
    // word; then joined.
    let mut lanes = [0u64; 4];
    let bits = |v: &f32| v.to_bits() as u64;
    let mut runs = drawn.chunks_exact(8);
    for run in &mut runs {
        for (l, pair) in lanes.iter_mut().zip(run.chunks_exact(2)) {
            *l = step(*l, bits(&pair[0]) | bits(&pair[1]) << 32);
        }
    }
    for (i, v) in runs.remainder().iter().enumerate() {
        lanes[i % 4] = step(lanes[i % 4], bits(v));
    }
    let mut h = lanes.into_iter().fold(0, step);
    let mut mix = |word: u64| h = step(h, word);
    stage.data.shape().iter().for_each(|&n| mix(n as u64));
    mix(palette::max_abs_of(&stage.data).to_bits() as u64);
    for c in stage.cells.iter() {
        mix(match *c {
            Cell::Data { .. } => 0,
            Cell::Padding => 1,
            Cell::Inserted => 2,
            Cell::Copied { .. } => 3,
            Cell::Interpolated { .. } => 4,
            Cell::Shuffled { sub, .. } => 5 + sub as u64,
        });
    }
    stage.channel_groups.iter().for_each(|&g| mix(g as u64));
    h
}

/// Cells smaller than this are drawn as one cell map (no text, grid or hatching).
pub const FAST_BELOW: f64 = 6.0;

/// The paint of cell `(y, x)` of channel `ch`, and whether it is hatched.
fn cell_paint(stage: &Stage, ch: usize, y: usize, x: usize, scale: f32) -> (Paint, bool) {
    match stage.cells[[y, x]] {
        Cell::Padding => (Paint::Ink(Ink::Padding), true),
        Cell::Inserted => (Paint::Ink(Ink::Inserted), false),
        Cell::Data { .. }
        | Cell::Copied { .. }
        | Cell::Interpolated { .. }
        | Cell::Shuffled { .. } => (
            Paint::Value(palette::normalise(stage.data[[ch, y, x]], scale)),
            false,
        ),
    }
}

/// Marks of a cell's kind over its colour: padding hatched, inserted zeros dotted, copies
/// marked in a corner (nothing below [`FAST_BELOW`], where they could not be seen).
pub(crate) fn decorate(
    d: &mut Display,
    stage: &Stage,
    y: usize,
    x: usize,
    at: [f64; 2],
    cell: f64,
) {
    if cell < FAST_BELOW {
        return;
    }
    let [px, py] = at;
    match stage.cells[[y, x]] {
        Cell::Padding => d.push(Item::Fill {
            shape: Shape::rect(px, py, cell, cell),
            paint: Paint::Ink(Ink::Padding),
            hatch: true,
            cell: false,
        }),
        Cell::Inserted => d.push(Item::Dot {
            at: [px + cell / 2.0, py + cell / 2.0],
            r: (cell * 0.08).max(0.8),
            ink: Ink::Hatch,
        }),
        Cell::Copied { .. } => d.fill(
            Shape::Poly(vec![
                [px + cell, py],
                [px + cell * 0.7, py],
                [px + cell, py + cell * 0.3],
            ]),
            Paint::Ink(Ink::Copied),
        ),
        // A shuffled pixel: a corner in the colour of the channel it came from (its place in
        // the r × r block), as that channel is framed before the shuffle.
        Cell::Shuffled { sub, .. } => d.fill(
            Shape::Poly(vec![
                [px, py + cell],
                [px, py + cell * 0.7],
                [px + cell * 0.3, py + cell],
            ]),
            Paint::Ink(Ink::Group(sub as u8)),
        ),
        // A bilinear mix is a value like any other: its sources show when it is traced.
        Cell::Data { .. } | Cell::Interpolated { .. } => {}
    }
}

/// Cells from this size on have their values written in them.
pub const VALUES_FROM: f64 = 22.0;

/// Value `v` written in the cell of side `cell` at `at`, over its colour `t`, in `font` px.
fn value_text(d: &mut Display, v: f32, t: f32, at: [f64; 2], cell: f64, font: f64) {
    let c = [at[0] + cell / 2.0, at[1] + cell / 2.0];
    d.centred(c, format_value(v), font, text_on_value(t), cell - 2.0);
}

/// The font of values in cells of side `cell`.
fn value_font(cell: f64) -> f64 {
    (cell * 0.36).clamp(7.0, 13.0)
}

/// One cell at `at`: its colour, its kind's mark, and its value when the cell is large enough
/// to read it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn paint_cell(
    d: &mut Display,
    stage: &Stage,
    ch: usize,
    y: usize,
    x: usize,
    at: [f64; 2],
    cell: f64,
    scale: f32,
) {
    let (paint, _) = cell_paint(stage, ch, y, x, scale);
    d.cell(Shape::rect(at[0], at[1], cell, cell), paint, false);
    decorate(d, stage, y, x, at, cell);
    if cell >= VALUES_FROM && !matches!(stage.cells[[y, x]], Cell::Inserted) {
        let v = stage.data[[ch, y, x]];
        value_text(
            d,
            v,
            palette::normalise(v, scale),
            at,
            cell,
            value_font(cell),
        );
    }
}

/// A whole map of channel `ch` from `(ox, oy)`: one cell map (one image on the canvas), the
/// padding hatched in a few rectangles, the other kinds' marks cell by cell, and from
/// [`VALUES_FROM`] the values.
#[allow(clippy::too_many_arguments)]
pub(crate) fn paint_map(
    d: &mut Display,
    stage: &Stage,
    ch: usize,
    ox: f64,
    oy: f64,
    cell: f64,
    scale: f32,
) {
    let (_, h, w) = stage.data.dim();
    let paints = (0..h * w)
        .map(|i| cell_paint(stage, ch, i / w, i % w, scale).0)
        .collect();
    d.cells([ox, oy], cell, w, h, paints);
    let at = |y: usize, x: usize| [ox + x as f64 * cell, oy + y as f64 * cell];
    if cell >= FAST_BELOW && stage.cells.iter().any(|c| !matches!(c, Cell::Data { .. })) {
        let padding = |y: usize, x: usize| matches!(stage.cells[[y, x]], Cell::Padding);
        d.hatch(
            [[ox, oy], [cell, 0.0], [0.0, cell]],
            [h, w],
            padding,
            Ink::Padding,
        );
        for y in 0..h {
            for x in 0..w {
                if !matches!(stage.cells[[y, x]], Cell::Padding) {
                    decorate(d, stage, y, x, at(y, x), cell);
                }
            }
        }
    }
    if cell >= VALUES_FROM {
        let font = value_font(cell);
        for y in 0..h {
            for x in 0..w {
                if !matches!(stage.cells[[y, x]], Cell::Inserted) {
                    let v = stage.data[[ch, y, x]];
                    let t = palette::normalise(v, scale);
                    value_text(d, v, t, at(y, x), cell, font);
                }
            }
        }
    }
}

/// Grid lines over a `w × h` map at `(ox, oy)`.
fn grid(d: &mut Display, ox: f64, oy: f64, w: usize, h: usize, cell: f64) {
    for y in 0..=h {
        let yy = oy + y as f64 * cell;
        d.line([ox, yy], [ox + w as f64 * cell, yy], Ink::Grid, 1.0);
    }
    for x in 0..=w {
        let xx = ox + x as f64 * cell;
        d.line([xx, oy], [xx, oy + h as f64 * cell], Ink::Grid, 1.0);
    }
}

/// A stage: each drawn channel as a labelled grid framed in its group's colour; with `marks`,
/// everything else veiled and the marked cells framed (related first, the focus on top).
pub fn stage(
    stage: &Stage,
    layout: &GridLayout,
    marks: &[(usize, usize, usize, Role)],
) -> (Display, Vec<LabelBox>) {
    let mut d = Display::new(layout.width, layout.height);
    let mut boxes = Vec::new();
    let scale = palette::max_abs_of(&stage.data);
    let (c, h, w) = stage.data.dim();
    let cell = layout.cell;
    let many_groups = stage.channel_groups.iter().any(|&g| g > 0);
    // Before a pixel shuffle the groups are the r² places of a block.
    let shuffle_r = stage.shuffle_factor();
    let shown = layout.shown.min(c);
    for ch in 0..shown {
        let (ox, oy) = layout.origin(ch);
        let group = stage.channel_groups.get(ch).copied().unwrap_or(0);
        let choices = label_choices('c', ch, Tag::of(group, shuffle_r, many_groups));
        let room = layout.map_w + GAP - 12.0 - 3.0;
        label(&mut d, &choices, ox + 12.0, oy - 4.0, room, &mut boxes);
        d.fill(
            Shape::rect(ox, oy - 12.0, 8.0, 8.0),
            Paint::Ink(Ink::Group(group as u8)),
        );
        paint_map(&mut d, stage, ch, ox, oy, cell, scale);
        if cell >= FAST_BELOW {
            grid(&mut d, ox, oy, w, h, cell);
        }
        let frame = Shape::rect(
            ox - 1.0,
            oy - 1.0,
            w as f64 * cell + 2.0,
            h as f64 * cell + 2.0,
        );
        d.stroke(frame, Ink::Group(group as u8), 2.0);
    }
    highlight(&mut d, stage, layout, marks, scale);
    (d, boxes)
}

/// With `marks`, every drawn map veiled and the marked cells painted again and framed (related
/// first, the focus on top).
fn highlight(
    d: &mut Display,
    stage: &Stage,
    layout: &GridLayout,
    marks: &[(usize, usize, usize, Role)],
    scale: f32,
) {
    let (c, h, w) = stage.data.dim();
    let (cell, shown) = (layout.cell, layout.shown.min(c));
    if !marks.is_empty() {
        for ch in 0..shown {
            let (ox, oy) = layout.origin(ch);
            d.push(Item::Veil {
                x: ox,
                y: oy,
                w: w as f64 * cell,
                h: h as f64 * cell,
            });
        }
    }
    let visible = |m: &&(usize, usize, usize, Role)| m.0 < shown && m.1 < h && m.2 < w;
    // The focused cell last, on top of the related ones.
    let ordered = marks
        .iter()
        .filter(visible)
        .filter(|m| m.3 != Role::Focus)
        .chain(marks.iter().filter(visible).filter(|m| m.3 == Role::Focus));
    for &(ch, y, x, role) in ordered {
        let (ox, oy) = layout.origin(ch);
        let (px, py) = (ox + x as f64 * cell, oy + y as f64 * cell);
        // The cell again, unveiled, then its frame.
        let (paint, hatch) = cell_paint(stage, ch, y, x, scale);
        d.cell(Shape::rect(px, py, cell, cell), paint, hatch && cell >= 5.0);
        let (ink, width) = match role {
            Role::Focus => (Ink::Focus, 3.0),
            Role::Related => (Ink::Related, 2.0),
        };
        let inset = width / 2.0;
        d.stroke(
            Shape::rect(px + inset, py + inset, cell - width, cell - width),
            ink,
            width,
        );
    }
}

/// One slice of a kernel at `(sx, sy)`: taps in their value colour (values written when the
/// cells are large), gaps hatched.
pub fn kernel_slice(
    d: &mut Display,
    set: &KernelSet,
    (kernel, slice): (usize, usize),
    at: [f64; 2],
    cell: f64,
    scale: f32,
) {
    let ext = set.extent();
    let tap = |i: usize| set.tap(kernel, slice, i / ext, i % ext);
    let paints = (0..ext * ext)
        .map(|i| match tap(i) {
            Some(v) => Paint::Value(palette::normalise(v, scale)),
            None => Paint::Ink(Ink::Inserted),
        })
        .collect();
    d.cells(at, cell, ext, ext, paints);
    if cell >= 5.0 {
        let gap = |y: usize, x: usize| tap(y * ext + x).is_none();
        d.hatch(
            [at, [cell, 0.0], [0.0, cell]],
            [ext, ext],
            gap,
            Ink::Inserted,
        );
    }
    if cell >= VALUES_FROM {
        for i in 0..ext * ext {
            if let Some(v) = tap(i) {
                let p = [
                    at[0] + (i % ext) as f64 * cell,
                    at[1] + (i / ext) as f64 * cell,
                ];
                value_text(d, v, palette::normalise(v, scale), p, cell, 10.0);
            }
        }
    }
}

/// Kernels: one block per output channel, its slices side by side (the first
/// [`KERNEL_SLICES`], then an ellipsis), framed in its group's colour; `active` framed in the
/// focus colour.
pub fn kernels(
    set: &KernelSet,
    layout: &GridLayout,
    active: Option<usize>,
) -> (Display, Vec<LabelBox>) {
    let mut d = Display::new(layout.width, layout.height);
    let mut boxes = Vec::new();
    let (cell, scale) = (layout.cell, set.scale());
    let slice_px = set.extent() as f64 * cell;
    let shown_depth = set.depth.min(KERNEL_SLICES);
    let count = set.count();
    let many_groups = (0..count).any(|i| set.group(i) > 0);
    for kernel in 0..count.min(layout.shown) {
        let (ox, oy) = layout.origin(kernel);
        let group = set.group(kernel);
        let choices = label_choices('k', kernel, Tag::of(group, set.shuffle, many_groups));
        label(
            &mut d,
            &choices,
            ox,
            oy - 4.0,
            layout.map_w + GAP - 3.0,
            &mut boxes,
        );
        for s in 0..shown_depth {
            let sx = ox + s as f64 * (slice_px + SLICE_GAP);
            kernel_slice(&mut d, set, (kernel, s), [sx, oy], cell, scale);
            let frame = Shape::rect(sx - 1.0, oy - 1.0, slice_px + 2.0, slice_px + 2.0);
            d.stroke(frame, Ink::Group(group as u8), 2.0);
        }
        if active == Some(kernel) {
            let r = Shape::rect(ox - 3.0, oy - 3.0, layout.map_w + 6.0, slice_px + 6.0);
            d.stroke(r, Ink::Focus, 2.0);
        }
        if set.depth > KERNEL_SLICES {
            let x = ox + shown_depth as f64 * (slice_px + SLICE_GAP);
            d.text([x, oy + slice_px / 2.0], "…", LABEL_PX, Ink::Muted);
        }
    }
    (d, boxes)
}

/// A map of counts (overlap, coverage): darker for more, the count written in each cell.
pub fn counts(counts: ArrayView2<u32>, cell: f64) -> Display {
    let (h, w) = counts.dim();
    let mut d = Display::new(w as f64 * cell, h as f64 * cell);
    let max = counts.iter().copied().max().unwrap_or(1).max(1) as f32;
    for y in 0..h {
        for x in 0..w {
            let t = counts[[y, x]] as f32 / max;
            let (px, py) = (x as f64 * cell, y as f64 * cell);
            d.cell(Shape::rect(px, py, cell, cell), Paint::Count(t), false);
            if cell >= 14.0 {
                let font = (cell * 0.45).clamp(8.0, 13.0);
                let c = [px + cell / 2.0, py + cell / 2.0];
                d.centred(c, counts[[y, x]].to_string(), font, text_on_count(t), cell);
            }
        }
    }
    d.stroke(
        Shape::rect(0.5, 0.5, w as f64 * cell - 1.0, h as f64 * cell - 1.0),
        Ink::Grid,
        1.0,
    );
    d
}

/// The whole channel view on one display, placed as the page places it ([`layout::plan`] for
/// `width`): captions, blocks, arrows, with `trace`'s highlights. What the exports draw.
pub fn compose(
    scene: &Scene,
    pieces: &[Piece],
    width: f64,
    range: CellRange,
    trace: &Trace,
) -> Display {
    let blocks: Vec<Block> = pieces.iter().map(|p| p.block).collect();
    let plan = layout::plan(&blocks, width, f64::MAX / 4.0, range);
    let mut out = Display::new(plan.size[0].max(40.0), 0.0);
    let mut y = 0.0;
    for row in &plan.rows {
        let mut x = 0.0;
        let mut row_h = 0.0f64;
        for i in row.clone() {
            let (piece, placed) = (&pieces[i], &plan.blocks[i]);
            if i > row.start {
                let ay = y + CAPTION_H + placed.canvas[1].min(60.0) / 2.0;
                out.text([x + 4.0, ay + 5.0], "→", 16.0, Ink::Muted);
                x += layout::ARROW_W;
            }
            out.push(Item::Text {
                at: [x, y + 14.0],
                text: piece.title.clone(),
                size: TITLE_PX,
                ink: Ink::Text,
                anchor: crate::display::Anchor::Start,
                bold: true,
                max_width: None,
            });
            out.text([x, y + 29.0], piece.shape.clone(), SHAPE_PX, Ink::Muted);
            let l = GridLayout::from_plan(&piece.block, placed);
            let drawn = match piece.part {
                Part::Stage(index, _) => {
                    Some(stage(&scene.forward.stages[index], &l, &trace.marks_on(index)).0)
                }
                Part::Kernels(conv) => scene.kernel_set(conv).map(|set| {
                    let active = trace.kernel.filter(|(c, _)| *c == conv).map(|(_, k)| k);
                    kernels(set, &l, active).0
                }),
            };
            if let Some(d) = drawn {
                out.append(d, x, y + CAPTION_H);
            }
            x += placed.outer[0];
            row_h = row_h.max(placed.outer[1]);
        }
        out.width = out.width.max(x);
        y += row_h + layout::ROW_GAP;
    }
    out.height = y.max(1.0);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_stage_is_drawn_again_only_when_its_drawing_changes() {
        use conv_core::{Cell, LayerKind};
        let key = |s: &AppState| SceneKey::from(s);
        let base = AppState::default().reduce(crate::state::Action::SetLayer(LayerKind::Standard));
        let more = base.clone().reduce(crate::state::Action::SetParam(
            conv_core::Param::OutChannels,
            17,
        ));
        let (a, b) = (
            Scene::build(&key(&base)).unwrap(),
            Scene::build(&key(&more)).unwrap(),
        );
        // Every channel drawn: the rule for the whole stage.
        let all = usize::MAX;
        let print = |s: &Scene, i: usize| super::fingerprint(&s.forward.stages[i], all);
        // More output channels: the same input and padded input, another output.
        let last = a.forward.stages.len() - 1;
        assert!(last >= 1);
        for i in 0..last {
            assert_eq!(print(&a, i), print(&b, i), "stage {i}");
        }
        assert_ne!(print(&a, last), print(&b, last));
        // One value anywhere (in a run of eight or the remainder), or one cell's kind, changed:
        // another drawing. Also for a stage whose values are not one block in memory.
        let input = &a.forward.stages[0];
        assert!(input.data.len() % 8 != 0, "a remainder to test");
        for (i, at) in input.data.indexed_iter().map(|(at, _)| at).enumerate() {
            let mut stage = input.clone();
            stage.data[at] += 0.5;
            assert_ne!(super::fingerprint(&stage, all), print(&a, 0), "value {i}");
        }
        let mut flipped = input.clone();
        flipped.data.swap_axes(1, 2);
        let flipped = flipped.data.as_standard_layout().to_owned();
        let mut stage = input.clone();
        stage.data = flipped.clone();
        stage.data.swap_axes(1, 2);
        assert!(stage.data.as_slice().is_none() && stage.data == input.data);
        let mut changed = stage.clone();
        changed.data[[0, 1, 2]] -= 0.25;
        assert_ne!(
            super::fingerprint(&changed, all),
            super::fingerprint(&stage, all)
        );
        let mut stage = a.forward.stages[0].clone();
        stage.cells[[1, 1]] = Cell::Padding;
        assert_ne!(super::fingerprint(&stage, all), print(&a, 0));
    }

    #[test]
    fn a_fingerprint_reads_the_drawn_channels_and_the_scale_of_all() {
        // A stage of 16 channels of which the first 4 are drawn.
        let state = AppState::default().reduce(crate::state::Action::SetParam(
            conv_core::Param::OutChannels,
            16,
        ));
        let scene = Scene::build(&SceneKey::from(&state)).unwrap();
        let output = scene.forward.output();
        let (c, h, w) = output.data.dim();
        assert!(c == 16 && h * w > 1, "{c}×{h}×{w}");
        let mut block = Block::stage(c, h, w, 40.0);
        block.maps = 4;
        let layout = layout_of(block, 20.0);
        assert_eq!(layout.shown, 4);
        let print = |s: &Stage| super::fingerprint(s, layout.shown);
        let drawing = |s: &Stage| stage(s, &layout, &[]).0;
        let scale = palette::max_abs_of(&output.data);
        for ch in 0..c {
            for at in [(0, 0), (h - 1, w - 1), (h / 2, w / 3)] {
                let [y, x] = [at.0, at.1];
                // Changed within the scale: another drawing exactly when the channel is drawn.
                let mut within = output.clone();
                within.data[[ch, y, x]] = if output.data[[ch, y, x]] == 0.0 {
                    scale / 2.0
                } else {
                    0.0
                };
                let drawn = ch < layout.shown;
                assert_eq!(print(&within) != print(output), drawn, "{ch} {at:?}");
                assert_eq!(drawing(&within) != drawing(output), drawn, "{ch} {at:?}");
                // Past the scale: every drawn channel's colours change.
                let mut beyond = output.clone();
                beyond.data[[ch, y, x]] = -2.0 * scale;
                assert_ne!(print(&beyond), print(output), "{ch} {at:?}");
                assert_ne!(drawing(&beyond), drawing(output), "{ch} {at:?}");
            }
        }
    }

    #[test]
    fn padding_is_a_few_rectangles_covering_exactly_the_padding_cells() {
        use conv_core::{Cell, LayerKind};
        for kind in LayerKind::ALL {
            let s = AppState::default().reduce(crate::state::Action::SetLayer(kind));
            let scene = Scene::build(&SceneKey::from(&s)).unwrap();
            for stage in &scene.forward.stages {
                let (h, w) = stage.cells.dim();
                let rects =
                    crate::display::rects_where(h, w, |y, x| stage.cells[[y, x]] == Cell::Padding);
                let mut covered = ndarray::Array2::<u8>::zeros(stage.cells.dim());
                for [y, x, rows, cols] in &rects {
                    covered
                        .slice_mut(ndarray::s![*y..y + rows, *x..x + cols])
                        .iter_mut()
                        .for_each(|c| *c += 1);
                }
                for ((yx, cell), n) in stage.cells.indexed_iter().zip(covered.iter()) {
                    let want = u8::from(*cell == Cell::Padding);
                    assert_eq!(*n, want, "{kind:?} {yx:?}");
                }
            }
        }
        // A padded map: four bands.
        let mut cells = ndarray::Array2::from_elem((9, 9), Cell::Padding);
        for y in 2..7 {
            for x in 2..7 {
                cells[[y, x]] = Cell::Data { y, x };
            }
        }
        let mut rects = crate::display::rects_where(9, 9, |y, x| cells[[y, x]] == Cell::Padding);
        rects.sort();
        assert_eq!(
            rects,
            [[0, 0, 2, 9], [2, 0, 5, 2], [2, 7, 5, 2], [7, 0, 2, 9]]
        );
    }

    use super::*;
    use crate::layout::plan;
    use crate::scene::SceneKey;
    use crate::state::{Action, AppState};
    use conv_core::LayerKind;

    fn scene(kind: LayerKind) -> Scene {
        Scene::build(&SceneKey::from(
            &AppState::default().reduce(Action::SetLayer(kind)),
        ))
        .unwrap()
    }

    fn layout_of(block: Block, cell: f64) -> GridLayout {
        let p = plan(
            &[block],
            2000.0,
            2000.0,
            CellRange {
                max: cell,
                min: cell,
                scroll: cell,
            },
        );
        GridLayout::from_plan(&block, &p.blocks[0])
    }

    #[test]
    fn a_stage_draws_every_cell_of_every_shown_channel() {
        let sc = scene(LayerKind::Transposed);
        for st in &sc.forward.stages {
            let [c, h, w] = st.shape();
            for cell in [4.0, 20.0] {
                let l = layout_of(Block::stage(c, h, w, 40.0), cell);
                let (d, boxes) = stage(st, &l, &[]);
                assert_eq!(
                    d.cell_count(),
                    l.shown.min(c) * h * w,
                    "{:?} at {cell}",
                    st.kind
                );
                assert!(!boxes.is_empty());
            }
        }
    }

    #[test]
    fn marks_veil_the_rest_and_frame_the_focus() {
        let sc = scene(LayerKind::Standard);
        let st = &sc.forward.stages[0];
        let [c, h, w] = st.shape();
        let l = layout_of(Block::stage(c, h, w, 40.0), 20.0);
        let (d, _) = stage(st, &l, &[(0, 1, 1, Role::Focus), (0, 0, 0, Role::Related)]);
        let veils = d
            .items
            .iter()
            .filter(|i| matches!(i, Item::Veil { .. }))
            .count();
        assert_eq!(veils, l.shown.min(c));
        // The focus frame is the last item: drawn over the related one.
        match d.items.last() {
            Some(Item::Stroke { ink, .. }) => assert_eq!(*ink, Ink::Focus),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn dilated_kernels_are_drawn_with_their_gaps() {
        let set = KernelSet {
            slices: ndarray::Array3::from_elem((2, 3, 3), 1.0),
            depth: 1,
            groups: vec![0, 0],
            dilation: 2,
            shuffle: None,
        };
        assert_eq!(set.extent(), 5);
        assert_eq!(set.tap(0, 0, 1, 0), None);
        assert_eq!(set.tap(0, 0, 2, 4), Some(1.0));
        let l = layout_of(Block::kernels(2, 1, 5, 30.0), 10.0);
        let (d, _) = kernels(&set, &l, Some(1));
        assert_eq!(d.cell_count(), 2 * 25);
        // The gaps hatched: in rectangles covering exactly the 16 inserted taps of each kernel.
        let hatched: f64 = d
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Fill {
                    hatch: true,
                    shape: Shape::Rect { w, h, .. },
                    ..
                } => Some(w * h / 100.0),
                _ => None,
            })
            .sum();
        assert_eq!(hatched, 2.0 * (25.0 - 9.0));
        assert!(d.items.iter().any(|i| matches!(
            i,
            Item::Stroke {
                ink: Ink::Focus,
                ..
            }
        )));
    }

    #[test]
    fn count_maps_write_counts() {
        let m = ndarray::arr2(&[[1u32, 2], [3, 4]]);
        let d = counts(m.view(), 20.0);
        assert_eq!(d.cell_count(), 4);
        assert!(d
            .items
            .iter()
            .any(|i| matches!(i, Item::Text { text, .. } if text == "4")));
    }
}
