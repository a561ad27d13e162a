//! # conv-playground
//!
//! The Yew front end of Conv Playground. The pure parts (state and reducer, URL parsing, i18n,
//! the scene built from conv-core, the tour) compile and are tested natively; the components
//! and the canvas drawing exist only for `wasm32`.

pub mod channels;
pub mod display;
pub mod export;
pub mod fixed;
pub mod gif_job;
pub mod i18n;
pub mod jobs;
pub mod lab;
pub mod layout;
pub mod notice;
pub mod palette;
pub mod pipeline;
pub mod scene;
pub mod sequential;
pub mod snippets;
pub mod stack_pick;
pub mod stack_view;
pub mod state;
pub mod tour;
pub mod trace;
pub mod types;
pub mod url;
pub mod volume;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
mod context;
#[cfg(target_arch = "wasm32")]
mod dom;
#[cfg(target_arch = "wasm32")]
mod draw;
#[cfg(target_arch = "wasm32")]
mod host;
#[cfg(target_arch = "wasm32")]
mod scene_worker;
#[cfg(target_arch = "wasm32")]
mod worker;

/// Talc instead of the standard library's dlmalloc: the same `GlobalAlloc`, less code in the
/// first load and faster allocation (the page and its worker are single-threaded).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The GIF export worker's entry (`src/bin/gif-worker.rs`).
#[cfg(target_arch = "wasm32")]
pub use worker::serve as serve_gif_jobs;

#[cfg(target_arch = "wasm32")]
pub use app::{start, App};
