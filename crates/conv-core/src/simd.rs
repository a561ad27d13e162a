//! A direct convolution and a matrix product written with WebAssembly's 128-bit SIMD
//! (`core::arch::wasm32`), for builds with the `simd128` target feature (every wasm build of the
//! project: the page, its worker and the benchmark, `.cargo/config.toml`).
//!
//! The direct convolution takes stride 1, one group, more than one input channel, kernels larger
//! than 1×1, any dilation and padding. The others go where they are faster (measured with
//! `make bench`): a 1×1 kernel and a grouped or strided layer to im2col and the matrix product
//! [`gemm`] (which also serves the transposed convolution), depthwise layers to their direct
//! loop (`ops::depthwise_direct`).
//!
//! Register tiling: 4 output channels × 8 output pixels of one row are summed in eight
//! `f32x4` accumulators over every input channel and tap, reading each input row straight from
//! the input (no im2col buffer) and writing into the caller's output. Tiles that reach into the
//! padding read their input through a zero-filled copy. The weights of 4 output channels are
//! packed side by side once per block, so that one load gives a tap's 4 weights.
//!
//! [`gemm`] has the same 4 × 8 register tile: 4 rows of the weights packed side by side, 8
//! columns of the right-hand matrix loaded straight from its rows, the columns taken in chunks
//! that stay in cache while every block of 4 rows passes over them.
//!
//! The native build keeps the portable im2col + GEMM path (`matrixmultiply`); the property tests of `tests/simd.rs`
//! hold this kernel to the naive reference, built for wasm32 with `+simd128` and run under
//! wasm-bindgen-test.

use core::arch::wasm32::*;

use crate::geometry::ConvGeometry;

/// Output pixels a tile spans: two `f32x4`.
const TILE: usize = 8;
/// Output channels a tile spans.
const ROWS: usize = 4;

/// Whether the direct kernel computes this geometry (see the module's documentation: GEMM is
/// faster for a 1×1 kernel, 3× in S3, and for the small groups of S4).
pub(crate) fn takes(g: &ConvGeometry) -> bool {
    g.stride == [1, 1] && g.in_per_group > 1 && g.kernel != [1, 1] && g.groups == 1
}

/// A 4 × 8 tile's sums (`acc`: two vectors a row) plus lane `r` of `w` times the 8 values
/// `(v0, v1)` in row `r`.
#[inline(always)]
fn fma(acc: [v128; 2 * ROWS], w: v128, v0: v128, v1: v128) -> [v128; 2 * ROWS] {
    let w0 = i32x4_shuffle::<0, 0, 0, 0>(w, w);
    let w1 = i32x4_shuffle::<1, 1, 1, 1>(w, w);
    let w2 = i32x4_shuffle::<2, 2, 2, 2>(w, w);
    let w3 = i32x4_shuffle::<3, 3, 3, 3>(w, w);
    [
        f32x4_add(acc[0], f32x4_mul(w0, v0)),
        f32x4_add(acc[1], f32x4_mul(w0, v1)),
        f32x4_add(acc[2], f32x4_mul(w1, v0)),
        f32x4_add(acc[3], f32x4_mul(w1, v1)),
        f32x4_add(acc[4], f32x4_mul(w2, v0)),
        f32x4_add(acc[5], f32x4_mul(w2, v1)),
        f32x4_add(acc[6], f32x4_mul(w3, v0)),
        f32x4_add(acc[7], f32x4_mul(w3, v1)),
    ]
}

/// Eight values as two vectors.
#[inline(always)]
fn load8(v: &[f32; TILE]) -> (v128, v128) {
    // SAFETY: `v` holds 8 `f32`, 32 bytes; `v128_load` reads 16 unaligned bytes at offsets 0
    // and 16.
    unsafe {
        let p = v.as_ptr();
        (
            v128_load(p as *const v128),
            v128_load(p.add(4) as *const v128),
        )
    }
}

