//! The fast paths the playground uses: im2col + GEMM for convolutions (in wasm builds a direct
//! SIMD kernel where it is faster, `simd.rs`), a direct loop for depthwise layers, GEMM + col2im
//! for transposed convolutions; GEMM is `matrixmultiply` natively and `simd::gemm` in wasm; a padding mode
//! other than zeros pads a copy of the input first. Upsampling: nearest, bilinear (both corner
//! conventions) and pixel shuffle.

use ndarray::{Array3, ArrayView1, ArrayView3, ArrayView4};

use crate::geometry::ConvGeometry;
use crate::shape::{nonzero, product};
use crate::{Budget, Conv2dOptions, ConvError, ConvTranspose2dOptions, Padding, PaddingMode};

/// 2-D convolution with `torch.nn.functional.conv2d` semantics, and `torch.nn.Conv2d`'s
/// `padding_mode`: the input is padded as `options.padding_mode` says (see [`crate::pad()`]), then
/// convolved without padding.
///
/// `input` is `(C_in, H, W)`, `weight` `(C_out, C_in / groups, kh, kw)`, `bias` `(C_out)`.
///
/// **Errors** if a size is zero, `groups` does not divide both channel counts, the weight or bias
/// shape does not match, the padding is larger than the padding mode allows
/// ([`ConvError::PaddingTooLarge`]), the dilated kernel is larger than the padded input, or the
/// sizes exceed [`Budget::OPERATIONS`].
pub fn conv2d(
    input: ArrayView3<f32>,
    weight: ArrayView4<f32>,
    bias: Option<ArrayView1<f32>>,
    options: &Conv2dOptions,
) -> Result<Array3<f32>, ConvError> {
    conv2d_with_budget(input, weight, bias, options, &Budget::OPERATIONS)
}

/// [`conv2d`] with an explicit budget.
///
/// **Errors** as [`conv2d`], with `budget` in place of the default.
pub fn conv2d_with_budget(
    input: ArrayView3<f32>,
    weight: ArrayView4<f32>,
    bias: Option<ArrayView1<f32>>,
    options: &Conv2dOptions,
    budget: &Budget,
) -> Result<Array3<f32>, ConvError> {
    let g = ConvGeometry::conv(
        input.dim().into(),
        weight.dim().into(),
        bias.map(|b| b.len()),
        options,
        budget,
    )?;
    let mut out = vec![0f32; g.out_channels * g.out_h * g.out_w];
    let mut workspace = Workspace::default();
    run_conv_by_mode(
        &g,
        options.padding_mode,
        input,
        weight,
        bias,
        &mut out,
        &mut workspace,
    );
    Ok(
        Array3::from_shape_vec((g.out_channels, g.out_h, g.out_w), out)
            .expect("output buffer has the computed shape"),
    )
}

/// Scratch memory reused across calls, so that repeated convolutions of one geometry allocate
/// nothing (the unfolded im2col / col2im matrix, and the padded input of a padding mode other
/// than zeros).
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    cols: Vec<f32>,
    padded: Vec<f32>,
}

impl Workspace {
    fn cols(&mut self, len: usize) -> &mut [f32] {
        grown(&mut self.cols, len)
    }
}

/// The first `len` elements of `buffer`, grown if it is shorter.
fn grown(buffer: &mut Vec<f32>, len: usize) -> &mut [f32] {
    if buffer.len() < len {
        buffer.resize(len, 0.0);
    }
    &mut buffer[..len]
}

