package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/internal/apigen"
	"github.com/seed-6dcb809e/conductor-go/internal/embeddedspec"
)

// TestSpecTableIsUpToDate fails, with the fix, when spectable.gen.go is
// not what `make generate` makes of openapi.yaml.
func TestSpecTableIsUpToDate(t *testing.T) {
	t.Parallel()
	spec, err := os.ReadFile("../../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := apigen.CommandTable(spec)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("spectable.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatal("spectable.gen.go is not what openapi.yaml generates: run make generate")
	}
}

// TestSpecTableDriftIsDetected: a spec whose parameter's description
// changed without regenerating fails the check above, as a help that
// would show the old text must.
func TestSpecTableDriftIsDetected(t *testing.T) {
	t.Parallel()
	spec, err := os.ReadFile("../../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const was = "The maximum number of objects to return."
	if !bytes.Contains(spec, []byte(was)) {
		t.Fatalf("the spec no longer says %q: pick another sentence", was)
	}
	edited, err := apigen.CommandTable(bytes.Replace(spec, []byte(was), []byte("At most this many objects."), 1))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("spectable.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(edited, got) {
		t.Error("the table of a changed spec is the table committed: drift would go unseen")
	}
}

// TestSpecTableAgreesWithEmbeddedSpec: the generated table gives the
// operations apispec reads from the embedded spec (the one the fake
// serves), each with the parameters and body the spec gives it, and every
// component they refer to, as that spec writes them.
func TestSpecTableAgreesWithEmbeddedSpec(t *testing.T) {
	t.Parallel()
	s, err := embeddedspec.Load()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s.Operations, specOperations); diff != "" {
		t.Errorf("the table's operations differ from the embedded spec's (-spec +table):\n%s", diff)
	}
	var doc struct {
		Paths      map[string]map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Parameters map[string]json.RawMessage `json:"parameters"`
			Schemas    map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	whole, err := s.Document()
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(whole, &doc); err != nil {
		t.Fatal(err)
	}
	asAny := func(b []byte) any {
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, o := range s.Operations {
		key := o.Method + " " + o.Path
		raw, ok := specOperationJSON[key]
		if !ok {
			t.Errorf("the table has no %s", key)
			continue
		}
		var got map[string]json.RawMessage
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatal(err)
		}
		for _, part := range []string{"parameters", "requestBody"} {
			want := doc.Paths[o.Path][strings.ToLower(o.Method)][part]
			if (want == nil) != (got[part] == nil) {
				t.Errorf("%s: %s is in the spec: %v, in the table: %v", key, part, want != nil, got[part] != nil)
				continue
			}
			if want != nil {
				if diff := cmp.Diff(asAny(want), asAny(got[part])); diff != "" {
					t.Errorf("%s: %s differs (-spec +table):\n%s", key, part, diff)
				}
			}
		}
	}
	if len(specOperationJSON) != len(s.Operations) {
		t.Errorf("the table has %d operations; the spec %d", len(specOperationJSON), len(s.Operations))
	}
	for kind, table := range map[string]map[string]string{"parameters": specParameterJSON, "schemas": specSchemaJSON} {
		spec := doc.Components.Parameters
		if kind == "schemas" {
			spec = doc.Components.Schemas
		}
		for name, raw := range table {
			if diff := cmp.Diff(asAny(spec[name]), asAny([]byte(raw))); diff != "" {
				t.Errorf("components %s %s differs (-spec +table):\n%s", kind, name, diff)
			}
		}
	}
	// Every $ref the table holds is in the table: a body's help can be
	// listed down to its nested fields.
	check := func(where, raw string) {
		for _, m := range componentRefs.FindAllStringSubmatch(raw, -1) {
			table := specSchemaJSON
			if m[1] == "parameters" {
				table = specParameterJSON
			}
			if _, ok := table[m[2]]; !ok {
				t.Errorf("%s refers to %s, which the table lacks", where, m[0])
			}
		}
	}
	for k, raw := range specOperationJSON {
		check(k, raw)
	}
	for k, raw := range specSchemaJSON {
		check("schema "+k, raw)
	}
	for k, raw := range specParameterJSON {
		check("parameter "+k, raw)
	}
}

// BenchmarkKeyedCommandStartup is what a command with a key does before
// it sends anything, beyond the process's own start: find the command in
// the tree and build its flags from the table (qbd invoices list, the
// README's first command), and, for its help, write it. The tree is made
// once per process, as in a run; its cost is in the first iteration.
func BenchmarkKeyedCommandStartup(b *testing.B) {
	for _, bc := range []struct {
		name string
		args []string
	}{
		{"flags", nil},
		{"help", []string{"qbd", "invoices", "list", "--help"}},
		{"help-create", []string{"qbd", "invoices", "create", "--help"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := env{getenv: func(k string) string {
				if k == "CONDUCTOR_SECRET_KEY" {
					return "sk_x"
				}
				return ""
			}, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
			for b.Loop() {
				if bc.args != nil {
					if code := run(context.Background(), bc.args, e); code != 0 {
						b.Fatalf("exit %d", code)
					}
					continue
				}
				root, err := loadTree()
				if err != nil {
					b.Fatal(err)
				}
				c := root.children["qbd"].children["invoices"].children["list"].op
				s, err := c.table.operation(c.op)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.flags(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// componentRefs is a local $ref to a parameter or a schema of components.
var componentRefs = regexp.MustCompile(`"\$ref":"#/components/(parameters|schemas)/([^"]+)"`)
