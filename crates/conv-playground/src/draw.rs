//! The canvas output of a [`Display`]: sizes a canvas for the device's pixel ratio and paints the
//! items with the theme's colours. The drawing itself is built (and tested) in `channels.rs`
//! and `volume.rs`; this is the only place that talks to a 2-D context.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::CanvasRenderingContext2d;

use crate::display::{Anchor, Display, Item, Shape};
use crate::fixed::Fixed;
use crate::palette::Palette;

/// Size the canvas (CSS pixels) and its backing store (device pixels, for crisp drawing) and reset
/// the transform so drawing uses CSS pixels.
pub fn prepare(
    canvas: &web_sys::HtmlCanvasElement,
    ctx: &CanvasRenderingContext2d,
    width: f64,
    height: f64,
    dpr: f64,
) {
    // A canvas given its own size again would drop its pixels and memory all the same.
    let (w, h) = (
        (width * dpr).ceil().max(1.0) as u32,
        (height * dpr).ceil().max(1.0) as u32,
    );
    if canvas.width() != w {
        canvas.set_width(w);
    }
    if canvas.height() != h {
        canvas.set_height(h);
    }
    // The CSS size through the CSSOM (a style attribute would need 'unsafe-inline').
    let style = canvas.style();
    let _ = style.set_property("width", &format!("{}px", Fixed(width, 0)));
    let _ = style.set_property("height", &format!("{}px", Fixed(height, 0)));
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, width, height);
}

/// The steps in which [`stepped`] sizes a canvas, in CSS pixels.
pub const SIZE_STEP: f64 = 16.0;

/// A canvas size for a drawing `size` long that changes only in steps of [`SIZE_STEP`], never
/// past `limit` unless the drawing is: a canvas given a new size drops its pixels and allocates
/// new ones (at the largest layer's volume, 725 × 2870 pixels, about 7 ms of the page's thread),
/// which a slider step that changes the drawing by a few pixels should not cost. What the canvas
/// holds past the drawing is transparent.
pub fn stepped(size: f64, limit: f64) -> f64 {
    ((size / SIZE_STEP).ceil() * SIZE_STEP).min(limit.max(size))
}

fn path(ctx: &CanvasRenderingContext2d, shape: &Shape) {
    ctx.begin_path();
    match shape {
        Shape::Rect { x, y, w, h } => ctx.rect(*x, *y, *w, *h),
        Shape::Poly(p) => {
            for (i, q) in p.iter().enumerate() {
                if i == 0 {
                    ctx.move_to(q[0], q[1]);
                } else {
                    ctx.line_to(q[0], q[1]);
                }
            }
            ctx.close_path();
        }
    }
}

/// Diagonal lines over `shape`, clipped to it.
fn hatch(ctx: &CanvasRenderingContext2d, shape: &Shape, colour: &str) {
    let [x, y, w, h] = shape.bounds();
    ctx.save();
    path(ctx, shape);
    ctx.clip();
    ctx.set_stroke_style_str(colour);
    ctx.set_line_width(1.0);
    ctx.begin_path();
    let s = w.max(h);
    // One spacing for every shape, as the exports' hatch pattern has: a band of padding hatched
    // as one shape looks as its cells would.
    let step = 5.0;
    let mut d = -s;
    while d < s {
        ctx.move_to(x + d, y + s);
        ctx.line_to(x + d + s, y);
        d += step;
    }
    ctx.stroke();
    ctx.restore();
}

/// Paint `display` with the colours of `pal`; a run of lines of one ink and width (a map's
/// grid) in one path.
// One copy for every view that paints (inlined into each, the page's module grows).
#[inline(never)]
pub fn paint(ctx: &CanvasRenderingContext2d, display: &Display, pal: &Palette) {
    let atlas = atlas(display, pal).ok();
    let mut places = atlas.iter().flat_map(|a| a.1.iter());
    let mut items = display.items.iter().peekable();
    while let Some(item) = items.next() {
        if let Item::Cells {
            at,
            u,
            v,
            cols,
            rows,
            ..
        } = item
        {
            if let (Some((image, _)), Some(place)) = (&atlas, places.next()) {
                let _ = cells(ctx, image, [*at, *u, *v], [*cols, *rows], *place);
            }
            continue;
        }
        let Item::Line { ink, width, .. } = item else {
            paint_item(ctx, item, pal);
            continue;
        };
        ctx.set_stroke_style_str(&pal.ink(*ink).css());
        ctx.set_line_width(*width);
        let _ = ctx.set_line_dash(&js_sys::Array::new());
        ctx.begin_path();
        let mut line = item;
        loop {
            if let Item::Line { from, to, .. } = line {
                ctx.move_to(from[0], from[1]);
                ctx.line_to(to[0], to[1]);
            }
            match items.next_if(|next| matches!(next, Item::Line { ink: k, width: w, .. } if k == ink && w == width)) {
                Some(next) => line = next,
                None => break,
            }
        }
        ctx.stroke();
    }
}

