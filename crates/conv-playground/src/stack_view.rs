//! The stack view as the export worker draws it (`gif_job.rs`, `format=stack`), so that the
//! page's first load does not carry it: the table (one row per layer: output, parameters, MACs,
//! receptive field), the totals, and for a selected output cell its footprint in every earlier
//! map, with the count of paths to each cell. The figures the page shows as text come with it
//! ([`Summary`]). Pure: tested natively.

use conv_core::stack::{Row, Stack, Tensor};
use conv_core::Budget;
use ndarray::Array2;

use crate::channels;
use crate::display::Display;
use crate::i18n::{fill, group_digits, tr_figure, Lang};
use crate::palette::Ink;

/// The figures of a stack as the page's hooks name them (`data-stat`): `stack-output-shape`
/// (`C×H×W`, or `N` for a vector), `stack-params`, `stack-macs`, `stack-flops`,
/// `stack-activation-bytes`, `stack-receptive-field` (`H×W` of one cell of the last layer with
/// a map, in closed form where it applies, else traced), and with a selected cell
/// `stack-footprint` (`H×W` of its traced footprint in the input).
pub type Summary = Vec<(&'static str, String)>;

/// A tensor as the table writes it.
fn shape_text(t: Tensor) -> String {
    match t {
        Tensor::Map([c, h, w]) => format!("{c}×{h}×{w}"),
        Tensor::Vector(n) => n.to_string(),
    }
}

/// The summary of `stack`'s rows; `footprint` is the selected cell's extent in the input.
pub fn summary(stack: &Stack, rows: &[Row], budget: &Budget) -> Summary {
    let sum = |f: fn(&Row) -> u128| rows.iter().map(f).fold(0u128, u128::saturating_add);
    let last = rows.last().map_or(Tensor::Map(stack.input), |r| r.output);
    let mut out = vec![
        ("stack-output-shape", shape_text(last)),
        ("stack-params", group_digits(sum(|r| r.params))),
        ("stack-macs", group_digits(sum(|r| r.macs))),
        ("stack-flops", group_digits(sum(|r| r.flops))),
        (
            "stack-activation-bytes",
            group_digits(sum(|r| r.activation_bytes)),
        ),
    ];
    // The last layer with a map: its receptive field, in closed form or else traced from its
    // centre cell.
    if let Some((i, row)) = rows
        .iter()
        .enumerate()
        .rev()
        .find(|(_, r)| matches!(r.output, Tensor::Map(_)))
    {
        let field = match (row.field, row.output) {
            (Some(f), _) => Some([f.size[0], f.size[1]]),
            (None, Tensor::Map([_, h, w])) => stack
                .unbounded_extent(i, [h / 2, w / 2], budget)
                .ok()
                .map(|[y0, x0, y1, x1]| [y1 - y0 + 1, x1 - x0 + 1]),
            _ => None,
        };
        if let Some([h, w]) = field {
            out.push(("stack-receptive-field", format!("{h}×{w}")));
        }
    }
    out
}

/// Font sizes and spacing of the view.
const TEXT_PX: f64 = 12.0;
const ROW_H: f64 = 18.0;
const GAP: f64 = 16.0;

/// The name a row gives its layer.
fn layer_name(stack: &Stack, i: usize, lang: Lang) -> String {
    use conv_core::stack::Block;
    match &stack.blocks[i] {
        Block::Layer(s) => tr_figure(lang, &format!("stack.layer.{}", s.layer.name())).to_string(),
        Block::MaxPool { kernel, .. } => {
            format!("{} {kernel}×{kernel}", tr_figure(lang, "stack.maxpool"))
        }
        Block::AvgPool { kernel, .. } => {
            format!("{} {kernel}×{kernel}", tr_figure(lang, "stack.avgpool"))
        }
        Block::GlobalAvgPool => tr_figure(lang, "stack.gap").to_string(),
        Block::Flatten => "Flatten".into(),
        Block::Linear { .. } => tr_figure(lang, "stack.linear").to_string(),
        Block::Relu => "ReLU".into(),
        Block::BatchNorm => tr_figure(lang, "stack.bn").to_string(),
    }
}

/// A place in the drawing that selects a cell when clicked or tapped: the rectangle `rect`
/// (`x, y, w, h` in the drawing's pixels) spans `rows × cols` cells of layer `layer`'s output,
/// starting at cell `from` (a map's panel spans the whole map; a table row is its layer's
/// centre cell).
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub layer: usize,
    pub rect: [f64; 4],
    pub from: [usize; 2],
    pub size: [usize; 2],
}