/// [`conv2d_with_budget`] writing into `out` (`C_out × H_out × W_out`, row-major) with scratch from
/// `workspace`: no allocation once the workspace has grown. Returns the output shape.
///
/// **Errors** as [`conv2d_with_budget`], and with [`ConvError::OutputShape`] if `out` has the
/// wrong length.
pub fn conv2d_into(
    input: ArrayView3<f32>,
    weight: ArrayView4<f32>,
    bias: Option<ArrayView1<f32>>,
    options: &Conv2dOptions,
    budget: &Budget,
    out: &mut [f32],
    workspace: &mut Workspace,
) -> Result<[usize; 3], ConvError> {
    let g = ConvGeometry::conv(
        input.dim().into(),
        weight.dim().into(),
        bias.map(|b| b.len()),
        options,
        budget,
    )?;
    let expected = g.out_channels * g.out_h * g.out_w;
    if out.len() != expected {
        return Err(ConvError::OutputShape {
            expected,
            actual: out.len(),
        });
    }
    run_conv_by_mode(
        &g,
        options.padding_mode,
        input,
        weight,
        bias,
        out,
        workspace,
    );
    Ok([g.out_channels, g.out_h, g.out_w])
}

/// [`run_conv`] after padding by `mode`: zeros are the convolution's own padding; any other mode
/// pads a copy of the input (in the workspace) and convolves it without padding.
fn run_conv_by_mode(
    g: &ConvGeometry,
    mode: PaddingMode,
    input: ArrayView3<f32>,
    weight: ArrayView4<f32>,
    bias: Option<ArrayView1<f32>>,
    out: &mut [f32],
    workspace: &mut Workspace,
) {
    if mode == PaddingMode::Zeros {
        run_conv(g, input, weight, bias, out, workspace);
        return;
    }
    // The geometry checked the padded shape (no overflow, within the budget).
    let (padded_h, padded_w) = (
        g.in_h + g.padding.top + g.padding.bottom,
        g.in_w + g.padding.left + g.padding.right,
    );
    let mut buffer = std::mem::take(&mut workspace.padded);
    let padded = grown(&mut buffer, g.in_channels * padded_h * padded_w);
    crate::pad::pad_into(input, &g.padding, mode, padded);
    let view = ArrayView3::from_shape((g.in_channels, padded_h, padded_w), &*padded)
        .expect("padded buffer has the padded shape");
    let unpadded = ConvGeometry {
        in_h: padded_h,
        in_w: padded_w,
        padding: Padding::default(),
        ..g.clone()
    };
    run_conv(&unpadded, view, weight, bias, out, workspace);
    workspace.padded = buffer;
}

/// The convolution of a validated geometry into `out` (of the geometry's output length).
fn run_conv(
    g: &ConvGeometry,
    input: ArrayView3<f32>,
    weight: ArrayView4<f32>,
    bias: Option<ArrayView1<f32>>,
    out: &mut [f32],
    workspace: &mut Workspace,
) {
    let input = input.as_standard_layout();
    let weight = weight.as_standard_layout();
    let x = input.as_slice().unwrap_or(&[]);
    let wt = weight.as_slice().unwrap_or(&[]);
    // Each path writes every output value, but `depthwise_direct`, which adds into zeros.
    let depthwise = g.in_per_group == 1 && g.out_per_group == 1;
    if depthwise && g.stride == [1, 1] {
        depthwise_rows(g, x, wt, out);
    } else if depthwise {
        out.fill(0.0);
        depthwise_direct(g, x, wt, out);
    } else if simd_direct(g) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        crate::simd::conv_direct(g, x, wt, out);
    } else {
        conv_gemm(g, x, wt, out, workspace);
    }
    add_bias(out, bias, g.out_h * g.out_w);
}

/// Whether the wasm SIMD direct kernel (`simd.rs`) computes this geometry: only in builds with
/// the `simd128` target feature.
fn simd_direct(g: &ConvGeometry) -> bool {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return crate::simd::takes(g);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        let _ = g;
        false
    }
}

fn add_bias(out: &mut [f32], bias: Option<ArrayView1<f32>>, plane: usize) {
    if let Some(b) = bias {
        for (chunk, &bv) in out.chunks_mut(plane).zip(b.iter()) {
            chunk.iter_mut().for_each(|v| *v += bv);
        }
    }
}

/// Output pixels [`depthwise_rows`] sums at once.
const RUN: usize = 8;

