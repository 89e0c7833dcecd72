package gen_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/util"
	"github.com/seed-6dcb809e/conductor-go/internal/apigen"
	"go.yaml.in/yaml/v3"
)

// handWritten is the one file of gen/ written by hand, relative to gen/:
// DateTime, the type the overlay gives the date and time filters, and the
// names of the format types (see gen/doc.go).
const handWritten = "values.go"

// fixCommand is what a developer runs to bring gen/ back in line.
const fixCommand = "make generate"

// generatorModule is the module whose cmd/oapi-codegen `make generate` runs.
const generatorModule = "github.com/oapi-codegen/oapi-codegen/v2"

// generateDirective is the start of every //go:generate line in gen/: the
// rest of the line is oapi-codegen's flags and the spec, paths relative to
// the directory of the doc.go that holds the line.
const generateDirective = "//go:generate go run " + generatorModule + "/cmd/oapi-codegen "

// TestGeneratedCodeIsUpToDate regenerates every package in gen/ in memory
// exactly as `make generate` does (with the flags and config that each
// doc.go's go:generate line names, the same spec, the same pinned
// generator) and fails, with a diff and the command that fixes it, when a
// committed file differs by a single byte, or when gen/ holds a file
// nothing generates.
func TestGeneratedCodeIsUpToDate(t *testing.T) {
	if err := checkGen(".", pinnedGeneratorVersion(t)); err != nil {
		t.Fatal(err)
	}
}

