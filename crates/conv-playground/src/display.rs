//! One drawing description, three outputs. A figure is built as a [`Display`]: a list of
//! rectangles, convex polygons, lines, dots, text and cell images in CSS pixels, coloured with
//! [`Paint`]s that the theme's [`Palette`] resolves. The canvas paints it (`draw.rs`), [`svg`]
//! writes it as a document, and [`raster`] turns it into an indexed GIF frame, so an export
//! shows what the screen shows. Pure, tested natively.

use crate::fixed::{trimmed, Fixed as F};
use crate::palette::{Ink, Paint, Palette};

/// A point in CSS pixels.
pub type Pt = [f64; 2];

/// A shape that can be filled or stroked.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Rect {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
    },
    /// A convex polygon.
    Poly(Vec<Pt>),
}

impl Shape {
    pub fn rect(x: f64, y: f64, w: f64, h: f64) -> Shape {
        Shape::Rect { x, y, w, h }
    }

    /// `[x, y, w, h]` of the shape's bounding box.
    pub fn bounds(&self) -> [f64; 4] {
        match self {
            Shape::Rect { x, y, w, h } => [*x, *y, *w, *h],
            Shape::Poly(p) => bounds_of(p),
        }
    }
}

/// `[x, y, w, h]` around `points` (zero for none).
pub fn bounds_of(points: &[Pt]) -> [f64; 4] {
    if points.is_empty() {
        return [0.0; 4];
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for p in points {
        x0 = x0.min(p[0]);
        y0 = y0.min(p[1]);
        x1 = x1.max(p[0]);
        y1 = y1.max(p[1]);
    }
    [x0, y0, x1 - x0, y1 - y0]
}

/// How text sits on its point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// The point is the start of the baseline.
    Start,
    /// The point is the centre of the text.
    Centre,
}

/// One drawing instruction.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A filled shape; `cell` marks a cell of a map (one SVG element per cell), `hatch` draws
    /// diagonal lines over it (padding, dilation gaps).
    Fill {
        shape: Shape,
        paint: Paint,
        hatch: bool,
        cell: bool,
    },
    /// An outline.
    Stroke {
        shape: Shape,
        ink: Ink,
        width: f64,
        dashed: bool,
    },
    Line {
        from: Pt,
        to: Pt,
        ink: Ink,
        width: f64,
    },
    Dot {
        at: Pt,
        r: f64,
        ink: Ink,
    },
    Text {
        at: Pt,
        text: String,
        size: f64,
        ink: Ink,
        anchor: Anchor,
        bold: bool,
        /// Condensed to this width if longer.
        max_width: Option<f64>,
    },
    /// A map of `cols × rows` cells, row-major: cell `(r, c)` is the parallelogram with corner
    /// `at + c·u + r·v` and sides `u` and `v` (`u = [s, 0]`, `v = [0, s]` for square cells; a
    /// skewed `u` or `v` draws a face of a volume). Many cells at once: painted as one image.
    Cells {
        at: Pt,
        u: Pt,
        v: Pt,
        cols: usize,
        rows: usize,
        paints: Vec<Paint>,
    },
    /// The dimming veil over a rectangle.
    Veil {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
    },
}

/// A figure: its size and its items in painting order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Display {
    pub width: f64,
    pub height: f64,
    pub items: Vec<Item>,
}

impl Display {
    pub fn new(width: f64, height: f64) -> Display {
        Display {
            width,
            height,
            items: Vec::new(),
        }
    }

    pub fn push(&mut self, item: Item) {
        self.items.push(item);
    }

    pub fn fill(&mut self, shape: Shape, paint: Paint) {
        self.push(Item::Fill {
            shape,
            paint,
            hatch: false,
            cell: false,
        });
    }

    /// A cell of a map: its paint, hatched for padding and gaps.
    pub fn cell(&mut self, shape: Shape, paint: Paint, hatch: bool) {
        self.push(Item::Fill {
            shape,
            paint,
            hatch,
            cell: true,
        });
    }

    pub fn stroke(&mut self, shape: Shape, ink: Ink, width: f64) {
        self.push(Item::Stroke {
            shape,
            ink,
            width,
            dashed: false,
        });
    }

    pub fn line(&mut self, from: Pt, to: Pt, ink: Ink, width: f64) {
        self.push(Item::Line {
            from,
            to,
            ink,
            width,
        });
    }

