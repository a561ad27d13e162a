//! For authors: copy a share link, get an `<iframe>` snippet, export the figure as PNG, SVG or an
//! animated GIF (with progress and a size cap).

use yew::prelude::*;

use crate::context::{use_app, AppContext};
use crate::dom;
use crate::draw;
use crate::i18n::{tr, trf, Lang};
use crate::worker::Heard;

/// The `<iframe>` snippet for the current state.
fn embed_snippet(url: &str, title: &str) -> String {
    let escaped = url.replace('&', "&amp;").replace('"', "&quot;");
    format!("<iframe src=\"{escaped}\" width=\"640\" height=\"480\" title=\"{}\" loading=\"lazy\" style=\"border:0\"></iframe>", title.replace('"', "&quot;"))
}

fn embed_url() -> String {
    let Ok(w) = dom::window() else {
        return String::new();
    };
    let href = w.location().href().unwrap_or_default();
    let base = href.split('#').next().unwrap_or_default().to_string();
    if base.contains("embed=1") {
        base
    } else if base.contains('?') {
        format!("{base}&embed=1")
    } else {
        format!("{base}?embed=1")
    }
}

/// A message under the buttons (copied, or why an export failed).
type Status = UseStateHandle<Option<String>>;

#[function_component(ShareBar)]
pub fn share_bar() -> Html {
    let status = use_state(|| None::<String>);
    let show_embed = use_state(|| false);
    let gif_progress = use_state(|| None::<(usize, usize)>);
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    let layer = ctx.state.spec.layer.name();
    let layer_title = format!(
        "{} · {}",
        tr(lang, "title"),
        tr(lang, &format!("layer.{layer}"))
    );
    let share = share_link(lang, status.clone());
    let toggle_embed = {
        let show = show_embed.clone();
        Callback::from(move |_: MouseEvent| show.set(!*show))
    };
    let snippet = embed_snippet(&embed_url(), &layer_title);
    let copy_snippet = copy_embed_snippet(lang, status.clone(), snippet.clone());
    let png = export_figure(&ctx, layer, status.clone(), true);
    let svg = export_figure(&ctx, layer, status.clone(), false);
    let gif = export_gif(&ctx, layer, status.clone(), gif_progress.clone());
    let progress_view = gif_progress.map(|(i, n)| {
        // Until the worker has counted the frames (n = 0) the bar runs without a value.
        html! {
            <span class="progress" role="status">
                if n == 0 {
                    <progress aria-label={tr(lang, "export.gif-progress")}></progress>
                } else {
                    <progress max={n.to_string()} value={i.to_string()} aria-label={tr(lang, "export.gif-progress")}></progress>
                    { trf(lang, "export.frames", &[("i", i.to_string()), ("n", n.to_string())]) }
                }
            </span>
        }
    });
    html! {
        <section class="share" aria-label={tr(lang, "share.title")}>
            <div class="share-buttons">
                <button type="button" onclick={share}>{ tr(lang, "share") }</button>
                <button type="button" aria-expanded={show_embed.to_string()} onclick={toggle_embed}>{ tr(lang, "embed") }</button>
                <span class="export-label">{ tr(lang, "export") }</span>
                <button type="button" onclick={png}>{ "PNG" }</button>
                <button type="button" onclick={svg}>{ "SVG" }</button>
                <button type="button" onclick={gif} disabled={gif_progress.is_some()}>{ "GIF" }</button>
                { for progress_view }
                if let Some(s) = &*status {
                    <span class="status" role="status">{ s.clone() }</span>
                }
            </div>
            if *show_embed {
                <div class="embed-snippet">
                    <label for="embed-code">{ tr(lang, "embed.snippet") }</label>
                    <textarea id="embed-code" readonly=true rows="3" value={snippet.clone()} data-stat="embed-code" />
                    <button type="button" onclick={copy_snippet}>{ tr(lang, "code.copy") }</button>
                    <p class="note">{ tr(lang, "embed.note") }</p>
                </div>
            }
        </section>
    }
}

/// Copies the page's address; shows it when the clipboard refuses.
fn share_link(lang: Lang, status: Status) -> Callback<MouseEvent> {
    Callback::from(move |_: MouseEvent| {
        let status = status.clone();
        let url = dom::window()
            .ok()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        yew::platform::spawn_local(async move {
            let msg = match dom::copy_text(&url).await {
                Ok(()) => tr(lang, "share.copied").to_string(),
                Err(_) => url,
            };
            status.set(Some(msg));
        });
    })
}

