//! Plain functions that paint feature maps, kernels and the legend on a 2-D context. They take
//! everything they need as arguments and hold no state.

use conv_core::{Cell, Stage};
use ndarray::ArrayView3;
use web_sys::CanvasRenderingContext2d;

/// Colours of one theme. Group colours are the Okabe–Ito palette (safe for colour-blind readers);
/// groups are also labelled in text, so colour is never the only cue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    pub background: &'static str,
    pub text: &'static str,
    pub muted: &'static str,
    pub grid: &'static str,
    pub padding: &'static str,
    pub hatch: &'static str,
    pub inserted: &'static str,
    pub copied: &'static str,
    /// Veil over cells outside a highlighted window.
    pub dim: &'static str,
    pub focus: &'static str,
    pub related: &'static str,
    pub groups: [&'static str; 8],
}

pub const LIGHT: Palette = Palette {
    background: "#ffffff",
    text: "#1b1f24",
    muted: "#57606a",
    grid: "rgba(27,31,36,0.18)",
    padding: "#d0d7de",
    hatch: "#8c959f",
    inserted: "#eef1f4",
    copied: "#6f42c1",
    dim: "rgba(255,255,255,0.55)",
    focus: "#d6006f",
    related: "#1b1f24",
    groups: [
        "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
    ],
};

pub const DARK: Palette = Palette {
    background: "#0d1117",
    text: "#e6edf3",
    muted: "#9198a1",
    grid: "rgba(230,237,243,0.2)",
    padding: "#30363d",
    hatch: "#6e7681",
    inserted: "#161b22",
    copied: "#d2a8ff",
    dim: "rgba(13,17,23,0.6)",
    focus: "#ff7bc5",
    related: "#e6edf3",
    groups: [
        "#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#F0E442", "#ffffff",
    ],
};

use crate::layout::{Block, Placed, MAP_GAP as GAP};

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

/// A map's label, longest first: `c3 · g1`, `c3`, `3` (the group only where there are groups).
fn label_choices(prefix: char, i: usize, group: Option<usize>) -> Vec<String> {
    let mut out = Vec::with_capacity(3);
    if let Some(g) = group {
        out.push(format!("{prefix}{i} · g{g}"));
    }
    out.push(format!("{prefix}{i}"));
    out.push(i.to_string());
    out
}

/// Write the longest of `choices` that fits `room` pixels at `(x, y)` (baseline), or nothing.
fn fit_label(
    ctx: &CanvasRenderingContext2d,
    choices: &[String],
    x: f64,
    y: f64,
    room: f64,
    boxes: &mut Vec<LabelBox>,
) {
    for text in choices {
        let w = ctx
            .measure_text(text)
            .map(|m| m.width())
            .unwrap_or(f64::INFINITY);
        if w <= room {
            let _ = ctx.fill_text(text, x, y);
            boxes.push([x, y - 11.0, w, 13.0]);
            return;
        }
    }
}

/// Diverging colour of `v` on a scale symmetric around 0 (blue negative, red positive).
pub fn value_color(v: f32, max_abs: f32) -> String {
    let t = if max_abs > 0.0 {
        (v / max_abs).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let c = colorous::RED_BLUE.eval_continuous(0.5 - 0.5 * t as f64);
    format!("rgb({},{},{})", c.r, c.g, c.b)
}

pub use crate::trace::format_value;

fn max_abs(data: ArrayView3<f32>) -> f32 {
    data.iter().fold(
        0.0f32,
        |m, v| if v.is_finite() { m.max(v.abs()) } else { m },
    )
}

/// Size the canvas (CSS pixels) and its backing store (device pixels, for crisp drawing) and reset
/// the transform so drawing uses CSS pixels.
pub fn prepare(
    canvas: &web_sys::HtmlCanvasElement,
    ctx: &CanvasRenderingContext2d,
    width: f64,
    height: f64,
    dpr: f64,
) {
    canvas.set_width((width * dpr).ceil().max(1.0) as u32);
    canvas.set_height((height * dpr).ceil().max(1.0) as u32);
    // The CSS size through the CSSOM (a style attribute would need 'unsafe-inline').
    let style = canvas.style();
    let _ = style.set_property("width", &format!("{width:.0}px"));
    let _ = style.set_property("height", &format!("{height:.0}px"));
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, width, height);
}

