//! Figures for authors: the current figure as SVG (vector, for print) and the animation as an
//! animated GIF, both produced in pure Rust from the [`Scene`], so they are exact and testable.

use conv_core::{Cell, Stage, Step};

use crate::scene::Scene;
use crate::trace::{for_step, format_value, Role};

/// Diverging colour of `v` on `[-max, max]` (blue negative, red positive), as RGB.
pub fn diverging(v: f32, max_abs: f32) -> [u8; 3] {
    let t = if max_abs > 0.0 && v.is_finite() {
        (v / max_abs).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let c = colorous::RED_BLUE.eval_continuous(0.5 - 0.5 * t as f64);
    [c.r, c.g, c.b]
}

fn max_abs(stage: &Stage) -> f32 {
    stage.data.iter().fold(
        0.0f32,
        |m, v| if v.is_finite() { m.max(v.abs()) } else { m },
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Channels drawn per stage in exports.
const SVG_CHANNELS: usize = 8;

/// The figure as a standalone SVG document: every stage (up to 8 channels each) with its title,
/// cells coloured by value, padding hatched, inserted zeros dotted, copies marked, values written
/// when the grid is small. `titles[i]` names stage `i`.
pub fn svg(scene: &Scene, titles: &[String]) -> String {
    let stages = &scene.forward.stages;
    let max_w = stages.iter().map(|s| s.shape()[2]).max().unwrap_or(1);
    let cell = (96.0 / max_w as f64).clamp(3.0, 24.0);
    let gap = 12.0;
    let mut body = String::new();
    let mut y = 10.0;
    let mut width: f64 = 200.0;
    for (si, stage) in stages.iter().enumerate() {
        let [c, h, w] = stage.shape();
        let shown = c.min(SVG_CHANNELS);
        let scale = max_abs(stage);
        let title = titles.get(si).cloned().unwrap_or_default();
        body += &format!(
            "<text x=\"0\" y=\"{:.1}\" class=\"t\">{} {c}×{h}×{w}</text>\n",
            y + 14.0,
            escape(&title)
        );
        y += 22.0;
        for ch in 0..shown {
            let ox = ch as f64 * (w as f64 * cell + gap);
            body += &format!("<g transform=\"translate({ox:.1},{y:.1})\">\n");
            for yy in 0..h {
                for xx in 0..w {
                    let (px, py) = (xx as f64 * cell, yy as f64 * cell);
                    let v = stage.data[[ch, yy, xx]];
                    let fill = match stage.cells[[yy, xx]] {
                        Cell::Padding => "url(#hatch)".to_string(),
                        Cell::Inserted => "#eef1f4".to_string(),
                        _ => {
                            let [r, g, b] = diverging(v, scale);
                            format!("rgb({r},{g},{b})")
                        }
                    };
                    body += &format!(
                        "<rect x=\"{px:.1}\" y=\"{py:.1}\" width=\"{cell:.1}\" height=\"{cell:.1}\" fill=\"{fill}\" stroke=\"#d0d7de\" stroke-width=\"0.5\"/>"
                    );
                    if let Cell::Copied { .. } = stage.cells[[yy, xx]] {
                        body += &format!(
                            "<path d=\"M{:.1} {py:.1} h{:.1} v{:.1} z\" fill=\"#6f42c1\"/>",
                            px + cell * 0.7,
                            cell * 0.3,
                            cell * 0.3
                        );
                    }
                    if cell >= 16.0 && !matches!(stage.cells[[yy, xx]], Cell::Inserted) {
                        body += &format!(
                            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"v\">{}</text>",
                            px + cell / 2.0,
                            py + cell / 2.0 + 3.5,
                            format_value(v)
                        );
                    }
                }
                body.push('\n');
            }
            body += "</g>\n";
            width = width.max(ox + w as f64 * cell);
        }
        y += h as f64 * cell + gap * 2.0;
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0}\" height=\"{:.0}\" viewBox=\"0 0 {:.0} {:.0}\">\n\
<defs><pattern id=\"hatch\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
<rect width=\"4\" height=\"4\" fill=\"#d0d7de\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"4\" stroke=\"#8c959f\" stroke-width=\"1\"/></pattern>\
<style>.t{{font:600 13px sans-serif;fill:#1b1f24}}.v{{font:9px sans-serif;fill:#1b1f24;text-anchor:middle}}</style></defs>\n\
<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n{body}</svg>\n",
        width + 10.0,
        y,
        width + 10.0,
        y
    )
}

/// Limits of an exported GIF.
pub const MAX_FRAMES: usize = 240;
pub const MAX_GIF_SIDE: usize = 720;

const BG: u8 = 0;
const GRID: u8 = 1;
const PADDING: u8 = 2;
const INSERTED: u8 = 3;
const FOCUS: u8 = 4;
const RELATED: u8 = 5;
const COPIED: u8 = 6;
const LEVELS: usize = 249;

fn gif_palette() -> Vec<u8> {
    let mut p = vec![
        255, 255, 255, 27, 31, 36, 208, 215, 222, 238, 241, 244, 214, 0, 111, 27, 31, 36, 111, 66,
        193,
    ];
    for i in 0..LEVELS {
        let t = i as f32 / (LEVELS - 1) as f32 * 2.0 - 1.0;
        p.extend(diverging(t, 1.0));
    }
    p
}

fn level(v: f32, max_abs: f32) -> u8 {
    let t = if max_abs > 0.0 && v.is_finite() {
        (v / max_abs).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    7 + ((t + 1.0) / 2.0 * (LEVELS - 1) as f32).round() as u8
}

/// An indexed-colour frame being painted.
struct Canvas {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

impl Canvas {
    fn rect(&mut self, x: usize, y: usize, w: usize, h: usize, c: u8) {
        for yy in y..(y + h).min(self.h) {
            let row = yy * self.w;
            for xx in x..(x + w).min(self.w) {
                self.px[row + xx] = c;
            }
        }
    }

    fn frame(&mut self, x: usize, y: usize, w: usize, h: usize, t: usize, c: u8) {
        self.rect(x, y, w, t, c);
        self.rect(x, y + h.saturating_sub(t), w, t, c);
        self.rect(x, y, t, h, c);
        self.rect(x + w.saturating_sub(t), y, t, h, c);
    }
}

/// The stages a step shows: its convolution's input and output (or the copy's two stages).
fn step_stages(scene: &Scene, step: &Step) -> (usize, usize) {
    match *step {
        Step::Conv { conv, .. } | Step::Scatter { conv, .. } => {
            let v = &scene.forward.convs[conv];
            let input = if matches!(step, Step::Scatter { .. }) {
                v.input_stage - 2
            } else {
                v.input_stage
            };
            (input, v.output_stage)
        }
        Step::Copy { stage, .. } => (stage - 1, stage),
    }
}

/// An animated GIF of `steps`, encoded one frame at a time so that a page can show progress
/// between frames: for each step, the stage the window slides over (up to 4 channels) beside the
/// stage being written, with the window and the written cell framed. At most [`MAX_FRAMES`]
/// frames (steps are sampled evenly beyond that) and [`MAX_GIF_SIDE`] pixels a side.
pub struct GifExport<'a> {
    scene: &'a Scene,
    picked: Vec<Step>,
    channel: usize,
    delay_cs: u16,
    cell: usize,
    width: u16,
    height: u16,
    next: usize,
    encoder: gif::Encoder<Vec<u8>>,
}

impl<'a> GifExport<'a> {
    /// **Errors** if there are no steps or the encoder fails.
    pub fn new(
        scene: &'a Scene,
        steps: &[Step],
        channel: usize,
        delay_cs: u16,
    ) -> Result<Self, String> {
        if steps.is_empty() {
            return Err("no steps to animate".into());
        }
        let picked: Vec<Step> = if steps.len() > MAX_FRAMES {
            (0..MAX_FRAMES)
                .map(|i| steps[i * steps.len() / MAX_FRAMES])
                .collect()
        } else {
            steps.to_vec()
        };
        let stages = &scene.forward.stages;
        // One layout for all frames: the largest input and output any step shows.
        let (mut in_w, mut in_h, mut out_w, mut out_h) = (1, 1, 1, 1);
        for s in &picked {
            let (a, b) = step_stages(scene, s);
            let [ac, ah, aw] = stages[a].shape();
            let [_, bh, bw] = stages[b].shape();
            in_w = in_w.max(aw * ac.min(4));
            in_h = in_h.max(ah);
            out_w = out_w.max(bw);
            out_h = out_h.max(bh);
        }
        let cell = ((MAX_GIF_SIDE - 80) / (in_w + out_w).max(1))
            .min((MAX_GIF_SIDE - 20) / in_h.max(out_h).max(1))
            .clamp(1, 24);
        let width = ((in_w + out_w) * cell + 80).min(MAX_GIF_SIDE) as u16;
        let height = (in_h.max(out_h) * cell + 20).min(MAX_GIF_SIDE) as u16;
        let mut encoder = gif::Encoder::new(Vec::new(), width, height, &gif_palette())
            .map_err(|e| e.to_string())?;
        encoder
            .set_repeat(gif::Repeat::Infinite)
            .map_err(|e| e.to_string())?;
        Ok(GifExport {
            scene,
            picked,
            channel,
            delay_cs,
            cell,
            width,
            height,
            next: 0,
            encoder,
        })
    }

    /// Frames in the file.
    pub fn frames(&self) -> usize {
        self.picked.len()
    }

    /// Frames written so far.
    pub fn done(&self) -> usize {
        self.next
    }

    /// Paint and write the next frame; `false` once every frame is written.
    ///
    /// **Errors** if the encoder fails.
    pub fn step(&mut self) -> Result<bool, String> {
        let Some(step) = self.picked.get(self.next).copied() else {
            return Ok(false);
        };
        let (scene, cell, channel) = (self.scene, self.cell, self.channel);
        let stages = &scene.forward.stages;
        let mut c = Canvas {
            w: self.width as usize,
            h: self.height as usize,
            px: vec![BG; self.width as usize * self.height as usize],
        };
        let trace = for_step(&scene.forward, &step, channel);
        let (a, b) = step_stages(scene, &step);
        let mut x0 = 10;
        for (si, followed) in [(a, None), (b, Some(channel))] {
            let st = &stages[si];
            let [sc, sh, sw] = st.shape();
            let scale = max_abs(st);
            let list: Vec<usize> = match followed {
                Some(ch) => vec![ch.min(sc - 1)],
                None => (0..sc.min(4)).collect(),
            };
            for &ch in &list {
                for y in 0..sh {
                    for x in 0..sw {
                        let colour = match st.cells[[y, x]] {
                            Cell::Padding => PADDING,
                            Cell::Inserted => INSERTED,
                            _ => level(st.data[[ch, y, x]], scale),
                        };
                        let (px, py) = (x0 + x * cell, 10 + y * cell);
                        c.rect(px, py, cell, cell, colour);
                        if matches!(st.cells[[y, x]], Cell::Copied { .. }) && cell >= 6 {
                            c.rect(px + cell - cell / 3, py, cell / 3, cell / 3, COPIED);
                        }
                        if cell >= 6 {
                            c.rect(px, py, cell, 1, GRID);
                            c.rect(px, py, 1, cell, GRID);
                        }
                    }
                }
                for (r, role) in &trace.marks {
                    if r.stage == si && r.channel == ch && r.y < sh && r.x < sw {
                        let (col, t) = match role {
                            Role::Focus => (FOCUS, 3),
                            Role::Related => (RELATED, 2),
                        };
                        c.frame(
                            x0 + r.x * cell,
                            10 + r.y * cell,
                            cell,
                            cell,
                            t.min(cell / 2).max(1),
                            col,
                        );
                    }
                }
                x0 += sw * cell + 8;
            }
            x0 += 24;
        }
        let mut frame = gif::Frame::from_indexed_pixels(self.width, self.height, c.px, None);
        frame.delay = self.delay_cs;
        self.encoder
            .write_frame(&frame)
            .map_err(|e| e.to_string())?;
        self.next += 1;
        Ok(true)
    }

    /// The finished file.
    ///
    /// **Errors** if the encoder fails to finish.
    pub fn finish(self) -> Result<Vec<u8>, String> {
        self.encoder.into_inner().map_err(|e| e.to_string())
    }
}

/// [`GifExport`] in one go; `on_frame(i, n)` reports progress.
///
/// **Errors** as [`GifExport`].
pub fn gif(
    scene: &Scene,
    steps: &[Step],
    channel: usize,
    delay_cs: u16,
    on_frame: &mut dyn FnMut(usize, usize),
) -> Result<Vec<u8>, String> {
    let mut export = GifExport::new(scene, steps, channel, delay_cs)?;
    let n = export.frames();
    while export.step()? {
        on_frame(export.done(), n);
    }
    export.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::SceneKey;
    use crate::state::{Action, AppState};
    use conv_core::LayerKind;

    fn scene(kind: LayerKind) -> Scene {
        Scene::build(&SceneKey::from(
            &AppState::default().reduce(Action::SetLayer(kind)),
        ))
        .unwrap()
    }

    #[test]
    fn svg_has_a_rect_per_drawn_cell_and_escapes_titles() {
        let sc = scene(LayerKind::Transposed);
        let titles: Vec<String> = (0..sc.forward.stages.len())
            .map(|i| format!("<stage {i}>"))
            .collect();
        let s = svg(&sc, &titles);
        assert!(s.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(s.trim_end().ends_with("</svg>"));
        let cells: usize = sc
            .forward
            .stages
            .iter()
            .map(|st| {
                let [c, h, w] = st.shape();
                c.min(SVG_CHANNELS) * h * w
            })
            .sum();
        // One background rect, one in the hatch pattern, and one per cell.
        assert_eq!(s.matches("<rect").count(), cells + 2);
        assert!(s.contains("&lt;stage 0&gt;"));
        assert!(s.contains("url(#hatch)"), "padding is hatched");
    }

    #[test]
    fn gif_has_a_frame_per_step_and_decodes() {
        let sc = scene(LayerKind::Standard);
        let steps = sc.forward.steps(false);
        let mut progress = Vec::new();
        let bytes = gif(&sc, &steps, 0, 25, &mut |i, n| progress.push((i, n))).unwrap();
        assert_eq!(&bytes[..6], b"GIF89a");
        let mut opts = gif::DecodeOptions::new();
        opts.set_color_output(gif::ColorOutput::Indexed);
        let mut dec = opts.read_info(bytes.as_slice()).unwrap();
        let mut frames = 0;
        while dec.read_next_frame().unwrap().is_some() {
            frames += 1;
        }
        assert_eq!(frames, steps.len());
        assert_eq!(progress.last(), Some(&(steps.len(), steps.len())));
    }

    #[test]
    fn long_animations_are_sampled() {
        let mut state = AppState::default();
        state.spec.height = 40;
        state.spec.width = 40;
        let sc = Scene::build(&SceneKey::from(&state)).unwrap();
        let steps = sc.forward.steps(false);
        assert!(steps.len() > MAX_FRAMES);
        let mut n = 0;
        let bytes = gif(&sc, &steps, 3, 10, &mut |_, total| n = total).unwrap();
        assert_eq!(n, MAX_FRAMES);
        assert!(bytes.len() < 8 * 1024 * 1024);
    }
}