/// Copies the `<iframe>` snippet.
fn copy_embed_snippet(lang: Lang, status: Status, snippet: String) -> Callback<MouseEvent> {
    Callback::from(move |_: MouseEvent| {
        let status = status.clone();
        let snippet = snippet.clone();
        yew::platform::spawn_local(async move {
            let ok = dom::copy_text(&snippet).await.is_ok();
            status.set(Some(
                tr(
                    lang,
                    if ok {
                        "share.copied"
                    } else {
                        "share.copy-failed"
                    },
                )
                .to_string(),
            ));
        });
    })
}

/// Downloads the figure as the page shows it now (step, trace, view, theme, language) at the
/// export size: as SVG, `conv-<layer>.svg`, or as PNG drawn at twice the CSS size,
/// `conv-<layer>.png`. The SVG is written by the export worker (`gif_job.rs`, `format=svg`);
/// the PNG is that SVG drawn on a canvas.
fn export_figure(
    ctx: &AppContext,
    layer: &'static str,
    status: Status,
    png: bool,
) -> Callback<MouseEvent> {
    let lang = ctx.lang();
    let job = crate::gif_job::request(&ctx.state, ctx.dark) + "&format=svg";
    let image = ctx.state.image.clone();
    Callback::from(move |_: MouseEvent| {
        let told = status.clone();
        let started = crate::worker::export(
            &job,
            image.as_ref(),
            std::rc::Rc::new(move |heard| match heard {
                Heard::Progress(..) => {}
                Heard::Done(svg) if png => {
                    let told = told.clone();
                    yew::platform::spawn_local(async move {
                        let saved = match draw::svg_png(&svg, 2.0).await {
                            Ok(bytes) => {
                                dom::download(&bytes, "image/png", &format!("conv-{layer}.png"))
                            }
                            Err(e) => Err(e),
                        };
                        if let Err(e) = saved {
                            told.set(Some(failed(lang, e)));
                        }
                    });
                }
                Heard::Done(svg) => {
                    let saved = dom::download(&svg, "image/svg+xml", &format!("conv-{layer}.svg"));
                    if let Err(e) = saved {
                        told.set(Some(failed(lang, e)));
                    }
                }
                Heard::Failed(e) => told.set(Some(failed(lang, e))),
            }),
        );
        if let Err(e) = started {
            status.set(Some(failed(lang, e)));
        }
    })
}

/// An export that failed, worded in the page's language (the detail is the browser's).
fn failed(lang: Lang, detail: String) -> String {
    trf(lang, "export.failed", &[("detail", detail)])
}

/// Encodes the animation as a GIF, frame by frame with its progress shown, and downloads it as
/// `conv-<layer>.gif`; a second click while it runs does nothing.
fn export_gif(
    ctx: &AppContext,
    layer: &'static str,
    status: Status,
    progress: UseStateHandle<Option<(usize, usize)>>,
) -> Callback<MouseEvent> {
    let lang = ctx.lang();
    // The job is encoded in a worker from what the page shows now (`gif_job.rs`).
    let job = crate::gif_job::request(&ctx.state, ctx.dark);
    let image = ctx.state.image.clone();
    Callback::from(move |_: MouseEvent| {
        if progress.is_some() {
            return;
        }
        let (told, shown) = (status.clone(), progress.clone());
        progress.set(Some((0, 0)));
        let started = crate::worker::export(
            &job,
            image.as_ref(),
            std::rc::Rc::new(move |heard| match heard {
                Heard::Progress(done, total) => shown.set(Some((done, total))),
                Heard::Done(bytes) => {
                    shown.set(None);
                    let saved = dom::download(&bytes, "image/gif", &format!("conv-{layer}.gif"));
                    if let Err(e) = saved {
                        told.set(Some(failed(lang, e)));
                    }
                }
                Heard::Failed(e) => {
                    shown.set(None);
                    told.set(Some(failed(lang, e)));
                }
            }),
        );
        if let Err(e) = started {
            progress.set(None);
            status.set(Some(failed(lang, e)));
        }
    })
}
