//! conv-core for the in-browser benchmark: a layer of one benchmark shape (S1–S7) with its
//! weights prepared once; each call takes a `Float32Array` and returns one, as the engines it is
//! compared with do.

use conv_core::benchmarks::{shapes, BenchOp, BenchShape};
use conv_core::{conv2d, conv_transpose2d, upsample_nearest, Conv2dOptions};
use ndarray::{Array4, ArrayView3};
use wasm_bindgen::prelude::*;

/// One benchmark layer with prepared weights.
#[wasm_bindgen]
pub struct BenchLayer {
    shape: BenchShape,
    weight: Array4<f32>,
}

#[wasm_bindgen]
impl BenchLayer {
    /// The layer of shape `id` ("S1" … "S7") with `weight` in PyTorch layout.
    #[wasm_bindgen(constructor)]
    pub fn new(id: &str, weight: &[f32]) -> Result<BenchLayer, JsError> {
        let shape = shapes()
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| JsError::new(&format!("unknown shape {id}")))?;
        let weight = Array4::from_shape_vec(shape.weight_shape(), weight.to_vec())
            .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(BenchLayer { shape, weight })
    }

    /// Run on `input` (`C × H × W`, row-major); returns the output, row-major.
    pub fn run(&self, input: &[f32]) -> Result<Vec<f32>, JsError> {
        let x = ArrayView3::from_shape(self.shape.input, input)
            .map_err(|e| JsError::new(&e.to_string()))?;
        let out = match &self.shape.op {
            BenchOp::Conv { options, .. } => conv2d(x, self.weight.view(), None, options),
            BenchOp::Transposed { options, .. } => {
                conv_transpose2d(x, self.weight.view(), None, options)
            }
            BenchOp::UpsampleConv { scale, pad, .. } => upsample_nearest(x, [*scale, *scale])
                .and_then(|up| {
                    conv2d(
                        up.view(),
                        self.weight.view(),
                        None,
                        &Conv2dOptions::square(1, *pad, 1, 1),
                    )
                }),
        }
        .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(out.into_raw_vec_and_offset().0)
    }
}

/// The shapes as JSON-friendly rows: `[id, name, C, H, W, weight dims…, MACs]`.
#[wasm_bindgen]
pub fn shape_table() -> String {
    let rows: Vec<String> = shapes()
        .iter()
        .map(|s| {
            let (c, h, w) = s.input;
            let (a, b, k1, k2) = s.weight_shape();
            format!(
                "{{\"id\":\"{}\",\"name\":\"{}\",\"input\":[{c},{h},{w}],\"weight\":[{a},{b},{k1},{k2}],\"macs\":{}}}",
                s.id,
                s.name,
                s.macs()
            )
        })
        .collect();
    format!("[{}]", rows.join(","))
}
