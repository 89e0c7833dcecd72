# Every target runs with only Go installed, but test-contract, which also
# needs npm; tools come from go.mod.
GO ?= go

.PHONY: all generate test test-contract lint check ci example-otel fuzz bench bench-peers bench-decoders mutate spec-diff update-spec spec-scale release-notes

all: ci

## generate: regenerate gen/ (the overlay and the client) from openapi.yaml
## and oapi-codegen.yaml, then the facade's conductor/*.gen.go from gen/: in
## that order, since each step reads the one before; and the spec the fake
## and the command embed (internal/embeddedspec), and the command's table
## of operations (cmd/conductor/spectable.gen.go)
generate:
	$(GO) generate ./gen/...
	$(GO) generate ./conductor
	$(GO) generate ./internal/embeddedspec
	$(GO) generate ./cmd/conductor

## test: run every test with the race detector
# TestFakeServerStartsSmall measures a fake-server's peak resident memory,
# which only a plain build shows (the race detector's shadow memory
# inflates it, so the test skips itself under -race): it runs once more
# without -race.
# -timeout: go test's 10 minutes per package is a wall-clock limit, which
# a small or busy machine can pass with nothing wrong (the library's
# package takes some 3 to 6 minutes under -race on 2 cores); 60 minutes
# still ends a test that hangs, within CI's 90.
test:
	$(GO) test -race -timeout 60m ./...
	$(GO) test -run '^TestFakeServerStartsSmall$$' ./cmd/conductor

## test-contract: install the pinned Prism, then run the contract tests
## against it and against conductortest. Needs npm as well as Go.
## -count=1: Prism is outside what go test can see change, so never cache.
## --ignore-scripts: Prism needs no install script; the one in its tree
## only reports usage analytics.
test-contract:
	npm ci --prefix contract/prism --ignore-scripts --no-audit --no-fund --loglevel=error
	$(GO) vet -tags contract ./contract/...
	$(GO) test -race -count=1 -tags contract ./contract/...

## lint: formatting, a tidy go.mod, go vet and staticcheck (pinned in go.mod)
## go.mod must be what `go mod tidy` leaves, so that the tools tools.go pins
## and every requirement are exactly what the code needs.
lint:
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then \
		echo "gofmt would change these files (run: gofmt -w .):"; echo "$$unformatted"; exit 1; fi
	@if ! untidy="$$($(GO) mod tidy -diff 2>&1)"; then \
		echo "go.mod or go.sum is not what 'go mod tidy' leaves (run: go mod tidy, then commit go.mod and go.sum):"; \
		echo "$$untidy"; exit 1; fi
	$(GO) vet -tags contract ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck -tags contract ./...

# FUZZTIME is a duration or a count of executions (20000x). CI uses a
# count: with a duration, Go 1.26's fuzzing coordinator can report
# "context deadline exceeded" at the deadline with no failing input (Go
# issue 75804, fixed in Go 1.27).
FUZZTIME ?= 30s
# package:target
FUZZ_TARGETS = ./conductor:FuzzErrorResponse ./conductor:FuzzAuthSessionResponse \
	./conductor:FuzzCreateParams ./conductor:FuzzEchoedKey ./internal/uri:FuzzCheckAgreesWithPrism

## fuzz: run each fuzz target for FUZZTIME (make fuzz FUZZTIME=5m)
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg="$${t%%:*}"; target="$${t#*:}"; \
		echo "$$target ($$pkg) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) "$$pkg" || exit 1; \
	done

## bench: the facade, the generated client and plain net/http side by side
## (10 runs each, summarised by benchstat; figures in BENCHMARKS.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 10 ./conductor | tee bench.txt
	$(GO) run golang.org/x/perf/cmd/benchstat -col /impl bench.txt

# PEER_RUNS is how many times bench-peers reads the books with each
# client from each server, alternating the clients.
PEER_RUNS ?= 5
PEER_BIN = $(CURDIR)/bin/bench-peers

