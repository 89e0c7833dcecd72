package embeddedspec_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/internal/apigen"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
	"github.com/seed-6dcb809e/conductor-go/internal/embeddedspec"
)

const specPath = "../../openapi.yaml"

// TestEmbeddedIsUpToDate fails, with the fix, when openapi.zip is not
// what `make generate` makes of openapi.yaml.
func TestEmbeddedIsUpToDate(t *testing.T) {
	if err := checkEmbedded(specPath, "openapi.zip"); err != nil {
		t.Fatal(err)
	}
}

// TestEmbeddedDriftIsDetected: a spec changed without regenerating fails
// the check above.
func TestEmbeddedDriftIsDetected(t *testing.T) {
	spec, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	changed := filepath.Join(t.TempDir(), "openapi.yaml")
	edited := bytes.Replace(spec, []byte("\n  title: Conductor API\n"), []byte("\n  title: Conductor API, edited\n"), 1)
	if bytes.Equal(edited, spec) {
		t.Fatal("openapi.yaml's title is not the one this test edits")
	}
	if err := os.WriteFile(changed, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := checkEmbedded(changed, "openapi.zip"); err == nil || !strings.Contains(err.Error(), "make generate") {
		t.Errorf("checkEmbedded with a changed spec = %v; want a failure saying to run make generate", err)
	}
}

// TestLoadIsTheSpec: what Load decodes is openapi.yaml's operations, the
// same each time.
func TestLoadIsTheSpec(t *testing.T) {
	spec, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := apispec.Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	want, err := parsed.Operations()
	if err != nil {
		t.Fatal(err)
	}
	got, err := embeddedspec.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Operations) != len(want) || len(got.Operations) < 262 {
		t.Fatalf("Load has %d operations, openapi.yaml %d; want them equal, and at least Conductor's 262", len(got.Operations), len(want))
	}
	for i := range want {
		if got.Operations[i].SDKName() != want[i].SDKName() || got.Operations[i].Path != want[i].Path {
			t.Errorf("operation %d is %s %s, openapi.yaml's %s %s", i, got.Operations[i].SDKName(), got.Operations[i].Path, want[i].SDKName(), want[i].Path)
		}
	}
	if again, _ := embeddedspec.Load(); again != got {
		t.Error("a second Load decoded the document again")
	}
}

func checkEmbedded(specPath, embeddedPath string) error {
	spec, err := os.ReadFile(specPath)
	if err != nil {
		return err
	}
	want, err := apigen.EmbeddedSpec(spec)
	if err != nil {
		return err
	}
	got, err := os.ReadFile(embeddedPath)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("internal/embeddedspec/%s is not what cmd/apigen makes of %s\nfix: run `make generate` and commit it; never edit it by hand", embeddedPath, specPath)
	}
	return nil
}

// TestDocumentIsTheWholeSpec: the archive's documents, merged, are
// openapi.yaml as kin-openapi reads it, so that splitting it by resource
// lost nothing a fake or a test could ask of it.
func TestDocumentIsTheWholeSpec(t *testing.T) {
	spec, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(spec)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	s, err := embeddedspec.Load()
	if err != nil {
		t.Fatal(err)
	}
	gotJSON, err := s.Document()
	if err != nil {
		t.Fatal(err)
	}
	var want, got any
	if err := json.Unmarshal(wantJSON, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(gotJSON, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the archive merged differs from openapi.yaml (-spec +archive):\n%s", diff)
	}
}

// TestEachResourceStandsAlone: each resource's document loads by itself,
// with kin-openapi's references resolved, and holds the resource's
// operations, none of another's, and the schema of its objects.
func TestEachResourceStandsAlone(t *testing.T) {
	s, err := embeddedspec.Load()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for _, o := range s.Operations {
		want[apispec.ResourceKey(o)] = append(want[apispec.ResourceKey(o)], o.Method+" "+o.Path)
	}
	if len(s.Resources) != len(want) {
		t.Errorf("the archive has %d resources, the operations %d", len(s.Resources), len(want))
	}
	for key, ops := range want {
		js, err := s.Resource(key)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := openapi3.NewLoader().LoadFromData(js)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		var got []string
		for path, item := range doc.Paths.Map() {
			for method := range item.Operations() {
				got = append(got, method+" "+path)
			}
		}
		slices.Sort(got)
		slices.Sort(ops)
		if diff := cmp.Diff(ops, got); diff != "" {
			t.Errorf("%s: operations (-index +document):\n%s", key, diff)
		}
		if model := s.Resources[key].Model; model != "" {
			if ref := doc.Components.Schemas[model]; ref == nil || ref.Value == nil {
				t.Errorf("%s: the document has no schema %s, the model of its objects", key, model)
			}
		}
	}
	if _, err := s.Resource("qbd.widgets"); err == nil || !strings.Contains(err.Error(), `no resource "qbd.widgets"`) {
		t.Errorf("Resource of an unknown resource = %v, want an error naming it", err)
	}
}
