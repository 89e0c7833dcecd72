package apigen

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// discriminatedSpec has a resource whose answer is one of two schemas
// that a discriminator's mapping names, one of them by reference only
// there, and a schema no operation reaches.
const discriminatedSpec = `openapi: 3.1.0
info: {title: T, version: "1"}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: the pet
          content:
            application/json:
              schema: {$ref: "#/components/schemas/pet"}
components:
  schemas:
    pet:
      type: object
      properties:
        kind: {type: string}
      discriminator:
        propertyName: kind
        mapping:
          cat: "#/components/schemas/cat"
          dog: "#/components/schemas/dog"
      oneOf:
        - {$ref: "#/components/schemas/dog"}
    cat: {type: object, properties: {purrs: {type: boolean}}}
    dog: {type: object, properties: {barks: {type: boolean}}}
    unused: {type: string}
`

// TestEmbeddedSpecFollowsADiscriminatorsMapping: a resource's document
// holds every schema its operations reach, a discriminator's mapping
// included, and the rest document what none reaches.
func TestEmbeddedSpecFollowsADiscriminatorsMapping(t *testing.T) {
	archive, err := EmbeddedSpec([]byte(discriminatedSpec))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		entries[f.Name], _ = io.ReadAll(r)
		r.Close()
	}
	var index apispec.ArchiveIndex
	if err := json.Unmarshal(entries[apispec.IndexEntry], &index); err != nil {
		t.Fatal(err)
	}
	schemas := func(name string) []string {
		var doc struct {
			Components struct {
				Schemas map[string]any `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(entries[name], &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var out []string
		for _, n := range []string{"cat", "dog", "pet", "unused"} {
			if _, ok := doc.Components.Schemas[n]; ok {
				out = append(out, n)
			}
		}
		return out
	}
	if len(index.Resources) != 1 {
		t.Fatalf("resources %v, want the one of GET /pets/{id}", index.Resources)
	}
	for key, res := range index.Resources {
		if diff := cmp.Diff([]string{"cat", "dog", "pet"}, schemas(res.Entry)); diff != "" {
			t.Errorf("%s: schemas (-want +got):\n%s", key, diff)
		}
	}
	if diff := cmp.Diff([]string{"unused"}, schemas(apispec.RestEntry)); diff != "" {
		t.Errorf("rest: schemas (-want +got):\n%s", diff)
	}
}