/// A depthwise layer at stride 1: each output row in runs of [`RUN`] pixels, each run summed
/// over every tap in registers (the compiler makes the run two SIMD vectors) and written once,
/// the taps read from a zero-padded copy of the channel (no border cases); a row's last pixels
/// one by one.
fn depthwise_rows(g: &ConvGeometry, x: &[f32], wt: &[f32], out: &mut [f32]) {
    let (kh, kw) = (g.kernel[0], g.kernel[1]);
    let (dy, dx) = (g.dilation[0], g.dilation[1]);
    let pw = g.padding.left + g.in_w + g.padding.right;
    let plane_pad = (g.padding.top + g.in_h + g.padding.bottom) * pw;
    let plane_out = g.out_h * g.out_w;
    let plane_in = g.in_h * g.in_w;
    // One channel padded at a time, in a buffer that stays in cache: its borders stay zero, only
    // the inside is written, channel after channel.
    let mut pad = vec![0f32; plane_pad];
    for c in 0..g.out_channels {
        let channel = &x[c * plane_in..(c + 1) * plane_in];
        for (y, src) in channel.chunks_exact(g.in_w.max(1)).enumerate() {
            let at = (y + g.padding.top) * pw + g.padding.left;
            pad[at..at + src.len()].copy_from_slice(src);
        }
        let pad = &pad[..];
        let kern = &wt[c * kh * kw..(c + 1) * kh * kw];
        let o = &mut out[c * plane_out..(c + 1) * plane_out];
        let runs = g.out_w / RUN * RUN;
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        crate::simd::depthwise_runs(pad, pw, [dy, dx], kern, kw, o, g.out_w);
        for (oy, orow) in o.chunks_exact_mut(g.out_w.max(1)).enumerate() {
            // The padded rows this output row reads, one a kernel row.
            let rows = |ky: usize| &pad[(oy + ky * dy) * pw..(oy + ky * dy + 1) * pw];
            #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
            for ox in (0..runs).step_by(RUN) {
                let mut acc = [0f32; RUN];
                for (ky, taps) in kern.chunks_exact(kw).enumerate() {
                    for (kx, &w) in taps.iter().enumerate() {
                        let src = &rows(ky)[ox + kx * dx..ox + kx * dx + RUN];
                        acc.iter_mut().zip(src).for_each(|(a, &v)| *a += w * v);
                    }
                }
                orow[ox..ox + RUN].copy_from_slice(&acc);
            }
            for (ox, o) in orow.iter_mut().enumerate().skip(runs) {
                *o = (0..kh)
                    .flat_map(|ky| (0..kw).map(move |kx| (ky, kx)))
                    .map(|(ky, kx)| kern[ky * kw + kx] * rows(ky)[ox + kx * dx])
                    .sum();
            }
        }
    }
}

fn depthwise_direct(g: &ConvGeometry, x: &[f32], wt: &[f32], out: &mut [f32]) {
    let (kh, kw) = (g.kernel[0], g.kernel[1]);
    let plane_in = g.in_h * g.in_w;
    let plane_out = g.out_h * g.out_w;
    let cols: Vec<(usize, usize)> = (0..kw).map(|kx| g.tap_cols(kx)).collect();
    for c in 0..g.out_channels {
        let xin = &x[c * plane_in..(c + 1) * plane_in];
        let kern = &wt[c * kh * kw..(c + 1) * kh * kw];
        let o = &mut out[c * plane_out..(c + 1) * plane_out];
        for oy in 0..g.out_h {
            let orow = &mut o[oy * g.out_w..(oy + 1) * g.out_w];
            for ky in 0..kh {
                let Some(iy) = g.tap_row(oy, ky) else {
                    continue;
                };
                let irow = &xin[iy * g.in_w..(iy + 1) * g.in_w];
                for (kx, &(c0, c1)) in cols.iter().enumerate() {
                    if c0 >= c1 {
                        continue;
                    }
                    let wv = kern[ky * kw + kx];
                    let base = kx * g.dilation[1];
                    if g.stride[1] == 1 {
                        let start = c0 + base - g.padding.left;
                        let src = &irow[start..start + (c1 - c0)];
                        for (dst, &s) in orow[c0..c1].iter_mut().zip(src) {
                            *dst += wv * s;
                        }
                    } else {
                        for (ox, dst) in orow.iter_mut().enumerate().take(c1).skip(c0) {
                            *dst += wv * irow[ox * g.stride[1] + base - g.padding.left];
                        }
                    }
                }
            }
        }
    }
}

