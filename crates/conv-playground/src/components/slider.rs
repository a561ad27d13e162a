//! One labelled range slider, reused for every numeric parameter. When `values` is given the
//! slider moves through those values only (groups: the divisors of both channel counts).

use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct SliderProps {
    /// Element id, also the hook for tests (`slider-<param>`).
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: usize,
    pub min: usize,
    pub max: usize,
    /// Allowed values, ascending; the slider then steps through their indices.
    #[prop_or_default]
    pub values: Option<Vec<usize>>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    pub on_change: Callback<usize>,
}

#[function_component(Slider)]
pub fn slider(p: &SliderProps) -> Html {
    let (min, max, pos) = match &p.values {
        Some(v) if !v.is_empty() => (
            0,
            v.len() - 1,
            v.iter().position(|&x| x == p.value).unwrap_or(0),
        ),
        _ => (
            p.min,
            p.max.max(p.min),
            p.value.clamp(p.min, p.max.max(p.min)),
        ),
    };
    let oninput = {
        let values = p.values.clone();
        let cb = p.on_change.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Ok(raw) = input.value().parse::<usize>() else {
                return;
            };
            let value = match &values {
                Some(v) => v.get(raw).copied().unwrap_or(raw),
                None => raw,
            };
            cb.emit(value);
        })
    };
    let hint_id = format!("{}-hint", p.id);
    html! {
        <div class="slider">
            <div class="slider-head">
                <label for={p.id.clone()}>{ p.label.clone() }</label>
                <output for={p.id.clone()} class="value">{ p.value }</output>
            </div>
            <input type="range" id={p.id.clone()} min={min.to_string()} max={max.to_string()} step="1"
                value={pos.to_string()} aria-valuetext={p.value.to_string()}
                aria-describedby={p.hint.as_ref().map(|_| hint_id.clone())}
                disabled={min == max} {oninput} />
            if let Some(h) = &p.hint {
                <div class="hint" id={hint_id}>{ h.clone() }</div>
            }
        </div>
    }
}
