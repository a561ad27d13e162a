//! The figure: every stage conv-core returns and the kernels between them, laid out as a
//! pipeline (input → kernels → output) by [`crate::layout::plan`] in the space the page leaves
//! it, each block on its own canvas drawn after render through a node ref.

use conv_core::{Cell, Forward, StageKind};
use ndarray::Array3;
use yew::prelude::*;

use crate::context::use_app;
use crate::dom;
use crate::draw::{self, GridLayout, LabelBox, Palette, DARK, LIGHT};
use crate::i18n::{tr, trf, Lang};
use crate::layout::{self, Block, CellRange, Placed};
use crate::scene::Scene;
use crate::state::Action;
use crate::trace::CellRef;

pub(crate) fn stage_key(kind: StageKind) -> &'static str {
    match kind {
        StageKind::Input => "stage.input",
        StageKind::Padded => "stage.padded",
        StageKind::ZeroInserted => "stage.zero-inserted",
        StageKind::Upsampled => "stage.upsampled",
        StageKind::Intermediate => "stage.intermediate",
        StageKind::Output => "stage.output",
    }
}

/// One block of the pipeline and its caption.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    Stage(usize, StageKind),
    Kernels(usize),
}

/// Width of a caption line in CSS pixels at `px` font size: wide (CJK) characters a full em,
/// others about 0.6 em; a little generous so that a caption never spills into its neighbour.
fn text_width(text: &str, px: f64) -> f64 {
    text.chars()
        .map(|c| if (c as u32) >= 0x2E80 { px } else { 0.62 * px })
        .sum::<f64>()
        + 6.0
}

fn kernel_title(lang: Lang, fwd: &Forward, conv: usize) -> String {
    let Some(view) = fwd.convs.get(conv) else {
        return String::new();
    };
    let key = if view.transposed {
        "kernels.transposed"
    } else {
        match view.role {
            conv_core::ConvRole::Depthwise => "kernels.depthwise",
            conv_core::ConvRole::Pointwise => "kernels.pointwise",
            conv_core::ConvRole::Main => "kernels",
        }
    };
    tr(lang, key).to_string()
}

/// `C_out × k×k×depth` of a convolution's kernels, as they are drawn.
fn kernel_shape(fwd: &Forward, conv: usize) -> Option<(usize, usize, usize, usize)> {
    let view = fwd.convs.get(conv)?;
    let (a, b, k, _) = view.weight.dim();
    // A transposed weight is shown per output channel as it stamps.
    let (count, depth) = if view.transposed {
        (b * view.groups, a / view.groups.max(1))
    } else {
        (a, b)
    };
    let extent = conv_core::shape::kernel_field(k, view.dilation).ok()?;
    Some((count, depth, k, extent))
}

/// One block of the pipeline with everything its view shows besides the maps.
#[derive(Debug, Clone, PartialEq)]
struct Piece {
    item: Item,
    title: String,
    /// `C×H×W` of a stage, `count × k×k×depth` of kernels.
    shape: String,
    /// The canvas's accessible description.
    summary: String,
    /// Maps not drawn (beyond [`layout::MAX_MAPS`]).
    more: usize,
    block: Block,
}

