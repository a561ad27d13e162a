//! The one home of the app's state: [`AppState`], the [`Action`]s that change it, and the pure
//! reducer. Every change, from a slider, the URL or a host page's message, goes through here.

use conv_core::{CellRef, InputPattern, KernelPreset, LayerKind, LayerSpec, PaddingSpec, Param};
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::types::{FileRefusal, NoticeReason};
pub use crate::types::{ImageInput, InputMode, Lab, Notice, Theme, View};

/// The animation: which step is shown, whether it plays, how fast.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Anim {
    /// 0-based index into the scene's steps; `None` before the first step.
    pub step: Option<usize>,
    pub playing: bool,
    /// Steps per second, 1–20.
    pub speed: usize,
    /// Transposed convolution: play the scatter view instead of the zero-insertion view.
    pub scatter: bool,
    /// The output channel followed by the step highlights.
    pub channel: usize,
}

impl Default for Anim {
    fn default() -> Self {
        Anim {
            step: None,
            playing: false,
            speed: 4,
            scatter: false,
            channel: 0,
        }
    }
}

/// Everything the page shows is a function of this.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AppState {
    pub spec: LayerSpec,
    pub input: InputMode,
    pub lang: Lang,
    pub theme: Theme,
    /// Volumes or channel grids.
    pub view: View,
    /// The lab shown below the figure, if any.
    pub lab: Lab,
    /// The stack of `lab=stack`: a preset's name or a stack as text (`Stack::from_text`),
    /// read by the worker that draws it.
    pub stack: String,
    /// The stack view's selected cell, `[layer, y, x]` of that layer's output: its footprint is
    /// drawn, and the layer is the one the stack view's buttons act on (the centre of the last
    /// map when none is selected).
    pub stack_cell: Option<[usize; 3]>,
    /// The stack's layer the single layer's controls edit, if any ([`StackEdit`]).
    pub stack_edit: Option<StackEdit>,
    pub embed: bool,
    pub kernel: KernelPreset,
    pub pattern: InputPattern,
    pub seed: u64,
    /// Corrections of values that arrived from outside, shown until dismissed.
    pub notices: Vec<Notice>,
    /// The tour stop shown, if the reader is on the tour.
    pub tour: Option<usize>,
    pub anim: Anim,
    /// The cell traced by hover, tap or click.
    pub trace: Option<CellRef>,
    /// A click pins the trace: hovering elsewhere no longer moves it.
    pub pinned: bool,
    /// The reader's own picture for `input=image` (a generated sample otherwise).
    #[serde(skip)]
    pub image: Option<ImageInput>,
    /// The only origin a host page may talk to the playground from (`parent_origin`).
    pub parent_origin: Option<String>,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            spec: LayerSpec::preset(LayerKind::Standard),
            input: InputMode::Grid,
            lang: Lang::En,
            theme: Theme::Auto,
            view: View::Volume,
            lab: Lab::Off,
            stack: String::from("vgg16"),
            stack_cell: None,
            stack_edit: None,
            embed: false,
            kernel: KernelPreset::Random,
            pattern: InputPattern::Random,
            seed: 1,
            notices: Vec::new(),
            tour: None,
            anim: Anim::default(),
            trace: None,
            pinned: false,
            image: None,
            parent_origin: None,
        }
    }
}

/// A stack's layer loaded into the single layer's controls: once a control changes it
/// (`changed`), the stack's layer takes the controls' values (the worker that draws the stack
/// writes them in and fits the stack).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StackEdit {
    pub layer: usize,
    pub changed: bool,
}

/// Values that arrived from outside (a URL or a host page's message), parsed and typed
/// (`url::parse_pairs`) but not yet applied: [`AppState::with_patch`] applies them and words the
/// notices.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Patch {
    /// The layer: the other values apply to it.
    pub layer: Option<LayerKind>,
    /// Numeric layer parameters (not `Padding` or `Bias`).
    pub params: Vec<(Param, usize)>,
    pub padding: Option<PaddingSpec>,
    pub bias: Option<bool>,
    pub lang: Option<Lang>,
    pub theme: Option<Theme>,
    pub view: Option<View>,
    pub lab: Option<Lab>,
    pub stack: Option<String>,
    pub stack_cell: Option<[usize; 3]>,
    pub embed: Option<bool>,
    pub input: Option<InputMode>,
    pub parent_origin: Option<String>,
    /// The text given for each number set, for its notice if conv-core corrects the value.
    pub given: Vec<(&'static str, String)>,
    /// Values refused while parsing: key and value as given, and why.
    pub refused: Vec<(String, String, NoticeReason)>,
}

