#!/usr/bin/env bash
# `make bench`: conv-core built for the browser (release, wasm SIMD) against tfjs-wasm and
# onnxruntime-web in headless Chromium; slider latency; first-load bytes. Writes
# target/bench/browser.json. BENCH_NATIVE=1 also runs the native criterion benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

echo "[bench] building conv-core for the browser (wasm SIMD, opt-level 3)"
RUSTFLAGS="-C target-feature=+simd128" CARGO_TARGET_DIR=target/bench-wasm \
  cargo build -p conv-bench --target wasm32-unknown-unknown --profile wasm-bench
wasm-bindgen --target web --out-dir target/bench/pkg \
  target/bench-wasm/wasm32-unknown-unknown/wasm-bench/conv_bench.wasm

echo "[bench] anchors from npm (pinned in bench/package-lock.json)"
if [ ! -d bench/node_modules/onnxruntime-web ] || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; then
  (cd bench && npm ci --no-audit --no-fund)
fi

echo "[bench] release build of the playground, served by the bench under /app/"
trunk build --release --public-url /app/ --dist target/bench/app

node bench/run.mjs

if [ "${BENCH_NATIVE:-0}" = "1" ]; then
  cargo bench -p conv-core --bench conv
fi
