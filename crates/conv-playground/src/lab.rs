//! The lab below the figure (`lab=grow|backward`), drawn by the export worker as SVG so that
//! neither its passes nor its drawing weigh on the page (`gif_job.rs`, `job=lab`):
//!
//! - **Four ways to grow a map**, side by side for the same input, output size and channel
//!   counts: transposed convolution, nearest and bilinear upsampling + convolution, and sub-pixel
//!   convolution. Each shows output channel 0 and how many kernel taps read a real pixel for each
//!   output cell (its coverage: the overlap of a transposed convolution's stamps, the even cover
//!   of the others). Their shapes and costs are formulas, shown by the page itself.
//! - **The backward pass**: the input's gradient for an output gradient of 1 everywhere, with the
//!   layer's weights and with every weight 1. The second counts the paths from the output to each
//!   input cell; a strided 3×3 convolution shows the checkerboard there, as in Distill's
//!   "Deconvolution and Checkerboard Artifacts".
//!
//! Pure: tested natively.

use conv_core::{
    Budget, ConvWeights, LayerKind, LayerSpec, LayerWeights, Limits, PaddingSpec, UpsampleMode,
};
use ndarray::{Array2, Array3, Array4, Axis};

use crate::channels;
use crate::display::{paragraph, Display};
use crate::i18n::{fill, group_digits, tr_figure, Lang};
use crate::palette::Ink;
use crate::scene::{counterpart, Scene, SceneKey};

/// The factor a layer grows its map by: the stride of a transposed layer, the upsampling or
/// upscale factor, 2 for layers that do not grow.
pub fn factor(spec: &LayerSpec) -> usize {
    let e = spec.effective();
    match e.layer {
        LayerKind::Transposed => e.stride,
        LayerKind::Upsample => e.scale_factor,
        LayerKind::Subpixel => e.upscale_factor,
        _ => 2,
    }
    .max(1)
}

/// The four ways to grow `spec`'s input by its [`factor`] to the same output size, with its
/// channels, kernel size and bias: transposed, nearest + conv, bilinear + conv, sub-pixel. The
/// upsampling and sub-pixel layers pad `same`; the transposed layer takes the padding and output
/// padding that give the same size ([`counterpart`]). A stride-1 transposed layer cannot keep the
/// size with an even kernel, so a factor of 1 uses the next odd kernel. Each is corrected under
/// `limits` (a sub-pixel layer has `C_out·r²` maps before its shuffle).
pub fn growers(spec: &LayerSpec, limits: &Limits) -> [LayerSpec; 4] {
    let e = spec.effective();
    let f = factor(&e);
    let k = match e.kernel_size {
        k if f == 1 && k % 2 == 0 => k + 1,
        k => k,
    };
    let plain = |layer| LayerSpec {
        height: e.height,
        width: e.width,
        in_channels: e.in_channels,
        out_channels: e.out_channels,
        kernel_size: k,
        bias: e.bias,
        padding: PaddingSpec::Same,
        ..LayerSpec::preset(layer)
    };
    let nearest = LayerSpec {
        scale_factor: f,
        ..plain(LayerKind::Upsample)
    };
    let bilinear = LayerSpec {
        upsample_mode: UpsampleMode::Bilinear,
        ..nearest.clone()
    };
    let subpixel = LayerSpec {
        upscale_factor: f,
        ..plain(LayerKind::Subpixel)
    };
    let transposed = counterpart(&nearest).unwrap_or_else(|| plain(LayerKind::Transposed));
    [transposed, nearest, bilinear, subpixel].map(|s| s.corrected(limits).0)
}

/// One way to grow a map, computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Grown {
    pub spec: LayerSpec,
    /// Output channel 0, as a one-channel stage of the scene's output.
    pub scene: Scene,
    /// For each output cell, the kernel taps that read a real pixel (not a padding, not an
    /// inserted zero), through one input channel.
    pub coverage: Array2<u32>,
}

/// The four [`growers`] of `key`'s layer, each run on the same input as the page's (same
/// pattern, seed or picture).
///
/// **Errors** with the message of the first that cannot be computed.
pub fn grow(key: &SceneKey, limits: &Limits) -> Result<Vec<Grown>, String> {
    growers(&key.spec, limits)
        .into_iter()
        .map(|spec| {
            let scene = Scene::build(&SceneKey {
                spec: spec.clone(),
                ..key.clone()
            })?;
            let coverage = coverage(&scene).ok_or("no convolution to cover")?;
            Ok(Grown {
                spec,
                scene,
                coverage,
            })
        })
        .collect()
}