impl Patch {
    /// Records a value that could not be used.
    pub fn refuse(&mut self, key: &str, value: &str, reason: NoticeReason) {
        self.refused
            .push((key.to_string(), value.to_string(), reason));
    }
}

/// Every change the UI can make.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SetLayer(LayerKind),
    /// A numeric parameter (for `Bias`: 0 / 1).
    SetParam(Param, usize),
    SetPadding(PaddingSpec),
    SetLang(Lang),
    SetTheme(Theme),
    /// Volumes or channel grids; the animation and the trace stay where they are.
    SetView(View),
    SetLab(Lab),
    /// A stack (a preset or a stack as text): the selection and the edit start over.
    SetStack(String),
    /// The stack changed by the stack view (a layer removed, moved or copied), with the cell
    /// selected after it; the edit ends.
    ReshapeStack(String, Option<[usize; 3]>),
    /// The stack as the worker wrote it back after an edit or a fitting: nothing else changes.
    StackWritten(String),
    /// Select a cell of the stack view; selecting another layer ends the edit.
    PickStackCell([usize; 3]),
    /// A key on the stack view: from the cell selected (or else the one drawn, `drawn` as
    /// `stack_pick::drawn` reads it) to the one the key names (`stack_pick::step`). Reduced
    /// against the state of the moment, so that keys faster than the page renders each count.
    StepStackCell {
        drawn: [usize; 6],
        key: String,
    },
    /// Load layer `.0` of the stack (its values as URL parameters) into the controls.
    EditStackLayer(usize, Patch),
    /// Stop editing the stack's layer.
    EndStackEdit,
    SetKernel(KernelPreset),
    SetPattern(InputPattern),
    Reseed,
    /// Replace the state by one parsed from outside (URL or message), with its notices.
    Load(Box<AppState>),
    DismissNotices,
    Tour(Option<usize>),
    ResetLayer,
    Play,
    Pause,
    /// Move by `delta` steps among `n`, wrapping around.
    StepBy {
        delta: isize,
        n: usize,
    },
    /// Jump to step `index` (0-based) among `n`.
    StepTo {
        index: usize,
        n: usize,
    },
    SetSpeed(usize),
    SetScatter(bool),
    /// Follow output channel `c` in the step highlights.
    FollowChannel(usize),
    /// Hovering a cell (ignored while a trace is pinned).
    Hover(Option<CellRef>),
    /// Click or tap: pin the trace on a cell; the same cell again unpins.
    Pin(CellRef),
    SetInputMode(InputMode),
    /// A decoded picture: switches to the image input.
    SetImage(ImageInput),
    /// Values from a host page's message (URL parameter names), parsed like a URL.
    ApplyMessage(Patch),
    /// Back to the generated sample picture.
    ClearImage,
    /// A file that could not be used: say why, keep the previous picture.
    RejectFile {
        name: String,
        reason: FileRefusal,
    },
}

