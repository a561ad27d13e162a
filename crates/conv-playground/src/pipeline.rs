//! The figure's blocks in reading order, as both views show them: each stage, and the kernels
//! of a convolution right before the stage it writes, with caption, shape and accessible
//! summary. Pure.

use conv_core::{Forward, StageKind};

use crate::display::text_width;
use crate::i18n::{tr, trf, Lang};
use crate::layout::Block;
use crate::scene::Scene;

/// The i18n key of a stage's title.
pub fn stage_key(kind: StageKind) -> &'static str {
    match kind {
        StageKind::Input => "stage.input",
        StageKind::Padded => "stage.padded",
        StageKind::ZeroInserted => "stage.zero-inserted",
        StageKind::Upsampled => "stage.upsampled",
        StageKind::Intermediate => "stage.intermediate",
        StageKind::BeforeShuffle => "stage.before-shuffle",
        StageKind::Output => "stage.output",
    }
}

/// The stage kind as a class name and test hook (`data-stage`).
pub fn stage_class(kind: StageKind) -> &'static str {
    match kind {
        StageKind::Input => "input",
        StageKind::Padded => "padded",
        StageKind::ZeroInserted => "zero-inserted",
        StageKind::Upsampled => "upsampled",
        StageKind::Intermediate => "intermediate",
        StageKind::BeforeShuffle => "before-shuffle",
        StageKind::Output => "output",
    }
}

/// What a block shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Stage(usize, StageKind),
    Kernels(usize),
}

/// One block of the pipeline with everything a view shows besides the maps.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub part: Part,
    pub title: String,
    /// `C×H×W` of a stage, `count × k×k×depth` of kernels.
    pub shape: String,
    /// The accessible description.
    pub summary: String,
    /// Maps not drawn in the channel view (beyond [`crate::layout::max_maps`]).
    pub more: usize,
    /// The block of the channel view's plan.
    pub block: Block,
}

/// Font sizes of a caption's title and shape lines.
pub const TITLE_PX: f64 = 13.0;
pub const SHAPE_PX: f64 = 12.0;

fn kernel_title(lang: Lang, fwd: &Forward, conv: usize) -> String {
    let Some(view) = fwd.convs.get(conv) else {
        return String::new();
    };
    let key = if view.transposed {
        "kernels.transposed"
    } else {
        match view.role {
            conv_core::ConvRole::Depthwise => "kernels.depthwise",
            conv_core::ConvRole::Pointwise => "kernels.pointwise",
            conv_core::ConvRole::Main => "kernels",
        }
    };
    tr(lang, key).to_string()
}

/// The pipeline's blocks in reading order: kernels right before the stage their convolution
/// writes.
pub fn pipeline(scene: &Scene, lang: Lang) -> Vec<Piece> {
    let fwd = &scene.forward;
    let mut items = Vec::new();
    let caption = |title: &str, shape: &str| {
        text_width(title, TITLE_PX).max(text_width(shape, SHAPE_PX)) + 4.0
    };
    for (si, stage) in fwd.stages.iter().enumerate() {
        for (ci, _) in fwd
            .convs
            .iter()
            .enumerate()
            .filter(|(_, v)| v.output_stage == si)
        {
            if let Some(set) = scene.kernel_set(ci) {
                let (count, depth, k, extent) = (set.count(), set.depth, set.k(), set.extent());
                let title = kernel_title(lang, fwd, ci);
                let shape = format!("{count} × {k}×{k}×{depth}");
                let block = Block::kernels(count, depth, extent, caption(&title, &shape));
                items.push(Piece {
                    part: Part::Kernels(ci),
                    summary: format!("{title}: {shape}"),
                    more: count.saturating_sub(block.maps),
                    title,
                    shape,
                    block,
                });
            }
        }
        let [c, h, w] = stage.shape();
        let key = match fwd.interpolation {
            Some(i) if i.stage == si => "stage.interpolated",
            _ if fwd.shuffles(si) => "stage.shuffled",
            _ => stage_key(stage.kind),
        };
        let title = tr(lang, key).to_string();
        let shape = format!("{c}×{h}×{w}");
        let block = Block::stage(c, h, w, caption(&title, &shape));
        let summary = trf(
            lang,
            "canvas.summary",
            &[
                ("stage", title.clone()),
                ("c", c.to_string()),
                ("h", h.to_string()),
                ("w", w.to_string()),
            ],
        );
        items.push(Piece {
            part: Part::Stage(si, stage.kind),
            summary,
            more: c.saturating_sub(block.maps),
            title,
            shape,
            block,
        });
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::SceneKey;
    use crate::state::{Action, AppState};
    use conv_core::LayerKind;

    #[test]
    fn kernels_come_right_before_the_stage_they_write() {
        let state = AppState::default().reduce(Action::SetLayer(LayerKind::Separable));
        let scene = Scene::build(&SceneKey::from(&state)).unwrap();
        let parts: Vec<Part> = pipeline(&scene, Lang::En).iter().map(|p| p.part).collect();
        for (i, part) in parts.iter().enumerate() {
            if let Part::Kernels(conv) = part {
                let out = scene.forward.convs[*conv].output_stage;
                assert!(
                    matches!(parts[i + 1], Part::Stage(s, _) if s == out),
                    "{parts:?}"
                );
            }
        }
        assert_eq!(
            parts
                .iter()
                .filter(|p| matches!(p, Part::Kernels(_)))
                .count(),
            2
        );
    }
}