/// The coverage of a scene's output: of its convolution, and after a pixel shuffle each cell
/// that of the cell it was taken from.
fn coverage(scene: &Scene) -> Option<Array2<u32>> {
    let fwd = &scene.forward;
    let conv = fwd.convs.len().checked_sub(1)?;
    let map = fwd.coverage(conv)?;
    let last = fwd.stages.len() - 1;
    if !fwd.shuffles(last) {
        return Some(map);
    }
    let [_, h, w] = fwd.output().shape();
    Some(Array2::from_shape_fn((h, w), |(y, x)| {
        let (sy, sx, _) = fwd.sources(last, y, x)[0];
        map[[sy, sx]]
    }))
}

/// The backward pass of a layer: the gradient of input channel 0 for an output gradient of 1
/// everywhere, with the layer's weights and with every weight 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Backward {
    pub gradient: Array2<f32>,
    /// With every weight 1: how many paths lead from the output to each input cell (bilinear
    /// upsampling shares them out in fractions).
    pub paths: Array2<f32>,
}

/// The [`Backward`] pass of `scene`'s layer.
///
/// **Errors** with conv-core's message if the pass is refused (over the budget).
pub fn backward(scene: &Scene) -> Result<Backward, String> {
    let budget = Budget::PLAYGROUND;
    let ones = Array3::<f32>::ones(scene.costs.output_shape);
    let first = |g: Array3<f32>| g.index_axis(Axis(0), 0).to_owned();
    let gradient = scene
        .spec
        .input_gradient(ones.view(), &scene.weights, &budget)
        .map_err(|e| e.to_string())?;
    let all_ones = LayerWeights {
        convs: scene
            .weights
            .convs
            .iter()
            .map(|c| ConvWeights {
                weight: Array4::ones(c.weight.dim()),
                bias: None,
            })
            .collect(),
    };
    let paths = scene
        .spec
        .input_gradient(ones.view(), &all_ones, &budget)
        .map_err(|e| e.to_string())?;
    Ok(Backward {
        gradient: first(gradient),
        paths: first(paths),
    })
}

/// Space between the lab's panels, in CSS pixels.
const GAP: f64 = 24.0;
/// The widest the lab is drawn (it follows the page's figure column below that).
pub const MAX_WIDTH: f64 = 960.0;
const TEXT_PX: f64 = 13.0;
const SMALL_PX: f64 = 12.0;

/// How the lab is laid out for a figure column `width` pixels wide: `columns` panels side by
/// side, each `panel` pixels wide.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Grid {
    width: f64,
    columns: usize,
    panel: f64,
}

impl Grid {
    /// `count` panels: all in a row from `min_panel` pixels each, else in full rows of fewer.
    fn new(width: f64, count: usize, min_panel: f64) -> Grid {
        let width = width.clamp(240.0, MAX_WIDTH);
        let fits = |n: usize| (width - GAP * (n as f64 - 1.0)) / n as f64 >= min_panel;
        // Full rows only: 4, 2 or 1 across for four panels.
        let columns = (1..=count.max(1))
            .rev()
            .find(|&n| count % n == 0 && fits(n))
            .unwrap_or(1);
        let panel = (width - GAP * (columns as f64 - 1.0)) / columns as f64;
        Grid {
            width,
            columns,
            panel,
        }
    }

    /// Cells of a map `w` cells wide filling a panel, at most `max` pixels.
    fn cell(&self, w: usize, max: f64) -> f64 {
        (self.panel / w.max(1) as f64).floor().clamp(3.0, max)
    }

    /// The left edge of column `i % columns`.
    fn x(&self, i: usize) -> f64 {
        (i % self.columns) as f64 * (self.panel + GAP)
    }
}

/// Output channel 0 of a scene as a one-channel map of `cell` pixels.
fn output_map(scene: &Scene, cell: f64) -> Display {
    let stage = scene.forward.output();
    let [_, h, w] = stage.shape();
    let mut d = Display::new(w as f64 * cell, h as f64 * cell);
    let scale = crate::palette::max_abs(stage.data.index_axis(Axis(0), 0).iter());
    channels::paint_map(&mut d, stage, 0, 0.0, 0.0, cell, scale);
    d
}

