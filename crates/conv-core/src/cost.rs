//! Output shape, parameters, MACs and FLOPs of a layer, by the conventions of docs/CONVENTIONS.md, with the
//! cost of the plain alternative a reader would otherwise use, and the formulas with the current
//! numbers filled in.

use serde::{Deserialize, Serialize};

use crate::shape::product;
use crate::spec::{LayerKind, LayerSpec, Op};
use crate::{Budget, ConvError};

/// Everything a layer costs, and what the standard alternative would cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Costs {
    /// `(C_out, H_out, W_out)`.
    pub output_shape: [usize; 3],
    pub params: u128,
    pub macs: u128,
    /// `2 × macs`: one multiply and one add per multiply-accumulate.
    pub flops: u128,
    pub standard_params: u128,
    pub standard_macs: u128,
    /// `params / standard_params`.
    pub params_ratio: f64,
    /// `macs / standard_macs`.
    pub macs_ratio: f64,
    /// The effective extent of the spatial kernel, `(k - 1) × dilation + 1` on each axis.
    pub receptive_field: [usize; 2],
}

impl LayerSpec {
    /// The costs of the layer.
    ///
    /// **Errors** as [`LayerSpec::shapes`].
    pub fn costs(&self, budget: &Budget) -> Result<Costs, ConvError> {
        let shapes = self.shapes(budget)?;
        let e = self.effective();
        let output_shape = *shapes.last().expect("every layer has an op");
        let bias = |c: usize| if e.bias { c as u128 } else { 0 };
        let mut params = 0u128;
        let mut macs = 0u128;
        let mut input = [e.in_channels, e.height, e.width];
        for (op, out) in self.ops().iter().zip(&shapes) {
            match op {
                Op::Conv {
                    in_channels,
                    out_channels,
                    kernel,
                    options,
                    ..
                } => {
                    let per_group = in_channels / options.groups;
                    params += product(&[*out_channels, per_group, *kernel, *kernel])
                        + bias(*out_channels);
                    macs += product(&[out[1], out[2], *out_channels, per_group, *kernel, *kernel]);
                }
                Op::ConvTranspose {
                    in_channels,
                    out_channels,
                    kernel,
                    options,
                } => {
                    let per_group = out_channels / options.groups;
                    params +=
                        product(&[*in_channels, per_group, *kernel, *kernel]) + bias(*out_channels);
                    macs += product(&[
                        input[1],
                        input[2],
                        *in_channels,
                        per_group,
                        *kernel,
                        *kernel,
                    ]);
                }
                Op::Upsample { .. } | Op::PixelShuffle { .. } => {}
            }
            input = *out;
        }
        let (c_in, c_out, k) = (e.in_channels, e.out_channels, e.kernel_size);
        let [_, h_out, w_out] = output_shape;
        let (standard_params, standard_macs) = match e.layer {
            LayerKind::Depthwise | LayerKind::Separable | LayerKind::Grouped => (
                product(&[c_out, c_in, k, k]) + bias(c_out),
                product(&[h_out, w_out, c_out, c_in, k, k]),
            ),
            LayerKind::Dilated => {
                let ext = crate::shape::kernel_field(k, e.dilation)?;
                (
                    product(&[c_out, c_in / e.groups, ext, ext]) + bias(c_out),
                    product(&[h_out, w_out, c_out, c_in / e.groups, ext, ext]),
                )
            }
            LayerKind::Transposed => (
                params,
                product(&[h_out, w_out, c_out, c_in / e.groups, k, k]),
            ),
            // A convolution with the same kernel at the output's size (upsampling, then
            // convolving): the same MACs, r² times fewer weights.
            LayerKind::Subpixel => (
                product(&[c_out, c_in, k, k]) + bias(c_out),
                product(&[h_out, w_out, c_out, c_in, k, k]),
            ),
            // Their own alternative (`LayerKind::has_standard_alternative` is false).
            LayerKind::Standard | LayerKind::Pointwise | LayerKind::Upsample => (params, macs),
        };
        let ratio = |a: u128, b: u128| if b == 0 { 1.0 } else { a as f64 / b as f64 };
        let extent = crate::shape::kernel_field(k, e.dilation)?;
        Ok(Costs {
            output_shape,
            params,
            macs,
            flops: macs.saturating_mul(2),
            standard_params,
            standard_macs,
            params_ratio: ratio(params, standard_params),
            macs_ratio: ratio(macs, standard_macs),
            receptive_field: [extent, extent],
        })
    }