    pub fn text(&mut self, at: Pt, text: impl Into<String>, size: f64, ink: Ink) {
        self.push(Item::Text {
            at,
            text: text.into(),
            size,
            ink,
            anchor: Anchor::Start,
            bold: false,
            max_width: None,
        });
    }

    /// A square cell map: `cols × rows` cells of side `cell` from `(x, y)`.
    pub fn cells(&mut self, at: Pt, cell: f64, cols: usize, rows: usize, paints: Vec<Paint>) {
        self.push(Item::Cells {
            at,
            u: [cell, 0.0],
            v: [0.0, cell],
            cols,
            rows,
            paints,
        });
    }

    /// The cells of the `rows × cols` cell map at `at` (columns along `u`, rows along `v`)
    /// where `is` holds, filled with `ink` and hatched, in a few regions ([`rects_where`]): a
    /// band of padding is one shape, not a shape a cell.
    pub fn hatch(
        &mut self,
        [at, u, v]: [Pt; 3],
        [rows, cols]: [usize; 2],
        is: impl Fn(usize, usize) -> bool,
        ink: Ink,
    ) {
        for region in rects_where(rows, cols, is) {
            self.push(Item::Fill {
                shape: region_shape(at, u, v, region),
                paint: Paint::Ink(ink),
                hatch: true,
                cell: false,
            });
        }
    }

    /// Text centred on `at`, condensed to `max_width`.
    pub fn centred(
        &mut self,
        at: Pt,
        text: impl Into<String>,
        size: f64,
        ink: Ink,
        max_width: f64,
    ) {
        self.push(Item::Text {
            at,
            text: text.into(),
            size,
            ink,
            anchor: Anchor::Centre,
            bold: false,
            max_width: Some(max_width),
        });
    }

    /// Every item of `other`, moved by `(dx, dy)`.
    pub fn append(&mut self, other: Display, dx: f64, dy: f64) {
        for item in other.items {
            self.items.push(item.moved(dx, dy));
        }
    }

    /// The cells drawn: one per filled cell shape, one per cell of a cell map.
    pub fn cell_count(&self) -> usize {
        self.items
            .iter()
            .map(|i| match i {
                Item::Fill { cell: true, .. } => 1,
                Item::Cells { cols, rows, .. } => cols * rows,
                _ => 0,
            })
            .sum()
    }
}

impl Shape {
    fn shift(&mut self, dx: f64, dy: f64) {
        match self {
            Shape::Rect { x, y, .. } => {
                *x += dx;
                *y += dy;
            }
            Shape::Poly(p) => p.iter_mut().for_each(|q| *q = [q[0] + dx, q[1] + dy]),
        }
    }
}

impl Item {
    fn moved(mut self, dx: f64, dy: f64) -> Item {
        let pt = |p: &mut Pt| *p = [p[0] + dx, p[1] + dy];
        match &mut self {
            Item::Fill { shape, .. } | Item::Stroke { shape, .. } => shape.shift(dx, dy),
            Item::Line { from, to, .. } => {
                pt(from);
                pt(to);
            }
            Item::Dot { at, .. } | Item::Text { at, .. } => pt(at),
            Item::Cells { at, .. } => pt(at),
            Item::Veil { x, y, .. } => {
                *x += dx;
                *y += dy;
            }
        }
        self
    }
}

/// Width of a line of text in CSS pixels at `px` font size, a little generous: wide (CJK)
/// characters a full em, others about 0.6 em. Layouts reserve this much room.
pub fn text_width(text: &str, px: f64) -> f64 {
    text.chars()
        .map(|c| if (c as u32) >= 0x2E80 { px } else { 0.62 * px })
        .sum::<f64>()
        + 2.0
}

/// `text` in lines of at most `width` at `px` (broken at spaces, or anywhere in text without
/// them, as Chinese), from `(x, y)` in `ink`; returns the height written.
pub fn paragraph(
    out: &mut Display,
    text: &str,
    at: [f64; 2],
    width: f64,
    px: f64,
    ink: Ink,
) -> f64 {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for ch in text.chars() {
        line.push(ch);
        if text_width(&line, px) > width {
            // At the last space, or before the last Chinese character (not inside a number).
            let cut = line
                .char_indices()
                .rev()
                .find(|&(i, c)| i > 0 && (c == ' ' || c as u32 >= 0x2E80))
                .map(|(i, c)| if c == ' ' { i + 1 } else { i })
                .filter(|&i| i < line.len());
            let rest = match cut {
                Some(i) => line.split_off(i),
                None => line.pop().map(String::from).unwrap_or_default(),
            };
            lines.push(line.trim_end().to_string());
            line = rest.trim_start().to_string();
        }
    }
    lines.push(line);
    let step = px * 1.4;
    for (i, l) in lines.iter().enumerate() {
        out.text([at[0], at[1] + px + i as f64 * step], l.clone(), px, ink);
    }
    lines.len() as f64 * step + 4.0
}

