package gen_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/util"
	"go.yaml.in/yaml/v3"
)

// fixCommand is what a developer runs to bring gen/ back in line.
const fixCommand = "make generate"

// generatorModule is the module whose cmd/oapi-codegen `make generate` runs.
const generatorModule = "github.com/oapi-codegen/oapi-codegen/v2"

// generateDirective is the start of the //go:generate line in doc.go; the
// rest of the line is "-config CONFIG SPEC", paths relative to gen/.
const generateDirective = "//go:generate go run " + generatorModule + "/cmd/oapi-codegen "

// TestGeneratedCodeIsUpToDate regenerates gen/ in memory exactly as
// `make generate` does (same spec, same config, same pinned generator) and
// fails, with a diff and the command that fixes it, when the committed file
// differs by a single byte.
func TestGeneratedCodeIsUpToDate(t *testing.T) {
	config, spec := generateArgs(t, "doc.go")
	if err := checkDrift(config, spec, ".", pinnedGeneratorVersion(t)); err != nil {
		t.Fatal(err)
	}
	// A file added to gen/ by hand is drift too: the package holds the
	// generated file, doc.go and tests only.
	cfg, err := loadConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f != "doc.go" && f != cfg.OutputFile && !strings.HasSuffix(f, "_test.go") {
			t.Errorf("gen/%s is neither generated nor doc.go: gen/ holds only what `%s` writes; move it out of gen/", f, fixCommand)
		}
	}
}

// TestDriftIsDetected proves that each kind of drift the check exists for
// makes it fail: it mutates a copy of the repository's spec, config and
// generated file in a temporary directory and runs the same check.
func TestDriftIsDetected(t *testing.T) {
	version := pinnedGeneratorVersion(t)
	config, spec := generateArgs(t, "doc.go")

	// copyRepo lays out spec, config and gen/ as in the repository, so
	// the paths from doc.go resolve the same way.
	copyRepo := func(t *testing.T) (root, genDir string) {
		root = t.TempDir()
		genDir = filepath.Join(root, "gen")
		for _, f := range []struct{ from, to string }{
			{config, filepath.Join(genDir, config)},
			{spec, filepath.Join(genDir, spec)},
			{"conductor.gen.go", filepath.Join(genDir, "conductor.gen.go")},
		} {
			b, err := os.ReadFile(f.from)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Dir(f.to), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(f.to, b, 0o644); err != nil {
				t.Fatal(err)
			}
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
		if err := os.WriteFile(path, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("unchanged copy passes", func(t *testing.T) {
		_, genDir := copyRepo(t)
		if err := checkDrift(filepath.Join(genDir, config), filepath.Join(genDir, spec), genDir, version); err != nil {
			t.Fatalf("the check fails on an unmodified copy, so the cases below prove nothing: %v", err)
		}
	})

	cases := []struct {
		name string
		// mutate changes the copy rooted at root; it returns the generator
		// version to check with.
		mutate func(t *testing.T, root string) string
		// want are substrings the error must contain besides fixCommand,
		// showing that the diff points at the change.
		want []string
	}{
		{
			name: "hand edit in gen",
			mutate: func(t *testing.T, root string) string {
				edit(t, filepath.Join(root, "gen", "conductor.gen.go"), "type AuthSession struct {", "type AuthSession struct {\n\tHandAdded string")
				return version
			},
			want: []string{"HandAdded", "conductor.gen.go"},
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
				if err := os.WriteFile(path, bytes.ReplaceAll(b, []byte("\n"), []byte(" \n")), 0o644); err != nil {
					t.Fatal(err)
				}
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
			want: []string{"Nickname"},
		},
		{
			name: "config change",
			mutate: func(t *testing.T, root string) string {
				edit(t, filepath.Join(root, "oapi-codegen.yaml"), "type: float64", "type: float32")
				return version
			},
			want: []string{"LinkExpiryMins *float", `"32"`},
		},
		{
			name: "generator version bump",
			mutate: func(t *testing.T, root string) string {
				return version + "-next"
			},
			want: []string{"Code generated by", "-next"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root, genDir := copyRepo(t)
			v := c.mutate(t, root)
			err := checkDrift(filepath.Join(genDir, config), filepath.Join(genDir, spec), genDir, v)
			if err == nil {
				t.Fatal("the drift check passed; want it to fail")
			}
			for _, w := range append(c.want, fixCommand) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not contain %q:\n%v", w, err)
				}
			}
			// The diff is cut at maxDiffLines; the rest of the message
			// is a header line and the fix.
			if n := strings.Count(err.Error(), "\n"); n > maxDiffLines+3 {
				t.Errorf("the error has %d lines, want at most %d", n, maxDiffLines+3)
			}
		})
	}

	// The oapi-codegen command refuses a config with a key it does not
	// know; the check must refuse it too, or the two could disagree.
	t.Run("unknown config key", func(t *testing.T) {
		root, genDir := copyRepo(t)
		edit(t, filepath.Join(root, "oapi-codegen.yaml"), "package: gen\n", "package: gen\nskip-everything: true\n")
		err := checkDrift(filepath.Join(genDir, config), filepath.Join(genDir, spec), genDir, version)
		if err == nil || !strings.Contains(err.Error(), "skip-everything") {
			t.Fatalf("checkDrift = %v; want an error naming the unknown key skip-everything", err)
		}
	})
}

// generateArgs returns the -config and spec arguments of the
// //go:generate line in docFile, so the check uses exactly the files
// `make generate` uses.
func generateArgs(t *testing.T, docFile string) (config, spec string) {
	t.Helper()
	b, err := os.ReadFile(docFile)
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), generateDirective)
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 3 || f[0] != "-config" {
			t.Fatalf("%s: go:generate line %q is not \"-config CONFIG SPEC\"; update this test with it", docFile, line)
		}
		return f[1], f[2]
	}
	t.Fatalf("%s has no line starting %q; update this test with how gen/ is generated", docFile, generateDirective)
	return "", ""
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

