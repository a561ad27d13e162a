//! The reference: plain nested loops, one function per operation, written for obviousness rather
//! than speed. The fast paths in [`crate::ops`] are tested against these, and each function also
//! returns how many multiplications it actually performed, so that the reported costs are checked
//! against a computation rather than against the same formula.

use ndarray::{Array3, ArrayView1, ArrayView3, ArrayView4};

use crate::geometry::ConvGeometry;
use crate::{Budget, Conv2dOptions, ConvError, ConvTranspose2dOptions, Padding, PaddingMode};

/// An output together with the number of multiplications performed to compute it.
#[derive(Debug, Clone)]
pub struct Counted {
    pub output: Array3<f32>,
    pub multiplications: u128,
}

/// Copy `input` into a zero tensor with `padding` around it.
pub fn zero_pad(input: ArrayView3<f32>, padding: &Padding) -> Array3<f32> {
    let (c, h, w) = input.dim();
    let mut out = Array3::zeros((
        c,
        h + padding.top + padding.bottom,
        w + padding.left + padding.right,
    ));
    for ci in 0..c {
        for y in 0..h {
            for x in 0..w {
                out[[ci, y + padding.top, x + padding.left]] = input[[ci, y, x]];
            }
        }
    }
    out
}

/// Padding by definition: cell `(y, x)` of the padded map is input cell `(y − top, x − left)`
/// when that is inside; outside, at position `j` of an axis of length `n` (negative before the
/// input), it is 0 (zeros), input `−j` or `2(n − 1) − j` (reflect: the mirror, edge not
/// repeated), input `clamp(j, 0, n − 1)` (replicate) or input `j mod n` (circular).
///
/// **Errors** as [`crate::pad()`].
pub fn pad(
    input: ArrayView3<f32>,
    padding: Padding,
    mode: PaddingMode,
) -> Result<Array3<f32>, ConvError> {
    let shape = crate::pad::padded_shape(input.dim().into(), &padding, mode, &Budget::OPERATIONS)?;
    let (c, h, w) = input.dim();
    let source = |j: i128, n: usize| -> Option<usize> {
        let n = n as i128;
        let k = if (0..n).contains(&j) {
            j
        } else {
            match mode {
                PaddingMode::Zeros => return None,
                PaddingMode::Reflect if j < 0 => -j,
                PaddingMode::Reflect => 2 * (n - 1) - j,
                PaddingMode::Replicate => j.clamp(0, n - 1),
                PaddingMode::Circular => j.rem_euclid(n),
            }
        };
        Some(k as usize)
    };
    let mut out = Array3::zeros(shape);
    for ci in 0..c {
        for y in 0..shape[1] {
            for x in 0..shape[2] {
                let sy = source(y as i128 - padding.top as i128, h);
                let sx = source(x as i128 - padding.left as i128, w);
                if let (Some(sy), Some(sx)) = (sy, sx) {
                    out[[ci, y, x]] = input[[ci, sy, sx]];
                }
            }
        }
    }
    Ok(out)
}

/// Convolution by definition: pad explicitly (by the padding mode), then for every output cell
/// multiply every kernel weight with the cell under it (padding included, as the MAC count
/// assumes).
///
/// **Errors** as [`crate::conv2d`].
pub fn conv2d(
    input: ArrayView3<f32>,
    weight: ArrayView4<f32>,
    bias: Option<ArrayView1<f32>>,
    options: &Conv2dOptions,
) -> Result<Counted, ConvError> {
    let g = ConvGeometry::conv(
        input.dim().into(),
        weight.dim().into(),
        bias.map(|b| b.len()),
        options,
        &Budget::OPERATIONS,
    )?;
    let padded = pad(input, options.padding, options.padding_mode)?;
    let mut out = Array3::<f32>::zeros((g.out_channels, g.out_h, g.out_w));
    let mut multiplications = 0u128;
    for co in 0..g.out_channels {
        let group = co / g.out_per_group;
        for oy in 0..g.out_h {
            for ox in 0..g.out_w {
                let mut acc = bias.map_or(0.0, |b| b[co]);
                for cl in 0..g.in_per_group {
                    let ci = group * g.in_per_group + cl;
                    for ky in 0..g.kernel[0] {
                        for kx in 0..g.kernel[1] {
                            let y = oy * g.stride[0] + ky * g.dilation[0];
                            let x = ox * g.stride[1] + kx * g.dilation[1];
                            acc += padded[[ci, y, x]] * weight[[co, cl, ky, kx]];
                            multiplications += 1;
                        }
                    }
                }
                out[[co, oy, ox]] = acc;
            }
        }
    }
    Ok(Counted {
        output: out,
        multiplications,
    })
}