## bench-peers: read the same 10,000 invoices (internal/bulkpages) with the
## facade and with Conductor's official Node SDK (bench/peers, pinned with
## its lockfile), each in a process of its own, from a static page server
## on 127.0.0.1 and from the fake (chunked answers), and print each read's
## CPU time and peak memory (figures in BENCHMARKS.md, "Bulk reads").
## Needs node and npm, else it says so and does nothing; not part of test
## or ci. --ignore-scripts: the SDK needs no install script.
bench-peers:
	@if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
		echo "bench-peers: skipped, node and npm are needed to run the Node SDK"; exit 0; fi; \
	set -e; \
	npm ci --prefix bench/peers --ignore-scripts --no-audit --no-fund --loglevel=error; \
	$(GO) build -o $(PEER_BIN)/pageserver ./bench/peers/pageserver; \
	$(GO) build -o $(PEER_BIN)/goread ./bench/peers/goread; \
	for server in static fake; do \
		flag=; if [ $$server = fake ]; then flag=-fake; fi; \
		$(PEER_BIN)/pageserver $$flag > $(PEER_BIN)/env & pid=$$!; \
		trap 'kill $$pid 2>/dev/null || true' EXIT; \
		while [ ! -s $(PEER_BIN)/env ]; do kill -0 $$pid; sleep 0.2; done; \
		eval "$$(cat $(PEER_BIN)/env)"; \
		echo "server=$$server ($$BASE), $(PEER_RUNS) reads each:"; \
		for i in $$(seq $(PEER_RUNS)); do \
			$(PEER_BIN)/goread -base "$$BASE" -key "$$KEY"; \
			node bench/peers/read.js "$$BASE" "$$KEY"; \
		done; \
		kill $$pid; wait $$pid 2>/dev/null || true; rm -f $(PEER_BIN)/env; \
	done

# DECODER_ROUNDS is how many times bench-decoders runs the page benchmark
# of each build, alternating the builds; DECODER_COUNT is the -count of
# each run, DECODER_BENCHTIME its -benchtime.
DECODER_ROUNDS ?= 4
DECODER_COUNT ?= 2
DECODER_BENCHTIME ?= 0.5s
DECODER_BIN = $(CURDIR)/bin/bench-decoders

## bench-decoders: compare JSON decoders on one page of each large resource
## (bench/decoders, a module of its own, so the candidates stay out of
## go.mod): its tests (pages, probes, fuzz corpora against encoding/json),
## then the page benchmark built as is and with GOEXPERIMENT=jsonv2,
## DECODER_ROUNDS runs of each in turn, summarised by benchstat per build
## (figures in BENCHMARKS.md, "Choosing the JSON decoder"). Not part of
## test or ci.
bench-decoders:
	cd bench/decoders && $(GO) test -count=1 ./...
	@mkdir -p $(DECODER_BIN)
	cd bench/decoders && $(GO) test -c -o $(DECODER_BIN)/default.test . && \
		GOEXPERIMENT=jsonv2 $(GO) test -c -o $(DECODER_BIN)/jsonv2.test .
	@set -e; : > $(DECODER_BIN)/bench.txt; \
	for i in $$(seq $(DECODER_ROUNDS)); do \
		for build in default jsonv2; do \
			echo "round $$i of $(DECODER_ROUNDS), build $$build"; \
			echo "build: $$build" >> $(DECODER_BIN)/bench.txt; \
			$(DECODER_BIN)/$$build.test -test.run '^$$' -test.bench DecodePage -test.benchmem \
				-test.count $(DECODER_COUNT) -test.benchtime $(DECODER_BENCHTIME) >> $(DECODER_BIN)/bench.txt; \
		done; \
	done
	$(GO) run golang.org/x/perf/cmd/benchstat -table build -row /page -col /dec $(DECODER_BIN)/bench.txt

# JOBS mutants run at once; MUTATE_ARGS passes more flags to the runner
# (-run REGEXP for some of them, -build to check that each builds, -v).
JOBS ?= 2
MUTATE_ARGS ?=

