// Command apigen writes what internal/apigen derives from openapi.yaml. It
// is run by `make generate`, from the go:generate lines of gen/doc.go,
// conductor/doc.go and internal/embeddedspec:
//
//	apigen overlay -spec SPEC [-prev FILE] -o FILE  the overlay oapi-codegen applies
//	apigen facade -spec SPEC -gen GENFILE -dir DIR  the facade's aliases and wrappers
//	apigen embed -spec SPEC -o FILE               the spec the fake and the command embed
//	apigen cmdtable -spec SPEC -o FILE            the command's table of operations
//
// overlay keeps the names of types that the overlay at -prev (the one it
// wrote last time, usually -o itself) published; a -prev that does not
// exist is a first generation, named by the rules alone. facade reads the
// overlay beside GENFILE for the same names, and writes api.gen.go, types.gen.go and rules.gen.go in DIR, package conductor,
// and reads the hand-written files there for the names they declare.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/seed-6dcb809e/conductor-go/internal/apigen"
)

const usage = `usage:
  apigen overlay -spec SPEC [-prev FILE] -o FILE
  apigen facade -spec SPEC -gen GENFILE -dir DIR
  apigen embed -spec SPEC -o FILE
  apigen cmdtable -spec SPEC -o FILE
`

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet("apigen "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	spec := fs.String("spec", "", "the OpenAPI document")
	out := fs.String("o", "", "the file to write (overlay, embed, cmdtable)")
	genFile := fs.String("gen", "", "the generated client (facade)")
	dir := fs.String("dir", "", "the directory of package conductor (facade)")
	prev := fs.String("prev", "", "the overlay written last time, whose names are kept (overlay; missing: none)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() != 0 || *spec == "" {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch {
	case args[0] == "overlay" && *out != "":
		err = transform(*spec, *out, func(spec []byte) ([]byte, error) {
			previous, err := readPrevious(*prev)
			if err != nil {
				return nil, err
			}
			return apigen.Overlay(spec, previous)
		})
	case args[0] == "embed" && *out != "":
		err = transform(*spec, *out, apigen.EmbeddedSpec)
	case args[0] == "cmdtable" && *out != "":
		err = transform(*spec, *out, apigen.CommandTable)
	case args[0] == "facade" && *genFile != "" && *dir != "":
		err = facade(*spec, *genFile, *dir)
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "apigen %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// transform writes to out what derive makes of the spec at specPath.
func transform(specPath, out string, derive func([]byte) ([]byte, error)) error {
	spec, err := os.ReadFile(specPath)
	if err != nil {
		return err
	}
	data, err := derive(spec)
	if err != nil {
		return err
	}
	return os.WriteFile(out, data, 0o644)
}

// readPrevious reads the overlay written last time; none ("" or a file
// that does not exist) is a first generation.
func readPrevious(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

func facade(specPath, genPath, dir string) error {
	files, err := apigen.FacadeFiles(specPath, genPath, dir)
	if err != nil {
		return err
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
