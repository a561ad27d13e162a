//! Comparisons that make a layer's point: transposed conv beside upsample + conv with the
//! overlap map (the checkerboard), and the dilated kernel against the normal kernel of its extent.

use conv_core::{Evenness, LayerKind, LayerSpec};
use ndarray::Array2;
use yew::prelude::*;

use crate::channels;
use crate::context::use_app;
use crate::dom;
use crate::draw;
use crate::i18n::{tr, trf};
use crate::palette::Palette;
use crate::scene::{counterpart, Scene, SceneKey};

#[derive(Properties, PartialEq)]
struct CountsProps {
    counts: Array2<u32>,
    title: AttrValue,
    note: AttrValue,
    /// The i18n key of the note, as a hook for tests.
    #[prop_or_default]
    note_key: AttrValue,
    stat: AttrValue,
}

#[function_component(CountMap)]
fn count_map(p: &CountsProps) -> Html {
    let canvas = use_node_ref();
    let Some(ctx) = use_app() else {
        return html! {};
    };
    {
        let canvas = canvas.clone();
        use_effect_with(
            (p.counts.clone(), ctx.width, ctx.dark),
            move |(counts, width, dark)| {
                let Some(el) = canvas.cast::<web_sys::HtmlCanvasElement>() else {
                    return;
                };
                let Ok(c2d) = dom::context_2d(&el) else {
                    return;
                };
                let (_, w) = counts.dim();
                let avail = if *width < 600.0 {
                    *width
                } else {
                    *width / 2.0 - 16.0
                };
                let cell = (avail / w.max(1) as f64).floor().clamp(3.0, 26.0);
                let display = channels::counts(counts.view(), cell);
                draw::prepare(
                    &el,
                    &c2d,
                    display.width,
                    display.height,
                    dom::device_pixel_ratio(),
                );
                draw::paint(&c2d, &display, Palette::of(*dark));
            },
        );
    }
    let summary = p
        .counts
        .rows()
        .into_iter()
        .take(8)
        .map(|r| {
            r.iter()
                .take(16)
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join(" / ");
    html! {
        <figure class="counts" data-map={p.stat.clone()}>
            <figcaption>{ p.title.clone() }</figcaption>
            <canvas ref={canvas} role="img" aria-label={format!("{}: {summary}", p.title)} />
            <p class="note" data-note={p.note_key.clone()}>{ p.note.clone() }</p>
        </figure>
    }
}

/// The note under the overlap map, from what the map itself shows away from its borders.
fn overlap_note(evenness: Option<Evenness>) -> &'static str {
    match evenness {
        Some(Evenness::Uneven) => "overlap.uneven",
        Some(Evenness::Even) => "overlap.even",
        Some(Evenness::TooSmall) | None => "overlap.too-small",
    }
}

#[function_component(Insights)]
pub fn insights() -> Html {
    let ctx = use_app();
    let spec = ctx
        .as_ref()
        .and_then(|c| c.scene.0.as_ref().as_ref().ok().map(|s| s.spec.clone()));
    // The counterpart layer (transposed ↔ upsample + conv), outlined.
    let other = use_memo(spec.clone(), |spec: &Option<LayerSpec>| {
        spec.as_ref().and_then(counterpart).and_then(|o| {
            // Overlap and coverage depend on its cells, not on its values.
            let key = SceneKey {
                spec: o,
                input: crate::state::InputMode::Grid,
                kernel: conv_core::KernelPreset::Random,
                pattern: conv_core::InputPattern::Random,
                seed: 1,
                image: None,
            };
            Scene::outline(&key, None).ok()
        })
    });
    let Some(ctx) = ctx else { return html! {} };
    let Ok(scene) = &*ctx.scene.0 else {
        return html! {};
    };
    let lang = ctx.lang();
    match scene.spec.layer {
        LayerKind::Transposed | LayerKind::Upsample => {
            let (t_scene, u_scene) = if scene.spec.layer == LayerKind::Transposed {
                (Some(scene), (*other).as_ref())
            } else {
                ((*other).as_ref(), Some(scene))
            };
            let overlap = t_scene.and_then(|s| s.forward.overlap());
            let note = overlap_note(t_scene.and_then(|s| s.forward.overlap_evenness()));
            let coverage = u_scene.and_then(|s| {
                s.forward
                    .convs
                    .iter()
                    .position(|v| !v.transposed)
                    .and_then(|i| s.forward.coverage(i))
            });
            html! {
                <section class="insights side-by-side" aria-label={tr(lang, "overlap")}>
                    if let Some(o) = overlap {
                        <CountMap title={tr(lang, "overlap")} stat="overlap"
                            note={tr(lang, note)} note_key={note} counts={o} />
                    }
                    if let Some(c) = coverage {
                        <CountMap title={tr(lang, "coverage")} stat="coverage" note={tr(lang, "coverage.note")} counts={c} />
                    }
                </section>
            }
        }
        LayerKind::Dilated => {
            let c = &scene.costs;
            let k = scene.spec.kernel_size;
            let e = c.receptive_field[0];
            html! {
                <section class="insights">
                    <p class="dilation-compare">{ trf(lang, "dilation.compare", &[
                        ("weights", (k * k).to_string()), ("e", e.to_string()), ("normal", (e * e).to_string()),
                    ]) }</p>
                </section>
            }
        }
        _ => html! {},
    }
}
