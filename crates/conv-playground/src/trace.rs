//! What to highlight and write out for an animation step or a traced cell: the cells of every
//! stage involved, the kernel in use, and the weighted sum written as text. Pure: computed from a
//! scene's [`Forward`] pass and tested natively.

use conv_core::{Cell, Forward, StageKind, Step};

/// A cell a reader points at (defined beside [`Forward`], re-exported here for the figure).
pub use conv_core::CellRef;

/// How a cell is highlighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The cell being computed (or pointed at).
    Focus,
    /// A cell that feeds the focus, or that the focus feeds.
    Related,
}

/// Highlights and text for one moment of the figure.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trace {
    pub marks: Vec<(CellRef, Role)>,
    /// `(conv, output channel)` of the kernel in use.
    pub kernel: Option<(usize, usize)>,
    /// The products and their sum, e.g. `0.5×1 + … + bias 0.1 = 3.25`.
    pub text: Option<String>,
}

impl Trace {
    /// The marks on stage `stage`.
    pub fn marks_on(&self, stage: usize) -> Vec<(usize, usize, usize, Role)> {
        self.marks
            .iter()
            .filter(|(c, _)| c.stage == stage)
            .map(|(c, r)| (c.channel, c.y, c.x, *r))
            .collect()
    }
}

/// Readable text of a value: integers plainly, others with up to two decimals.
pub fn format_value(v: f32) -> String {
    if !v.is_finite() {
        return "·".into();
    }
    if (v - v.round()).abs() < 1e-4 {
        return format!("{}", v.round() as i64);
    }
    crate::fixed::trimmed(v, 2)
}

/// Terms written out before the rest are summarised.
const MAX_TERMS: usize = 64;

fn sum_text(terms: &[(f32, f32)], bias: Option<f32>, value: f32) -> String {
    let mut parts: Vec<String> = terms
        .iter()
        .take(MAX_TERMS)
        .map(|(v, w)| format!("{}×{}", format_value(*v), format_value(*w)))
        .collect();
    if terms.len() > MAX_TERMS {
        let rest: f32 = terms[MAX_TERMS..].iter().map(|(v, w)| v * w).sum();
        parts.push(format!(
            "… ({} more: {})",
            terms.len() - MAX_TERMS,
            format_value(rest)
        ));
    }
    if let Some(b) = bias {
        parts.push(format!("bias {}", format_value(b)));
    }
    format!("{} = {}", parts.join(" + "), format_value(value))
}

fn backward(fwd: &Forward, conv: usize, channel: usize, y: usize, x: usize) -> Trace {
    let Some(view) = fwd.convs.get(conv) else {
        return Trace::default();
    };
    let Some(list) = fwd.contributions(conv, channel, y, x) else {
        return Trace::default();
    };
    let mut marks: Vec<(CellRef, Role)> = list
        .iter()
        .map(|t| {
            (
                CellRef {
                    stage: view.input_stage,
                    channel: t.channel,
                    y: t.y,
                    x: t.x,
                },
                Role::Related,
            )
        })
        .collect();
    let focus = CellRef {
        stage: view.output_stage,
        channel,
        y,
        x,
    };
    marks.push((focus, Role::Focus));
    let window: Vec<CellRef> = marks
        .iter()
        .filter(|(c, _)| c.stage == view.input_stage)
        .map(|(c, _)| *c)
        .collect();
    marks.extend(
        earlier_cells(fwd, &window)
            .into_iter()
            .map(|c| (c, Role::Related)),
    );
    let value = fwd.stages[view.output_stage].data[[channel, y, x]];
    let terms: Vec<(f32, f32)> = list.iter().map(|t| (t.value, t.weight)).collect();
    let bias = view.bias.as_ref().map(|_| fwd.bias(conv, channel));
    Trace {
        marks,
        kernel: Some((conv, channel)),
        text: Some(sum_text(&terms, bias, value)),
    }
}