impl Hit {
    /// The hit as the page reads it: `layer,x,y,w,h,rows,cols,y0,x0`, whole pixels.
    pub fn text(&self) -> String {
        let [x, y, w, h] = self.rect.map(|v| v.round() as i64);
        let ([rows, cols], [y0, x0]) = (self.size, self.from);
        format!("{},{x},{y},{w},{h},{rows},{cols},{y0},{x0}", self.layer)
    }
}

/// The table: a header, one row per layer (the `selected` one marked), the totals; each row
/// whose layer has a map selects its centre cell.
fn table(
    out: &mut Display,
    stack: &Stack,
    rows: &[Row],
    selected: Option<usize>,
    lang: Lang,
    hits: &mut Vec<Hit>,
) -> f64 {
    use crate::display::Shape;
    // Eight columns in a row where the drawing is wide enough; two lines a layer on a narrower
    // one, three on a phone: `[x, line]` of each column.
    let (columns, lines, px): ([[f64; 2]; 8], f64, f64) = if out.width >= 860.0 {
        let x = [0.0, 28.0, 176.0, 272.0, 362.0, 472.0, 590.0, 700.0];
        (x.map(|x| [x, 0.0]), 1.0, TEXT_PX)
    } else if out.width >= 640.0 {
        let c = [[0.0, 0.0], [28.0, 0.0], [190.0, 0.0], [28.0, 1.0]];
        let more = [[130.0, 1.0], [250.0, 1.0], [380.0, 1.0], [300.0, 0.0]];
        (concat(c, more), 2.0, TEXT_PX)
    } else {
        let c = [[0.0, 0.0], [24.0, 0.0], [200.0, 0.0], [24.0, 1.0]];
        let more = [[104.0, 1.0], [24.0, 2.0], [130.0, 2.0], [196.0, 1.0]];
        (concat(c, more), 3.0, TEXT_PX - 1.0)
    };
    let line = ROW_H - 4.0;
    let row_h = ROW_H + (lines - 1.0) * line;
    let header = [
        "#",
        "stack.col.layer",
        "stack.col.output",
        "stack.col.params",
        "stack.col.macs",
        "stack.col.flops",
        "stack.col.bytes",
        "stack.col.field",
    ]
    .map(|k| if k == "#" { k } else { tr_figure(lang, k) });
    let mut y = TEXT_PX;
    for ([x, l], h) in columns.iter().zip(header) {
        out.text([*x, y + l * line], h, px, Ink::Text);
    }
    y += row_h - ROW_H;
    for (i, r) in rows.iter().enumerate() {
        y += ROW_H;
        let band = [0.0, y - TEXT_PX, out.width, row_h];
        if selected == Some(i) {
            out.stroke(
                Shape::rect(band[0], band[1], band[2], band[3]),
                Ink::Focus,
                1.5,
            );
        }
        if let Tensor::Map([_, h, w]) = r.output {
            hits.push(Hit {
                layer: i,
                rect: band,
                from: [h / 2, w / 2],
                size: [1, 1],
            });
        }
        let field = r.field.map_or(String::from("–"), |f| {
            format!("{} / {} / {}", f.size[0], f.jump[0], f.start[0])
        });
        let cells = [
            (i + 1).to_string(),
            layer_name(stack, i, lang),
            shape_text(r.output),
            group_digits(r.params),
            group_digits(r.macs),
            group_digits(r.flops),
            group_digits(r.activation_bytes),
            field,
        ];
        for ([x, l], c) in columns.iter().zip(cells) {
            out.text([*x, y + l * line], c, px, Ink::Muted);
        }
        y += row_h - ROW_H;
    }
    y + ROW_H / 2.0
}

/// Two halves of a table's columns.
fn concat(a: [[f64; 2]; 4], b: [[f64; 2]; 4]) -> [[f64; 2]; 8] {
    [a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]]
}