fn conv_gemm(g: &ConvGeometry, x: &[f32], wt: &[f32], out: &mut [f32], workspace: &mut Workspace) {
    let (kh, kw) = (g.kernel[0], g.kernel[1]);
    let k = g.in_per_group * kh * kw;
    let n = g.out_h * g.out_w;
    let m = g.out_per_group;
    let plane_in = g.in_h * g.in_w;
    let pointwise = kh == 1 && kw == 1 && g.stride == [1, 1] && g.padding == Padding::default();
    let cols = workspace.cols(if pointwise { 0 } else { k * n });
    let col_ranges: Vec<(usize, usize)> = (0..kw).map(|kx| g.tap_cols(kx)).collect();
    for group in 0..g.groups {
        let xg = &x[group * g.in_per_group * plane_in..(group + 1) * g.in_per_group * plane_in];
        let b: &[f32] = if pointwise {
            xg
        } else {
            cols.iter_mut().for_each(|v| *v = 0.0);
            for cl in 0..g.in_per_group {
                let xc = &xg[cl * plane_in..(cl + 1) * plane_in];
                for ky in 0..kh {
                    for (kx, &(c0, c1)) in col_ranges.iter().enumerate() {
                        if c0 >= c1 {
                            continue;
                        }
                        let row = ((cl * kh + ky) * kw + kx) * n;
                        let base = kx * g.dilation[1];
                        for oy in 0..g.out_h {
                            let Some(iy) = g.tap_row(oy, ky) else {
                                continue;
                            };
                            let irow = &xc[iy * g.in_w..(iy + 1) * g.in_w];
                            let dst = &mut cols[row + oy * g.out_w..row + (oy + 1) * g.out_w];
                            if g.stride[1] == 1 {
                                let start = c0 + base - g.padding.left;
                                dst[c0..c1].copy_from_slice(&irow[start..start + (c1 - c0)]);
                            } else {
                                for (ox, d) in dst.iter_mut().enumerate().take(c1).skip(c0) {
                                    *d = irow[ox * g.stride[1] + base - g.padding.left];
                                }
                            }
                        }
                    }
                }
            }
            &*cols
        };
        let a = &wt[group * m * k..(group + 1) * m * k];
        let c = &mut out[group * m * n..(group + 1) * m * n];
        sgemm(m, k, n, a, (k, 1), b, c);
    }
}

/// `c (m×n) = a (m×k) · b (k×n)`, `a` with row and column strides `a_strides`, `b` and `c`
/// row-major (`c` is not read): `simd::gemm` in wasm builds, `matrixmultiply` elsewhere.
fn sgemm(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    a_strides: (usize, usize),
    b: &[f32],
    c: &mut [f32],
) {
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        c[..m * n].fill(0.0);
        return;
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    crate::simd::gemm(m, k, n, a, a_strides, b, c);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        assert!(a.len() > (m - 1) * a_strides.0 + (k - 1) * a_strides.1);
        assert!(b.len() >= k * n && c.len() >= m * n);
        // SAFETY: the asserts above keep every index that sgemm computes from these strides
        // and sizes inside the slices, and `c` does not alias `a` or `b` (a unique borrow).
        unsafe {
            matrixmultiply::sgemm(
                m,
                k,
                n,
                1.0,
                a.as_ptr(),
                a_strides.0 as isize,
                a_strides.1 as isize,
                b.as_ptr(),
                n as isize,
                1,
                0.0,
                c.as_mut_ptr(),
                n as isize,
                1,
            );
        }
    }
}

