//! Where the figure's blocks go: the stages and kernel sets of a layer laid out as a pipeline
//! (input → kernels → output, left to right, wrapping into a few rows) sized to the space there
//! is. Pure arithmetic, tested natively; the components only apply the plan.
//!
//! Every block is a grid of equally sized maps, each with a one-line label above it. All blocks
//! share one cell size, so the sizes of the maps compare truthfully (a transposed output is drawn
//! larger than its input). The plan picks the largest cell size at which the whole pipeline fits
//! the available width and height; when even the smallest readable cell does not fit, it keeps
//! the width (nothing wider than the screen) and lets the figure grow taller.

use std::ops::Range;

/// Space between two maps of a block, and between a kernel's depth slices.
pub const MAP_GAP: f64 = 10.0;
/// Height of the label line above each map.
pub const LABEL_H: f64 = 16.0;
/// Width taken by the arrow between two blocks of a row.
pub const ARROW_W: f64 = 22.0;
/// Vertical space between two rows of blocks.
pub const ROW_GAP: f64 = 12.0;
/// Height of a block's caption (title line and shape line).
pub const CAPTION_H: f64 = 34.0;
/// Height of the "N more" line under a block that does not show all its maps.
pub const MORE_H: f64 = 16.0;
/// Margin around a block's maps on its canvas, where their frames (2 px, drawn outside the
/// cells) and highlight rings go.
pub const FRAME: f64 = 4.0;
/// The most maps a block draws; the rest are counted in text.
pub const MAX_MAPS: usize = 16;
/// The fewest maps a block of large maps draws (when it has them).
pub const MIN_MAPS: usize = 4;
/// The cells a block's maps hold together at most, past [`MIN_MAPS`] maps: sixteen maps of
/// 32 × 32, four of 64 × 64. Beyond it a column of maps is screens tall, costs its time to draw
/// at every change, and shows the reader nothing the first maps do not.
pub const MAP_CELLS: usize = MAX_MAPS * 32 * 32;

/// How many maps of `h × w` cells a block draws at most.
pub fn max_maps(h: usize, w: usize) -> usize {
    (MAP_CELLS / (h * w).max(1)).clamp(MIN_MAPS, MAX_MAPS)
}

/// One block of the pipeline: `maps` maps (already capped: [`max_maps`]), each
/// `cells · cell + fixed` CSS pixels wide and high.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Block {
    pub maps: usize,
    /// Width and height of one map in cells.
    pub cells: [f64; 2],
    /// Width and height of one map in fixed pixels (gaps between kernel slices, an ellipsis).
    pub fixed: [f64; 2],
    /// The caption's width: the block is never narrower.
    pub caption_w: f64,
    /// Whether a "N more" line follows the maps.
    pub more: bool,
}

impl Block {
    /// A stage of `channels` maps of `h × w` cells (at most [`max_maps`] of them drawn).
    pub fn stage(channels: usize, h: usize, w: usize, caption_w: f64) -> Block {
        let most = max_maps(h, w);
        Block {
            maps: channels.clamp(1, most),
            cells: [w as f64, h as f64],
            fixed: [0.0, 0.0],
            caption_w,
            more: channels > most,
        }
    }

    /// `count` kernels of `depth` slices, each `extent × extent` cells, drawn side by side (at
    /// most [`KERNEL_SLICES`] slices, then an ellipsis).
    pub fn kernels(count: usize, depth: usize, extent: usize, caption_w: f64) -> Block {
        let shown = depth.clamp(1, KERNEL_SLICES);
        let ellipsis = if depth > KERNEL_SLICES {
            ELLIPSIS_W
        } else {
            0.0
        };
        Block {
            maps: count.clamp(1, MAX_MAPS),
            cells: [(shown * extent) as f64, extent as f64],
            fixed: [(shown - 1) as f64 * SLICE_GAP + ellipsis, 0.0],
            caption_w,
            more: count > MAX_MAPS,
        }
    }

    /// One map's size in CSS pixels at `cell`.
    pub fn map_size(&self, cell: f64) -> [f64; 2] {
        [
            self.cells[0] * cell + self.fixed[0],
            self.cells[1] * cell + self.fixed[1],
        ]
    }

    /// The canvas of this block with its maps in `cols` columns.
    fn canvas(&self, cell: f64, cols: usize) -> [f64; 2] {
        let cols = cols.clamp(1, self.maps);
        let rows = self.maps.div_ceil(cols);
        let [mw, mh] = self.map_size(cell);
        [
            cols as f64 * mw + (cols - 1) as f64 * MAP_GAP + 2.0 * FRAME,
            rows as f64 * (mh + LABEL_H) + (rows - 1) as f64 * MAP_GAP + 2.0 * FRAME,
        ]
    }

