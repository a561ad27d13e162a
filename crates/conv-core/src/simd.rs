//! A direct convolution and a matrix product written with WebAssembly's 128-bit SIMD
//! (`core::arch::wasm32`), for builds with the `simd128` target feature (every wasm build of the
//! project: the page, its worker and the benchmark, `.cargo/config.toml`).
//!
//! The direct convolution takes stride 1, more than one input channel a group, kernels larger
//! than 1×1, any dilation and padding. The others go where they are faster (measured with
//! `make bench`): a 1×1 kernel and a strided layer to im2col and the matrix product [`gemm`]
//! (which also serves the transposed convolution), depthwise layers to their own loops
//! (`ops::depthwise_rows` at stride 1, whose runs of 8 pixels [`depthwise_runs`] sums in two
//! vectors, two output rows at once; `ops::depthwise_direct` otherwise).
//!
//! Register tiling: 4 output channels × 8 output pixels of one row are summed in eight
//! `f32x4` accumulators over every input channel and tap, reading each row straight from a
//! zero-padded copy of the input (no im2col buffer: one copy of the input, where im2col makes
//! k² of them, and no tile needs a slower path at the borders) and writing into the caller's
//! output. The weights of 4 output channels are packed side by side once per block, and each
//! tap's weights are loaded splatted to the four lanes. A layer of one output channel a group
//! (a volume's front face is one) takes tiles of 32 pixels of that channel instead
//! (`wide_tile`): a 4-channel tile would compute three rows of sums for nothing.
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
/// Output pixels a tile of one output channel spans (a layer of one output channel a group):
/// eight `f32x4`.
const WIDE: usize = 32;

/// Whether the direct kernel computes this geometry (see the module's documentation: GEMM is
/// faster for a 1×1 kernel, 3× in S3).
pub(crate) fn takes(g: &ConvGeometry) -> bool {
    g.stride == [1, 1] && g.in_per_group > 1 && g.kernel != [1, 1]
}

/// A 4 × 8 tile's sums (`acc`: two vectors a row) plus `w[r]` times the 8 values `(v0, v1)` in
/// row `r`. Each weight is loaded already splatted to the four lanes (`v128.load32_splat`), which
/// runs about 5 % faster than one load and four shuffles (S3–S7, `make bench`).
///
/// **Safety:** `w` points at 4 readable `f32`.
#[inline(always)]
unsafe fn fma(acc: [v128; 2 * ROWS], w: *const f32, v0: v128, v1: v128) -> [v128; 2 * ROWS] {
    let w0 = v128_load32_splat(w as *const u32);
    let w1 = v128_load32_splat(w.add(1) as *const u32);
    let w2 = v128_load32_splat(w.add(2) as *const u32);
    let w3 = v128_load32_splat(w.add(3) as *const u32);
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

/// `out = (lo, hi)`: the first `out.len()` (at most 8) of the two vectors' values.
#[inline(always)]
fn put8(out: &mut [f32], lo: v128, hi: v128) {
    if out.len() == TILE {
        // SAFETY: `out` holds 8 `f32`, 32 bytes: two unaligned 16-byte stores at 0 and 16.
        unsafe {
            let p = out.as_mut_ptr();
            v128_store(p as *mut v128, lo);
            v128_store(p.add(4) as *mut v128, hi);
        }
        return;
    }
    let mut sums = [0f32; TILE];
    // SAFETY: `sums` holds 8 `f32`: two unaligned 16-byte stores at 0 and 16.
    unsafe {
        v128_store(sums.as_mut_ptr() as *mut v128, lo);
        v128_store(sums.as_mut_ptr().add(4) as *mut v128, hi);
    }
    let n = out.len().min(TILE);
    out[..n].copy_from_slice(&sums[..n]);
}

/// `out = conv(x, wt)` for a geometry [`takes`] accepts; `x` is `(C_in, H, W)`, `wt`
/// `(C_out, C_in / groups, kh, kw)` and `out` `(C_out, H_out, W_out)`, all row-major.
///
/// The input is first copied with its zero padding into a buffer with room for 8 more values,
/// so that every tile reads its rows straight, the last tile of a row too (past the row's end
/// it reads values of the next row, or the room at the end, for columns it does not write).
pub(crate) fn conv_direct(g: &ConvGeometry, x: &[f32], wt: &[f32], out: &mut [f32]) {
    let (kh, kw) = (g.kernel[0], g.kernel[1]);
    let (ipg, opg) = (g.in_per_group, g.out_per_group);
    let p = &g.padding;
    let (ph, pw) = (g.in_h + p.top + p.bottom, g.in_w + p.left + p.right);
    let plane_out = g.out_h * g.out_w;
    let taps = kh * kw;
    let padded = crate::pad::zero_padded(x, [g.in_channels, g.in_h, g.in_w], p, WIDE);
    if opg == 1 {
        // One output channel a group: tiles of 32 pixels of it (a tile of 4 output channels
        // would compute three of them for nothing).
        for group in 0..g.groups {
            let xg = &padded[group * ipg * ph * pw..];
            let wg = &wt[group * ipg * taps..(group + 1) * ipg * taps];
            for oy in 0..g.out_h {
                for ox in (0..g.out_w).step_by(WIDE) {
                    let acc = wide_tile(g, (ph, pw), xg, wg, oy, ox);
                    let at = group * plane_out + oy * g.out_w + ox;
                    let width = (g.out_w - ox).min(WIDE);
                    for (i, pair) in acc.chunks_exact(2).enumerate().take(width.div_ceil(TILE)) {
                        let run = (width - i * TILE).min(TILE);
                        put8(
                            &mut out[at + i * TILE..at + i * TILE + run],
                            pair[0],
                            pair[1],
                        );
                    }
                }
            }
        }
        return;
    }
    let mut packed = vec![0f32; ipg * taps * ROWS];
    for group in 0..g.groups {
        let xg = &padded[group * ipg * ph * pw..];
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
                for ox in (0..g.out_w).step_by(TILE) {
                    let acc = tile(g, (ph, pw), xg, &packed, oy, ox);
                    let width = (g.out_w - ox).min(TILE);
                    for (r, pair) in acc.chunks_exact(2).enumerate().take(rows) {
                        let at = (first + r) * plane_out + oy * g.out_w + ox;
                        put8(&mut out[at..at + width], pair[0], pair[1]);
                    }
                }
            }
        }
    }
}

