//! Writes, as JSON on standard output, one case per setting of `snippets::sweep()`: the spec, the
//! PyTorch and Keras snippets with their notes, and the page's own input, weights (PyTorch
//! layout) and output for it, built as the page builds them (`Scene::build`). Read by
//! `tests/snippets/check.py`, which runs every snippet on that input with those weights.
//!
//! `cargo run -q -p conv-playground --example snippet_cases > cases.json`

use conv_core::{InputPattern, KernelPreset};
use conv_playground::scene::{Scene, SceneKey};
use conv_playground::snippets::{snippets, sweep};
use conv_playground::state::InputMode;
use serde_json::{json, Value};

/// `{shape, data}` of an array, data in row-major order.
fn tensor<D: ndarray::Dimension>(a: &ndarray::ArrayRef<f32, D>) -> Value {
    json!({ "shape": a.shape(), "data": a.iter().copied().collect::<Vec<f32>>() })
}

fn main() {
    let mut cases = Vec::new();
    for (i, spec) in sweep().into_iter().enumerate() {
        let key = SceneKey {
            spec: spec.clone(),
            input: InputMode::Grid,
            kernel: KernelPreset::Random,
            pattern: InputPattern::Random,
            seed: 1 + i as u64,
            image: None,
        };
        let scene = Scene::build(&key).unwrap_or_else(|e| panic!("{spec:?}: {e}"));
        let code = snippets(&spec);
        let weights: Vec<Value> = scene
            .weights
            .convs
            .iter()
            .map(|c| {
                json!({
                    "weight": tensor(&c.weight),
                    "bias": c.bias.as_ref().map(|b| tensor(b)),
                })
            })
            .collect();
        cases.push(json!({
            "spec": scene.spec,
            "pytorch": code.pytorch,
            "keras": code.keras,
            "notes": code.notes,
            "input": tensor(&scene.forward.stages[0].data),
            "weights": weights,
            "output": tensor(&scene.forward.output().data),
        }));
    }
    println!("{}", Value::Array(cases));
}