    /// The whole block (caption, canvas, "more" line) with `cols` columns.
    fn outer(&self, cell: f64, cols: usize) -> [f64; 2] {
        let [w, h] = self.canvas(cell, cols);
        let more = if self.more { MORE_H } else { 0.0 };
        [w.max(self.caption_w), h + CAPTION_H + more]
    }

    /// The narrowest arrangement of the maps no taller than `height`, as `(cols, [w, h])`.
    fn narrowest_within(&self, cell: f64, height: f64) -> Option<(usize, [f64; 2])> {
        (1..=self.maps)
            .map(|cols| (cols, self.outer(cell, cols)))
            .find(|(_, size)| size[1] <= height + 1e-9)
    }
}

/// Maps this many cells high and more are pictures (see [`plan`]).
pub const PICTURE_MAP: f64 = 32.0;
/// The smallest cell a picture's pipeline is drawn at to keep it in one row.
pub const PICTURE_CELL: f64 = 3.0;

/// How much smaller a cell the plan accepts to keep the pipeline in fewer rows.
pub const ROW_TRADE: f64 = 0.75;

/// Slices of a kernel drawn side by side before an ellipsis.
pub const KERNEL_SLICES: usize = 4;
/// Space between two depth slices of one kernel.
pub const SLICE_GAP: f64 = 4.0;
/// Width of the ellipsis after the shown slices of a deep kernel.
pub const ELLIPSIS_W: f64 = 16.0;

/// Where one block goes: its cell size and columns, its canvas and outer size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    pub cell: f64,
    pub cols: usize,
    pub rows: usize,
    /// Canvas size in CSS pixels.
    pub canvas: [f64; 2],
    /// Caption, canvas and "more" line together.
    pub outer: [f64; 2],
}

impl Placed {
    /// Top-left corner of map `i` on the canvas (below its label line).
    pub fn origin(&self, block: &Block, i: usize) -> (f64, f64) {
        let [mw, mh] = block.map_size(self.cell);
        let (r, c) = (i / self.cols, i % self.cols);
        (
            FRAME + c as f64 * (mw + MAP_GAP),
            FRAME + r as f64 * (mh + LABEL_H + MAP_GAP) + LABEL_H,
        )
    }
}

/// The figure's plan: one cell size, every block's placement, and the rows of blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub cell: f64,
    pub blocks: Vec<Placed>,
    pub rows: Vec<Range<usize>>,
    /// The whole pipeline's size in CSS pixels.
    pub size: [f64; 2],
    /// Whether it fits the height it was given (otherwise it only fits the width).
    pub fits: bool,
}

/// Limits of the cell size for one kind of page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellRange {
    /// The largest cell drawn (values are written in cells from about 22 px).
    pub max: f64,
    /// The smallest cell still worth reading; below it the figure grows taller instead.
    pub min: f64,
    /// The cell used when the figure cannot fit the height (the page scrolls): at least `min`.
    pub scroll: f64,
}

