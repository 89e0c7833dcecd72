package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// repoRoot is this repository's root, seen from cmd/specpipe.
const repoRoot = "../.."

// pipelineRepo is a copy, in a temporary directory, of what this
// repository's generation needs: go.mod and go.sum (so the same pinned
// oapi-codegen runs), oapi-codegen.yaml, gen/doc.go and a spec. `go
// generate ./gen` and `go build ./gen` run in it as in the repository.
type pipelineRepo struct {
	dir string
}

func newPipelineRepo(t *testing.T, spec []byte) *pipelineRepo {
	t.Helper()
	r := &pipelineRepo{dir: t.TempDir()}
	for _, f := range []string{"go.mod", "go.sum", "oapi-codegen.yaml", filepath.Join("gen", "doc.go")} {
		r.write(t, f, readFile(t, filepath.Join(repoRoot, f)))
	}
	r.write(t, "openapi.yaml", spec)
	return r
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
	cmd := exec.Command("go", args...)
	cmd.Dir = r.dir
	// The copy is a module of its own; a go.work around it must not
	// change what it builds, nor GOFLAGS from the test's environment.
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), r.dir, err, out)
	}
	return time.Since(start)
}

// generated returns the generated client of the copy.
func (r *pipelineRepo) generated(t *testing.T) string {
	t.Helper()
	return string(readFile(t, r.path(filepath.Join("gen", "conductor.gen.go"))))
}