/// The pipeline's blocks in reading order: kernels right before the stage their convolution
/// writes.
fn pipeline(scene: &Scene, lang: Lang) -> Vec<Piece> {
    let fwd = &scene.forward;
    let mut items = Vec::new();
    let caption = |title: &str, shape: &str| text_width(title, 13.0).max(text_width(shape, 12.0));
    for (si, stage) in fwd.stages.iter().enumerate() {
        for (ci, _) in fwd
            .convs
            .iter()
            .enumerate()
            .filter(|(_, v)| v.output_stage == si)
        {
            if let Some((count, depth, k, extent)) = kernel_shape(fwd, ci) {
                let title = kernel_title(lang, fwd, ci);
                let shape = format!("{count} × {k}×{k}×{depth}");
                let block = Block::kernels(count, depth, extent, caption(&title, &shape));
                items.push(Piece {
                    item: Item::Kernels(ci),
                    summary: format!("{title}: {shape}"),
                    more: count.saturating_sub(block.maps),
                    title,
                    shape,
                    block,
                });
            }
        }
        let [c, h, w] = stage.shape();
        let title = tr(lang, stage_key(stage.kind)).to_string();
        let shape = format!("{c}×{h}×{w}");
        let block = Block::stage(c, h, w, caption(&title, &shape));
        let summary = trf(
            lang,
            "canvas.summary",
            &[
                ("stage", title.clone()),
                ("c", c.to_string()),
                ("h", h.to_string()),
                ("w", w.to_string()),
            ],
        );
        items.push(Piece {
            item: Item::Stage(si, stage.kind),
            summary,
            more: c.saturating_sub(block.maps),
            title,
            shape,
            block,
        });
    }
    items
}

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
    {
        let host = host.clone();
        let measured = measured.clone();
        let before = before.clone();
        let embed = ctx.as_ref().is_some_and(|c| c.state.embed);
        let window_w = ctx.as_ref().map_or(0.0, |c| c.width);
        // Measured after every render (cheap); a change re-plans the figure. In a frame the
        // height only grows: the host sizes the frame to the reported content, and planning for
        // that smaller frame again would shrink the figure step by step.
        use_effect(move || {
            if let Some(el) = host.cast::<web_sys::HtmlElement>() {
                if let Some((w, h)) = measure(&el, embed) {
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
                }
            }
        });
    }
    let space = measured.unwrap_or((ctx.as_ref().map_or(900.0, |c| c.width), 520.0));
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang();
    let items = use_memo((ctx.scene.clone(), lang), |(scene, lang)| match &*scene.0 {
        Ok(s) => pipeline(s, *lang),
        Err(_) => Vec::new(),
    });
    let narrow = dom::window()
        .ok()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .is_some_and(|w| w < 900.0);
    let range = cell_range(ctx.state.embed, narrow);
    let blocks: Vec<Block> = items.iter().map(|p| p.block).collect();
    let plan = use_memo(
        (blocks, space.0.floor(), space.1.floor(), range),
        |(blocks, w, h, range)| layout::plan(blocks, *w, *h, *range),
    );
    let rows = plan.rows.iter().map(|r| {
        let cells = r.clone().map(|i| {
            let piece = items[i].clone();
            let placed = plan.blocks[i];
            let arrow = (i > r.start)
                .then(|| html! { <span class="arrow" aria-hidden="true">{ "→" }</span> });
            let view = match piece.item {
                Item::Stage(index, _) => html! {
                    <StageView key={format!("s{index}")} {index} {piece} {placed} />
                },
                Item::Kernels(conv) => html! {
                    <KernelView key={format!("k{conv}")} {conv} {piece} {placed} />
                },
            };
            html! { <>{ for arrow }{ view }</> }
        });
        html! { <div class="pipeline-row">{ for cells }</div> }
    });
    html! {
        <section class="figure" aria-label={tr(lang, "figure")}>
            <div class={classes!("stages", (!plan.fits).then_some("scrolls"))} ref={host} data-cell={plan.cell.to_string()} data-fits={plan.fits.to_string()}>
                { for rows }
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct BlockProps {
    index: usize,
    piece: Piece,
    placed: Placed,
}

fn palette(dark: bool) -> Palette {
    if dark {
        DARK
    } else {
        LIGHT
    }
}

/// Label boxes and map geometry on the canvas, for tests and tools that point at cells.
fn record(el: &web_sys::HtmlCanvasElement, l: &GridLayout, labels: &[LabelBox]) {
    let boxes = labels
        .iter()
        .map(|b| format!("{:.1},{:.1},{:.1},{:.1}", b[0], b[1], b[2], b[3]))
        .collect::<Vec<_>>()
        .join(";");
    let (ox, oy) = l.origin(0);
    for (name, v) in [
        ("data-cell", l.cell.to_string()),
        ("data-cols", l.cols.to_string()),
        ("data-shown", l.shown.to_string()),
        ("data-map-w", l.map_w.to_string()),
        ("data-map-h", l.map_h.to_string()),
        ("data-origin", format!("{ox},{oy}")),
        (
            "data-pitch",
            format!(
                "{},{}",
                l.map_w + layout::MAP_GAP,
                l.map_h + layout::LABEL_H + layout::MAP_GAP
            ),
        ),
        ("data-labels", boxes),
    ] {
        let _ = el.set_attribute(name, &v);
    }
    // A draw counter, for the latency benchmark.
    let drawn = el
        .get_attribute("data-drawn")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let _ = el.set_attribute("data-drawn", &(drawn + 1).to_string());
}

#[function_component(StageView)]
fn stage_view(p: &BlockProps) -> Html {
    let canvas = use_node_ref();
    let ctx = use_app();
    let Some(ctx) = ctx else { return html! {} };
    let lang = ctx.lang();
    let scene = ctx.scene.clone();
    let piece = &p.piece;
    let layout = GridLayout::from_plan(&piece.block, &p.placed);
    let marks = ctx.trace.marks_on(p.index);
    {
        let canvas = canvas.clone();
        let index = p.index;
        use_effect_with(
            (scene, layout, ctx.dark, marks),
            move |(scene, l, dark, marks)| {
                let (Ok(s), Some(el)) = (&*scene.0, canvas.cast::<web_sys::HtmlCanvasElement>())
                else {
                    return;
                };
                let Some(stage) = s.forward.stages.get(index) else {
                    return;
                };
                if let Ok(c2d) = dom::context_2d(&el) {
                    draw::prepare(&el, &c2d, l.width, l.height, dom::device_pixel_ratio());
                    let labels = draw::draw_stage(&c2d, stage, l, &palette(*dark), marks);
                    record(&el, l, &labels);
                }
            },
        );
    }
    let hit = {
        let index = p.index;
        move |e: &MouseEvent| -> Option<CellRef> {
            let (x, y) = (e.offset_x() as f64, e.offset_y() as f64);
            (0..layout.shown).find_map(|ch| {
                let (ox, oy) = layout.origin(ch);
                (x >= ox && y >= oy && x < ox + layout.map_w && y < oy + layout.map_h).then(|| {
                    CellRef {
                        stage: index,
                        channel: ch,
                        y: ((y - oy) / layout.cell) as usize,
                        x: ((x - ox) / layout.cell) as usize,
                    }
                })
            })
        }
    };
    let onmousemove = {
        let frame = ctx.frame.clone();
        let current = ctx.state.trace;
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
    let kind = match piece.item {
        Item::Stage(_, kind) => kind,
        Item::Kernels(_) => StageKind::Input,
    };
    let class = stage_kind_class(kind);
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

fn stage_kind_class(kind: StageKind) -> &'static str {
    match kind {
        StageKind::Input => "input",
        StageKind::Padded => "padded",
        StageKind::ZeroInserted => "zero-inserted",
        StageKind::Upsampled => "upsampled",
        StageKind::Intermediate => "intermediate",
        StageKind::Output => "output",
    }
}

/// Kernels of convolution `conv` as `(count · depth, k, k)` slices in output-channel order, and
/// the group of each output channel.
fn kernel_slices(scene: &Scene, conv: usize) -> Option<(Array3<f32>, usize, Vec<usize>, usize)> {
    let fwd: &Forward = &scene.forward;
    let view = fwd.convs.get(conv)?;
    let original = &scene.weights.convs.get(view.weights)?.weight;
    // Conv layout (C_out, depth, k, k); a transposed weight (C_in, C_out/g, k, k) is shown per
    // output channel as it stamps.
    let w = if view.transposed {
        // In row-major order, or the reshape below refuses it (for more than one input channel).
        original
            .view()
            .permuted_axes([1, 0, 2, 3])
            .as_standard_layout()
            .into_owned()
    } else {
        original.clone()
    };
    let (co, depth, k, _) = w.dim();
    let slices = w.into_shape_with_order((co * depth, k, k)).ok()?;
    let groups = fwd.stages[view.output_stage].channel_groups.clone();
    Some((slices, depth, groups, view.dilation))
}

#[derive(Properties, PartialEq)]
struct KernelProps {
    conv: usize,
    piece: Piece,
    placed: Placed,
}

#[function_component(KernelView)]
fn kernel_view(p: &KernelProps) -> Html {
    let canvas = use_node_ref();
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    let scene = ctx.scene.clone();
    let active = ctx
        .trace
        .kernel
        .filter(|(c, _)| *c == p.conv)
        .map(|(_, k)| k);
    let layout = GridLayout::from_plan(&p.piece.block, &p.placed);
    {
        let canvas = canvas.clone();
        let conv = p.conv;
        use_effect_with(
            (scene, layout, ctx.dark, active),
            move |(scene, l, dark, active)| {
                let Ok(s) = &*scene.0 else { return };
                let Some(el) = canvas.cast::<web_sys::HtmlCanvasElement>() else {
                    return;
                };
                let Some((slices, depth, groups, dilation)) = kernel_slices(s, conv) else {
                    return;
                };
                let Ok(c2d) = dom::context_2d(&el) else {
                    return;
                };
                draw::prepare(&el, &c2d, l.width, l.height, dom::device_pixel_ratio());
                let group_of = move |i: usize| groups.get(i).copied().unwrap_or(0);
                let labels = draw::draw_kernels(
                    &c2d,
                    slices.view(),
                    depth,
                    &group_of,
                    dilation,
                    l,
                    &palette(*dark),
                    *active,
                );
                record(&el, l, &labels);
            },
        );
    }
    let piece = &p.piece;
    html! {
        <figure class="kernels" data-kernels={p.conv.to_string()}>
            { caption(piece) }
            <canvas ref={canvas} role="img" aria-label={piece.summary.clone()} />
            { more_line(lang, piece.more) }
        </figure>
    }
}

/// What the figure contains, for a legend that lists only that.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Kinds {
    pub padding: bool,
    pub inserted: bool,
    pub copied: bool,
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
                Cell::Data { .. } => {}
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
    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang();
    let swatch = |class: &'static str, key: &'static str| {
        html! { <span class="legend-item" data-legend={key}><span class={classes!("swatch", class)} aria-hidden="true"></span>{ tr(lang, key) }</span> }
    };
    html! {
        <div class="legend" role="group" aria-label={tr(lang, "legend")}>
            <span class="legend-item"><span>{ tr(lang, "legend.negative") }</span><span class="scale" aria-hidden="true"></span><span>{ tr(lang, "legend.positive") }</span></span>
            if k.padding { { swatch("swatch-padding", "legend.padding") } }
            if k.inserted { { swatch("swatch-inserted", "legend.inserted") } }
            if k.copied { { swatch("swatch-copied", "legend.copied") } }
            if k.gaps { { swatch("swatch-gap", "legend.gap") } }
        </div>
    }
}
