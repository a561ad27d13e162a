//! The app: one reducer holds the state; the scene is memoised on what it depends on; the URL is
//! kept in sync; components read both from a context.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::{
    CodePanel, Comparison, Controls, Figure, Formulas, Insights, LayerPicker, Legend, Notices,
    ParamDrawer, Player, ShareBar, Stats, TourBar, TraceLine,
};
use crate::dom::{self, FrameDispatcher};
use crate::host;
use crate::i18n::{tr, Lang};
use crate::scene::{Scene, SceneKey};
use crate::state::{Action, AppState, Theme};
use crate::trace::{self, Trace};

/// The reducer's home for [`AppState`].
#[derive(Debug, Clone, PartialEq)]
pub struct Store(pub AppState);

impl Reducible for Store {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(Store(self.0.reduce(action)))
    }
}

/// A scene shared by reference: equal when it is the same computation.
#[derive(Clone)]
pub struct SceneRef(pub Rc<Result<Scene, String>>);

impl PartialEq for SceneRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// What every component reads.
#[derive(Clone, PartialEq)]
pub struct AppContext {
    pub state: Rc<AppState>,
    pub scene: SceneRef,
    /// Immediate changes (buttons, selects).
    pub dispatch: Callback<Action>,
    /// Slider changes, coalesced to one per animation frame.
    pub frame: FrameDispatcher,
    /// Width of the figure column in CSS pixels (changes on resize).
    pub width: f64,
    pub dark: bool,
    /// Highlights and text of the current step or traced cell.
    pub trace: Rc<Trace>,
    /// Number of animation steps of the current view.
    pub steps: usize,
    pub out_channels: usize,
    pub transposed: bool,
}

impl AppContext {
    pub fn lang(&self) -> Lang {
        self.state.lang
    }
}

/// The initial state: the browser's language, then the URL.
fn initial_state() -> AppState {
    let base = AppState {
        lang: dom::browser_language()
            .and_then(|l| Lang::from_code(&l))
            .unwrap_or(Lang::En),
        ..AppState::default()
    };
    crate::url::parse_query(&dom::location_search(), &base)
}