/// The longest of `choices` whose [`text_width`] fits `room`, if any.
pub fn fit(choices: &[String], px: f64, room: f64) -> Option<&str> {
    choices
        .iter()
        .find(|t| text_width(t, px) <= room)
        .map(String::as_str)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn svg_shape(shape: &Shape, attrs: &str) -> String {
    match shape {
        Shape::Rect { x, y, w, h } => {
            format!(
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {attrs}/>",
                F(*x, 1),
                F(*y, 1),
                F(*w, 1),
                F(*h, 1)
            )
        }
        Shape::Poly(p) => {
            let pts: Vec<String> = p
                .iter()
                .map(|q| format!("{},{}", F(q[0], 1), F(q[1], 1)))
                .collect();
            format!("<polygon points=\"{}\" {attrs}/>", pts.join(" "))
        }
    }
}

/// Cell `(r, c)` of a cell map: a rectangle when the map is axis-aligned, else a parallelogram.
pub fn cell_shape(at: Pt, u: Pt, v: Pt, r: usize, c: usize) -> Shape {
    region_shape(at, u, v, [r, c, 1, 1])
}

/// The `rows × cols` cells from row `r`, column `c` of the cell map at `at` (columns along `u`,
/// rows along `v`), as one shape.
pub fn region_shape(at: Pt, u: Pt, v: Pt, [r, c, rows, cols]: [usize; 4]) -> Shape {
    let o = [
        at[0] + c as f64 * u[0] + r as f64 * v[0],
        at[1] + c as f64 * u[1] + r as f64 * v[1],
    ];
    let (a, b) = (cols as f64, rows as f64);
    if u[1] == 0.0 && v[0] == 0.0 {
        Shape::rect(o[0], o[1], a * u[0], b * v[1])
    } else {
        let p = |a: f64, b: f64| [o[0] + a * u[0] + b * v[0], o[1] + a * u[1] + b * v[1]];
        Shape::Poly(vec![p(0.0, 0.0), p(a, 0.0), p(a, b), p(0.0, b)])
    }
}

/// The cells `(y, x)` of an `h × w` map where `is` holds, as rectangles `[y, x, rows, cols]`:
/// each row's runs, a run joined to the one above it when they span the same columns (a padded
/// map's padding is four rectangles, where it would be hundreds of cells).
pub fn rects_where(h: usize, w: usize, is: impl Fn(usize, usize) -> bool) -> Vec<[usize; 4]> {
    let mut done: Vec<[usize; 4]> = Vec::new();
    // Rectangles still growing: those that reached the row above.
    let mut open: Vec<[usize; 4]> = Vec::new();
    for y in 0..h {
        let mut runs = Vec::new();
        let mut x = 0;
        while x < w {
            if !is(y, x) {
                x += 1;
                continue;
            }
            let start = x;
            while x < w && is(y, x) {
                x += 1;
            }
            runs.push((start, x - start));
        }
        let mut next = Vec::new();
        for (x, cols) in runs {
            match open.iter().position(|r| r[1] == x && r[3] == cols) {
                Some(i) => {
                    let mut r = open.swap_remove(i);
                    r[2] += 1;
                    next.push(r);
                }
                None => next.push([y, x, 1, cols]),
            }
        }
        done.append(&mut open);
        open = next;
    }
    done.append(&mut open);
    done
}

/// One item as SVG elements.
fn svg_item(item: &Item, pal: &Palette) -> String {
    let css = |p: Paint| pal.paint(p).css();
    match item {
        Item::Fill {
            shape,
            paint,
            hatch,
            cell,
        } => {
            let class = if *cell { "class=\"c\" " } else { "" };
            let mut out = svg_shape(shape, &format!("{class}fill=\"{}\"", css(*paint)));
            if *hatch {
                out += &svg_shape(shape, "fill=\"url(#hatch)\"");
            }
            out
        }
        Item::Stroke {
            shape,
            ink,
            width,
            dashed,
        } => {
            let dash = if *dashed {
                " stroke-dasharray=\"4 3\""
            } else {
                ""
            };
            let colour = pal.ink(*ink).css();
            let attrs = format!(
                "fill=\"none\" stroke=\"{colour}\" stroke-width=\"{}\"{dash}",
                trimmed(*width, 2)
            );
            svg_shape(shape, &attrs)
        }
        Item::Line {
            from,
            to,
            ink,
            width,
        } => format!(
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/>",
            F(from[0], 1),
            F(from[1], 1),
            F(to[0], 1),
            F(to[1], 1),
            pal.ink(*ink).css(),
            trimmed(*width, 2)
        ),
        Item::Dot { at, r, ink } => format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\"/>",
            F(at[0], 1),
            F(at[1], 1),
            F(*r, 1),
            pal.ink(*ink).css()
        ),
        Item::Text { .. } => svg_text(item, pal),
        Item::Cells {
            at,
            u,
            v,
            cols,
            rows,
            paints,
        } => {
            let mut out = String::new();
            for r in 0..*rows {
                for c in 0..*cols {
                    let fill = css(paints[r * cols + c]);
                    let s = cell_shape(*at, *u, *v, r, c);
                    out += &svg_shape(&s, &format!("class=\"c\" fill=\"{fill}\""));
                }
            }
            out
        }
        Item::Veil { x, y, w, h } => svg_shape(
            &Shape::rect(*x, *y, *w, *h),
            &format!("fill=\"{}\"", pal.dim.css()),
        ),
    }
}

