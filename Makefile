# make demo   the main job end to end on the local emulator (moto + the real bootstrap under lambda-emulator)
# make test   everything CI runs: lint, the artifact and its Amazon Linux check, every test against moto
SHELL := /bin/bash
.DEFAULT_GOAL := help
MOTO_DIR := .build/moto

.PHONY: help build check lint test demo demo-pipeline python-deps clean

help:
	@echo "make demo | make demo-pipeline | make test | make build | make lint | make clean"

python-deps:
	@scripts/python-deps

build:
	scripts/build-artifact

check:
	scripts/check-binary --self-test
	scripts/check-binary .build/artifact/bootstrap

lint:
	swift format lint --strict --recursive --parallel Package.swift Sources Tests

test: lint python-deps build check
	swift build --build-tests
	scripts/moto-server run $(MOTO_DIR) -- swift test --skip-build --parallel

demo: python-deps build
	swift build
	scripts/demo

demo-pipeline: python-deps build
	swift build
	scripts/demo-pipeline

clean:
	rm -rf .build artifact.zip
