//! Small types shared by the state, the URL, the notices and the components. A leaf: it imports
//! nothing from the rest of the crate, so any module may use it.

use conv_core::{CorrectionReason, Limits};
use serde::{Deserialize, Serialize};

/// What feeds the layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum InputMode {
    /// A small grid of numbers.
    #[default]
    Grid,
    /// A real image (pixels scaled to the slider size).
    Image,
}

impl InputMode {
    pub const fn code(self) -> &'static str {
        match self {
            InputMode::Grid => "grid",
            InputMode::Image => "image",
        }
    }

    /// The mode a URL names (`grid`, `image`).
    pub fn from_code(code: &str) -> Option<InputMode> {
        [InputMode::Grid, InputMode::Image]
            .into_iter()
            .find(|m| m.code() == code)
    }

    pub const fn limits(self) -> Limits {
        match self {
            InputMode::Grid => Limits::GRID,
            InputMode::Image => Limits::IMAGE,
        }
    }
}

/// How the figure draws tensors: as volumes (W×H×C blocks, kernels as boxes, the default) or as
/// one grid per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum View {
    #[default]
    Volume,
    Channels,
}

impl View {
    pub const ALL: [View; 2] = [View::Volume, View::Channels];

    /// The name in URLs and messages (`volume`, `channels`).
    pub const fn code(self) -> &'static str {
        match self {
            View::Volume => "volume",
            View::Channels => "channels",
        }
    }

    pub fn from_code(code: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.code() == code)
    }
}

/// The lab below the figure (`lab=…`): none, the four ways to grow a map side by side, the
/// backward pass of the layer (`lab.rs`), or a stack of layers (`stack_view.rs`, `stack=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Lab {
    #[default]
    Off,
    Grow,
    Backward,
    Stack,
}

impl Lab {
    pub const ALL: [Lab; 4] = [Lab::Off, Lab::Grow, Lab::Backward, Lab::Stack];

    /// The name in URLs and messages (`off`, `grow`, `backward`).
    pub const fn code(self) -> &'static str {
        match self {
            Lab::Off => "off",
            Lab::Grow => "grow",
            Lab::Backward => "backward",
            Lab::Stack => "stack",
        }
    }

    pub fn from_code(code: &str) -> Option<Lab> {
        Lab::ALL.into_iter().find(|v| v.code() == code)
    }
}

/// Colour theme; `Auto` follows `prefers-color-scheme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Theme {
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub const fn code(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The theme a URL names (`auto`, `light`, `dark`).
    pub fn from_code(code: &str) -> Option<Theme> {
        [Theme::Auto, Theme::Light, Theme::Dark]
            .into_iter()
            .find(|t| t.code() == code)
    }
}

/// A picture the reader uploaded, decoded and downscaled in the browser (it never leaves the
/// page). Compared and hashed by `id` only: the pixels are large and never change.
#[derive(Debug, Clone)]
pub struct ImageInput {
    pub id: u64,
    pub name: String,
    pub width: usize,
    pub height: usize,
    pub rgba: std::rc::Rc<Vec<u8>>,
}

impl PartialEq for ImageInput {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for ImageInput {}

impl std::hash::Hash for ImageInput {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

/// A value that arrived from outside and was corrected, for the `role="alert"` notice. The reason
/// stays typed: it is worded when shown, in the page's language then (`notice::notice_line`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Notice {
    pub param: String,
    pub from: String,
    pub to: String,
    pub reason: NoticeReason,
}

impl Notice {
    /// A notice with every field cut to a readable length (values come from anyone's URL).
    pub fn new(param: &str, from: &str, to: &str, reason: NoticeReason) -> Notice {
        fn cut(s: &str) -> String {
            let mut out: String = s.chars().filter(|c| !c.is_control()).take(40).collect();
            if s.chars().count() > 40 {
                out.push('…');
            }
            out
        }
        Notice {
            param: cut(param),
            from: cut(from),
            to: cut(to),
            reason,
        }
    }
}

/// Why a notice was raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoticeReason {
    /// The layer's values were repaired by conv-core.
    Corrected(CorrectionReason),
    /// A count was expected.
    NotANumber,
    /// Not one of the values the key takes.
    Invalid,
    /// A key the page does not know: ignored.
    UnknownKey,
    /// A file the reader chose that could not be used.
    File(FileRefusal),
}

/// Why an uploaded file was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FileRefusal {
    /// Larger than `max_mb` megabytes.
    TooLarge { max_mb: u32 },
    /// No bytes at all.
    Empty,
    /// Not an image format the browser decodes.
    NotAnImage,
    /// Decoded, but the browser would not draw or read its pixels.
    Unreadable,
}
