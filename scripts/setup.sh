#!/usr/bin/env bash
# Installs every tool the build and the tests need, each only when the right version is missing:
# the wasm32 target, trunk, the wasm-bindgen CLI (the version in Cargo.lock), wasm-opt and the
# browser driver from npm, Debian's Chromium and ChromeDriver, PyTorch and Keras from PyPI for the
# snippet checks. Offline apart from the package registries; nothing downloads a binary of its own.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

log() { printf '[setup] %s\n' "$*"; }

# Rust: target and components.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for comp in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$comp"; then
    log "adding $comp"
    rustup component add "$comp"
  fi
done

# The wasm-bindgen CLI must equal the crate version resolved in Cargo.lock.
if [ ! -f Cargo.lock ]; then
  cargo generate-lockfile
fi
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if [ -z "$WB_VERSION" ]; then
  echo "[setup] cannot find the wasm-bindgen version in Cargo.lock" >&2
  exit 1
fi

if [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
  log "installing trunk $TRUNK_VERSION (takes a few minutes once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WB_VERSION" ] \
  || ! command -v wasm-bindgen-test-runner >/dev/null; then
  log "installing wasm-bindgen-cli $WB_VERSION"
  # No --locked: its lock file pins a crate release the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
fi

# wasm-opt (binaryen), playwright-core, axe-core and terser (minifies the JS glue of release
# builds) from npm, as pinned in package-lock.json.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/axe-core ] \
  || [ ! -d node_modules/terser ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund
fi

# Debian's Chromium and ChromeDriver for the browser tests, and CJK fonts so that the Chinese
# page renders in headless screenshots.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then
  log "installing chromium, chromium-driver and fonts-noto-cjk"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium chromium-driver fonts-noto-cjk
fi

# PyTorch and Keras 3 (JAX, CPU) for the snippet checks, pinned in tests/snippets/requirements.txt,
# in a virtual environment of this machine's (shared by every checkout, so a fresh clone does not
# install it again); installed again only when that file changes. About 5 GB once: PyPI's torch
# wheel brings the CUDA libraries.
SNIPPETS_VENV="${SNIPPETS_VENV:-$HOME/.cache/conv-playground/snippets-venv}"
mkdir -p "$(dirname "$SNIPPETS_VENV")"
if ! cmp -s tests/snippets/requirements.txt "$SNIPPETS_VENV/requirements.txt"; then
  log "installing PyTorch and Keras for the snippet checks (a few minutes once)"
  python3 -m venv "$SNIPPETS_VENV"
  "$SNIPPETS_VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    -r tests/snippets/requirements.txt
  cp tests/snippets/requirements.txt "$SNIPPETS_VENV/requirements.txt"
fi

log "ready: $(trunk --version), $(wasm-bindgen --version), wasm-opt $(wasm-opt --version | awk '{print $3}'), $(/usr/bin/chromium --version 2>/dev/null | head -1)"
