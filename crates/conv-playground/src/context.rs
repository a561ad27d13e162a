//! The app's context, as in Yew's `contexts` example: the [`Store`] that holds the [`AppState`],
//! what is derived from it (the scene memoised on what it depends on, its animation steps, the
//! trace), the [`AppProvider`] that gives it to every component below, and [`use_app`] to read
//! it.

use std::rc::Rc;

use yew::prelude::*;

use crate::dom::{self, FrameDispatcher};
use crate::i18n::Lang;
use crate::scene::{Scene, SceneKey, Summary};
use crate::scene_worker::{self, use_scene, Computed};
use crate::state::{Action, AppState};
use crate::trace::{self, Trace};
use crate::types::Theme;
use crate::volume::{self, Active};

/// The reducer's home for [`AppState`].
#[derive(Debug, Clone, PartialEq)]
pub struct Store(pub AppState);

impl Reducible for Store {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(Store(self.0.reduce(action)))
    }
}

/// A value shared by reference: equal when it is the same computation (a scene, a memo's figures,
/// which stay the same allocation for as long as what they are computed from), not compared
/// value by value.
#[derive(Clone)]
pub struct ByRef<T>(pub Rc<T>);

impl<T> PartialEq for ByRef<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::ops::Deref for ByRef<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// The scene, shared.
pub type SceneRef = ByRef<Result<Scene, String>>;

/// What every component reads.
#[derive(Clone, PartialEq)]
pub struct AppContext {
    pub state: Rc<AppState>,
    pub scene: SceneRef,
    /// The figures of the state's spec (output shape, costs, formulas): the state's own at once,
    /// where the scene of a large layer may still be the one before for a task.
    pub summary: ByRef<Result<Summary, String>>,
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
    /// The current step's box in the volume view.
    pub active: Option<Active>,
    /// How much of the scene is computed (a large layer's is computed in a worker).
    pub computed: Computed,
}

impl AppContext {
    pub fn lang(&self) -> Lang {
        self.state.lang
    }
}

/// The app context; components live inside the provider, so a missing one is a programming error
/// that shows as an empty default rather than a panic.
#[hook]
pub fn use_app() -> Option<AppContext> {
    use_context::<AppContext>()
}

#[derive(Properties, PartialEq)]
pub struct AppProviderProps {
    #[prop_or_default]
    pub children: Html,
}

/// Holds the store and gives the [`AppContext`] to `children`.
#[function_component(AppProvider)]
pub fn app_provider(props: &AppProviderProps) -> Html {
    let store = use_reducer(|| Store(initial_state()));
    let width = use_figure_width();
    let dark_pref = use_state(dom::prefers_dark);
    let state = &store.0;
    let summary = use_memo(state.spec.clone(), Summary::of);
    let heavy = scene_worker::heavy(&summary);
    let volume = state.view == crate::types::View::Volume;
    let (scene, computed) = use_scene(&SceneKey::from(state), heavy, volume);
    let steps = use_memo(
        (ByRef(scene.clone()), state.anim.scatter),
        |(scene, scatter)| match &*scene.0 {
            Ok(s) => s.forward.steps(*scatter),
            Err(_) => Vec::new(),
        },
    );
    let dispatcher = store.dispatcher();
    let frame = {
        let d = dispatcher.clone();
        use_memo((), move |_| FrameDispatcher::new(move |a| d.dispatch(a)))
    };
    let (out_channels, transposed) = match &*scene {
        Ok(sc) => (
            sc.costs.output_shape[0],
            sc.forward.convs.iter().any(|v| v.transposed),
        ),
        Err(_) => (1, false),
    };
    let context = AppContext {
        state: Rc::new(state.clone()),
        scene: ByRef(scene.clone()),
        summary: ByRef(summary),
        dispatch: Callback::from(move |a| dispatcher.dispatch(a)),
        frame: (*frame).clone(),
        width,
        dark: match state.theme {
            Theme::Dark => true,
            Theme::Light => false,
            Theme::Auto => *dark_pref,
        },
        trace: Rc::new(current_trace(&scene, state, &steps)),
        active: current_active(&scene, state, &steps),
        steps: steps.len(),
        computed,
        out_channels,
        transposed,
    };
    html! {
        <ContextProvider<AppContext> {context}>
            { props.children.clone() }
        </ContextProvider<AppContext>>
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

/// The width of the figure column, following the window's size.
#[hook]
fn use_figure_width() -> f64 {
    let width = use_state(figure_width);
    {
        let width = width.clone();
        use_effect_with((), move |_| {
            let listener = dom::window().ok().map(|w| {
                gloo_events::EventListener::new(&w, "resize", move |_| width.set(figure_width()))
            });
            move || drop(listener)
        });
    }
    *width
}

/// What the figure highlights: the traced cell if there is one, else the current step.
fn current_trace(
    scene: &Result<Scene, String>,
    state: &AppState,
    steps: &[conv_core::Step],
) -> Trace {
    let Ok(sc) = scene else {
        return Trace::default();
    };
    let step = state.anim.step.and_then(|i| steps.get(i));
    let a = &state.anim;
    trace::current(&sc.forward, state.trace, step, a.channel, a.scatter)
}

/// The current step's box in the volume view, if a step is shown.
fn current_active(
    scene: &Result<Scene, String>,
    state: &AppState,
    steps: &[conv_core::Step],
) -> Option<Active> {
    let sc = scene.as_ref().ok()?;
    let step = state.anim.step.and_then(|i| steps.get(i))?;
    volume::active(&sc.forward, step, state.anim.channel)
}
