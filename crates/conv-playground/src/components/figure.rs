//! The figure: every stage conv-core returns, in order, each on its own canvas, with the kernels
//! between them and a legend. Canvases are drawn after render through node refs.

use conv_core::{Forward, StageKind};
use ndarray::{Array3, Axis};
use yew::prelude::*;

use super::use_app;
use crate::dom;
use crate::draw::{self, GridLayout, Palette, DARK, LIGHT, MAX_CHANNELS};
use crate::i18n::{tr, trf, Lang};
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

#[function_component(Figure)]
pub fn figure() -> Html {
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    let Ok(scene) = &*ctx.scene.0 else {
        return html! {};
    };
    let fwd = &scene.forward;
    let pal = if ctx.dark { DARK } else { LIGHT };
    let mut items = Vec::new();
    for (si, stage) in fwd.stages.iter().enumerate() {
        // Kernels go right before the stage their convolution writes.
        for (ci, _) in fwd
            .convs
            .iter()
            .enumerate()
            .filter(|(_, v)| v.output_stage == si)
        {
            items.push(html! { <KernelView key={format!("k{ci}")} conv={ci} /> });
        }
        let [c, h, w] = stage.shape();
        let title = tr(lang, stage_key(stage.kind));
        let summary = trf(
            lang,
            "canvas.summary",
            &[
                ("stage", title.to_string()),
                ("c", c.to_string()),
                ("h", h.to_string()),
                ("w", w.to_string()),
            ],
        );
        items.push(html! {
            <StageView key={format!("s{si}")} index={si} title={title} summary={summary} />
        });
    }
    let _ = pal;
    html! {
        <section class="figure" aria-label={tr(lang, "figure")}>
            if !ctx.state.embed {
                <Legend />
            }
            <div class="stages">{ for items }</div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct StageProps {
    index: usize,
    title: AttrValue,
    summary: AttrValue,
}

fn palette(dark: bool) -> Palette {
    if dark {
        DARK
    } else {
        LIGHT
    }
}

#[function_component(StageView)]
fn stage_view(p: &StageProps) -> Html {
    let canvas = use_node_ref();
    let layout = use_mut_ref(|| None::<GridLayout>);
    let ctx = use_app();
    let Some(ctx) = ctx else { return html! {} };
    let lang = ctx.lang();
    let scene = ctx.scene.clone();
    let (c, kind) = match &*scene.0 {
        Ok(s) => s
            .forward
            .stages
            .get(p.index)
            .map(|st| (st.shape()[0], st.kind))
            .unwrap_or((0, StageKind::Input)),
        Err(_) => (0, StageKind::Input),
    };
    let marks = ctx.trace.marks_on(p.index);
    {
        let canvas = canvas.clone();
        let index = p.index;
        let layout = layout.clone();
        let max_cell = if ctx.state.embed { 12.0 } else { 34.0 };
        use_effect_with(
            (scene, ctx.width, ctx.dark, marks, max_cell),
            move |(scene, width, dark, marks, max_cell)| {
                if let (Ok(s), Some(el)) = (&*scene.0, canvas.cast::<web_sys::HtmlCanvasElement>())
                {
                    if let Some(stage) = s.forward.stages.get(index) {
                        if let Ok(c2d) = dom::context_2d(&el) {
                            let [ch, h, w] = stage.shape();
                            let l = GridLayout::new(ch, h, w, *width, *max_cell);
                            draw::prepare(&el, &c2d, l.width, l.height, dom::device_pixel_ratio());
                            draw::draw_stage(&c2d, stage, &l, &palette(*dark), marks);
                            // A draw counter, for the latency benchmark.
                            let drawn = el
                                .get_attribute("data-drawn")
                                .and_then(|v| v.parse::<u64>().ok())
                                .unwrap_or(0);
                            let _ = el.set_attribute("data-drawn", &(drawn + 1).to_string());
                            // Geometry for tests and tools that point at cells.
                            for (name, v) in [
                                ("data-cell", l.cell),
                                ("data-cols", l.cols as f64),
                                ("data-map-w", l.map_w),
                                ("data-map-h", l.map_h),
                            ] {
                                let _ = el.set_attribute(name, &v.to_string());
                            }
                            *layout.borrow_mut() = Some(l);
                        }
                    }
                }
            },
        );
    }
    let hit = {
        let layout = layout.clone();
        let index = p.index;
        move |e: &MouseEvent| -> Option<CellRef> {
            let l = (*layout.borrow())?;
            let (x, y) = (e.offset_x() as f64, e.offset_y() as f64);
            (0..l.shown).find_map(|ch| {
                let (ox, oy) = l.origin(ch);
                (x >= ox && y >= oy && x < ox + l.map_w && y < oy + l.map_h).then(|| CellRef {
                    stage: index,
                    channel: ch,
                    y: ((y - oy) / l.cell) as usize,
                    x: ((x - ox) / l.cell) as usize,
                })
            })
        }
    };
    let onmousemove = {
        let frame = ctx.frame.clone();
        let hit = hit.clone();
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
    let more = c.saturating_sub(MAX_CHANNELS);
    html! {
        <figure class={classes!("stage", format!("stage-{}", stage_kind_class(kind)))} data-stage={stage_kind_class(kind)}>
            <figcaption>{ p.title.clone() }<span class="shape">{ shape_text(&ctx.scene, p.index) }</span></figcaption>
            <canvas ref={canvas} role="img" aria-label={p.summary.clone()} data-stage-canvas={p.index.to_string()}
                {onmousemove} {onmouseleave} {onclick} />
            if more > 0 {
                <p class="more">{ trf(lang, "channels.more", &[("n", more.to_string())]) }</p>
            }
        </figure>
    }
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

fn shape_text(scene: &crate::app::SceneRef, index: usize) -> String {
    match &*scene.0 {
        Ok(s) => s
            .forward
            .stages
            .get(index)
            .map(|st| {
                let [c, h, w] = st.shape();
                format!(" {c}×{h}×{w}")
            })
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Kernels of convolution `conv` as `(C_out · depth, k, k)` slices in output-channel order, their
/// depth, and the group of each output channel.
fn kernel_slices(scene: &Scene, conv: usize) -> Option<(Array3<f32>, usize, Vec<usize>, usize)> {
    let fwd: &Forward = &scene.forward;
    let view = fwd.convs.get(conv)?;
    let original = &scene.weights.convs.get(view.weights)?.weight;
    // Conv layout (C_out, depth, k, k); a transposed weight (C_in, C_out/g, k, k) is shown per
    // output channel as it stamps.
    let w = if view.transposed {
        original.view().permuted_axes([1, 0, 2, 3]).to_owned()
    } else {
        original.clone()
    };
    let (co, depth, k, _) = w.dim();
    let slices = w.into_shape_with_order((co * depth, k, k)).ok()?;
    let groups = fwd.stages[view.output_stage].channel_groups.clone();
    let dilation = view.dilation;
    let _ = Axis(0);
    Some((slices, depth, groups, dilation))
}

#[derive(Properties, PartialEq)]
struct KernelProps {
    conv: usize,
}

#[function_component(KernelView)]
fn kernel_view(p: &KernelProps) -> Html {
    let canvas = use_node_ref();
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    let scene = ctx.scene.clone();
    let info = match &*scene.0 {
        Ok(s) => s
            .forward
            .convs
            .get(p.conv)
            .map(|v| (v.role, v.transposed, v.weight.dim())),
        Err(_) => None,
    };
    let active = ctx
        .trace
        .kernel
        .filter(|(c, _)| *c == p.conv)
        .map(|(_, k)| k);
    {
        let canvas = canvas.clone();
        let conv = p.conv;
        let max_cell = if ctx.state.embed { 6.0 } else { 28.0 };
        use_effect_with(
            (scene, ctx.width, ctx.dark, active, max_cell),
            move |(scene, width, dark, active, max_cell)| {
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
                let count = slices.dim().0 / depth.max(1);
                let k = slices.dim().1;
                let (w, h, per_row, cell) =
                    draw::kernels_size(count, depth, k, dilation, *width, *max_cell);
                draw::prepare(&el, &c2d, w, h, dom::device_pixel_ratio());
                let group_of = move |i: usize| groups.get(i).copied().unwrap_or(0);
                draw::draw_kernels(
                    &c2d,
                    slices.view(),
                    depth,
                    &group_of,
                    dilation,
                    cell,
                    per_row,
                    &palette(*dark),
                    *active,
                );
            },
        );
    }
    let Some((role, transposed, (co, depth, k, _))) = info else {
        return html! {};
    };
    let title = if transposed {
        tr(lang, "kernels.transposed")
    } else {
        match role {
            conv_core::ConvRole::Depthwise => tr(lang, "kernels.depthwise"),
            conv_core::ConvRole::Pointwise => tr(lang, "kernels.pointwise"),
            conv_core::ConvRole::Main => tr(lang, "kernels"),
        }
    };
    let depth_text = trf(lang, "kernel.depth", &[("depth", depth.to_string())])
        .replace("k×k", &format!("{k}×{k}"));
    let more = co.saturating_sub(MAX_CHANNELS * 2);
    let summary = format!("{title}: {co} × {depth_text}");
    html! {
        <figure class="kernels" data-kernels={p.conv.to_string()}>
            <figcaption>{ title }<span class="shape">{ format!(" {co} · {depth_text}") }</span></figcaption>
            <canvas ref={canvas} role="img" aria-label={summary} />
            if more > 0 {
                <p class="more">{ trf(lang, "channels.more", &[("n", more.to_string())]) }</p>
            }
        </figure>
    }
}

#[function_component(Legend)]
fn legend() -> Html {
    let canvas = use_node_ref();
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang: Lang = ctx.lang();
    {
        let canvas = canvas.clone();
        use_effect_with((lang, ctx.width, ctx.dark), move |(lang, width, dark)| {
            let Some(el) = canvas.cast::<web_sys::HtmlCanvasElement>() else {
                return;
            };
            let Ok(c2d) = dom::context_2d(&el) else {
                return;
            };
            let w = width.min(640.0);
            let h = if w < 420.0 { 58.0 } else { 40.0 };
            draw::prepare(&el, &c2d, w, h, dom::device_pixel_ratio());
            let labels = [
                tr(*lang, "legend.negative"),
                tr(*lang, "legend.positive"),
                tr(*lang, "legend.padding"),
                tr(*lang, "legend.inserted"),
                tr(*lang, "legend.copied"),
            ];
            draw::draw_legend(&c2d, w, &palette(*dark), labels);
        });
    }
    html! {
        <div class="legend">
            <canvas ref={canvas} role="img" aria-label={format!("{}: {} / {} · {} · {} · {}", tr(lang, "legend"), tr(lang, "legend.negative"), tr(lang, "legend.positive"), tr(lang, "legend.padding"), tr(lang, "legend.inserted"), tr(lang, "legend.copied"))} />
        </div>
    }
}
