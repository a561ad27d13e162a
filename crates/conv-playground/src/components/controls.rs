//! The control panel: layer picker, the sliders the current layer uses, padding mode, bias,
//! kernel and input presets.

use conv_core::{
    InputPattern, KernelPreset, LayerKind, LayerSpec, PaddingMode, PaddingSpec, Param, UpsampleMode,
};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::Slider;
use crate::context::{use_app, AppContext};
use crate::dom;
use crate::i18n::tr;
use crate::state::{Action, ImageInput, InputMode};
use crate::tour;

#[function_component(Controls)]
pub fn controls() -> Html {
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    let spec = ctx.state.spec.effective();
    let sliders = spec
        .layer
        .params()
        .iter()
        .filter(|p| !matches!(p, Param::Bias | Param::AlignCorners | Param::PaddingMode))
        .map(|&param| param_control(&ctx, &spec, param));
    let reset = {
        let d = ctx.dispatch.clone();
        Callback::from(move |_| d.emit(Action::ResetLayer))
    };
    html! {
        <div class="controls" id="parameters">
            { for sliders }
            { bias_toggle(&ctx, spec.bias) }
            { kernel_select(&ctx) }
            <InputPicker />
            <button type="button" class="secondary" onclick={reset}>{ tr(lang, "reset") }</button>
        </div>
    }
}

/// The slider of one parameter; for padding with the number / `same` / `valid` switch beside it;
/// for the upsampling mode its switch (and `align_corners` with bilinear).
fn param_control(ctx: &AppContext, spec: &LayerSpec, param: Param) -> Html {
    if param == Param::Mode {
        return upsample_mode(ctx, spec);
    }
    let lang = ctx.lang();
    let limits = ctx.state.input.limits();
    let layer = spec.layer;
    let frame = ctx.frame.clone();
    let on_change = Callback::from(move |v: usize| frame.send(Action::SetParam(param, v)));
    let (min, max) = spec.range(param, &limits);
    let value = spec.get(param);
    let values = match param {
        Param::Groups => Some(spec.valid_groups()),
        Param::OutChannels if layer == LayerKind::Depthwise => Some(
            (1..=limits.max_channels / spec.in_channels.max(1))
                .map(|m| m * spec.in_channels)
                .collect(),
        ),
        _ => None,
    };
    let hint = (param == Param::Groups).then(|| AttrValue::from(tr(lang, "groups.hint")));
    let id = format!("slider-{}", param.name());
    let label = tr(lang, &format!("param.{}", param.name()));
    let slider = html! {
        <Slider id={id} label={label} {value} {min} {max} {values} {hint} {on_change} />
    };
    if param != Param::Padding {
        return slider;
    }
    html! {
        <div class="padding-control">
            { slider }
            if layer != LayerKind::Transposed {
                { padding_modes(ctx, spec.padding, value) }
            }
            if layer.uses(Param::PaddingMode) {
                { padding_fill(ctx, spec.padding_mode) }
            }
        </div>
    }
}

/// Number, `same` or `valid` padding; the number keeps the slider's `value`.
fn padding_modes(ctx: &AppContext, current: PaddingSpec, value: usize) -> Html {
    let lang = ctx.lang();
    let mode_button = |mode: PaddingSpec, key: &'static str| {
        let d = ctx.dispatch.clone();
        let active = match (mode, current) {
            (PaddingSpec::Explicit(_), PaddingSpec::Explicit(_)) => true,
            (a, b) => a == b,
        };
        let target = match mode {
            PaddingSpec::Explicit(_) => PaddingSpec::Explicit(value),
            m => m,
        };
        html! {
            <button type="button" class={classes!("chip", active.then_some("active"))}
                aria-pressed={active.to_string()}
                onclick={Callback::from(move |_| d.emit(Action::SetPadding(target)))}>{ tr(lang, key) }</button>
        }
    };
    html! {
        <div class="switch" role="group" aria-label={tr(lang, "param.padding")}>
            { mode_button(PaddingSpec::Explicit(0), "padding.number") }
            { mode_button(PaddingSpec::Same, "padding.same") }
            { mode_button(PaddingSpec::Valid, "padding.valid") }
        </div>
    }
}

/// What the padded cells hold (`padding_mode`): zeros, reflection, edge copies or wrap-around.
fn padding_fill(ctx: &AppContext, current: PaddingMode) -> Html {
    let d = ctx.dispatch.clone();
    let names = PaddingMode::ALL.map(|m| m.name());
    named_select(
        ctx,
        "padding-mode-select",
        "param.padding_mode",
        &names,
        "padmode.",
        current as usize,
        Callback::from(move |i| d.emit(Action::SetParam(Param::PaddingMode, i))),
    )
}

