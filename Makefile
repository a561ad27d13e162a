# Conv Playground: the two commands of the README, and the rest.
#   make serve   install what is missing, build, serve on http://127.0.0.1:8080
#   make test    install what is missing, run every test
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: serve test setup build bench fmt clean

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

fmt:
	cargo fmt --all

clean:
	cargo clean
	rm -rf dist node_modules tests/screenshots
