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

# CPU seconds used so far by the processes this script has waited for (user + system), from the
# `times` builtin (run in this shell, not a subshell, which would not see them), into $cpu_now.
# Beside the wall time it shows what a stage costs when the machine is shared with others.
times_file=$(mktemp)
cpu_now=0
cpu_seconds() {
  times >"$times_file"
  cpu_now=$(children_cpu "$times_file")
}
# The children's user + system seconds in the output of `times`.
children_cpu() {
  awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%d", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$1"
}

stage() {
  local name="$1"
  shift
  printf '\n=== %s ===\n' "$name"
  local start=$SECONDS rc=0 cpu
  cpu_seconds
  cpu=$cpu_now
  "$@" || rc=$?
  cpu_seconds
  record "$name" "$rc" "$((SECONDS - start)) s, CPU $((cpu_now - cpu)) s"
}

# `record NAME RC TOOK`: counts a finished stage and lists it; a failed one ends the run.
record() {
  if [ "$2" -eq 0 ]; then
    passed=$((passed + 1))
    results+=("ok    $1 ($3)")
  else
    failed=$((failed + 1))
    results+=("FAIL  $1 ($3)")
    summary
    exit 1
  fi
}

summary() {
  printf '\n=== summary ===\n'
  printf '%s\n' "${results[@]}"
  printf 'stages: %d passed, %d failed\n' "$passed" "$failed"
}

# A stage run while the next stages run (builds with phases on one core leave the other free):
# `start_background NAME CMD...` starts it, `join_background NAME` waits for it, shows its output
# and counts it like any other stage, with its own wall and CPU time. It runs in a session of its
# own, not as a child of this shell, so that its CPU time is not counted in the stage during which
# it ends; it is stopped if a stage fails first.
declare -A bg_dir bg_start
trap 'for d in "${bg_dir[@]}"; do [ -f "$d/pid" ] && kill -- "-$(cat "$d/pid")" 2>/dev/null; rm -rf "$d"; done; rm -f "$times_file"' EXIT
start_background() {
  local name="$1"
  shift
  printf '\n=== %s (started, runs beside the next stages) ===\n' "$name"
  bg_dir[$name]=$(mktemp -d)
  bg_start[$name]=$SECONDS
  local d="${bg_dir[$name]}"
  (setsid bash -c '"$@"; rc=$?; times >"$0/times"; echo "$rc" >"$0/rc"' "$d" "$@" >"$d/log" 2>&1 &
    echo $! >"$d/pid")
}
join_background() {
  local name="$1"
  local d="${bg_dir[$name]}"
  printf '\n=== %s ===\n' "$name"
  while [ ! -f "$d/rc" ]; do sleep 1; done
  cat "$d/log"
  local rc cpu
  rc=$(cat "$d/rc")
  cpu=$(children_cpu "$d/times")
  rm -rf "$d"
  unset "bg_dir[$name]"
  record "$name" "$rc" "$((SECONDS - bg_start[$name])) s, CPU $cpu s, beside other stages"
}

stage "cargo fmt --check" cargo fmt --all -- --check
stage "module graph: no import cycles" python3 scripts/module-graph.py
# The workspace's own crates are compiled by clippy-driver (scripts/clippy-rustc), so each build
# run through `lint` is also the lint of what it compiles, warnings denied, instead of a separate
# `cargo clippy` pass that compiles everything again. Together they cover what
# `cargo clippy --all-targets` did: native (every crate and target, benches included), wasm32 as
# shipped (the component tests' build) and wasm32 with the test hooks (the sub-path build).
lint() {
  RUSTC_WORKSPACE_WRAPPER="$PWD/scripts/clippy-rustc" "$@"
}
native_tests() {
  lint cargo test --workspace && lint cargo test --workspace --benches --no-run
}
stage "cargo test (native; linted by clippy)" native_tests
# The code panel's snippets, run: every PyTorch and Keras snippet of a sweep of settings on the
# page's input and weights, compared with conv-core's output, and every note checked. The cases
# come from the example `cargo test --workspace` has just built (`cargo run -p conv-playground`
# would build it again: other features of the dev-dependencies); the checks (one core, about a
# minute) run beside the wasm builds below.
snippet_cases() {
  local exe
  exe=$(lint cargo test --workspace --no-run --message-format=json | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "snippet_cases" and m.get("executable"):
        print(m["executable"])') || return 1
  [ -x "$exe" ] || { echo "no snippet_cases example in the test build" >&2; return 1; }
  mkdir -p target && "$exe" >target/snippet-cases.json
}
stage "snippet cases written" snippet_cases
start_background "snippets run in PyTorch and Keras" \
  "${SNIPPETS_VENV:-$HOME/.cache/conv-playground/snippets-venv}/bin/python" tests/snippets/check.py target/snippet-cases.json
# Beside the release builds, whose linking, optimisation and wasm-opt run on one core: conv-core
# on its own (its own features, not those the front end adds) compiles for wasm32 (a check: for a
# library it fails exactly where a build would), then the component tests (a debug build,
# linted).
wasm_tests() {
  cargo check -p conv-core --target wasm32-unknown-unknown \
    && lint cargo test -p conv-playground --target wasm32-unknown-unknown \
    && simd_tests
}
# conv-core's wasm SIMD kernel (src/simd.rs; every wasm build has +simd128, .cargo/config.toml)
# against the naive reference, under wasm-bindgen-test (in Node); linted.
simd_tests() {
  lint cargo test -p conv-core --target wasm32-unknown-unknown --test simd
}
# (The background stage runs in a new shell: it sees exported functions only.)
export -f lint wasm_tests simd_tests
start_background "conv-core for wasm32; wasm-bindgen-test (headless Chromium)" wasm_tests
stage "trunk build --release" trunk build --release
# The tests' own build: under a sub-path, and with the test hooks (feature test-hooks: the panic
# trigger), which the shipped build above does not carry; linted.
stage "trunk build --release (sub-path /some/path/, test hooks; linted)" \
  lint trunk build --release --features test-hooks --public-url /some/path/ --dist target/dist-subpath
join_background "conv-core for wasm32; wasm-bindgen-test (headless Chromium)"
join_background "snippets run in PyTorch and Keras"
export SUBPATH_DIST="$PWD/target/dist-subpath"
# Two test files at a time (each its own browser); the files are independent of each other.
stage "end-to-end (Playwright, Chromium)" node --test --test-concurrency=2 tests/*.test.mjs
summary
