//! The live figures (with the `data-stat` hooks): a compact strip above the figure, the
//! comparison with the standard alternative after it (where the layer has one), and the formulas
//! with the numbers filled in. All of them come from the state's [`crate::scene::Summary`], so
//! they follow an input in the task that answers it, before a large layer's scene.

use yew::prelude::*;

use crate::context::use_app;
use crate::fixed::{fixed, Fixed};
use crate::i18n::{group_digits, tr, trf, Lang};

/// "25.0 % of the alternative", "1.50× the alternative", "the same as the alternative".
fn ratio_text(lang: Lang, r: f64) -> String {
    if (r - 1.0).abs() < 1e-12 {
        tr(lang, "ratio.same").to_string()
    } else if r < 1.0 {
        trf(
            lang,
            "ratio.less",
            &[("ratio", format!("{} %", Fixed(r * 100.0, 1)))],
        )
    } else {
        trf(lang, "ratio.more", &[("ratio", fixed(r, 2))])
    }
}

/// One figure of a `<dl>`: its name, its value under the `data-stat` hook, and a remark.
fn entry(lang: Lang, key: &'static str, value: String, remark: Option<String>) -> Html {
    html! {
        <div class="stat">
            <dt>{ tr(lang, &format!("stat.{key}")) }</dt>
            <dd><span data-stat={key}>{ value }</span>
                if let Some(x) = remark { <span class="ratio">{ x }</span> }
            </dd>
        </div>
    }
}

/// A formula with its numbers filled in: `symbolic = substituted = value`.
fn filled(f: &conv_core::Formula) -> String {
    format!("{} = {} = {}", f.symbolic, f.substituted, f.value)
}

/// Output shape, parameters, MACs, FLOPs and the kernel extent in one line above the figure.
#[function_component(Stats)]
pub fn stats() -> Html {
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    let Ok(scene) = &*ctx.summary else {
        return html! {};
    };
    let c = &scene.costs;
    let [co, ho, wo] = c.output_shape;
    let alt = scene.spec.layer.has_standard_alternative();
    let stat = |key, value, ratio: Option<f64>| {
        entry(
            lang,
            key,
            value,
            ratio.filter(|_| alt).map(|r| ratio_text(lang, r)),
        )
    };
    html! {
        <section class="stats" aria-label={tr(lang, "stats")}>
            <dl>
                { stat("output-shape", format!("{co}×{ho}×{wo}"), None) }
                { stat("params", group_digits(c.params), Some(c.params_ratio)) }
                { stat("macs", group_digits(c.macs), Some(c.macs_ratio)) }
                { stat("flops", group_digits(c.flops), None) }
                { stat("receptive-field", format!("{}×{}", c.receptive_field[0], c.receptive_field[1]), None) }
            </dl>
        </section>
    }
}

/// After the figure: what the layer saves against the plain layer a reader would otherwise use;
/// for a layer that is its own alternative, how its output size comes about instead.
#[function_component(Comparison)]
pub fn comparison() -> Html {
    let Some(ctx) = use_app() else {
        return html! {};
    };
    let lang = ctx.lang();
    let Ok(scene) = &*ctx.summary else {
        return html! {};
    };
    let c = &scene.costs;
    let layer = scene.spec.layer.name();
    if !scene.spec.layer.has_standard_alternative() {
        // The comparison would repeat the layer's own numbers: keep the hooks, show the size.
        let sizes = scene
            .formulas
            .iter()
            .filter(|f| matches!(f.id, "upsampled-size" | "output-height"));
        return html! {
            <section class="comparison" aria-label={tr(lang, "stat.output-shape")}>
                <span hidden=true data-stat="standard-params">{ group_digits(c.standard_params) }</span>
                <span hidden=true data-stat="standard-macs">{ group_digits(c.standard_macs) }</span>
                { for sizes.map(|f| html! {
                    <p class="size-formula"><span class="formula-name">{ tr(lang, &format!("formula.{}", f.id)) }{ ": " }</span>
                        <code>{ filled(f) }</code></p>
                }) }
                <p class="note">{ tr(lang, "flops.convention") }</p>
            </section>
        };
    }
    let card = |key, value, ratio| {
        let remark = trf(lang, "stat.layer-is", &[("ratio", ratio_text(lang, ratio))]);
        entry(lang, key, value, Some(remark))
    };
    html! {
        <section class="comparison" aria-label={tr(lang, "comparison")}>
            <dl class="cards">
                { card("standard-params", group_digits(c.standard_params), c.params_ratio) }
                { card("standard-macs", group_digits(c.standard_macs), c.macs_ratio) }
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
    let Ok(scene) = &*ctx.summary else {
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