/// Holds what makes every input read of a tile `span` pixels wide from `(oy, ox)` inside `xg`
/// (the group's padded maps, `ph × pw` each, and what follows): at stride 1 the padded map holds
/// output row `oy + ky·dh` and columns `ox + kx·dw .. + span` for every tap, but for the last
/// tile's columns past the row's end, which are read from what follows the row (the next row, or
/// the room of `span` values after the last map).
#[inline(always)]
fn assert_reads_inside(
    g: &ConvGeometry,
    (ph, pw): (usize, usize),
    xg: &[f32],
    (oy, ox): (usize, usize),
    span: usize,
) {
    let ([kh, kw], [dh, dw]) = (g.kernel, g.dilation);
    assert!(g.stride == [1, 1] && g.out_h + (kh - 1) * dh == ph && g.out_w + (kw - 1) * dw == pw);
    assert!(oy < g.out_h && ox < g.out_w && xg.len() >= g.in_per_group * ph * pw + span);
}

/// The sums of one tile, two vectors an output channel: 4 output channels × the 8 output pixels
/// from `(oy, ox)`, over every
/// input channel of the group (`xg`: its padded maps, `ph × pw` each, and what follows) and
/// every tap: each tap's 8 inputs are two vector loads from the padded row, its 4 weights one
/// load of `packed`.
#[inline(always)]
fn tile(
    g: &ConvGeometry,
    (ph, pw): (usize, usize),
    xg: &[f32],
    packed: &[f32],
    oy: usize,
    ox: usize,
) -> [v128; 2 * ROWS] {
    let (kh, kw) = (g.kernel[0], g.kernel[1]);
    let ([dh, dw], taps, plane) = (g.dilation, kh * kw, ph * pw);
    assert_reads_inside(g, (ph, pw), xg, (oy, ox), TILE);
    assert!(packed.len() >= g.in_per_group * taps * ROWS);
    let mut acc = [f32x4_splat(0.0); 2 * ROWS];
    // SAFETY: see the asserts above; `v128_load` reads 16 unaligned bytes.
    unsafe {
        for ci in 0..g.in_per_group {
            let xc = xg.as_ptr().add(ci * plane);
            for ky in 0..kh {
                let row = xc.add((oy + ky * dh) * pw + ox);
                let wrow = packed.as_ptr().add((ci * taps + ky * kw) * ROWS);
                for kx in 0..kw {
                    let p = row.add(kx * dw);
                    let v0 = v128_load(p as *const v128);
                    let v1 = v128_load(p.add(4) as *const v128);
                    acc = fma(acc, wrow.add(kx * ROWS), v0, v1);
                }
            }
        }
    }
    acc
}

