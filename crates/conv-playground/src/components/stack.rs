//! The stack view's tools under its drawing (`lab=stack`): the values the stack was fitted to,
//! the selected layer with buttons that move, copy or remove it or load it into the single
//! layer's controls, and a box to paste a PyTorch `nn.Sequential` (read by the export worker,
//! `gif_job.rs` with `format=parse`; a paste that cannot be read says where and keeps the
//! stack). What the buttons compute is `stack_pick.rs`.

use std::rc::Rc;

use yew::prelude::*;

use crate::context::{use_app, AppContext};
use crate::i18n::{tr, trf};
use crate::stack_pick::{self, figure, Reshape};
use crate::state::Action;
use crate::worker::Heard;

#[derive(Properties, PartialEq)]
pub struct StackToolsProps {
    /// The figures of the drawing shown ([`stack_pick::Figures`]).
    pub figures: Rc<Vec<(String, String)>>,
}

#[function_component(StackTools)]
pub fn stack_tools(p: &StackToolsProps) -> Html {
    let failed = use_state(|| None::<String>);
    let code = use_node_ref();
    // The box shows the stack's code when the stack changes, and keeps what the reader typed
    // until then (a paste that cannot be read stays there to be mended).
    let written = figure(&p.figures, "code")
        .unwrap_or_default()
        .replace("\\n", "\n");
    {
        let code = code.clone();
        use_effect_with(written, move |w| {
            if let Some(area) = code.cast::<web_sys::HtmlTextAreaElement>() {
                area.set_value(w);
            }
        });
    }
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    let f = &p.figures;
    let notices = f.iter().filter(|(k, _)| k == "notice").map(|(_, v)| {
        html! { <li>{ v }</li> }
    });
    let selected = stack_pick::drawn(f).map(|[l, y, x, ..]| {
        let button = |op: Reshape, key: &str| {
            let (d, text) = (ctx.dispatch.clone(), figure(f, "expanded").unwrap_or_default());
            let done = stack_pick::reshape(text, l, op);
            let disabled = done.is_none();
            let onclick = Callback::from(move |_| {
                if let Some((text, at)) = done.clone() {
                    d.emit(Action::ReshapeStack(text, Some([at, y, x])));
                }
            });
            html! { <button type="button" {disabled} {onclick}>{ tr(lang, key) }</button> }
        };
        let n = [("n", (l + 1).to_string())];
        let edit = match (ctx.state.stack_edit, figure(f, "query")) {
            (Some(e), _) if e.layer == l => {
                let d = ctx.dispatch.clone();
                html! { <>
                    <span role="status">{ trf(lang, "stack.editing", &n) }</span>
                    <button type="button" onclick={move |_| d.emit(Action::EndStackEdit)}>{ tr(lang, "stack.done") }</button>
                </> }
            }
            (_, Some(q)) => {
                let (d, q) = (ctx.dispatch.clone(), q.to_string());
                let onclick =
                    move |_| d.emit(Action::EditStackLayer(l, crate::url::patch_from_query(&q)));
                html! { <button type="button" {onclick}>{ tr(lang, "stack.edit") }</button> }
            }
            _ => html! {},
        };
        html! {
            <div class="stack-tools" data-cell={format!("{l},{y},{x}")}>
                <b>{ trf(lang, "stack.selected", &n) }</b>
                { for [
                    (Reshape::Up, "stack.up"),
                    (Reshape::Down, "stack.down"),
                    (Reshape::Copy, "stack.copy"),
                    (Reshape::Remove, "stack.remove"),
                ].into_iter().map(|(op, key)| button(op, key)) }
                { edit }
            </div>
        }
    });
    let build = {
        let (d, code, failed) = (ctx.dispatch.clone(), code.clone(), failed.clone());
        let base = crate::url::to_query(&ctx.state);
        Callback::from(move |_| {
            let Some(area) = code.cast::<web_sys::HtmlTextAreaElement>() else {
                return;
            };
            let mut job = form_urlencoded::Serializer::new(base.clone());
            job.append_pair("format", "parse")
                .append_pair("code", &area.value());
            let (d, heard_failed) = (d.clone(), failed.clone());
            let heard = Rc::new(move |heard| match heard {
                Heard::Done(text) => {
                    heard_failed.set(None);
                    d.emit(Action::SetStack(String::from_utf8_lossy(&text).into()));
                }
                Heard::Failed(e) => heard_failed.set(Some(e)),
                Heard::Progress(..) => {}
            });
            if let Err(e) = crate::worker::export(&job.finish(), None, heard) {
                failed.set(Some(e));
            }
        })
    };

    html! { <>
        if f.iter().any(|(k, _)| k == "notice") {
            <ul class="note" data-stat="stack-notices">{ for notices }</ul>
        }
        { for selected }
        <details class="stack-paste">
            <summary>{ tr(lang, "stack.paste") }</summary>
            <textarea ref={code} rows="8" spellcheck="false" aria-label={tr(lang, "stack.paste")} />
            <button type="button" onclick={build}>{ tr(lang, "stack.build") }</button>
            if let Some(e) = &*failed {
                <p class="note" role="alert" data-stat="stack-paste-error">{ trf(lang, "stack.paste-failed", &[("detail", e.clone())]) }</p>
            }
        </details>
    </> }
}

/// The stack's drawing, with the tools above it: a click or a tap on a cell of a map or on a row
/// of the table selects it, and so do the arrow keys and Page Up / Page Down on it (each key
/// reduced against the state of the moment: `Action::StepStackCell`).
pub fn stack_image(
    ctx: &AppContext,
    figures: &Rc<Vec<(String, String)>>,
    url: &str,
    current: bool,
) -> Html {
    let pick = {
        let (d, f) = (ctx.dispatch.clone(), figures.clone());
        Callback::from(move |e: MouseEvent| {
            let Some(img) = e.target_dyn_into::<web_sys::HtmlImageElement>() else {
                return;
            };
            let k = img.natural_width() as f64 / (img.client_width().max(1) as f64);
            let (x, y) = (e.offset_x() as f64 * k, e.offset_y() as f64 * k);
            if let Some(cell) = stack_pick::at(&f, x, y) {
                d.emit(Action::PickStackCell(cell));
            }
        })
    };
    let key = {
        let (d, f) = (ctx.dispatch.clone(), figures.clone());
        Callback::from(move |e: KeyboardEvent| {
            let key = e.key();
            let Some(drawn) = stack_pick::drawn(&f) else {
                return;
            };
            if stack_pick::step(drawn, None, &key).is_some() {
                e.prevent_default();
                d.emit(Action::StepStackCell { drawn, key });
            }
        })
    };
    html! { <>
        <StackTools figures={figures.clone()} />
        <img class="lab-figure" src={url.to_string()} alt={tr(ctx.lang(), "stack.pick")}
            data-current={current.to_string()} tabindex="0" onclick={pick} onkeydown={key} />
    </> }
}

/// The select of the presets, each named with its source.
pub fn presets(ctx: &AppContext) -> Html {
    let d = ctx.dispatch.clone();
    let names = conv_core::stack::PRESETS;
    let pick = Callback::from(move |i: usize| d.emit(Action::SetStack(names[i].into())));
    let current = names.iter().position(|n| *n == ctx.state.stack);
    super::controls::named_select(
        ctx,
        "stack-select",
        "stack.preset",
        &names,
        "stack.preset.",
        current.unwrap_or(names.len()),
        pick,
    )
}
