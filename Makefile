# Every target runs with only Go installed; tools come from go.mod.
GO ?= go

.PHONY: all generate test lint check ci fuzz bench

all: ci

## generate: regenerate gen/ from openapi.yaml and oapi-codegen.yaml
generate:
	$(GO) generate ./gen

## test: run every test with the race detector
test:
	$(GO) test -race ./...

## lint: formatting, go vet and staticcheck (pinned in go.mod)
lint:
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then \
		echo "gofmt would change these files (run: gofmt -w .):"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck ./...

FUZZTIME ?= 30s
FUZZ_TARGETS = FuzzErrorResponse FuzzAuthSessionResponse FuzzCreateParams

## fuzz: run each fuzz target for FUZZTIME (make fuzz FUZZTIME=5m)
fuzz:
	@for target in $(FUZZ_TARGETS); do \
		echo "$$target for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) ./conductor || exit 1; \
	done

## bench: the facade, the generated client and plain net/http side by side
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./conductor

## check: fail if gen/ differs from what openapi.yaml and oapi-codegen.yaml generate
check: generate
	@if ! git diff --quiet -- gen/ || [ -n "$$(git status --porcelain --untracked-files=all -- gen/)" ]; then \
		echo "gen/ is out of date with openapi.yaml or oapi-codegen.yaml:"; \
		git status --porcelain --untracked-files=all -- gen/; git --no-pager diff --stat -- gen/; \
		echo "run 'make generate' and commit gen/"; exit 1; fi
	@echo "gen/ is up to date"

## ci: everything CI runs
ci: lint test check
	$(MAKE) fuzz FUZZTIME=5s