// TestDriftIsDetected proves that each kind of drift the check exists for
// makes it fail: it mutates a copy of the repository's spec, config, doc.go
// files and generated files in a temporary directory and runs the same
// check.
func TestDriftIsDetected(t *testing.T) {
	version := pinnedGeneratorVersion(t)
	directives, err := findDirectives(".")
	if err != nil {
		t.Fatal(err)
	}

	// copyRepo lays out gen/ and the files its go:generate lines read as
	// in the repository, so the paths in doc.go resolve the same way, but
	// with testdata/openapi.yaml, a small spec, as the spec: each case
	// regenerates in milliseconds rather than seconds, and its diff shows
	// the change it looks for. The generated files of the copy are made
	// by the check's own generators, in the order go generate runs them.
	small, err := os.ReadFile(filepath.Join("testdata", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	copyRepo := func(t *testing.T) (root, genDir string) {
		root = t.TempDir()
		genDir = filepath.Join(root, "gen")
		files := map[string]bool{}
		specs := map[string]bool{}
		for _, d := range directives {
			files[filepath.Join(d.dir, "doc.go")] = true
			specs[filepath.Join(d.dir, d.spec)] = true
			if d.config != "" {
				files[filepath.Join(d.dir, d.config)] = true
			}
		}
		copyFile := func(from string, data []byte) {
			// from is relative to gen/; in the copy, to its gen/.
			to := filepath.Join(genDir, from)
			if rel, err := filepath.Rel(root, to); err != nil || strings.HasPrefix(rel, "..") {
				t.Fatalf("%s lies outside the repository; this test cannot copy it", from)
			}
			write(t, to, data)
		}
		for f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			copyFile(f, b)
		}
		for f := range specs {
			copyFile(f, small)
		}
		copied, err := findDirectives(genDir)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range copied {
			out, err := produce(d, version)
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(d.dir, d.output), []byte(out))
		}
		return root, genDir
	}
	// edit replaces old with new, which must occur exactly once, in path.
	edit := func(t *testing.T, path, old, new string) {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(b, []byte(old)); n != 1 {
			t.Fatalf("%s contains %q %d times, want once: update this test", path, old, n)
		}
		write(t, path, bytes.Replace(b, []byte(old), []byte(new), 1))
	}

	t.Run("unchanged copy passes", func(t *testing.T) {
		_, genDir := copyRepo(t)
		if err := checkGen(genDir, version); err != nil {
			t.Fatalf("the check fails on an unmodified copy, so the cases below prove nothing: %v", err)
		}
	})

	cases := []struct {
		name string
		// mutate changes the copy rooted at root; it returns the generator
		// version to check with.
		mutate func(t *testing.T, root string) string
		// want are substrings the error must contain besides fixCommand,
		// showing that the message points at the change; notWant must not
		// be in it, showing that it points at nothing else.
		want, notWant []string
	}{
		{
			name: "hand edit in gen",
			mutate: func(t *testing.T, root string) string {
				edit(t, filepath.Join(root, "gen", "conductor.gen.go"), "type AuthSession struct {", "type AuthSession struct {\n\tHandAdded string")
				return version
			},
			want:    []string{"HandAdded", "conductor.gen.go"},
			notWant: []string{"overlay.yaml is not"},
		},
		{
			// A change to every line must still give a readable message.
			name: "hand edit everywhere, diff truncated",
			mutate: func(t *testing.T, root string) string {
				path := filepath.Join(root, "gen", "conductor.gen.go")
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				write(t, path, bytes.ReplaceAll(b, []byte("\n"), []byte(" \n")))
				return version
			},
			want: []string{"more lines of diff"},
		},
		{
			name: "spec edit without regeneration",
			mutate: func(t *testing.T, root string) string {
				edit(t, filepath.Join(root, "openapi.yaml"), "    auth_session:\n      type: object\n      properties:\n",
					"    auth_session:\n      type: object\n      properties:\n        nickname:\n          type: string\n")
				return version
			},
			want: []string{"Nickname", "conductor.gen.go"},
		},
		{
			name: "hand edit of the overlay",
			mutate: func(t *testing.T, root string) string {
				edit(t, filepath.Join(root, "gen", "overlay.yaml"), "operationId: InvoiceList", "operationId: ListInvoices")
				return version
			},
			want: []string{"overlay.yaml", "ListInvoices", "cmd/apigen"},
		},
		{
			// A new operation needs an operationId in the overlay and a
			// builder in the client.
			name: "operation added to the spec",
			mutate: func(t *testing.T, root string) string {
				edit(t, filepath.Join(root, "openapi.yaml"), "\npaths:\n", "\npaths:\n  /quickbooks-desktop/invoices/{id}:\n    get:\n      parameters:\n        - {in: path, name: id, required: true, schema: {type: string}}\n      responses:\n        \"200\":\n          description: An invoice.\n          content:\n            application/json:\n              schema:\n                $ref: \"#/components/schemas/qbd_invoice\"\n")
				return version
			},
			want: []string{"overlay.yaml", "operationId: InvoiceRetrieve", "conductor.gen.go"},
		},
		{
			name: "config change",
			mutate: func(t *testing.T, root string) string {
				edit(t, filepath.Join(root, "oapi-codegen.yaml"), "type: float64", "type: float32")
				return version
			},
			want:    []string{"LinkExpiryMins *float", `"32"`},
			notWant: []string{"overlay.yaml is not"},
		},
		{
			name: "generator version bump",
			mutate: func(t *testing.T, root string) string {
				return version + "-next"
			},
			want: []string{"Code generated by", "-next", "conductor.gen.go"},
		},
		{
			name: "file added to gen by hand",
			mutate: func(t *testing.T, root string) string {
				write(t, filepath.Join(root, "gen", "helpers.go"), []byte("package gen\n"))
				return version
			},
			want: []string{"gen/helpers.go is neither generated nor doc.go"},
		},
		{
			name: "package added to gen by hand",
			mutate: func(t *testing.T, root string) string {
				write(t, filepath.Join(root, "gen", "extra", "extra.go"), []byte("package extra\n"))
				return version
			},
			want: []string{"gen/extra/extra.go is neither generated nor doc.go"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root, genDir := copyRepo(t)
			v := c.mutate(t, root)
			err := checkGen(genDir, v)
			if err == nil {
				t.Fatal("the drift check passed; want it to fail")
			}
			for _, w := range append(c.want, fixCommand) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not contain %q:\n%v", w, err)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(err.Error(), w) {
					t.Errorf("the error names %q, which did not drift:\n%v", w, err)
				}
			}
			// Each file's diff is cut at maxDiffLines; the rest of its
			// message is a header line and the fix.
			for _, e := range unjoin(err) {
				if n := strings.Count(e.Error(), "\n"); n > maxDiffLines+3 {
					t.Errorf("a message has %d lines, want at most %d:\n%v", n, maxDiffLines+3, e)
				}
			}
		})
	}

	// The oapi-codegen command refuses a config with a key it does not
	// know; the check must refuse it too, or the two could disagree.
	t.Run("unknown config key", func(t *testing.T) {
		root, genDir := copyRepo(t)
		edit(t, filepath.Join(root, "oapi-codegen.yaml"), "package: gen\n", "package: gen\nskip-everything: true\n")
		err := checkGen(genDir, version)
		if err == nil || !strings.Contains(err.Error(), "skip-everything") {
			t.Fatalf("checkGen = %v; want an error naming the unknown key skip-everything", err)
		}
	})

	// A go:generate line the check cannot reproduce must fail it, not be
	// skipped: otherwise what it generates would go unchecked.
	t.Run("flag the check does not reproduce", func(t *testing.T) {
		root, genDir := copyRepo(t)
		edit(t, filepath.Join(root, "gen", "doc.go"), "-config ../oapi-codegen.yaml ", "-templates tmpl -config ../oapi-codegen.yaml ")
		err := checkGen(genDir, version)
		if err == nil || !strings.Contains(err.Error(), "templates") {
			t.Fatalf("checkGen = %v; want an error naming the flag -templates", err)
		}
	})
}

