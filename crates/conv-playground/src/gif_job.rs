//! The exports as jobs for a Web Worker: the page writes what it shows as a query string (the
//! URL's parameters, plus the kernel, input pattern, seed, theme, followed channel, speed,
//! scatter view, animation step and traced cell, which the URL does not hold), the worker
//! rebuilds the same scene from it and encodes the animated GIF's frames, or writes the figure
//! as SVG (`format=svg`). The encoder, the frame rasteriser and the SVG writer live only in the
//! worker's module, so they are not part of the page's first load (`tests/size.test.mjs`), and a
//! long export never holds up the page. Pure: tested natively, the worker glue is `worker.rs`.

use conv_core::{InputPattern, KernelPreset};

use crate::export::{GifExport, Look};
use crate::lab;
use crate::palette::Palette;
use crate::pipeline::pipeline;
use crate::scene::{Scene, SceneKey};
use crate::state::AppState;
use crate::types::ImageInput;
use crate::types::Lab;

/// The job of exporting what `state` shows in the `dark` theme or not.
pub fn request(state: &AppState, dark: bool) -> String {
    let step = state.anim.step.map_or(String::new(), |s| s.to_string());
    let trace = state.trace.map_or(String::new(), |c| {
        format!("{},{},{},{}", c.stage, c.channel, c.y, c.x)
    });
    scene_request(
        state,
        dark,
        &[
            ("channel", &state.anim.channel.to_string()),
            ("speed", &state.anim.speed.to_string()),
            ("scatter", if state.anim.scatter { "1" } else { "0" }),
            ("step", &step),
            ("trace", &trace),
        ],
    )
}

/// The job of drawing `state`'s lab for a figure column `width` pixels wide: what the scene
/// depends on only, so that hovering, stepping or playing the animation asks for no new lab.
pub fn lab_request(state: &AppState, dark: bool, width: f64) -> String {
    // Whole pixels: the layout does not need more.
    let width = (width.max(0.0).round() as u32).to_string();
    scene_request(state, dark, &[("format", "lab"), ("figure_width", &width)])
}

/// The URL's parameters, what the scene depends on besides them (kernel, input pattern, seed),
/// the theme, and `more`.
fn scene_request(state: &AppState, dark: bool, more: &[(&str, &str)]) -> String {
    let mut q = crate::url::to_query(state);
    let seed = state.seed.to_string();
    let pairs = [
        ("kernel", state.kernel.name()),
        ("pattern", state.pattern.name()),
        ("seed", seed.as_str()),
        ("dark", if dark { "1" } else { "0" }),
    ];
    let mut extra = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().chain(more) {
        extra.append_pair(k, v);
    }
    let extra = extra.finish();
    if !q.is_empty() {
        q.push('&');
    }
    q + &extra
}

/// The value of `key` in `query`.
fn value(query: &str, key: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

fn number(query: &str, key: &str) -> Result<u64, String> {
    value(query, key)
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("the export job has no {key}"))
}

/// The stack view's job: the SVG of `state.stack` with the footprint of the centre cell of its
/// last map, after a comment that carries its figures (`<!--figures` and one `key<TAB>value`
/// line each, [`crate::stack_view::Summary`]), which the page reads for its hooks.
fn stack_job(state: &AppState, width: f64, dark: bool) -> Result<Vec<u8>, String> {
    use conv_core::stack::{Stack, Tensor};
    let budget = conv_core::Budget::OPERATIONS;
    let stack = Stack::from_text(&state.stack).map_err(|e| e.to_string())?;
    let rows = stack.rows(&budget).map_err(|e| e.to_string())?;
    // The footprint keeps a count per cell of every map: traced where the maps are at most 512
    // a side (the table, formulas all, works at any size).
    let traceable = std::iter::once(Tensor::Map(stack.input))
        .chain(rows.iter().map(|r| r.output))
        .all(|t| !matches!(t, Tensor::Map([_, h, w]) if h.max(w) > 512));
    let cell = rows
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, r)| match r.output {
            Tensor::Map([_, h, w]) => Some([i, h / 2, w / 2]),
            Tensor::Vector(_) => None,
        })
        .filter(|_| traceable);
    let (drawn, summary) = crate::stack_view::draw(&stack, cell, state.lang, width, &budget)?;
    let mut text = String::from("<!--figures\n");
    for (k, v) in summary {
        text += &format!("{k}\t{v}\n");
    }
    text += "-->\n";
    text += &crate::display::svg(&drawn, Palette::of(dark));
    Ok(text.into_bytes())
}

