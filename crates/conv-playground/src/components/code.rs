//! The current layer as PyTorch and Keras code, with copy buttons and the notes on where the two
//! frameworks differ.

use yew::prelude::*;

use crate::context::use_app;
use crate::dom;
use crate::i18n::tr;
use crate::snippets::snippets;

#[function_component(CodePanel)]
pub fn code_panel() -> Html {
    let copied = use_state(|| None::<&'static str>);
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    let s = snippets(&ctx.state.spec);
    let copy = |which: &'static str, text: String| {
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            let copied = copied.clone();
            let text = text.clone();
            yew::platform::spawn_local(async move {
                if dom::copy_text(&text).await.is_ok() {
                    copied.set(Some(which));
                }
            });
        })
    };
    let label = |which: &'static str| {
        if *copied == Some(which) {
            tr(lang, "code.copied")
        } else {
            tr(lang, "code.copy")
        }
    };
    html! {
        <details class="code" open={!ctx.state.embed}>
            <summary>{ tr(lang, "code") }</summary>
            <div class="code-block">
                <div class="code-head"><span>{ "PyTorch" }</span>
                    <button type="button" onclick={copy("pytorch", s.pytorch.clone())}>{ label("pytorch") }</button></div>
                <pre tabindex="0" aria-label="PyTorch"><code data-stat="pytorch-code">{ s.pytorch.clone() }</code></pre>
            </div>
            <div class="code-block">
                <div class="code-head"><span>{ "Keras" }</span>
                    <button type="button" onclick={copy("keras", s.keras.clone())}>{ label("keras") }</button></div>
                <pre tabindex="0" aria-label="Keras"><code data-stat="keras-code">{ s.keras.clone() }</code></pre>
            </div>
            <ul class="notes">
                { for s.notes.iter().map(|k| html! { <li>{ tr(lang, k) }</li> }) }
            </ul>
        </details>
    }
}