// write writes data to path, creating its directory.
func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// unjoin returns the errors joined in err, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// pinnedGeneratorVersion is the version of oapi-codegen that go.mod
// selects, which is what the command that `make generate` builds stamps
// into its output: run from this module, that command's build info names
// oapi-codegen as its main module at that version. A test binary's build
// info lists no dependencies, so the go command is asked, as `go run` would
// resolve it.
func pinnedGeneratorVersion(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-json", generatorModule).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%w: %s", err, ee.Stderr)
		}
		t.Fatalf("go list -m %s: %v: cannot tell which generator version gen/ must be stamped with", generatorModule, err)
	}
	var m struct {
		Version string
		Replace *struct{ Version string }
	}
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("go list -m -json %s: %v", generatorModule, err)
	}
	switch {
	case m.Replace != nil && m.Replace.Version == "":
		// A module replaced by a local directory is built as "(devel)".
		return "(devel)"
	case m.Replace != nil:
		return m.Replace.Version
	case m.Version == "":
		t.Fatalf("go list -m %s reports no version: cannot tell which generator version gen/ must be stamped with", generatorModule)
	}
	return m.Version
}

// checkGen checks every package under genDir: each go:generate line's
// output must be what the pinned generator, as generatorVersion, makes of
// the line's flags, config and spec; and every other file must be a doc.go
// holding such lines, a test, or gen/values.go, the one hand-written
// file (handWritten). It returns one error per problem, joined.
func checkGen(genDir, generatorVersion string) error {
	directives, err := findDirectives(genDir)
	if err != nil {
		return err
	}
	var errs []error
	generated := map[string]bool{}
	for _, d := range directives {
		if err := checkDrift(d, generatorVersion); err != nil {
			errs = append(errs, err)
		}
		generated[filepath.Join(d.dir, d.output)] = true
	}
	// A file added by hand is drift too: gen/ holds what `make generate`
	// writes, the doc.go files that say how, tests, and handWritten only.
	err = filepath.WalkDir(genDir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if e.Name() == "testdata" {
				return filepath.SkipDir // the tests' own inputs
			}
			return nil
		}
		rel, err := filepath.Rel(genDir, path)
		if err != nil {
			return err
		}
		if generated[path] || e.Name() == "doc.go" || strings.HasSuffix(e.Name(), "_test.go") || filepath.ToSlash(rel) == handWritten {
			return nil
		}
		errs = append(errs, fmt.Errorf("gen/%s is neither generated nor doc.go: gen/ holds only what `%s` writes; move it out of gen/",
			filepath.ToSlash(rel), fixCommand))
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// A directive is a //go:generate line in gen/: one that runs the pinned
// oapi-codegen, read as the command reads its arguments, or one that runs
// cmd/apigen to write the overlay oapi-codegen applies.
type directive struct {
	dir  string // the directory of the doc.go holding the line, where go generate runs it
	line string // the line as written, for messages

	// overlay says the line runs `apigen overlay -spec SPEC -o OUTPUT`.
	overlay bool

	config string // -config, relative to dir
	output string // the output file, relative to dir: the config's
	spec   string // the spec, relative to dir
	prev   string // apigen overlay's -prev, relative to dir: the names to keep
}

// findDirectives returns the go:generate lines of every doc.go under
// genDir. Each doc.go must hold at least one, and each go:generate line
// must be one this test reproduces, so that no generated file goes
// unchecked.
func findDirectives(genDir string) ([]directive, error) {
	var all []directive
	err := filepath.WalkDir(genDir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || e.Name() != "doc.go" {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var found []directive
		for line := range strings.Lines(string(b)) {
			line = strings.TrimSpace(line)
			if !strings.HasPrefix(line, "//go:generate ") {
				continue
			}
			d, err := parseDirective(filepath.Dir(path), line)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			found = append(found, d)
		}
		if len(found) == 0 {
			return fmt.Errorf("%s has no line starting %q; update this test with how its package is generated", path, generateDirective)
		}
		all = append(all, found...)
		return nil
	})
	if err == nil && len(all) == 0 {
		err = fmt.Errorf("no doc.go under %s says how gen/ is generated", genDir)
	}
	return all, err
}

// overlayDirective starts the go:generate line that writes gen/overlay.yaml
// from the spec: `-spec SPEC -o OUTPUT` follow, relative to the doc.go.
const overlayDirective = "//go:generate go run ../cmd/apigen overlay "

// parseDirective reads a go:generate line in dir as oapi-codegen (or
// apigen) reads its flags. It refuses any flag whose effect the check does
// not reproduce.
func parseDirective(dir, line string) (directive, error) {
	if rest, ok := strings.CutPrefix(line, overlayDirective); ok {
		d := directive{dir: dir, line: line, overlay: true}
		fset := flag.NewFlagSet("apigen overlay", flag.ContinueOnError)
		fset.SetOutput(io.Discard)
		fset.StringVar(&d.spec, "spec", "", "")
		fset.StringVar(&d.output, "o", "", "")
		fset.StringVar(&d.prev, "prev", "", "")
		if err := fset.Parse(strings.Fields(rest)); err != nil || fset.NArg() != 0 || d.spec == "" || d.output == "" {
			return directive{}, fmt.Errorf("go:generate line %q: want exactly -spec SPEC [-prev PREV] -o OUTPUT after %q", line, overlayDirective)
		}
		return d, nil
	}
	rest, ok := strings.CutPrefix(line, generateDirective)
	if !ok {
		return directive{}, fmt.Errorf("go:generate line %q starts neither %q nor %q; update this test with how it generates", line, generateDirective, overlayDirective)
	}
	if strings.ContainsAny(rest, "\"`") {
		return directive{}, fmt.Errorf("go:generate line %q quotes an argument; this test splits on spaces only", line)
	}
	d := directive{dir: dir, line: line}
	fset := flag.NewFlagSet("oapi-codegen", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	fset.StringVar(&d.config, "config", "", "")
	if err := fset.Parse(strings.Fields(rest)); err != nil || d.config == "" {
		return directive{}, fmt.Errorf("go:generate line %q: %v: the drift check reproduces only -config CONFIG SPEC; teach it the others as oapi-codegen applies them", line, err)
	}
	if fset.NArg() != 1 {
		return directive{}, fmt.Errorf("go:generate line %q: want one spec after the flags, got %q", line, fset.Args())
	}
	d.spec = fset.Arg(0)
	cfg, err := d.configuration()
	if err != nil {
		return directive{}, err
	}
	d.output = cfg.OutputFile
	return d, nil
}

// configuration is the oapi-codegen command's config file format: the
// codegen options plus the output file.
type configuration struct {
	codegen.Configuration `yaml:",inline"`
	OutputFile            string `yaml:"output,omitempty"`
}

// configuration is what the command makes of d: the config file, then
// the generator's defaults and validation.
func (d directive) configuration() (configuration, error) {
	cfg, err := loadConfig(filepath.Join(d.dir, d.config))
	if err != nil {
		return cfg, err
	}
	if cfg.OutputFile == "" {
		return cfg, fmt.Errorf("%s names no output file: `%s` would print the code instead of writing gen/", d.config, fixCommand)
	}
	if cfg.PackageName == "" {
		// The command would guess it by running go list; say it instead.
		return cfg, fmt.Errorf("%s names no package", d.config)
	}
	cfg.Configuration = cfg.UpdateDefaults()
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("go:generate line %q: configuration error: %w", d.line, err)
	}
	return cfg, nil
}

// checkDrift generates code as d says with oapi-codegen version
// generatorVersion, and returns an error with a diff and the fix when it
// differs from d's output file.
func checkDrift(d directive, generatorVersion string) error {
	got, err := produce(d, generatorVersion)
	if err != nil {
		return err
	}
	outPath := filepath.Join(d.dir, d.output)
	want, err := os.ReadFile(outPath)
	if err != nil {
		return fmt.Errorf("%w\nfix: run `%s` and commit gen/", err, fixCommand)
	}
	if string(want) == got {
		return nil
	}
	specPath := filepath.Join(d.dir, d.spec)
	if d.overlay {
		return fmt.Errorf("%s is not what cmd/apigen derives from %s (-committed +derived):\n%s\n"+
			"fix: run `%s` and commit gen/. Never edit the overlay by hand: it follows from the spec by the rules in internal/apigen.",
			outPath, specPath, lineDiff(string(want), got), fixCommand)
	}
	inputs := specPath
	if d.config != "" {
		inputs += " and " + filepath.Join(d.dir, d.config)
	}
	return fmt.Errorf("%s is not what oapi-codegen %s makes of %s with %q (-committed +regenerated):\n%s\n"+
		"fix: run `%s` and commit gen/. Never edit gen/ by hand: change %s or the go:generate line instead, then regenerate.",
		outPath, generatorVersion, inputs, d.line, lineDiff(string(want), got), fixCommand, inputs)
}

// produce is what `make generate` writes for d: the overlay apigen
// derives from the spec, or what oapi-codegen, as generatorVersion, makes
// of the spec with d's flags and config.
func produce(d directive, generatorVersion string) (string, error) {
	specPath := filepath.Join(d.dir, d.spec)
	if d.overlay {
		spec, err := os.ReadFile(specPath)
		if err != nil {
			return "", err
		}
		var previous []byte
		if d.prev != "" {
			// What make generate read: the overlay as committed (a
			// missing one is a first generation).
			previous, err = os.ReadFile(filepath.Join(d.dir, d.prev))
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return "", err
			}
		}
		out, err := apigen.Overlay(spec, previous)
		if err != nil {
			return "", fmt.Errorf("deriving the overlay from %s: %w", specPath, err)
		}
		return string(out), nil
	}
	cfg, err := d.configuration()
	if err != nil {
		return "", err
	}
	return generate(cfg, d.dir, specPath, generatorVersion)
}

