//! The figure: every stage conv-core returns and the kernels between them, laid out as a
//! pipeline (input → kernels → output) by [`crate::layout::plan`] in the space the page leaves
//! it, each block on its own canvas drawn after render through a node ref.

use std::rc::Rc;

use conv_core::{Cell, Forward, StageKind};
use yew::prelude::*;

use crate::channels::{self, GridLayout, LabelBox};
use crate::context::use_app;
use crate::display::Display;
use crate::dom;
use crate::draw;
use crate::fixed::{trimmed, Fixed as F};
use crate::i18n::{tr, trf, Lang};
use crate::layout::{self, CellRange, Placed};
use crate::palette::Palette;
use crate::pipeline::{self, stage_class, Part, Piece};
use crate::state::{Action, View};
use crate::trace::CellRef;
use crate::volume::{self, Front};

/// Cell sizes for a page: phones and frames draw smaller cells than desktops.
fn cell_range(embed: bool, narrow: bool) -> CellRange {
    match (embed, narrow) {
        (true, _) => CellRange {
            max: 26.0,
            min: 7.0,
            scroll: 7.0,
        },
        // A phone scrolls anyway: rather a longer figure than cells too small to touch.
        (false, true) => CellRange {
            max: 28.0,
            min: 12.0,
            scroll: 14.0,
        },
        (false, false) => CellRange {
            max: 34.0,
            min: 9.0,
            scroll: 12.0,
        },
    }
}

/// Cell sizes of the volume view: smaller than the channel view's, since a block shows every
/// channel at once and a whole layer should fit the first screen, on a phone too.
fn volume_range(embed: bool, narrow: bool) -> CellRange {
    let channel = cell_range(embed, narrow);
    CellRange {
        min: (channel.min * 0.5).floor(),
        scroll: (channel.scroll * 0.7).floor(),
        ..channel
    }
}

/// Room under the figure: the trace line, and on narrow pages the parameter drawer's bar.
fn reserve_below(embed: bool, narrow: bool) -> f64 {
    let trace = 30.0;
    match (embed, narrow) {
        // The folded "more" line follows the trace in a frame.
        (true, _) => trace + 30.0,
        (false, true) => trace + 56.0,
        (false, false) => trace,
    }
}

/// The space the figure has: its column's width, and the viewport's height below its top.
fn measure(el: &web_sys::HtmlElement, embed: bool) -> Option<(f64, f64)> {
    let win = dom::window().ok()?;
    let vw = win.inner_width().ok()?.as_f64()?;
    let vh = win.inner_height().ok()?.as_f64()?;
    let top = el.get_bounding_client_rect().top() + win.scroll_y().unwrap_or(0.0);
    let narrow = vw < 900.0;
    let w = el.client_width() as f64;
    let h = (vh - top - reserve_below(embed, narrow)).max(160.0);
    Some((w.max(120.0), h))
}

