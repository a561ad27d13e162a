//! Expected values not computed by this crate: ONNX Runtime's outputs (see
//! `vectors/generate.py` for the script that wrote `vectors/onnxruntime.json`) and hand
//! derivations written out beside each case.

use conv_core::*;
use ndarray::{arr3, Array1, Array3, Array4};
use serde_json::Value;

fn nested(v: &Value) -> (Vec<usize>, Vec<f32>) {
    fn walk(v: &Value, depth: usize, shape: &mut Vec<usize>, out: &mut Vec<f32>) {
        match v {
            Value::Array(items) => {
                if shape.len() <= depth {
                    shape.push(items.len());
                }
                for item in items {
                    walk(item, depth + 1, shape, out);
                }
            }
            Value::Number(n) => out.push(n.as_f64().expect("a number") as f32),
            other => panic!("unexpected {other}"),
        }
    }
    let mut shape = Vec::new();
    let mut out = Vec::new();
    walk(v, 0, &mut shape, &mut out);
    (shape, out)
}

fn array3(v: &Value) -> Array3<f32> {
    let (s, d) = nested(v);
    Array3::from_shape_vec((s[0], s[1], s[2]), d).expect("3-d")
}

fn array4(v: &Value) -> Array4<f32> {
    let (s, d) = nested(v);
    Array4::from_shape_vec((s[0], s[1], s[2], s[3]), d).expect("4-d")
}

fn pair(v: &Value) -> [usize; 2] {
    [
        v[0].as_u64().unwrap() as usize,
        v[1].as_u64().unwrap() as usize,
    ]
}

fn assert_close(name: &str, got: &Array3<f32>, want: &Array3<f32>) {
    assert_eq!(got.dim(), want.dim(), "{name}: shape");
    for (i, (a, b)) in got.iter().zip(want.iter()).enumerate() {
        assert!((a - b).abs() < 1e-4, "{name}: element {i}: {a} vs {b}");
    }
}

/// How many cases of each operation `vectors/onnxruntime.json` holds (58 in all): 15 from the
/// first set, 21 added for depthwise (multiplier 1 and 2), grouped + dilated, per-axis kernels,
/// strides and dilations, asymmetric padding, nearest x4 and 2x3, and bilinear with an axis of
/// length 1, x3 and 2x3; then 22 for the upsampling lab: three convolutions per padding mode
/// (Pad then Conv; asymmetric padding, strides, dilations, groups), five pixel shuffles
/// (DepthToSpace CRD), six bilinear with `align_corners=True` (x2, x3, axes of length 1, 2x3)
/// and two more with `align_corners=False` (a single pixel, a single row). Operations are
/// counted by padding mode and corner convention. A file that loses cases, or a loop that skips
/// them, fails here.
const ONNXRUNTIME_CASES: [(&str, usize); 9] = [
    ("conv2d", 16),
    ("conv2d/circular", 3),
    ("conv2d/reflect", 3),
    ("conv2d/replicate", 3),
    ("conv_transpose2d", 10),
    ("pixel_shuffle", 5),
    ("upsample_bilinear", 8),
    ("upsample_bilinear/align_corners", 6),
    ("upsample_nearest", 4),
];

