package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// publishedSpec is Conductor's whole published spec, kept in shared/
// beside this repository's clone (262 operations).
var publishedSpec = filepath.Join(repoRoot, "..", "shared", "specs", "conductor-openapi-published.yml")

// TestPublishedSpecGoesThroughThePipeline runs `make update-spec`'s steps
// on Conductor's whole published spec in a copy of the repository:
// update, regenerate, build, report. It takes about half a minute the first
// time on two cores (less once the build is cached), so -short skips it;
// `make spec-scale` runs it alone with its timings.
func TestPublishedSpecGoesThroughThePipeline(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the whole published spec takes a while; run make spec-scale")
	}
	abs, err := filepath.Abs(publishedSpec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(abs); err != nil {
		// The spec is a 4 MB data file kept outside the repository. CI
		// always has it, so there its absence is a failure; a clone
		// elsewhere can still run every other test.
		msg := fmt.Sprintf("Conductor's published spec is missing (%v): it belongs at %s, in shared/ beside this repository's clone", err, abs)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg + "; CI runs this test")
	}
	doc, err := openapi3.NewLoader().LoadFromFile(abs)
	if err != nil {
		t.Fatal(err)
	}
	ops := 0
	for _, item := range doc.Paths.Map() {
		ops += len(item.Operations())
	}

	base := readFile(t, filepath.Join(repoRoot, "openapi.yaml"))
	r := newPipelineRepo(t, base)
	r.write(t, "openapi.before.yaml", base)
	// The facade is generated and built too: what the package says by
	// hand must still hold for the new spec.
	for _, pkg := range []string{"conductor", "internal/config", "internal/uri"} {
		r.copyPackage(t, pkg)
	}
	if code, out := r.specpipe(t, "update", abs); code != 0 {
		t.Fatalf("specpipe update exited %d:\n%s", code, out)
	}
	genTime := r.goCmd(t, "generate", "./gen/...", "./internal/embeddedspec")
	facadeTime := r.goCmd(t, "generate", "./conductor")
	buildTime := r.goCmd(t, "build", "./gen/...", "./conductor")
	t.Logf("%d operations: go generate ./gen/... ./internal/embeddedspec took %v, go generate ./conductor %v, go build ./gen/... ./conductor %v",
		ops, genTime.Round(10e6), facadeTime.Round(10e6), buildTime.Round(10e6))

	// One request builder per operation: every operation was generated.
	builders := regexp.MustCompile(`(?m)^func New\w+Request\(server string`).FindAllString(r.generated(t), -1)
	if len(builders) != ops {
		t.Errorf("the generated client has %d request builders for %d operations", len(builders), ops)
	}
	// And the fake's document is the whole spec too.
	if n := len(slices.DeleteFunc(outline(r.fakeSpec(t)), func(s string) bool { return strings.HasPrefix(s, "schema ") })); n != ops {
		t.Errorf("the embedded spec has %d operations, the published spec %d", n, ops)
	}

	// The report runs on the whole spec; whether it finds breaking
	// changes is Conductor's doing, not this test's.
	if exit, out := r.specpipe(t, "diff", "-base", "openapi.before.yaml", "openapi.yaml"); exit != 0 && exit != exitBreaking {
		t.Errorf("specpipe diff exited %d:\n%s", exit, out)
	}
}
