//! No-panic fuzzing of the whole engine: arbitrary layer specs (any values, huge and zero
//! included) and arbitrary tensors go through validation, correction, forward passes,
//! contributions, animation steps and the overlap map. Properties: nothing panics, every
//! rejection is a typed error, and no case allocates more than the budget allows.
//!
//! `cargo test --release -p conv-core --test fuzz` runs `FUZZ_CASES` cases (default 3000, the CI
//! smoke); `make fuzz` runs 1,000,000.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use conv_core::*;
use ndarray::{Array3, Array4};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Counts the bytes live and the peak since the last reset.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn any_size() -> impl Strategy<Value = usize> {
    prop_oneof![
        6 => 0usize..=12,
        2 => 0usize..=80,
        1 => Just(usize::MAX),
        1 => any::<usize>(),
    ]
}

fn any_spec() -> impl Strategy<Value = LayerSpec> {
    (
        prop::sample::select(LayerKind::ALL.to_vec()),
        (any_size(), any_size(), any_size(), any_size()),
        (any_size(), any_size(), any_size(), any_size()),
        (any_size(), any_size(), any_size(), any_size()),
        (
            prop_oneof![
                Just(PaddingSpec::Same),
                Just(PaddingSpec::Valid),
                any_size().prop_map(PaddingSpec::Explicit)
            ],
            any::<bool>(),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                layer,
                (h, w, ci, co),
                (k, s, d, g),
                (op, sf, dm, align),
                (padding, bias, bilinear),
            )| {
                LayerSpec {
                    layer,
                    height: h,
                    width: w,
                    in_channels: ci,
                    out_channels: co,
                    kernel_size: k,
                    stride: s,
                    padding,
                    dilation: d,
                    groups: g,
                    output_padding: op,
                    scale_factor: sf,
                    upscale_factor: sf,
                    depth_multiplier: dm,
                    bias,
                    upsample_mode: if bilinear {
                        UpsampleMode::Bilinear
                    } else {
                        UpsampleMode::Nearest
                    },
                    align_corners: align % 2 == 1,
                    // Any of the four, from the same draw.
                    padding_mode: conv_core::PaddingMode::ALL[(align / 2) % 4],
                }
            },
        )
}

/// Bytes one case may allocate at most: a few copies of the largest tensors the budget allows for
/// the small forward passes run here, plus slack for bookkeeping.
const CASE_BYTES: usize = 64 << 20;

fn check_spec(raw: &LayerSpec) -> Result<(), TestCaseError> {
    // Raw specs: validation answers with a typed error or shapes, never a panic.
    let _ = raw.shapes(&Budget::PLAYGROUND);
    let _ = raw.costs(&Budget::PLAYGROUND);
    let _ = raw.formulas(&Budget::PLAYGROUND);
    let (spec, _) = raw.corrected(&Limits::GRID);
    prop_assert!(
        spec.shapes(&Limits::GRID.budget).is_ok(),
        "corrected spec invalid: {:?}",
        spec
    );
    let costs = spec
        .costs(&Budget::PLAYGROUND)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    // Forward passes only where they are quick, so a million cases finish.
    if costs.standard_macs.max(costs.macs) > 400_000 {
        return Ok(());
    }
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
    let base = LIVE.load(Ordering::Relaxed);
    let e = spec.effective();
    let input = InputPattern::Random.generate(e.in_channels, e.height, e.width, 7);
    let weights = LayerWeights::generate(&spec, KernelPreset::Gaussian, 7)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let fwd = spec
        .forward(input.view(), &weights, &Budget::PLAYGROUND)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    for (ci, v) in fwd.convs.iter().enumerate() {
        let [c, h, w] = fwd.stages[v.output_stage].shape();
        let _ = fwd.contributions(ci, c - 1, h - 1, w - 1);
        let _ = fwd.contributions(ci, c, h, w); // out of range: None, not a panic
        let _ = fwd.feeds(ci, 0, 0, 0);
        let _ = fwd.feeds(ci, usize::MAX, 0, 0);
        let _ = fwd.scatter(ci, 0, 0, 0);
        let _ = fwd.coverage(ci);
    }
    let _ = fwd.steps(false);
    let _ = fwd.steps(true);
    let _ = fwd.overlap();
    let _ = fwd.origin(usize::MAX, 0, 0);
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    prop_assert!(peak < CASE_BYTES, "allocated {} bytes for {:?}", peak, spec);
    Ok(())
}