fn svg_text(item: &Item, pal: &Palette) -> String {
    let Item::Text {
        at,
        text,
        size,
        ink,
        anchor,
        bold,
        max_width,
    } = item
    else {
        return String::new();
    };
    let (anchor, baseline) = match anchor {
        Anchor::Start => ("start", "alphabetic"),
        Anchor::Centre => ("middle", "central"),
    };
    let weight = if *bold { " font-weight=\"600\"" } else { "" };
    let squeeze = match max_width {
        Some(m) if text_width(text, *size) > *m => {
            format!(
                " textLength=\"{}\" lengthAdjust=\"spacingAndGlyphs\"",
                F(*m, 1)
            )
        }
        _ => String::new(),
    };
    format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{anchor}\" dominant-baseline=\"{baseline}\" fill=\"{}\"{weight}{squeeze}>{}</text>",
        F(at[0], 1),
        F(at[1], 1),
        F(*size, 0),
        pal.ink(*ink).css(),
        escape(text)
    )
}

/// The display as a standalone SVG document. Cells are `class="c"` elements (one per cell), so
/// a reader of the file can count them.
pub fn svg(d: &Display, pal: &Palette) -> String {
    let mut body = String::new();
    for item in &d.items {
        body += &svg_item(item, pal);
        body.push('\n');
    }
    let (w, h) = (d.width.ceil() as u64, d.height.ceil() as u64);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"system-ui, sans-serif\">\n\
<defs><pattern id=\"hatch\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"4\" stroke=\"{}\" stroke-width=\"1\"/></pattern></defs>\n\
<rect width=\"100%\" height=\"100%\" fill=\"{}\"/>\n{body}</svg>\n",
        pal.hatch.css(),
        pal.background.css()
    )
}