#[function_component(Figure)]
pub fn figure() -> Html {
    let host = use_node_ref();
    let ctx = use_app();
    let measured = use_state(|| None::<(f64, f64)>);
    // The measurement before the current one, and the window width it was taken at: a plan
    // that changes the page so that the next measurement returns to it (a scrollbar coming and
    // going) would otherwise never settle. A resized window starts afresh.
    let before = use_mut_ref(|| (None::<(f64, f64)>, 0.0f64));
    // The measurement the next check compares with (the latest render's), and whether a check
    // is queued.
    let latest = use_mut_ref(|| measured.clone());
    *latest.borrow_mut() = measured.clone();
    let queued = use_mut_ref(|| false);
    {
        let host = host.clone();
        let embed = ctx.as_ref().is_some_and(|c| c.state.embed);
        let window_w = ctx.as_ref().map_or(0.0, |c| c.width);
        // Measured after every render, in a task of its own (reading the figure's place makes
        // the browser lay the page out, which the input that caused the render should not wait
        // for); a change re-plans the figure. In a frame the height only grows: the host sizes
        // the frame to the reported content, and planning for that smaller frame again would
        // shrink the figure step by step.
        // The first measurement at once: the figure is not drawn for a guessed space.
        let first = measured.is_none();
        use_effect(move || {
            if std::mem::replace(&mut *queued.borrow_mut(), true) {
                return;
            }
            let check = move || {
                *queued.borrow_mut() = false;
                let Some(el) = host.cast::<web_sys::HtmlElement>() else {
                    return;
                };
                let Some((w, h)) = measure(&el, embed) else {
                    return;
                };
                let measured = latest.borrow().clone();
                let h = match *measured {
                    Some((_, old)) if embed => h.max(old),
                    _ => h,
                };
                let near = |a: Option<(f64, f64)>| {
                    a.is_some_and(|(ow, oh)| (w - ow).abs() < 1.0 && (h - oh).abs() < 1.0)
                };
                let (prev, at) = *before.borrow();
                let flip_back = near(prev) && at == window_w;
                if !near(*measured) && !flip_back {
                    *before.borrow_mut() = (*measured, window_w);
                    measured.set(Some((w, h)));
                }
            };
            if first {
                check();
            } else {
                dom::after(0, Box::new(check));
            }
        });
    }
    let space = measured.unwrap_or((ctx.as_ref().map_or(900.0, |c| c.width), 520.0));
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang();
    let pieces = use_memo((ctx.scene.clone(), lang), |(scene, lang)| match &*scene.0 {
        Ok(s) => pipeline::pipeline(s, *lang),
        Err(_) => Vec::new(),
    });
    let narrow = dom::window()
        .ok()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .is_some_and(|w| w < 900.0);
    let range = cell_range(ctx.state.embed, narrow);
    let view = ctx.state.view;
    // A large layer's maps follow from the worker; a quiet mark says so after a moment (CSS).
    let pending = ctx.computed.pending();
    let (body, fits, cell) = match view {
        View::Volume => (
            html! { <VolumeView pieces={pieces.clone()} space={[space.0.floor(), space.1.floor()]} range={volume_range(ctx.state.embed, narrow)} /> },
            true,
            String::new(),
        ),
        View::Channels => channel_rows(&pieces, space, range),
    };
    html! {
        <section class="figure" aria-label={tr(lang, "figure")} data-view={view.code()}
            data-computing={pending} aria-busy={pending.map(|_| "true")}>
            <div class={classes!("stages", (!fits).then_some("scrolls"))} ref={host} data-cell={cell} data-fits={fits.to_string()}>
                { body }
            </div>
            if pending.is_some() {
                <p class="computing" role="status">{ tr(lang, "computing") }</p>
            }
        </section>
    }
}

/// The channel view: the pipeline's blocks planned by [`layout::plan`], in rows with arrows;
/// also whether it fits and its cell size.
fn channel_rows(
    pieces: &Rc<Vec<Piece>>,
    space: (f64, f64),
    range: CellRange,
) -> (Html, bool, String) {
    let blocks: Vec<layout::Block> = pieces.iter().map(|p| p.block).collect();
    let plan = layout::plan(&blocks, space.0.floor(), space.1.floor(), range);
    let rows = plan.rows.iter().map(|r| {
        let cells = r.clone().map(|i| {
            let piece = pieces[i].clone();
            let placed = plan.blocks[i];
            let arrow = (i > r.start)
                .then(|| html! { <span class="arrow" aria-hidden="true">{ "→" }</span> });
            let view = match piece.part {
                Part::Stage(index, _) => html! {
                    <StageView key={format!("s{index}")} {index} {piece} {placed} />
                },
                Part::Kernels(conv) => html! {
                    <KernelView key={format!("k{conv}")} index={conv} {piece} {placed} />
                },
            };
            html! { <>{ for arrow }{ view }</> }
        });
        html! { <div class="pipeline-row">{ for cells }</div> }
    });
    (
        html! { <>{ for rows }</> },
        plan.fits,
        trimmed(plan.cell, 3),
    )
}