/// A labelled `<select>` (`#id`, label `tr(label)`) of `names`, each shown as `tr(prefix + name)`,
/// the `current`-th selected; picking one gives its position to `pick`.
pub(super) fn named_select(
    ctx: &AppContext,
    id: &'static str,
    label: &str,
    names: &[&'static str],
    prefix: &str,
    current: usize,
    pick: Callback<usize>,
) -> Html {
    let lang = ctx.lang();
    let count = names.len();
    let on_change = Callback::from(move |e: Event| {
        let sel: HtmlSelectElement = e.target_unchecked_into();
        if let Ok(i) = usize::try_from(sel.selected_index()) {
            if i < count {
                pick.emit(i);
            }
        }
    });
    html! {
        <div class="row">
            <label for={id} class="field-label">{ tr(lang, label) }</label>
            <select {id} onchange={on_change}>
                { for names.iter().enumerate().map(|(i, name)| html! {
                    <option value={*name} selected={i == current}>{ tr(lang, &format!("{prefix}{name}")) }</option>
                }) }
            </select>
        </div>
    }
}

/// The key of the layer's one-line explanation (bilinear upsampling has its own).
fn about_key(spec: &LayerSpec) -> String {
    match spec.layer {
        LayerKind::Upsample if spec.upsample_mode == UpsampleMode::Bilinear => {
            "about.upsample-bilinear".into()
        }
        kind => format!("about.{}", kind.name()),
    }
}

/// `nearest` / `bilinear` as `nn.Upsample(mode=…)`, and with bilinear the `align_corners`
/// checkbox.
fn upsample_mode(ctx: &AppContext, spec: &LayerSpec) -> Html {
    let lang = ctx.lang();
    let mode_button = |mode: UpsampleMode| {
        let d = ctx.dispatch.clone();
        let active = spec.upsample_mode == mode;
        let on_click =
            Callback::from(move |_| d.emit(Action::SetParam(Param::Mode, mode as usize)));
        html! {
            <button type="button" class={classes!("chip", active.then_some("active"))}
                aria-pressed={active.to_string()} data-mode={mode.name()}
                onclick={on_click}>{ tr(lang, &format!("mode.{}", mode.name())) }</button>
        }
    };
    html! {
        <div class="mode-control">
            <span class="field-label" id="mode-label">{ tr(lang, "param.mode") }</span>
            <div class="switch" role="group" aria-labelledby="mode-label">
                { for UpsampleMode::ALL.into_iter().map(mode_button) }
            </div>
            if spec.upsample_mode == UpsampleMode::Bilinear {
                { flag_toggle(ctx, Param::AlignCorners, spec.align_corners, html! {
                    <>{ tr(lang, "param.align_corners") }{ " " }<code>{ "align_corners" }</code></>
                }) }
            }
        </div>
    }
}

/// The bias checkbox.
fn bias_toggle(ctx: &AppContext, bias: bool) -> Html {
    flag_toggle(
        ctx,
        Param::Bias,
        bias,
        html! { tr(ctx.lang(), "param.bias") },
    )
}

/// The checkbox of an on/off parameter (`#bias-toggle`, `#align-corners-toggle`).
fn flag_toggle(ctx: &AppContext, param: Param, on: bool, label: Html) -> Html {
    let id = format!("{}-toggle", param.name().replace('_', "-"));
    let d = ctx.dispatch.clone();
    let flip = Callback::from(move |_: Event| d.emit(Action::SetParam(param, usize::from(!on))));
    html! {
        <div class="checkbox">
            <input type="checkbox" id={id.clone()} checked={on} onchange={flip} />
            <label for={id}>{ label }</label>
        </div>
    }
}

/// The kernel preset picker.
fn kernel_select(ctx: &AppContext) -> Html {
    let d = ctx.dispatch.clone();
    let names = KernelPreset::ALL.map(|k| k.name());
    let current = KernelPreset::ALL
        .iter()
        .position(|k| *k == ctx.state.kernel)
        .unwrap_or(0);
    named_select(
        ctx,
        "kernel-select",
        "kernels",
        &names,
        "preset.",
        current,
        Callback::from(move |i| d.emit(Action::SetKernel(KernelPreset::ALL[i]))),
    )
}

/// The layer type, what it does in a sentence, and the way into the tour.
#[function_component(LayerPicker)]
pub fn layer_picker() -> Html {
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    let layer = ctx.state.spec.layer;
    let on_layer = {
        let d = ctx.dispatch.clone();
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            if let Some(kind) = LayerKind::from_name(&sel.value()) {
                d.emit(Action::SetLayer(kind));
            }
        })
    };
    let to_tour = {
        let d = ctx.dispatch.clone();
        let stop = tour::stop_for(layer);
        Callback::from(move |_| d.emit(Action::Tour(Some(stop))))
    };
    html! {
        <div class="picker">
            <label for="layer-select" class="field-label">{ tr(lang, "layer") }</label>
            <select id="layer-select" onchange={on_layer}>
                { for LayerKind::ALL.iter().map(|k| html! {
                    <option value={k.name()} selected={*k == layer}>{ tr(lang, &format!("layer.{}", k.name())) }</option>
                }) }
            </select>
            <p class="about" data-layer={layer.name()}>{ tr(lang, &about_key(&ctx.state.spec)) }</p>
            <p class="tour-link"><button type="button" class="link" onclick={to_tour}>{ tr(lang, "tour.open") }</button></p>
        </div>
    }
}

