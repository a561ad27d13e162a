//! The backward pass of a layer's input: the layer's adjoint applied to a gradient of its output,
//! op by op in reverse (biases do not enter it). With a gradient of ones it is what a uniform
//! output gradient sends back to every input pixel; with all-ones weights it counts the paths from
//! each input pixel to the output, which shows the checkerboard of a strided convolution in the
//! backward pass (Odena, Dumoulin, Olah, "Deconvolution and Checkerboard Artifacts", Distill
//! 2016). docs/CONVENTIONS.md states the rules.

use ndarray::{s, Array3, ArrayView3, ArrayView4};

use crate::forward::LayerWeights;
use crate::spec::{LayerSpec, Op, UpsampleMode};
use crate::{
    pad_source, Budget, Conv2dOptions, ConvError, ConvTranspose2dOptions, Padding, PaddingMode,
};

impl LayerSpec {
    /// The gradient of the layer's input for the gradient `grad` of its output, with `weights`:
    /// `Lᵀ(grad)` for the linear part `L` of the layer (the layer without its biases), so that
    /// `⟨L(x), grad⟩ = ⟨x, Lᵀ(grad)⟩` for every input `x`. A convolution sends the gradient back by
    /// the transposed convolution with its own weight, and a padding that reflects, replicates or
    /// wraps folds the gradient of each border cell onto the cell it copies; a transposed
    /// convolution sends it back by the convolution with its weight; upsampling adds up the
    /// gradients of the pixels each input pixel was copied (or mixed) into.
    ///
    /// **Errors** if the spec is invalid or over `budget`, if `grad` is not the output's shape, or
    /// if the weights do not fit the ops.
    pub fn input_gradient(
        &self,
        grad: ArrayView3<f32>,
        weights: &LayerWeights,
        budget: &Budget,
    ) -> Result<Array3<f32>, ConvError> {
        let e = self.effective();
        let shapes = self.shapes(budget)?;
        let ops = self.ops();
        let output = *shapes.last().ok_or(ConvError::Overflow { what: "layer" })?;
        let actual: [usize; 3] = grad.dim().into();
        if actual != output {
            return Err(ConvError::WeightShape {
                expected: [1, output[0], output[1], output[2]],
                actual: [1, actual[0], actual[1], actual[2]],
            });
        }
        // The input shape of each op: the layer's input, then each op's output.
        let mut inputs = vec![[e.in_channels, e.height, e.width]];
        inputs.extend(shapes.iter().take(ops.len().saturating_sub(1)).copied());
        let mut convs = weights.convs.iter().rev();
        let mut weight = || {
            convs
                .next()
                .map(|c| c.weight.view())
                .ok_or(ConvError::WeightShape {
                    expected: [ops.len(), 0, 0, 0],
                    actual: [weights.convs.len(), 0, 0, 0],
                })
        };
        let mut g = grad.to_owned();
        for (op, &input) in ops.iter().zip(&inputs).rev() {
            g = match op {
                Op::Conv { options, .. } => {
                    conv_adjoint(g.view(), weight()?, options, input, budget)?
                }
                Op::ConvTranspose { options, .. } => {
                    transposed_adjoint(g.view(), weight()?, options, input, budget)?
                }
                Op::Upsample {
                    scale,
                    mode,
                    align_corners,
                } => upsample_adjoint(g.view(), *scale, *mode, *align_corners, input),
                Op::PixelShuffle { factor } => pixel_unshuffle(g.view(), *factor, input),
            };
        }
        Ok(g)
    }
}

/// The adjoint of a pixel shuffle, a permutation: its inverse, each output gradient back to the
/// channel and pixel it was read from (`nn.PixelUnshuffle`).
fn pixel_unshuffle(grad: ArrayView3<f32>, r: usize, [c, h, w]: [usize; 3]) -> Array3<f32> {
    let square = r * r;
    Array3::from_shape_fn((c, h, w), |(ci, y, x)| {
        let sub = ci % square;
        grad[[ci / square, y * r + sub / r, x * r + sub % r]]
    })
}

/// A convolution's adjoint: the transposed convolution of `grad` with the same weight over the
/// padded input (rows and columns no window reached get nothing), then the padding folded back.
fn conv_adjoint(
    grad: ArrayView3<f32>,
    weight: ArrayView4<f32>,
    options: &Conv2dOptions,
    [c, h, w]: [usize; 3],
    budget: &Budget,
) -> Result<Array3<f32>, ConvError> {
    let p = options.padding;
    let t = crate::ops::conv_transpose2d_with_budget(
        grad,
        weight,
        None,
        &ConvTranspose2dOptions {
            stride: options.stride,
            padding: Padding::default(),
            output_padding: [0, 0],
            dilation: options.dilation,
            groups: options.groups,
        },
        budget,
    )?;
    let (ph, pw) = (h + p.top + p.bottom, w + p.left + p.right);
    let (_, th, tw) = t.dim();
    let mut out = Array3::<f32>::zeros((c, h, w));
    for y in 0..th.min(ph) {
        for x in 0..tw.min(pw) {
            if let Some([sy, sx]) = pad_source(y, x, [h, w], p, options.padding_mode) {
                for ci in 0..c {
                    out[[ci, sy, sx]] += t[[ci, y, x]];
                }
            }
        }
    }
    Ok(out)
}