#[derive(Properties, PartialEq)]
struct BlockProps {
    index: usize,
    piece: Piece,
    placed: Placed,
}

/// Paint `display` on `el` for the page's pixel ratio, the canvas sized in steps up to `limit`
/// (width, height: see [`draw::stepped`]; `[0.0; 2]`: the drawing's own size).
fn paint_on(el: &web_sys::HtmlCanvasElement, display: &Display, dark: bool, limit: [f64; 2]) {
    if let Ok(c2d) = dom::context_2d(el) {
        draw::prepare(
            el,
            &c2d,
            draw::stepped(display.width, limit[0]),
            draw::stepped(display.height, limit[1]),
            dom::device_pixel_ratio(),
        );
        draw::paint(&c2d, display, Palette::of(dark));
    }
}

/// Bumps the canvas's draw counter (for the latency benchmark and the tests).
fn count_draw(el: &web_sys::HtmlCanvasElement) {
    let drawn = el
        .get_attribute("data-drawn")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let _ = el.set_attribute("data-drawn", &(drawn + 1).to_string());
}

/// A rectangle `[x, y, w, h]` as the test hooks write it: `x,y,w,h` to a tenth of a pixel.
fn box_text(b: &[f64; 4]) -> String {
    format!(
        "{},{},{},{}",
        F(b[0], 1),
        F(b[1], 1),
        F(b[2], 1),
        F(b[3], 1)
    )
}

/// Label boxes and map geometry on the canvas, for tests and tools that point at cells.
fn record(el: &web_sys::HtmlCanvasElement, l: &GridLayout, labels: &[LabelBox]) {
    let boxes = labels.iter().map(box_text).collect::<Vec<_>>().join(";");
    let (ox, oy) = l.origin(0);
    for (name, v) in [
        ("data-cell", trimmed(l.cell, 3)),
        ("data-cols", l.cols.to_string()),
        ("data-shown", l.shown.to_string()),
        ("data-map-w", trimmed(l.map_w, 3)),
        ("data-map-h", trimmed(l.map_h, 3)),
        (
            "data-origin",
            format!("{},{}", trimmed(ox, 3), trimmed(oy, 3)),
        ),
        (
            "data-pitch",
            format!(
                "{},{}",
                trimmed(l.map_w + layout::MAP_GAP, 3),
                trimmed(l.map_h + layout::LABEL_H + layout::MAP_GAP, 3)
            ),
        ),
        ("data-labels", boxes),
    ] {
        let _ = el.set_attribute(name, &v);
    }
    count_draw(el);
}

/// Hover traces, a click pins: the callbacks of a canvas whose cells `hit` finds.
struct Pointer {
    onmousemove: Callback<MouseEvent>,
    onmouseleave: Callback<MouseEvent>,
    onclick: Callback<MouseEvent>,
}

/// Finds the cell under the pointer.
type Hit = Rc<dyn Fn(&MouseEvent) -> Option<CellRef>>;

fn pointer(ctx: &crate::context::AppContext, hit: Hit) -> Pointer {
    let onmousemove = {
        let frame = ctx.frame.clone();
        let current = ctx.state.trace;
        let hit = hit.clone();
        Callback::from(move |e: MouseEvent| {
            let cell = hit(&e);
            if cell != current {
                frame.send(Action::Hover(cell));
            }
        })
    };
    let onmouseleave = {
        let frame = ctx.frame.clone();
        Callback::from(move |_: MouseEvent| frame.send(Action::Hover(None)))
    };
    let onclick = {
        let d = ctx.dispatch.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(cell) = hit(&e) {
                d.emit(Action::Pin(cell));
            }
        })
    };
    Pointer {
        onmousemove,
        onmouseleave,
        onclick,
    }
}

