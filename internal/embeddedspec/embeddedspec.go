// Package embeddedspec is openapi.yaml as the fake (conductor/conductortest)
// reads it: embedded in its programs as an archive of one document per
// resource (internal/apigen.EmbeddedSpec), of which a program decodes the
// index the first time it asks, once per process, and each resource's
// document only when it uses that resource. A program that starts no fake
// pays nothing for it, and one that does pays for the resources it
// touches, not for the 3 MB document. The command (cmd/conductor) does
// not read it: its table of operations is generated from the same
// document (cmd/conductor/spectable.gen.go); its tests check the two
// agree. Nothing here is edited by hand: change openapi.yaml and run
// `make generate`.
//
// A program importing conductor does not link it (footprint_test.go
// holds that): only the fake and the command need the document.
package embeddedspec

import (
	"archive/zip"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

//go:generate go run ../../cmd/apigen embed -spec ../../openapi.yaml -o openapi.zip

// archive is what internal/apigen.EmbeddedSpec makes of openapi.yaml.
//
//go:embed openapi.zip
var archive []byte

// Spec is the archive's index, and its documents on demand.
type Spec struct {
	apispec.ArchiveIndex
	files map[string]*zip.File
}

// Load decodes the index the first time it is called and returns the
// same Spec, or error, ever after.
var Load = sync.OnceValues(func() (*Spec, error) {
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		return nil, fmt.Errorf("embeddedspec: %w", err)
	}
	s := &Spec{files: map[string]*zip.File{}}
	for _, f := range zr.File {
		s.files[f.Name] = f
	}
	index, err := s.entry(apispec.IndexEntry)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(index, &s.ArchiveIndex); err != nil {
		return nil, fmt.Errorf("embeddedspec: the index: %w", err)
	}
	return s, nil
})

// Resource is the document of the resource named key (apispec.ResourceKey),
// as compact JSON: the resource's operations and every component they
// reach.
func (s *Spec) Resource(key string) ([]byte, error) {
	res, ok := s.Resources[key]
	if !ok {
		return nil, fmt.Errorf("embeddedspec: the spec has no resource %q", key)
	}
	return s.entry(res.Entry)
}

func (s *Spec) entry(name string) ([]byte, error) {
	f, ok := s.files[name]
	if !ok {
		return nil, fmt.Errorf("embeddedspec: the archive has no %s", name)
	}
	r, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("embeddedspec: %s: %w", name, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r) // the zip reader checks each entry's CRC at its end
	if err != nil {
		return nil, fmt.Errorf("embeddedspec: %s: %w", name, err)
	}
	return b, nil
}

// Document is the whole document again, as compact JSON: every
// resource's and what no operation reaches, merged. Only tests need it.
func (s *Spec) Document() ([]byte, error) {
	whole := map[string]any{}
	names := []string{apispec.RestEntry}
	for _, key := range slices.Sorted(maps.Keys(s.Resources)) {
		names = append(names, s.Resources[key].Entry)
	}
	for _, name := range names {
		b, err := s.entry(name)
		if err != nil {
			return nil, err
		}
		var part map[string]any
		if err := json.Unmarshal(b, &part); err != nil {
			return nil, fmt.Errorf("embeddedspec: %s: %w", name, err)
		}
		merge(whole, part)
	}
	return json.Marshal(whole)
}

// merge adds what src holds to dst, object by object; the parts agree on
// every value they share.
func merge(dst, src map[string]any) {
	for k, v := range src {
		d, dOK := dst[k].(map[string]any)
		s, sOK := v.(map[string]any)
		if dOK && sOK {
			merge(d, s)
			continue
		}
		dst[k] = v
	}
}