/// One map's panel of the footprint: which map (0 the input, `i` the output of layer `i - 1`)
/// and its count of paths from the selected cell.
struct Panel {
    map: usize,
    counts: Array2<u64>,
}

/// The panels side by side in rows of `width`, each map titled; maps up to 64 cells a side as
/// their counts (the selected cell outlined in its own map), larger ones as their outline with
/// the box of the cells reached. Each panel of a layer's output selects its cells.
fn footprints(
    out: &mut Display,
    panels: &[Panel],
    selected: [usize; 3],
    lang: Lang,
    width: f64,
    y0: f64,
    hits: &mut Vec<Hit>,
) -> f64 {
    use crate::display::Shape;
    let panel = 150.0;
    let per_row = ((width + GAP) / (panel + GAP)).floor().max(1.0) as usize;
    let (mut y, mut row_h) = (y0, 0.0f64);
    for (i, p) in panels.iter().enumerate() {
        if i > 0 && i % per_row == 0 {
            y += row_h + GAP;
            row_h = 0.0;
        }
        let x = (i % per_row) as f64 * (panel + GAP);
        let title = if p.map == 0 {
            tr_figure(lang, "stack.input").to_string()
        } else {
            fill(tr_figure(lang, "stack.after"), &[("n", p.map.to_string())])
        };
        out.text([x, y + TEXT_PX], title, TEXT_PX, Ink::Text);
        let m = &p.counts;
        let (h, w) = m.dim();
        let drawn = if h.max(w) <= 64 {
            let cell = (panel / h.max(w).max(1) as f64).floor().max(2.0);
            // Counts of three digits and more do not fit a cell: colours only then.
            let most = m.iter().copied().max().unwrap_or(0);
            let cell = if most >= 100 { cell.min(13.0) } else { cell };
            let counts = m.mapv(|n| n.min(u32::MAX as u64) as u32);
            let mut d = channels::counts(counts.view(), cell);
            if p.map == selected[0] + 1 {
                let [_, sy, sx] = selected;
                let r = Shape::rect(sx as f64 * cell, sy as f64 * cell, cell, cell);
                d.stroke(r, Ink::Focus, 2.0);
            }
            d
        } else {
            extent_box(m, panel)
        };
        let top = y + TEXT_PX + 6.0;
        if p.map > 0 {
            hits.push(Hit {
                layer: p.map - 1,
                rect: [x, top, drawn.width, drawn.height],
                from: [0, 0],
                size: [h, w],
            });
        }
        let dh = drawn.height;
        out.append(drawn, x, top);
        row_h = row_h.max(TEXT_PX + 6.0 + dh);
    }
    y + row_h
}

/// A large map as its outline, with the box around the cells reached.
fn extent_box(m: &Array2<u64>, side: f64) -> Display {
    use crate::display::Shape;
    let (h, w) = m.dim();
    let k = side / h.max(w).max(1) as f64;
    let mut d = Display::new(w as f64 * k, h as f64 * k);
    d.stroke(
        Shape::rect(0.0, 0.0, w as f64 * k, h as f64 * k),
        Ink::Grid,
        1.0,
    );
    if let Some([y0, x0, y1, x1]) = extent(m) {
        let r = Shape::rect(
            x0 as f64 * k,
            y0 as f64 * k,
            (x1 - x0 + 1) as f64 * k,
            (y1 - y0 + 1) as f64 * k,
        );
        d.stroke(r, Ink::Focus, 2.0);
    }
    d
}

/// The box `[y0, x0, y1, x1]` of the cells a count map reaches, if any.
fn extent(m: &Array2<u64>) -> Option<[usize; 4]> {
    let reached = m.indexed_iter().filter(|(_, &n)| n > 0).map(|(p, _)| p);
    let (mut y0, mut x0, mut y1, mut x1) = (usize::MAX, usize::MAX, 0, 0);
    for (y, x) in reached {
        (y0, x0, y1, x1) = (y0.min(y), x0.min(x), y1.max(y), x1.max(x));
    }
    (y0 <= y1).then_some([y0, x0, y1, x1])
}

/// The stack view: its drawing, its [`Summary`] and the places that select a cell.
pub struct View {
    pub drawing: Display,
    pub summary: Summary,
    pub hits: Vec<Hit>,
}