/// Lay `blocks` out in `width × height` CSS pixels.
///
/// A single row reads best (the eye follows the pipeline), larger cells read better: the plan
/// takes the fewest rows whose cell size is within [`ROW_TRADE`] of the largest possible.
pub fn plan(blocks: &[Block], width: f64, height: f64, cells: CellRange) -> Plan {
    let width = width.max(40.0);
    // Whether a cell size fits is monotone (every size grows with the cell): search it.
    let (lo, hi) = (
        cells.min.max(1.0).floor() as u32,
        cells.max.max(1.0).floor() as u32,
    );
    let largest = |max_rows: usize| {
        let at = |c: u32| arrange(blocks, c as f64, width, height, max_rows);
        let mut best = at(lo)?;
        let (mut ok, mut bad) = (lo, hi + 1);
        while bad - ok > 1 {
            let mid = (ok + bad) / 2;
            match at(mid) {
                Some(p) => {
                    best = p;
                    ok = mid;
                }
                None => bad = mid,
            }
        }
        Some(best)
    };
    let by_rows: Vec<Plan> = (1..=blocks.len().max(1)).filter_map(largest).collect();
    if let Some(top) = by_rows.iter().map(|p| p.cell).reduce(f64::max) {
        if let Some(p) = by_rows.into_iter().find(|p| p.cell >= ROW_TRADE * top) {
            return p;
        }
    }
    // Too much for the height. Maps of a picture's size are read as pictures, not cell by cell:
    // the pipeline in one row at the largest cell that allows (down to PICTURE_CELL) shows the
    // whole computation at once, where its blocks one under another would be screens tall.
    let top = cells.scroll.max(cells.min).max(1.0).floor();
    if blocks.iter().any(|b| b.cells[1] >= PICTURE_MAP) {
        let mut cell = top;
        while cell >= PICTURE_CELL {
            if let Some(p) = arrange(blocks, cell, width, f64::INFINITY, 1) {
                return Plan { fits: false, ..p };
            }
            cell -= 1.0;
        }
    }
    // Otherwise keep the width and the largest cell (at most the scrolling cell) at which
    // every block still fits it; the page scrolls.
    let mut cell = top;
    loop {
        if let Some(p) = arrange(blocks, cell, width, f64::INFINITY, usize::MAX) {
            return Plan { fits: false, ..p };
        }
        if cell <= 1.0 {
            break;
        }
        cell -= 1.0;
    }
    // Maps wider than the page even at one pixel a cell (large pictures): scale below a pixel.
    let cell = blocks
        .iter()
        .map(|b| {
            let need = (width - b.fixed[0] - 2.0 * FRAME).max(1.0) / b.cells[0].max(1.0);
            need.min(1.0)
        })
        .fold(1.0f64, f64::min);
    let cell = (cell * 100.0).floor() / 100.0;
    arrange(blocks, cell.max(0.01), width, f64::INFINITY, usize::MAX)
        .map(|p| Plan { fits: false, ..p })
        .unwrap_or_else(|| single_column(blocks, cell.max(0.01)))
}

/// Every block on its own row, one map a row: the last resort.
fn single_column(blocks: &[Block], cell: f64) -> Plan {
    let placed: Vec<Placed> = blocks.iter().map(|b| place(b, cell, 1)).collect();
    let w = placed.iter().map(|p| p.outer[0]).fold(0.0, f64::max);
    let h = placed.iter().map(|p| p.outer[1]).sum::<f64>()
        + ROW_GAP * placed.len().saturating_sub(1) as f64;
    Plan {
        cell,
        rows: (0..blocks.len()).map(|i| i..i + 1).collect(),
        blocks: placed,
        size: [w, h],
        fits: false,
    }
}

fn place(block: &Block, cell: f64, cols: usize) -> Placed {
    let cols = cols.clamp(1, block.maps);
    Placed {
        cell,
        cols,
        rows: block.maps.div_ceil(cols),
        canvas: block.canvas(cell, cols),
        outer: block.outer(cell, cols),
    }
}

/// A row of blocks: the lowest height at which it fits `width`, with each block's columns.
fn fit_row(blocks: &[Block], cell: f64, width: f64) -> Option<(f64, Vec<usize>)> {
    // Candidate heights: every arrangement of every block, ascending, each once (kept sorted as
    // they come: a few dozen values, and no sort routine for one call site in the page's code).
    let mut heights: Vec<f64> = Vec::new();
    for h in blocks
        .iter()
        .flat_map(|b| (1..=b.maps).map(move |cols| b.outer(cell, cols)[1]))
    {
        let at = heights.partition_point(|&x| x < h);
        if heights.get(at) != Some(&h) {
            heights.insert(at, h);
        }
    }
    for &h in &heights {
        let mut total = ARROW_W * blocks.len().saturating_sub(1) as f64;
        let mut cols = Vec::with_capacity(blocks.len());
        let mut ok = true;
        let mut tallest: f64 = 0.0;
        for b in blocks {
            match b.narrowest_within(cell, h) {
                Some((c, size)) => {
                    total += size[0];
                    tallest = tallest.max(size[1]);
                    cols.push(c);
                }
                None => {
                    ok = false;
                    break;
                }
            }
        }
        if ok && total <= width + 1e-9 {
            return Some((tallest, cols));
        }
    }
    None
}

