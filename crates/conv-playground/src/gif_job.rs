//! The exports as jobs for a Web Worker: the page writes what it shows as a query string (the
//! URL's parameters, plus the kernel, input pattern, seed, theme, followed channel, speed,
//! scatter view, animation step and traced cell, which the URL does not hold), the worker
//! rebuilds the same scene from it and encodes the animated GIF's frames, or writes the figure
//! as SVG (`format=svg`). The encoder, the frame rasteriser and the SVG writer live only in the
//! worker's module, so they are not part of the page's first load (`tests/size.test.mjs`), and a
//! long export never holds up the page. Pure: tested natively, the worker glue is `worker.rs`.

use conv_core::{InputPattern, KernelPreset};

use crate::export::{GifExport, Look};
use crate::i18n::{fill, tr_figure};
use crate::lab;
use crate::palette::Palette;
use crate::pipeline::pipeline;
use crate::scene::{Ask, Scene, SceneKey, Sent};
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
    let mut more = vec![("format", "lab"), ("figure_width", width.as_str())];
    let edit;
    if state.lab == Lab::Stack {
        edit = state
            .stack_edit
            .filter(|e| e.changed)
            .map_or(String::new(), |e| e.layer.to_string());
        more.push(("edit", edit.as_str()));
    }
    scene_request(state, dark, &more)
}

