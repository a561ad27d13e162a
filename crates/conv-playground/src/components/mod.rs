//! The page's components. Each reads the [`crate::context::AppContext`] and stays small.

mod code;
mod controls;
pub(crate) mod figure;
mod insights;
mod lab;
mod notices;
mod player;
mod share;
mod slider;
mod stack;
mod stats;
mod tour;

pub use code::CodePanel;
pub use controls::{Controls, LayerPicker, ParamDrawer};
pub use figure::{Figure, Legend};
pub use insights::Insights;
pub use lab::LabPanel;
pub use notices::Notices;
pub use player::{Player, TraceLine, ViewSwitch};
pub use share::ShareBar;
pub use slider::Slider;
pub use stats::{Comparison, Formulas, Stats};
pub use tour::TourBar;