/// The cells of earlier stages that `cells` are made of, stage by stage back to the layer's
/// input or the last convolution's output: the unpadded input, the copied or the mixed pixels.
/// Each cell once.
fn earlier_cells(fwd: &Forward, cells: &[CellRef]) -> Vec<CellRef> {
    let mut found = Vec::new();
    let mut level: Vec<CellRef> = cells.to_vec();
    while let Some(stage) = level.first().map(|c| c.stage) {
        let kind = fwd.stages[stage].kind;
        if stage == 0
            || matches!(
                kind,
                StageKind::Output | StageKind::Intermediate | StageKind::BeforeShuffle
            )
        {
            break;
        }
        let [c, h, w] = fwd.stages[stage - 1].shape();
        let mut seen = vec![false; c * h * w];
        let mut next = Vec::new();
        for cell in &level {
            for (y, x, _) in fwd.sources(stage, cell.y, cell.x) {
                let i = (cell.channel * h + y) * w + x;
                if !std::mem::replace(&mut seen[i], true) {
                    next.push(CellRef {
                        stage: stage - 1,
                        channel: cell.channel,
                        y,
                        x,
                    });
                }
            }
        }
        found.extend_from_slice(&next);
        level = next;
    }
    found
}

fn scatter(
    fwd: &Forward,
    conv: usize,
    channel: usize,
    out_channel: usize,
    y: usize,
    x: usize,
) -> Trace {
    let Some(view) = fwd.convs.get(conv) else {
        return Trace::default();
    };
    let stamps = fwd.scatter(conv, channel, y, x);
    let src = view.input_stage.saturating_sub(2);
    let mut marks = vec![(
        CellRef {
            stage: src,
            channel,
            y,
            x,
        },
        Role::Focus,
    )];
    let mut parts = Vec::new();
    for s in stamps.iter().filter(|s| s.out_channel == out_channel) {
        marks.push((
            CellRef {
                stage: view.output_stage,
                channel: s.out_channel,
                y: s.y,
                x: s.x,
            },
            Role::Related,
        ));
        parts.push(format!(
            "{}×{} → ({}, {})",
            format_value(s.value),
            format_value(s.weight),
            s.y,
            s.x
        ));
    }
    Trace {
        marks,
        kernel: Some((conv, out_channel)),
        text: Some(parts.join(", ")),
    }
}

/// Highlights of animation step `step`; `channel` is the output channel followed.
pub fn for_step(fwd: &Forward, step: &Step, channel: usize) -> Trace {
    match *step {
        Step::Conv { conv, y, x } => {
            let oc = fwd.stages[fwd.convs[conv].output_stage].shape()[0];
            let mut trace = backward(fwd, conv, channel.min(oc - 1), y, x);
            follow_shuffle(fwd, &mut trace.marks);
            trace
        }
        Step::Scatter { conv, y, x } => {
            let view = &fwd.convs[conv];
            let [ic, ..] = fwd.stages[view.input_stage - 2].shape();
            let oc = fwd.stages[view.output_stage].shape()[0];
            let co = channel.min(oc - 1);
            // The input channel that feeds this output channel's group first.
            let per_group = ic / view.groups.max(1);
            let group = co / (oc / view.groups.max(1)).max(1);
            scatter(fwd, conv, group * per_group, co, y, x)
        }
        Step::Copy { stage, y, x } => {
            let [c, ..] = fwd.stages[stage].shape();
            let made = fwd.made_from(stage, y, x);
            let mut marks = Vec::new();
            for ch in 0..c {
                // Copies keep their channel; a pixel shuffle's come from r² channels, each once.
                // (At most r² of them: a linear check, no sort.)
                let mut from: Vec<usize> = Vec::with_capacity(made.len());
                for &[yy, xx] in &made {
                    let c = fwd.source_channel(stage, ch, yy, xx);
                    if !from.contains(&c) {
                        from.push(c);
                    }
                }
                marks.extend(from.into_iter().map(|channel| {
                    let cell = CellRef {
                        stage: stage - 1,
                        channel,
                        y,
                        x,
                    };
                    (cell, Role::Focus)
                }));
                for &[yy, xx] in &made {
                    let cell = CellRef {
                        stage,
                        channel: ch,
                        y: yy,
                        x: xx,
                    };
                    marks.push((cell, Role::Related));
                }
            }
            let v = fwd.stages[stage - 1].data[[0, y, x]];
            let copies = made.len();
            Trace {
                marks,
                kernel: None,
                text: Some(format!("{} → {copies}×", format_value(v))),
            }
        }
    }
}

