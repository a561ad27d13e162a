//! The page entry: renders the app from `lib.rs`.

fn main() {
    #[cfg(target_arch = "wasm32")]
    conv_playground::start();
}