impl AppState {
    /// This state with the values of `patch`, the spec corrected to the nearest valid one, and
    /// one notice per key that was refused or corrected (replacing the previous notices). The
    /// first occurrence of a key counts, as `URLSearchParams.get` has it.
    pub fn with_patch(&self, patch: &Patch) -> AppState {
        let mut state = self.clone();
        if let Some(kind) = patch.layer {
            if kind != state.spec.layer {
                state.spec = LayerSpec::preset(kind);
            }
        }
        for &(param, n) in &patch.params {
            state.spec.set(param, n);
        }
        state.spec.padding = patch.padding.unwrap_or(state.spec.padding);
        state.spec.bias = patch.bias.unwrap_or(state.spec.bias);
        state.lang = patch.lang.unwrap_or(state.lang);
        state.theme = patch.theme.unwrap_or(state.theme);
        state.view = patch.view.unwrap_or(state.view);
        state.lab = patch.lab.unwrap_or(state.lab);
        if let Some(stack) = &patch.stack {
            if *stack != state.stack {
                state.stack_cell = None;
                state.stack_edit = None;
            }
            state.stack = stack.clone();
        }
        state.stack_cell = patch.stack_cell.or(state.stack_cell);
        state.embed = patch.embed.unwrap_or(state.embed);
        state.input = patch.input.unwrap_or(state.input);
        if let Some(origin) = &patch.parent_origin {
            state.parent_origin = Some(origin.clone());
        }
        let mut notices: Vec<Notice> = patch
            .refused
            .iter()
            .map(|(key, value, reason)| Notice::new(key, value, &state.value_text(key), *reason))
            .collect();
        // One line per key: a value already refused (not a number, ...) keeps its line and its
        // reason, with the value finally used.
        let (spec, corrections) = state.spec.corrected(&state.input.limits());
        for c in corrections {
            if let Some(n) = notices.iter_mut().find(|n| n.param == c.param) {
                n.to = c.to;
                continue;
            }
            let from = patch
                .given
                .iter()
                .find(|(p, _)| *p == c.param)
                .map(|(_, v)| v.clone())
                .unwrap_or(c.from);
            notices.push(Notice::new(
                c.param,
                &from,
                &c.to,
                NoticeReason::Corrected(c.reason),
            ));
        }
        state.spec = spec;
        state.tour = None;
        state.notices = notices;
        state
    }

    /// The value a URL key has in this state, as a notice shows it (`—` for none).
    fn value_text(&self, key: &str) -> String {
        let flag = |on: bool| if on { "1" } else { "0" }.to_string();
        if let Some(param) = Param::from_name(key) {
            return match param {
                Param::Padding => self.spec.padding.to_string(),
                Param::Bias => flag(self.spec.bias),
                _ => self.spec.get(param).to_string(),
            };
        }
        match key {
            "layer" => self.spec.layer.name().to_string(),
            "lang" => self.lang.code().to_string(),
            "theme" => self.theme.code().to_string(),
            "embed" => flag(self.embed),
            "input" => self.input.code().to_string(),
            _ => "—".to_string(),
        }
    }

    /// The state after `action`. Controls can only reach valid layers: after every change the
    /// spec is corrected to the nearest valid one (a slider that makes groups invalid moves
    /// groups to the nearest valid value, and so on).
    pub fn reduce(&self, action: Action) -> AppState {
        let changes_layer = action.changes_layer();
        let loads_layer = matches!(action, Action::EditStackLayer(..));
        let mut next = self.clone();
        match action {
            Action::Load(state) => return *state,
            a @ (Action::SetLayer(_)
            | Action::SetParam(..)
            | Action::SetPadding(_)
            | Action::Tour(_)
            | Action::ResetLayer) => next.reduce_layer(a),
            a @ (Action::Play
            | Action::Pause
            | Action::StepBy { .. }
            | Action::StepTo { .. }
            | Action::SetSpeed(_)
            | Action::SetScatter(_)
            | Action::FollowChannel(_)
            | Action::Hover(_)
            | Action::Pin(_)) => next.reduce_animation(a),
            a @ (Action::SetInputMode(_)
            | Action::SetImage(_)
            | Action::ClearImage
            | Action::RejectFile { .. }) => next.reduce_input(a),
            a => next.reduce_page(a),
        }
        // A control moved while a stack's layer is loaded into the controls: the stack takes it.
        if let (Some(edit), false) = (&mut next.stack_edit, loads_layer) {
            edit.changed |= next.spec != self.spec;
        }
        if changes_layer {
            next.anim = Anim {
                speed: self.anim.speed,
                scatter: self.anim.scatter && next.spec.layer == LayerKind::Transposed,
                ..Anim::default()
            };
            next.trace = None;
            next.pinned = false;
        }
        // Grouped layers: when the channel counts change, keep the nearest valid groups.
        next.spec = next.spec.corrected(&next.input.limits()).0;
        next
    }

