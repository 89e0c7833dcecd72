# Every target runs with only Go installed, but test-contract, which also
# needs npm; tools come from go.mod.
GO ?= go

.PHONY: all generate test test-contract lint check ci

all: ci

## generate: regenerate gen/ from openapi.yaml and oapi-codegen.yaml
generate:
	$(GO) generate ./gen

## test: run every test with the race detector
test:
	$(GO) test -race ./...

## test-contract: install the pinned Prism, then run the contract tests
## against it and against conductortest. Needs npm as well as Go.
## -count=1: Prism is outside what go test can see change, so never cache.
## --ignore-scripts: Prism needs no install script; the one in its tree
## only reports usage analytics.
test-contract:
	npm ci --prefix contract/prism --ignore-scripts --no-audit --no-fund --loglevel=error
	$(GO) vet -tags contract ./contract/...
	$(GO) test -race -count=1 -tags contract ./contract/...

## lint: formatting and vet
lint:
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then \
		echo "gofmt would change these files (run: gofmt -w .):"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

## check: fail if gen/ differs from what openapi.yaml and oapi-codegen.yaml generate
check: generate
	@if ! git diff --quiet -- gen/ || [ -n "$$(git status --porcelain --untracked-files=all -- gen/)" ]; then \
		echo "gen/ is out of date with openapi.yaml or oapi-codegen.yaml:"; \
		git status --porcelain --untracked-files=all -- gen/; git --no-pager diff --stat -- gen/; \
		echo "run 'make generate' and commit gen/"; exit 1; fi
	@echo "gen/ is up to date"

## ci: everything CI runs
ci: lint test check
