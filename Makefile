# Treaty: two commands set everything up on a fresh Debian machine that has Swift.
#   make mock   install what is missing, build, serve Contracts/
#   make test   install what is missing, build, run the whole suite (Swift tests and interop tests with real peers)
SHELL := /bin/bash
.DEFAULT_GOAL := help

APT_PACKAGES := libcurl4-openssl-dev libxml2-dev libxml2-utils zlib1g-dev protobuf-compiler pkg-config curl python3 python3-venv nghttp2-client redis-server
VENV := .venv
PY := $(VENV)/bin/python
CONFIG ?= debug
BIN = $(shell swift build -c $(CONFIG) --show-bin-path)/treaty
MOCK_ARGS ?=

.PHONY: help deps venv build mock test test-swift test-interop lint format clean bench fuzz

help:
	@echo "make mock   build and serve Contracts/ (MOCK_ARGS='--verbose' for more)"
	@echo "make test   the whole suite: Swift tests, schema check, interop tests with real peers"
	@echo "make lint   lint Contracts/"
	@echo "make fuzz   run each fuzz target under libFuzzer for FUZZ_SECONDS (default 60); not part of make test"

# Debian packages Treaty builds and tests with; installed only when missing.
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# The Python venv that holds the real peers used by interop tests (never committed).
$(VENV)/.ready: Tests/interop/requirements.txt
	@python3 -m venv $(VENV) || { rm -rf $(VENV); echo "make: python3 -m venv failed; is python3-venv installed?"; exit 1; }
	@$(PY) -m pip install -q --disable-pip-version-check -r Tests/interop/requirements.txt
	@touch $@

venv: deps $(VENV)/.ready

build: deps
	swift build -c $(CONFIG)

mock: build
	$(BIN) mock Contracts $(MOCK_ARGS)

lint: build
	$(BIN) lint Contracts

test: deps venv
	$(MAKE) test-swift
	$(MAKE) test-interop

test-swift:
	swift build --build-tests
	swift test --skip-build

test-interop: build venv
	$(PY) Tests/interop/validate_contracts.py --lint $(BIN)
	TREATY_BIN=$(BIN) PACT_DO_NOT_TRACK=true $(PY) -m pytest Tests/interop -q -p no:cacheprovider

format:
	swift format --in-place --recursive Sources Tests

clean:
	rm -rf .build .build-fuzz $(VENV)

bench:
	Benchmarks/run

# libFuzzer with AddressSanitizer, one target after another, built in .build-fuzz (docs/fuzzing.md).
# FUZZ_SECONDS per target, FUZZ_TARGETS to pick some, FUZZ_CONFIG=debug for a quicker first build.
FUZZ_TARGETS ?=
fuzz: deps
	Tests/fuzz/run $(FUZZ_TARGETS)