fn paint_item(ctx: &CanvasRenderingContext2d, item: &Item, pal: &Palette) {
    match item {
        Item::Fill {
            shape,
            paint,
            hatch: hatched,
            ..
        } => {
            ctx.set_fill_style_str(&pal.paint(*paint).css());
            match shape {
                Shape::Rect { x, y, w, h } => ctx.fill_rect(*x, *y, *w, *h),
                Shape::Poly(_) => {
                    path(ctx, shape);
                    ctx.fill();
                }
            }
            if *hatched {
                hatch(ctx, shape, &pal.hatch.css());
            }
        }
        Item::Stroke {
            shape,
            ink,
            width,
            dashed,
        } => {
            ctx.set_stroke_style_str(&pal.ink(*ink).css());
            ctx.set_line_width(*width);
            let dash = if *dashed {
                js_sys::Array::of2(&4.0.into(), &3.0.into())
            } else {
                js_sys::Array::new()
            };
            let _ = ctx.set_line_dash(&dash);
            path(ctx, shape);
            ctx.stroke();
        }
        // Drawn by `paint`, in runs.
        Item::Line { .. } => {}
        Item::Dot { at, r, ink } => {
            ctx.set_fill_style_str(&pal.ink(*ink).css());
            ctx.begin_path();
            let _ = ctx.arc(at[0], at[1], *r, 0.0, std::f64::consts::TAU);
            ctx.fill();
        }
        Item::Text { .. } => text(ctx, item, pal),
        // Drawn by `paint`, from its atlas.
        Item::Cells { .. } => {}
        Item::Veil { x, y, w, h } => {
            ctx.set_fill_style_str(&pal.dim.css());
            ctx.fill_rect(*x, *y, *w, *h);
        }
    }
}

fn text(ctx: &CanvasRenderingContext2d, item: &Item, pal: &Palette) {
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
        return;
    };
    ctx.set_fill_style_str(&pal.ink(*ink).css());
    let weight = if *bold { "600 " } else { "" };
    ctx.set_font(&format!(
        "{weight}{}px system-ui, sans-serif",
        Fixed(*size, 0)
    ));
    let (align, baseline) = match anchor {
        Anchor::Start => ("start", "alphabetic"),
        Anchor::Centre => ("center", "middle"),
    };
    ctx.set_text_align(align);
    ctx.set_text_baseline(baseline);
    let _ = match max_width {
        Some(m) => ctx.fill_text_with_max_width(text, at[0], at[1], *m),
        None => ctx.fill_text(text, at[0], at[1]),
    };
}

/// The widest the atlas of cell maps grows before it starts a new shelf.
const ATLAS_W: usize = 2048;

/// Every cell map of `display` as one image, one pixel per cell (one transfer to the canvas for
/// all of them), on the scratch canvas; and where each map is on it, in order. The maps go left
/// to right on shelves [`ATLAS_W`] wide.
fn atlas(
    display: &Display,
    pal: &Palette,
) -> Result<(web_sys::HtmlCanvasElement, Vec<[f64; 2]>), JsValue> {
    let maps: Vec<_> = display
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Cells {
                cols, rows, paints, ..
            } => Some((*cols, *rows, paints)),
            _ => None,
        })
        .collect();
    // Shelves: each map's place, and the atlas's size.
    let (mut places, mut x, mut y, mut shelf, mut width) = (Vec::new(), 0, 0, 0, 0);
    for &(cols, rows, _) in &maps {
        if x > 0 && x + cols > ATLAS_W {
            (x, y, shelf) = (0, y + shelf, 0);
        }
        places.push([x, y]);
        (x, shelf, width) = (x + cols, shelf.max(rows), width.max(x + cols));
    }
    let height = y + shelf;
    if width == 0 || height == 0 {
        return Err(JsValue::NULL);
    }
    let mut buf = vec![255u8; width * height * 4];
    for (&(cols, rows, paints), [px, py]) in maps.iter().zip(&places) {
        for (i, p) in paints.iter().enumerate().take(cols * rows) {
            let c = pal.paint(*p);
            let at = ((py + i / cols) * width + px + i % cols) * 4;
            buf[at..at + 3].copy_from_slice(&[c.0, c.1, c.2]);
        }
    }
    let image = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
        wasm_bindgen::Clamped(&buf),
        width as u32,
        height as u32,
    )?;
    let sctx = scratch(width as u32, height as u32)?;
    sctx.put_image_data(&image, 0.0, 0.0)?;
    let places = places.iter().map(|p| [p[0] as f64, p[1] as f64]).collect();
    Ok((sctx.canvas().ok_or(JsValue::NULL)?, places))
}

