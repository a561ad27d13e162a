//! Criterion benchmarks of the shapes S1–S7: the naive reference against the fast path.
//! Throughput is reported in FLOPs (2 × MACs), so criterion's "elem/s" reads as FLOP/s.

use conv_core::reference;
use conv_core::*;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndarray::{Array1, Array3, Array4};
use std::hint::black_box;

struct Shape {
    id: &'static str,
    input: (usize, usize, usize),
    kind: Kind,
}

enum Kind {
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
    UpsampleConv {
        scale: usize,
        c_out: usize,
        k: usize,
        pad: usize,
    },
}

fn shapes() -> Vec<Shape> {
    vec![
        Shape {
            id: "S1 standard 3→16 3×3 224² p1",
            input: (3, 224, 224),
            kind: Kind::Conv {
                c_out: 16,
                k: 3,
                options: Conv2dOptions::square(1, 1, 1, 1),
            },
        },
        Shape {
            id: "S2 depthwise 32 3×3 112² p1",
            input: (32, 112, 112),
            kind: Kind::Conv {
                c_out: 32,
                k: 3,
                options: Conv2dOptions::square(1, 1, 1, 32),
            },
        },
        Shape {
            id: "S3 pointwise 32→64 112²",
            input: (32, 112, 112),
            kind: Kind::Conv {
                c_out: 64,
                k: 1,
                options: Conv2dOptions::default(),
            },
        },
        Shape {
            id: "S4 grouped 64→64 g4 3×3 56² p1",
            input: (64, 56, 56),
            kind: Kind::Conv {
                c_out: 64,
                k: 3,
                options: Conv2dOptions::square(1, 1, 1, 4),
            },
        },
        Shape {
            id: "S5 dilated 16→16 3×3 r2 112² p2",
            input: (16, 112, 112),
            kind: Kind::Conv {
                c_out: 16,
                k: 3,
                options: Conv2dOptions::square(1, 2, 2, 1),
            },
        },
        Shape {
            id: "S6 transposed 16→8 3×3 s2 p1 op1 56²",
            input: (16, 56, 56),
            kind: Kind::Transposed {
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
        Shape {
            id: "S7 nearest×2 + conv 16→8 3×3 p1 56²",
            input: (16, 56, 56),
            kind: Kind::UpsampleConv {
                scale: 2,
                c_out: 8,
                k: 3,
                pad: 1,
            },
        },
    ]
}

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
        let (c_in, h, w) = shape.input;
        match &shape.kind {
            Kind::Conv { c_out, k, options } => {
                let wt = tensor4((*c_out, c_in / options.groups, *k, *k), 2);
                let b = Array1::zeros(*c_out);
                let out = conv2d(x.view(), wt.view(), Some(b.view()), options).unwrap();
                let (_, oh, ow) = out.dim();
                let macs = (oh * ow * c_out * (c_in / options.groups) * k * k) as u64;
                group.throughput(Throughput::Elements(2 * macs));
                group.bench_function(BenchmarkId::new("fast", shape.id), |bch| {
                    bch.iter(|| {
                        conv2d(black_box(x.view()), wt.view(), Some(b.view()), options).unwrap()
                    })
                });
                group.bench_function(BenchmarkId::new("naive", shape.id), |bch| {
                    bch.iter(|| {
                        reference::conv2d(black_box(x.view()), wt.view(), Some(b.view()), options)
                            .unwrap()
                    })
                });
            }
            Kind::Transposed { c_out, k, options } => {
                let wt = tensor4((c_in, c_out / options.groups, *k, *k), 2);
                let macs = (h * w * c_in * (c_out / options.groups) * k * k) as u64;
                group.throughput(Throughput::Elements(2 * macs));
                group.bench_function(BenchmarkId::new("fast", shape.id), |bch| {
                    bch.iter(|| {
                        conv_transpose2d(black_box(x.view()), wt.view(), None, options).unwrap()
                    })
                });
                group.bench_function(BenchmarkId::new("naive", shape.id), |bch| {
                    bch.iter(|| {
                        reference::conv_transpose2d(black_box(x.view()), wt.view(), None, options)
                            .unwrap()
                    })
                });
            }
            Kind::UpsampleConv {
                scale,
                c_out,
                k,
                pad,
            } => {
                let wt = tensor4((*c_out, c_in, *k, *k), 2);
                let options = Conv2dOptions::square(1, *pad, 1, 1);
                let macs = (h * scale * w * scale * c_out * c_in * k * k) as u64;
                group.throughput(Throughput::Elements(2 * macs));
                group.bench_function(BenchmarkId::new("fast", shape.id), |bch| {
                    bch.iter(|| {
                        let up = upsample_nearest(black_box(x.view()), [*scale, *scale]).unwrap();
                        conv2d(up.view(), wt.view(), None, &options).unwrap()
                    })
                });
                group.bench_function(BenchmarkId::new("naive", shape.id), |bch| {
                    bch.iter(|| {
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