/// The sums of a tile of one output channel, two vectors a run of 8: the 32 output pixels from
/// `(oy, ox)`, over every input channel of the group (`xg`, as in [`tile`], with room for 32
/// values after its last map) and every tap (`wg`: the channel's weights, `C_in / groups × kh ×
/// kw`): each tap's weight is one splatted load, its 32 inputs eight vector loads from the padded
/// row.
#[inline(always)]
fn wide_tile(
    g: &ConvGeometry,
    (ph, pw): (usize, usize),
    xg: &[f32],
    wg: &[f32],
    oy: usize,
    ox: usize,
) -> [v128; WIDE / 4] {
    let (kh, kw) = (g.kernel[0], g.kernel[1]);
    let ([dh, dw], taps, plane) = (g.dilation, kh * kw, ph * pw);
    assert_reads_inside(g, (ph, pw), xg, (oy, ox), WIDE);
    assert!(wg.len() >= g.in_per_group * taps);
    let mut acc = [f32x4_splat(0.0); WIDE / 4];
    // SAFETY: see the asserts above; `v128_load` reads 16 unaligned bytes, `v128_load32_splat`
    // 4 bytes of `wg`.
    unsafe {
        for ci in 0..g.in_per_group {
            let xc = xg.as_ptr().add(ci * plane);
            for ky in 0..kh {
                let row = xc.add((oy + ky * dh) * pw + ox);
                let wrow = wg.as_ptr().add(ci * taps + ky * kw);
                for kx in 0..kw {
                    let p = row.add(kx * dw);
                    let w = v128_load32_splat(wrow.add(kx) as *const u32);
                    for (i, a) in acc.iter_mut().enumerate() {
                        *a = f32x4_add(*a, f32x4_mul(w, v128_load(p.add(4 * i) as *const v128)));
                    }
                }
            }
        }
    }
    acc
}

/// `c (m × n, row-major) = a (m × k, row and column strides `a_strides`) · b (k × n,
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
            c[i * n + j] = sum;
        }
    }
}

/// `c[r][j .. j + 8] = Σ_kk pa[kk][r] · b[kk][j .. j + 8]` for the `rows` rows of `c` (the
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
            acc = fma(acc, ap, v0, v1);
            bp = bp.add(n);
            ap = ap.add(ROWS);
        }
        for r in 0..rows {
            put8(
                &mut c[r * n + j..r * n + j + TILE],
                acc[2 * r],
                acc[2 * r + 1],
            );
        }
    }
}

