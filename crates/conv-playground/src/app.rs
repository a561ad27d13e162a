//! The app: the page's layout inside the [`AppProvider`], and the effects that tie the state to
//! the world outside (the address bar, a host page, the animation timer, the keyboard).

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::{
    CodePanel, Comparison, Controls, Figure, Formulas, Insights, LabPanel, LayerPicker, Legend,
    Notices, ParamDrawer, Player, ShareBar, Stats, TourBar, TraceLine, ViewSwitch,
};
use crate::context::{use_app, AppContext, AppProvider};
use crate::dom;
use crate::host;
use crate::i18n::{tr, Lang};
use crate::state::Action;
use crate::types::Theme;

#[function_component(App)]
pub fn app() -> Html {
    html! {
        <AppProvider>
            <Page />
        </AppProvider>
    }
}

/// Keeps the address bar in sync with the state, and tells a host page.
#[hook]
fn use_url_sync(ctx: &AppContext) {
    let query = crate::url::to_query(&ctx.state);
    let pairs = crate::url::to_pairs(&ctx.state);
    let origin = ctx.state.parent_origin.clone();
    use_effect_with(query, move |q| {
        dom::replace_query(q);
        host::post(&host::state_message(&pairs), origin.as_deref());
    });
}

/// A host page: `ready` once, then `set` messages are validated and applied.
#[hook]
fn use_host_messages(ctx: &AppContext) {
    let d = ctx.dispatch.clone();
    let origin = ctx.state.parent_origin.clone();
    use_effect_with((), move |_| {
        host::post(&host::ready_message(), origin.as_deref());
        let listener = dom::window().ok().map(|w| {
            gloo_events::EventListener::new(&w, "message", move |e| {
                let Some(e) = e.dyn_ref::<web_sys::MessageEvent>() else {
                    return;
                };
                if !host::accept(e, origin.as_deref()) {
                    return;
                }
                if let Some(pairs) = host::parse_set(&e.data()) {
                    d.emit(Action::ApplyMessage(crate::url::parse_pairs(&pairs)));
                }
            })
        });
        move || drop(listener)
    });
}

/// Reports the content height so the host can size the frame.
#[hook]
fn use_resize_report(ctx: &AppContext) {
    let last = use_mut_ref(|| 0.0f64);
    let origin = ctx.state.parent_origin.clone();
    use_effect(move || {
        if host::parent().is_some() {
            // The content's own height: the document's would never be less than the frame.
            let h = dom::window()
                .ok()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("app"))
                .map(|e| e.get_bounding_client_rect().height().ceil())
                .unwrap_or(0.0);
            if (h - *last.borrow()).abs() >= 1.0 {
                *last.borrow_mut() = h;
                host::post(&host::resize_message(h), origin.as_deref());
            }
        }
    });
}

/// Playing: one step per tick at the chosen speed; the timer stops with the animation.
#[hook]
fn use_player_timer(ctx: &AppContext) {
    let d = ctx.dispatch.clone();
    let playing = ctx.state.anim.playing && ctx.steps > 0;
    use_effect_with(
        (playing, ctx.state.anim.speed, ctx.steps),
        move |&(playing, speed, n)| {
            let timer = playing.then(|| {
                let ms = (1000 / speed.clamp(1, 20)) as u32;
                gloo_timers::callback::Interval::new(ms, move || {
                    d.emit(Action::StepBy { delta: 1, n })
                })
            });
            move || drop(timer)
        },
    );
}

/// Keyboard: space plays or pauses, arrows step (not while a control has the focus).
#[hook]
fn use_keyboard(ctx: &AppContext) {
    let d = ctx.dispatch.clone();
    use_effect_with((ctx.state.anim.playing, ctx.steps), move |&(playing, n)| {
        let listener = dom::window().ok().and_then(|w| w.document()).map(|doc| {
            let options = gloo_events::EventListenerOptions::enable_prevent_default();
            gloo_events::EventListener::new_with_options(&doc, "keydown", options, move |e| {
                let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                    return;
                };
                if dom::event_in_control(e) {
                    return;
                }
                let action = match e.key().as_str() {
                    " " => Some(if playing { Action::Pause } else { Action::Play }),
                    "ArrowRight" => Some(Action::StepBy { delta: 1, n }),
                    "ArrowLeft" => Some(Action::StepBy { delta: -1, n }),
                    _ => None,
                };
                if let Some(a) = action {
                    e.prevent_default();
                    d.emit(a);
                }
            })
        });
        move || drop(listener)
    });
}

/// The page: header, notices, controls, the figure panel and the rest, the tour, the footer.
#[function_component(Page)]
fn page() -> Html {
    let Some(ctx) = use_app() else {
        return html! {};
    };
    use_url_sync(&ctx);
    use_host_messages(&ctx);
    use_resize_report(&ctx);
    use_player_timer(&ctx);
    use_keyboard(&ctx);
    let state = &ctx.state;
    let lang = state.lang;
    let class = classes!(
        "app",
        if ctx.dark {
            "theme-dark"
        } else {
            "theme-light"
        },
        state.embed.then_some("embed")
    );
    let error = match &*ctx.scene.0 {
        Err(e) => Some(e.clone()),
        Ok(_) => None,
    };
    html! {
        <div {class} lang={if lang == Lang::Zh { "zh-CN" } else { "en" }} data-ready="true">
            if !state.embed {
                { header(&ctx) }
            }
            <Notices />
            if let Some(e) = error {
                <div class="error" role="alert">{ e }</div>
            }
            { main_layout(state.embed, state.lab != crate::types::Lab::Off, lang) }
            <TourBar />
            if !state.embed {
                <footer>{ tr(lang, "footer") }</footer>
            }
        </div>
    }
}