/// What the figure highlights: the traced `cell` if there is one, else animation step `step`
/// (following output channel `channel`), else nothing.
pub fn current(
    fwd: &Forward,
    cell: Option<CellRef>,
    step: Option<&Step>,
    channel: usize,
    scatter_view: bool,
) -> Trace {
    match (cell, step) {
        (Some(cell), _) => for_cell(fwd, cell, scatter_view),
        (None, Some(step)) => for_step(fwd, step, channel),
        (None, None) => Trace::default(),
    }
}

/// Highlights of a cell the reader points at: for an output of a convolution, the cells and
/// weights that made it; for an input, every output cell it feeds (for a transposed convolution's
/// input, its stamps).
pub fn for_cell(fwd: &Forward, at: CellRef, scatter_view: bool) -> Trace {
    let Some(stage) = fwd.stages.get(at.stage) else {
        return Trace::default();
    };
    let [c, h, w] = stage.shape();
    if at.channel >= c || at.y >= h || at.x >= w {
        return Trace::default();
    }
    if let Some(conv) = fwd.convs.iter().position(|v| v.output_stage == at.stage) {
        let mut trace = backward(fwd, conv, at.channel, at.y, at.x);
        follow_shuffle(fwd, &mut trace.marks);
        return trace;
    }
    if fwd.shuffles(at.stage) {
        return shuffled(fwd, at);
    }
    // An input: the first convolution that reads this stage or a later one.
    let Some((conv, view)) = fwd
        .convs
        .iter()
        .enumerate()
        .find(|(_, v)| v.input_stage >= at.stage)
    else {
        return Trace::default();
    };
    if view.transposed && at.stage + 2 == view.input_stage && scatter_view {
        let oc = fwd.stages[view.output_stage].shape()[0];
        let opg = oc / view.groups.max(1);
        let ipg = c / view.groups.max(1);
        return scatter(
            fwd,
            conv,
            at.channel,
            (at.channel / ipg.max(1)) * opg,
            at.y,
            at.x,
        );
    }
    // The cells of the convolution's input stage that this cell became: itself, its copies
    // (upsampling; a padding that reflects, replicates or wraps) and their padded places.
    let targets: Vec<(usize, usize)> = if at.stage == view.input_stage {
        vec![(at.y, at.x)]
    } else {
        let input = &fwd.stages[view.input_stage];
        let [_, ih, iw] = input.shape();
        (0..ih)
            .flat_map(|y| (0..iw).map(move |x| (y, x)))
            .filter(|&(y, x)| {
                trace_back(fwd, view.input_stage, y, x, at.stage) == Some((at.y, at.x))
            })
            .collect()
    };
    let mut marks = vec![(at, Role::Focus)];
    let mixed = mix(fwd, at);
    if let Some((sources, _)) = &mixed {
        marks.extend(sources.iter().copied());
    }
    for (y, x) in targets {
        if at.stage != view.input_stage {
            marks.push((
                CellRef {
                    stage: view.input_stage,
                    channel: at.channel,
                    y,
                    x,
                },
                Role::Focus,
            ));
        }
        for [co, oy, ox] in fwd.feeds(conv, at.channel, y, x) {
            marks.push((
                CellRef {
                    stage: view.output_stage,
                    channel: co,
                    y: oy,
                    x: ox,
                },
                Role::Related,
            ));
        }
    }
    follow_shuffle(fwd, &mut marks);
    Trace {
        marks,
        kernel: None,
        text: mixed.and_then(|(_, text)| text),
    }
}

/// A cell of a pixel shuffle's output: the cell of the channel it was taken from, and how that
/// cell was computed.
fn shuffled(fwd: &Forward, at: CellRef) -> Trace {
    let Some((sy, sx, _)) = fwd.sources(at.stage, at.y, at.x).first().copied() else {
        return Trace::default();
    };
    let before = at.stage - 1;
    let channel = fwd.source_channel(at.stage, at.channel, at.y, at.x);
    let Some(conv) = fwd.convs.iter().position(|v| v.output_stage == before) else {
        return Trace::default();
    };
    let mut trace = backward(fwd, conv, channel, sy, sx);
    for (cell, role) in &mut trace.marks {
        if cell.stage == before {
            *role = Role::Related;
        }
    }
    trace.marks.push((at, Role::Focus));
    trace
}

