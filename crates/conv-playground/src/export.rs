//! Figures for authors: the figure as SVG (vector, for print) and the animation as an animated
//! GIF, in either view. Both draw the same [`Display`] as the screen (`channels.rs`,
//! `volume.rs`) at a fixed export size, so an export shows what the page shows; pure Rust, tested.

use conv_core::Step;

use crate::channels;
use crate::display::{self, Display};
use crate::layout::CellRange;
use crate::palette::Palette;
use crate::pipeline::Piece;
use crate::scene::Scene;
use crate::trace::{for_step, Trace};
use crate::types::View;
use crate::volume::{self, Active};

/// How an export is drawn: which view, which theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    pub view: View,
    pub dark: bool,
}

/// The space an export is laid out in, in CSS pixels.
pub const EXPORT_SPACE: [f64; 2] = [960.0, 720.0];
/// Cell sizes of the channel view in exports (as on a desktop page).
const EXPORT_CELLS: CellRange = CellRange {
    max: 34.0,
    min: 4.0,
    scroll: 12.0,
};

/// The figure of `scene` as `look` draws it, with `trace`'s highlights and (volume view)
/// `active`'s box.
pub fn figure(
    scene: &Scene,
    pieces: &[Piece],
    look: Look,
    trace: &Trace,
    active: Option<Active>,
) -> Display {
    match look.view {
        View::Volume => {
            volume::figure(
                scene,
                pieces,
                EXPORT_SPACE,
                EXPORT_CELLS,
                active,
                &trace.marks,
            )
            .display
        }
        View::Channels => channels::compose(scene, pieces, EXPORT_SPACE[0], EXPORT_CELLS, trace),
    }
}

/// The figure as a standalone SVG document: one element per drawn cell (`class="c"`).
pub fn svg(
    scene: &Scene,
    pieces: &[Piece],
    look: Look,
    trace: &Trace,
    active: Option<Active>,
) -> String {
    display::svg(
        &figure(scene, pieces, look, trace, active),
        Palette::of(look.dark),
    )
}

/// Limits of an exported GIF.
pub const MAX_FRAMES: usize = 240;
pub const MAX_GIF_SIDE: usize = 720;

/// An animated GIF of `steps`, encoded one frame at a time so that a page can show progress
/// between frames: each frame is the figure at that step, as on the page (text left out). At
/// most [`MAX_FRAMES`] frames (steps are sampled evenly beyond that) and [`MAX_GIF_SIDE`] pixels
/// a side.
pub struct GifExport<'a> {
    scene: &'a Scene,
    pieces: &'a [Piece],
    look: Look,
    picked: Vec<Step>,
    channel: usize,
    delay_cs: u16,
    /// Scale from CSS pixels to GIF pixels, and the frame size.
    scale: f64,
    width: u16,
    height: u16,
    next: usize,
    encoder: gif::Encoder<Vec<u8>>,
    /// The previous frame: a frame stores only the rectangle that changed.
    previous: Option<Vec<u8>>,
}

