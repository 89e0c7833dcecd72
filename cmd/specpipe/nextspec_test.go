package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestTheNextSpecGrowsTheLibrary takes the next spec Conductor might
// publish, openapi.yaml with a new top-level resource (with a create and
// an action), a new QuickBooks Desktop resource, a new field and a new
// filter (testdata/next-spec.yaml),
// through `make update-spec` in a copy of the whole repository, with no
// hand edit: the library builds, every exported name of package conductor
// is still there (an enum gains a value in one place, a new enum and a
// nested object come: nothing is renamed), the tests that hold every operation to
// the spec pass (the facade's, the fake's, the command's), and a program
// calls the new methods, field and filter against the fake. It takes
// 30 s (build cache warm) to 2 minutes on two cores, most of it compiling
// the regenerated gen/ and the tests, so -short skips it; the
// TestANewTopLevel tests check the same copy (nextSpecCopy), paying for
// none of that again.
func TestTheNextSpecGrowsTheLibrary(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: regenerating and building the whole library takes a while")
	}
	c := nextSpecCopy(t)
	r, published := c.r, c.published
	took := maps.Clone(c.took)
	// A spec that only adds renames nothing: every name published before
	// is still there (the overlay keeps what it named last time), and the
	// additions are named beside them, not over them.
	names := exportedNames(t, r.path("conductor"))
	for _, name := range published {
		if !slices.Contains(names, name) {
			t.Errorf("conductor.%s was published before the update and is gone after it", name)
		}
	}
	for _, name := range []string{"InvoiceStatus", "InvoiceStatusDraft", "InvoiceDelivery", "TransactionTypeVehicleMileage"} {
		if !slices.Contains(names, name) {
			t.Errorf("the update added no conductor.%s", name)
		}
	}
	// The new resource is a documented field of the Client.
	if doc := string(r.goOutput(t, "doc", "./conductor", "Client")); !regexp.MustCompile(`\n\t// IntegrationConnections [^\n]+\n(\t// [^\n]*\n)*\tIntegrationConnections \*IntegrationConnectionsService\n`).MatchString(doc) {
		t.Errorf("go doc conductor.Client shows no documented IntegrationConnections field:\n%s", doc)
	}
	tests := c.everyOperationTests(t)
	took["test"] = tests.took
	if tests.err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(tests.args, " "), r.dir, tests.err, tests.out)
	}

	// The new methods, field and filter, as a user of the library calls
	// them, against the fake, which serves what the spec holds.
	r.write(t, filepath.Join("nextspec", "main.go"), []byte(`package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

func main() {
	srv, err := conductortest.NewServerWithOptions(conductortest.Options{Demo: true})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	client, err := srv.Client(conductor.WithMaxRetries(0))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	endUsers, err := client.EndUsers.List(ctx)
	if err != nil {
		panic(err)
	}
	endUser := endUsers.Data[0].ID

	created, err := client.IntegrationConnections.Create(ctx, conductor.IntegrationConnectionCreateParams{EndUserID: endUser})
	if err != nil {
		panic(err)
	}
	connections, err := client.IntegrationConnections.List(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println("integration connections:", len(connections.Data))
	connection, err := client.IntegrationConnections.Retrieve(ctx, created.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println("retrieved the one created:", connection.ID == created.ID && created.ID != "")
	_, err = client.IntegrationConnections.Retrieve(ctx, "int_conn_never_created")
	var apiErr *conductor.Error
	fmt.Println("one never created is not found:", errors.As(err, &apiErr) && apiErr.StatusCode == 404)
	_, err = client.IntegrationConnections.Retrieve(ctx, "")
	var verr *conductor.ValidationError
	fmt.Println("refused an empty id:", errors.As(err, &verr))

	vehicles, err := client.QBD.Vehicles.List(ctx, endUser, &conductor.VehicleListParams{})
	if err != nil {
		panic(err)
	}
	fmt.Println("vehicles:", len(vehicles.Data))
	for _, err := range client.QBD.Vehicles.All(ctx, endUser, nil) {
		fmt.Println("all:", err)
	}

	ref := "PO-7"
	invoices, err := client.QBD.Invoices.List(ctx, endUser, &conductor.InvoiceListParams{ExternalReference: &ref})
	if err != nil {
		panic(err)
	}
	fmt.Println("invoices with it:", len(invoices.Data)) // the demo's have none
	var inv conductor.Invoice
	fmt.Printf("invoice field: %T\n", inv.ExternalReference)
	last := srv.Requests()[len(srv.Requests())-1]
	fmt.Println("filter sent:", last.RawQuery)
}
`))
	out := string(r.goOutput(t, "run", "./nextspec"))
	for _, want := range []string{
		"integration connections: 1",
		"retrieved the one created: true",
		"one never created is not found: true",
		"refused an empty id: true",
		"vehicles: 0",
		"invoices with it: 0",
		"invoice field: *string",
		"filter sent: externalReference=PO-7",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the program's output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "all: ") {
		t.Errorf("All over no vehicles yielded an error:\n%s", out)
	}
	t.Logf("go generate %v, go build ./... %v, the tests %v", took["generate"].Round(time.Second), took["build"].Round(time.Second), took["test"].Round(time.Second))
}