/// An indexed frame: `width × height` entries of [`Palette::gif_table`].
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl Frame {
    fn set(&mut self, x: i64, y: i64, v: u8) {
        if x >= 0 && y >= 0 && (x as usize) < self.width && (y as usize) < self.height {
            self.pixels[y as usize * self.width + x as usize] = v;
        }
    }

    /// Every pixel whose centre lies in `shape` (scaled by `k`).
    fn cover(&mut self, shape: &Shape, k: f64, mut f: impl FnMut(&mut Frame, i64, i64)) {
        let [bx, by, bw, bh] = shape.bounds();
        let (x0, y0) = ((bx * k).floor() as i64, (by * k).floor() as i64);
        let (x1, y1) = (((bx + bw) * k).ceil() as i64, ((by + bh) * k).ceil() as i64);
        for y in y0.max(0)..y1.min(self.height as i64) {
            for x in x0.max(0)..x1.min(self.width as i64) {
                let p = [(x as f64 + 0.5) / k, (y as f64 + 0.5) / k];
                let inside = match shape {
                    Shape::Rect { x, y, w, h } => {
                        p[0] >= *x && p[0] < x + w && p[1] >= *y && p[1] < y + h
                    }
                    Shape::Poly(pts) => convex_contains(pts, p),
                };
                if inside {
                    f(self, x, y);
                }
            }
        }
    }

    fn line(&mut self, from: Pt, to: Pt, k: f64, width: f64, v: u8) {
        let (a, b) = ([from[0] * k, from[1] * k], [to[0] * k, to[1] * k]);
        let n = ((b[0] - a[0]).abs().max((b[1] - a[1]).abs()).ceil() as usize).max(1);
        let half = ((width * k) / 2.0).max(0.5);
        for i in 0..=n {
            let t = i as f64 / n as f64;
            let (cx, cy) = (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t);
            let r = half.ceil() as i64 - 1;
            for dy in -r..=r.max(0) {
                for dx in -r..=r.max(0) {
                    self.set(cx.floor() as i64 + dx, cy.floor() as i64 + dy, v);
                }
            }
        }
    }
}

/// Whether `p` lies inside the convex polygon `pts` (either winding).
fn convex_contains(pts: &[Pt], p: Pt) -> bool {
    let mut sign = 0.0f64;
    for i in 0..pts.len() {
        let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
        let cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
        if cross.abs() < 1e-12 {
            continue;
        }
        if sign == 0.0 {
            sign = cross.signum();
        } else if cross.signum() != sign {
            return false;
        }
    }
    pts.len() >= 3
}