impl<'a> GifExport<'a> {
    /// **Errors** if there are no steps or the encoder fails.
    pub fn new(
        scene: &'a Scene,
        pieces: &'a [Piece],
        look: Look,
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
        // One size for all frames: the first frame's figure (every step draws the same blocks).
        let first = frame_display(scene, pieces, look, &picked[0], channel);
        let side = first.width.max(first.height).max(1.0);
        let scale = (MAX_GIF_SIDE as f64 / side).min(1.0);
        let width = ((first.width * scale).ceil() as usize).clamp(1, MAX_GIF_SIDE) as u16;
        let height = ((first.height * scale).ceil() as usize).clamp(1, MAX_GIF_SIDE) as u16;
        let table = Palette::of(look.dark).gif_table();
        let mut encoder =
            gif::Encoder::new(Vec::new(), width, height, &table).map_err(|e| e.to_string())?;
        encoder
            .set_repeat(gif::Repeat::Infinite)
            .map_err(|e| e.to_string())?;
        Ok(GifExport {
            scene,
            pieces,
            look,
            picked,
            channel,
            delay_cs,
            scale,
            width,
            height,
            next: 0,
            encoder,
            previous: None,
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
        let d = frame_display(self.scene, self.pieces, self.look, &step, self.channel);
        let f = display::raster(&d, self.scale);
        // Every frame the same size: crop or pad to the first one's.
        let (w, h) = (self.width as usize, self.height as usize);
        let mut px = vec![0u8; w * h];
        for y in 0..h.min(f.height) {
            let n = w.min(f.width);
            px[y * w..y * w + n].copy_from_slice(&f.pixels[y * f.width..y * f.width + n]);
        }
        let [x, y, cw, ch] = match &self.previous {
            Some(prev) => changed(prev, &px, w, h),
            None => [0, 0, w, h],
        };
        let part: Vec<u8> = (y..y + ch)
            .flat_map(|row| px[row * w + x..row * w + x + cw].iter().copied())
            .collect();
        let mut frame = gif::Frame::from_indexed_pixels(cw as u16, ch as u16, part, None);
        frame.left = x as u16;
        frame.top = y as u16;
        frame.dispose = gif::DisposalMethod::Keep;
        frame.delay = self.delay_cs;
        self.previous = Some(px);
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

/// `[x, y, w, h]` around the pixels of `next` that differ from `prev` (one pixel if none do).
fn changed(prev: &[u8], next: &[u8], w: usize, h: usize) -> [usize; 4] {
    let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
    for y in 0..h {
        let (a, b) = (&prev[y * w..(y + 1) * w], &next[y * w..(y + 1) * w]);
        if a == b {
            continue;
        }
        let first = a.iter().zip(b).position(|(p, q)| p != q).unwrap_or(0);
        let last = w
            - 1
            - a.iter()
                .rev()
                .zip(b.iter().rev())
                .position(|(p, q)| p != q)
                .unwrap_or(0);
        (x0, x1, y0, y1) = (x0.min(first), x1.max(last), y0.min(y), y1.max(y));
    }
    if x0 > x1 || y0 > y1 {
        return [0, 0, 1, 1];
    }
    [x0, y0, x1 - x0 + 1, y1 - y0 + 1]
}

/// The figure at animation step `step`, the output channel `channel` followed.
fn frame_display(
    scene: &Scene,
    pieces: &[Piece],
    look: Look,
    step: &Step,
    channel: usize,
) -> Display {
    let trace = for_step(&scene.forward, step, channel);
    let active = volume::active(&scene.forward, step, channel);
    figure(scene, pieces, look, &trace, active)
}

/// [`GifExport`] in one go; `on_frame(i, n)` reports progress.
///
/// **Errors** as [`GifExport`].
pub fn gif(
    scene: &Scene,
    pieces: &[Piece],
    look: Look,
    steps: &[Step],
    channel: usize,
    delay_cs: u16,
    on_frame: &mut dyn FnMut(usize, usize),
) -> Result<Vec<u8>, String> {
    let mut export = GifExport::new(scene, pieces, look, steps, channel, delay_cs)?;
    let n = export.frames();
    while export.step()? {
        on_frame(export.done(), n);
    }
    export.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use crate::pipeline::pipeline;
    use crate::scene::SceneKey;
    use crate::state::{Action, AppState};
    use conv_core::LayerKind;

    fn scene(kind: LayerKind) -> Scene {
        Scene::build(&SceneKey::from(
            &AppState::default().reduce(Action::SetLayer(kind)),
        ))
        .unwrap()
    }

    const VOLUME: Look = Look {
        view: View::Volume,
        dark: false,
    };
    const CHANNELS: Look = Look {
        view: View::Channels,
        dark: false,
    };

    /// Every frame as the full picture (frames after the first store what changed).
    fn frames_of(bytes: &[u8]) -> Vec<Vec<u8>> {
        let mut opts = gif::DecodeOptions::new();
        opts.set_color_output(gif::ColorOutput::Indexed);
        let mut dec = opts.read_info(bytes).unwrap();
        let (w, h) = (dec.width() as usize, dec.height() as usize);
        let mut screen = vec![0u8; w * h];
        let mut out = Vec::new();
        while let Some(f) = dec.read_next_frame().unwrap() {
            let (l, t, fw) = (f.left as usize, f.top as usize, f.width as usize);
            for (i, row) in f.buffer.chunks(fw).enumerate() {
                screen[(t + i) * w + l..(t + i) * w + l + fw].copy_from_slice(row);
            }
            out.push(screen.clone());
        }
        out
    }

    #[test]
    fn the_svg_holds_one_element_per_drawn_cell_in_either_view() {
        let sc = scene(LayerKind::Transposed);
        let pieces = pipeline(&sc, Lang::En);
        for look in [VOLUME, CHANNELS] {
            let d = figure(&sc, &pieces, look, &Trace::default(), None);
            let s = svg(&sc, &pieces, look, &Trace::default(), None);
            assert!(s.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
            assert!(s.trim_end().ends_with("</svg>"));
            assert!(d.cell_count() > 100);
            assert_eq!(s.matches("class=\"c\"").count(), d.cell_count(), "{look:?}");
            assert!(s.contains("url(#hatch)"), "padding is hatched");
            assert!(s.contains(&pieces[0].title), "captions are in the file");
        }
        let channels = figure(&sc, &pieces, CHANNELS, &Trace::default(), None);
        let cells: usize = sc
            .forward
            .stages
            .iter()
            .map(|st| {
                let [c, h, w] = st.shape();
                c.min(crate::layout::max_maps(h, w)) * h * w
            })
            .sum();
        let kernel_cells: usize = (0..sc.forward.convs.len())
            .filter_map(|c| sc.kernel_set(c))
            .map(|k| k.count().min(crate::layout::MAX_MAPS) * k.depth.min(4) * k.extent().pow(2))
            .sum();
        assert_eq!(channels.cell_count(), cells + kernel_cells);
    }

    #[test]
    fn gif_has_a_frame_per_step_and_decodes() {
        let sc = scene(LayerKind::Standard);
        let pieces = pipeline(&sc, Lang::En);
        let steps = sc.forward.steps(false);
        for look in [VOLUME, CHANNELS] {
            let mut progress = Vec::new();
            let bytes = gif(&sc, &pieces, look, &steps, 0, 25, &mut |i, n| {
                progress.push((i, n))
            })
            .unwrap();
            assert_eq!(&bytes[..6], b"GIF89a");
            let frames = frames_of(&bytes);
            assert_eq!(frames.len(), steps.len());
            assert_ne!(frames[0], frames[1], "the box moves");
            assert_eq!(progress.last(), Some(&(steps.len(), steps.len())));
        }
    }

    #[test]
    fn a_separable_gif_plays_both_phases() {
        let sc = scene(LayerKind::Separable);
        let pieces = pipeline(&sc, Lang::En);
        let steps = sc.forward.steps(false);
        let convs: std::collections::BTreeSet<usize> = steps
            .iter()
            .filter_map(|s| match s {
                Step::Conv { conv, .. } => Some(*conv),
                _ => None,
            })
            .collect();
        assert_eq!(convs.len(), 2);
        let bytes = gif(&sc, &pieces, VOLUME, &steps, 0, 10, &mut |_, _| {}).unwrap();
        let frames = frames_of(&bytes);
        // A depthwise frame and a pointwise frame differ.
        let first_pw = steps
            .iter()
            .position(|s| matches!(s, Step::Conv { conv: 1, .. }))
            .unwrap();
        let picked = |i: usize| i * frames.len() / steps.len();
        assert_ne!(frames[picked(0)], frames[picked(first_pw)]);
    }

    #[test]
    fn long_animations_are_sampled() {
        let mut state = AppState::default();
        state.spec.height = 40;
        state.spec.width = 40;
        let sc = Scene::build(&SceneKey::from(&state)).unwrap();
        let pieces = pipeline(&sc, Lang::En);
        let steps = sc.forward.steps(false);
        assert!(steps.len() > MAX_FRAMES);
        let mut n = 0;
        let bytes = gif(&sc, &pieces, VOLUME, &steps, 3, 10, &mut |_, total| {
            n = total
        })
        .unwrap();
        assert_eq!(n, MAX_FRAMES);
        assert!(bytes.len() < 8 * 1024 * 1024);
    }
}
