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

/// The table: a header, one row per layer, the totals.
fn table(out: &mut Display, stack: &Stack, rows: &[Row], lang: Lang, y0: f64) -> f64 {
    let columns = [0.0, 28.0, 190.0, 300.0, 400.0, 520.0];
    let header = [
        "#".to_string(),
        tr_figure(lang, "stack.col.layer").into(),
        tr_figure(lang, "stack.col.output").into(),
        tr_figure(lang, "stack.col.params").into(),
        tr_figure(lang, "stack.col.macs").into(),
        tr_figure(lang, "stack.col.field").into(),
    ];
    let mut y = y0 + TEXT_PX;
    for (x, h) in columns.iter().zip(header) {
        out.text([*x, y], h, TEXT_PX, Ink::Text);
    }
    for (i, r) in rows.iter().enumerate() {
        y += ROW_H;
        let field = r.field.map_or(String::from("–"), |f| {
            format!("{} / {} / {}", f.size[0], f.jump[0], f.start[0])
        });
        let cells = [
            (i + 1).to_string(),
            layer_name(stack, i, lang),
            shape_text(r.output),
            group_digits(r.params),
            group_digits(r.macs),
            field,
        ];
        for (x, c) in columns.iter().zip(cells) {
            out.text([*x, y], c, TEXT_PX, Ink::Muted);
        }
    }
    y + ROW_H / 2.0
}