/// `out += conv(x, wt)` for a geometry [`takes`] accepts; `x` is `(C_in, H, W)`, `wt`
/// `(C_out, C_in / groups, kh, kw)` and `out` `(C_out, H_out, W_out)`, all row-major.
pub(crate) fn conv_direct(g: &ConvGeometry, x: &[f32], wt: &[f32], out: &mut [f32]) {
    let (kh, kw) = (g.kernel[0], g.kernel[1]);
    let (ipg, opg) = (g.in_per_group, g.out_per_group);
    let (plane_in, plane_out) = (g.in_h * g.in_w, g.out_h * g.out_w);
    let taps = kh * kw;
    let cols: Vec<(usize, usize)> = (0..kw).map(|kx| g.tap_cols(kx)).collect();
    let mut packed = vec![0f32; ipg * taps * ROWS];
    // The output columns every tap reads inside the input: tiles within them read straight.
    let inner = (
        cols.iter().map(|c| c.0).max().unwrap_or(0),
        cols.iter().map(|c| c.1).min().unwrap_or(0),
    );
    for group in 0..g.groups {
        let xg = &x[group * ipg * plane_in..(group + 1) * ipg * plane_in];
        for co0 in (0..opg).step_by(ROWS) {
            let rows = (opg - co0).min(ROWS);
            let first = group * opg + co0;
            // The block's weights, tap by tap, 4 output channels side by side (0 past the last).
            packed.fill(0.0);
            for r in 0..rows {
                let w = &wt[(first + r) * ipg * taps..(first + r + 1) * ipg * taps];
                for (i, &v) in w.iter().enumerate() {
                    packed[i * ROWS + r] = v;
                }
            }
            for oy in 0..g.out_h {
                // The kernel rows inside the input at this output row.
                let rows_in: Vec<(usize, usize)> = (0..kh)
                    .filter_map(|ky| g.tap_row(oy, ky).map(|iy| (ky, iy)))
                    .collect();
                let mut ox = 0;
                while ox < g.out_w {
                    let acc = if ox >= inner.0 && ox + TILE <= inner.1 {
                        interior(g, xg, &packed, &rows_in, ox)
                    } else {
                        tile(g, xg, &packed, &cols, oy, ox)
                    };
                    let width = (g.out_w - ox).min(TILE);
                    for (r, sums) in acc.iter().enumerate().take(rows) {
                        let at = (first + r) * plane_out + oy * g.out_w + ox;
                        for (d, s) in out[at..at + width].iter_mut().zip(sums) {
                            *d += s;
                        }
                    }
                    ox += TILE;
                }
            }
        }
    }
}

/// [`tile`] for a tile whose 8 pixels every tap reads inside the input (no padding), over the
/// kernel rows `rows_in` (`(ky, iy)`) inside it: each tap's 8 inputs are two vector loads from
/// the input row, its 4 weights one load.
#[inline(always)]
fn interior(
    g: &ConvGeometry,
    xg: &[f32],
    packed: &[f32],
    rows_in: &[(usize, usize)],
    ox: usize,
) -> [[f32; TILE]; ROWS] {
    let (kh, kw) = (g.kernel[0], g.kernel[1]);
    let (plane_in, taps, d) = (g.in_h * g.in_w, kh * kw, g.dilation[1]);
    let left = g.padding.left;
    // Every read below is inside the slices: the caller checked that each tap's columns
    // `ox + kx·d − left .. + 8` lie in the input row (`ConvGeometry::tap_cols`), `iy < in_h` (`tap_row`),
    // `ci < in_per_group` (the group's slice) and the packed weights hold `ipg · taps · 4`.
    assert!(xg.len() >= g.in_per_group * plane_in && ox >= left);
    assert!(packed.len() >= g.in_per_group * taps * ROWS);
    assert!(ox - left + (kw - 1) * d + TILE <= g.in_w);
    let mut acc = [f32x4_splat(0.0); 2 * ROWS];
    // SAFETY: see the asserts above; `v128_load` reads 16 unaligned bytes.
    unsafe {
        for ci in 0..g.in_per_group {
            let xc = xg.as_ptr().add(ci * plane_in);
            for &(ky, iy) in rows_in {
                debug_assert!(iy < g.in_h && ky < kh);
                let row = xc.add(iy * g.in_w + ox - left);
                let wrow = packed.as_ptr().add((ci * taps + ky * kw) * ROWS);
                for kx in 0..kw {
                    let p = row.add(kx * d);
                    let v0 = v128_load(p as *const v128);
                    let v1 = v128_load(p.add(4) as *const v128);
                    let w = v128_load(wrow.add(kx * ROWS) as *const v128);
                    acc = fma(acc, w, v0, v1);
                }
            }
        }
    }
    let mut sums = [[0f32; TILE]; ROWS];
    for (s, pair) in sums.iter_mut().zip(acc.chunks_exact(2)) {
        let (lo, hi) = (pair[0], pair[1]);
        // SAFETY: `s` holds 8 `f32`, 32 bytes; two unaligned 16-byte stores at offsets 0 and 16.
        unsafe {
            let p = s.as_mut_ptr();
            v128_store(p as *mut v128, lo);
            v128_store(p.add(4) as *mut v128, hi);
        }
    }
    sums
}