    /// The layer's type, parameters, padding, a tour stop, a reset. Leaving the tour's figure
    /// leaves the tour.
    fn reduce_layer(&mut self, action: Action) {
        match action {
            Action::SetLayer(kind) => {
                if kind != self.spec.layer {
                    self.spec = LayerSpec::preset(kind);
                }
            }
            Action::SetParam(param, value) => self.set_param(param, value),
            Action::SetPadding(mode) => self.spec.padding = mode,
            Action::Tour(stop) => {
                let stop_spec = stop.and_then(|i| crate::tour::stops().into_iter().nth(i));
                if let Some(stop_spec) = stop_spec {
                    self.spec = stop_spec.spec;
                    self.tour = stop;
                } else {
                    self.tour = None;
                }
                return;
            }
            Action::ResetLayer => self.spec = LayerSpec::preset(self.spec.layer),
            _ => return,
        }
        self.tour = None;
    }

    fn set_param(&mut self, param: Param, value: usize) {
        // A slider only offers values that keep the layer valid: clamp to that range first, so a
        // value arriving out of it (a fast drag, a stale event) moves only this parameter and
        // never a neighbour.
        let value = if param == Param::Bias {
            value
        } else {
            let (lo, hi) = self.spec.range(param, &self.input.limits());
            value.clamp(lo, hi)
        };
        // A depthwise layer keeps its multiplier when the channel count changes.
        let mult = (self.spec.out_channels / self.spec.in_channels.max(1)).max(1);
        self.spec.set(param, value);
        if param == Param::InChannels && self.spec.layer == LayerKind::Depthwise {
            self.spec.out_channels = value.saturating_mul(mult);
        }
        // Leaving bilinear leaves align_corners too (it means nothing for nearest).
        if param == Param::Mode && self.spec.upsample_mode != conv_core::UpsampleMode::Bilinear {
            self.spec.align_corners = false;
        }
    }

    /// Playing, stepping, speed, the scatter view, the channel followed, and the traced cell.
    fn reduce_animation(&mut self, action: Action) {
        let anim = &mut self.anim;
        match action {
            Action::Play => {
                anim.playing = true;
                self.trace = None;
                self.pinned = false;
            }
            Action::Pause => anim.playing = false,
            Action::StepBy { delta, n } if n > 0 => {
                let current = anim.step.map_or(-1, |s| s as isize);
                anim.step = Some((current + delta).rem_euclid(n as isize) as usize);
            }
            Action::StepTo { index, n } => anim.step = (n > 0).then(|| index.min(n - 1)),
            Action::SetSpeed(v) => anim.speed = v.clamp(1, 20),
            Action::SetScatter(on) => {
                anim.scatter = on;
                anim.step = None;
            }
            Action::FollowChannel(c) => anim.channel = c,
            Action::Hover(cell) if !self.pinned => self.trace = cell,
            Action::Pin(cell) => {
                if self.pinned && self.trace == Some(cell) {
                    self.pinned = false;
                    self.trace = None;
                } else {
                    self.pinned = true;
                    self.trace = Some(cell);
                }
            }
            // Stepping among no steps, hovering while pinned: nothing changes.
            _ => {}
        }
    }

    /// The input: grid or picture, the reader's picture, a refused file.
    fn reduce_input(&mut self, action: Action) {
        match action {
            Action::SetInputMode(mode) => self.set_input_mode(mode),
            Action::SetImage(img) => {
                self.notices.retain(|n| n.param != "file");
                if self.input != InputMode::Image {
                    *self = self.reduce(Action::SetInputMode(InputMode::Image));
                }
                // A picture needs some pixels: at least 64 rows unless the reader chose 16 or more.
                if self.spec.height < 16 {
                    self.spec.height = 64;
                }
                // Keep the picture's proportions within the current height.
                let h = self.spec.height.max(1);
                self.spec.width = (img.width * h / img.height.max(1))
                    .clamp(1, InputMode::Image.limits().max_size);
                self.image = Some(img);
            }
            Action::ClearImage => self.image = None,
            Action::RejectFile { name, reason } => {
                self.notices.retain(|n| n.param != "file");
                self.notices
                    .push(Notice::new("file", &name, "—", NoticeReason::File(reason)));
            }
            _ => {}
        }
    }