/// The best arrangement at one cell size in at most `max_rows` rows that fits `width × height`:
/// the fewest rows, then the lowest total height (for an unbounded height, the lowest height).
fn arrange(blocks: &[Block], cell: f64, width: f64, height: f64, max_rows: usize) -> Option<Plan> {
    // Fitting a height, fewer rows read better; scrolling anyway, a shorter figure does.
    let fewest_rows = height.is_finite();
    let n = blocks.len();
    if n == 0 {
        return Some(Plan {
            cell,
            blocks: Vec::new(),
            rows: Vec::new(),
            size: [0.0, 0.0],
            fits: true,
        });
    }
    // (rows, total height, the rows, each block's columns)
    type Candidate = (usize, f64, Vec<Range<usize>>, Vec<usize>);
    let mut best: Option<Candidate> = None;
    // Each subset of the n − 1 boundaries between consecutive blocks is one way to cut rows.
    for cuts in 0u32..(1u32 << (n - 1)) {
        let mut rows = Vec::new();
        let mut start = 0;
        for i in 1..n {
            if cuts & (1 << (i - 1)) != 0 {
                rows.push(start..i);
                start = i;
            }
        }
        rows.push(start..n);
        if rows.len() > max_rows {
            continue;
        }
        let mut total = ROW_GAP * (rows.len() - 1) as f64;
        let mut cols = Vec::with_capacity(n);
        let mut ok = true;
        for r in &rows {
            match fit_row(&blocks[r.clone()], cell, width) {
                Some((h, c)) => {
                    total += h;
                    cols.extend(c);
                }
                None => {
                    ok = false;
                    break;
                }
            }
        }
        if !ok || total > height + 1e-9 {
            continue;
        }
        let better = match &best {
            None => true,
            Some((r, t, _, _)) if fewest_rows => (rows.len(), total) < (*r, *t),
            Some((r, t, _, _)) => (total, rows.len()) < (*t, *r),
        };
        if better {
            best = Some((rows.len(), total, rows, cols));
        }
    }
    let (_, total, rows, cols) = best?;
    let placed: Vec<Placed> = blocks
        .iter()
        .zip(&cols)
        .map(|(b, &c)| place(b, cell, c))
        .collect();
    let w = rows
        .iter()
        .map(|r| {
            placed[r.clone()].iter().map(|p| p.outer[0]).sum::<f64>()
                + ARROW_W * (r.len() - 1) as f64
        })
        .fold(0.0, f64::max);
    Some(Plan {
        cell,
        blocks: placed,
        rows,
        size: [w, total],
        fits: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESKTOP: CellRange = CellRange {
        max: 34.0,
        min: 8.0,
        scroll: 8.0,
    };

    fn standard() -> Vec<Block> {
        vec![
            Block::stage(3, 6, 6, 90.0),
            Block::kernels(16, 3, 3, 120.0),
            Block::stage(16, 4, 4, 90.0),
        ]
    }

    fn check_inside(blocks: &[Block], p: &Plan, width: f64) {
        assert_eq!(p.blocks.len(), blocks.len());
        assert!(!p.rows.is_empty());
        for (b, placed) in blocks.iter().zip(&p.blocks) {
            // The last map's bottom-right corner and its 2 px frame lie inside the canvas.
            let (x, y) = placed.origin(b, b.maps - 1);
            let [mw, mh] = b.map_size(placed.cell);
            assert!(x + mw + 2.0 <= placed.canvas[0] + 1e-9, "{b:?} {placed:?}");
            assert!(y + mh + 2.0 <= placed.canvas[1] + 1e-9, "{b:?} {placed:?}");
            // So does the last map of the first row, and the first map's label and frame.
            let (x, _) = placed.origin(b, placed.cols - 1);
            assert!(x + mw + 2.0 <= placed.canvas[0] + 1e-9);
            let (x0, y0) = placed.origin(b, 0);
            assert!(x0 >= 2.0 && y0 - LABEL_H >= 0.0);
            assert!(placed.outer[0] >= placed.canvas[0]);
        }
        assert!(p.size[0] <= width + 1e-9, "{} > {width}", p.size[0]);
    }

    #[test]
    fn the_standard_layer_fits_a_laptop_screen_in_one_row() {
        let blocks = standard();
        let p = plan(&blocks, 920.0, 560.0, DESKTOP);
        assert!(p.fits);
        assert_eq!(p.rows, vec![0..3]);
        assert!(p.cell >= 12.0, "cell {}", p.cell);
        assert!(p.size[1] <= 560.0);
        check_inside(&blocks, &p, 920.0);
    }

    #[test]
    fn a_larger_cell_would_not_fit() {
        let blocks = standard();
        let p = plan(&blocks, 920.0, 560.0, DESKTOP);
        assert!(arrange(&blocks, p.cell + 1.0, 920.0, 560.0, 1).is_none());
    }

    #[test]
    fn a_phone_screen_fits_and_nothing_is_wider_than_it() {
        let blocks = standard();
        let p = plan(
            &blocks,
            350.0,
            700.0,
            CellRange {
                max: 30.0,
                min: 8.0,
                scroll: 12.0,
            },
        );
        assert!(p.fits && p.cell >= 8.0);
        check_inside(&blocks, &p, 350.0);
    }

    #[test]
    fn large_maps_are_fewer() {
        assert_eq!(max_maps(4, 4), MAX_MAPS);
        assert_eq!(max_maps(32, 32), MAX_MAPS);
        assert_eq!(max_maps(33, 32), MAP_CELLS / (33 * 32));
        assert_eq!(max_maps(64, 64), MIN_MAPS);
        assert_eq!(max_maps(512, 512), MIN_MAPS);
        let b = Block::stage(64, 64, 64, 80.0);
        assert_eq!(b.maps, 4);
        assert!(b.more);
        let b = Block::stage(3, 128, 128, 80.0);
        assert_eq!(b.maps, 3);
        assert!(!b.more);
    }

    #[test]
    fn pictures_too_tall_for_the_page_stay_in_one_row() {
        // The largest layer on a desktop: input, padded input, kernels, output.
        let blocks = vec![
            Block::stage(64, 64, 64, 80.0),
            Block::stage(64, 74, 74, 80.0),
            Block::kernels(64, 64, 11, 80.0),
            Block::stage(64, 64, 64, 80.0),
        ];
        let desk = CellRange {
            max: 34.0,
            min: 9.0,
            scroll: 12.0,
        };
        let p = plan(&blocks, 1200.0, 700.0, desk);
        assert!(!p.fits);
        assert_eq!(p.rows.len(), 1);
        assert!(p.cell >= PICTURE_CELL && p.cell < desk.min, "{}", p.cell);
        check_inside(&blocks, &p, 1200.0);
        // Small maps keep their cells and take more rows.
        let small = vec![Block::stage(64, 8, 8, 80.0); 6];
        let p = plan(&small, 400.0, 300.0, desk);
        assert!(p.cell >= desk.scroll.min(desk.min), "{}", p.cell);
    }

    #[test]
    fn too_tall_keeps_the_width_and_grows() {
        // 64 channels of 64 × 64: cannot fit 300 px of height at 8 px a cell.
        let blocks = vec![
            Block::stage(64, 64, 64, 80.0),
            Block::stage(64, 62, 62, 80.0),
        ];
        let p = plan(
            &blocks,
            350.0,
            300.0,
            CellRange {
                max: 30.0,
                min: 8.0,
                scroll: 12.0,
            },
        );
        assert!(!p.fits);
        check_inside(&blocks, &p, 350.0);
        assert!(blocks[0].more);
    }

    #[test]
    fn pictures_wider_than_the_screen_are_scaled_below_a_pixel() {
        let blocks = vec![Block::stage(3, 512, 512, 80.0)];
        let p = plan(
            &blocks,
            355.0,
            400.0,
            CellRange {
                max: 30.0,
                min: 8.0,
                scroll: 12.0,
            },
        );
        assert!(p.cell < 1.0);
        check_inside(&blocks, &p, 355.0);
    }

    #[test]
    fn kernels_count_their_slices_and_gaps() {
        let b = Block::kernels(4, 6, 3, 50.0);
        assert_eq!(
            b.map_size(10.0),
            [4.0 * 30.0 + 3.0 * SLICE_GAP + ELLIPSIS_W, 30.0]
        );
        assert!(!b.more);
        assert!(Block::kernels(17, 1, 3, 50.0).more);
    }

    #[test]
    fn captions_widen_their_block() {
        let b = Block::stage(1, 2, 2, 200.0);
        let p = plan(std::slice::from_ref(&b), 900.0, 500.0, DESKTOP);
        assert_eq!(p.blocks[0].outer[0], 200.0);
        assert!(p.blocks[0].canvas[0] < 200.0 - 2.0 * FRAME);
    }

    #[test]
    fn every_cut_is_considered() {
        // Five blocks that fit two rows but not one.
        let blocks: Vec<Block> = (0..5).map(|_| Block::stage(1, 10, 10, 60.0)).collect();
        let p = plan(
            &blocks,
            400.0,
            1000.0,
            CellRange {
                max: 20.0,
                min: 8.0,
                scroll: 8.0,
            },
        );
        assert!(p.fits);
        assert!(p.rows.len() >= 2);
        assert_eq!(p.rows.first().map(|r| r.start), Some(0));
        assert_eq!(p.rows.last().map(|r| r.end), Some(5));
        check_inside(&blocks, &p, 400.0);
    }
}