use crate::trace::Role;

/// Paint a stage: each drawn channel as a labelled grid, padding hatched, inserted zeros pale
/// with a dot, copies marked in a corner, values written when the cells are large enough.
pub fn draw_stage(
    ctx: &CanvasRenderingContext2d,
    stage: &Stage,
    layout: &GridLayout,
    pal: &Palette,
    marks: &[(usize, usize, usize, Role)],
) -> Vec<LabelBox> {
    let mut boxes = Vec::new();
    let scale = max_abs(stage.data.view());
    let (_, h, w) = stage.data.dim();
    let cell = layout.cell;
    for ch in 0..layout.shown.min(stage.data.dim().0) {
        let (ox, oy) = layout.origin(ch);
        let group = stage.channel_groups.get(ch).copied().unwrap_or(0);
        let gcol = pal.groups[group % pal.groups.len()];
        ctx.set_fill_style_str(pal.text);
        ctx.set_font("12px system-ui, sans-serif");
        let many_groups = stage.channel_groups.iter().any(|&g| g > 0);
        let choices = label_choices('c', ch, many_groups.then_some(group));
        let room = layout.map_w + GAP - 12.0 - 3.0;
        fit_label(ctx, &choices, ox + 12.0, oy - 4.0, room, &mut boxes);
        ctx.set_fill_style_str(gcol);
        ctx.fill_rect(ox, oy - 12.0, 8.0, 8.0);
        // Small cells carry no text, grid or hatching: paint the map as one image, which is
        // what keeps real pictures (128² and more) quick to redraw.
        let fast = cell < FAST_BELOW
            && draw_channel_image(ctx, stage, ch, ox, oy, cell, scale, pal).is_ok();
        for y in 0..if fast { 0 } else { h } {
            for x in 0..w {
                let (px, py) = (ox + x as f64 * cell, oy + y as f64 * cell);
                paint_cell(ctx, stage, ch, y, x, px, py, cell, scale, pal);
            }
        }
        if cell >= 6.0 && !fast {
            ctx.set_stroke_style_str(pal.grid);
            ctx.set_line_width(1.0);
            ctx.begin_path();
            for y in 0..=h {
                ctx.move_to(ox, oy + y as f64 * cell + 0.5);
                ctx.line_to(ox + w as f64 * cell, oy + y as f64 * cell + 0.5);
            }
            for x in 0..=w {
                ctx.move_to(ox + x as f64 * cell + 0.5, oy);
                ctx.line_to(ox + x as f64 * cell + 0.5, oy + h as f64 * cell);
            }
            ctx.stroke();
        }
        ctx.set_stroke_style_str(gcol);
        ctx.set_line_width(2.0);
        ctx.stroke_rect(
            ox - 1.0,
            oy - 1.0,
            w as f64 * cell + 2.0,
            h as f64 * cell + 2.0,
        );
    }
    // Related cells first, the focus on top: a thick frame in the highlight colour, plus a
    // dimming of everything else on stages that carry marks, so the window stands out.
    if !marks.is_empty() {
        ctx.set_fill_style_str(pal.dim);
        for ch in 0..layout.shown.min(stage.data.dim().0) {
            let (ox, oy) = layout.origin(ch);
            ctx.fill_rect(ox, oy, w as f64 * cell, h as f64 * cell);
        }
    }
    for &(ch, y, x, role) in marks
        .iter()
        .filter(|m| m.0 < layout.shown && m.1 < h && m.2 < w)
    {
        let (ox, oy) = layout.origin(ch);
        let (px, py) = (ox + x as f64 * cell, oy + y as f64 * cell);
        // Paint the cell again, undimmed, then frame it.
        paint_cell(ctx, stage, ch, y, x, px, py, cell, scale, pal);
        let (colour, width) = match role {
            Role::Focus => (pal.focus, 3.0),
            Role::Related => (pal.related, 2.0),
        };
        ctx.set_stroke_style_str(colour);
        ctx.set_line_width(width);
        let inset = width / 2.0;
        ctx.stroke_rect(
            px + inset,
            py + inset,
            cell - 2.0 * inset,
            cell - 2.0 * inset,
        );
    }
    boxes
}