fn figure_width() -> f64 {
    let w = dom::window()
        .ok()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .unwrap_or(1024.0);
    // The figure column: full width on phones, about 60 % beside the controls on desktops.
    if w < 900.0 {
        (w - 40.0).max(220.0)
    } else {
        (w * 0.62 - 60.0).min(900.0)
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let store = use_reducer(|| Store(initial_state()));
    let width = use_state(figure_width);
    let dark_pref = use_state(dom::prefers_dark);
    {
        let width = width.clone();
        use_effect_with((), move |_| {
            let listener = dom::window().ok().map(|w| {
                gloo_events::EventListener::new(&w, "resize", move |_| width.set(figure_width()))
            });
            move || drop(listener)
        });
    }
    // Keep the address bar in sync with the state, and tell a host page.
    {
        let query = crate::url::to_query(&store.0);
        let pairs = crate::url::to_pairs(&store.0);
        let origin = store.0.parent_origin.clone();
        use_effect_with(query, move |q| {
            dom::replace_query(q);
            host::post(&host::state_message(&pairs), origin.as_deref());
        });
    }
    // A host page: `ready` once, then `set` messages are validated and applied.
    {
        let d = store.dispatcher();
        let origin = store.0.parent_origin.clone();
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
                        d.dispatch(Action::ApplyPairs(pairs));
                    }
                })
            });
            move || drop(listener)
        });
    }
    // Report the content height so the host can size the frame.
    {
        let last = use_mut_ref(|| 0.0f64);
        let origin = store.0.parent_origin.clone();
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
    let key = SceneKey::from(&store.0);
    let scene = use_memo(key, Scene::build);
    let dispatcher = store.dispatcher();
    let frame = {
        let d = dispatcher.clone();
        use_memo((), move |_| FrameDispatcher::new(move |a| d.dispatch(a)))
    };
    let scatter = store.0.anim.scatter;
    let steps = use_memo(
        (SceneRef(scene.clone()), scatter),
        |(scene, scatter)| match &*scene.0 {
            Ok(s) => s.forward.steps(*scatter),
            Err(_) => Vec::new(),
        },
    );
    let n_steps = steps.len();
    // Playing: one step per tick at the chosen speed; the timer stops with the animation.
    {
        let d = dispatcher.clone();
        let playing = store.0.anim.playing && n_steps > 0;
        use_effect_with(
            (playing, store.0.anim.speed, n_steps),
            move |&(playing, speed, n)| {
                let timer = playing.then(|| {
                    let ms = (1000 / speed.clamp(1, 20)) as u32;
                    gloo_timers::callback::Interval::new(ms, move || {
                        d.dispatch(Action::StepBy { delta: 1, n })
                    })
                });
                move || drop(timer)
            },
        );
    }
    // Keyboard: space plays or pauses, arrows step (not while a control has the focus).
    {
        let d = dispatcher.clone();
        let playing = store.0.anim.playing;
        use_effect_with((playing, n_steps), move |&(playing, n)| {
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
                        d.dispatch(a);
                    }
                })
            });
            move || drop(listener)
        });
    }
    let trace = match &*scene {
        Ok(sc) => {
            if let Some(cell) = store.0.trace {
                trace::for_cell(sc, cell, scatter)
            } else if let Some(step) = store.0.anim.step.and_then(|i| steps.get(i)) {
                trace::for_step(sc, step, store.0.anim.channel)
            } else {
                Trace::default()
            }
        }
        Err(_) => Trace::default(),
    };
    let (out_channels, transposed) = match &*scene {
        Ok(sc) => (
            sc.costs.output_shape[0],
            sc.forward.convs.iter().any(|v| v.transposed),
        ),
        Err(_) => (1, false),
    };
    let state = Rc::new(store.0.clone());
    let dark = match state.theme {
        Theme::Dark => true,
        Theme::Light => false,
        Theme::Auto => *dark_pref,
    };
    let ctx = AppContext {
        state: state.clone(),
        scene: SceneRef(scene.clone()),
        dispatch: Callback::from(move |a| dispatcher.dispatch(a)),
        frame: (*frame).clone(),
        width: *width,
        dark,
        trace: Rc::new(trace),
        steps: n_steps,
        out_channels,
        transposed,
    };
    let lang = state.lang;
    let class = classes!(
        "app",
        if dark { "theme-dark" } else { "theme-light" },
        state.embed.then_some("embed")
    );
    let on_lang = {
        let d = ctx.dispatch.clone();
        Callback::from(move |l: Lang| d.emit(Action::SetLang(l)))
    };
    let on_theme = {
        let d = ctx.dispatch.clone();
        Callback::from(move |t: Theme| d.emit(Action::SetTheme(t)))
    };
    let error = match &*ctx.scene.0 {
        Err(e) => Some(e.clone()),
        Ok(_) => None,
    };
    html! {
        <ContextProvider<AppContext> context={ctx}>
            <div {class} lang={if lang == Lang::Zh { "zh-CN" } else { "en" }} data-ready="true">
                if !state.embed {
                    <header class="top">
                        <div>
                            <h1>{ tr(lang, "title") }</h1>
                            <p class="subtitle">{ tr(lang, "subtitle") }</p>
                        </div>
                        <div class="switches">
                            <LangSwitch {lang} on_change={on_lang} />
                            <ThemeSwitch theme={state.theme} {lang} on_change={on_theme} />
                        </div>
                    </header>
                }
                <Notices />
                if let Some(e) = error {
                    <div class="error" role="alert">{ e }</div>
                }
                <main class="layout">
                    if state.embed {
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
                                if !state.embed {
                                    <Legend />
                                }
                            </div>
                            <Figure />
                            <TraceLine />
                        </section>
                        <Insights />
                        if state.embed {
                            <details class="more">
                                <summary>{ tr(lang, "more") }</summary>
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
                <TourBar />
                if !state.embed {
                    <footer>{ tr(lang, "footer") }</footer>
                }
            </div>
        </ContextProvider<AppContext>>
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
    // `test_panic=1` makes the page panic once it is up, so the tests can check that a panic
    // (which must not happen) shows the error panel with a working reset instead of a frozen page.
    if dom::location_search()
        .split(['?', '&'])
        .any(|kv| kv == "test_panic=1")
    {
        gloo_timers::callback::Timeout::new(300, || panic!("test_panic=1: a deliberate panic"))
            .forget();
    }
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
