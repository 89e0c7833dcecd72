// Command apigen writes what internal/apigen derives from openapi.yaml. It
// is run by `make generate`, from the go:generate lines of gen/doc.go,
// conductor/doc.go and internal/embeddedspec:
//
//	apigen overlay -spec SPEC -o FILE             the overlay oapi-codegen applies
//	apigen facade -spec SPEC -gen GENFILE -dir DIR  the facade's aliases and wrappers
//	apigen embed -spec SPEC -o FILE               the spec the fake and the command embed
//
// facade writes api.gen.go and types.gen.go in DIR, package conductor,
// and reads the hand-written files there for the names they declare.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/seed-6dcb809e/conductor-go/internal/apigen"
)

const usage = `usage:
  apigen overlay -spec SPEC -o FILE
  apigen facade -spec SPEC -gen GENFILE -dir DIR
  apigen embed -spec SPEC -o FILE
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
	out := fs.String("o", "", "the file to write (overlay, embed)")
	genFile := fs.String("gen", "", "the generated client (facade)")
	dir := fs.String("dir", "", "the directory of package conductor (facade)")
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
		err = transform(*spec, *out, apigen.Overlay)
	case args[0] == "embed" && *out != "":
		err = transform(*spec, *out, apigen.EmbeddedSpec)
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