/// 2-D transposed convolution with `torch.nn.functional.conv_transpose2d` semantics.
///
/// `input` is `(C_in, H, W)`, `weight` `(C_in, C_out / groups, kh, kw)`, `bias` `(C_out)`.
///
/// **Errors** as [`conv2d`], and if `output_padding >= max(stride, dilation)` or the padding
/// leaves no output.
pub fn conv_transpose2d(
    input: ArrayView3<f32>,
    weight: ArrayView4<f32>,
    bias: Option<ArrayView1<f32>>,
    options: &ConvTranspose2dOptions,
) -> Result<Array3<f32>, ConvError> {
    conv_transpose2d_with_budget(input, weight, bias, options, &Budget::OPERATIONS)
}

/// [`conv_transpose2d`] with an explicit budget.
///
/// **Errors** as [`conv_transpose2d`], with `budget` in place of the default.
pub fn conv_transpose2d_with_budget(
    input: ArrayView3<f32>,
    weight: ArrayView4<f32>,
    bias: Option<ArrayView1<f32>>,
    options: &ConvTranspose2dOptions,
    budget: &Budget,
) -> Result<Array3<f32>, ConvError> {
    let g = ConvGeometry::conv_transpose(
        input.dim().into(),
        weight.dim().into(),
        bias.map(|b| b.len()),
        options,
        budget,
    )?;
    let input = input.as_standard_layout();
    let weight = weight.as_standard_layout();
    let x = input.as_slice().unwrap_or(&[]);
    let wt = weight.as_slice().unwrap_or(&[]);
    let (kh, kw) = (g.kernel[0], g.kernel[1]);
    let n = g.in_h * g.in_w;
    let m = g.out_per_group * kh * kw;
    let kdim = g.in_per_group;
    let plane_out = g.out_h * g.out_w;
    let mut out = vec![0f32; g.out_channels * plane_out];
    let mut cols = vec![0f32; m * n];
    for group in 0..g.groups {
        // cols (m×n) = W_gᵀ · X_g, where W_g is (kdim × m) row-major.
        let a = &wt[group * kdim * m..(group + 1) * kdim * m];
        let b = &x[group * kdim * n..(group + 1) * kdim * n];
        sgemm(m, kdim, n, a, (1, m), b, &mut cols);
        // col2im: scatter every (co, ky, kx) plane onto the output.
        for col in 0..g.out_per_group {
            let co = group * g.out_per_group + col;
            let o = &mut out[co * plane_out..(co + 1) * plane_out];
            for ky in 0..kh {
                for kx in 0..kw {
                    let row = &cols[((col * kh + ky) * kw + kx) * n..][..n];
                    // The input columns `ix` whose output column `ix·s + kx·d − left` is on
                    // the map: `lo..hi`, the first at output column `first`.
                    let (sx, base, left) = (g.stride[1], kx * g.dilation[1], g.padding.left);
                    let lo = left.saturating_sub(base).div_ceil(sx);
                    let hi = (g.out_w + left)
                        .checked_sub(base + 1)
                        .map_or(0, |last| (last / sx + 1).min(g.in_w));
                    if lo >= hi {
                        continue;
                    }
                    let first = lo * sx + base - left;
                    for iy in 0..g.in_h {
                        let Some(oy) = (iy * g.stride[0] + ky * g.dilation[0])
                            .checked_sub(g.padding.top)
                            .filter(|&v| v < g.out_h)
                        else {
                            continue;
                        };
                        let orow = &mut o[oy * g.out_w..(oy + 1) * g.out_w];
                        let src = &row[iy * g.in_w..(iy + 1) * g.in_w][lo..hi];
                        let to = orow[first..].iter_mut().step_by(sx);
                        to.zip(src).for_each(|(o, &v)| *o += v);
                    }
                }
            }
        }
    }
    add_bias(&mut out, bias, plane_out);
    Ok(
        Array3::from_shape_vec((g.out_channels, g.out_h, g.out_w), out)
            .expect("output buffer has the computed shape"),
    )
}

