package mutation_test

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/internal/mutation"
)

// TestEveryEntryApplies is the cheap check of the catalogue, run with
// every test: each entry names a file and a text that is in it exactly
// once, and the mutant still parses. Running the mutants is make mutate's
// job; this keeps the catalogue true as the code changes.
func TestEveryEntryApplies(t *testing.T) {
	mutants, err := mutation.Parse(mutation.Catalogue)
	if err != nil {
		t.Fatal(err)
	}
	if len(mutants) < 130 {
		t.Errorf("the catalogue has %d mutants; the published kill rate is over at least 130", len(mutants))
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := mutation.Root(wd)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, m := range mutants {
		if _, _, err := mutation.Apply(root, m); err != nil {
			t.Error(err)
		}
		if strings.HasSuffix(m.File, "_test.go") || strings.HasSuffix(m.File, ".gen.go") {
			t.Errorf("%s: mutants change the code under test, not tests or generated code", m.Name())
		}
		key := m.File + "\x00" + m.Find + "\x00" + m.Replace
		if first, ok := seen[key]; ok {
			t.Errorf("%s: the same mutant as catalogue.txt:%d", m.Name(), first)
		}
		seen[key] = m.Line
	}
}

// TestARefusedEntrySaysWhy: a stale, an ambiguous and an unparsable
// entry are refused, each with its reason, and a good one changes just
// its text.
func TestARefusedEntrySaysWhy(t *testing.T) {
	root := t.TempDir()
	src := "package p\n\nfunc f(a, b int) bool {\n\treturn a < b && b < 10\n}\n"
	if err := os.WriteFile(root+"/p.go", []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	catalogue := `# a comment
file: p.go
find: a < b
replace: a <= b
bug: off by one

file: p.go
find: x > y
replace: x >= y
bug: stale

file: p.go
find: <
replace: >
bug: ambiguous

file: p.go
find: && b < 10
replace: && b < (10
bug: does not parse
packages: ./q ./r
`
	mutants, err := mutation.Parse([]byte(catalogue))
	if err != nil {
		t.Fatal(err)
	}
	if len(mutants) != 4 || !cmp.Equal(mutants[3].Packages, []string{"./q", "./r"}) || mutants[0].Line != 2 {
		t.Fatalf("parsed %+v", mutants)
	}
	got, line, err := mutation.Apply(root, mutants[0])
	if want := strings.Replace(src, "a < b", "a <= b", 1); err != nil || string(got) != want || line != 4 {
		t.Errorf("Apply = %q, line %d, %v; want %q at line 4", got, line, err, want)
	}
	for i, want := range map[int]string{1: "stale entry", 2: "ambiguous entry", 3: "does not parse"} {
		if _, _, err := mutation.Apply(root, mutants[i]); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("entry %d: err = %v, want %q", i, err, want)
		}
	}
	for _, bad := range []string{"file: p.go\nfind: a\n", "file: p.go\nfind: a\nreplace: a\nbug: same\n", "fle: p.go\n", "file: p.go\nfile: q.go\nfind: a\nreplace: b\nbug: twice\n"} {
		if _, err := mutation.Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q) accepted it", bad)
		}
	}
}