/// The scene worker's job for `key`: the convolution outputs of its scene, or only what the view
/// shows first of them, `ask` says (see [`crate::scene::encode_outputs`]).
pub fn scene_job(key: &SceneKey, ask: Ask) -> String {
    let state = AppState {
        spec: key.spec.clone(),
        input: key.input,
        kernel: key.kernel,
        pattern: key.pattern,
        seed: key.seed,
        ..AppState::default()
    };
    let first = match ask {
        Ask::First => crate::scene::first_maps(key).to_string(),
        Ask::Whole | Ask::Faces => String::new(),
    };
    let faces = if ask == Ask::Faces { "1" } else { "" };
    let more = [("format", "scene"), ("first", &first), ("faces", faces)];
    scene_request(&state, false, &more)
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

/// The stack view's job: the SVG of `state.stack`, after a comment that carries what the page
/// reads (`<!--figures`, then one `key<TAB>value` line each, see [`stack_figures`]).
///
/// The state's `stack_cell` selects the cell whose footprint is drawn (the centre of the last
/// map when none is given; a cell outside its map moves to the map's nearest cell), and the
/// job's `edit` (a layer's index) puts the page's single layer, its controls' values, in that
/// place.
/// The stack is then fitted ([`Stack::fitted`]): a layer that no longer fits the map before it
/// takes the nearest values that do, with a notice.
///
/// The figures: the [`crate::stack_view::Summary`] (`stack-…`); `expanded`, the stack as text;
/// `changed`, the same when the edit or the fitting changed the stack; `code`, the stack as
/// `nn.Sequential` code (new lines as `\n`); `cell`, the cell drawn and its map
/// (`layer,y,x,rows,cols,layers`); `query`, the selected layer's values as the page's URL
/// writes them, with the size and channels that reach it; `hit`, each place that selects a cell
/// ([`crate::stack_view::Hit::text`]); `notice`, each value fitted.
fn stack_job(query: &str, state: &AppState, width: f64, dark: bool) -> Result<Vec<u8>, String> {
    use conv_core::stack::{Block, Stack, Tensor};
    let budget = conv_core::Budget::OPERATIONS;
    let given = Stack::from_text(&state.stack).map_err(|e| e.to_string())?;
    let mut stack = given.clone();
    let edit = value(query, "edit").and_then(|v| v.parse::<usize>().ok());
    if let Some(Block::Layer(spec)) = edit.and_then(|i| stack.blocks.get_mut(i)) {
        *spec = state.spec.clone();
    }
    let (stack, fitted) = stack.fitted(&budget);
    let rows = stack.rows(&budget).map_err(|e| e.to_string())?;
    // The footprint keeps a count per cell of every map: traced where the maps are at most 512
    // a side (the table, formulas all, works at any size).
    let traceable = std::iter::once(Tensor::Map(stack.input))
        .chain(rows.iter().map(|r| r.output))
        .all(|t| !matches!(t, Tensor::Map([_, h, w]) if h.max(w) > 512));
    let map = |i: usize| match rows.get(i).map(|r| r.output) {
        Some(Tensor::Map([_, h, w])) => Some([h, w]),
        _ => None,
    };
    let cell = match state.stack_cell {
        Some([l, y, x]) if map(l).is_some() => map(l).map(|[h, w]| [l, y.min(h - 1), x.min(w - 1)]),
        _ => (0..rows.len())
            .rev()
            .find_map(|i| map(i).map(|[h, w]| [i, h / 2, w / 2])),
    }
    .filter(|_| traceable);
    let view = crate::stack_view::draw(&stack, &rows, cell, state.lang, width, &budget)?;
    let mut figures: Vec<(&str, String)> = view.summary;
    let text = stack.to_text();
    if text != given.to_text() {
        figures.push(("changed", text.clone()));
    }
    figures.push(("expanded", text));
    if let Some(code) = crate::sequential::to_code(&stack, &budget) {
        figures.push(("code", code.replace('\n', "\\n")));
    }
    if let Some([l, y, x]) = cell {
        let [h, w] = map(l).unwrap_or([1, 1]);
        let n = rows.len();
        figures.push(("cell", format!("{l},{y},{x},{h},{w},{n}")));
        let flow = stack.flow(&budget).map_err(|e| e.to_string())?;
        if let Some((Some(spec), _, _)) = flow.get(l) {
            // The layer's values; the page's own settings as they are, so that loading the
            // layer changes nothing else.
            let single = AppState {
                spec: spec.clone(),
                lang: state.lang,
                theme: state.theme,
                view: state.view,
                input: state.input,
                embed: state.embed,
                ..AppState::default()
            };
            figures.push(("query", crate::url::to_query(&single)));
        }
    }
    figures.extend(view.hits.iter().map(|h| ("hit", h.text())));
    for (layer, c) in fitted {
        let notice = crate::types::Notice::new(
            c.param,
            &c.from,
            &c.to,
            crate::types::NoticeReason::Corrected(c.reason),
        );
        let at = fill(
            tr_figure(state.lang, "stack.at-layer"),
            &[("n", (layer + 1).to_string())],
        );
        figures.push((
            "notice",
            at + &crate::notice::notice_text(state.lang, &notice),
        ));
    }
    let mut text = String::from("<!--figures\n");
    for (k, v) in figures {
        text += &format!("{k}\t{v}\n");
    }
    text += "-->\n";
    text += &crate::display::svg(&view.drawing, Palette::of(dark));
    Ok(text.into_bytes())
}

/// The parse job (`format=parse`): the stack the job's `code` describes (an `nn.Sequential`,
/// `sequential::parse`), on an input of the size of `state.stack`'s, as text.
///
/// **Errors** with the line and token that could not be read, in the page's language.
fn parse_job(query: &str, state: &AppState) -> Result<Vec<u8>, String> {
    use conv_core::stack::Stack;
    let [_, h, w] = Stack::from_text(&state.stack).map_or([3, 32, 32], |s| s.input);
    let code = value(query, "code").unwrap_or_default();
    crate::sequential::parse(&code, [h, w], &conv_core::Budget::OPERATIONS)
        .map(|s| s.to_text().into_bytes())
        .map_err(|e| e.text(state.lang))
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
    if value(query, "format").as_deref() == Some("parse") {
        return parse_job(query, &state);
    }
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
    if value(query, "format").as_deref() == Some("scene") {
        let first = value(query, "first").and_then(|n| n.parse().ok());
        let faces = value(query, "faces").as_deref() == Some("1");
        // Only what is computed is sent, where a first part is computed apart from the rest.
        let (outputs, sent) = match first {
            Some(n) if key.spec.first_apart(n) => (Scene::first_outputs(&key, n)?, Sent::First(n)),
            None if faces && key.spec.faces_apart() => (Scene::face_outputs(&key)?, Sent::Faces),
            _ => (Scene::build(&key)?.forward.into_conv_outputs(), Sent::Whole),
        };
        return Ok(crate::scene::encode_outputs(&outputs, sent));
    }
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
            Lab::Stack => return stack_job(query, &state, width, look.dark),
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
    fn a_scene_job_computes_the_scene_the_page_builds() {
        let state = AppState::default()
            .reduce(Action::SetLayer(LayerKind::Transposed))
            .reduce(Action::SetKernel(KernelPreset::SobelX))
            .reduce(Action::Reseed);
        let state = crate::url::parse_query("?out_channels=20&layer=transposed", &state);
        let key = SceneKey::from(&state);
        let whole = Scene::build(&key).unwrap();
        let answer = run(&scene_job(&key, Ask::Whole), None, &mut |_, _| {}).unwrap();
        let given = crate::scene::decode_outputs(&answer).unwrap();
        assert_eq!(Scene::build_given(&key, given).unwrap(), whole);
        // The first channels: those of the whole scene, the rest zero.
        let answer = run(&scene_job(&key, Ask::First), None, &mut |_, _| {}).unwrap();
        let first = crate::scene::decode_outputs(&answer).unwrap();
        let out = &whole.forward.output().data;
        assert_eq!(first[0].dim(), out.dim());
        assert_eq!(
            first[0].slice(ndarray::s![..16, .., ..]),
            out.slice(ndarray::s![..16, .., ..])
        );
        assert!(first[0]
            .slice(ndarray::s![16.., .., ..])
            .iter()
            .all(|&v| v == 0.0));
        assert!(out
            .slice(ndarray::s![16.., .., ..])
            .iter()
            .any(|&v| v != 0.0));
    }

    #[test]
    fn a_faces_job_computes_the_faces_of_the_volumes_first() {
        let state =
            crate::url::parse_query("?layer=standard&out_channels=40", &AppState::default());
        let key = SceneKey::from(&state);
        let whole = Scene::build(&key).unwrap();
        let out = &whole.forward.output().data;
        let (c, h, w) = out.dim();
        assert!(c > 1 && h > 1 && w > 1, "{c}×{h}×{w}");
        let answer = run(&scene_job(&key, Ask::Faces), None, &mut |_, _| {}).unwrap();
        // Sent: the header, channel 0 whole, every other channel's top row and last column.
        assert_eq!(answer.len(), 4 * (5 + h * w + (c - 1) * (w + h - 1)));
        let faces = crate::scene::decode_outputs(&answer).unwrap();
        assert_eq!(faces[0].dim(), out.dim());
        for ((ch, y, x), &v) in faces[0].indexed_iter() {
            let shown = ch == 0 || y == 0 || x == w - 1;
            let want = if shown { out[[ch, y, x]] } else { 0.0 };
            assert!(
                (v - want).abs() <= 1e-5 * (1.0 + want.abs()),
                "{ch} {y} {x}"
            );
        }
        // What to ask first: the faces in the volume view, the channels drawn in the channel
        // view, all of it where a first picture would compute all of it anyway.
        assert_eq!(Ask::first_of(&key, true), Ask::Faces);
        assert_eq!(Ask::first_of(&key, false), Ask::First);
        let grouped =
            crate::url::parse_query("?layer=grouped&out_channels=32", &AppState::default());
        assert_eq!(Ask::first_of(&SceneKey::from(&grouped), false), Ask::Whole);
        assert_eq!(Ask::first_of(&SceneKey::from(&grouped), true), Ask::Faces);
        let transposed = AppState::default().reduce(Action::SetLayer(LayerKind::Transposed));
        assert_eq!(
            Ask::first_of(&SceneKey::from(&transposed), true),
            Ask::Whole
        );
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
        for bad in ["3x8x8_gelu", "1x4x4_flatten_standard-o1-k3-s1-p0"] {
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

    /// The figures of the stack job for `state`, by key (every value of a repeated key).
    fn stack_run(state: &AppState) -> Vec<(String, String)> {
        let svg = run(&lab_request(state, false, 960.0), None, &mut |_, _| {}).unwrap();
        stack_figures(&svg)
    }

    fn all<'a>(figures: &'a [(String, String)], key: &str) -> Vec<&'a str> {
        figures
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    #[test]
    fn a_selected_cell_is_traced_and_every_map_can_be_picked_from() {
        let state = AppState::default()
            .reduce(Action::SetStack("context_module".into()))
            .reduce(Action::PickStackCell([8, 32, 32]));
        let f = stack_run(&state);
        assert_eq!(all(&f, "stack-footprint"), ["33×33"]);
        let stack = conv_core::stack::Stack::preset("context_module").unwrap();
        let n = stack.blocks.len();
        assert_eq!(all(&f, "cell"), [format!("8,32,32,64,64,{n}")]);
        // Every layer's map can be picked from (ReLUs, the same cells as the map before, are
        // not repeated): a panel spans its whole map; each table row picks its centre.
        let hits: Vec<Vec<usize>> = all(&f, "hit")
            .iter()
            .map(|h| h.split(',').map(|v| v.parse().unwrap()).collect())
            .collect();
        assert!(hits.iter().all(|h| h.len() == 9));
        let panels: Vec<&Vec<usize>> = hits.iter().filter(|h| h[5] > 1).collect();
        let rows: Vec<&Vec<usize>> = hits.iter().filter(|h| h[5] == 1).collect();
        assert_eq!(rows.len(), n);
        assert!(rows.iter().all(|h| h[7] == 32 && h[8] == 32));
        assert!(panels.iter().all(|h| h[5] == 64 && h[6] == 64));
        let convs = stack
            .blocks
            .iter()
            .filter(|b| !matches!(b, conv_core::stack::Block::Relu))
            .count();
        assert_eq!(panels.len(), convs, "{hits:?}");
        // Hits do not overlap: a click selects one cell.
        for (i, a) in hits.iter().enumerate() {
            for b in &hits[i + 1..] {
                let apart = a[1] + a[3] <= b[1]
                    || b[1] + b[3] <= a[1]
                    || a[2] + a[4] <= b[2]
                    || b[2] + b[4] <= a[2];
                assert!(apart, "{a:?} {b:?}");
            }
        }
        // The selected layer's values as the page's URL writes them, its input included, and
        // the page's settings as they are.
        let q = all(&f, "query")[0];
        assert!(q.contains("dilation=8"), "{q}");
        let zh = AppState {
            lang: crate::i18n::Lang::Zh,
            view: crate::types::View::Channels,
            ..state.clone()
        };
        let loaded = crate::url::parse_query(all(&stack_run(&zh), "query")[0], &zh);
        assert_eq!((loaded.lang, loaded.view), (zh.lang, zh.view));
        let single = crate::url::parse_query(q, &AppState::default());
        assert_eq!((single.spec.height, single.spec.in_channels), (64, 21));
        // A cell outside its map moves to the nearest; a layer without a map to the default.
        let f = stack_run(&state.clone().reduce(Action::PickStackCell([8, 99, 99])));
        assert_eq!(all(&f, "cell"), [format!("8,63,63,64,64,{n}")]);
        let f = stack_run(&state.reduce(Action::PickStackCell([40, 0, 0])));
        assert_eq!(all(&f, "cell"), [format!("{},32,32,64,64,{n}", n - 1)]);
    }

    #[test]
    fn an_edited_layer_takes_the_controls_values_and_the_stack_is_fitted() {
        let state = AppState::default().reduce(Action::SetStack(
            "1x8x8_standard-o4-k3-s1-p1_relu_standard-o2-k3-s1-p1".into(),
        ));
        let f = stack_run(&state);
        assert!(all(&f, "changed").is_empty());
        assert_eq!(
            all(&f, "expanded"),
            ["1x8x8_standard-o4-k3-s1-p1_relu_standard-o2-k3-s1-p1"]
        );
        // Load layer 0 into the controls: nothing changes until a control moves.
        let state = state.reduce(Action::PickStackCell([0, 4, 4]));
        let q = stack_run(&state)
            .into_iter()
            .find(|(k, _)| k == "query")
            .unwrap()
            .1;
        let editing = state.reduce(Action::EditStackLayer(0, crate::url::patch_from_query(&q)));
        assert_eq!(editing.spec.out_channels, 4);
        assert!(all(&stack_run(&editing), "changed").is_empty());
        let moved = editing.reduce(Action::SetParam(conv_core::Param::OutChannels, 6));
        assert!(moved.stack_edit.unwrap().changed);
        let f = stack_run(&moved);
        assert_eq!(
            all(&f, "changed"),
            ["1x8x8_standard-o6-k3-s1-p1_relu_standard-o2-k3-s1-p1"]
        );
        assert_eq!(
            all(&f, "stack-params"),
            [((6 * 9 + 6) + (2 * 6 * 9 + 2)).to_string()]
        );
        // Written back, the same job changes nothing more.
        let written = moved.reduce(Action::StackWritten(all(&f, "changed")[0].into()));
        assert!(all(&stack_run(&written), "changed").is_empty());
        // A layer that no longer fits takes the nearest values that do, with a notice.
        let s = AppState {
            lang: crate::i18n::Lang::Zh,
            ..AppState::default()
        }
        .reduce(Action::SetStack("1x4x4_standard-o1-k9-s1-p0".into()));
        let f = stack_run(&s);
        assert_eq!(all(&f, "changed"), ["1x4x4_standard-o1-k4-s1-p0"]);
        let notice = all(&f, "notice");
        assert_eq!(notice.len(), 1);
        assert!(notice[0].starts_with("第 1 层：") && notice[0].contains("kernel_size"));
    }

    #[test]
    fn a_parse_job_reads_code_and_says_where_it_cannot() {
        let state = AppState::default().reduce(Action::SetStack("context_module".into()));
        // The code the stack job gives reads back to the same stack.
        let f = stack_run(&state);
        let code = all(&f, "code")[0].replace("\\n", "\n");
        assert!(code.contains("nn.Sequential("));
        let mut job = form_urlencoded::Serializer::new(crate::url::to_query(&state));
        job.append_pair("format", "parse")
            .append_pair("code", &code);
        let text = run(&job.finish(), None, &mut |_, _| {}).unwrap();
        let back = state
            .clone()
            .reduce(Action::SetStack(String::from_utf8(text).unwrap()));
        let g = stack_run(&back);
        assert_eq!(all(&g, "code"), all(&f, "code"));
        assert_eq!(all(&g, "stack-macs"), all(&f, "stack-macs"));
        // A malformed paste: the line and the token, in the page's language.
        let zh = AppState {
            lang: crate::i18n::Lang::Zh,
            ..state
        };
        let mut job = form_urlencoded::Serializer::new(crate::url::to_query(&zh));
        job.append_pair("format", "parse").append_pair(
            "code",
            "nn.Sequential(\n    nn.Conv2d(3, 8, 3),\n    nn.GELU(),\n)",
        );
        let e = run(&job.finish(), None, &mut |_, _| {}).unwrap_err();
        assert!(e.starts_with("第 3 行，`nn.GELU`："), "{e}");
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