fn upsample_checks(
    input: (usize, usize, usize),
    scale: [usize; 2],
) -> Result<(usize, usize), ConvError> {
    nonzero("scale_factor", scale[0])?;
    nonzero("scale_factor", scale[1])?;
    let (c, h, w) = input;
    nonzero("in_channels", c)?;
    nonzero("height", h)?;
    nonzero("width", w)?;
    let out_h = h.checked_mul(scale[0]).ok_or(ConvError::Overflow {
        what: "upsampled height",
    })?;
    let out_w = w.checked_mul(scale[1]).ok_or(ConvError::Overflow {
        what: "upsampled width",
    })?;
    Budget::OPERATIONS.check_elements("upsampled elements", product(&[c, out_h, out_w]))?;
    Ok((out_h, out_w))
}

/// Nearest-neighbour upsampling by integer factors (`nn.Upsample(scale_factor, mode="nearest")`):
/// every pixel is copied `scale[0] × scale[1]` times.
///
/// **Errors** on an empty input, a zero scale, overflow, or an output beyond
/// [`Budget::OPERATIONS`].
pub fn upsample_nearest(
    input: ArrayView3<f32>,
    scale: [usize; 2],
) -> Result<Array3<f32>, ConvError> {
    let (out_h, out_w) = upsample_checks(input.dim(), scale)?;
    let c = input.dim().0;
    Ok(Array3::from_shape_fn((c, out_h, out_w), |(ci, y, x)| {
        input[[ci, y / scale[0], x / scale[1]]]
    }))
}

/// [`upsample_nearest`] into `out` (`C × H·s × W·s`, row-major), allocating nothing. Returns the
/// output shape.
///
/// **Errors** as [`upsample_nearest`], and with [`ConvError::OutputShape`] if `out` has the wrong
/// length.
pub fn upsample_nearest_into(
    input: ArrayView3<f32>,
    scale: [usize; 2],
    out: &mut [f32],
) -> Result<[usize; 3], ConvError> {
    let (out_h, out_w) = upsample_checks(input.dim(), scale)?;
    let c = input.dim().0;
    if out.len() != c * out_h * out_w {
        return Err(ConvError::OutputShape {
            expected: c * out_h * out_w,
            actual: out.len(),
        });
    }
    for ci in 0..c {
        for y in 0..out_h {
            let row = &mut out[(ci * out_h + y) * out_w..][..out_w];
            for (x, v) in row.iter_mut().enumerate() {
                *v = input[[ci, y / scale[0], x / scale[1]]];
            }
        }
    }
    Ok([c, out_h, out_w])
}

/// Bilinear upsampling by integer factors, as `F.interpolate(input, scale_factor=scale,
/// mode="bilinear", align_corners=align_corners)` computes it. Output pixel `o` along an axis of
/// `n` input and `N = n·s` output pixels reads the input at
///
/// - `align_corners = false` (half-pixel centres, `nn.Upsample`'s default):
///   `(o + ½) / s − ½`, clamped at 0;
/// - `align_corners = true` (the corner pixels of input and output coincide):
///   `o · (n − 1) / (N − 1)` (0 when `N = 1`);
///
/// and mixes the two input pixels around that coordinate (the last one twice at the far edge), so
/// an axis of length 1 is copied. The coordinates are computed exactly, as fractions.
///
/// **Errors** as [`upsample_nearest`].
pub fn upsample_bilinear(
    input: ArrayView3<f32>,
    scale: [usize; 2],
    align_corners: bool,
) -> Result<Array3<f32>, ConvError> {
    let (out_h, out_w) = upsample_checks(input.dim(), scale)?;
    let (c, h, w) = input.dim();
    let ys: Vec<_> = (0..out_h)
        .map(|o| bilinear_taps(o, h, scale[0], align_corners))
        .collect();
    let xs: Vec<_> = (0..out_w)
        .map(|o| bilinear_taps(o, w, scale[1], align_corners))
        .collect();
    Ok(Array3::from_shape_fn((c, out_h, out_w), |(ci, y, x)| {
        let (y0, y1, ly) = ys[y];
        let (x0, x1, lx) = xs[x];
        let top = input[[ci, y0, x0]] * (1.0 - lx) + input[[ci, y0, x1]] * lx;
        let bottom = input[[ci, y1, x0]] * (1.0 - lx) + input[[ci, y1, x1]] * lx;
        top * (1.0 - ly) + bottom * ly
    }))
}