#[function_component(StageView)]
fn stage_view(p: &BlockProps) -> Html {
    let canvas = use_node_ref();
    let ctx = use_app();
    let Some(ctx) = ctx else { return html! {} };
    let lang = ctx.lang();
    let piece = &p.piece;
    let layout = GridLayout::from_plan(&piece.block, &p.placed);
    let marks = ctx.trace.marks_on(p.index);
    {
        let canvas = canvas.clone();
        let index = p.index;
        // Drawn again when what it shows changes, not with every new scene (the input of a
        // scene the worker answers, or of a layer with more output channels, is the same).
        let scene = ctx.scene.clone();
        let drawn = *use_memo(
            (scene.clone(), index, layout.shown),
            |(scene, index, shown)| {
                let stage = scene.0.as_ref().as_ref().ok()?.forward.stages.get(*index)?;
                Some(channels::fingerprint(stage, *shown))
            },
        );
        use_effect_with(
            (drawn, layout, ctx.dark, marks),
            move |(_, l, dark, marks)| {
                let (Ok(s), Some(el)) = (&*scene.0, canvas.cast::<web_sys::HtmlCanvasElement>())
                else {
                    return;
                };
                if let Some(stage) = s.forward.stages.get(index) {
                    let (display, labels) = channels::stage(stage, l, marks);
                    paint_on(&el, &display, *dark, [0.0; 2]);
                    record(&el, l, &labels);
                }
            },
        );
    }
    let index = p.index;
    let hit = Rc::new(move |e: &MouseEvent| -> Option<CellRef> {
        let (x, y) = (e.offset_x() as f64, e.offset_y() as f64);
        (0..layout.shown).find_map(|ch| {
            let (ox, oy) = layout.origin(ch);
            let inside = x >= ox && y >= oy && x < ox + layout.map_w && y < oy + layout.map_h;
            inside.then(|| CellRef {
                stage: index,
                channel: ch,
                y: ((y - oy) / layout.cell) as usize,
                x: ((x - ox) / layout.cell) as usize,
            })
        })
    });
    let Pointer {
        onmousemove,
        onmouseleave,
        onclick,
    } = pointer(&ctx, hit);
    let class = match piece.part {
        Part::Stage(_, kind) => stage_class(kind),
        Part::Kernels(_) => stage_class(StageKind::Input),
    };
    html! {
        <figure class={classes!("stage", format!("stage-{class}"))} data-stage={class}>
            { caption(piece) }
            <canvas ref={canvas} role="img" aria-label={piece.summary.clone()} data-stage-canvas={p.index.to_string()}
                {onmousemove} {onmouseleave} {onclick} />
            { more_line(lang, piece.more) }
        </figure>
    }
}

/// A block's caption: its title and its shape, one line each.
fn caption(piece: &Piece) -> Html {
    html! {
        <figcaption><span class="title">{ piece.title.clone() }</span><span class="shape">{ piece.shape.clone() }</span></figcaption>
    }
}

/// "+N more channels not drawn", when there are any.
fn more_line(lang: Lang, more: usize) -> Html {
    if more == 0 {
        return html! {};
    }
    html! { <p class="more">{ trf(lang, "channels.more", &[("n", more.to_string())]) }</p> }
}

