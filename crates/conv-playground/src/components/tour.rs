//! The guided tour of the article's figures: caption, previous and next.

use yew::prelude::*;

use crate::context::use_app;
use crate::i18n::{tr, trf};
use crate::state::Action;
use crate::tour::{stops, ARTICLE_FIGURES};

#[function_component(TourBar)]
pub fn tour_bar() -> Html {
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    let all = stops();
    let n = all.len();
    let current = ctx.state.tour;
    let go = |target: Option<usize>| {
        let d = ctx.dispatch.clone();
        Callback::from(move |_| d.emit(Action::Tour(target)))
    };
    let (prev, next) = match current {
        Some(i) => (i.checked_sub(1), (i + 1 < n).then_some(i + 1)),
        None => (None, Some(0)),
    };
    html! {
        <nav class="tour" aria-label={tr(lang, "tour")}>
            <h2>{ tr(lang, "tour") }</h2>
            if let Some(i) = current {
                <p class="tour-step">
                    { trf(lang, "tour.of", &[("i", (i + 1).to_string()), ("n", n.to_string())]) }{ " · " }
                    if let Some(f) = all[i].figure {
                        <span data-figure={f.to_string()}>{ trf(lang, "tour.figure", &[("f", f.to_string()), ("n", ARTICLE_FIGURES.to_string())]) }</span>
                    } else {
                        <span data-figure="added">{ tr(lang, "tour.added") }</span>
                    }
                </p>
                <p class="caption" data-tour-caption={all[i].caption}>{ tr(lang, all[i].caption) }</p>
            }
            <div class="tour-buttons">
                <button type="button" class="secondary" disabled={prev.is_none()} onclick={go(prev)}>{ "← " }{ tr(lang, "tour.prev") }</button>
                <button type="button" class="secondary" disabled={next.is_none()} onclick={go(next)}>{ tr(lang, "tour.next") }{ " →" }</button>
            </div>
        </nav>
    }
}