/// A transposed convolution's adjoint: the convolution of `grad` with the same weight, stride,
/// padding and dilation (an output padding of a stride or more adds a row that is cut off).
fn transposed_adjoint(
    grad: ArrayView3<f32>,
    weight: ArrayView4<f32>,
    options: &ConvTranspose2dOptions,
    [c, h, w]: [usize; 3],
    budget: &Budget,
) -> Result<Array3<f32>, ConvError> {
    let y = crate::ops::conv2d_with_budget(
        grad,
        weight,
        None,
        &Conv2dOptions {
            stride: options.stride,
            padding: options.padding,
            dilation: options.dilation,
            groups: options.groups,
            padding_mode: PaddingMode::Zeros,
        },
        budget,
    )?;
    let mut out = Array3::<f32>::zeros((c, h, w));
    let (_, yh, yw) = y.dim();
    let (rows, cols) = (yh.min(h), yw.min(w));
    out.slice_mut(s![.., ..rows, ..cols])
        .assign(&y.slice(s![..c, ..rows, ..cols]));
    Ok(out)
}

/// Upsampling's adjoint: each input pixel receives the gradient of the pixels it was copied
/// into (nearest), or its share of the pixels it was mixed into, by the same weights (bilinear).
fn upsample_adjoint(
    grad: ArrayView3<f32>,
    scale: usize,
    mode: UpsampleMode,
    align_corners: bool,
    [c, h, w]: [usize; 3],
) -> Array3<f32> {
    let mut out = Array3::<f32>::zeros((c, h, w));
    let (_, gh, gw) = grad.dim();
    for oy in 0..gh {
        for ox in 0..gw {
            let taps: [(usize, usize, f32); 4] = match mode {
                UpsampleMode::Nearest => {
                    let (y, x) = ((oy / scale).min(h - 1), (ox / scale).min(w - 1));
                    [(y, x, 1.0), (y, x, 0.0), (y, x, 0.0), (y, x, 0.0)]
                }
                UpsampleMode::Bilinear => {
                    crate::bilinear_mix([oy, ox], [h, w], scale, align_corners)
                }
            };
            for ci in 0..c {
                let v = grad[[ci, oy, ox]];
                for &(y, x, wt) in &taps {
                    out[[ci, y, x]] += v * wt;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{InputPattern, KernelPreset, LayerKind, PaddingSpec};

    /// A strided convolution with zero padding: the backward pass is `conv_transpose2d` of the
    /// output gradient with the layer's weight, stride and padding; with a gradient of ones and
    /// all-ones weights it counts each input pixel's windows, and a 3×3 kernel at stride 2 gives
    /// the checkerboard (1, 2, 1, 2, … along a row).
    #[test]
    fn a_strided_convolution_sends_back_its_transposed_convolution() {
        let spec = LayerSpec {
            height: 5,
            width: 5,
            in_channels: 2,
            out_channels: 3,
            kernel_size: 3,
            stride: 2,
            padding: PaddingSpec::Explicit(1),
            ..LayerSpec::preset(LayerKind::Standard)
        };
        let budget = Budget::PLAYGROUND;
        let weights = LayerWeights::generate(&spec, KernelPreset::Random, 3).unwrap();
        let g = InputPattern::Random.generate(3, 3, 3, 4);
        let back = spec.input_gradient(g.view(), &weights, &budget).unwrap();
        let options = ConvTranspose2dOptions {
            stride: [2, 2],
            padding: Padding::uniform(1),
            ..ConvTranspose2dOptions::default()
        };
        let w = weights.convs[0].weight.view();
        let expected = crate::conv_transpose2d(g.view(), w, None, &options).unwrap();
        assert_eq!(back.dim(), expected.dim());
        for (a, b) in back.iter().zip(expected.iter()) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
        let ones = LayerWeights {
            convs: vec![crate::ConvWeights {
                weight: ndarray::Array4::ones((3, 2, 3, 3)),
                bias: None,
            }],
        };
        let count = spec
            .input_gradient(Array3::ones((3, 3, 3)).view(), &ones, &budget)
            .unwrap();
        // Each window over a pixel adds 1 per output channel (3): the middle row lies in one
        // window row, its columns in 1, 2, 1, 2, 1 windows.
        let row: Vec<f32> = (0..5).map(|x| count[[0, 2, x]] / 3.0).collect();
        assert_eq!(row, [1.0, 2.0, 1.0, 2.0, 1.0]);
    }
}
