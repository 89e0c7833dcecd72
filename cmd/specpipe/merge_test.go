package main

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMergeRestoresTheLocalAdditions takes the spec as Conductor publishes
// it for this repository (testdata/upstream.yaml, which lacks the error
// schemas) and checks that adding back the local additions of
// testdata/base.yaml gives base.yaml byte for byte: the published text is
// kept as is and the additions land where they were.
func TestMergeRestoresTheLocalAdditions(t *testing.T) {
	base := readFile(t, "testdata/base.yaml")
	got, added, err := mergeLocalAdditions(readFile(t, "testdata/upstream.yaml"), base)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(localSchemas, added); diff != "" {
		t.Errorf("added (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(strings.Split(string(base), "\n"), strings.Split(string(got), "\n")); diff != "" {
		t.Errorf("merged upstream.yaml differs from base.yaml (-want +got):\n%s", diff)
	}
}

func TestMergeKeepsACandidateThatHasTheSchemas(t *testing.T) {
	base := readFile(t, "testdata/base.yaml")
	cand := []byte(strings.Replace(string(base), "The type of error that occurred.", "The kind of error.", 1))
	got, added, err := mergeLocalAdditions(cand, base)
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 0 || string(got) != string(cand) {
		t.Errorf("mergeLocalAdditions changed a candidate that has its own error schemas (added %v)", added)
	}
}

// TestMergeReindents copies schemas between documents indented
// differently, and into a schemas block that is last in the file.
func TestMergeReindents(t *testing.T) {
	current := `openapi: 3.1.0
components:
  schemas:
    Thing:
      type: string
    ErrorResponse:
      type: object
      properties:
        error:
          $ref: "#/components/schemas/Error"
    Error:
      type: object
      description: >-
        Folded
        text.

  securitySchemes: {}
`
	candidate := "openapi: 3.1.0\ncomponents:\n    schemas:\n        Thing:\n            type: string"
	want := `openapi: 3.1.0
components:
    schemas:
        Thing:
            type: string
        ErrorResponse:
          type: object
          properties:
            error:
              $ref: "#/components/schemas/Error"
        Error:
          type: object
          description: >-
            Folded
            text.
`
	got, _, err := mergeLocalAdditions([]byte(candidate), []byte(current))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("merged (-want +got):\n%s", diff)
	}
}

func TestMergeRefusesWhatItCannotDo(t *testing.T) {
	base := readFile(t, "testdata/base.yaml")
	for _, c := range []struct{ name, candidate, current, want string }{
		{"no schemas in the candidate", "openapi: 3.1.0\npaths: {}\n", string(base), "no components.schemas"},
		{"flow-style schemas", "openapi: 3.1.0\ncomponents:\n  schemas: {Thing: {type: string}}\n", string(base), "no components.schemas"},
		{"not YAML", "openapi: [", string(base), "not YAML"},
		{"current spec lacks the schemas", string(readFile(t, "testdata/upstream.yaml")), string(readFile(t, "testdata/upstream.yaml")), "has no components.schemas.ErrorResponse"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := mergeLocalAdditions([]byte(c.candidate), []byte(c.current))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("mergeLocalAdditions = %v; want an error containing %q", err, c.want)
			}
		})
	}
}
