# Nightjar — `make run` starts the demo, `make test` builds and runs every test.
SWIFT ?= swift
BIN := .build/debug/nightjar

.PHONY: all deps build test run bench clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

run: build
	$(BIN) demo

# Build everything first (the end-to-end test runs the real binary), then run the tests.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: deps
	@scripts/bench.sh

clean:
	rm -rf .build
