//! An animated-GIF export as a job for a Web Worker: the page writes what it shows as a query
//! string (the URL's parameters, plus the kernel, input pattern, seed, theme, followed channel,
//! speed and scatter view, which the URL does not hold), the worker rebuilds the same scene from
//! it and encodes the frames. The encoder and the frame rasteriser live only in the worker's
//! module, so they are not part of the page's first load (`tests/size.test.mjs`), and a long
//! export never holds up the page. Pure: tested natively, the worker glue is `worker.rs`.

use conv_core::{InputPattern, KernelPreset};

use crate::export::{GifExport, Look};
use crate::pipeline::pipeline;
use crate::scene::{Scene, SceneKey};
use crate::state::AppState;
use crate::types::ImageInput;

/// The job of exporting what `state` shows in the `dark` theme or not.
pub fn request(state: &AppState, dark: bool) -> String {
    let mut q = crate::url::to_query(state);
    let extra = form_urlencoded::Serializer::new(String::new())
        .append_pair("kernel", state.kernel.name())
        .append_pair("pattern", state.pattern.name())
        .append_pair("seed", &state.seed.to_string())
        .append_pair("dark", if dark { "1" } else { "0" })
        .append_pair("channel", &state.anim.channel.to_string())
        .append_pair("speed", &state.anim.speed.to_string())
        .append_pair("scatter", if state.anim.scatter { "1" } else { "0" })
        .finish();
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

/// Runs the job `query` (with the uploaded picture, for `input=image`): the GIF's bytes.
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
    let scene = Scene::build(&key)?;
    let pieces = pipeline(&scene, state.lang);
    let steps = scene.forward.steps(number(query, "scatter")? == 1);
    let look = Look {
        view: state.view,
        dark: number(query, "dark")? == 1,
    };
    let channel = number(query, "channel")? as usize;
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
    fn a_malformed_job_is_an_error_not_a_panic() {
        let state = AppState::default();
        let good = request(&state, false);
        for bad in [
            String::new(),
            good.replace("kernel=", "kernel=x"),
            good.replace("seed=", "seed=-"),
            good.replace("dark=0", "dark=maybe"),
        ] {
            assert!(run(&bad, None, &mut |_, _| {}).is_err(), "{bad}");
        }
    }
}
