package embeddedspec_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed-6dcb809e/conductor-go/internal/apigen"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
	"github.com/seed-6dcb809e/conductor-go/internal/embeddedspec"
)

const specPath = "../../openapi.yaml"

// TestEmbeddedIsUpToDate fails, with the fix, when openapi.json.gz is not
// what `make generate` makes of openapi.yaml.
func TestEmbeddedIsUpToDate(t *testing.T) {
	if err := checkEmbedded(specPath, "openapi.json.gz"); err != nil {
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
	edited := bytes.Replace(spec, []byte("\npaths:\n"), []byte("\npaths:\n  /widgets:\n    get:\n      responses: {}\n"), 1)
	if err := os.WriteFile(changed, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := checkEmbedded(changed, "openapi.json.gz"); err == nil || !strings.Contains(err.Error(), "make generate") {
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
