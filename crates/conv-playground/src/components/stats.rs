//! The live figures (with the `data-stat` hooks) and the formulas with the numbers filled in.

use yew::prelude::*;

use super::use_app;
use crate::i18n::{group_digits, tr};

fn ratio_text(r: f64) -> String {
    if (r - 1.0).abs() < 1e-12 {
        "1×".into()
    } else if r < 1.0 {
        format!("{:.1} %", r * 100.0)
    } else {
        format!("{r:.2}×")
    }
}

#[function_component(Stats)]
pub fn stats() -> Html {
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    let Ok(scene) = &*ctx.scene.0 else {
        return html! {};
    };
    let c = &scene.costs;
    let [co, ho, wo] = c.output_shape;
    let layer = scene.spec.layer.name();
    let stat = |key: &'static str, value: String, extra: Option<String>| {
        html! {
            <div class="stat">
                <dt>{ tr(lang, &format!("stat.{key}")) }</dt>
                <dd><span data-stat={key}>{ value }</span>
                    if let Some(x) = extra { <span class="ratio">{ x }</span> }
                </dd>
            </div>
        }
    };
    html! {
        <section class="stats" aria-label={tr(lang, "stats")}>
            <dl>
                { stat("output-shape", format!("{co}×{ho}×{wo}"), None) }
                { stat("params", group_digits(c.params), Some(format!("{} {}", ratio_text(c.params_ratio), tr(lang, "stat.ratio")))) }
                { stat("macs", group_digits(c.macs), Some(format!("{} {}", ratio_text(c.macs_ratio), tr(lang, "stat.ratio")))) }
                { stat("flops", group_digits(c.flops), None) }
                { stat("standard-params", group_digits(c.standard_params), None) }
                { stat("standard-macs", group_digits(c.standard_macs), None) }
                { stat("receptive-field", format!("{}×{}", c.receptive_field[0], c.receptive_field[1]), None) }
            </dl>
            <p class="note">{ tr(lang, &format!("alt.{layer}")) }{ " " }{ tr(lang, "flops.convention") }</p>
        </section>
    }
}

#[function_component(Formulas)]
pub fn formulas() -> Html {
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    let Ok(scene) = &*ctx.scene.0 else {
        return html! {};
    };
    html! {
        <details class="formulas" open={!ctx.state.embed}>
            <summary>{ tr(lang, "formulas") }</summary>
            <ul>
                { for scene.formulas.iter().map(|f| html! {
                    <li data-formula={f.id}>
                        <span class="formula-name">{ tr(lang, &format!("formula.{}", f.id)) }</span>
                        <code class="symbolic">{ &f.symbolic }</code>
                        <code class="filled">{ format!("= {} = {}", f.substituted, f.value) }</code>
                    </li>
                }) }
            </ul>
        </details>
    }
}
