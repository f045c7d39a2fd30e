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

# Build everything first (the end-to-end test runs the real binary), then run the tests. The Triton
# and KServe client tests need Python packages from PyPI; without them they skip and say so.
test: deps
	@scripts/install-test-python.sh || echo "the test-only Python clients could not be installed; the Triton and KServe client tests will skip"
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: deps
	@scripts/bench.sh

clean:
	rm -rf .build

# The ONNX backend node tests (Debian's libonnx-testdata) through the allow-list in
# Tests/EngineTests/Fixtures/conformance-manifest.txt; prints passed/failed/not listed and writes docs/operators.md.
.PHONY: conformance
conformance: deps
	NIGHTJAR_OPERATORS_DOC=$(CURDIR)/docs/operators.md $(SWIFT) test --filter ConformanceTests