/// The runs of eight output pixels of one channel of a depthwise layer at stride 1
/// (`ops::depthwise_rows`): the first `out_w / 8 · 8` pixels of every row of `out` (the
/// channel's output, `out_w` wide; the rest of each row is the caller's), from the zero-padded
/// channel `pad` (`pw` wide), the kernel `kern` (`kw` taps a row) and the dilation `[dy, dx]`.
///
/// Where kernel rows are adjacent (`dy` = 1), two output rows are summed at once: they read
/// `kh + 1` input rows, each of whose vectors is loaded once for both (`kh + 1` loads a tap
/// column where two single rows take `2·kh`).
///
/// **Panics** if the last run's last tap is not inside `pad` (the caller's geometry keeps it).
pub(crate) fn depthwise_runs(
    pad: &[f32],
    pw: usize,
    [dy, dx]: [usize; 2],
    kern: &[f32],
    kw: usize,
    out: &mut [f32],
    out_w: usize,
) {
    let (kw, out_w) = (kw.max(1), out_w.max(1));
    let (kh, out_h, runs) = (kern.len() / kw, out.len() / out_w, out_w / TILE * TILE);
    if kh == 0 || out_h == 0 || runs == 0 {
        return;
    }
    // Every run reads at or before the last row's last run's last tap: one check for all.
    let last = (out_h - 1 + (kh - 1) * dy) * pw + runs - TILE + (kw - 1) * dx;
    assert!(
        last + TILE <= pad.len(),
        "a depthwise run outside its channel"
    );
    let zero = (f32x4_splat(0.0), f32x4_splat(0.0));
    let mut oy = 0;
    while oy < out_h {
        let pair = dy == 1 && oy + 1 < out_h;
        for ox in (0..runs).step_by(TILE) {
            // SAFETY: a run of row `oy` reads padded rows `oy + ky·dy` (a pair's second row
            // `oy + 1 + ky`, `oy + 1 < out_h`), 8 values from column `ox + kx·dx`: at or before
            // `last` (checked above); kernel row `ky < kh` holds `kw` taps of `kern`.
            unsafe {
                let p = pad.as_ptr().add(oy * pw + ox);
                let w = |ky: usize| kern.as_ptr().add(ky * kw);
                let mut a = taps_row(zero, p, w(0), kw, dx);
                if pair {
                    // Input row r feeds the first output row with kernel row r, the second
                    // with kernel row r − 1.
                    let mut b = zero;
                    for r in 1..kh {
                        (a, b) = taps_rows((a, b), p.add(r * pw), w(r), w(r - 1), kw, dx);
                    }
                    b = taps_row(b, p.add(kh * pw), w(kh - 1), kw, dx);
                    put8(&mut out[(oy + 1) * out_w + ox..][..TILE], b.0, b.1);
                } else {
                    for ky in 1..kh {
                        a = taps_row(a, p.add(ky * dy * pw), w(ky), kw, dx);
                    }
                }
                put8(&mut out[oy * out_w + ox..][..TILE], a.0, a.1);
            }
        }
        oy += if pair { 2 } else { 1 };
    }
}

/// `acc` plus the 8 pixels' sums of the kernel row at `w` (`kw` taps) over the padded row at
/// `p`, taps `dx` apart.
///
/// # Safety
/// `w .. w + kw` are readable, and `p + kx·dx .. + 8` for every tap `kx`.
#[inline(always)]
unsafe fn taps_row(
    (mut lo, mut hi): (v128, v128),
    p: *const f32,
    w: *const f32,
    kw: usize,
    dx: usize,
) -> (v128, v128) {
    for kx in 0..kw {
        let (s, wv) = (p.add(kx * dx), v128_load32_splat(w.add(kx) as *const u32));
        lo = f32x4_add(lo, f32x4_mul(wv, v128_load(s as *const v128)));
        hi = f32x4_add(hi, f32x4_mul(wv, v128_load(s.add(4) as *const v128)));
    }
    (lo, hi)
}

/// [`taps_row`] for two output rows that read the same padded row at `p`: `a` with the kernel
/// row at `wa`, `b` with the one at `wb`, each vector loaded once.
///
/// # Safety
/// As [`taps_row`], for both kernel rows.
#[inline(always)]
unsafe fn taps_rows(
    ((mut a0, mut a1), (mut b0, mut b1)): ((v128, v128), (v128, v128)),
    p: *const f32,
    wa: *const f32,
    wb: *const f32,
    kw: usize,
    dx: usize,
) -> ((v128, v128), (v128, v128)) {
    for kx in 0..kw {
        let s = p.add(kx * dx);
        let (v0, v1) = (
            v128_load(s as *const v128),
            v128_load(s.add(4) as *const v128),
        );
        let va = v128_load32_splat(wa.add(kx) as *const u32);
        let vb = v128_load32_splat(wb.add(kx) as *const u32);
        a0 = f32x4_add(a0, f32x4_mul(va, v0));
        a1 = f32x4_add(a1, f32x4_mul(va, v1));
        b0 = f32x4_add(b0, f32x4_mul(vb, v0));
        b1 = f32x4_add(b1, f32x4_mul(vb, v1));
    }
    ((a0, a1), (b0, b1))
}