/// The display at scale `k` as an indexed frame of [`Palette::gif_table`]: shapes, lines, dots,
/// hatching and veils as on the canvas; text is left out (a GIF has no fonts).
pub fn raster(d: &Display, k: f64) -> Frame {
    let (width, height) = (
        (d.width * k).ceil() as usize,
        (d.height * k).ceil() as usize,
    );
    let mut f = Frame {
        width,
        height,
        pixels: vec![Palette::index(Paint::Ink(Ink::Background)); width * height],
    };
    let hatch = Palette::index(Paint::Ink(Ink::Hatch));
    for item in &d.items {
        match item {
            Item::Fill {
                shape,
                paint,
                hatch: hatched,
                ..
            } => {
                let v = Palette::index(*paint);
                f.cover(shape, k, |f, x, y| {
                    let on_line = *hatched && (x + y).rem_euclid(4) == 0;
                    f.set(x, y, if on_line { hatch } else { v });
                });
            }
            Item::Stroke {
                shape, ink, width, ..
            } => {
                let v = Palette::index(Paint::Ink(*ink));
                let pts = match shape {
                    Shape::Rect { x, y, w, h } => {
                        vec![[*x, *y], [x + w, *y], [x + w, y + h], [*x, y + h]]
                    }
                    Shape::Poly(p) => p.clone(),
                };
                for i in 0..pts.len() {
                    f.line(pts[i], pts[(i + 1) % pts.len()], k, *width, v);
                }
            }
            Item::Line {
                from,
                to,
                ink,
                width,
            } => f.line(*from, *to, k, *width, Palette::index(Paint::Ink(*ink))),
            Item::Dot { at, r, ink } => {
                let s = Shape::rect(at[0] - r, at[1] - r, 2.0 * r, 2.0 * r);
                f.cover(&s, k, |f, x, y| {
                    f.set(x, y, Palette::index(Paint::Ink(*ink)))
                });
            }
            Item::Text { .. } => {}
            Item::Cells {
                at,
                u,
                v,
                cols,
                rows,
                paints,
            } => {
                let (n, m) = (*cols as f64, *rows as f64);
                let corners = [
                    *at,
                    [at[0] + n * u[0], at[1] + n * u[1]],
                    [at[0] + n * u[0] + m * v[0], at[1] + n * u[1] + m * v[1]],
                    [at[0] + m * v[0], at[1] + m * v[1]],
                ];
                let det = u[0] * v[1] - u[1] * v[0];
                if det.abs() < 1e-12 {
                    continue;
                }
                f.cover(&Shape::Poly(corners.to_vec()), k, |f, px, py| {
                    // The cell under the pixel's centre: solve p − at = a·u + b·v.
                    let (x, y) = ((px as f64 + 0.5) / k - at[0], (py as f64 + 0.5) / k - at[1]);
                    let a = (x * v[1] - y * v[0]) / det;
                    let b = (y * u[0] - x * u[1]) / det;
                    if a >= 0.0 && b >= 0.0 && a < n && b < m {
                        f.set(
                            px,
                            py,
                            Palette::index(paints[b as usize * cols + a as usize]),
                        );
                    }
                });
            }
            Item::Veil { x, y, w, h } => {
                f.cover(&Shape::rect(*x, *y, *w, *h), k, |f, px, py| {
                    let i = py as usize * f.width + px as usize;
                    f.pixels[i] = Palette::veiled(f.pixels[i]);
                });
            }
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::palette::LIGHT;

    fn sample() -> Display {
        let mut d = Display::new(40.0, 20.0);
        d.cell(Shape::rect(0.0, 0.0, 10.0, 10.0), Paint::Value(1.0), false);
        d.cell(
            Shape::Poly(vec![[10.0, 0.0], [20.0, 0.0], [25.0, 10.0], [15.0, 10.0]]),
            Paint::Ink(Ink::Padding),
            true,
        );
        d.cells([20.0, 10.0], 5.0, 2, 2, vec![Paint::Value(-1.0); 4]);
        // A skewed face, as a volume's top: one row of two cells.
        d.push(Item::Cells {
            at: [0.0, 20.0],
            u: [4.0, 0.0],
            v: [2.0, -2.0],
            cols: 2,
            rows: 1,
            paints: vec![Paint::Count(1.0); 2],
        });
        d.stroke(Shape::rect(1.0, 1.0, 8.0, 8.0), Ink::Focus, 2.0);
        d.text([0.0, 18.0], "a<b", 12.0, Ink::Text);
        d
    }

    #[test]
    fn svg_has_one_element_per_cell_and_escapes_text() {
        let d = sample();
        let s = svg(&d, &LIGHT);
        assert_eq!(d.cell_count(), 8);
        assert_eq!(s.matches("class=\"c\"").count(), 8);
        // The parallelogram (and its hatching) and the two skewed cells are polygons.
        assert_eq!(s.matches("<polygon").count(), 4);
        assert!(s.contains("a&lt;b"));
        assert!(s.contains("url(#hatch)"));
        assert!(s.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    }

    #[test]
    fn raster_paints_shapes_where_they_are() {
        let d = sample();
        let f = raster(&d, 1.0);
        assert_eq!((f.width, f.height), (40, 20));
        let at = |x: usize, y: usize| f.pixels[y * f.width + x];
        assert_eq!(at(5, 5), Palette::index(Paint::Value(1.0)));
        assert_eq!(
            at(1, 5),
            Palette::index(Paint::Ink(Ink::Focus)),
            "the frame"
        );
        assert_eq!(at(22, 12), Palette::index(Paint::Value(-1.0)));
        assert_eq!(at(35, 2), Palette::index(Paint::Ink(Ink::Background)));
        // The skewed face: its first cell runs from (0, 20) to (4, 20) and up to (2, 18)–(6, 18).
        assert_eq!(at(3, 19), Palette::index(Paint::Count(1.0)));
        // Inside the parallelogram: padding or its hatch.
        let p = at(17, 5);
        assert!(
            p == Palette::index(Paint::Ink(Ink::Padding))
                || p == Palette::index(Paint::Ink(Ink::Hatch))
        );
        let doubled = raster(&d, 2.0);
        assert_eq!((doubled.width, doubled.height), (80, 40));
    }

    #[test]
    fn moved_displays_keep_their_items() {
        let mut d = Display::new(100.0, 100.0);
        d.append(sample(), 50.0, 10.0);
        assert_eq!(d.items.len(), sample().items.len());
        match &d.items[0] {
            Item::Fill { shape, .. } => assert_eq!(shape.bounds(), [50.0, 10.0, 10.0, 10.0]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn labels_fit_their_room() {
        let choices = vec!["k12 · g1".to_string(), "k12".to_string(), "12".to_string()];
        assert_eq!(fit(&choices, 12.0, 100.0), Some("k12 · g1"));
        assert_eq!(fit(&choices, 12.0, 30.0), Some("k12"));
        assert_eq!(fit(&choices, 12.0, 5.0), None);
    }
}