// TestASpecTheGeneratorCannotNameFailsGenerate: a spec whose names would
// not compile stops `make generate` with the operation named, before the
// code is written: a path the naming rules do not cover (a top-level path
// answering an inline object once became a type named Service, which
// collided with another), a resource whose field would take the name of
// a method of the Client, and an operation whose method would take the
// name of another's.
func TestASpecTheGeneratorCannotNameFailsGenerate(t *testing.T) {
	base := readFile(t, "testdata/base.yaml")
	r := newPipelineRepo(t, base)
	for _, pkg := range []string{"conductor", "internal/config", "internal/uri"} {
		r.copyPackage(t, pkg)
	}
	inline := "\n      responses:\n        \"200\":\n          description: OK.\n          content:\n            application/json:\n              schema:\n"
	session := inline + "                $ref: '#/components/schemas/auth_session'\n"
	byID := "\n      parameters:\n        - {in: path, name: id, required: true, schema: {type: string}}"
	list := inline + "                type: object\n                properties:\n                  data:\n                    type: array\n                    items:\n                      $ref: '#/components/schemas/auth_session'\n"
	for _, c := range []struct {
		name, paths, want string
	}{
		{"a path without a rule", "  /ping:\n    get:\n      summary: Ping" + inline + "                type: object\n",
			"GET /ping has a shape the naming rules do not cover"},
		{"a field named like a method of the Client", "  /gen/{id}:\n    get:\n      summary: Retrieve a gen" + byID + session,
			"GET /gen/{id} (gen.retrieve) would be the field Client.Gen"},
		{"two methods named alike", "  /widgets:\n    get:\n      summary: List all widgets" + list +
			"  /widgets/{id}/all:\n    post:\n      summary: Do all" + byID + session,
			"POST /widgets/{id}/all (widgets.all) and GET /widgets (widgets.list) would both be WidgetsService.All"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r.write(t, "openapi.yaml", bytes.Replace(base, []byte("paths:\n"), []byte("paths:\n"+c.paths), 1))
			os.Remove(r.path(filepath.Join("conductor", "api.gen.go")))
			cmd := exec.Command("go", "generate", "./gen/...", "./conductor")
			cmd.Dir = r.dir
			cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), c.want) {
				t.Errorf("go generate = %v; want a failure saying %q:\n%s", err, c.want, out)
			}
			if _, err := os.Stat(r.path(filepath.Join("conductor", "api.gen.go"))); err == nil {
				t.Error("go generate wrote conductor/api.gen.go from a spec it cannot name")
			}
		})
	}
}

// exportedNames lists the exported names package conductor declares in
// dir, its methods as Type.Method, sorted.
func exportedNames(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	add := func(id *ast.Ident) {
		if id.IsExported() {
			names = append(names, id.Name)
		}
	}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					add(d.Name)
					continue
				}
				recv := d.Recv.List[0].Type
				if star, ok := recv.(*ast.StarExpr); ok {
					recv = star.X
				}
				if id, ok := recv.(*ast.Ident); ok && id.IsExported() && d.Name.IsExported() {
					names = append(names, id.Name+"."+d.Name.Name)
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch sp := spec.(type) {
					case *ast.TypeSpec:
						add(sp.Name)
					case *ast.ValueSpec:
						for _, id := range sp.Names {
							add(id)
						}
					}
				}
			}
		}
	}
	slices.Sort(names)
	return names
}

