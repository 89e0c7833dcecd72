// Package mutation reads the catalogue of hand-written mutants
// (catalogue.txt) and applies one to a copy of its file. Each mutant is a
// one-line change of the kind a plausible bug makes; the tests of the
// changed package should fail with it. The runner, ./mutate (make
// mutate), runs them all and reports the kill rate; this package's own
// test checks, in every test run, that each entry still applies, so that
// the catalogue stays true as the code changes.
//
// An entry is a block of "key: value" lines; blocks are separated by
// blank lines and lines starting with # are comments:
//
//	file: conductor/retry.go
//	find: attempt < c.maxRetries
//	replace: attempt <= c.maxRetries
//	bug: one retry more than asked for
//	packages: ./cmd/conductor
//
// find is the exact text of one line, or a part of one, that occurs
// exactly once in file (leading and trailing spaces of a value are not
// part of it); replace is what it becomes (empty to delete it); packages,
// optional, lists packages whose tests also run, besides file's own.
// Where only the line break and indentation before the text tell one
// place from another, write find (and replace) as a Go string literal
// under find.q (and replace.q): find.q: "\n\tx--".
package mutation

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Catalogue is catalogue.txt, the mutants.
//
//go:embed catalogue.txt
var Catalogue []byte

// Mutant is one entry of the catalogue.
type Mutant struct {
	Line     int      // of the catalogue, where the entry starts
	File     string   // slash-separated, relative to the module's root
	Find     string   // the original text
	Replace  string   // what it becomes
	Bug      string   // the bug it models
	Packages []string // more packages to test, as go test names them
}

// Name is how reports name the mutant: its file and catalogue line.
func (m Mutant) Name() string { return fmt.Sprintf("catalogue.txt:%d %s", m.Line, m.File) }

// Parse reads a catalogue.
func Parse(catalogue []byte) ([]Mutant, error) {
	var (
		out  []Mutant
		cur  *Mutant
		seen map[string]bool
		errs []error
	)
	finish := func() {
		if cur == nil {
			return
		}
		switch {
		case !seen["file"] || !seen["find"] || !seen["replace"] || !seen["bug"]:
			errs = append(errs, fmt.Errorf("catalogue.txt:%d: an entry needs file, find, replace and bug", cur.Line))
		case cur.Find == "":
			errs = append(errs, fmt.Errorf("catalogue.txt:%d: find is empty", cur.Line))
		case strings.Count(cur.Find, "\n") != strings.Count(cur.Replace, "\n"):
			errs = append(errs, fmt.Errorf("catalogue.txt:%d: find and replace differ in lines; a mutant changes one line", cur.Line))
		case cur.Find == cur.Replace:
			errs = append(errs, fmt.Errorf("catalogue.txt:%d: replace is the same as find", cur.Line))
		default:
			out = append(out, *cur)
		}
		cur = nil
	}
	sc := bufio.NewScanner(bytes.NewReader(catalogue))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			finish()
			continue
		case strings.HasPrefix(trimmed, "#"):
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			errs = append(errs, fmt.Errorf("catalogue.txt:%d: %q is not key: value", n, line))
			continue
		}
		if cur == nil {
			cur, seen = &Mutant{Line: n}, map[string]bool{}
		}
		value = strings.TrimSpace(value)
		if base, ok := strings.CutSuffix(key, ".q"); ok && (base == "find" || base == "replace") {
			unquoted, err := strconv.Unquote(value)
			if err != nil {
				errs = append(errs, fmt.Errorf("catalogue.txt:%d: %s is not a Go string literal: %v", n, key, err))
			}
			key, value = base, unquoted
		}
		if seen[key] {
			errs = append(errs, fmt.Errorf("catalogue.txt:%d: %s given twice in one entry", n, key))
		}
		seen[key] = true
		switch key {
		case "file":
			cur.File = value
		case "find":
			cur.Find = value
		case "replace":
			cur.Replace = value
		case "bug":
			cur.Bug = value
		case "packages":
			cur.Packages = strings.Fields(value)
		default:
			errs = append(errs, fmt.Errorf("catalogue.txt:%d: unknown key %q (want file, find, replace, bug or packages)", n, key))
		}
	}
	finish()
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// Apply returns the content of m.File under root with the mutant
// applied, and the line it changed. It refuses a stale entry, one whose
// text is not in the file exactly once, and a mutant that leaves a file
// Go cannot parse.
func Apply(root string, m Mutant) (mutated []byte, line int, err error) {
	src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(m.File)))
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %v", m.Name(), err)
	}
	switch n := bytes.Count(src, []byte(m.Find)); n {
	case 1:
	case 0:
		return nil, 0, fmt.Errorf("%s: stale entry: %q is not in the file; update the entry to the code, or remove it", m.Name(), m.Find)
	default:
		return nil, 0, fmt.Errorf("%s: ambiguous entry: %q is in the file %d times; find must name one place (use more of the line)", m.Name(), m.Find, n)
	}
	at := bytes.Index(src, []byte(m.Find))
	line = 1 + bytes.Count(src[:at], []byte("\n"))
	mutated = make([]byte, 0, len(src)+len(m.Replace))
	mutated = append(append(append(mutated, src[:at]...), m.Replace...), src[at+len(m.Find):]...)
	if _, err := parser.ParseFile(token.NewFileSet(), m.File, mutated, parser.SkipObjectResolution); err != nil {
		return nil, 0, fmt.Errorf("%s: the mutant does not parse: %v", m.Name(), err)
	}
	return mutated, line, nil
}

// Root returns the module's root: the nearest directory at or above dir
// that holds go.mod.
func Root(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod at or above %s", dir)
		}
	}
}