/// Transposed convolution as a scatter: every input pixel stamps the kernel, scaled by its value,
/// onto the (uncropped) output at `stride` spacing; the padding then crops the borders.
///
/// **Errors** as [`crate::conv_transpose2d`].
pub fn conv_transpose2d(
    input: ArrayView3<f32>,
    weight: ArrayView4<f32>,
    bias: Option<ArrayView1<f32>>,
    options: &ConvTranspose2dOptions,
) -> Result<Counted, ConvError> {
    let g = ConvGeometry::conv_transpose(
        input.dim().into(),
        weight.dim().into(),
        bias.map(|b| b.len()),
        options,
        &Budget::OPERATIONS,
    )?;
    let full_h =
        (g.in_h - 1) * g.stride[0] + (g.kernel[0] - 1) * g.dilation[0] + 1 + g.output_padding[0];
    let full_w =
        (g.in_w - 1) * g.stride[1] + (g.kernel[1] - 1) * g.dilation[1] + 1 + g.output_padding[1];
    let mut full = Array3::<f32>::zeros((g.out_channels, full_h, full_w));
    let mut multiplications = 0u128;
    for ci in 0..g.in_channels {
        let group = ci / g.in_per_group;
        for iy in 0..g.in_h {
            for ix in 0..g.in_w {
                for col in 0..g.out_per_group {
                    let co = group * g.out_per_group + col;
                    for ky in 0..g.kernel[0] {
                        for kx in 0..g.kernel[1] {
                            let y = iy * g.stride[0] + ky * g.dilation[0];
                            let x = ix * g.stride[1] + kx * g.dilation[1];
                            full[[co, y, x]] += input[[ci, iy, ix]] * weight[[ci, col, ky, kx]];
                            multiplications += 1;
                        }
                    }
                }
            }
        }
    }
    let mut out = Array3::<f32>::zeros((g.out_channels, g.out_h, g.out_w));
    for co in 0..g.out_channels {
        for y in 0..g.out_h {
            for x in 0..g.out_w {
                let (fy, fx) = (y + g.padding.top, x + g.padding.left);
                let v = if fy < full_h && fx < full_w {
                    full[[co, fy, fx]]
                } else {
                    0.0
                };
                out[[co, y, x]] = v + bias.map_or(0.0, |b| b[co]);
            }
        }
    }
    Ok(Counted {
        output: out,
        multiplications,
    })
}

/// Nearest-neighbour upsampling by definition: output pixel `(y, x)` is input pixel
/// `(y / scale, x / scale)`.
///
/// **Errors** with [`ConvError::ZeroSize`] on a zero size or scale.
pub fn upsample_nearest(
    input: ArrayView3<f32>,
    scale: [usize; 2],
) -> Result<Array3<f32>, ConvError> {
    let (c, h, w) = input.dim();
    check_upsampling(h, w, scale)?;
    let mut out = Array3::zeros((c, h * scale[0], w * scale[1]));
    for ci in 0..c {
        for y in 0..h * scale[0] {
            for x in 0..w * scale[1] {
                out[[ci, y, x]] = input[[ci, y / scale[0], x / scale[1]]];
            }
        }
    }
    Ok(out)
}

/// **Errors** with [`ConvError::ZeroSize`] on a zero scale, with [`ConvError::Overflow`] if an
/// upsampled side overflows or exceeds the budget's element count.
fn check_upsampling(h: usize, w: usize, scale: [usize; 2]) -> Result<(), ConvError> {
    if scale[0] == 0 || scale[1] == 0 {
        return Err(ConvError::ZeroSize {
            name: "scale_factor",
        });
    }
    let too_big = |n: usize, s: usize| {
        n.checked_mul(s)
            .is_none_or(|v| v as u128 > Budget::OPERATIONS.max_elements)
    };
    if too_big(h, scale[0]) || too_big(w, scale[1]) {
        return Err(ConvError::Overflow {
            what: "upsampled size",
        });
    }
    Ok(())
}