/// The two input pixels output pixel `o` mixes along an axis of `len` input pixels upsampled by
/// `scale`, and the weight of the second (`torch.nn.Upsample(mode="bilinear")` along one axis:
/// the first pixel has weight `1 − w`). The source coordinate is the fraction `num / den`
/// (integers: no rounding decides which pixels are read); `upsample_checks` bounds the sizes, so
/// the products fit in `u128` many times over.
pub fn bilinear_taps(
    o: usize,
    len: usize,
    scale: usize,
    align_corners: bool,
) -> (usize, usize, f32) {
    let (o, n, s) = (o as u128, len as u128, scale as u128);
    let (num, den) = if align_corners {
        // o (n − 1) / (n s − 1), or 0 for a single output pixel.
        (o * (n - 1), (n * s - 1).max(1))
    } else {
        // (o + ½) / s − ½ = (2o + 1 − s) / 2s, clamped at 0.
        ((2 * o + 1).saturating_sub(s), 2 * s)
    };
    let i0 = (num / den).min(n - 1);
    let i1 = (i0 + 1).min(n - 1);
    let weight = (num - i0 * den) as f64 / den as f64;
    (i0 as usize, i1 as usize, weight as f32)
}

/// The four input pixels (some may repeat, some weigh 0) that output pixel `o` = `[y, x]` of a
/// bilinear upsampling mixes, for an input of `input` = `[height, width]`, with their weights:
/// the products of the two axes' [`bilinear_taps`], summing to 1.
pub fn bilinear_mix(
    o: [usize; 2],
    input: [usize; 2],
    scale: usize,
    align_corners: bool,
) -> [(usize, usize, f32); 4] {
    let (y0, y1, ly) = bilinear_taps(o[0], input[0], scale, align_corners);
    let (x0, x1, lx) = bilinear_taps(o[1], input[1], scale, align_corners);
    [
        (y0, x0, (1.0 - ly) * (1.0 - lx)),
        (y0, x1, (1.0 - ly) * lx),
        (y1, x0, ly * (1.0 - lx)),
        (y1, x1, ly * lx),
    ]
}

/// Pixel shuffle (`torch.nn.PixelShuffle(upscale_factor)`, ONNX `DepthToSpace` in `CRD` mode):
/// `(C·r², H, W)` becomes `(C, H·r, W·r)` with `out[c, h·r + i, w·r + j] = in[c·r² + i·r + j, h,
/// w]`: each group of `r²` channels is laid out as the `r × r` block of every pixel.
///
/// **Errors** on an empty input or `upscale_factor = 0`, with
/// [`ConvError::PixelShuffleChannels`] if `r²` does not divide the channels, on overflow, or if the
/// output exceeds [`Budget::OPERATIONS`].
pub fn pixel_shuffle(
    input: ArrayView3<f32>,
    upscale_factor: usize,
) -> Result<Array3<f32>, ConvError> {
    let r = nonzero("upscale_factor", upscale_factor)?;
    let (c, h, w) = input.dim();
    nonzero("in_channels", c)?;
    nonzero("height", h)?;
    nonzero("width", w)?;
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
    let (out_h, out_w) = upsample_checks((c / square, h, w), [r, r])?;
    Ok(Array3::from_shape_fn(
        (c / square, out_h, out_w),
        |(co, y, x)| {
            let (i, j) = (y % r, x % r);
            input[[co * square + i * r + j, y / r, x / r]]
        },
    ))
}
