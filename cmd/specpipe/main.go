// Command specpipe takes a new version of Conductor's OpenAPI document into
// this repository. It is run by the Makefile:
//
//	specpipe diff [-base openapi.yaml] SPEC     (make spec-diff SPEC=...)
//	specpipe update [-spec openapi.yaml] SPEC   (part of make update-spec SPEC=...)
//	specpipe notes -base OLD.yaml SPEC          (make release-notes FROM=<git ref>)
//
// SPEC is a file, or an http(s) URL when the network allows.
//
// diff prints the changelog from the base document to SPEC, as oasdiff
// reports it, and exits 1 when a change is breaking (oasdiff level ERR).
// SPEC is compared as update would write it, that is with this
// repository's local additions (see localSchemas) added back.
//
// update replaces the spec file with SPEC, adding back the local additions
// SPEC lacks. Regenerating and the report are the Makefile's next steps.
//
// notes writes the API part of the next CHANGELOG.md entry from the changes
// between OLD.yaml and SPEC, as Markdown under Keep a Changelog's headings,
// breaking changes marked (see releaseNotes); it exits 0 whatever they are.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

const usage = `usage:
  specpipe diff [-base openapi.yaml] SPEC     print the changelog to SPEC; exit 1 on breaking changes
  specpipe update [-spec openapi.yaml] SPEC   replace the spec with SPEC, keeping the local additions
  specpipe notes -base OLD.yaml SPEC          print the changelog entry's API part from OLD.yaml to SPEC
SPEC is a file or an http(s) URL.
`

// Exit codes: 1 means the report found breaking changes, 2 that the command
// could not do its job.
const (
	exitBreaking = 1
	exitFailure  = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitFailure
	}
	fs := flag.NewFlagSet("specpipe "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	var file *string
	switch args[0] {
	case "diff":
		file = fs.String("base", "openapi.yaml", "the committed spec to compare with")
	case "update":
		file = fs.String("spec", "openapi.yaml", "the spec file to replace")
	case "notes":
		file = fs.String("base", "", "the spec of the last release (required)")
	default:
		fmt.Fprintf(stderr, "specpipe: unknown command %q\n%s", args[0], usage)
		return exitFailure
	}
	src, ok := parse(fs, args[1:])
	if !ok {
		return exitFailure
	}
	var breaking bool
	var err error
	switch args[0] {
	case "diff":
		breaking, err = diffCommand(*file, src, stdout)
	case "update":
		err = updateCommand(*file, src, stdout)
	case "notes":
		if *file == "" {
			fmt.Fprintf(stderr, "specpipe notes: -base is required\n%s", usage)
			return exitFailure
		}
		err = notesCommand(*file, src, stdout, stderr)
	}
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "specpipe %s: %v\n", args[0], err)
		return exitFailure
	case breaking:
		return exitBreaking
	}
	return 0
}

// parse parses flags and returns the one SPEC argument.
func parse(fs *flag.FlagSet, args []string) (string, bool) {
	if err := fs.Parse(args); err != nil {
		return "", false
	}
	if fs.NArg() != 1 || fs.Arg(0) == "" {
		fmt.Fprintf(fs.Output(), "%s: want exactly one SPEC (a file or URL), got %q\n%s", fs.Name(), fs.Args(), usage)
		return "", false
	}
	return fs.Arg(0), true
}

// diffCommand prints the changelog from base to candidate and reports
// whether it has a breaking change.
func diffCommand(base, candidate string, stdout io.Writer) (bool, error) {
	baseData, err := readSpec(base)
	if err != nil {
		return false, err
	}
	candData, err := readSpec(candidate)
	if err != nil {
		return false, err
	}
	merged, _, err := mergeLocalAdditions(candData, baseData)
	if err != nil {
		return false, fmt.Errorf("%s: %w", candidate, err)
	}
	r, err := compare(spec{base, baseData}, spec{candidate, merged})
	if err != nil {
		return false, err
	}
	fmt.Fprint(stdout, r.Text)
	return r.Breaking(), nil
}

// updateCommand writes candidate, with the local additions of target
// that it lacks, over target.
func updateCommand(target, candidate string, stdout io.Writer) error {
	current, err := os.ReadFile(target)
	if err != nil {
		return err
	}
	candData, err := readSpec(candidate)
	if err != nil {
		return err
	}
	merged, added, err := mergeLocalAdditions(candData, current)
	if err != nil {
		return fmt.Errorf("%s: %w", candidate, err)
	}
	if err := os.WriteFile(target, merged, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s now holds %s", target, candidate)
	if len(added) > 0 {
		fmt.Fprintf(stdout, ", with the local additions it lacked: %s", strings.Join(added, ", "))
	}
	fmt.Fprintln(stdout)
	return nil
}

// maxSpecBytes bounds a downloaded spec; Conductor's whole published spec
// is about 3 MB.
const maxSpecBytes = 64 << 20

// readSpec reads a spec from a file, or downloads it from an http(s) URL.
func readSpec(src string) ([]byte, error) {
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		return os.ReadFile(src)
	}
	c := &http.Client{Timeout: 2 * time.Minute}
	resp, err := c.Get(src)
	if err != nil {
		return nil, fmt.Errorf("downloading the spec (this needs network access; or download it yourself and pass the file): %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("downloading %s: %s", src, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxSpecBytes+1))
	if err != nil {
		return nil, fmt.Errorf("downloading %s: %w", src, err)
	}
	if len(b) > maxSpecBytes {
		return nil, errors.New("downloading " + src + ": more than 64 MiB, which is no OpenAPI document of Conductor's")
	}
	return b, nil
}