    /// The formulas behind the figures, with the current numbers filled in. Symbols are
    /// language-neutral; `id` names the figure so the UI can label it in any language.
    ///
    /// **Errors** as [`LayerSpec::shapes`].
    pub fn formulas(&self, budget: &Budget) -> Result<Vec<Formula>, ConvError> {
        let costs = self.costs(budget)?;
        let e = self.effective();
        let [_, h_out, w_out] = costs.output_shape;
        let mut f = self.size_formulas(&e, h_out);
        let terms = CostTerms::of(&e, h_out, w_out);
        f.push(Formula::new(
            "params",
            format!("params = {}", terms.params_sym),
            terms.params_num,
            costs.params.to_string(),
        ));
        f.push(Formula::new(
            "macs",
            format!("MACs = {}", terms.macs_sym),
            terms.macs_num,
            costs.macs.to_string(),
        ));
        f.push(Formula::new(
            "flops",
            "FLOPs = 2 · MACs",
            format!("2 · {}", costs.macs),
            costs.flops.to_string(),
        ));
        let (k, d) = (e.kernel_size, e.dilation);
        f.push(Formula::new(
            "receptive-field",
            "k_eff = (k − 1)·d + 1",
            format!("({k} − 1)·{d} + 1"),
            costs.receptive_field[0].to_string(),
        ));
        Ok(f)
    }

    /// The upsampled size (upsampling layers only) and the output height, `e` being the
    /// effective spec.
    fn size_formulas(&self, e: &LayerSpec, h_out: usize) -> Vec<Formula> {
        let (k, s, d) = (e.kernel_size, e.stride, e.dilation);
        let mut f = Vec::new();
        let (map_h, map_w, map_sym) = if e.layer == LayerKind::Upsample {
            let sf = e.scale_factor;
            f.push(Formula::new(
                "upsampled-size",
                "H_up = H · f",
                format!("{} · {sf}", e.height),
                (e.height * sf).to_string(),
            ));
            (e.height * sf, e.width * sf, "H_up")
        } else {
            (e.height, e.width, "H")
        };
        let pads = self.padding_sides([map_h, map_w]);
        if e.layer == LayerKind::Subpixel {
            let r = e.upscale_factor;
            let h_conv = h_out / r.max(1);
            f.push(Formula::new(
                "conv-height",
                "H_c = H + p_t + p_b − (k − 1)",
                format!("{} + {} + {} − ({k} − 1)", e.height, pads.top, pads.bottom),
                h_conv.to_string(),
            ));
            f.push(Formula::new(
                "output-height",
                "H_out = H_c · r",
                format!("{h_conv} · {r}"),
                h_out.to_string(),
            ));
        } else if e.layer == LayerKind::Transposed {
            f.push(Formula::new(
                "output-height",
                "H_out = (H − 1)·s − p_t − p_b + d·(k − 1) + op + 1",
                format!(
                    "({} − 1)·{s} − {} − {} + {d}·({k} − 1) + {} + 1",
                    e.height, pads.top, pads.bottom, e.output_padding
                ),
                h_out.to_string(),
            ));
        } else {
            let (ks, st) = match e.layer {
                LayerKind::Pointwise => (1, 1),
                _ => (k, s),
            };
            f.push(Formula::new(
                "output-height",
                format!("H_out = ⌊({map_sym} + p_t + p_b − d·(k − 1) − 1) / s⌋ + 1"),
                format!(
                    "⌊({map_h} + {} + {} − {d}·({ks} − 1) − 1) / {st}⌋ + 1",
                    pads.top, pads.bottom
                ),
                h_out.to_string(),
            ));
        }
        f
    }
}

/// The right-hand sides of the parameter and MAC formulas, in symbols and in numbers.
struct CostTerms {
    params_sym: String,
    params_num: String,
    macs_sym: String,
    macs_num: String,
}