    fn set_input_mode(&mut self, mode: InputMode) {
        if mode == self.input {
            return;
        }
        self.input = mode;
        // A picture wants more pixels than the grid of numbers, and its colours.
        let (size, channels) = match mode {
            InputMode::Image => (64, 3),
            InputMode::Grid => (
                LayerSpec::preset(self.spec.layer).height,
                LayerSpec::preset(self.spec.layer).in_channels,
            ),
        };
        self.spec.height = size;
        self.spec.width = size;
        if self.spec.layer != LayerKind::Grouped {
            self.spec.in_channels = channels;
        }
    }

    /// The page's options, the generated input and weights, notices, a host page's message.
    fn reduce_page(&mut self, action: Action) {
        match action {
            Action::SetLang(lang) => self.lang = lang,
            Action::SetTheme(theme) => self.theme = theme,
            Action::SetView(view) => self.view = view,
            Action::SetLab(lab) => self.lab = lab,
            Action::SetStack(stack) => {
                self.stack = stack;
                self.lab = Lab::Stack;
                self.stack_cell = None;
                self.stack_edit = None;
            }
            Action::ReshapeStack(stack, cell) => {
                self.stack = stack;
                self.stack_cell = cell;
                self.stack_edit = None;
            }
            Action::StackWritten(stack) => self.stack = stack,
            Action::StepStackCell { drawn, key } => {
                if let Some(cell) = crate::stack_pick::step(drawn, self.stack_cell, &key) {
                    self.reduce_page(Action::PickStackCell(cell));
                }
            }
            Action::PickStackCell(cell) => {
                if self.stack_edit.is_some_and(|e| e.layer != cell[0]) {
                    self.stack_edit = None;
                }
                self.stack_cell = Some(cell);
            }
            Action::EditStackLayer(layer, patch) => {
                self.reduce_page(Action::ApplyMessage(patch));
                self.stack_edit = Some(StackEdit {
                    layer,
                    changed: false,
                });
            }
            Action::EndStackEdit => self.stack_edit = None,
            Action::SetKernel(k) => self.kernel = k,
            Action::SetPattern(p) => self.pattern = p,
            Action::Reseed => {
                self.seed = self
                    .seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407)
                    % 1_000_000
            }
            Action::DismissNotices => self.notices.clear(),
            Action::ApplyMessage(mut patch) => {
                // A host may not change whom the page listens to.
                patch.parent_origin = None;
                patch.refused.retain(|(key, ..)| key != "parent_origin");
                let before = self.spec.clone();
                let speed = self.anim.speed;
                *self = self.with_patch(&patch);
                if self.spec != before {
                    self.anim = Anim {
                        speed,
                        ..Anim::default()
                    };
                    self.trace = None;
                    self.pinned = false;
                }
            }
            _ => {}
        }
    }
}

