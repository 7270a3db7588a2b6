# dalil's developer tasks. `make help` lists them.
#
# Variables:
#   TESTFLAGS                 extra flags for `go test` (e.g. TESTFLAGS='-count=1 -race')
#   BENCHFLAGS                extra flags for the benchmarks (e.g. BENCHFLAGS='-benchtime 1x')
#   DALIL_TEST_DATABASE_URL   tests' server URL; unset, `make test` starts the dev cluster
#   DATABASE_URL              the demo's database; unset, `make demo` starts the dev cluster
#   DALIL_PGPORT              the dev cluster's port (default 54329)

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# Go is at /usr/local/go/bin on the project's machines, not always on PATH.
ifeq ($(shell command -v go 2>/dev/null),)
export PATH := /usr/local/go/bin:$(PATH)
endif

DEVDB := scripts/devdb.sh
DICTS := scripts/dicts.sh
CHROMIUM := scripts/chromium.sh
BIN := bin/dalil
TESTFLAGS ?=
BENCHFLAGS ?=
DEMO_QUESTION ?= What is Morocco's homemade AI?

# WITH_TEST_DB exports DALIL_TEST_DATABASE_URL, starting the dev cluster
# unless the variable is already set.
define WITH_TEST_DB
if [[ -z "$${DALIL_TEST_DATABASE_URL:-}" ]]; then \
	$(DEVDB) start; \
	DALIL_TEST_DATABASE_URL=$$($(DEVDB) test-url); \
fi; \
export DALIL_TEST_DATABASE_URL; \
echo "DALIL_TEST_DATABASE_URL=$$DALIL_TEST_DATABASE_URL" >&2;
endef

.PHONY: help build db db-stop test bench demo eval image fmt fmt-check vet clean clean-db

help: ## Show this help.
	@echo 'Usage: make TARGET [TESTFLAGS=...] [BENCHFLAGS=...]'
	@echo
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /  \1\t/' | expand -t 14

build: ## Build the CLI into bin/dalil.
	go build -buildvcs=auto -o $(BIN) ./cmd/dalil

db: ## Start the dev PostgreSQL (pgvector) on 127.0.0.1:54329, installing it if needed.
	$(DEVDB) start
	@echo "DATABASE_URL=$$($(DEVDB) url)"

db-stop: ## Stop the dev PostgreSQL.
	$(DEVDB) stop

test: ## go vet and go test ./... against the dev PostgreSQL (installs the dictionaries and chromium if it can).
	@$(DICTS)
	@$(CHROMIUM)
	@$(WITH_TEST_DB) \
	set -x; \
	go vet ./...; \
	go test $(TESTFLAGS) ./...

bench: ## Run the Go benchmarks, then dalil vs LangChainGo at scale (bench/, COMPAREFLAGS=...; docs/performance.md).
	@$(WITH_TEST_DB) \
	set -x; \
	go test -run '^$$' -bench . $(BENCHFLAGS) ./...; \
	cd bench && go run ./cmd/compare -admin-url "$$DALIL_TEST_DATABASE_URL" -plot-with results-1m/results.json -out results $(COMPAREFLAGS)

demo: build ## Migrate, ingest the sample articles (examples/) and ask a question.
	@$(DICTS)
	@if [[ -z "$${DATABASE_URL:-}" ]]; then \
		$(DEVDB) start; \
		DATABASE_URL=$$($(DEVDB) url); \
	fi; \
	export DATABASE_URL; \
	echo "DATABASE_URL=$$DATABASE_URL" >&2; \
	set -x; \
	$(BIN) migrate; \
	$(BIN) ingest --jsonl examples/wikipedia-sample.jsonl examples/articles; \
	$(BIN) ask "$(DEMO_QUESTION)"

eval: build ## Measure retrieval and answers on the dev and cross-lingual dev questions (fresh database dalil_eval).
	@$(DICTS)
	@$(DEVDB) start; \
	admin=$$($(DEVDB) test-url); \
	psql "$$admin" -qc 'DROP DATABASE IF EXISTS dalil_eval' -c 'CREATE DATABASE dalil_eval'; \
	export DATABASE_URL=$$(echo "$$admin" | sed 's|/postgres?|/dalil_eval?|'); \
	set -x; \
	$(BIN) eval --ingest testdata/eval/corpus.jsonl --ingest examples/articles \
		--questions testdata/eval/questions-dev.jsonl $(EVALFLAGS); \
	$(BIN) eval --questions testdata/eval/questions-dev-xling.jsonl $(EVALFLAGS); \
	$(BIN) eval --questions testdata/eval/questions-extra.jsonl $(EVALFLAGS)

image: ## Build the container image dalil:latest FROM scratch (podman or buildah; no network needed).
	@tool=$$(command -v podman || command -v buildah || true); \
	if [[ -z "$$tool" ]]; then echo "make image: needs podman or buildah (apt-get install podman)" >&2; exit 1; fi; \
	ctx=$$(mktemp -d); trap 'rm -rf "$$ctx"' EXIT; \
	set -x; \
	CGO_ENABLED=0 go build -buildvcs=auto -trimpath -tags timetzdata -ldflags '-s -w' -o "$$ctx/dalil" ./cmd/dalil; \
	cp /etc/ssl/certs/ca-certificates.crt "$$ctx/"; \
	cp deploy/Containerfile "$$ctx/"; \
	if [[ "$$tool" == *buildah ]]; then "$$tool" bud -t dalil:latest "$$ctx"; else "$$tool" build -t dalil:latest "$$ctx"; fi

fmt: ## Format the Go code.
	go fmt ./...

fmt-check: ## Fail if any Go file needs gofmt.
	@files=$$(go list -f '{{$$d := .Dir}}{{range .GoFiles}}{{$$d}}/{{.}} {{end}}{{range .TestGoFiles}}{{$$d}}/{{.}} {{end}}{{range .XTestGoFiles}}{{$$d}}/{{.}} {{end}}' ./... | xargs -r gofmt -l); \
	if [[ -n "$$files" ]]; then echo "gofmt needed:" >&2; echo "$$files" >&2; exit 1; fi

vet: ## go vet ./...
	go vet ./...

clean: ## Remove bin/.
	rm -rf bin

clean-db: ## Stop the dev PostgreSQL and delete its data (.data).
	$(DEVDB) destroy
	rm -rf .data