// loadConfig reads an oapi-codegen config file as the command does,
// refusing unknown keys as the command does.
func loadConfig(path string) (configuration, error) {
	var cfg configuration
	b, err := os.ReadFile(path)
	if err != nil {
		return cfg, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return cfg, fmt.Errorf("%s: %w (the oapi-codegen command refuses this config too)", path, err)
	}
	return cfg, nil
}

// generate is what the oapi-codegen command, run in dir, does after
// reading its flags and config: load the spec (strict overlay handling,
// the config's remote-ref policy), then generate with the version stamp of
// the pinned generator.
func generate(cfg configuration, dir, specPath, generatorVersion string) (string, error) {
	overlay := util.LoadSwaggerWithOverlayOpts{
		Path:                cfg.OutputOptions.Overlay.Path,
		Strict:              true,
		AllowRemoteRefsFrom: cfg.AllowRemoteRefsFrom,
	}
	if overlay.Path != "" {
		overlay.Path = filepath.Join(dir, overlay.Path)
	}
	if cfg.OutputOptions.Overlay.Strict != nil {
		overlay.Strict = *cfg.OutputOptions.Overlay.Strict
	}
	swagger, err := util.LoadSwaggerWithOverlay(specPath, overlay)
	if err != nil {
		return "", fmt.Errorf("loading %s: %w", specPath, err)
	}
	cfg.NoVCSVersionOverride = &generatorVersion
	code, err := codegen.Generate(swagger, cfg.Configuration)
	if err != nil {
		return "", fmt.Errorf("generating from %s: %w", specPath, err)
	}
	// The header names the main module of the running binary; for the
	// command that is oapi-codegen, for this test binary it is not.
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", errors.New("no build info: cannot reproduce the generator's header")
	}
	inTest := "Code generated by " + bi.Main.Path + " version " + generatorVersion + " DO NOT EDIT."
	inCommand := "Code generated by " + generatorModule + " version " + generatorVersion + " DO NOT EDIT."
	if n := strings.Count(code, inTest); n != 1 {
		return "", fmt.Errorf("the generated code contains %q %d times, want once: the generator's header changed, update this test", inTest, n)
	}
	return strings.Replace(code, inTest, inCommand, 1), nil
}

// maxDiffLines bounds the diff in a failure message: enough to see what
// changed, not a whole regenerated file.
const maxDiffLines = 80

// lineDiff is a line-by-line diff of want and got, truncated to
// maxDiffLines lines.
func lineDiff(want, got string) string {
	d := cmp.Diff(strings.Split(want, "\n"), strings.Split(got, "\n"))
	lines := strings.Split(d, "\n")
	if len(lines) <= maxDiffLines {
		return d
	}
	return strings.Join(lines[:maxDiffLines], "\n") + fmt.Sprintf("\n... %d more lines of diff", len(lines)-maxDiffLines)
}
