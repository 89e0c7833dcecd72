package apigen

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

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
	entries, index := embedded(t, discriminatedSpec)
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

// embedded returns the entries of the archive EmbeddedSpec makes of spec,
// by name, and its index.
func embedded(t *testing.T, spec string) (map[string][]byte, apispec.ArchiveIndex) {
	t.Helper()
	archive, err := EmbeddedSpec([]byte(spec))
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
	return entries, index
}

// factsSpec has a request body whose string properties say they are
// decimal strings at the top, as a nullable string, in an array's items
// and in a nullable object's anyOf (and a number that says so, which is
// not one), and a query whose filter overrides the others (and a header
// that says the same, which is not a filter). Its path item declares the
// id parameter once for all its operations.
const factsSpec = `openapi: 3.1.0
info: {title: T, version: "1"}
paths:
  /quickbooks-desktop/bills:
    get:
      parameters:
        - {name: refNumber, in: query, schema: {type: string}, description: "If set, QuickBooks will ignore all other query parameters."}
        - {name: x-trace, in: header, schema: {type: string}, description: "QuickBooks will ignore all other query parameters."}
        - {name: limit, in: query, schema: {type: integer}}
      responses:
        "200": {description: the bills, content: {application/json: {schema: {type: object}}}}
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                amount: {type: string, description: "The amount, as a decimal string."}
                quantity: {type: number, description: "A count, not a decimal string."}
                memo: {type: string, description: "A note."}
                discount:
                  anyOf:
                    - {type: string, description: "The discount, as a decimal string."}
                    - {type: "null"}
                lines:
                  type: array
                  items:
                    type: object
                    properties:
                      rate: {type: string, description: "The rate, as a Decimal String."}
                vendor:
                  anyOf:
                    - type: object
                      properties:
                        credit: {type: string, description: "The credit, as a decimal string."}
                    - {type: "null"}
      responses:
        "200": {description: the bill, content: {application/json: {schema: {$ref: "#/components/schemas/bill"}}}}
  /quickbooks-desktop/bills/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      responses:
        "200": {description: the bill, content: {application/json: {schema: {$ref: "#/components/schemas/bill"}}}}
    delete:
      responses:
        "200": {description: deleted, content: {application/json: {schema: {$ref: "#/components/schemas/bill"}}}}
components:
  schemas:
    bill: {type: object, properties: {id: {type: string}}}
`

// TestEmbeddedSpecIndexFacts: the index names every decimal string
// property of the request bodies, however deep, and only the query
// parameters that override the others, which the fake reads instead of
// parsing the spec.
func TestEmbeddedSpecIndexFacts(t *testing.T) {
	_, index := embedded(t, factsSpec)
	got := slices.Sorted(maps.Keys(index.DecimalProperties))
	if diff := cmp.Diff([]string{"amount", "credit", "discount", "rate"}, got); diff != "" {
		t.Errorf("decimal properties (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"refNumber"}, index.OverridingFilters); diff != "" {
		t.Errorf("overriding filters (-want +got):\n%s", diff)
	}
}

// TestEmbeddedSpecKeepsAPathsParameters: what a path item declares for
// all its operations (here its id) is in the document of the resource
// that serves them, which without it describes operations on a path whose
// parameter nothing declares.
func TestEmbeddedSpecKeepsAPathsParameters(t *testing.T) {
	entries, index := embedded(t, factsSpec)
	var whole map[string]any
	if err := json.Unmarshal(spec(t, factsSpec), &whole); err != nil {
		t.Fatal(err)
	}
	want := whole["paths"].(map[string]any)["/quickbooks-desktop/bills/{id}"]
	found := false
	for key, res := range index.Resources {
		var doc struct {
			Paths map[string]any `json:"paths"`
		}
		if err := json.Unmarshal(entries[res.Entry], &doc); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if got, ok := doc.Paths["/quickbooks-desktop/bills/{id}"]; ok {
			found = true
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: /quickbooks-desktop/bills/{id} (-spec +archive):\n%s", key, diff)
			}
		}
	}
	if !found {
		t.Errorf("no resource's document holds /quickbooks-desktop/bills/{id}: %v", index.Resources)
	}
}

// spec is a YAML spec as the archive writes it: compact JSON by
// kin-openapi.
func spec(t *testing.T, yaml string) []byte {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}
