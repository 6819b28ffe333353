# make demo   the main job end to end on the local emulator (moto + the real bootstrap under lambda-emulator)
# make test   everything CI runs: lint, the artifact and its Amazon Linux check, every test against moto
SHELL := /bin/bash
.DEFAULT_GOAL := help
MOTO_DIR := .build/moto
IAC_TOOLS := .build/iac-tools

.PHONY: help build check lint test demo demo-tools demo-pipeline deploy-check bench bench-planner bench-deploy python-deps clean

help:
	@echo "make demo | make demo-pipeline | make test | make bench | make bench-planner | make bench-deploy | make build | make lint | make deploy-check | make clean"

python-deps:
	@scripts/python-deps

build:
	scripts/build-artifact

check:
	scripts/check-binary --self-test
	scripts/check-binary .build/artifact/bootstrap

lint:
	swift format lint --strict --recursive --parallel Package.swift Sources Tests

# The deployment templates: cfn-lint, the SAM transform, checkov, the Terraform files parsed, the Rules and validations
# evaluated on parameter sets that cannot work, what moto skips checked on the transformed templates, every wiring and
# the README's pipeline commands deployed into moto.
deploy-check: python-deps
	scripts/iac-tools $(IAC_TOOLS) >/dev/null
	scripts/moto-server run .build/moto-deploy -- scripts/validate-deploy --tools $(IAC_TOOLS)

# sam build (deploy/sam/template.yaml, BuildMethod: makefile) calls this with ARTIFACTS_DIR set.
build-InvalidatorFunction:
	scripts/build-artifact
	cp .build/artifact/bootstrap "$(ARTIFACTS_DIR)/bootstrap"

test: lint python-deps build check deploy-check
	swift build --build-tests
	scripts/moto-server run $(MOTO_DIR) -- swift test --skip-build --parallel

# The demo's tools are built in the configuration the artifact already needs (release, static Swift standard
# library), so a first `make demo` compiles every dependency once, not twice.
RELEASE_BUILD := scripts/release-build
demo-tools: build
	$(RELEASE_BUILD) --product invalidator
	$(RELEASE_BUILD) --product lambda-emulator

demo: python-deps demo-tools
	BIN=$$($(RELEASE_BUILD) --show-bin-path) scripts/demo

demo-pipeline: python-deps demo-tools
	BIN=$$($(RELEASE_BUILD) --show-bin-path) scripts/demo-pipeline

# The floor of make bench: a minimal C runtime client (next/response with {}), static when the C library allows.
.build/floor: bench/floor/floor.c
	@mkdir -p .build
	cc -O2 -Wall -Wextra -static -o $@ $< || cc -O2 -Wall -Wextra -o $@ $<

# The function against the Python + boto3 baseline and the floor (cold starts, latency, memory, size): writes its
# table into docs/BENCHMARKS.md. A few minutes; not part of make test.
bench: python-deps build .build/floor
	$(RELEASE_BUILD) --product function-benchmark
	$$($(RELEASE_BUILD) --show-bin-path)/function-benchmark \
		--bootstrap .build/artifact/bootstrap --zip artifact.zip --python bench/python-baseline/bootstrap \
		--floor .build/floor --output docs/BENCHMARKS.md

# The planner's cost for 10 / 10,000 / 100,000 changes (release build); paste the table into docs/BENCHMARKS.md.
bench-planner:
	swift build -c release --product planner-benchmark
	.build/release/planner-benchmark

# A 2,000- and an 8,000-file deploy through SQS, Lambda's SQS event source and the real handler against the strict
# fake CloudFront, on a simulated clock (seconds of wall time): writes its table into docs/BENCHMARKS.md.
bench-deploy:
	swift build -c release --product deploy-benchmark
	.build/release/deploy-benchmark --output docs/BENCHMARKS.md

clean:
	rm -rf .build artifact.zip