#[test]
fn onnxruntime_vectors() {
    let text = include_str!("vectors/onnxruntime.json");
    let doc: Value = serde_json::from_str(text).unwrap();
    assert!(
        doc["source"].as_str().unwrap().starts_with("onnxruntime "),
        "source"
    );
    let cases = doc["cases"].as_array().unwrap();
    let mut names = std::collections::BTreeSet::new();
    let mut ran = std::collections::BTreeMap::<String, usize>::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        assert!(names.insert(name), "{name}: duplicate name");
        let input = array3(&case["input"]);
        let expected = array3(&case["expected"]);
        let bias = (!case["bias"].is_null()).then(|| Array1::from(nested(&case["bias"]).1));
        let p = &case["padding"];
        let padding = Padding {
            top: p[0].as_u64().unwrap() as usize,
            left: p[1].as_u64().unwrap() as usize,
            bottom: p[2].as_u64().unwrap() as usize,
            right: p[3].as_u64().unwrap() as usize,
        };
        let groups = case["groups"].as_u64().unwrap() as usize;
        let bias_view = bias.as_ref().map(|b| b.view());
        let op = case["op"].as_str().unwrap();
        // Absent in the cases written before padding modes and align_corners existed.
        let padding_mode = case["padding_mode"]
            .as_str()
            .map_or(Some(PaddingMode::Zeros), PaddingMode::from_name)
            .expect("a padding mode");
        let align_corners = case["align_corners"].as_bool().unwrap_or(false);
        let mut label = op.to_string();
        if padding_mode != PaddingMode::Zeros {
            label += &format!("/{padding_mode}");
        }
        if align_corners {
            label += "/align_corners";
        }
        match op {
            "conv2d" => {
                let weight = array4(&case["weight"]);
                let options = Conv2dOptions {
                    stride: pair(&case["stride"]),
                    padding,
                    dilation: pair(&case["dilation"]),
                    groups,
                    padding_mode,
                };
                let fast = conv2d(input.view(), weight.view(), bias_view, &options).unwrap();
                assert_close(name, &fast, &expected);
                let naive =
                    reference::conv2d(input.view(), weight.view(), bias_view, &options).unwrap();
                assert_close(name, &naive.output, &expected);
                if !case["padded"].is_null() {
                    let padded = array3(&case["padded"]);
                    let got = pad(input.view(), padding, padding_mode).unwrap();
                    assert_close(name, &got, &padded);
                    let naive = reference::pad(input.view(), padding, padding_mode).unwrap();
                    assert_close(name, &naive, &padded);
                }
            }
            "conv_transpose2d" => {
                let weight = array4(&case["weight"]);
                let options = ConvTranspose2dOptions {
                    stride: pair(&case["stride"]),
                    padding,
                    output_padding: pair(&case["output_padding"]),
                    dilation: pair(&case["dilation"]),
                    groups,
                };
                let fast =
                    conv_transpose2d(input.view(), weight.view(), bias_view, &options).unwrap();
                assert_close(name, &fast, &expected);
                let naive =
                    reference::conv_transpose2d(input.view(), weight.view(), bias_view, &options)
                        .unwrap();
                assert_close(name, &naive.output, &expected);
            }
            "upsample_nearest" => {
                let got = upsample_nearest(input.view(), pair(&case["scale"])).unwrap();
                assert_close(name, &got, &expected);
            }
            "upsample_bilinear" => {
                let scale = pair(&case["scale"]);
                let got = upsample_bilinear(input.view(), scale, align_corners).unwrap();
                assert_close(name, &got, &expected);
                let naive =
                    reference::upsample_bilinear(input.view(), scale, align_corners).unwrap();
                assert_close(name, &naive, &expected);
            }
            "pixel_shuffle" => {
                let [r, _] = pair(&case["scale"]);
                assert_close(name, &pixel_shuffle(input.view(), r).unwrap(), &expected);
                let naive = reference::pixel_shuffle(input.view(), r).unwrap();
                assert_close(name, &naive, &expected);
            }
            other => panic!("unknown op {other}"),
        }
        *ran.entry(label).or_default() += 1;
    }
    let expected_counts = ONNXRUNTIME_CASES.map(|(label, n)| (label.to_string(), n));
    assert_eq!(
        ran.into_iter().collect::<Vec<_>>(),
        expected_counts,
        "cases run per operation"
    );
}

/// By hand: a 3×3 box of ones over 0..16 in a 4×4 grid, no padding. The top-left window holds
/// 0 1 2 / 4 5 6 / 8 9 10, sum 45; one step right adds 1 to each of the 9 cells: 54; one step
/// down adds 4 to each: 81; both: 90.
#[test]
fn box_sum_by_hand() {
    let x = Array3::from_shape_fn((1, 4, 4), |(_, y, x)| (y * 4 + x) as f32);
    let w = Array4::from_elem((1, 1, 3, 3), 1.0);
    let y = conv2d(x.view(), w.view(), None, &Conv2dOptions::default()).unwrap();
    assert_eq!(y, arr3(&[[[45.0, 54.0], [81.0, 90.0]]]));
}

/// By hand: transposed conv of [[1, 2], [3, 4]] with a 2×2 kernel of ones, stride 2, stamps each
/// pixel into its own 2×2 block (no overlap since k = s): a nearest-neighbour 2× upsampling.
/// With k = 3, s = 2 the stamps overlap on the middle row and column: the centre cell receives
/// all four pixels (1 + 2 + 3 + 4 = 10), the checkerboard of uneven overlap.
#[test]
fn transposed_stamps_by_hand() {
    let x = arr3(&[[[1.0, 2.0], [3.0, 4.0]]]);
    let opts = ConvTranspose2dOptions {
        stride: [2, 2],
        ..Default::default()
    };
    let y = conv_transpose2d(
        x.view(),
        Array4::from_elem((1, 1, 2, 2), 1.0).view(),
        None,
        &opts,
    )
    .unwrap();
    assert_eq!(y, upsample_nearest(x.view(), [2, 2]).unwrap());
    let y = conv_transpose2d(
        x.view(),
        Array4::from_elem((1, 1, 3, 3), 1.0).view(),
        None,
        &opts,
    )
    .unwrap();
    assert_eq!(
        y,
        arr3(&[[
            [1.0, 1.0, 3.0, 2.0, 2.0],
            [1.0, 1.0, 3.0, 2.0, 2.0],
            [4.0, 4.0, 10.0, 6.0, 6.0],
            [3.0, 3.0, 7.0, 4.0, 4.0],
            [3.0, 3.0, 7.0, 4.0, 4.0],
        ]])
    );
}