/// The stack view of `stack` and its `rows` ([`Stack::rows`], which the caller has computed)
/// for a figure column `width` pixels wide, with the footprint of `cell`
/// (`[layer, y, x]`, a cell of that layer's output) if one is selected: its count of paths in
/// the input and in every layer's output up to the cell's own (where it is outlined), and the
/// maps after it to select from. Maps of ReLU and batch norm, the same cells as the map before
/// them, are not repeated.
///
/// **Errors** with conv-core's message if the cell does not exist.
pub fn draw(
    stack: &Stack,
    rows: &[Row],
    cell: Option<[usize; 3]>,
    lang: Lang,
    width: f64,
    budget: &Budget,
) -> Result<View, String> {
    use conv_core::stack::Block;
    let mut summary = summary(stack, rows, budget);
    let mut hits = Vec::new();
    let width = width.clamp(300.0, 960.0);
    let mut out = Display::new(width, 0.0);
    let mut y = table(&mut out, stack, rows, cell.map(|c| c[0]), lang, &mut hits);
    if let Some([layer, cy, cx]) = cell {
        let traced = stack
            .footprint(layer, [cy, cx], budget)
            .map_err(|e| e.to_string())?;
        if let Some([y0, x0, y1, x1]) = extent(&traced[0]) {
            summary.push((
                "stack-footprint",
                format!("{}×{}", y1 - y0 + 1, x1 - x0 + 1),
            ));
        }
        let mut panels: Vec<Panel> = traced
            .into_iter()
            .enumerate()
            .map(|(map, counts)| Panel { map, counts })
            .collect();
        for (i, r) in rows.iter().enumerate().skip(layer) {
            if let Tensor::Map([_, h, w]) = r.output {
                let mut counts = Array2::zeros((h, w));
                if i == layer {
                    counts[[cy, cx]] = 1;
                }
                panels.push(Panel { map: i + 1, counts });
            }
        }
        // Vectors (after flatten) and the maps of element-wise layers are left out.
        panels.retain(|p| {
            p.counts.len() > 1
                && (p.map == 0
                    || !matches!(stack.blocks[p.map - 1], Block::Relu | Block::BatchNorm))
        });
        let title = fill(
            tr_figure(lang, "stack.footprint"),
            &[
                ("n", (layer + 1).to_string()),
                ("y", cy.to_string()),
                ("x", cx.to_string()),
            ],
        );
        y += GAP;
        y += crate::display::paragraph(&mut out, &title, [0.0, y], width, TEXT_PX + 1.0, Ink::Text);
        y = footprints(
            &mut out,
            &panels,
            [layer, cy, cx],
            lang,
            width,
            y,
            &mut hits,
        );
    }
    out.height = y + GAP / 2.0;
    Ok(View {
        drawing: out,
        summary,
        hits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIG: Budget = Budget {
        max_elements: 1 << 40,
        max_macs: 1 << 50,
    };

    /// [`draw`] with the stack's rows.
    fn drawn(
        stack: &Stack,
        cell: Option<[usize; 3]>,
        lang: Lang,
        width: f64,
        budget: &Budget,
    ) -> Result<View, String> {
        let rows = stack.rows(budget).map_err(|e| e.to_string())?;
        draw(stack, &rows, cell, lang, width, budget)
    }

    fn get<'a>(s: &'a Summary, key: &str) -> &'a str {
        s.iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    #[test]
    fn the_presets_summaries_are_their_published_figures() {
        let vgg = Stack::preset("vgg16").unwrap();
        let View { summary: s, .. } = drawn(&vgg, None, Lang::En, 960.0, &BIG).unwrap();
        assert_eq!(get(&s, "stack-output-shape"), "512×7×7");
        assert_eq!(get(&s, "stack-params"), "14,714,688");
        assert_eq!(get(&s, "stack-receptive-field"), "212×212");
        let m = Stack::preset("mobilenet_v1").unwrap();
        let View { summary: s, .. } = drawn(&m, None, Lang::Zh, 375.0, &BIG).unwrap();
        assert_eq!(get(&s, "stack-output-shape"), "1000");
        assert_eq!(get(&s, "stack-macs"), "568,740,352");
        assert_eq!(get(&s, "stack-params"), "4,210,088");
        let c = Stack::preset("context_module").unwrap();
        let View { summary: s, .. } = drawn(&c, None, Lang::En, 960.0, &BIG).unwrap();
        assert_eq!(get(&s, "stack-receptive-field"), "67×67");
        // After a transposed layer the field is traced (a 2×2 kernel at stride 2, then 3×3
        // convolutions: the centre cell's field in the decoder's 8×8 input).
        let d = Stack::preset("unet_decoder").unwrap();
        let View { summary: s, .. } = drawn(&d, None, Lang::En, 960.0, &BIG).unwrap();
        assert!(!get(&s, "stack-receptive-field").is_empty());
    }

    #[test]
    fn the_table_fits_its_width_in_one_two_or_three_lines_a_layer_without_overlaps() {
        use crate::display::{text_width, Item};
        let m = Stack::preset("mobilenet_v1").unwrap();
        let vgg = Stack::preset("vgg16").unwrap();
        let (zh, en) = (Lang::Zh, Lang::En);
        let cases = [
            (&m, zh, 335.0),
            (&m, en, 335.0),
            (&m, en, 960.0),
            (&vgg, en, 335.0),
        ];
        for (m, lang, width) in cases {
            let View { drawing, hits, .. } = drawn(m, Some([26, 3, 3]), lang, width, &BIG).unwrap();
            assert!(drawing.width <= width);
            for it in &drawing.items {
                let right = match it {
                    Item::Text { at, text, size, .. } => at[0] + text_width(text, *size),
                    Item::Fill { shape, .. } | Item::Stroke { shape, .. } => {
                        shape.bounds()[0] + shape.bounds()[2]
                    }
                    Item::Cells { at, u, cols, .. } => at[0] + u[0] * *cols as f64,
                    _ => 0.0,
                };
                assert!(right <= width + 0.5, "{lang:?} {width}: {it:?}");
            }
            // No two texts of the table on one line overlap.
            let mut texts: Vec<(f64, f64, f64)> = drawing
                .items
                .iter()
                .filter_map(|it| match it {
                    Item::Text { at, text, size, .. } => {
                        Some((at[1], at[0], at[0] + text_width(text, *size)))
                    }
                    _ => None,
                })
                .collect();
            texts.sort_by(|a, b| a.partial_cmp(b).unwrap());
            for w in texts.windows(2) {
                if w[0].0 == w[1].0 {
                    assert!(w[0].2 <= w[1].1 + 0.5, "{lang:?} {width}: {w:?}");
                }
            }
            // One row a layer, each as tall as its lines.
            let rows: Vec<_> = hits.iter().filter(|h| h.size == [1, 1]).collect();
            let maps = m.rows(&BIG).unwrap();
            let maps = maps.iter().filter(|r| matches!(r.output, Tensor::Map(_)));
            assert_eq!(rows.len(), maps.count(), "every layer with a map");
            let tall = match width {
                w if w < 640.0 => ROW_H + 2.0 * (ROW_H - 4.0),
                w if w < 860.0 => ROW_H + (ROW_H - 4.0),
                _ => ROW_H,
            };
            assert!(rows.iter().all(|h| h.rect[3] == tall));
        }
    }

    #[test]
    fn a_selected_cell_shows_its_footprint_of_the_reported_size() {
        let c = Stack::preset("context_module").unwrap();
        let View {
            drawing: d,
            summary: s,
            ..
        } = drawn(&c, Some([12, 32, 32]), Lang::En, 960.0, &BIG).unwrap();
        // The last 3×3 layer at the centre: 67×67 in the input, clipped to the 64×64 map.
        assert_eq!(get(&s, "stack-footprint"), "64×64");
        // The dilation-8 layer: 33×33, well inside the map.
        let View { summary: s, .. } = drawn(&c, Some([8, 32, 32]), Lang::En, 960.0, &BIG).unwrap();
        assert_eq!(get(&s, "stack-footprint"), "33×33");
        assert!(d.cell_count() > 0);
        // A cell that does not exist is an error, not a panic.
        assert!(drawn(&c, Some([12, 99, 0]), Lang::En, 960.0, &BIG).is_err());
        assert!(drawn(&c, Some([40, 0, 0]), Lang::En, 960.0, &BIG).is_err());
    }
}
