#!/usr/bin/env bash
# Every test of the project, in order; stops at the first failing stage and ends with a summary
# line. Called by `make test` (after scripts/setup.sh) and by CI.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver
export CARGO_TERM_COLOR=never

passed=0
failed=0
results=()

stage() {
  local name="$1"
  shift
  printf '\n=== %s ===\n' "$name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    results+=("ok    $name ($((SECONDS - start)) s)")
  else
    failed=$((failed + 1))
    results+=("FAIL  $name ($((SECONDS - start)) s)")
    summary
    exit 1
  fi
}

summary() {
  printf '\n=== summary ===\n'
  printf '%s\n' "${results[@]}"
  printf 'stages: %d passed, %d failed\n' "$passed" "$failed"
}

stage "cargo fmt --check" cargo fmt --all -- --check
stage "module graph: no import cycles" python3 scripts/module-graph.py
stage "clippy (native)" cargo clippy --workspace --all-targets -- -D warnings
# The wasm code as shipped, and with the tests' hooks (feature test-hooks) compiled in.
clippy_wasm32() {
  cargo clippy -p conv-playground --target wasm32-unknown-unknown --all-targets -- -D warnings \
    && cargo clippy -p conv-playground --target wasm32-unknown-unknown --all-targets --features test-hooks -- -D warnings
}
stage "clippy (wasm32; as shipped and with test hooks)" clippy_wasm32
stage "cargo test (native)" cargo test --workspace
# The code panel's snippets, run: every PyTorch and Keras snippet of a sweep of settings on the
# page's input and weights, compared with conv-core's output, and every note checked.
check_snippets() {
  mkdir -p target \
    && cargo run -q -p conv-playground --example snippet_cases >target/snippet-cases.json \
    && "${SNIPPETS_VENV:-$HOME/.cache/conv-playground/snippets-venv}/bin/python" tests/snippets/check.py target/snippet-cases.json
}
stage "snippets run in PyTorch and Keras" check_snippets
stage "conv-core builds for wasm32" cargo build -p conv-core --target wasm32-unknown-unknown
stage "wasm-bindgen-test (headless Chromium)" cargo test -p conv-playground --target wasm32-unknown-unknown
stage "trunk build --release" trunk build --release
# The tests' own build: under a sub-path, and with the test hooks (feature test-hooks: the panic
# trigger), which the shipped build above does not carry.
stage "trunk build --release (sub-path /some/path/, test hooks)" \
  trunk build --release --features test-hooks --public-url /some/path/ --dist target/dist-subpath
export SUBPATH_DIST="$PWD/target/dist-subpath"
stage "end-to-end (Playwright, Chromium)" node --test --test-concurrency=1 tests/*.test.mjs
summary