/// The sums of one tile: 4 output channels × the 8 output pixels from `(oy, ox)`.
#[inline(always)]
fn tile(
    g: &ConvGeometry,
    xg: &[f32],
    packed: &[f32],
    cols: &[(usize, usize)],
    oy: usize,
    ox: usize,
) -> [[f32; TILE]; ROWS] {
    let (kh, kw) = (g.kernel[0], g.kernel[1]);
    let plane_in = g.in_h * g.in_w;
    let taps = kh * kw;
    let zero = f32x4_splat(0.0);
    let mut acc = [zero; 2 * ROWS];
    for ci in 0..g.in_per_group {
        let xc = &xg[ci * plane_in..(ci + 1) * plane_in];
        for ky in 0..kh {
            let Some(iy) = g.tap_row(oy, ky) else {
                continue;
            };
            let irow = &xc[iy * g.in_w..(iy + 1) * g.in_w];
            for (kx, &(c0, c1)) in cols.iter().enumerate() {
                let (lo, hi) = (ox.max(c0), (ox + TILE).min(c1));
                if lo >= hi {
                    continue;
                }
                // Output column `o` reads input column `o + shift - left`.
                let shift = kx * g.dilation[1];
                let mut v = [0f32; TILE];
                if lo == ox && hi == ox + TILE {
                    let start = ox + shift - g.padding.left;
                    v.copy_from_slice(&irow[start..start + TILE]);
                } else {
                    for o in lo..hi {
                        v[o - ox] = irow[o + shift - g.padding.left];
                    }
                }
                let (v0, v1) = load8(&v);
                let at = ((ci * taps) + ky * kw + kx) * ROWS;
                let w = &packed[at..at + ROWS];
                for r in 0..ROWS {
                    let wr = f32x4_splat(w[r]);
                    acc[2 * r] = f32x4_add(acc[2 * r], f32x4_mul(wr, v0));
                    acc[2 * r + 1] = f32x4_add(acc[2 * r + 1], f32x4_mul(wr, v1));
                }
            }
        }
    }
    let mut sums = [[0f32; TILE]; ROWS];
    for (r, s) in sums.iter_mut().enumerate() {
        // SAFETY: `s` holds 8 `f32`, 32 bytes; two unaligned 16-byte stores at offsets 0 and 16.
        unsafe {
            let p = s.as_mut_ptr();
            v128_store(p as *mut v128, acc[2 * r]);
            v128_store(p.add(4) as *mut v128, acc[2 * r + 1]);
        }
    }
    sums
}

/// `c (m × n, row-major) += a (m × k, row and column strides `a_strides`) · b (k × n,
/// row-major)`.
pub(crate) fn gemm(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    a_strides: (usize, usize),
    b: &[f32],
    c: &mut [f32],
) {
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    assert!(a.len() > (m - 1) * a_strides.0 + (k - 1) * a_strides.1);
    assert!(b.len() >= k * n && c.len() >= m * n);
    let at = |i: usize, kk: usize| a[i * a_strides.0 + kk * a_strides.1];
    // Blocks of 4 rows of `a`, each `k × 4` with its rows side by side (0 past the last row).
    let blocks = m.div_ceil(ROWS);
    let mut packed = vec![0f32; blocks * k * ROWS];
    for i in 0..m {
        for kk in 0..k {
            packed[((i / ROWS) * k + kk) * ROWS + i % ROWS] = at(i, kk);
        }
    }
    // Columns in chunks of about 128 KB of `b`, which every block passes over in turn.
    let chunk = ((32 * 1024 / k) / TILE * TILE).clamp(TILE, 1024);
    let full = n / TILE * TILE;
    for j0 in (0..full).step_by(chunk) {
        for (blk, pa) in packed.chunks_exact(k * ROWS).enumerate() {
            let rows = (m - blk * ROWS).min(ROWS);
            let c = &mut c[blk * ROWS * n..(blk * ROWS + rows) * n];
            for j in (j0..(j0 + chunk).min(full)).step_by(TILE) {
                panel(pa, b, c, rows, k, n, j);
            }
        }
    }
    // The last columns (fewer than 8), one at a time.
    for i in 0..m {
        for j in full..n {
            let sum: f32 = (0..k).map(|kk| at(i, kk) * b[kk * n + j]).sum();
            c[i * n + j] += sum;
        }
    }
}

/// `c[r][j .. j + 8] += Σ_kk pa[kk][r] · b[kk][j .. j + 8]` for the `rows` rows of `c` (the
/// first rows of a block, `n` apart) and the block's packed rows `pa` (`k × 4`).
#[inline(always)]
fn panel(pa: &[f32], b: &[f32], c: &mut [f32], rows: usize, k: usize, n: usize, j: usize) {
    assert!(pa.len() >= k * ROWS && j + TILE <= n && b.len() >= k * n);
    assert!(rows <= ROWS && c.len() >= rows * n);
    let mut acc = [f32x4_splat(0.0); 2 * ROWS];
    // SAFETY: the asserts above: row `kk < k` of `b` holds columns `j .. j + 8` (`j + 8 ≤ n`),
    // `pa` holds `k · 4` values, and `c` holds `rows` rows of `n`; `v128_load` / `v128_store`
    // read and write 16 unaligned bytes.
    unsafe {
        let (mut bp, mut ap) = (b.as_ptr().add(j), pa.as_ptr());
        for _ in 0..k {
            let v0 = v128_load(bp as *const v128);
            let v1 = v128_load(bp.add(4) as *const v128);
            let w = v128_load(ap as *const v128);
            acc = fma(acc, w, v0, v1);
            bp = bp.add(n);
            ap = ap.add(ROWS);
        }
        for r in 0..rows {
            let p = c.as_mut_ptr().add(r * n + j);
            let lo = f32x4_add(v128_load(p as *const v128), acc[2 * r]);
            let hi = f32x4_add(v128_load(p.add(4) as *const v128), acc[2 * r + 1]);
            v128_store(p as *mut v128, lo);
            v128_store(p.add(4) as *mut v128, hi);
        }
    }
}