/// Bilinear upsampling by definition (`F.interpolate(mode="bilinear")`): output pixel `(y, x)`
/// reads the input at the source coordinates `(y + ½) / s − ½` clamped at 0
/// (`align_corners = false`) or `y · (H − 1) / (H·s − 1)` (`align_corners = true`, 0 for one
/// output pixel), widths alike, and takes the four pixels around that point, each weighted by the
/// area of the opposite rectangle (`(1 − dy)(1 − dx)` for the top-left one); a neighbour past the
/// last pixel is the last pixel.
///
/// **Errors** with [`ConvError::ZeroSize`] on a zero size or scale, and as
/// [`upsample_nearest`].
pub fn upsample_bilinear(
    input: ArrayView3<f32>,
    scale: [usize; 2],
    align_corners: bool,
) -> Result<Array3<f32>, ConvError> {
    let (c, h, w) = input.dim();
    if c == 0 || h == 0 || w == 0 {
        return Err(ConvError::ZeroSize { name: "input" });
    }
    check_upsampling(h, w, scale)?;
    let (out_h, out_w) = (h * scale[0], w * scale[1]);
    let source = |o: usize, n: usize, out: usize, s: usize| -> f64 {
        if align_corners {
            if out == 1 {
                0.0
            } else {
                o as f64 * (n - 1) as f64 / (out - 1) as f64
            }
        } else {
            ((o as f64 + 0.5) / s as f64 - 0.5).max(0.0)
        }
    };
    let mut out = Array3::zeros((c, out_h, out_w));
    for ci in 0..c {
        for y in 0..out_h {
            for x in 0..out_w {
                let sy = source(y, h, out_h, scale[0]);
                let sx = source(x, w, out_w, scale[1]);
                let (y0, x0) = (sy.floor() as usize, sx.floor() as usize);
                let (dy, dx) = (sy - y0 as f64, sx - x0 as f64);
                let mut v = 0.0f64;
                for (yy, wy) in [(y0, 1.0 - dy), (y0 + 1, dy)] {
                    for (xx, wx) in [(x0, 1.0 - dx), (x0 + 1, dx)] {
                        let pixel = input[[ci, yy.min(h - 1), xx.min(w - 1)]] as f64;
                        v += wy * wx * pixel;
                    }
                }
                out[[ci, y, x]] = v as f32;
            }
        }
    }
    Ok(out)
}

/// Pixel shuffle by definition, from the input's side: channel `c` of input pixel `(h, w)` goes
/// to output channel `c / r²`, at offset `(i, j) = ((c mod r²) / r, c mod r)` in the `r × r`
/// block of that pixel, i.e. to `(h·r + i, w·r + j)`.
///
/// **Errors** as [`crate::pixel_shuffle`].
pub fn pixel_shuffle(
    input: ArrayView3<f32>,
    upscale_factor: usize,
) -> Result<Array3<f32>, ConvError> {
    let (c, h, w) = input.dim();
    let r = upscale_factor;
    if r == 0 || c == 0 || h == 0 || w == 0 {
        return Err(ConvError::ZeroSize {
            name: if r == 0 { "upscale_factor" } else { "input" },
        });
    }
    let square = r.checked_mul(r).ok_or(ConvError::Overflow {
        what: "upscale_factor²",
    })?;
    if c % square != 0 {
        return Err(ConvError::PixelShuffleChannels {
            channels: c,
            upscale_factor: r,
            square,
        });
    }
    check_upsampling(h, w, [r, r])?;
    let mut out = Array3::zeros((c / square, h * r, w * r));
    for ci in 0..c {
        let (i, j) = ((ci % square) / r, ci % r);
        for y in 0..h {
            for x in 0..w {
                out[[ci / square, y * r + i, x * r + j]] = input[[ci, y, x]];
            }
        }
    }
    Ok(out)
}

/// `nn.MaxPool2d(kernel, stride, padding)` / `nn.AvgPool2d(kernel, stride, padding)` (the mean
/// over the `kernel²` cells, padding included: PyTorch's `count_include_pad=True`), the plain
/// way: the map padded first (−∞ for the maximum, 0 for the mean), then every window in full.
///
/// **Errors** if a window does not fit the padded map or the stride is 0.
pub fn pool2d(
    input: ArrayView3<f32>,
    [kernel, stride, padding]: [usize; 3],
    max: bool,
) -> Result<Array3<f32>, ConvError> {
    let (c, h, w) = input.dim();
    let (ph, pw) = (h + 2 * padding, w + 2 * padding);
    if stride == 0 || kernel == 0 || kernel > ph || kernel > pw {
        return Err(ConvError::ZeroSize {
            name: "pooling window",
        });
    }
    let fill = if max { f32::NEG_INFINITY } else { 0.0 };
    let padded = Array3::from_shape_fn((c, ph, pw), |(ci, y, x)| {
        let (yy, xx) = (y as isize - padding as isize, x as isize - padding as isize);
        if yy >= 0 && xx >= 0 && (yy as usize) < h && (xx as usize) < w {
            input[[ci, yy as usize, xx as usize]]
        } else {
            fill
        }
    });
    let (oh, ow) = ((ph - kernel) / stride + 1, (pw - kernel) / stride + 1);
    Ok(Array3::from_shape_fn((c, oh, ow), |(ci, oy, ox)| {
        let window = (0..kernel)
            .flat_map(|ky| (0..kernel).map(move |kx| (ky, kx)))
            .map(|(ky, kx)| padded[[ci, oy * stride + ky, ox * stride + kx]]);
        if max {
            window.fold(f32::NEG_INFINITY, f32::max)
        } else {
            window.sum::<f32>() / (kernel * kernel) as f32
        }
    }))
}
