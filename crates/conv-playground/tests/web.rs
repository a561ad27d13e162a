//! Browser tests of the front end: the app mounted into a fresh node in headless Chromium.
#![cfg(target_arch = "wasm32")]

use conv_playground::components::Slider;
use conv_playground::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlCanvasElement, HtmlElement, HtmlInputElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A new mount point, with the address bar reset (the app reads its state from the URL and
/// writes it back, so tests sharing one page must not see each other's state).
fn fresh_root() -> web_sys::Element {
    let window = web_sys::window().unwrap();
    let path = window.location().pathname().unwrap();
    window
        .history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path))
        .unwrap();
    let doc = window.document().unwrap();
    let div = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&div).unwrap();
    div
}

/// The next animation frame: the tasks queued before it (Yew's renders, effects) have run.
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .request_animation_frame(&resolve)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Waits frame by frame until `done` holds (a signal the page gives: its ready mark, a redraw
/// counter, a value it shows); fails after 600 frames (about ten seconds).
async fn until(what: &str, done: impl Fn() -> bool) {
    for _ in 0..600 {
        if done() {
            return;
        }
        next_frame().await;
    }
    panic!("not seen after 600 frames: {what}");
}

/// The app in `root` is mounted and has drawn every canvas of its figure, in either view (the
/// volume view's one canvas or the channel view's per-map ones; `data-drawn` counts redraws).
fn app_drawn(root: &web_sys::Element) -> bool {
    let ready = root
        .query_selector("[data-ready=\"true\"] [data-stat=\"output-shape\"]")
        .unwrap()
        .is_some();
    let canvases = root
        .query_selector_all("canvas[data-volume], canvas[data-stage-canvas]")
        .unwrap();
    ready
        && canvases.length() > 0
        && (0..canvases.length()).all(|i| {
            canvases
                .item(i)
                .and_then(|c| c.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|c| c.has_attribute("data-drawn"))
        })
}

fn stat(root: &web_sys::Element, name: &str) -> String {
    root.query_selector(&format!("[data-stat=\"{name}\"]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no data-stat {name}"))
        .text_content()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn app_shows_the_figures_and_paints_canvases() {
    let root = fresh_root();
    yew::Renderer::<App>::with_root(root.clone()).render();
    until("the app drawn", || app_drawn(&root)).await;
    assert_eq!(stat(&root, "output-shape"), "16×4×4");
    assert_eq!(stat(&root, "params"), "448");
    assert_eq!(stat(&root, "flops"), "13,824");
    // Volumes by default: the whole computation on one canvas.
    let canvas: HtmlCanvasElement = root
        .query_selector("figure[data-view=\"volume\"] canvas[data-volume]")
        .unwrap()
        .expect("the volume view")
        .dyn_into()
        .unwrap();
    assert!(canvas.width() > 50 && canvas.height() > 50);
    let cells: usize = canvas.get_attribute("data-cells").unwrap().parse().unwrap();
    assert!(cells > 100, "{cells} cells drawn");
}

#[wasm_bindgen_test]
async fn choosing_a_layer_changes_the_figures() {
    let root = fresh_root();
    yew::Renderer::<App>::with_root(root.clone()).render();
    until("the app drawn", || app_drawn(&root)).await;
    let select: web_sys::HtmlSelectElement = root
        .query_selector("#layer-select")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    select.set_value("grouped");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    // The layer picker names the layer it shows (`data-layer`) once the change is rendered.
    until("the grouped layer rendered", || {
        root.query_selector(".about[data-layer=\"grouped\"]")
            .unwrap()
            .is_some()
    })
    .await;
    assert_eq!(stat(&root, "output-shape"), "8×4×4");
    assert_eq!(stat(&root, "params"), "152");
    assert!(root.query_selector("#slider-groups").unwrap().is_some());
}

#[derive(Properties, PartialEq)]
struct Harness {
    values: Option<Vec<usize>>,
}

#[function_component(SliderHarness)]
fn slider_harness(p: &Harness) -> Html {
    let value = use_state(|| 2usize);
    let on_change = {
        let value = value.clone();
        Callback::from(move |v| value.set(v))
    };
    html! {
        <>
            <Slider id="s" label="Groups" value={*value} min={1} max={8} values={p.values.clone()} {on_change} />
            <span id="seen">{ *value }</span>
        </>
    }
}

#[wasm_bindgen_test]
async fn slider_steps_through_allowed_values_only() {
    let root = fresh_root();
    yew::Renderer::<SliderHarness>::with_root_and_props(
        root.clone(),
        Harness {
            values: Some(vec![1, 2, 4, 8]),
        },
    )
    .render();
    until("the slider rendered", || {
        root.query_selector("#s").unwrap().is_some()
    })
    .await;
    let input: HtmlInputElement = root
        .query_selector("#s")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(input.max(), "3");
    assert_eq!(input.value(), "1", "value 2 is index 1");
    input.set_value("2");
    input
        .dispatch_event(&web_sys::InputEvent::new("input").unwrap())
        .unwrap();
    let seen: HtmlElement = root
        .query_selector("#seen")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    // The harness shows the value its slider reported: wait for it to leave 2.
    until("the harness shows the new value", || {
        seen.text_content().unwrap() != "2"
    })
    .await;
    assert_eq!(seen.text_content().unwrap(), "4");
    let label = root.query_selector("label[for=s]").unwrap().unwrap();
    assert_eq!(label.text_content().unwrap(), "Groups");
}

/// The colour scale of an array in this build (wasm SIMD over runs of eight) is the scalar rule
/// `max_abs`: the largest finite magnitude, at every place, among NaN and infinities, in runs and
/// in the remainder.
#[wasm_bindgen_test]
fn the_scale_of_an_array_is_the_scalar_rule_in_the_wasm_build() {
    use conv_playground::palette::{max_abs, max_abs_of};
    for n in [1, 4, 7, 8, 9, 16, 61] {
        for at in 0..n {
            let mut v: Vec<f32> = (0..n).map(|i| ((i * 7) % 5) as f32 * 0.1 - 0.2).collect();
            v[at] = if at % 2 == 0 { -3.5 } else { 2.25 };
            v[(at + 1) % n] = f32::NAN;
            v[(at + 3) % n] = if at % 3 == 0 {
                f32::NEG_INFINITY
            } else {
                f32::INFINITY
            };
            let got = max_abs_of(&ndarray::Array1::from(v.clone()));
            assert_eq!(got, max_abs(&v), "{n} values, the largest at {at}");
            if n > 3 {
                assert_eq!(got, v[at].abs(), "{n} values, the largest at {at}");
            }
        }
    }
}