fn check_ops(
    dims: (usize, usize, usize, usize, usize, usize),
    opts: (usize, usize, usize, usize, usize),
    mode: PaddingMode,
) -> Result<(), TestCaseError> {
    let (c, h, w, co, kh, kw) = dims;
    let (s, p, d, g, op) = opts;
    // Only build tensors that are small; the options may be anything.
    let small = |n: usize| n <= 24;
    if !(small(c) && small(h) && small(w) && small(co) && small(kh) && small(kw)) {
        return Ok(());
    }
    let x = Array3::<f32>::ones((c, h, w));
    let wt = Array4::<f32>::ones((co, c.max(1) / g.clamp(1, c.max(1)), kh, kw));
    let options = Conv2dOptions {
        stride: [s, s],
        padding: Padding::uniform(p),
        dilation: [d, d],
        groups: g,
        padding_mode: mode,
    };
    let budget = Budget {
        max_elements: 1 << 20,
        max_macs: 1 << 24,
    };
    match conv2d_with_budget(x.view(), wt.view(), None, &options, &budget) {
        Ok(y) => prop_assert!(y.len() <= 1 << 20),
        Err(e) => prop_assert!(!e.to_string().is_empty()),
    }
    let t = ConvTranspose2dOptions {
        stride: [s, s],
        padding: Padding::uniform(p),
        output_padding: [op, op],
        dilation: [d, d],
        groups: g,
    };
    let wt = Array4::<f32>::ones((c, co, kh, kw));
    match conv_transpose2d_with_budget(x.view(), wt.view(), None, &t, &budget) {
        Ok(y) => prop_assert!(y.len() <= 1 << 20),
        Err(e) => prop_assert!(!e.to_string().is_empty()),
    }
    let _ = upsample_nearest(x.view(), [s, p]);
    let _ = upsample_bilinear(x.view(), [s, d], op % 2 == 0);
    let _ = pixel_shuffle(x.view(), s);
    // Padding by mode with four different sides, and the source of a cell that may be anywhere.
    let sides = Padding {
        top: p,
        left: s,
        bottom: d,
        right: op,
    };
    match pad_with_budget(x.view(), sides, mode, &budget) {
        Ok(y) => prop_assert!(y.len() <= 1 << 20),
        Err(e) => prop_assert!(!e.to_string().is_empty()),
    }
    let _ = pad_source(p, op, [h, w], sides, mode);
    let _ = input_from_rgba(&[0; 16], w, h, c);
    let _ = resize_rgba(&[0; 16], 2, 2, w, h);
    Ok(())
}

#[test]
fn fuzz_engine_never_panics_and_stays_in_budget() {
    let cases: u32 = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config.clone());
    let started = std::time::Instant::now();
    runner.run(&any_spec(), |spec| check_spec(&spec)).unwrap();
    let mut runner = TestRunner::new(config);
    let small = 0usize..=30;
    let opt = prop_oneof![4 => 0usize..=6, 1 => any::<usize>()];
    runner
        .run(
            &(
                (
                    small.clone(),
                    small.clone(),
                    small.clone(),
                    small.clone(),
                    small.clone(),
                    small,
                ),
                (opt.clone(), opt.clone(), opt.clone(), opt.clone(), opt),
                prop::sample::select(PaddingMode::ALL.to_vec()),
            ),
            |(dims, opts, mode)| check_ops(dims, opts, mode),
        )
        .unwrap();
    eprintln!(
        "fuzz: {} spec cases and {} operation cases without a panic in {:.1} s",
        cases,
        cases,
        started.elapsed().as_secs_f64()
    );
}