/// The kernels of convolution `index`.
#[function_component(KernelView)]
fn kernel_view(p: &BlockProps) -> Html {
    let canvas = use_node_ref();
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    let active = ctx
        .trace
        .kernel
        .filter(|(c, _)| *c == p.index)
        .map(|(_, k)| k);
    let layout = GridLayout::from_plan(&p.piece.block, &p.placed);
    {
        let canvas = canvas.clone();
        let conv = p.index;
        // Drawn again when the scene's weights change (they follow the spec, the preset and the
        // seed), not with every new scene (a scene the worker answers has the same kernels). The
        // scene's own: a large layer's may be the one before the state's for a task.
        let scene = ctx.scene.clone();
        let drawn = match &*scene.0 {
            Ok(s) => Some(s.weights_key.clone()),
            Err(_) => None,
        };
        use_effect_with(
            (drawn, layout, ctx.dark, active),
            move |(_, l, dark, active)| {
                let (Ok(s), Some(el)) = (&*scene.0, canvas.cast::<web_sys::HtmlCanvasElement>())
                else {
                    return;
                };
                if let Some(set) = s.kernel_set(conv) {
                    let (display, labels) = channels::kernels(set, l, *active);
                    paint_on(&el, &display, *dark, [0.0; 2]);
                    record(&el, l, &labels);
                }
            },
        );
    }
    let piece = &p.piece;
    html! {
        <figure class="kernels" data-kernels={p.index.to_string()}>
            { caption(piece) }
            <canvas ref={canvas} role="img" aria-label={piece.summary.clone()} />
            { more_line(lang, piece.more) }
        </figure>
    }
}

#[derive(Properties, PartialEq)]
struct VolumeProps {
    pieces: Rc<Vec<Piece>>,
    space: [f64; 2],
    range: CellRange,
}

/// The test hooks of the volume view: the active box's channels, output cell and bounding
/// rectangle (`docs/CONVENTIONS.md`), the cells drawn, the cell size.
fn record_volume(el: &web_sys::HtmlCanvasElement, f: &volume::VolumeFigure) {
    // Each front face: stage, top-left, cell size, rows and columns.
    let fronts = f
        .fronts
        .iter()
        .map(|fr| {
            format!(
                "{},{},{},{},{},{}",
                fr.stage,
                F(fr.at[0], 1),
                F(fr.at[1], 1),
                trimmed(fr.cell, 3),
                fr.h,
                fr.w
            )
        })
        .collect::<Vec<_>>()
        .join(";");
    let (channels, output, bbox) = match &f.active {
        Some((a, b)) => (
            format!("{}-{}", a.channels[0], a.channels[1]),
            format!("{},{},{}", a.output.channel, a.output.y, a.output.x),
            box_text(b),
        ),
        None => Default::default(),
    };
    for (name, v) in [
        ("data-active-channels", channels),
        ("data-active-output", output),
        ("data-active-box", bbox),
        ("data-cells", f.display.cell_count().to_string()),
        ("data-fronts", fronts),
        ("data-cell", trimmed(f.cell, 3)),
        ("data-fits", f.fits.to_string()),
    ] {
        if v.is_empty() {
            let _ = el.remove_attribute(name);
        } else {
            let _ = el.set_attribute(name, &v);
        }
    }
    count_draw(el);
}

/// The whole computation on one canvas, as volumes ([`volume::figure`]).
#[function_component(VolumeView)]
fn volume_view(p: &VolumeProps) -> Html {
    let canvas = use_node_ref();
    let fronts = use_mut_ref(Vec::<Front>::new);
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    {
        let canvas = canvas.clone();
        let fronts = fronts.clone();
        let marks = ctx.trace.marks.clone();
        use_effect_with(
            (
                ctx.scene.clone(),
                p.pieces.clone(),
                p.space,
                p.range,
                ctx.dark,
                ctx.active,
                marks,
            ),
            move |(scene, pieces, space, range, dark, active, marks)| {
                let (Ok(s), Some(el)) = (&*scene.0, canvas.cast::<web_sys::HtmlCanvasElement>())
                else {
                    return;
                };
                let f = volume::figure(s, pieces, *space, *range, *active, marks);
                // The volume changes size with every slider step: its canvas in steps, within
                // the figure's width.
                paint_on(&el, &f.display, *dark, [space[0], f64::INFINITY]);
                record_volume(&el, &f);
                *fronts.borrow_mut() = f.fronts;
            },
        );
    }
    let hit = Rc::new(move |e: &MouseEvent| -> Option<CellRef> {
        let (x, y) = (e.offset_x() as f64, e.offset_y() as f64);
        fronts.borrow().iter().find_map(|f| f.hit(x, y))
    });
    let Pointer {
        onmousemove,
        onmouseleave,
        onclick,
    } = pointer(&ctx, hit);
    let summary = p
        .pieces
        .iter()
        .map(|piece| piece.summary.clone())
        .collect::<Vec<_>>()
        .join("; ");
    html! {
        <figure class="volume" data-view="volume">
            <canvas ref={canvas} role="img" aria-label={format!("{}: {summary}", tr(lang, "view.volume"))} data-volume="1"
                {onmousemove} {onmouseleave} {onclick} />
        </figure>
    }
}