/// One cell: its value's colour, or hatched padding, or a dotted inserted zero; a corner mark on
/// copies; the value written when the cell is large enough to read.
#[allow(clippy::too_many_arguments)]
fn paint_cell(
    ctx: &CanvasRenderingContext2d,
    stage: &Stage,
    ch: usize,
    y: usize,
    x: usize,
    px: f64,
    py: f64,
    cell: f64,
    scale: f32,
    pal: &Palette,
) {
    let v = stage.data[[ch, y, x]];
    let kind = stage.cells[[y, x]];
    match kind {
        Cell::Padding => {
            ctx.set_fill_style_str(pal.padding);
            ctx.fill_rect(px, py, cell, cell);
            hatch(ctx, px, py, cell, pal.hatch);
        }
        Cell::Inserted => {
            ctx.set_fill_style_str(pal.inserted);
            ctx.fill_rect(px, py, cell, cell);
            ctx.set_fill_style_str(pal.hatch);
            ctx.begin_path();
            let _ = ctx.arc(
                px + cell / 2.0,
                py + cell / 2.0,
                (cell * 0.08).max(0.8),
                0.0,
                std::f64::consts::TAU,
            );
            ctx.fill();
        }
        Cell::Data { .. } | Cell::Copied { .. } => {
            ctx.set_fill_style_str(&value_color(v, scale));
            ctx.fill_rect(px, py, cell, cell);
            if matches!(kind, Cell::Copied { .. }) && cell >= 6.0 {
                ctx.set_fill_style_str(pal.copied);
                ctx.begin_path();
                ctx.move_to(px + cell, py);
                ctx.line_to(px + cell - cell * 0.3, py);
                ctx.line_to(px + cell, py + cell * 0.3);
                ctx.close_path();
                ctx.fill();
            }
        }
    }
    if cell >= 22.0 && !matches!(kind, Cell::Inserted) {
        let t = v.abs() / scale.max(1e-6);
        let font = (cell * 0.36).clamp(7.0, 13.0);
        ctx.set_fill_style_str(if t > 0.6 { "#ffffff" } else { "#1b1f24" });
        ctx.set_font(&format!("{font:.0}px system-ui, sans-serif"));
        ctx.set_text_align("center");
        ctx.set_text_baseline("middle");
        // Long values are condensed to the cell rather than running into the next one.
        let text = format_value(v);
        let _ = ctx.fill_text_with_max_width(&text, px + cell / 2.0, py + cell / 2.0, cell - 2.0);
        ctx.set_text_align("start");
        ctx.set_text_baseline("alphabetic");
    }
}

/// Cells smaller than this are painted as an image (no text, grid or hatching).
const FAST_BELOW: f64 = 6.0;

/// `#rrggbb` as RGB (grey for anything else).
fn hex_rgb(s: &str) -> [u8; 3] {
    let h = s.trim_start_matches('#');
    let p = |i: usize| u8::from_str_radix(h.get(i..i + 2).unwrap_or("80"), 16).unwrap_or(128);
    [p(0), p(2), p(4)]
}

