//! The animated-GIF export's Web Worker: a second wasm module that trunk builds beside the page
//! (`index.html`, `data-type="worker"`) and the page starts when a reader exports a GIF
//! (`src/worker.rs`, `src/gif_job.rs`). Natively it does nothing.

fn main() {
    #[cfg(target_arch = "wasm32")]
    conv_playground::serve_gif_jobs();
}