impl CostTerms {
    /// The terms of the effective spec `e` with an output of `h_out × w_out`.
    fn of(e: &LayerSpec, h_out: usize, w_out: usize) -> CostTerms {
        let (c_in, c_out, k, b) = (e.in_channels, e.out_channels, e.kernel_size, e.bias);
        let bias_term = |c: usize| if b { format!(" + {c}") } else { String::new() };
        let bias_sym = |sym: &str| {
            if b {
                format!(" + {sym}")
            } else {
                String::new()
            }
        };
        match e.layer {
            LayerKind::Separable => {
                let m = e.depth_multiplier;
                let mid = c_in * m;
                CostTerms {
                    params_sym: format!(
                        "C_in·m·k·k{} + C_out·C_in·m{}",
                        bias_sym("C_in·m"),
                        bias_sym("C_out")
                    ),
                    params_num: format!(
                        "{c_in}·{m}·{k}·{k}{} + {c_out}·{c_in}·{m}{}",
                        bias_term(mid),
                        bias_term(c_out)
                    ),
                    macs_sym: "H_out·W_out·C_in·m·k·k + H_out·W_out·C_out·C_in·m".to_string(),
                    macs_num: format!(
                        "{h_out}·{w_out}·{c_in}·{m}·{k}·{k} + {h_out}·{w_out}·{c_out}·{c_in}·{m}"
                    ),
                }
            }
            LayerKind::Subpixel => {
                let r = e.upscale_factor;
                let c_conv = c_out * r * r;
                let (h_c, w_c) = (h_out / r.max(1), w_out / r.max(1));
                CostTerms {
                    params_sym: format!("C_out·r²·C_in·k·k{}", bias_sym("C_out·r²")),
                    params_num: format!("{c_out}·{r}²·{c_in}·{k}·{k}{}", bias_term(c_conv)),
                    macs_sym: "H_c·W_c·C_out·r²·C_in·k·k".to_string(),
                    macs_num: format!("{h_c}·{w_c}·{c_out}·{r}²·{c_in}·{k}·{k}"),
                }
            }
            LayerKind::Transposed => CostTerms {
                params_sym: format!("C_in·(C_out/g)·k·k{}", bias_sym("C_out")),
                params_num: format!("{c_in}·({c_out}/{})·{k}·{k}{}", e.groups, bias_term(c_out)),
                macs_sym: "H·W·C_in·(C_out/g)·k·k".to_string(),
                macs_num: format!(
                    "{}·{}·{c_in}·({c_out}/{})·{k}·{k}",
                    e.height, e.width, e.groups
                ),
            },
            _ => {
                let g = e.groups;
                let kk = if e.layer == LayerKind::Pointwise {
                    1
                } else {
                    k
                };
                CostTerms {
                    params_sym: format!("C_out·(C_in/g)·k·k{}", bias_sym("C_out")),
                    params_num: format!("{c_out}·({c_in}/{g})·{kk}·{kk}{}", bias_term(c_out)),
                    macs_sym: "H_out·W_out·C_out·(C_in/g)·k·k".to_string(),
                    macs_num: format!("{h_out}·{w_out}·{c_out}·({c_in}/{g})·{kk}·{kk}"),
                }
            }
        }
    }
}

/// A formula: symbols, the same with numbers, and the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Formula {
    pub id: &'static str,
    pub symbolic: String,
    pub substituted: String,
    pub value: String,
}

impl Formula {
    fn new(
        id: &'static str,
        symbolic: impl Into<String>,
        substituted: impl Into<String>,
        value: String,
    ) -> Self {
        Formula {
            id,
            symbolic: symbolic.into(),
            substituted: substituted.into(),
            value,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layers_with_a_standard_alternative_are_the_ones_whose_costs_differ() {
        for kind in LayerKind::ALL {
            let c = LayerSpec::preset(kind).costs(&Budget::PLAYGROUND).unwrap();
            let differs = (c.params, c.macs) != (c.standard_params, c.standard_macs);
            assert_eq!(kind.has_standard_alternative(), differs, "{kind:?}");
        }
    }
}
