package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAPathParameterTheFacadeCannotNameFailsGenerate: a path parameter
// after the id whose name is a Go identifier the generated method body
// uses (new, nil) or is no Go identifier at all (a hyphen, which the
// naming rules accept in a segment) must fail `make generate` naming the
// operation, never write an api.gen.go that does not compile, nor fail
// as "a bug in apigen" without saying which operation.
func TestAPathParameterTheFacadeCannotNameFailsGenerate(t *testing.T) {
	base := readFile(t, "testdata/base.yaml")
	r := newPipelineRepo(t, base)
	for _, pkg := range []string{"conductor", "internal/config", "internal/uri"} {
		r.copyPackage(t, pkg)
	}
	op := func(param string) string {
		return "  /widgets/{id}/attach/{" + param + "}:\n    post:\n      summary: Attach a widget\n" +
			"      parameters:\n        - {in: path, name: id, required: true, schema: {type: string}}\n" +
			"        - {in: path, name: " + param + ", required: true, schema: {type: string}}\n" +
			"      requestBody:\n        required: true\n        content:\n          application/json:\n            schema:\n" +
			"              type: object\n              properties:\n                note: {type: string}\n" +
			"      responses:\n        \"200\":\n          description: OK.\n          content:\n            application/json:\n              schema:\n" +
			"                $ref: '#/components/schemas/auth_session'\n"
	}
	for _, param := range []string{"new", "nil", "widget-slug"} {
		t.Run(param, func(t *testing.T) {
			r.write(t, "openapi.yaml", bytes.Replace(base, []byte("paths:\n"), []byte("paths:\n"+op(param)), 1))
			os.Remove(r.path(filepath.Join("conductor", "api.gen.go")))
			cmd := exec.Command("go", "generate", "./gen/...", "./conductor")
			cmd.Dir = r.dir
			cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
			out, err := cmd.CombinedOutput()
			want := "POST /widgets/{id}/attach/{" + param + "}"
			if err != nil {
				if !strings.Contains(string(out), want) {
					t.Errorf("go generate failed without naming %s:\n%s", want, out)
				}
				return
			}
			// Generated: then what it wrote must compile. (The small
			// spec lacks names that hand-written files of package
			// conductor use, so only the generated files' errors count.)
			build := exec.Command("go", "build", "-gcflags=-e", "./gen", "./conductor")
			build.Dir = r.dir
			build.Env = cmd.Env
			out, _ = build.CombinedOutput()
			for _, l := range strings.Split(string(out), "\n") {
				if strings.Contains(l, ".gen.go:") {
					t.Errorf("go generate succeeded on a path parameter %q, but wrote code that does not compile:\n%s", param, out)
					break
				}
			}
		})
	}
}