/// The figures a stack job's SVG carries in its opening comment (only the comment is read, not
/// the drawing after it).
pub fn stack_figures(svg: &[u8]) -> Vec<(String, String)> {
    let Some(body) = svg.strip_prefix(b"<!--figures\n") else {
        return Vec::new();
    };
    let end = body.windows(3).position(|w| w == b"-->").unwrap_or(0);
    String::from_utf8_lossy(&body[..end])
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The traced cell of a job: `stage,channel,y,x`, or none when empty.
fn traced(query: &str) -> Result<Option<conv_core::CellRef>, String> {
    let text = value(query, "trace").unwrap_or_default();
    if text.is_empty() {
        return Ok(None);
    }
    let n: Vec<usize> = text.split(',').filter_map(|v| v.parse().ok()).collect();
    match n[..] {
        [stage, channel, y, x] => Ok(Some(conv_core::CellRef {
            stage,
            channel,
            y,
            x,
        })),
        _ => Err("the export job's traced cell is malformed".into()),
    }
}

/// Runs the job `query` (with the uploaded picture, for `input=image`): the GIF's bytes, or with
/// `format=svg` the figure as it is shown (step and traced cell included) as an SVG document, or
/// with `format=lab` the lab the state names (`lab.rs`) as an SVG document.
/// `progress(done, total)` is called every few frames.
///
/// **Errors** with a message if the job is malformed or the scene or the encoder fails.
pub fn run(
    query: &str,
    image: Option<ImageInput>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<u8>, String> {
    let state = crate::url::parse_query(query, &AppState::default());
    let kernel = value(query, "kernel")
        .and_then(|k| KernelPreset::from_name(&k))
        .ok_or("the export job has no kernel")?;
    let pattern = value(query, "pattern")
        .and_then(|p| InputPattern::from_name(&p))
        .ok_or("the export job has no input pattern")?;
    let key = SceneKey {
        spec: state.spec.clone(),
        input: state.input,
        kernel,
        pattern,
        seed: number(query, "seed")?,
        image,
    };
    let look = Look {
        view: state.view,
        dark: number(query, "dark")? == 1,
    };
    if value(query, "format").as_deref() == Some("lab") {
        // The page's figure column, which the lab fills (the widest by default). Only the
        // backward view needs the layer's own scene; the others build their own.
        let width = number(query, "figure_width").map_or(lab::MAX_WIDTH, |w| w as f64);
        let drawn = match state.lab {
            Lab::Grow => {
                lab::grow_figure(&lab::grow(&key, &state.input.limits())?, state.lang, width)
            }
            Lab::Backward => {
                let scene = Scene::build(&key)?;
                lab::backward_figure(&lab::backward(&scene)?, state.lang, width)
            }
            Lab::Stack => return stack_job(&state, width, look.dark),
            Lab::Off => return Err("the lab job names no lab".into()),
        };
        return Ok(crate::display::svg(&drawn, Palette::of(look.dark)).into_bytes());
    }
    let scene = Scene::build(&key)?;
    let pieces = pipeline(&scene, state.lang);
    let steps = scene.forward.steps(number(query, "scatter")? == 1);
    let channel = number(query, "channel")? as usize;
    if value(query, "format").as_deref() == Some("svg") {
        let step = value(query, "step")
            .and_then(|s| s.parse::<usize>().ok())
            .and_then(|i| steps.get(i));
        let scatter = number(query, "scatter")? == 1;
        let trace = crate::trace::current(&scene.forward, traced(query)?, step, channel, scatter);
        let active = step.and_then(|s| crate::volume::active(&scene.forward, s, channel));
        let svg = crate::export::svg(&scene, &pieces, look, &trace, active);
        return Ok(svg.into_bytes());
    }
    let speed = number(query, "speed")?.clamp(1, 20);
    let delay = (100 / speed).max(2) as u16;
    let mut gif = GifExport::new(&scene, &pieces, look, &steps, channel, delay)?;
    let total = gif.frames();
    progress(0, total);
    while gif.step()? {
        if gif.done() % 8 == 0 {
            progress(gif.done(), total);
        }
    }
    gif.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Action;
    use crate::types::View;
    use conv_core::LayerKind;

    #[test]
    fn a_job_exports_what_the_page_shows() {
        let state = AppState::default()
            .reduce(Action::SetLayer(LayerKind::Separable))
            .reduce(Action::SetView(View::Channels))
            .reduce(Action::SetKernel(KernelPreset::SobelX))
            .reduce(Action::Reseed);
        let query = request(&state, true);
        let mut seen = Vec::new();
        let bytes = run(&query, None, &mut |i, n| seen.push((i, n))).unwrap();
        // The same frames as encoding the page's own scene directly.
        let scene = Scene::build(&SceneKey::from(&state)).unwrap();
        let pieces = pipeline(&scene, state.lang);
        let steps = scene.forward.steps(state.anim.scatter);
        let look = Look {
            view: View::Channels,
            dark: true,
        };
        let delay = (100 / state.anim.speed.clamp(1, 20)).max(2) as u16;
        let mut direct =
            GifExport::new(&scene, &pieces, look, &steps, state.anim.channel, delay).unwrap();
        while direct.step().unwrap() {}
        assert_eq!(bytes, direct.finish().unwrap());
        assert!(bytes.starts_with(b"GIF89a"));
        let (_, total) = seen[0];
        assert!(total > 1 && seen.iter().all(|&(i, n)| n == total && i <= n));
    }

    #[test]
    fn an_svg_job_draws_the_figure_as_shown_with_its_step_and_traced_cell() {
        let base = AppState::default().reduce(Action::SetLayer(LayerKind::Subpixel));
        let cell = conv_core::CellRef {
            stage: 3,
            channel: 0,
            y: 5,
            x: 2,
        };
        for state in [
            base.clone().reduce(Action::StepTo { index: 7, n: 40 }),
            base.clone().reduce(Action::Pin(cell)),
        ] {
            let svg = run(
                &(request(&state, false) + "&format=svg"),
                None,
                &mut |_, _| {},
            )
            .unwrap();
            let scene = Scene::build(&SceneKey::from(&state)).unwrap();
            let steps = scene.forward.steps(false);
            let step = state.anim.step.and_then(|i| steps.get(i));
            let a = &state.anim;
            let trace = crate::trace::current(&scene.forward, state.trace, step, a.channel, false);
            assert!(!trace.marks.is_empty());
            let active = step.and_then(|s| crate::volume::active(&scene.forward, s, a.channel));
            let look = Look {
                view: state.view,
                dark: false,
            };
            let pieces = pipeline(&scene, state.lang);
            let direct = crate::export::svg(&scene, &pieces, look, &trace, active);
            assert_eq!(String::from_utf8(svg).unwrap(), direct);
        }
        // Without step or trace: the plain figure, not the first step's.
        let plain = run(
            &(request(&base, false) + "&format=svg"),
            None,
            &mut |_, _| {},
        )
        .unwrap();
        let stepped = base.reduce(Action::StepTo { index: 0, n: 40 });
        let first = run(
            &(request(&stepped, false) + "&format=svg"),
            None,
            &mut |_, _| {},
        )
        .unwrap();
        assert_ne!(plain, first);
    }

    #[test]
    fn a_lab_job_draws_the_lab_the_state_names() {
        let base = AppState::default().reduce(Action::SetLayer(LayerKind::Transposed));
        let grow = base.clone().reduce(Action::SetLab(Lab::Grow));
        let svg = run(
            &(request(&grow, false) + "&format=lab"),
            None,
            &mut |_, _| {},
        )
        .unwrap();
        let scene_key = SceneKey::from(&grow);
        let grown = lab::grow(&scene_key, &grow.input.limits()).unwrap();
        let direct = crate::display::svg(
            &lab::grow_figure(&grown, grow.lang, lab::MAX_WIDTH),
            Palette::of(false),
        );
        assert_eq!(String::from_utf8(svg).unwrap(), direct);
        let back = base.clone().reduce(Action::SetLab(Lab::Backward));
        let svg = run(
            &(request(&back, true) + "&format=lab"),
            None,
            &mut |_, _| {},
        )
        .unwrap();
        assert!(String::from_utf8(svg).unwrap().starts_with("<svg"));
        assert!(run(
            &(request(&base, false) + "&format=lab"),
            None,
            &mut |_, _| {}
        )
        .is_err());
    }

    #[test]
    fn a_stack_job_draws_the_stack_and_carries_its_figures() {
        let state = AppState::default().reduce(Action::SetStack("context_module".into()));
        let svg = run(
            &(request(&state, false) + "&format=lab"),
            None,
            &mut |_, _| {},
        )
        .unwrap();
        let svg = String::from_utf8(svg).unwrap();
        let figures = stack_figures(svg.as_bytes());
        let get = |k: &str| {
            figures
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("stack-receptive-field"), Some("67×67"));
        assert_eq!(get("stack-output-shape"), Some("21×64×64"));
        // The centre of the last map: the 1×1 layer's, whose footprint is the 67 clipped to 64.
        assert_eq!(get("stack-footprint"), Some("64×64"));
        assert!(svg.contains("<svg xmlns"));
        // A stack that cannot be read, or does not fit, is an error.
        for bad in ["3x8x8_gelu", "1x4x4_standard-k9"] {
            let s = state.clone().reduce(Action::SetStack(bad.into()));
            assert!(
                run(&(request(&s, false) + "&format=lab"), None, &mut |_, _| {}).is_err(),
                "{bad}"
            );
        }
        assert!(stack_figures(b"<svg/>").is_empty());
        // A large stack: the table and its figures, no footprint.
        let big = state.reduce(Action::SetStack(
            "3x1024x1024_standard-o8-k3-s2-p1_relu".into(),
        ));
        let svg = run(
            &(request(&big, false) + "&format=lab"),
            None,
            &mut |_, _| {},
        )
        .unwrap();
        let figures = stack_figures(&svg);
        assert!(figures
            .iter()
            .any(|(k, v)| k == "stack-output-shape" && v == "8×512×512"));
        assert!(!figures.iter().any(|(k, _)| k == "stack-footprint"));
    }

    #[test]
    fn a_lab_job_does_not_change_with_the_animation_or_the_trace() {
        let base = AppState::default()
            .reduce(Action::SetLayer(LayerKind::Transposed))
            .reduce(Action::SetLab(Lab::Grow));
        let job = lab_request(&base, false, 700.0);
        let cell = conv_core::CellRef {
            stage: 0,
            channel: 0,
            y: 1,
            x: 1,
        };
        for moved in [
            base.clone().reduce(Action::StepTo { index: 3, n: 16 }),
            base.clone().reduce(Action::Hover(Some(cell))),
            base.clone().reduce(Action::FollowChannel(0)),
        ] {
            assert_eq!(lab_request(&moved, false, 700.0), job);
        }
        assert!(!job.contains("&&") && job.contains("&format=lab&figure_width=700"));
        let changed = base.reduce(Action::SetParam(conv_core::Param::KernelSize, 4));
        assert_ne!(lab_request(&changed, false, 700.0), job);
        // The lab's job runs as the page's did.
        assert!(run(&job, None, &mut |_, _| {})
            .unwrap()
            .starts_with(b"<svg"));
    }

    #[test]
    fn a_malformed_job_is_an_error_not_a_panic() {
        let state = AppState::default();
        let good = request(&state, false);
        for bad in [
            String::new(),
            good.replace("kernel=", "kernel=x"),
            good.replace("seed=", "seed=-"),
            good.replace("dark=0", "dark=maybe"),
            good.replace("trace=", "trace=1,2") + "&format=svg",
        ] {
            assert!(run(&bad, None, &mut |_, _| {}).is_err(), "{bad}");
        }
    }
}
