//! Criterion benchmarks of the shapes S1–S7 (`conv_core::benchmarks`): the naive reference
//! against the fast path. Throughput is in FLOPs (2 × MACs), so criterion's "elem/s" reads as
//! FLOP/s.

use conv_core::benchmarks::{shapes, BenchOp};
use conv_core::reference;
use conv_core::*;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndarray::{Array3, Array4};
use std::hint::black_box;

fn tensor3(shape: (usize, usize, usize), seed: u64) -> Array3<f32> {
    let mut rng = SeededRng::new(seed);
    Array3::from_shape_simple_fn(shape, || rng.signed_unit())
}

fn tensor4(shape: (usize, usize, usize, usize), seed: u64) -> Array4<f32> {
    let mut rng = SeededRng::new(seed);
    Array4::from_shape_simple_fn(shape, || rng.signed_unit())
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("conv");
    group.sample_size(20);
    for shape in shapes() {
        let x = tensor3(shape.input, 1);
        let wt = tensor4(shape.weight_shape(), 2);
        group.throughput(Throughput::Elements(2 * shape.macs()));
        let id = format!("{} {}", shape.id, shape.name);
        match &shape.op {
            BenchOp::Conv { options, .. } => {
                group.bench_function(BenchmarkId::new("fast", &id), |b| {
                    b.iter(|| conv2d(black_box(x.view()), wt.view(), None, options).unwrap())
                });
                group.bench_function(BenchmarkId::new("naive", &id), |b| {
                    b.iter(|| {
                        reference::conv2d(black_box(x.view()), wt.view(), None, options).unwrap()
                    })
                });
            }
            BenchOp::Transposed { options, .. } => {
                group.bench_function(BenchmarkId::new("fast", &id), |b| {
                    b.iter(|| {
                        conv_transpose2d(black_box(x.view()), wt.view(), None, options).unwrap()
                    })
                });
                group.bench_function(BenchmarkId::new("naive", &id), |b| {
                    b.iter(|| {
                        reference::conv_transpose2d(black_box(x.view()), wt.view(), None, options)
                            .unwrap()
                    })
                });
            }
            BenchOp::UpsampleConv { scale, pad, .. } => {
                let options = Conv2dOptions::square(1, *pad, 1, 1);
                group.bench_function(BenchmarkId::new("fast", &id), |b| {
                    b.iter(|| {
                        let up = upsample_nearest(black_box(x.view()), [*scale, *scale]).unwrap();
                        conv2d(up.view(), wt.view(), None, &options).unwrap()
                    })
                });
                group.bench_function(BenchmarkId::new("naive", &id), |b| {
                    b.iter(|| {
                        let up = reference::upsample_nearest(black_box(x.view()), [*scale, *scale])
                            .unwrap();
                        reference::conv2d(up.view(), wt.view(), None, &options).unwrap()
                    })
                });
            }
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