/// One panel of the lab at `(x, y)`, `width` wide: its texts (the first as a title), then
/// its maps one under the other, each under its caption. Returns its height.
fn panel(
    out: &mut Display,
    [x, y]: [f64; 2],
    width: f64,
    texts: &[String],
    maps: Vec<(&str, Display)>,
) -> f64 {
    let mut at = y;
    for (i, t) in texts.iter().enumerate() {
        let (px, ink) = if i == 0 {
            (TEXT_PX, Ink::Text)
        } else {
            (SMALL_PX, Ink::Muted)
        };
        at += paragraph(out, t, [x, at], width, px, ink);
    }
    for (caption, map) in maps {
        if !caption.is_empty() {
            at += paragraph(out, caption, [x, at + 4.0], width, SMALL_PX, Ink::Muted) + 4.0;
        }
        let h = map.height;
        out.append(map, x, at);
        at += h + GAP / 2.0;
    }
    at - y
}

/// Panels in rows of `grid.columns`, under a paragraph `about`: the drawing of the lab.
/// A panel's texts and its captioned maps.
type Panel<'a> = (Vec<String>, Vec<(&'a str, Display)>);

fn lay_out(grid: Grid, about: &str, panels: Vec<Panel>) -> Display {
    let mut out = Display::new(grid.width, 0.0);
    let mut y = paragraph(&mut out, about, [0.0, 0.0], grid.width, TEXT_PX, Ink::Muted) + GAP / 2.0;
    let mut row = 0.0f64;
    for (i, (texts, maps)) in panels.into_iter().enumerate() {
        if i > 0 && i % grid.columns == 0 {
            y += row;
            row = 0.0;
        }
        row = row.max(panel(&mut out, [grid.x(i), y], grid.panel, &texts, maps));
    }
    out.height = y + row;
    out
}

/// The four ways to grow a map as one drawing for a figure column `width` pixels wide: per
/// panel the layer's name, its shape and costs, its output (channel 0) and its coverage.
pub fn grow_figure(grown: &[Grown], lang: Lang, width: f64) -> Display {
    let f = grown.first().map_or(1, |g| factor(&g.spec)).to_string();
    let w = grown
        .iter()
        .map(|g| g.scene.costs.output_shape[2])
        .max()
        .unwrap_or(1);
    let grid = Grid::new(width, grown.len(), (w as f64 * 8.0).clamp(120.0, 200.0));
    let cell = grid.cell(w, 30.0);
    let panels = grown
        .iter()
        .map(|g| {
            let c = &g.scene.costs;
            let [c0, h, w] = c.output_shape;
            let costs = fill(
                tr_figure(lang, "lab.grow.costs"),
                &[
                    ("shape", format!("{c0}×{h}×{w}")),
                    ("params", group_digits(c.params)),
                    ("macs", group_digits(c.macs)),
                ],
            );
            let name = tr_figure(lang, &format!("lab.grow.{}", grower_name(&g.spec)));
            // Colours only: written values would crowd the maps side by side.
            let values = output_map(&g.scene, cell.min(channels::VALUES_FROM - 1.0));
            let cov = channels::counts(g.coverage.view(), cell);
            let maps = vec![("", values), (tr_figure(lang, "lab.grow.taps"), cov)];
            (vec![name.to_string(), costs], maps)
        })
        .collect();
    let about = fill(tr_figure(lang, "lab.grow.about"), &[("f", f)]);
    lay_out(grid, &about, panels)
}

/// The name of a grower in the i18n keys `lab.grow.*`: `transposed`, `nearest`, `bilinear`,
/// `subpixel`.
pub fn grower_name(spec: &LayerSpec) -> &'static str {
    match (spec.layer, spec.upsample_mode) {
        (LayerKind::Upsample, UpsampleMode::Bilinear) => "bilinear",
        (LayerKind::Upsample, UpsampleMode::Nearest) => "nearest",
        (LayerKind::Subpixel, _) => "subpixel",
        _ => "transposed",
    }
}

/// A gradient map: values coloured on the diverging scale, written when cells are large enough.
fn value_map(map: &Array2<f32>, cell: f64) -> Display {
    let (h, w) = map.dim();
    let stage = conv_core::Stage {
        kind: conv_core::StageKind::Input,
        data: map.clone().insert_axis(Axis(0)),
        cells: Array2::from_shape_fn((h, w), |(y, x)| conv_core::Cell::Data { y, x }),
        channel_groups: vec![0],
    };
    let mut d = Display::new(w as f64 * cell, h as f64 * cell);
    let scale = crate::palette::max_abs(map.iter());
    channels::paint_map(&mut d, &stage, 0, 0.0, 0.0, cell, scale);
    d
}

