//! Animation controls: play, pause, step back and forward, scrub, speed, the transposed view,
//! the followed channel; and the written-out sum of the current step or traced cell.

use yew::prelude::*;

use super::Slider;
use crate::context::use_app;
use crate::i18n::tr;
use crate::state::{Action, View};

#[function_component(Player)]
pub fn player() -> Html {
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    let anim = &ctx.state.anim;
    let n = ctx.steps;
    let current = anim.step.map_or(0, |s| s + 1);
    let d = ctx.dispatch.clone();
    let send = move |a: Action| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.emit(a.clone()))
    };
    let play_pause = if anim.playing {
        html! { <button type="button" class="primary" onclick={send(Action::Pause)}>{ "❚❚ " }{ tr(lang, "anim.pause") }</button> }
    } else {
        html! { <button type="button" class="primary" onclick={send(Action::Play)}>{ "▶ " }{ tr(lang, "anim.play") }</button> }
    };
    let scrub = {
        let frame = ctx.frame.clone();
        Callback::from(move |v: usize| {
            frame.send(Action::StepTo {
                index: v.saturating_sub(1),
                n,
            })
        })
    };
    let speed = {
        let frame = ctx.frame.clone();
        Callback::from(move |v: usize| frame.send(Action::SetSpeed(v)))
    };
    let out_channels = ctx.out_channels;
    let follow = {
        let frame = ctx.frame.clone();
        Callback::from(move |v: usize| frame.send(Action::FollowChannel(v)))
    };
    let view_switch = ctx.transposed.then(|| {
        let d = ctx.dispatch.clone();
        let button = |scatter: bool, key: &'static str| {
            let d = d.clone();
            let active = anim.scatter == scatter;
            html! {
                <button type="button" class={classes!("chip", active.then_some("active"))} aria-pressed={active.to_string()}
                    onclick={Callback::from(move |_| d.emit(Action::SetScatter(scatter)))}>{ tr(lang, key) }</button>
            }
        };
        html! {
            <div class="switch" role="group" aria-label={tr(lang, "anim.view")}>
                { button(false, "anim.view.conv") }
                { button(true, "anim.view.scatter") }
            </div>
        }
    });
    let embed = ctx.state.embed;
    html! {
        <div class="player" role="group" aria-label={tr(lang, "anim")}>
            <div class="player-buttons">
                <button type="button" aria-label={tr(lang, "anim.back")} onclick={send(Action::StepBy { delta: -1, n })}>{ "◀" }</button>
                { play_pause }
                <button type="button" aria-label={tr(lang, "anim.forward")} onclick={send(Action::StepBy { delta: 1, n })}>{ "▶❘" }</button>
                <span class="step-count">{ tr(lang, "anim.step") }{ " " }<span data-stat="step">{ format!("{current} / {n}") }</span></span>
            </div>
            if !embed {
                <div class="player-sliders">
                    <Slider id="slider-step" label={tr(lang, "anim.step")} value={current.max(1)} min={1} max={n.max(1)} on_change={scrub} />
                    <Slider id="slider-speed" label={tr(lang, "anim.speed")} value={anim.speed} min={1} max={20} on_change={speed} />
                    if out_channels > 1 {
                        <Slider id="slider-channel" label={tr(lang, "anim.channel")} value={anim.channel.min(out_channels - 1)} min={0} max={out_channels - 1} on_change={follow} />
                    }
                </div>
            }
            { for view_switch }
        </div>
    }
}

/// One line under the figure: the written-out sum of the current step or traced cell, or how
/// to get one.
#[function_component(TraceLine)]
pub fn trace_line() -> Html {
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    let text = ctx.trace.text.clone();
    let active = text.is_some();
    html! {
        <div class={classes!("trace", active.then_some("active"))} aria-live="polite" tabindex={active.then_some("0")}>
            if active {
                <span class="trace-label">{ tr(lang, "trace") }{ ": " }</span>
            } else {
                <span class="hint">{ tr(lang, "trace.hint") }{ " " }{ tr(lang, "anim.keys") }</span>
            }
            <code data-stat="trace">{ text.unwrap_or_default() }</code>
        </div>
    }
}

/// Volumes or channel grids (`view=volume|channels`).
#[function_component(ViewSwitch)]
pub fn view_switch() -> Html {
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    let button = |view: View, key: &'static str| {
        let d = ctx.dispatch.clone();
        let active = ctx.state.view == view;
        html! {
            <button type="button" class={classes!("chip", active.then_some("active"))} aria-pressed={active.to_string()}
                data-view-button={view.code()}
                onclick={Callback::from(move |_| d.emit(Action::SetView(view)))}>{ tr(lang, key) }</button>
        }
    };
    html! {
        <div class="switch view-switch" role="group" aria-label={tr(lang, "view")}>
            { button(View::Volume, "view.volume") }
            { button(View::Channels, "view.channels") }
        </div>
    }
}