/// With a pixel shuffle after the marked maps: each marked cell of the maps before it marked
/// again where the shuffle puts it, as related.
fn follow_shuffle(fwd: &Forward, marks: &mut Vec<(CellRef, Role)>) {
    let last = fwd.stages.len() - 1;
    if !fwd.shuffles(last) {
        return;
    }
    let moved: Vec<(CellRef, Role)> = marks
        .iter()
        .filter(|(c, _)| c.stage + 1 == last)
        .filter_map(|(c, _)| {
            let [channel, y, x] = fwd.shuffled_to(last, c.channel, c.y, c.x)?;
            let cell = CellRef {
                stage: last,
                channel,
                y,
                x,
            };
            Some((cell, Role::Related))
        })
        .collect();
    marks.extend(moved);
}

/// The cells a cell is made from, marked, and for a mix the written-out sum.
type Mixed = (Vec<(CellRef, Role)>, Option<String>);

/// For a copied cell (upsampling, a border of a reflect, replicate or circular padding): the
/// pixel it copies, on the stage before. For a cell of a bilinear upsampling: the pixels it
/// mixes and the sum, each pixel's value times its weight.
fn mix(fwd: &Forward, at: CellRef) -> Option<Mixed> {
    let stage = fwd.stages.get(at.stage)?;
    let copied = match stage.cells.get([at.y, at.x])? {
        Cell::Copied { .. } => true,
        Cell::Interpolated { .. } => false,
        _ => return None,
    };
    let before = &fwd.stages[at.stage - 1];
    let sources = fwd.sources(at.stage, at.y, at.x);
    let terms: Vec<(f32, f32)> = sources
        .iter()
        .map(|&(y, x, w)| (before.data[[at.channel, y, x]], w))
        .collect();
    let marks = sources
        .iter()
        .map(|&(y, x, _)| {
            let cell = CellRef {
                stage: at.stage - 1,
                channel: at.channel,
                y,
                x,
            };
            (cell, Role::Related)
        })
        .collect();
    if copied {
        return Some((marks, None));
    }
    // Weights to three decimals: bilinear weights are fractions like 3/7, and the written sum
    // should add up to the cell's value as closely as the values are written.
    let parts: Vec<String> = terms
        .iter()
        .map(|&(v, w)| format!("{}×{}", format_value(v), crate::fixed::trimmed(w, 3)))
        .collect();
    let value = stage.data[[at.channel, at.y, at.x]];
    Some((
        marks,
        Some(format!("{} = {}", parts.join(" + "), format_value(value))),
    ))
}