/// One channel of a stage as an image: one pixel per cell, scaled up without smoothing.
#[allow(clippy::too_many_arguments)]
fn draw_channel_image(
    ctx: &CanvasRenderingContext2d,
    stage: &Stage,
    ch: usize,
    ox: f64,
    oy: f64,
    cell: f64,
    scale: f32,
    pal: &Palette,
) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let (_, h, w) = stage.data.dim();
    // 256-entry colour table instead of a colour-map evaluation per cell.
    let lut: Vec<[u8; 3]> = (0..256)
        .map(|i| {
            let c = colorous::RED_BLUE.eval_continuous(1.0 - i as f64 / 255.0);
            [c.r, c.g, c.b]
        })
        .collect();
    let (padding, inserted) = (hex_rgb(pal.padding), hex_rgb(pal.inserted));
    let mut buf = vec![255u8; w * h * 4];
    for y in 0..h {
        for x in 0..w {
            let rgb = match stage.cells[[y, x]] {
                Cell::Padding => padding,
                Cell::Inserted => inserted,
                _ => {
                    let v = stage.data[[ch, y, x]];
                    let t = if scale > 0.0 && v.is_finite() {
                        (v / scale).clamp(-1.0, 1.0)
                    } else {
                        0.0
                    };
                    lut[((t + 1.0) * 127.5).round() as usize]
                }
            };
            buf[(y * w + x) * 4..][..3].copy_from_slice(&rgb);
        }
    }
    let image = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
        wasm_bindgen::Clamped(&buf),
        w as u32,
        h as u32,
    )?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(wasm_bindgen::JsValue::NULL)?;
    let scratch: web_sys::HtmlCanvasElement = doc.create_element("canvas")?.dyn_into()?;
    scratch.set_width(w as u32);
    scratch.set_height(h as u32);
    let sctx = crate::dom::context_2d(&scratch).map_err(|e| wasm_bindgen::JsValue::from_str(&e))?;
    sctx.put_image_data(&image, 0.0, 0.0)?;
    ctx.set_image_smoothing_enabled(false);
    ctx.draw_image_with_html_canvas_element_and_dw_and_dh(
        &scratch,
        ox,
        oy,
        w as f64 * cell,
        h as f64 * cell,
    )?;
    Ok(())
}

fn hatch(ctx: &CanvasRenderingContext2d, x: f64, y: f64, s: f64, colour: &str) {
    if s < 5.0 {
        return;
    }
    ctx.save();
    ctx.begin_path();
    ctx.rect(x, y, s, s);
    ctx.clip();
    ctx.set_stroke_style_str(colour);
    ctx.set_line_width(1.0);
    ctx.begin_path();
    let step = (s / 3.0).max(4.0);
    let mut d = -s;
    while d < s {
        ctx.move_to(x + d, y + s);
        ctx.line_to(x + d + s, y);
        d += step;
    }
    ctx.stroke();
    ctx.restore();
}