/// The parameters: a side column on wide pages; on phones a drawer at the bottom of the screen
/// that stays open while the figure above it redraws.
#[function_component(ParamDrawer)]
pub fn param_drawer() -> Html {
    let open = use_state(|| false);
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| {
            // Opened over the lower part of a phone screen, the drawer would hide the figure:
            // bring the figure to the top, so the maps redraw in view above the sliders.
            if !*open {
                if let Some(el) = dom::window()
                    .ok()
                    .and_then(|w| w.document())
                    .and_then(|d| d.query_selector(".figure-panel .stages").ok().flatten())
                {
                    el.scroll_into_view_with_bool(true);
                }
            }
            open.set(!*open)
        })
    };
    html! {
        <aside class={classes!("drawer", open.then_some("open"))} aria-label={tr(lang, "controls")}>
            <button type="button" class="drawer-toggle" aria-expanded={open.to_string()} aria-controls="parameters" onclick={toggle}>
                { tr(lang, "controls") }<span aria-hidden="true">{ if *open { " ▾" } else { " ▴" } }</span>
            </button>
            <Controls />
        </aside>
    }
}

/// Numbers or a picture: the pattern of the grid, or the reader's own image.
#[function_component(InputPicker)]
fn input_picker() -> Html {
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    let state = &ctx.state;
    let mode_button = |mode: InputMode, key: &'static str| {
        let d = ctx.dispatch.clone();
        let active = state.input == mode;
        html! {
            <button type="button" class={classes!("chip", active.then_some("active"))} aria-pressed={active.to_string()}
                onclick={Callback::from(move |_| d.emit(Action::SetInputMode(mode)))}>{ tr(lang, key) }</button>
        }
    };
    html! {
        <div class="input-picker">
            <span class="field-label">{ tr(lang, "input.mode") }</span>
            <div class="switch" role="group" aria-label={tr(lang, "input.mode")}>
                { mode_button(InputMode::Grid, "input.grid") }
                { mode_button(InputMode::Image, "input.image") }
            </div>
            { pattern_row(&ctx) }
            if state.input == InputMode::Image {
                { image_chooser(&ctx) }
            }
        </div>
    }
}

/// The grid's pattern (or the sample picture) and, for the grid, new random numbers.
fn pattern_row(ctx: &AppContext) -> Html {
    let lang = ctx.lang();
    let state = &ctx.state;
    let grid = state.input == InputMode::Grid;
    let on_pattern = {
        let d = ctx.dispatch.clone();
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            if let Some(p) = InputPattern::from_name(&sel.value()) {
                d.emit(Action::SetPattern(p));
            }
        })
    };
    let reseed = {
        let d = ctx.dispatch.clone();
        Callback::from(move |_| d.emit(Action::Reseed))
    };
    html! {
        <div class="row">
            <label for="pattern-select" class="field-label">{ tr(lang, if grid { "input.pattern" } else { "input.sample-picture" }) }</label>
            <select id="pattern-select" onchange={on_pattern}>
                { for InputPattern::ALL.iter().map(|p| html! {
                    <option value={p.name()} selected={*p == state.pattern}>{ tr(lang, &format!("pattern.{}", p.name())) }</option>
                }) }
            </select>
            if grid {
                <button type="button" class="chip" onclick={reseed}>{ tr(lang, "reseed") }</button>
            }
        </div>
    }
}

/// The file chooser of the picture mode, and the way back to the sample picture.
fn image_chooser(ctx: &AppContext) -> Html {
    let lang = ctx.lang();
    let clear = {
        let d = ctx.dispatch.clone();
        Callback::from(move |_| d.emit(Action::ClearImage))
    };
    html! {
        <>
            <label for="image-file" class="field-label">{ tr(lang, "input.upload") }</label>
            <input type="file" id="image-file" accept="image/*" onchange={on_file(ctx.dispatch.clone())} />
            if ctx.state.image.is_some() {
                <button type="button" class="secondary" onclick={clear}>{ tr(lang, "input.sample") }</button>
            }
        </>
    }
}

/// A chosen file, decoded in the browser: the picture, or the reason it is refused.
fn on_file(d: Callback<Action>) -> Callback<Event> {
    Callback::from(move |e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let d = d.clone();
        yew::platform::spawn_local(async move {
            let name = file.name();
            match dom::decode_image(&file).await {
                Ok((width, height, rgba)) => d.emit(Action::SetImage(ImageInput {
                    id: js_sys::Date::now() as u64,
                    name,
                    width,
                    height,
                    rgba: std::rc::Rc::new(rgba),
                })),
                Err(reason) => d.emit(Action::RejectFile { name, reason }),
            }
        });
        // Let the same file be chosen again.
        input.set_value("");
    })
}