impl Action {
    /// Whether the action may change the layer or its input: the animation and the trace start
    /// over.
    fn changes_layer(&self) -> bool {
        matches!(
            self,
            Action::SetLayer(_)
                | Action::SetParam(..)
                | Action::SetPadding(_)
                | Action::Load(_)
                | Action::Tour(_)
                | Action::ResetLayer
                | Action::SetPattern(_)
                | Action::SetKernel(_)
                | Action::Reseed
                | Action::SetInputMode(_)
                | Action::SetImage(_)
                | Action::ClearImage
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use conv_core::Budget;

    #[test]
    fn keys_reduced_before_the_next_drawing_each_move_the_cell() {
        // The drawing shows layer 10's centre of 15 layers; three Page Ups and a right arrow
        // arrive before the next drawing: each moves on from the one before.
        let drawn = [10, 32, 32, 64, 64, 15];
        let key = |k: &str| Action::StepStackCell {
            drawn,
            key: k.into(),
        };
        let s = ["PageUp", "PageUp", "PageUp", "ArrowRight", "Enter"]
            .iter()
            .fold(AppState::default(), |s, k| s.reduce(key(k)));
        assert_eq!(s.stack_cell, Some([7, 32, 33]));
    }

    #[test]
    fn every_action_leaves_a_valid_spec() {
        let mut s = AppState::default();
        let actions = [
            Action::SetLayer(LayerKind::Grouped),
            Action::SetParam(Param::InChannels, 6),
            Action::SetParam(Param::Groups, 4),
            Action::SetParam(Param::OutChannels, 9),
            Action::SetParam(Param::KernelSize, 11),
            Action::SetParam(Param::Height, 2),
            Action::SetLayer(LayerKind::Transposed),
            Action::SetParam(Param::OutputPadding, 3),
            Action::SetParam(Param::Stride, 1),
            Action::SetLayer(LayerKind::Depthwise),
            Action::SetParam(Param::InChannels, 5),
            Action::SetParam(Param::OutChannels, 7),
            Action::SetPadding(PaddingSpec::Same),
        ];
        for a in actions {
            s = s.reduce(a.clone());
            assert!(
                s.spec.shapes(&Budget::PLAYGROUND).is_ok(),
                "after {a:?}: {:?}",
                s.spec
            );
        }
        assert_eq!(s.spec.out_channels % s.spec.in_channels, 0);
    }

    #[test]
    fn dragging_a_size_below_the_kernel_does_not_shrink_the_kernel() {
        let s = AppState::default()
            .reduce(Action::SetParam(Param::Height, 1))
            .reduce(Action::SetParam(Param::Height, 23));
        assert_eq!((s.spec.height, s.spec.kernel_size), (23, 3));
        let low = AppState::default().reduce(Action::SetParam(Param::Height, 1));
        assert_eq!(low.spec.height, 3, "the smallest height a 3×3 kernel fits");
        let (lo, _) = low.spec.range(Param::Height, &conv_core::Limits::GRID);
        assert_eq!(lo, 3);
    }

    #[test]
    fn groups_move_to_the_nearest_valid_value() {
        let s = AppState::default().reduce(Action::SetLayer(LayerKind::Grouped));
        assert_eq!(s.spec.groups, 2);
        let s = s.reduce(Action::SetParam(Param::InChannels, 6));
        // 6 and 8 share 1 and 2.
        assert_eq!(s.spec.groups, 2);
        let s = s.reduce(Action::SetParam(Param::Groups, 3));
        assert_eq!(s.spec.groups, 2, "3 does not divide 8: nearest valid is 2");
    }

    #[test]
    fn depthwise_keeps_its_multiplier() {
        let s = AppState::default().reduce(Action::SetLayer(LayerKind::Depthwise));
        let s = s.reduce(Action::SetParam(Param::OutChannels, 6));
        assert_eq!(s.spec.out_channels, 6);
        let s = s.reduce(Action::SetParam(Param::InChannels, 4));
        assert_eq!(s.spec.out_channels, 8);
    }

    #[test]
    fn tour_loads_the_figure_and_leaving_it_clears_it() {
        let s = AppState::default().reduce(Action::Tour(Some(9)));
        assert_eq!(s.spec.layer, LayerKind::Grouped);
        assert_eq!(s.tour, Some(9));
        let s = s.reduce(Action::SetParam(Param::KernelSize, 5));
        assert_eq!(s.tour, None);
        assert_eq!(
            AppState::default().reduce(Action::Tour(Some(99))).tour,
            None
        );
    }

    #[test]
    fn steps_wrap_and_layer_changes_reset_the_animation() {
        let s = AppState::default().reduce(Action::StepBy { delta: 1, n: 9 });
        assert_eq!(s.anim.step, Some(0));
        let s = s.reduce(Action::StepBy { delta: -1, n: 9 });
        assert_eq!(s.anim.step, Some(8));
        let s = s.reduce(Action::StepBy { delta: 1, n: 9 });
        assert_eq!(s.anim.step, Some(0));
        let s = s
            .reduce(Action::StepTo { index: 99, n: 9 })
            .reduce(Action::Play);
        assert_eq!((s.anim.step, s.anim.playing), (Some(8), true));
        let s = s.reduce(Action::SetParam(Param::KernelSize, 5));
        assert_eq!((s.anim.step, s.anim.playing), (None, false));
    }

    #[test]
    fn pinning_holds_the_trace_against_hover() {
        let a = CellRef {
            stage: 0,
            channel: 0,
            y: 1,
            x: 1,
        };
        let b = CellRef {
            stage: 0,
            channel: 0,
            y: 2,
            x: 2,
        };
        let s = AppState::default()
            .reduce(Action::Pin(a))
            .reduce(Action::Hover(Some(b)));
        assert_eq!(s.trace, Some(a));
        let s = s.reduce(Action::Pin(a)).reduce(Action::Hover(Some(b)));
        assert_eq!(s.trace, Some(b));
    }

    #[test]
    fn images_switch_the_input_and_bad_files_keep_the_last_picture() {
        let img = ImageInput {
            id: 7,
            name: "cat.png".into(),
            width: 200,
            height: 100,
            rgba: std::rc::Rc::new(vec![0; 200 * 100 * 4]),
        };
        let s = AppState::default().reduce(Action::SetImage(img.clone()));
        assert_eq!(s.input, InputMode::Image);
        assert_eq!((s.spec.height, s.spec.width), (64, 128));
        let s = s.reduce(Action::RejectFile {
            name: "notes.txt".into(),
            reason: FileRefusal::NotAnImage,
        });
        assert_eq!(s.image.as_ref().map(|i| i.id), Some(7));
        assert_eq!(s.notices.len(), 1);
        let s = s.reduce(Action::SetImage(ImageInput { id: 8, ..img }));
        assert!(s.notices.is_empty());
        assert!(s.spec.shapes(&conv_core::Budget::PLAYGROUND).is_ok());
    }

    #[test]
    fn notices_are_cut_to_length() {
        let n = Notice::new("x", &"<script>".repeat(20), "1", NoticeReason::Invalid);
        assert!(n.from.chars().count() <= 41);
    }

    /// A state in the middle of an animation, on a cell trace: what a change must reset or keep.
    fn mid_animation() -> AppState {
        AppState::default()
            .reduce(Action::SetSpeed(7))
            .reduce(Action::StepTo { index: 3, n: 9 })
            .reduce(Action::FollowChannel(2))
            .reduce(Action::Play)
            .reduce(Action::Hover(Some(CellRef {
                stage: 0,
                channel: 0,
                y: 1,
                x: 1,
            })))
    }

    #[test]
    fn kernel_and_pattern_are_set_and_the_animation_starts_over() {
        let before = mid_animation();
        let s = before.reduce(Action::SetKernel(KernelPreset::SobelX));
        assert_eq!(s.kernel, KernelPreset::SobelX);
        let s = s.reduce(Action::SetPattern(InputPattern::Checkerboard));
        assert_eq!(s.pattern, InputPattern::Checkerboard);
        assert_eq!(s.spec, before.spec, "the layer stays");
        assert_eq!((s.anim.step, s.anim.playing, s.trace), (None, false, None));
        assert_eq!(s.anim.speed, 7, "the reader's speed stays");
    }

    #[test]
    fn reseeding_draws_another_seed_the_same_way_every_time() {
        let a = AppState::default().reduce(Action::Reseed);
        assert_eq!(a.seed, 756_412);
        assert_eq!(AppState::default().reduce(Action::Reseed).seed, a.seed);
        let b = a.reduce(Action::Reseed);
        assert!(b.seed != a.seed && b.seed < 1_000_000);
        assert_eq!(mid_animation().reduce(Action::Reseed).anim.step, None);
    }

    #[test]
    fn the_view_changes_nothing_else() {
        let before = mid_animation();
        assert_eq!(before.view, View::Volume, "volumes by default");
        let s = before.reduce(Action::SetView(View::Channels));
        assert_eq!(
            s,
            AppState {
                view: View::Channels,
                ..before.clone()
            }
        );
    }

    #[test]
    fn the_theme_changes_nothing_else() {
        let before = mid_animation();
        let s = before.reduce(Action::SetTheme(Theme::Dark));
        assert_eq!(
            s,
            AppState {
                theme: Theme::Dark,
                ..before.clone()
            }
        );
        assert_eq!(s.reduce(Action::SetTheme(Theme::Auto)).theme, Theme::Auto);
    }

    #[test]
    fn the_speed_stays_between_1_and_20_and_survives_a_layer_change() {
        let speed = |v| AppState::default().reduce(Action::SetSpeed(v)).anim.speed;
        assert_eq!(
            (speed(0), speed(1), speed(13), speed(20), speed(99)),
            (1, 1, 13, 20, 20)
        );
        let s = AppState::default()
            .reduce(Action::SetSpeed(13))
            .reduce(Action::SetLayer(LayerKind::Dilated));
        assert_eq!(s.anim.speed, 13);
    }

    #[test]
    fn following_a_channel_keeps_the_step_until_the_layer_changes() {
        let s = mid_animation().reduce(Action::FollowChannel(5));
        assert_eq!((s.anim.channel, s.anim.step), (5, Some(3)));
        let s = s.reduce(Action::SetParam(Param::KernelSize, 5));
        assert_eq!(s.anim.channel, 0);
    }

    #[test]
    fn pause_and_the_scatter_view() {
        let s = mid_animation().reduce(Action::Pause);
        assert_eq!((s.anim.playing, s.anim.step), (false, Some(3)));
        let s = s.reduce(Action::SetScatter(true));
        assert_eq!((s.anim.scatter, s.anim.step), (true, None));
    }

    #[test]
    fn reset_layer_restores_the_preset_of_the_same_type_and_leaves_the_tour() {
        let s = AppState::default()
            .reduce(Action::SetLayer(LayerKind::Grouped))
            .reduce(Action::SetParam(Param::KernelSize, 5))
            .reduce(Action::SetParam(Param::Stride, 2))
            .reduce(Action::ResetLayer);
        assert_eq!(s.spec, LayerSpec::preset(LayerKind::Grouped));
        let s = AppState::default()
            .reduce(Action::Tour(Some(9)))
            .reduce(Action::ResetLayer);
        assert_eq!(s.tour, None);
        assert_eq!(s.spec, LayerSpec::preset(s.spec.layer));
    }

    #[test]
    fn dismissing_clears_every_notice_and_nothing_else() {
        let s = AppState::default()
            .reduce(Action::RejectFile {
                name: "a.txt".into(),
                reason: FileRefusal::Empty,
            })
            .reduce(Action::StepTo { index: 2, n: 9 });
        assert_eq!(s.notices.len(), 1);
        let d = s.reduce(Action::DismissNotices);
        assert_eq!(
            d,
            AppState {
                notices: Vec::new(),
                ..s
            }
        );
    }

    #[test]
    fn clearing_the_picture_keeps_the_image_input_with_the_sample() {
        let img = ImageInput {
            id: 3,
            name: "dog.png".into(),
            width: 64,
            height: 64,
            rgba: std::rc::Rc::new(vec![0; 64 * 64 * 4]),
        };
        let s = AppState::default()
            .reduce(Action::SetImage(img))
            .reduce(Action::StepTo { index: 2, n: 9 })
            .reduce(Action::ClearImage);
        assert_eq!(
            (s.image.as_ref().map(|i| i.id), s.input),
            (None, InputMode::Image)
        );
        assert_eq!(
            s.anim.step, None,
            "another picture: the animation starts over"
        );
    }

    #[test]
    fn load_replaces_the_whole_state_as_given() {
        let loaded = AppState {
            lang: Lang::Zh,
            seed: 42,
            kernel: KernelPreset::Gaussian,
            notices: vec![Notice::new("x", "1", "—", NoticeReason::UnknownKey)],
            ..mid_animation()
        };
        let s = AppState::default().reduce(Action::Load(Box::new(loaded.clone())));
        assert_eq!(s, loaded);
        assert!(s.anim.playing && s.trace.is_some(), "nothing is reset");
    }
}
