package main

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/formatters"
	"github.com/oasdiff/oasdiff/load"
)

// spec is an OpenAPI document and where it came from.
type spec struct {
	name string // a path or URL, to resolve relative $refs and name it in output
	data []byte
}

// report is oasdiff's changelog between two specs.
type report struct {
	Changes checker.Changes
	// Text is the changelog as `oasdiff changelog` prints it, followed by
	// a line saying whether anything is breaking.
	Text string
}

// Breaking reports whether a change is breaking: oasdiff's level ERR.
func (r report) Breaking() bool { return r.Changes.HasLevelOrHigher(checker.ERR) }

// compare runs oasdiff's changelog from base to revision with the same
// defaults as the oasdiff command: every check, its default levels, header
// names compared case-insensitively.
func compare(base, revision spec) (report, error) {
	s1, err := loadSpec(base)
	if err != nil {
		return report{}, err
	}
	s2, err := loadSpec(revision)
	if err != nil {
		return report{}, err
	}
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	if err != nil {
		return report{}, fmt.Errorf("comparing %s with %s: %w", base.name, revision.name, err)
	}
	changes := checker.CheckBackwardCompatibilityUntilLevel(checker.NewConfig(checker.GetAllChecks()), d, sources, checker.INFO)
	f, err := formatters.Lookup(string(formatters.FormatText), formatters.FormatterOpts{
		Language:        "en",
		BaseVersion:     s1.GetVersion(),
		RevisionVersion: s2.GetVersion(),
	})
	if err != nil {
		return report{}, err
	}
	text, err := f.RenderChangelog(changes, formatters.RenderOpts{ColorMode: checker.ColorNever, DiffEmpty: d.Empty()})
	if err != nil {
		return report{}, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Changes from %s to %s:\n%s\n", base.name, revision.name, strings.TrimRight(string(text), "\n"))
	counts := changes.GetLevelCount()
	if n := counts[checker.ERR]; n > 0 {
		fmt.Fprintf(&b, "BREAKING: %d breaking change(s) (error), %d warning(s); see above.\n", n, counts[checker.WARN])
	} else {
		fmt.Fprintf(&b, "No breaking changes (%d warning(s), %d info).\n", counts[checker.WARN], counts[checker.INFO])
	}
	return report{Changes: changes, Text: b.String()}, nil
}

func loadSpec(s spec) (*load.SpecInfo, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	loader.IncludeOrigin = true
	loc, err := url.Parse(s.name)
	if err != nil || loc.Scheme == "" {
		abs, err := filepath.Abs(s.name)
		if err != nil {
			return nil, err
		}
		loc = &url.URL{Path: filepath.ToSlash(abs)}
	}
	doc, err := loader.LoadFromDataWithPath(s.data, loc)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", s.name, err)
	}
	info := &load.SpecInfo{Url: s.name, Spec: doc}
	if doc.Info != nil {
		info.Version = doc.Info.Version
	}
	infos, err := load.WithLowercaseHeaders()(loader, []*load.SpecInfo{info})
	if err != nil {
		return nil, err
	}
	return infos[0], nil
}
