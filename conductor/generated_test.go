package conductor_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/internal/apigen"
)

// TestFacadeIsUpToDate regenerates every file the facade writes
// (api.gen.go, types.gen.go, rules.gen.go) in memory as `make generate`
// does (cmd/apigen, from openapi.yaml, the generated client and this
// package's hand-written files) and fails, with a diff and the fix, when
// a committed file differs.
func TestFacadeIsUpToDate(t *testing.T) {
	if err := checkFacade(specPath, filepath.Join("..", "gen", "conductor.gen.go"), "."); err != nil {
		t.Fatal(err)
	}
}

// TestFacadeDriftIsDetected proves the check fails on a hand edit, and on a
// hand-written declaration that takes a generated name.
func TestFacadeDriftIsDetected(t *testing.T) {
	copyPackage := func(t *testing.T) string {
		dir := t.TempDir()
		entries, err := os.ReadDir(".")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
				continue
			}
			b, err := os.ReadFile(e.Name())
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	genPath := filepath.Join("..", "gen", "conductor.gen.go")
	t.Run("unchanged copy passes", func(t *testing.T) {
		if err := checkFacade(specPath, genPath, copyPackage(t)); err != nil {
			t.Fatalf("the check fails on an unmodified copy, so the cases below prove nothing: %v", err)
		}
	})
	for _, c := range []struct {
		name, file, add, want string
	}{
		{"hand edit of a wrapper", apigen.ServicesFile, "\nfunc (s *InvoicesService) Email() {}\n", "Email"},
		{"hand edit of a rule", apigen.RulesFile, "\nfunc checkNothing() {}\n", "checkNothing"},
		{"a hand-written type takes a generated name", "hand.go", "package conductor\n\n// Invoice is mine.\ntype Invoice struct{}\n", "Invoice = gen.Invoice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := copyPackage(t)
			path := filepath.Join(dir, c.file)
			b, _ := os.ReadFile(path)
			if err := os.WriteFile(path, append(b, c.add...), 0o644); err != nil {
				t.Fatal(err)
			}
			err := checkFacade(specPath, genPath, dir)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "make generate") {
				t.Errorf("checkFacade = %v; want a failure naming %q and the fix", err, c.want)
			}
		})
	}
}

// checkFacade compares the generated files in dir with what apigen makes.
func checkFacade(specPath, genPath, dir string) error {
	files, err := apigen.FacadeFiles(specPath, genPath, dir)
	if err != nil {
		return err
	}
	var problems []string
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if string(got) != string(want) {
			diff := cmp.Diff(strings.Split(string(got), "\n"), strings.Split(string(want), "\n"))
			if lines := strings.Split(diff, "\n"); len(lines) > 60 {
				diff = strings.Join(lines[:60], "\n") + fmt.Sprintf("\n... %d more lines", len(lines)-60)
			}
			problems = append(problems, fmt.Sprintf("conductor/%s is not what cmd/apigen makes of %s and %s (-committed +generated):\n%s", name, specPath, genPath, diff))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s\nfix: run `make generate` and commit conductor/*.gen.go. Never edit them by hand: change openapi.yaml, gen/ or internal/apigen instead.", strings.Join(problems, "\n"))
	}
	return nil
}
