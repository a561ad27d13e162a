//! conv-core for the in-browser benchmark: a layer of one benchmark shape (S1–S7) with its
//! weights and buffers prepared once; each call takes a `Float32Array` and returns a new one, as
//! the engines it is compared with do, and allocates nothing inside the engine.

use conv_core::benchmarks::{shapes, BenchOp, BenchShape};
use conv_core::{
    conv2d_into, conv_transpose2d, upsample_nearest_into, Budget, Conv2dOptions, Workspace,
};
use ndarray::{Array4, ArrayView3};
use wasm_bindgen::prelude::*;

/// One benchmark layer with prepared weights and buffers.
#[wasm_bindgen]
pub struct BenchLayer {
    shape: BenchShape,
    weight: Array4<f32>,
    out: Vec<f32>,
    upsampled: Vec<f32>,
    workspace: Workspace,
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
        Ok(BenchLayer {
            shape,
            weight,
            out: Vec::new(),
            upsampled: Vec::new(),
            workspace: Workspace::default(),
        })
    }

    /// Run on `input` (`C × H × W`, row-major); returns the output, row-major.
    pub fn run(&mut self, input: &[f32]) -> Result<js_sys::Float32Array, JsError> {
        let err = |e: conv_core::ConvError| JsError::new(&e.to_string());
        let x = ArrayView3::from_shape(self.shape.input, input)
            .map_err(|e| JsError::new(&e.to_string()))?;
        let (c, h, w) = self.shape.input;
        match &self.shape.op {
            BenchOp::Conv { options, .. } => {
                let (oc, oh, ow) = self.shape.output_shape();
                self.out.resize(oc * oh * ow, 0.0);
                conv2d_into(
                    x,
                    self.weight.view(),
                    None,
                    options,
                    &Budget::OPERATIONS,
                    &mut self.out,
                    &mut self.workspace,
                )
                .map_err(err)?;
            }
            BenchOp::Transposed { options, .. } => {
                self.out = conv_transpose2d(x, self.weight.view(), None, options)
                    .map_err(err)?
                    .into_raw_vec_and_offset()
                    .0;
            }
            BenchOp::UpsampleConv { scale, pad, .. } => {
                let (uh, uw) = (h * scale, w * scale);
                self.upsampled.resize(c * uh * uw, 0.0);
                upsample_nearest_into(x, [*scale, *scale], &mut self.upsampled).map_err(err)?;
                let up = ArrayView3::from_shape((c, uh, uw), &self.upsampled)
                    .map_err(|e| JsError::new(&e.to_string()))?;
                let (oc, oh, ow) = self.shape.output_shape();
                self.out.resize(oc * oh * ow, 0.0);
                conv2d_into(
                    up,
                    self.weight.view(),
                    None,
                    &Conv2dOptions::square(1, *pad, 1, 1),
                    &Budget::OPERATIONS,
                    &mut self.out,
                    &mut self.workspace,
                )
                .map_err(err)?;
            }
        }
        Ok(js_sys::Float32Array::from(&self.out[..]))
    }
}

/// The shapes as JSON: `[{id, name, input, weight, macs}, …]`.
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
