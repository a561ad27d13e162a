//! The `role="alert"` notice listing what was corrected in values that came from outside: one
//! line per key, its text from [`crate::notice::notice_line`].

use yew::prelude::*;

use crate::context::use_app;
use crate::i18n::tr;
use crate::notice::notice_line;
use crate::state::Action;

#[function_component(Notices)]
pub fn notices() -> Html {
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    if ctx.state.notices.is_empty() {
        return html! {};
    }
    let dismiss = {
        let d = ctx.dispatch.clone();
        Callback::from(move |_| d.emit(Action::DismissNotices))
    };
    let shown = ctx.state.notices.iter().take(12);
    let more = ctx.state.notices.len().saturating_sub(12);
    html! {
        <div class="notice" role="alert">
            <strong>{ tr(lang, "notice.title") }</strong>
            <ul>
                { for shown.map(|n| {
                    // Worded now, in the page's language: a language switch re-words the lines.
                    let line = notice_line(lang, n);
                    html! {
                        <li>{ line.before_key }<code>{ line.key }</code>{ line.after_key }<code>{ line.from }</code>{ " → " }<code>{ line.to }</code><span class="reason">{ line.reason }</span></li>
                    }
                }) }
                if more > 0 { <li>{ format!("+{more}") }</li> }
            </ul>
            <button type="button" class="secondary" onclick={dismiss}>{ tr(lang, "notice.dismiss") }</button>
        </div>
    }
}