/// Paint kernels: one block per output channel, its `depth` slices side by side (the first
/// [`crate::layout::KERNEL_SLICES`], then an ellipsis), framed in its group's colour. With
/// `dilation > 1` the slices are drawn with their gaps (hatched).
#[allow(clippy::too_many_arguments)]
pub fn draw_kernels(
    ctx: &CanvasRenderingContext2d,
    kernels: ArrayView3<f32>,
    depth: usize,
    groups_of: &dyn Fn(usize) -> usize,
    dilation: usize,
    layout: &GridLayout,
    pal: &Palette,
    active: Option<usize>,
) -> Vec<LabelBox> {
    use crate::layout::{KERNEL_SLICES, SLICE_GAP};
    let mut boxes = Vec::new();
    let (n, k, _) = kernels.dim();
    let count = n / depth.max(1);
    let scale = max_abs(kernels);
    let cell = layout.cell;
    let ext = conv_core::shape::kernel_field(k, dilation).unwrap_or(k);
    let slice_px = ext as f64 * cell;
    let shown_depth = depth.min(KERNEL_SLICES);
    let many_groups = (0..count).any(|i| groups_of(i) > 0);
    for kernel in 0..count.min(layout.shown) {
        let (ox, oy) = layout.origin(kernel);
        let group = groups_of(kernel);
        let gcol = pal.groups[group % pal.groups.len()];
        ctx.set_fill_style_str(pal.text);
        ctx.set_font("12px system-ui, sans-serif");
        let choices = label_choices('k', kernel, many_groups.then_some(group));
        let room = layout.map_w + GAP - 3.0;
        fit_label(ctx, &choices, ox, oy - 4.0, room, &mut boxes);
        for d in 0..shown_depth {
            let sx = ox + d as f64 * (slice_px + SLICE_GAP);
            for y in 0..ext {
                for x in 0..ext {
                    let (px, py) = (sx + x as f64 * cell, oy + y as f64 * cell);
                    if y % dilation == 0 && x % dilation == 0 {
                        let v = kernels[[kernel * depth + d, y / dilation, x / dilation]];
                        ctx.set_fill_style_str(&value_color(v, scale));
                        ctx.fill_rect(px, py, cell, cell);
                        if cell >= 22.0 {
                            let dark_cell = v.abs() / scale.max(1e-6) > 0.6;
                            ctx.set_fill_style_str(if dark_cell { "#ffffff" } else { "#1b1f24" });
                            ctx.set_font("10px system-ui, sans-serif");
                            ctx.set_text_align("center");
                            ctx.set_text_baseline("middle");
                            let _ = ctx.fill_text_with_max_width(
                                &format_value(v),
                                px + cell / 2.0,
                                py + cell / 2.0,
                                cell - 2.0,
                            );
                            ctx.set_text_align("start");
                            ctx.set_text_baseline("alphabetic");
                        }
                    } else {
                        ctx.set_fill_style_str(pal.inserted);
                        ctx.fill_rect(px, py, cell, cell);
                        hatch(ctx, px, py, cell, pal.hatch);
                    }
                }
            }
            ctx.set_stroke_style_str(gcol);
            ctx.set_line_width(2.0);
            ctx.stroke_rect(sx - 1.0, oy - 1.0, slice_px + 2.0, slice_px + 2.0);
        }
        if active == Some(kernel) {
            ctx.set_stroke_style_str(pal.focus);
            ctx.set_line_width(2.0);
            ctx.stroke_rect(ox - 3.0, oy - 3.0, layout.map_w + 6.0, slice_px + 6.0);
        }
        if depth > KERNEL_SLICES {
            ctx.set_fill_style_str(pal.muted);
            ctx.set_font("12px system-ui, sans-serif");
            let _ = ctx.fill_text(
                "…",
                ox + shown_depth as f64 * (slice_px + SLICE_GAP),
                oy + slice_px / 2.0,
            );
        }
    }
    boxes
}

/// Paint a map of counts (overlap, coverage): darker for more, the count written in each cell.
pub fn draw_counts(
    ctx: &CanvasRenderingContext2d,
    counts: ndarray::ArrayView2<u32>,
    cell: f64,
    pal: &Palette,
) {
    let max = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let (h, w) = counts.dim();
    for y in 0..h {
        for x in 0..w {
            let c = counts[[y, x]] as f64;
            let t = c / max;
            let shade = colorous::BLUES.eval_continuous(0.1 + 0.85 * t);
            ctx.set_fill_style_str(&format!("rgb({},{},{})", shade.r, shade.g, shade.b));
            let (px, py) = (x as f64 * cell, y as f64 * cell);
            ctx.fill_rect(px, py, cell, cell);
            if cell >= 14.0 {
                ctx.set_fill_style_str(if t > 0.55 { "#ffffff" } else { "#1b1f24" });
                ctx.set_font(&format!(
                    "{:.0}px system-ui, sans-serif",
                    (cell * 0.45).clamp(8.0, 13.0)
                ));
                ctx.set_text_align("center");
                ctx.set_text_baseline("middle");
                let _ = ctx.fill_text(
                    &format!("{}", counts[[y, x]]),
                    px + cell / 2.0,
                    py + cell / 2.0,
                );
                ctx.set_text_align("start");
                ctx.set_text_baseline("alphabetic");
            }
        }
    }
    ctx.set_stroke_style_str(pal.grid);
    ctx.stroke_rect(0.5, 0.5, w as f64 * cell - 1.0, h as f64 * cell - 1.0);
}
