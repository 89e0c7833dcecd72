// Package embeddedspec is openapi.yaml as the fake (conductor/conductortest)
// reads it: embedded in its programs, and decoded the first time one
// asks, once per process, so that a program that starts no fake pays
// nothing for it. The command (cmd/conductor) does not read it: its
// table of operations is generated from the same document
// (cmd/conductor/spectable.gen.go), so that a command decodes only the
// operation it runs; its tests check the two agree. Nothing here is edited by hand: change openapi.yaml and run
// `make generate`.
//
// A program importing conductor does not link it (footprint_test.go
// holds that): only the fake and the command need the document.
package embeddedspec

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"sync"

	"github.com/seed-6dcb809e/conductor-go/internal/apispec"
)

//go:generate go run ../../cmd/apigen embed -spec ../../openapi.yaml -o openapi.json.gz

// compressed is what internal/apigen.EmbeddedSpec makes of openapi.yaml.
//
//go:embed openapi.json.gz
var compressed []byte

// Spec is the document, decoded.
type Spec struct {
	// JSON is the document as compact JSON, for readers of their own
	// (kin-openapi's loader). The document decoded
	// whole is not kept: some 10 MiB that neither needs.
	JSON []byte
	// Operations are the document's operations, named by internal/apispec.
	Operations []apispec.Operation
}

// Load decodes the document the first time it is called and returns the
// same Spec, or error, ever after.
var Load = sync.OnceValues(func() (*Spec, error) {
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return nil, fmt.Errorf("embeddedspec: %w", err)
	}
	js, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("embeddedspec: %w", err)
	}
	parsed, err := apispec.Parse(js)
	if err != nil {
		return nil, err
	}
	ops, err := parsed.Operations()
	if err != nil {
		return nil, err
	}
	return &Spec{JSON: js, Operations: ops}, nil
})
