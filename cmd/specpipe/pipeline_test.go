package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// repoRoot is this repository's root, seen from cmd/specpipe.
const repoRoot = "../.."

// pipelineRepo is a copy, in a temporary directory, of what this
// repository's generation needs: go.mod and go.sum (so the same pinned
// oapi-codegen runs), oapi-codegen.yaml, gen/doc.go and
// internal/embeddedspec (whose go:generate lines say how each is
// generated), cmd/apigen and the packages it runs (which derive
// gen/overlay.yaml and the embedded spec), and a spec. `go generate` and
// `go build` run in it as `make update-spec` runs them in the repository.
type pipelineRepo struct {
	dir string
}

func newPipelineRepo(t *testing.T, spec []byte) *pipelineRepo {
	t.Helper()
	r := &pipelineRepo{dir: t.TempDir()}
	// gen's hand-written files: its doc and DateTime, which the overlay
	// points the date and time filters at. Not gen/overlay.yaml: it holds
	// the names published for openapi.yaml, not for the copy's spec, so
	// the copy's first generation names its types by the rules alone (the
	// whole-repository copy of the next-spec test keeps it).
	for _, f := range []string{"go.mod", "go.sum", "oapi-codegen.yaml", filepath.Join("gen", "doc.go"), filepath.Join("gen", "values.go")} {
		r.write(t, f, readFile(t, filepath.Join(repoRoot, f)))
	}
	for _, pkg := range []string{"cmd/apigen", "internal/apigen", "internal/apispec", "internal/embeddedspec"} {
		r.copyPackage(t, pkg)
	}
	r.write(t, "openapi.yaml", spec)
	return r
}

// copyPackage copies the files of the repository's package dir (its Go
// files and what they embed, such as apigen's templates), tests aside.
func (r *pipelineRepo) copyPackage(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(repoRoot, dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if name := e.Name(); e.Type().IsRegular() && !strings.HasSuffix(name, "_test.go") {
			r.write(t, filepath.Join(dir, name), readFile(t, filepath.Join(repoRoot, dir, name)))
		}
	}
}

func (r *pipelineRepo) path(name string) string { return filepath.Join(r.dir, name) }

func (r *pipelineRepo) write(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(r.path(name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(r.path(name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// specpipe runs this command's entry point with args from the copy's
// directory and returns its exit code and output.
func (r *pipelineRepo) specpipe(t *testing.T, args ...string) (int, string) {
	t.Helper()
	t.Chdir(r.dir)
	var out bytes.Buffer
	code := run(args, &out, &out)
	return code, out.String()
}

// goCmd runs the go command in the copy and returns how long it took; it
// fails the test with the command's output if it fails.
func (r *pipelineRepo) goCmd(t *testing.T, args ...string) time.Duration {
	t.Helper()
	start := time.Now()
	r.goOutput(t, args...)
	return time.Since(start)
}

// goOutput runs the go command in the copy and returns its standard
// output; it fails the test with the command's output if it fails.
func (r *pipelineRepo) goOutput(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = r.dir
	// The copy is a module of its own; a go.work around it must not
	// change what it builds, nor GOFLAGS from the test's environment.
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go %s in %s: %v\n%s%s", strings.Join(args, " "), r.dir, err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes()
}

// generated returns the generated client of the copy.
func (r *pipelineRepo) generated(t *testing.T) string {
	t.Helper()
	return string(readFile(t, r.path(filepath.Join("gen", "conductor.gen.go"))))
}

// fakeSpec returns the document that the copy's internal/embeddedspec
// holds for the fake and the command, read through the package's own Load
// by a program built in the copy: proof that the regeneration reached the
// fake too, and not only the client.
func (r *pipelineRepo) fakeSpec(t *testing.T) *openapi3.T {
	t.Helper()
	r.write(t, filepath.Join("specdump", "main.go"), []byte(`package main

import (
	"os"

	"github.com/seed-6dcb809e/conductor-go/internal/embeddedspec"
)

func main() {
	s, err := embeddedspec.Load()
	if err != nil {
		panic(err)
	}
	doc, err := s.Document()
	if err != nil {
		panic(err)
	}
	os.Stdout.Write(doc)
}
`))
	doc, err := openapi3.NewLoader().LoadFromData(r.goOutput(t, "run", "./specdump"))
	if err != nil {
		t.Fatalf("the copy's internal/embeddedspec holds no OpenAPI document: %v", err)
	}
	return doc
}

// outline lists doc's operations and schemas, sorted: what the fake's
// document must share with the spec it was generated from.
func outline(doc *openapi3.T) []string {
	var out []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+path)
		}
	}
	for name := range doc.Components.Schemas {
		out = append(out, "schema "+name)
	}
	slices.Sort(out)
	return out
}