/// The footprint of `cell` (layer, y, x): for the input and each layer's output before it, a
/// panel with its count map (or, for maps over 64 cells a side, the footprint's box over the
/// map), side by side in rows of `width`.
fn footprints(out: &mut Display, maps: &[Array2<u64>], lang: Lang, width: f64, y0: f64) -> f64 {
    let panel = 150.0;
    let per_row = ((width + GAP) / (panel + GAP)).floor().max(1.0) as usize;
    let (mut y, mut row_h) = (y0, 0.0f64);
    for (i, m) in maps.iter().enumerate() {
        if i > 0 && i % per_row == 0 {
            y += row_h + GAP;
            row_h = 0.0;
        }
        let x = (i % per_row) as f64 * (panel + GAP);
        let title = if i == 0 {
            tr_figure(lang, "stack.input").to_string()
        } else {
            fill(tr_figure(lang, "stack.after"), &[("n", i.to_string())])
        };
        out.text([x, y + TEXT_PX], title, TEXT_PX, Ink::Text);
        let (h, w) = m.dim();
        let drawn = if h.max(w) <= 64 {
            let cell = (panel / h.max(w).max(1) as f64).floor().max(2.0);
            // Counts of three digits and more do not fit a cell: colours only then.
            let most = m.iter().copied().max().unwrap_or(0);
            let cell = if most >= 100 { cell.min(13.0) } else { cell };
            let counts = m.mapv(|n| n.min(u32::MAX as u64) as u32);
            channels::counts(counts.view(), cell)
        } else {
            extent_box(m, panel)
        };
        let dh = drawn.height;
        out.append(drawn, x, y + TEXT_PX + 6.0);
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
    let reached = m.indexed_iter().filter(|(_, &n)| n > 0).map(|(p, _)| p);
    let (mut y0, mut x0, mut y1, mut x1) = (usize::MAX, usize::MAX, 0, 0);
    for (y, x) in reached {
        (y0, x0, y1, x1) = (y0.min(y), x0.min(x), y1.max(y), x1.max(x));
    }
    if y0 <= y1 {
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

/// The stack view for a figure column `width` pixels wide, with the footprint of `cell`
/// (`[layer, y, x]`) if one is selected, and its [`Summary`].
///
/// **Errors** with conv-core's message naming the layer that does not fit.
pub fn draw(
    stack: &Stack,
    cell: Option<[usize; 3]>,
    lang: Lang,
    width: f64,
    budget: &Budget,
) -> Result<(Display, Summary), String> {
    let rows = stack.rows(budget).map_err(|e| e.to_string())?;
    let mut summary = summary(stack, &rows, budget);
    let width = width.clamp(320.0, 960.0);
    let mut out = Display::new(width.max(640.0), 0.0);
    let mut y = table(&mut out, stack, &rows, lang, 0.0);
    if let Some([layer, cy, cx]) = cell {
        let maps = stack
            .footprint(layer, [cy, cx], budget)
            .map_err(|e| e.to_string())?;
        let input = &maps[0];
        let reached: Vec<(usize, usize)> = input
            .indexed_iter()
            .filter(|(_, &n)| n > 0)
            .map(|(p, _)| p)
            .collect();
        if let (Some(ys), Some(xs)) = (
            reached
                .iter()
                .map(|p| p.0)
                .max()
                .zip(reached.iter().map(|p| p.0).min()),
            reached
                .iter()
                .map(|p| p.1)
                .max()
                .zip(reached.iter().map(|p| p.1).min()),
        ) {
            summary.push((
                "stack-footprint",
                format!("{}×{}", ys.0 - ys.1 + 1, xs.0 - xs.1 + 1),
            ));
        }
        let title = fill(
            tr_figure(lang, "stack.footprint"),
            &[
                ("n", (layer + 1).to_string()),
                ("y", cy.to_string()),
                ("x", cx.to_string()),
            ],
        );
        y += GAP;
        out.text([0.0, y + TEXT_PX], title, TEXT_PX + 1.0, Ink::Text);
        y = footprints(&mut out, &maps, lang, width, y + TEXT_PX + GAP / 2.0);
    }
    out.height = y + GAP / 2.0;
    Ok((out, summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIG: Budget = Budget {
        max_elements: 1 << 40,
        max_macs: 1 << 50,
    };

    fn get<'a>(s: &'a Summary, key: &str) -> &'a str {
        s.iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    #[test]
    fn the_presets_summaries_are_their_published_figures() {
        let vgg = Stack::preset("vgg16").unwrap();
        let (_, s) = draw(&vgg, None, Lang::En, 960.0, &BIG).unwrap();
        assert_eq!(get(&s, "stack-output-shape"), "512×7×7");
        assert_eq!(get(&s, "stack-params"), "14,714,688");
        assert_eq!(get(&s, "stack-receptive-field"), "212×212");
        let m = Stack::preset("mobilenet_v1").unwrap();
        let (_, s) = draw(&m, None, Lang::Zh, 375.0, &BIG).unwrap();
        assert_eq!(get(&s, "stack-output-shape"), "1000");
        assert_eq!(get(&s, "stack-macs"), "568,740,352");
        assert_eq!(get(&s, "stack-params"), "4,210,088");
        let c = Stack::preset("context_module").unwrap();
        let (_, s) = draw(&c, None, Lang::En, 960.0, &BIG).unwrap();
        assert_eq!(get(&s, "stack-receptive-field"), "67×67");
        // After a transposed layer the field is traced (a 2×2 kernel at stride 2, then 3×3
        // convolutions: the centre cell's field in the decoder's 8×8 input).
        let d = Stack::preset("unet_decoder").unwrap();
        let (_, s) = draw(&d, None, Lang::En, 960.0, &BIG).unwrap();
        assert!(!get(&s, "stack-receptive-field").is_empty());
    }

    #[test]
    fn a_selected_cell_shows_its_footprint_of_the_reported_size() {
        let c = Stack::preset("context_module").unwrap();
        let (d, s) = draw(&c, Some([12, 32, 32]), Lang::En, 960.0, &BIG).unwrap();
        // The last 3×3 layer at the centre: 67×67 in the input, clipped to the 64×64 map.
        assert_eq!(get(&s, "stack-footprint"), "64×64");
        // The dilation-8 layer: 33×33, well inside the map.
        let (_, s) = draw(&c, Some([8, 32, 32]), Lang::En, 960.0, &BIG).unwrap();
        assert_eq!(get(&s, "stack-footprint"), "33×33");
        assert!(d.cell_count() > 0);
        // A cell that does not exist is an error, not a panic.
        assert!(draw(&c, Some([12, 99, 0]), Lang::En, 960.0, &BIG).is_err());
        assert!(draw(&c, Some([40, 0, 0]), Lang::En, 960.0, &BIG).is_err());
    }
}