/// What the figure contains, for a legend that lists only that.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Kinds {
    pub padding: bool,
    pub inserted: bool,
    pub copied: bool,
    pub shuffled: bool,
    pub gaps: bool,
}

pub fn kinds(fwd: &Forward) -> Kinds {
    let mut k = Kinds::default();
    for stage in &fwd.stages {
        for c in stage.cells.iter() {
            match c {
                Cell::Padding => k.padding = true,
                Cell::Inserted => k.inserted = true,
                Cell::Copied { .. } => k.copied = true,
                Cell::Shuffled { .. } => k.shuffled = true,
                Cell::Data { .. } | Cell::Interpolated { .. } => {}
            }
        }
    }
    k.gaps = fwd.convs.iter().any(|v| v.dilation > 1);
    k
}

/// The colour scale and the cell kinds the current figure contains, as text with swatches.
#[function_component(Legend)]
pub fn legend() -> Html {
    let ctx = use_app();
    // Every cell of every stage is read: once per scene, not on every hover.
    let k = use_memo(ctx.as_ref().map(|c| c.scene.clone()), |scene| {
        scene
            .as_ref()
            .and_then(|s| s.0.as_ref().as_ref().ok())
            .map(|s| kinds(&s.forward))
            .unwrap_or_default()
    });
    // The colour scale and the swatches from the palette (the stylesheet holds no copy of
    // it): the map as the scale's background, the theme's cell colours as custom properties.
    let root = use_node_ref();
    {
        let root = root.clone();
        let dark = ctx.as_ref().is_some_and(|c| c.dark);
        use_effect_with(dark, move |dark| {
            let Some(el) = root.cast::<web_sys::HtmlElement>() else {
                return;
            };
            let pal = Palette::of(*dark);
            let style = el.style();
            let _ = style.set_property("--value-scale", &crate::palette::value_gradient_css());
            for (name, colour) in [
                ("--cell-padding", pal.padding),
                ("--cell-hatch", pal.hatch),
                ("--cell-inserted", pal.inserted),
                ("--cell-copied", pal.copied),
                ("--cell-group1", pal.ink(crate::palette::Ink::Group(1))),
                ("--cell-value", pal.paint(crate::palette::Paint::Value(0.5))),
            ] {
                let _ = style.set_property(name, &colour.css());
            }
        });
    }
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang();
    let swatch = |class: &'static str, key: &'static str| {
        html! { <span class="legend-item" data-legend={key}><span class={classes!("swatch", class)} aria-hidden="true"></span>{ tr(lang, key) }</span> }
    };
    html! {
        <div class="legend" role="group" aria-label={tr(lang, "legend")} ref={root}>
            <span class="legend-item"><span>{ tr(lang, "legend.negative") }</span><span class="scale" aria-hidden="true"></span><span>{ tr(lang, "legend.positive") }</span></span>
            if k.padding { { swatch("swatch-padding", "legend.padding") } }
            if k.inserted { { swatch("swatch-inserted", "legend.inserted") } }
            if k.copied { { swatch("swatch-copied", "legend.copied") } }
            if k.shuffled { { swatch("swatch-shuffled", "legend.shuffled") } }
            if k.gaps { { swatch("swatch-gap", "legend.gap") } }
        </div>
    }
}
