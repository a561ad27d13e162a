//! The problem sizes the benchmarks measure (S1–S7), shared by the native criterion benchmarks
//! and the in-browser benchmark, so both time the same work.

use crate::{Conv2dOptions, ConvTranspose2dOptions, Padding};

/// What one benchmark shape computes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BenchOp {
    Conv {
        c_out: usize,
        k: usize,
        options: Conv2dOptions,
    },
    Transposed {
        c_out: usize,
        k: usize,
        options: ConvTranspose2dOptions,
    },
    /// Nearest-neighbour upsampling by `scale`, then a `k × k` convolution with padding `pad`.
    UpsampleConv {
        scale: usize,
        c_out: usize,
        k: usize,
        pad: usize,
    },
}

/// One benchmark shape: an id, a description, the input `(C, H, W)` and the operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchShape {
    pub id: &'static str,
    pub name: &'static str,
    pub input: (usize, usize, usize),
    pub op: BenchOp,
}

impl BenchShape {
    /// `(C_out, C_in / groups, k, k)` (transposed: `(C_in, C_out / groups, k, k)`).
    pub fn weight_shape(&self) -> (usize, usize, usize, usize) {
        let c_in = self.input.0;
        match &self.op {
            BenchOp::Conv { c_out, k, options } => (*c_out, c_in / options.groups, *k, *k),
            BenchOp::Transposed { c_out, k, options } => (c_in, c_out / options.groups, *k, *k),
            BenchOp::UpsampleConv { c_out, k, .. } => (*c_out, c_in, *k, *k),
        }
    }

    /// The output `(C, H, W)` (for S7, of the convolution after the upsampling).
    pub fn output_shape(&self) -> (usize, usize, usize) {
        let (_, h, w) = self.input;
        match &self.op {
            BenchOp::Conv { c_out, k, options } => {
                let ext = (k - 1) * options.dilation[0] + 1;
                let oh = (h + options.padding.top + options.padding.bottom - ext)
                    / options.stride[0]
                    + 1;
                let ow = (w + options.padding.left + options.padding.right - ext)
                    / options.stride[1]
                    + 1;
                (*c_out, oh, ow)
            }
            BenchOp::Transposed { c_out, k, options } => {
                let len = |n: usize, a: usize| {
                    (n - 1) * options.stride[a]
                        + (k - 1) * options.dilation[a]
                        + 1
                        + options.output_padding[a]
                        - options.padding.axis(a).0
                        - options.padding.axis(a).1
                };
                (*c_out, len(h, 0), len(w, 1))
            }
            BenchOp::UpsampleConv {
                scale,
                c_out,
                k,
                pad,
            } => (
                *c_out,
                h * scale + 2 * pad + 1 - k,
                w * scale + 2 * pad + 1 - k,
            ),
        }
    }

    /// Multiply-accumulates of one run (docs/CONVENTIONS.md, Counting).
    pub fn macs(&self) -> u64 {
        let (c_in, h, w) = self.input;
        let (c_out, oh, ow) = self.output_shape();
        let (_, depth, kh, kw) = self.weight_shape();
        match &self.op {
            BenchOp::Transposed { .. } => (h * w * c_in * depth * kh * kw) as u64,
            _ => (oh * ow * c_out * depth * kh * kw) as u64,
        }
    }
}

/// S1–S7.
pub fn shapes() -> Vec<BenchShape> {
    let conv = |c_out, k, stride, pad, dilation, groups| BenchOp::Conv {
        c_out,
        k,
        options: Conv2dOptions::square(stride, pad, dilation, groups),
    };
    vec![
        BenchShape {
            id: "S1",
            name: "standard 3→16 3×3 224² pad 1",
            input: (3, 224, 224),
            op: conv(16, 3, 1, 1, 1, 1),
        },
        BenchShape {
            id: "S2",
            name: "depthwise 32 ch 3×3 112² pad 1",
            input: (32, 112, 112),
            op: conv(32, 3, 1, 1, 1, 32),
        },
        BenchShape {
            id: "S3",
            name: "pointwise 32→64 112²",
            input: (32, 112, 112),
            op: conv(64, 1, 1, 0, 1, 1),
        },
        BenchShape {
            id: "S4",
            name: "grouped 64→64 g4 3×3 56² pad 1",
            input: (64, 56, 56),
            op: conv(64, 3, 1, 1, 1, 4),
        },
        BenchShape {
            id: "S5",
            name: "dilated 16→16 3×3 rate 2 112² pad 2",
            input: (16, 112, 112),
            op: conv(16, 3, 1, 2, 2, 1),
        },
        BenchShape {
            id: "S6",
            name: "transposed 16→8 3×3 s2 p1 op1 56²",
            input: (16, 56, 56),
            op: BenchOp::Transposed {
                c_out: 8,
                k: 3,
                options: ConvTranspose2dOptions {
                    stride: [2, 2],
                    padding: Padding::uniform(1),
                    output_padding: [1, 1],
                    ..Default::default()
                },
            },
        },
        BenchShape {
            id: "S7",
            name: "nearest ×2 + conv 16→8 3×3 pad 1 from 56²",
            input: (16, 56, 56),
            op: BenchOp::UpsampleConv {
                scale: 2,
                c_out: 8,
                k: 3,
                pad: 1,
            },
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_agree_with_the_layer_model() {
        for s in shapes() {
            let (c, h, w) = s.input;
            let x = ndarray::Array3::<f32>::zeros((c, h, w));
            let (a, b, k1, k2) = s.weight_shape();
            let wt = ndarray::Array4::<f32>::zeros((a, b, k1, k2));
            let out = match &s.op {
                BenchOp::Conv { options, .. } => {
                    crate::conv2d(x.view(), wt.view(), None, options).unwrap()
                }
                BenchOp::Transposed { options, .. } => {
                    crate::conv_transpose2d(x.view(), wt.view(), None, options).unwrap()
                }
                BenchOp::UpsampleConv { scale, pad, .. } => {
                    let up = crate::upsample_nearest(x.view(), [*scale, *scale]).unwrap();
                    crate::conv2d(
                        up.view(),
                        wt.view(),
                        None,
                        &Conv2dOptions::square(1, *pad, 1, 1),
                    )
                    .unwrap()
                }
            };
            assert_eq!(out.dim(), s.output_shape(), "{}", s.id);
        }
        let s1 = &shapes()[0];
        assert_eq!(s1.macs(), 224 * 224 * 16 * 3 * 9);
    }
}