/// The title and the language and theme switches.
fn header(ctx: &AppContext) -> Html {
    let lang = ctx.lang();
    let on_lang = {
        let d = ctx.dispatch.clone();
        Callback::from(move |l: Lang| d.emit(Action::SetLang(l)))
    };
    let on_theme = {
        let d = ctx.dispatch.clone();
        Callback::from(move |t: Theme| d.emit(Action::SetTheme(t)))
    };
    html! {
        <header class="top">
            <div>
                <h1>{ tr(lang, "title") }</h1>
                <p class="subtitle">{ tr(lang, "subtitle") }</p>
            </div>
            <div class="switches">
                <LangSwitch {lang} on_change={on_lang} />
                <ThemeSwitch theme={ctx.state.theme} {lang} on_change={on_theme} />
            </div>
        </header>
    }
}

/// The controls beside the results: the figure panel first; embedded, the controls and the rest
/// folded away (the lab too, unless the embedding page asks for one).
fn main_layout(embed: bool, lab: bool, lang: Lang) -> Html {
    html! {
        <main class="layout">
            if embed {
                <details class="controls-toggle">
                    <summary>{ tr(lang, "controls") }</summary>
                    <LayerPicker />
                    <Controls />
                </details>
            } else {
                <div class="side">
                    <LayerPicker />
                    <ParamDrawer />
                </div>
            }
            <div class="results">
                <section class="figure-panel" aria-label={tr(lang, "figure")}>
                    <Stats />
                    <div class="toolbar">
                        <Player />
                        <div class="legend-row">
                            <ViewSwitch />
                            if !embed {
                                <Legend />
                            }
                        </div>
                    </div>
                    <Figure />
                    <TraceLine />
                </section>
                <Insights />
                if !embed || lab {
                    <LabPanel />
                }
                if embed {
                    <details class="more">
                        <summary>{ tr(lang, "more") }</summary>
                        if !lab {
                            <LabPanel />
                        }
                        <Comparison />
                        <Formulas />
                        <CodePanel />
                        <ShareBar />
                    </details>
                } else {
                    <Comparison />
                    <Formulas />
                    <CodePanel />
                    <ShareBar />
                }
            </div>
        </main>
    }
}

#[derive(Properties, PartialEq)]
struct LangSwitchProps {
    lang: Lang,
    on_change: Callback<Lang>,
}

#[function_component(LangSwitch)]
fn lang_switch(p: &LangSwitchProps) -> Html {
    let button = |l: Lang, label: &'static str| {
        let cb = p.on_change.clone();
        html! {
            <button type="button" class={classes!("chip", (p.lang == l).then_some("active"))}
                aria-pressed={(p.lang == l).to_string()} lang={l.code()}
                onclick={Callback::from(move |_| cb.emit(l))}>{ label }</button>
        }
    };
    html! {
        <div class="switch" role="group" aria-label={tr(p.lang, "language")}>
            { button(Lang::En, "English") }
            { button(Lang::Zh, "中文") }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ThemeSwitchProps {
    theme: Theme,
    lang: Lang,
    on_change: Callback<Theme>,
}

#[function_component(ThemeSwitch)]
fn theme_switch(p: &ThemeSwitchProps) -> Html {
    let button = |t: Theme, key: &'static str| {
        let cb = p.on_change.clone();
        html! {
            <button type="button" class={classes!("chip", (p.theme == t).then_some("active"))}
                aria-pressed={(p.theme == t).to_string()}
                onclick={Callback::from(move |_| cb.emit(t))}>{ tr(p.lang, key) }</button>
        }
    };
    html! {
        <div class="switch" role="group" aria-label={tr(p.lang, "theme")}>
            { button(Theme::Light, "theme.light") }
            { button(Theme::Dark, "theme.dark") }
            { button(Theme::Auto, "theme.auto") }
        </div>
    }
}

/// Mounts the app on the page body.
pub fn start() {
    dom::install_panic_hook();
    #[cfg(feature = "test-hooks")]
    arm_test_panic();
    let root = dom::window()
        .ok()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(el) => {
            yew::Renderer::<App>::with_root(el).render();
        }
        None => {
            yew::Renderer::<App>::new().render();
        }
    }
}

/// With the `test-hooks` feature only (the tests' build, never the shipped page): `test_panic=1`
/// makes the page panic once it is up, so the tests can check that a panic (which must not
/// happen) shows the error panel with a working reset instead of a frozen page.
#[cfg(feature = "test-hooks")]
fn arm_test_panic() {
    let trigger = format!("{}=1", crate::url::TEST_PANIC_KEY);
    if dom::location_search()
        .split(['?', '&'])
        .any(|kv| kv == trigger)
    {
        gloo_timers::callback::Timeout::new(300, || panic!("test_panic=1: a deliberate panic"))
            .forget();
    }
}