// copyRepository copies the whole repository (its git metadata and
// installed npm packages aside) to dir.
func copyRepository(t *testing.T, dir string) *pipelineRepo {
	t.Helper()
	r := &pipelineRepo{dir: dir}
	err := filepath.WalkDir(repoRoot, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name := d.Name(); name == ".git" || name == "node_modules" {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(repoRoot, path)
		if err != nil {
			return err
		}
		r.write(t, rel, readFile(t, path))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// splice adds the blocks of additions (see testdata/next-spec.yaml) to spec.
func splice(t *testing.T, spec, additions []byte) []byte {
	t.Helper()
	lines := strings.SplitAfter(string(spec), "\n")
	var where string
	var block []string
	flush := func() {
		if where == "" {
			return
		}
		first, then, chained := strings.Cut(where, " >> ")
		at := -1
		for i, l := range lines {
			if strings.TrimSuffix(l, "\n") == first {
				at = i
				break
			}
		}
		if at >= 0 && chained {
			found := -1
			for i := at + 1; i < len(lines); i++ {
				if strings.TrimSuffix(lines[i], "\n") == then {
					found = i
					break
				}
			}
			at = found
		}
		if at < 0 {
			t.Fatalf("openapi.yaml has no line %q to add a block after", where)
		}
		lines = append(lines[:at+1], append(block, lines[at+1:]...)...)
		block = nil
	}
	for _, l := range strings.SplitAfter(string(additions), "\n") {
		if after, ok := strings.CutPrefix(l, "#> after: "); ok {
			flush()
			where = strings.TrimSuffix(after, "\n")
			continue
		}
		if where != "" && l != "" {
			block = append(block, l)
		}
	}
	flush()
	return []byte(strings.Join(lines, ""))
}

// nextSpec is the one copy of the repository that TestTheNextSpecGrowsTheLibrary
// and the TestANewTopLevel tests check: updated to openapi.yaml with
// testdata/next-spec.yaml spliced in, generated and built once for them
// all, as copying, generating and building the whole library is most of
// what each takes. Its directory outlives the test that builds it and is
// removed when the package's tests end (TestMain).
var nextSpec struct {
	once  sync.Once
	dir   string
	built *nextSpecRepo // nil until the copy is built; nil after a failure

	testsOnce sync.Once
	tests     *goRun
}

// nextSpecRepo is the copy nextSpec holds.
type nextSpecRepo struct {
	r         *pipelineRepo
	published []string // package conductor's exported names before the update
	took      map[string]time.Duration
}

// goRun is what a go command run in the copy printed and returned.
type goRun struct {
	args []string
	out  []byte
	err  error
	took time.Duration
}

// nextSpecCopy returns the copy of the repository updated to the next
// spec, generated and built, building it the first time it is asked for
// (failing t if that fails, and every test that asks after).
func nextSpecCopy(t *testing.T) *nextSpecRepo {
	t.Helper()
	nextSpec.once.Do(func() {
		dir, err := os.MkdirTemp("", "specpipe-next-spec-")
		if err != nil {
			t.Fatal(err)
		}
		nextSpec.dir = dir
		r := copyRepository(t, dir)
		c := &nextSpecRepo{r: r, published: exportedNames(t, r.path("conductor")), took: map[string]time.Duration{}}
		candidate := filepath.Join(t.TempDir(), "next.yaml")
		if err := os.WriteFile(candidate, splice(t, readFile(t, r.path("openapi.yaml")), readFile(t, "testdata/next-spec.yaml")), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, out := r.specpipe(t, "update", candidate); code != 0 {
			t.Fatalf("specpipe update exited %d:\n%s", code, out)
		}
		// make generate's steps, in its order.
		c.took["generate"] = r.goCmd(t, "generate", "./gen/...", "./conductor", "./internal/embeddedspec", "./cmd/conductor")
		c.took["build"] = r.goCmd(t, "build", "./...")
		nextSpec.built = c
	})
	if nextSpec.built == nil {
		t.Fatal("the copy of the repository updated to testdata/next-spec.yaml was not built: the first test to ask for it says why")
	}
	return nextSpec.built
}

// everyOperationTests runs, once, the tests that hold every operation to
// the spec (the facade's, the fake's, the command's) in the copy.
func (c *nextSpecRepo) everyOperationTests(t *testing.T) *goRun {
	t.Helper()
	nextSpec.testsOnce.Do(func() {
		run := &goRun{args: []string{"test", "-count=1",
			"-run", "^(TestFacadeIsUpToDate|TestEveryOperationThroughHTTP|TestDotsAreRefusedInEveryPathParameter|TestEveryOperationIsACommand|TestEveryOperationAnswersAsTheSpecSays|TestEmbeddedIsUpToDate|TestSpecTableIsUpToDate|TestSpecTableAgreesWithEmbeddedSpec)$",
			"./conductor", "./conductor/conductortest", "./cmd/conductor", "./internal/embeddedspec"}}
		cmd := exec.Command("go", run.args...)
		cmd.Dir = c.r.dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
		start := time.Now()
		run.out, run.err = cmd.CombinedOutput()
		run.took = time.Since(start)
		nextSpec.tests = run
	})
	return nextSpec.tests
}

// fakesTestsFail says whether the fake's every-operation test failed in
// the copy, and with what output: the run of everyOperationTests names
// the fake's package ok only if every test it ran there passed.
func (c *nextSpecRepo) fakesTestsFail(t *testing.T) (bool, string) {
	t.Helper()
	run := c.everyOperationTests(t)
	ok := regexp.MustCompile(`(?m)^ok  \tgithub\.com/seed-6dcb809e/conductor-go/conductor/conductortest\t`).Match(run.out)
	return !ok, fmt.Sprintf("%v\n%s", run.err, run.out)
}

// removeNextSpecCopy removes the copy nextSpecCopy made, if it made one.
func removeNextSpecCopy() {
	if nextSpec.dir != "" {
		os.RemoveAll(nextSpec.dir)
	}
}
