# Conv Playground: the two commands of the README, and the rest.
#   make serve   install what is missing, build, serve on http://127.0.0.1:8080
#   make test    install what is missing, run every test
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: serve test setup build bench fuzz soak fmt clean

setup:
	@bash scripts/setup.sh

serve: setup
	trunk serve --release

build: setup
	trunk build --release

test: setup
	@bash scripts/test.sh

bench: setup
	@bash scripts/bench.sh

# One million random layer specs and tensors through the whole engine (about 10 minutes).
fuzz:
	FUZZ_CASES=1000000 cargo test --release -p conv-core --test fuzz -- --nocapture

# Ten minutes of animation at full speed; JS heap and wasm memory at start and end.
soak: setup
	trunk build --release
	SOAK_SECONDS=$${SOAK_SECONDS:-600} node tests/soak/soak.mjs

fmt:
	cargo fmt --all

clean:
	cargo clean
	rm -rf dist node_modules tests/screenshots