## mutate: run every mutant of internal/mutation/catalogue.txt against the
## tests of its package and print the kill rate (make mutate JOBS=4). Long:
## not part of test or ci, which only check that every entry still applies.
mutate:
	$(GO) run ./internal/mutation/mutate -p $(JOBS) $(MUTATE_ARGS)

## check: fail if gen/, conductor/*.gen.go, the embedded spec or the
## command's table differ from what openapi.yaml, oapi-codegen.yaml and the
## go:generate lines generate
GENERATED = gen/ conductor/*.gen.go internal/embeddedspec/openapi.zip cmd/conductor/*.gen.go
check: generate
	@if ! git diff --quiet -- $(GENERATED) || [ -n "$$(git status --porcelain --untracked-files=all -- $(GENERATED))" ]; then \
		echo "generated files are out of date with openapi.yaml, oapi-codegen.yaml or a go:generate line:"; \
		git status --porcelain --untracked-files=all -- $(GENERATED); git --no-pager diff --stat -- $(GENERATED); \
		echo "run 'make generate' and commit them"; exit 1; fi
	@echo "gen/, conductor/*.gen.go, internal/embeddedspec and cmd/conductor/*.gen.go are up to date"

## example-otel: the OpenTelemetry example (examples/otel, a module of its
## own so that the library links nothing of OpenTelemetry): its go.mod
## tidy, vet, its test (a span and a measurement per attempt), and a run
example-otel:
	cd examples/otel && $(GO) mod tidy -diff && $(GO) vet ./... && $(GO) test -count=1 ./... && $(GO) run .

## ci: everything CI runs
ci: test test-contract lint check example-otel
	$(MAKE) fuzz FUZZTIME=20000x

# SPEC is a candidate spec for spec-diff and update-spec: a file, or an
# http(s) URL when the network allows.
SPEC ?=

## spec-diff: print the changelog from openapi.yaml to SPEC; fail on breaking changes
spec-diff:
	@test -n "$(SPEC)" || { echo "usage: make spec-diff SPEC=<file or URL>" >&2; exit 2; }
	$(GO) run ./cmd/specpipe diff -base openapi.yaml "$(SPEC)"

## update-spec: replace openapi.yaml with SPEC (keeping the local additions), regenerate, report
update-spec:
	@test -n "$(SPEC)" || { echo "usage: make update-spec SPEC=<file or URL>" >&2; exit 2; }
	@before="$$(mktemp)" && trap 'rm -f "$$before"' EXIT && cp openapi.yaml "$$before" && \
	set -x && \
	$(GO) run ./cmd/specpipe update "$(SPEC)" && \
	$(MAKE) --no-print-directory generate && \
	$(GO) run ./cmd/specpipe diff -base "$$before" openapi.yaml

# FROM is the git ref of the last release (a tag such as v0.1.0, or a
# commit) for release-notes.
FROM ?=

## release-notes: print the API part of the next CHANGELOG.md entry, from
## the changes to openapi.yaml between FROM (a git ref) and the working
## tree: operations, parameters and fields added, changed, deprecated and
## removed, breaking ones marked, in Markdown under Keep a Changelog's
## headings (make release-notes FROM=v0.1.0). Paste it under
## "## [Unreleased]" and write the rest of the entry by hand.
release-notes:
	@test -n "$(FROM)" || { echo "usage: make release-notes FROM=<git ref>" >&2; exit 2; }
	@old="$$(mktemp)" && trap 'rm -f "$$old"' EXIT && \
	git show "$(FROM):openapi.yaml" > "$$old" && \
	$(GO) run ./cmd/specpipe notes -base "$$old" openapi.yaml

## spec-scale: take Conductor's whole published spec (../shared/specs) through the pipeline, with timings
spec-scale:
	$(GO) test -count=1 -v -run TestPublishedSpecGoesThroughThePipeline ./cmd/specpipe
