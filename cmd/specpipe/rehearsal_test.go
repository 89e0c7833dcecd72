package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"
	"github.com/oasdiff/oasdiff/checker"
)

// TestRehearsal takes each changed spec in testdata through the pipeline
// `make update-spec` runs, in a copy of the repository whose openapi.yaml
// is testdata/base.yaml: replace the spec keeping the local additions,
// regenerate, build, and report. Each candidate is the spec as Conductor
// would publish it (without this repository's error schemas) with one
// change; only the removed required response field is breaking.
func TestRehearsal(t *testing.T) {
	cases := []struct {
		file string
		// wantIDs are the oasdiff check ids the report must contain, all
		// of them and no other of level WARN or ERR.
		wantIDs  []string
		breaking bool
		// inCode must be in the regenerated client, notInCode not.
		inCode, notInCode string
	}{
		{
			file:    "added-optional-field.yaml",
			wantIDs: []string{"response-optional-property-added"},
			// A date and time, so a *time.Time by the overlay's rule.
			inCode: "UpdatedAt *time.Time `json:\"updatedAt,omitempty\"`",
		},
		{
			file:    "added-endpoint.yaml",
			wantIDs: []string{"endpoint-added"},
			// Named by the overlay as Conductor's SDKs would name it.
			inCode: "func (c *Client) AuthSessionRetrieve(ctx context.Context, id string,",
		},
		{
			file:      "removed-required-field.yaml",
			wantIDs:   []string{"response-required-property-removed", "api-version-not-bumped"},
			breaking:  true,
			notInCode: "ExpiresAt",
		},
	}
	base := readFile(t, "testdata/base.yaml")
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			candidate, err := filepath.Abs(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			r := newPipelineRepo(t, base)
			r.write(t, "openapi.before.yaml", base)

			if code, out := r.specpipe(t, "update", candidate); code != 0 {
				t.Fatalf("specpipe update exited %d:\n%s", code, out)
			}
			// The local additions survive the update.
			if _, added, err := mergeLocalAdditions(readFile(t, r.path("openapi.yaml")), base); err != nil || len(added) != 0 {
				t.Errorf("after the update openapi.yaml lacks local additions %v (%v)", added, err)
			}
			r.goCmd(t, "generate", "./gen/...", "./internal/embeddedspec")
			r.goCmd(t, "build", "./gen/...")
			code := r.generated(t)
			if c.inCode != "" && !strings.Contains(code, c.inCode) {
				t.Errorf("the regenerated client lacks %q", c.inCode)
			}
			if c.notInCode != "" && strings.Contains(code, c.notInCode) {
				t.Errorf("the regenerated client still has %q", c.notInCode)
			}
			// The fake validates against the embedded spec, regenerated
			// alongside.
			updated, err := openapi3.NewLoader().LoadFromData(readFile(t, r.path("openapi.yaml")))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(outline(updated), outline(r.fakeSpec(t))); diff != "" {
				t.Errorf("the embedded spec is not the updated openapi.yaml (-openapi.yaml +embedded):\n%s", diff)
			}

			// The report, as the command prints it and exits.
			exit, out := r.specpipe(t, "diff", "-base", "openapi.before.yaml", "openapi.yaml")
			wantExit := 0
			if c.breaking {
				wantExit = exitBreaking
			}
			if exit != wantExit {
				t.Errorf("specpipe diff exited %d, want %d:\n%s", exit, wantExit, out)
			}
			for _, id := range c.wantIDs {
				if !strings.Contains(out, "["+id+"]") {
					t.Errorf("the report does not mention %s:\n%s", id, out)
				}
			}
			if c.breaking != strings.Contains(out, "BREAKING:") {
				t.Errorf("the report's verdict is wrong (want breaking: %v):\n%s", c.breaking, out)
			}

			// The same report, structured: exactly the expected changes.
			rep, err := compare(spec{"before", base}, spec{"after", readFile(t, r.path("openapi.yaml"))})
			if err != nil {
				t.Fatal(err)
			}
			var ids, errIDs []string
			for _, ch := range rep.Changes {
				ids = append(ids, ch.GetId())
				if ch.GetLevel() >= checker.ERR {
					errIDs = append(errIDs, ch.GetId())
				}
			}
			slices.Sort(ids)
			if diff := cmp.Diff(slices.Sorted(slices.Values(c.wantIDs)), ids); diff != "" {
				t.Errorf("the report's changes (-want +got):\n%s", diff)
			}
			var wantErr []string
			if c.breaking {
				wantErr = c.wantIDs[:1]
			}
			if diff := cmp.Diff(wantErr, errIDs); diff != "" {
				t.Errorf("the breaking changes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	r := newPipelineRepo(t, readFile(t, "testdata/base.yaml"))
	for _, args := range [][]string{nil, {"frobnicate"}, {"diff"}, {"diff", "a", "b"}, {"update"}, {"diff", "-nope", "x"}} {
		if exit, out := r.specpipe(t, args...); exit != exitFailure || !strings.Contains(out, "usage:") {
			t.Errorf("specpipe %q exited %d, want %d and the usage:\n%s", args, exit, exitFailure, out)
		}
	}
	if exit, out := r.specpipe(t, "diff", "missing.yaml"); exit != exitFailure || !strings.Contains(out, "missing.yaml") {
		t.Errorf("specpipe diff missing.yaml exited %d, want %d and the file named:\n%s", exit, exitFailure, out)
	}
}