// configuration is the oapi-codegen command's config file format: the
// codegen options plus the output file.
type configuration struct {
	codegen.Configuration `yaml:",inline"`
	OutputFile            string `yaml:"output,omitempty"`
}

// checkDrift generates code from specPath with the config at configPath as
// oapi-codegen version generatorVersion, and returns an error with a diff
// and the fix when it differs from the config's output file in genDir.
func checkDrift(configPath, specPath, genDir, generatorVersion string) error {
	cfg, err := loadConfig(configPath)
	if err != nil {
		return err
	}
	got, err := generate(cfg, specPath, generatorVersion)
	if err != nil {
		return err
	}
	outPath := filepath.Join(genDir, cfg.OutputFile)
	want, err := os.ReadFile(outPath)
	if err != nil {
		return fmt.Errorf("%w\nfix: run `%s` and commit gen/", err, fixCommand)
	}
	if string(want) == got {
		return nil
	}
	return fmt.Errorf("%s is not what %s and %s generate with oapi-codegen %s (-committed +regenerated):\n%s\n"+
		"fix: run `%s` and commit gen/. Never edit gen/ by hand: change %s or %s instead, then regenerate.",
		outPath, specPath, configPath, generatorVersion, lineDiff(string(want), got), fixCommand, specPath, configPath)
}

// loadConfig reads an oapi-codegen config file as the command does,
// refusing unknown keys as the command does, and applies its defaults and
// validation.
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
	if cfg.OutputFile == "" {
		return cfg, fmt.Errorf("%s: no output file; `%s` would print the code instead of writing gen/", path, fixCommand)
	}
	cfg.Configuration = cfg.UpdateDefaults()
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("%s: configuration error: %w", path, err)
	}
	return cfg, nil
}

// generate is what the oapi-codegen command does after reading its config:
// load the spec (strict overlay handling, the config's remote-ref policy),
// then generate with the version stamp of the pinned generator.
func generate(cfg configuration, specPath, generatorVersion string) (string, error) {
	overlay := util.LoadSwaggerWithOverlayOpts{
		Path:                cfg.OutputOptions.Overlay.Path,
		Strict:              true,
		AllowRemoteRefsFrom: cfg.AllowRemoteRefsFrom,
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