/// The backward pass as one drawing for a figure column `width` pixels wide: the gradient with
/// the layer's weights beside (or over) the paths.
pub fn backward_figure(b: &Backward, lang: Lang, width: f64) -> Display {
    let (_, w) = b.gradient.dim();
    let grid = Grid::new(width, 2, (w as f64 * 14.0).clamp(140.0, 300.0));
    let cell = grid.cell(w, 30.0);
    let panels = vec![
        (
            vec![tr_figure(lang, "lab.backward.gradient").to_string()],
            vec![("", value_map(&b.gradient, cell))],
        ),
        (
            vec![tr_figure(lang, "lab.backward.paths").to_string()],
            vec![("", value_map(&b.paths, cell))],
        ),
    ];
    lay_out(grid, tr_figure(lang, "lab.backward.about"), panels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Action, AppState};

    fn key(spec: LayerSpec) -> SceneKey {
        let state = AppState {
            spec,
            ..AppState::default()
        };
        SceneKey::from(&state)
    }

    #[test]
    fn the_four_growers_give_outputs_of_one_shape_for_every_layer_and_factor() {
        for kind in LayerKind::ALL {
            for (f, k, h) in [
                (1, 3, 5),
                (1, 2, 4),
                (2, 3, 4),
                (2, 4, 5),
                (3, 3, 3),
                (4, 1, 2),
            ] {
                let spec = LayerSpec {
                    height: h,
                    width: h + 1,
                    in_channels: 2,
                    out_channels: 3,
                    kernel_size: k,
                    stride: f,
                    scale_factor: f,
                    upscale_factor: f,
                    ..LayerSpec::preset(kind)
                };
                let spec = spec.corrected(&Limits::GRID).0;
                let grown = grow(&key(spec.clone()), &Limits::GRID).unwrap();
                let names: Vec<&str> = grown.iter().map(|g| grower_name(&g.spec)).collect();
                assert_eq!(names, ["transposed", "nearest", "bilinear", "subpixel"]);
                let f = factor(&spec);
                for g in &grown {
                    let e = spec.effective();
                    let want = [e.out_channels, e.height * f, e.width * f];
                    assert_eq!(
                        g.scene.costs.output_shape, want,
                        "{kind:?} {f} {k}: {:?}",
                        g.spec
                    );
                    assert_eq!(g.coverage.dim(), (want[1], want[2]));
                    // The same input for all four: the page's.
                    assert_eq!(g.scene.forward.stages[0].data.dim().0, e.in_channels);
                }
            }
        }
    }

    #[test]
    fn coverage_is_the_overlap_of_a_transposed_layer_and_even_inside_the_others() {
        // Factor 2, kernel 3: the transposed layer's checkerboard; the others cover their
        // interior with all k² taps.
        let spec = LayerSpec::preset(LayerKind::Transposed);
        let grown = grow(&key(spec), &Limits::GRID).unwrap();
        let overlap = grown[0].scene.forward.overlap().unwrap();
        assert_eq!(grown[0].coverage, overlap);
        // Away from a border as wide as a cell of the map the kernel runs on (the sub-pixel
        // convolution's runs on the input, r = 2 output cells wide).
        let interior = |m: &Array2<u32>, b: usize| {
            let (h, w) = m.dim();
            (b..h - b)
                .flat_map(|y| (b..w - b).map(move |x| (y, x)))
                .map(|(y, x)| m[[y, x]])
                .collect::<std::collections::BTreeSet<u32>>()
        };
        assert!(interior(&grown[0].coverage, 1).len() > 1, "checkerboard");
        for g in &grown[1..] {
            let b = if g.spec.layer == LayerKind::Subpixel {
                2
            } else {
                1
            };
            assert_eq!(interior(&g.coverage, b), [9].into(), "{:?}", g.spec.layer);
        }
    }

    #[test]
    fn the_paths_of_a_strided_convolution_show_the_checkerboard() {
        let spec = LayerSpec {
            height: 9,
            width: 9,
            in_channels: 1,
            out_channels: 1,
            stride: 2,
            ..LayerSpec::preset(LayerKind::Standard)
        };
        let state = AppState::default().reduce(Action::Load(Box::new(AppState {
            spec,
            ..AppState::default()
        })));
        let scene = Scene::build(&SceneKey::from(&state)).unwrap();
        let b = backward(&scene).unwrap();
        assert_eq!(b.paths.dim(), (9, 9));
        // Rows of windows at 0, 2, 4, 6 (each 3 wide): 1, 1, 2, 1, 2, 1, 2, 1, 1 along a row.
        let row: Vec<f32> = b.paths.row(0).to_vec();
        assert_eq!(row, [1.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 1.0]);
        assert_eq!(b.paths[[2, 2]], 4.0);
        // With stride 1 the interior is even: every cell is read by 9 windows.
        let even = Scene::build(&SceneKey::from(&AppState {
            spec: LayerSpec {
                stride: 1,
                ..state.spec.clone()
            },
            ..state.clone()
        }))
        .unwrap();
        assert_eq!(backward(&even).unwrap().paths[[4, 4]], 9.0);
        // The gradient with the layer's weights is the adjoint of the forward pass: summed
        // against the input it equals the output summed (⟨L x, 1⟩ = ⟨x, Lᵀ 1⟩, bias aside).
        let x = &scene.forward.stages[0].data;
        let out = &scene.forward.output().data;
        let bias = scene.forward.bias(0, 0) * out.len() as f32;
        let lhs: f32 = out.sum() - bias;
        let rhs: f32 = (x.index_axis(Axis(0), 0).to_owned() * &b.gradient).sum();
        assert!(
            (lhs - rhs).abs() < 1e-3 * (1.0 + lhs.abs()),
            "{lhs} vs {rhs}"
        );
    }

    #[test]
    fn paragraphs_wrap_within_their_width_without_splitting_numbers() {
        for text in [
            "Nearest upsampling + conv Nearest upsampling + conv",
            tr_figure(Lang::En, "lab.grow.about"),
            tr_figure(Lang::Zh, "lab.grow.about"),
            "2×8×8 · 参数 1,234,567 · 乘加 12,345,678",
        ] {
            let mut d = Display::new(200.0, 0.0);
            let h = paragraph(&mut d, text, [0.0, 0.0], 200.0, 13.0, Ink::Text);
            let lines: Vec<String> = d
                .items
                .iter()
                .filter_map(|it| match it {
                    crate::display::Item::Text { text, .. } => Some(text.clone()),
                    _ => None,
                })
                .collect();
            assert!(lines.len() > 1 && h > 13.0, "{lines:?}");
            for l in &lines {
                assert!(crate::display::text_width(l, 13.0) <= 200.0, "{l}");
            }
            assert!(lines.iter().all(|l| !l.starts_with(' ')), "{lines:?}");
            let joined: String = lines.concat().chars().filter(|c| *c != ' ').collect();
            let want: String = text.chars().filter(|c| *c != ' ').collect();
            assert_eq!(joined, want);
            for number in ["1,234,567", "12,345,678"] {
                if text.contains(number) {
                    assert!(lines.iter().any(|l| l.contains(number)), "{lines:?}");
                }
            }
        }
    }

    #[test]
    fn every_layer_type_has_a_backward_view() {
        for kind in LayerKind::ALL {
            let spec = LayerSpec::preset(kind);
            let scene = Scene::build(&key(spec.clone())).unwrap();
            let b = backward(&scene).unwrap();
            let e = spec.effective();
            assert_eq!(b.gradient.dim(), (e.height, e.width), "{kind:?}");
            // Every input pixel reaches the output by at least one path, none by a negative one.
            assert!(b.paths.iter().all(|&p| p > 0.0), "{kind:?}: {:?}", b.paths);
            let d = backward_figure(&b, Lang::En, MAX_WIDTH);
            assert_eq!(d.cell_count(), 2 * e.height * e.width, "{kind:?}");
        }
    }

    #[test]
    fn the_figures_draw_every_panel() {
        let spec = LayerSpec::preset(LayerKind::Subpixel);
        let grown = grow(&key(spec.clone()), &Limits::GRID).unwrap();
        let d = grow_figure(&grown, Lang::Zh, MAX_WIDTH);
        // Four outputs and four coverage maps of 8×8 cells.
        assert_eq!(d.cell_count(), 8 * 64);
        assert!(d.width <= MAX_WIDTH + 0.5 && d.height > 0.0);
        // On a phone the panels go in rows of two, and nothing is drawn past the width.
        let phone = grow_figure(&grown, Lang::Zh, 335.0);
        assert_eq!(phone.cell_count(), 8 * 64);
        assert!(phone.height > d.height);
        let right = phone.items.iter().filter_map(|it| match it {
            crate::display::Item::Fill {
                shape, cell: true, ..
            } => Some(shape.bounds()[0] + shape.bounds()[2]),
            crate::display::Item::Cells { at, u, cols, .. } => Some(at[0] + u[0] * *cols as f64),
            _ => None,
        });
        for edge in right {
            assert!(edge <= 335.0 + 0.5, "{edge}");
        }
        let scene = Scene::build(&key(spec)).unwrap();
        let b = backward_figure(&backward(&scene).unwrap(), Lang::En, MAX_WIDTH);
        assert_eq!(b.cell_count(), 2 * 16);
    }
}