/// The cell map at `place` of `atlas` (`cols × rows` pixels), drawn through the map's affine
/// frame (`[at, u, v]`) without smoothing, so square maps and skewed faces alike stay crisp.
fn cells(
    ctx: &CanvasRenderingContext2d,
    atlas: &web_sys::HtmlCanvasElement,
    frame: [[f64; 2]; 3],
    [cols, rows]: [usize; 2],
    [sx, sy]: [f64; 2],
) -> Result<(), JsValue> {
    let [at, u, v] = frame;
    let (c, r) = (cols as f64, rows as f64);
    ctx.save();
    ctx.set_image_smoothing_enabled(false);
    ctx.transform(u[0], u[1], v[0], v[1], at[0], at[1])?;
    let drawn = ctx.draw_image_with_html_canvas_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
        atlas, sx, sy, c, r, 0.0, 0.0, c, r,
    );
    ctx.restore();
    drawn
}

thread_local! {
    /// The canvas maps are put on before they are drawn scaled: one for the page, made once
    /// (making a canvas and its context costs more than drawing a small map).
    static SCRATCH: std::cell::RefCell<Option<CanvasRenderingContext2d>> = const { std::cell::RefCell::new(None) };
}

/// The scratch canvas's context, its canvas at least `w × h` pixels (what lies beyond is not
/// drawn from).
fn scratch(w: u32, h: u32) -> Result<CanvasRenderingContext2d, JsValue> {
    SCRATCH.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            let doc = web_sys::window()
                .and_then(|w| w.document())
                .ok_or(JsValue::NULL)?;
            let canvas: web_sys::HtmlCanvasElement = doc.create_element("canvas")?.dyn_into()?;
            *slot = Some(crate::dom::context_2d(&canvas).map_err(|e| JsValue::from_str(&e))?);
        }
        let ctx = slot.clone().ok_or(JsValue::NULL)?;
        let canvas = ctx.canvas().ok_or(JsValue::NULL)?;
        if canvas.width() < w || canvas.height() < h {
            canvas.set_width(canvas.width().max(w));
            canvas.set_height(canvas.height().max(h));
        }
        Ok(ctx)
    })
}

/// An SVG document (the export worker's, `gif_job.rs`) as PNG bytes, drawn at `scale` device
/// pixels per CSS pixel: through an image and a canvas of its own, so the page needs no
/// second writer of its figure.
///
/// **Errors** when the browser cannot decode the image or make or encode the canvas.
pub async fn svg_png(svg: &[u8], scale: f64) -> Result<Vec<u8>, String> {
    let fail = |_| "could not encode".to_string();
    let url = crate::dom::object_url(svg, "image/svg+xml")?;
    let img = web_sys::HtmlImageElement::new().map_err(fail)?;
    img.set_src(&url);
    let decoded = wasm_bindgen_futures::JsFuture::from(img.decode()).await;
    let _ = web_sys::Url::revoke_object_url(&url);
    decoded.map_err(fail)?;
    let (w, h) = (img.natural_width() as f64, img.natural_height() as f64);
    let doc = crate::dom::window()?.document().ok_or("no document")?;
    let out: web_sys::HtmlCanvasElement = doc
        .create_element("canvas")
        .ok()
        .and_then(|e| e.dyn_into().ok())
        .ok_or("no canvas")?;
    out.set_width((w * scale).ceil().max(1.0) as u32);
    out.set_height((h * scale).ceil().max(1.0) as u32);
    let ctx = crate::dom::context_2d(&out)?;
    ctx.draw_image_with_html_image_element_and_dw_and_dh(&img, 0.0, 0.0, w * scale, h * scale)
        .map_err(fail)?;
    let data_url = out.to_data_url_with_type("image/png").map_err(fail)?;
    let b64 = data_url
        .split_once(',')
        .map(|(_, b)| b)
        .ok_or("could not encode")?;
    let binary = crate::dom::window()?.atob(b64).map_err(fail)?;
    Ok(binary.chars().map(|c| c as u32 as u8).collect())
}

#[cfg(test)]
mod tests {
    use super::stepped;

    #[test]
    fn a_canvas_is_sized_in_steps_within_its_limit() {
        // The largest layer's volume at 63 and 64 output channels: one canvas size.
        assert_eq!(stepped(725.0, 939.0), 736.0);
        assert_eq!(stepped(729.0, 939.0), 736.0);
        assert_eq!(stepped(736.0, 939.0), 736.0);
        // Not past the limit, unless the drawing is.
        assert_eq!(stepped(930.0, 939.0), 939.0);
        assert_eq!(stepped(950.0, 939.0), 950.0);
        // No room: the drawing's own size.
        assert_eq!(stepped(317.5, 0.0), 317.5);
        assert_eq!(stepped(2870.0, f64::INFINITY), 2880.0);
    }
}