/// Follows cell `(y, x)` of stage `from` back to stage `to`, through padding, insertion and
/// copies.
fn trace_back(fwd: &Forward, from: usize, y: usize, x: usize, to: usize) -> Option<(usize, usize)> {
    let mut at = (from, y, x);
    while at.0 > to {
        match fwd.stages[at.0].cells[[at.1, at.2]] {
            Cell::Data { y, x } | Cell::Copied { y, x } => at = (at.0 - 1, y, x),
            _ => return None,
        }
    }
    (at.0 == to).then_some((at.1, at.2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::{Scene, SceneKey};
    use crate::state::{Action, AppState};
    use conv_core::LayerKind;

    fn scene(kind: LayerKind) -> Scene {
        let s = AppState::default().reduce(Action::SetLayer(kind));
        Scene::build(&SceneKey::from(&s)).unwrap()
    }

    #[test]
    fn a_bilinear_cell_shows_the_pixels_it_mixes_and_their_weights() {
        for align_corners in [false, true] {
            let s = AppState::default()
                .reduce(Action::SetLayer(LayerKind::Upsample))
                .reduce(Action::SetParam(conv_core::Param::Mode, 1))
                .reduce(Action::SetParam(
                    conv_core::Param::AlignCorners,
                    usize::from(align_corners),
                ));
            assert_eq!(s.spec.align_corners, align_corners);
            let sc = Scene::build(&SceneKey::from(&s)).unwrap();
            let fwd = &sc.forward;
            let [_, h, w] = fwd.stages[1].shape();
            for (y, x) in [(0, 0), (1, 2), (h - 1, w - 2)] {
                let t = for_cell(
                    fwd,
                    CellRef {
                        stage: 1,
                        channel: 0,
                        y,
                        x,
                    },
                    false,
                );
                let sources = fwd.sources(1, y, x);
                assert!((1..=4).contains(&sources.len()));
                for &(sy, sx, _) in &sources {
                    let on = CellRef {
                        stage: 0,
                        channel: 0,
                        y: sy,
                        x: sx,
                    };
                    assert!(t.marks.contains(&(on, Role::Related)), "{on:?}");
                }
                let text = t.text.expect("the mix written out");
                assert_eq!(text.matches('×').count(), sources.len(), "{text}");
                let (sum, value) = eval(&text);
                assert!((sum - value).abs() < 0.05, "{text}");
            }
            // Switching back to nearest drops align_corners with it.
            let back = s.reduce(Action::SetParam(conv_core::Param::Mode, 0));
            assert!(!back.spec.align_corners);
        }
    }

    fn eval(text: &str) -> (f32, f32) {
        let (lhs, rhs) = text.rsplit_once(" = ").unwrap();
        let sum: f32 = lhs
            .split(" + ")
            .map(|t| match t.strip_prefix("bias ") {
                Some(b) => b.parse::<f32>().unwrap(),
                None => {
                    let (a, b) = t.split_once('×').unwrap();
                    a.parse::<f32>().unwrap() * b.parse::<f32>().unwrap()
                }
            })
            .sum();
        (sum, rhs.parse().unwrap())
    }

    #[test]
    fn step_text_sums_to_the_output_for_every_layer() {
        for kind in LayerKind::ALL {
            let sc = scene(kind);
            for step in sc.forward.steps(false).iter().step_by(5) {
                let t = for_step(&sc.forward, step, 0);
                if let Step::Conv { .. } = step {
                    let (sum, value) = eval(t.text.as_deref().unwrap());
                    assert!(
                        (sum - value).abs() < 1e-3,
                        "{kind:?} {step:?}: {sum} vs {value}"
                    );
                }
                assert!(!t.marks.is_empty());
            }
        }
    }

    #[test]
    fn tracing_a_transposed_input_marks_its_stamps() {
        let sc = scene(LayerKind::Transposed);
        let t = for_cell(
            &sc.forward,
            CellRef {
                stage: 0,
                channel: 0,
                y: 1,
                x: 1,
            },
            true,
        );
        let outputs: Vec<_> = t
            .marks_on(3)
            .into_iter()
            .map(|(c, y, x, _)| (c, y, x))
            .collect();
        let stamps: Vec<_> = sc
            .forward
            .scatter(0, 0, 1, 1)
            .into_iter()
            .map(|s| (s.out_channel, s.y, s.x))
            .collect();
        assert_eq!(outputs, stamps);
        assert_eq!(
            stamps.len(),
            9,
            "an interior pixel stamps the whole 3×3 kernel"
        );
    }

    #[test]
    fn tracing_an_input_cell_marks_the_outputs_it_feeds() {
        let sc = scene(LayerKind::Standard);
        // Corner input pixel of a 3×3 valid convolution feeds only output (0, 0) of each channel.
        let t = for_cell(
            &sc.forward,
            CellRef {
                stage: 0,
                channel: 1,
                y: 0,
                x: 0,
            },
            false,
        );
        let outs = t.marks_on(1);
        assert_eq!(outs.len(), 16);
        assert!(outs.iter().all(|&(_, y, x, _)| y == 0 && x == 0));
    }

    #[test]
    fn grouped_steps_mark_only_the_active_group() {
        let sc = scene(LayerKind::Grouped);
        let t = for_step(
            &sc.forward,
            &Step::Conv {
                conv: 0,
                y: 0,
                x: 0,
            },
            5,
        );
        assert!(t.marks_on(0).iter().all(|&(c, ..)| c == 2 || c == 3));
    }
}
