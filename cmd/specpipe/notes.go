package main

import (
	"cmp"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/oasdiff/oasdiff/checker"
	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

// notesCommand writes the API part of the next CHANGELOG.md entry, from
// the changes between the base spec and candidate, in Keep a Changelog's
// sections. It is `make release-notes FROM=<git ref>`, whose base is
// openapi.yaml at that ref, so that a spec update comes with its notes.
// It does not add the local additions back (both sides are this
// repository's openapi.yaml, which has them) and does not fail on
// breaking changes: it describes them.
func notesCommand(base, candidate string, stdout, stderr io.Writer) error {
	baseData, err := readSpec(base)
	if err != nil {
		return err
	}
	candData, err := readSpec(candidate)
	if err != nil {
		return err
	}
	r, err := compare(spec{base, baseData}, spec{candidate, candData})
	if err != nil {
		return err
	}
	names := map[string]string{}
	// Removed operations are named from the base, the rest from the
	// candidate, which wins where both have an operation.
	for _, s := range []spec{{base, baseData}, {candidate, candData}} {
		if err := addGoNames(names, s.data); err != nil {
			// The notes are still right without the Go names; the facade
			// itself cannot be generated from such a spec, which
			// `make generate` will say.
			fmt.Fprintf(stderr, "specpipe notes: %s: %v; operations are named by method and path only\n", s.name, err)
		}
	}
	fmt.Fprint(stdout, releaseNotes(r.Changes, names))
	return nil
}

// addGoNames maps "METHOD /path" to the facade method that calls it, such
// as client.QBD.Invoices.List, as internal/apispec names it: the notes are
// read by Go programmers, who look for the method, not the path.
func addGoNames(names map[string]string, data []byte) error {
	s, err := apispec.Parse(data)
	if err != nil {
		return err
	}
	ops, err := s.Operations()
	if err != nil {
		return err
	}
	for _, o := range ops {
		parts := slices.DeleteFunc([]string{"client", apispec.Exported(o.Namespace), o.GoResource(), o.GoMethod()}, func(s string) bool { return s == "" })
		names[o.Method+" "+o.Path] = strings.Join(parts, ".")
	}
	return nil
}

// section is one of Keep a Changelog's headings, in the order it gives them.
type section int

const (
	added section = iota
	changed
	deprecated
	removed
	skipped // not part of the API a caller sees
)

var sectionTitles = [...]string{added: "Added", changed: "Changed", deprecated: "Deprecated", removed: "Removed"}

// Which of oasdiff's checks is which section. Checks not named here are
// Changed: they change what an existing operation, parameter or field
// accepts or returns (a type, a bound, a pattern, nullability).
var (
	// addedChecks are a new operation, parameter, field, body or enum
	// value: new names or values in the facade.
	addedChecks = regexp.MustCompile(`^(endpoint-added|new-.*|response-(optional|required)-property-added|request-body-added-.*|.*enum-value-added)$`)
	// removedChecks are an operation, component schema (a type of the
	// facade), parameter, field, body or enum value gone: a name or value
	// the facade no longer has, which breaks a program that uses it
	// whatever oasdiff's level.
	removedChecks = regexp.MustCompile(`^(api-(path-)?removed-.*|api-schema-removed|request-(parameter|property)-removed.*|response-(optional|required)-property-removed.*|request-body-removed|.*enum-value-removed)$`)
	// deprecatedChecks mark what a later spec may remove.
	deprecatedChecks = regexp.MustCompile(`^.*-deprecated$`)
	// skippedChecks are about the document, not the API: its version
	// field, tags and operationIds (the overlay gives operations their
	// own ids, so the facade's names do not follow the spec's).
	skippedChecks = regexp.MustCompile(`^api-(version-.*|tag-.*|operation-id-.*)$`)
)

func sectionOf(id string) section {
	switch {
	case skippedChecks.MatchString(id):
		return skipped
	case removedChecks.MatchString(id):
		return removed
	case addedChecks.MatchString(id):
		return added
	case deprecatedChecks.MatchString(id):
		return deprecated
	}
	return changed
}

// note is one line of the notes: one change, with every operation it
// touches.
type note struct {
	breaking bool
	text     string
	ops      []string // facade names with method and path, sorted
}

// releaseNotes renders changes as Markdown under "### Added", "### Changed",
// "### Deprecated" and "### Removed", each heading only when it has lines.
// A change is **Breaking** when it removes something, or when oasdiff
// rates it a warning or an error. The same change to many operations (a
// new enum value on every transaction) is one line naming them all, so
// that the notes stay readable. Everything is sorted, breaking lines first
// and then by text, so that the same two specs always give the same
// notes, which a test and a reviewer can diff.
func releaseNotes(changes checker.Changes, names map[string]string) string {
	l := checker.NewDefaultLocalizer()
	type key struct {
		sec      section
		breaking bool
		text     string
	}
	groups := map[key]map[string]bool{}
	for _, c := range changes {
		sec := sectionOf(c.GetId())
		if sec == skipped {
			continue
		}
		k := key{sec, sec == removed || c.GetLevel() >= checker.WARN, c.GetUncolorizedText(l)}
		op := ""
		if c.GetOperation() != "" {
			op = opName(c.GetOperation()+" "+c.GetPath(), names)
		}
		// An operation added or removed is a line of its own, by its
		// name: a spec that adds a resource adds several, which read
		// better as a list than as one line.
		switch id := c.GetId(); {
		case id == "endpoint-added" && op != "":
			k.text, op = op+": new operation", ""
		case sec == removed && strings.HasPrefix(id, "api-") && op != "":
			k.text, op = op+": operation removed", ""
		}
		if groups[k] == nil {
			groups[k] = map[string]bool{}
		}
		if op != "" {
			groups[k][op] = true
		}
	}
	bySection := map[section][]note{}
	for k, ops := range groups {
		n := note{breaking: k.breaking, text: k.text}
		for op := range ops {
			n.ops = append(n.ops, op)
		}
		slices.Sort(n.ops)
		bySection[k.sec] = append(bySection[k.sec], n)
	}
	if len(bySection) == 0 {
		return "No changes to the API.\n"
	}
	var b strings.Builder
	for sec := added; sec < skipped; sec++ {
		notes := bySection[sec]
		if len(notes) == 0 {
			continue
		}
		slices.SortFunc(notes, func(a, b note) int {
			if a.breaking != b.breaking {
				if a.breaking {
					return -1
				}
				return 1
			}
			return cmp.Or(strings.Compare(a.text, b.text), slices.Compare(a.ops, b.ops))
		})
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "### %s\n\n", sectionTitles[sec])
		for _, n := range notes {
			b.WriteString("- ")
			if n.breaking {
				b.WriteString("**Breaking:** ")
			}
			b.WriteString(n.text)
			if len(n.ops) > 0 {
				b.WriteString(": " + strings.Join(n.ops, ", "))
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// opName is an operation as the notes name it: its facade method and its
// method and path ("`client.QBD.Invoices.List` (`GET /quickbooks-desktop/invoices`)"),
// or the method and path alone when the spec gives it no facade name.
func opName(methodPath string, names map[string]string) string {
	if n, ok := names[methodPath]; ok {
		return "`" + n + "` (`" + methodPath + "`)"
	}
	return "`" + methodPath + "`"
}
