package conductor_test

import (
	"bytes"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The footprint test holds what importing conductor costs a program: the
// packages it links, and the work they do before main runs. It builds
// testdata/footprint/consumer, the README's quick start, as a user would.

const (
	modulePath  = "github.com/seed-6dcb809e/conductor-go"
	consumerPkg = "./testdata/footprint/consumer"
	// nethttpPkg does the same call with net/http alone: the floor the
	// consumer's binary size is measured against.
	nethttpPkg = "./testdata/footprint/nethttp"
)

// allowedModules are the modules other than this one whose packages a
// program importing conductor may link: oapi-codegen's runtime, which the
// generated client calls, and the two modules its packages import (uuid
// for its UUID type, go-jsonmerge for merging union JSON), and the Go
// team's json/v2 module, which decodes answers (see decode.go). Anything else,
// kin-openapi and its YAML and JSON Schema libraries above all, is what
// users must not pay for: the fake needs those, and only tests import it.
var allowedModules = []string{
	"github.com/oapi-codegen/runtime",
	"github.com/google/uuid",
	"github.com/apapsch/go-jsonmerge/v2",
	"github.com/go-json-experiment/json",
}

// allowedOwnPackages are this module's packages a program importing
// conductor may link: the facade, the generated client, and the internal
// packages that state rules the facade shares with the fake and the
// command (the standard library's only). internal/embeddedspec, which
// holds the spec for the fake and the command, is not among them.
var allowedOwnPackages = []string{
	modulePath + "/conductor",
	modulePath + "/gen",
	modulePath + "/internal/config",
	modulePath + "/internal/uri",
}

// The library's start-up budget: what all non-standard packages together
// may allocate in their package initialisers, measured by
// GODEBUG=inittrace=1. Today conductor allocates about 1 KiB (its error
// values, maps and decoder options), the runtime's types package 384
// bytes, and the json/v2 module 632 bytes in 17 allocations (1,920 bytes
// in 33 allocations in all); an embedded spec took 62 KiB for this small openapi.yaml, and the
// libraries to read it 1.8 MB in 22,000 allocations.
const (
	maxInitBytes  = 4 << 10
	maxInitAllocs = 40
)

// TestFootprint fails, naming the package and what imports it, when a
// program importing conductor links a package outside the standard
// library, conductor, gen and allowedModules, or when those packages do
// more than the start-up budget. It logs the program's binary size beside
// that of the same program written with net/http alone.
//
// Packages are listed with `go list -deps`, the import graph the linker is
// given: every package in it is linked and its initialisers run, whether or
// not the program calls it, and the graph says who imports whom. The built
// binary's own record of its modules (what `go version -m` prints) is
// checked as well, as scanners read it. Symbols (`go tool nm`) would show
// only what survived dead-code elimination, which depends on what the
// program calls: a weaker and more fragile test of the same thing.
func TestFootprint(t *testing.T) {
	pkgs := deps(t, consumerPkg)
	nonStandard := map[string]bool{}
	allowed := map[string]bool{}
	for _, p := range pkgs {
		if !p.Standard {
			nonStandard[p.ImportPath] = true
		}
		allowed[p.ImportPath] = footprintAllowed(p)
	}
	// Name first the packages that an allowed one imports: that import is
	// the one to remove, and the rest come with them.
	var direct, indirect []string
	for _, p := range pkgs {
		if allowed[p.ImportPath] {
			continue
		}
		by := slices.DeleteFunc(importers(pkgs, p.ImportPath), func(i string) bool { return !allowed[i] })
		if len(by) > 0 {
			direct = append(direct, fmt.Sprintf("%s, imported by %s", p.ImportPath, strings.Join(by, ", ")))
		} else {
			indirect = append(indirect, p.ImportPath)
		}
	}
	if len(direct)+len(indirect) > 0 {
		t.Errorf("a program importing conductor links %d packages outside the standard library, %s and the modules %s:\n\t%s\nand with them:\n\t%s\n"+
			"Keep them out of conductor and gen: what only the fake or tests need belongs in conductortest or internal/embeddedspec.",
			len(direct)+len(indirect), strings.Join(allowedOwnPackages, ", "), strings.Join(allowedModules, ", "),
			strings.Join(direct, "\n\t"), strings.Join(indirect, "\n\t"))
	}

	dir := t.TempDir()
	consumer := goBuild(t, dir, consumerPkg)
	plain := goBuild(t, dir, nethttpPkg)

	bi, err := buildinfo.ReadFile(consumer)
	if err != nil {
		t.Fatal(err)
	}
	if bi.Main.Path != modulePath {
		t.Errorf("the consumer's main module is %q, want %q", bi.Main.Path, modulePath)
	}
	var modules []string
	for _, m := range bi.Deps {
		if !slices.Contains(allowedModules, m.Path) {
			modules = append(modules, m.Path+" "+m.Version)
		}
	}
	if len(modules) > 0 {
		t.Errorf("the consumer's binary records modules outside %s:\n\t%s", strings.Join(allowedModules, ", "), strings.Join(modules, "\n\t"))
	}

	srv := footprintServer(t)
	stdout, stderr := runFootprint(t, consumer, srv.URL, "GODEBUG=inittrace=1")
	wantOut := "Send your customer to https://connect.conductor.is/qbd/auth_sess_client_secret_1234567abcdefg?key=" + testPublishableKey + "\n" +
		"80000001-1234567890 1000.00\ncreated 80000002-1234567890\n"
	if stdout != wantOut {
		t.Errorf("the consumer printed %q, want %q; stderr:\n%s", stdout, wantOut, stderr)
	}
	if out, _ := runFootprint(t, plain, srv.URL); out != wantOut {
		t.Errorf("the net/http program printed %q, want %q: it is no longer the consumer's equal", out, wantOut)
	}

	inits := parseInitTrace(stderr)
	if _, ok := inits["runtime"]; !ok {
		t.Fatalf("GODEBUG=inittrace=1 printed no line for package runtime, so the trace was not read:\n%s", stderr)
	}
	// A package with no init work prints no line.
	var traced []string
	for pkg := range inits {
		if nonStandard[pkg] {
			traced = append(traced, pkg)
		}
	}
	slices.Sort(traced)
	var initBytes, initAllocs int
	var report []string
	for _, pkg := range traced {
		w := inits[pkg]
		initBytes += w.bytes
		initAllocs += w.allocs
		report = append(report, fmt.Sprintf("%s: %d bytes, %d allocs, %.3f ms", pkg, w.bytes, w.allocs, w.clockMS))
	}
	t.Logf("start-up work of non-standard packages, %d bytes and %d allocs in all:\n\t%s", initBytes, initAllocs, strings.Join(report, "\n\t"))
	if initBytes > maxInitBytes || initAllocs > maxInitAllocs {
		t.Errorf("the library's packages allocate %d bytes in %d allocations before main runs; the budget is %d bytes and %d allocations. Per package:\n\t%s\n"+
			"Defer the work to first use (sync.OnceValue) or move it out of what programs import.",
			initBytes, initAllocs, maxInitBytes, maxInitAllocs, strings.Join(report, "\n\t"))
	}

	cs, ps := fileSize(t, consumer), fileSize(t, plain)
	t.Logf("binary size: consumer %d bytes, the same program with net/http alone %d bytes: +%d bytes (+%.0f KiB)",
		cs, ps, cs-ps, float64(cs-ps)/1024)
	if cs-ps > maxGrowth {
		t.Errorf("a program using a few operations is %d bytes bigger than with net/http alone; the budget is %d (2.25 MiB). "+
			"Something keeps code of every operation alive: a method set behind an interface, a table of all the wrappers, reflection by name.",
			cs-ps, maxGrowth)
	}
}

// maxGrowth is how much a program using a few operations may grow over the
// same program written with net/http alone: 1.1 MiB of client, and 1 MiB of
// the json/v2 engine that decodes answers in 0.6 of encoding/json's time
// (BENCHMARKS.md, "Choosing the JSON decoder"), with room for neither to
// keep every operation's code alive.
const maxGrowth = 9 << 18 // 2.25 MiB

// listedPackage is what `go list -json` says of a package that this test
// reads.
type listedPackage struct {
	ImportPath string
	Standard   bool
	Imports    []string
	Module     *struct{ Path string }
}

// deps returns pkg and every package it imports, directly or not.
func deps(t *testing.T, pkg string) []listedPackage {
	t.Helper()
	out := goCommand(t, "list", "-deps", "-json=ImportPath,Standard,Imports,Module", pkg)
	var pkgs []listedPackage
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// footprintAllowed reports whether a program importing conductor may link p.
func footprintAllowed(p listedPackage) bool {
	switch {
	case p.Standard, slices.Contains(allowedOwnPackages, p.ImportPath):
		return true
	case p.Module == nil:
		return false
	case p.Module.Path == modulePath:
		// The consumer itself: the program, not the library.
		return strings.HasSuffix(p.ImportPath, strings.TrimPrefix(consumerPkg, "."))
	}
	return slices.Contains(allowedModules, p.Module.Path)
}

// importers returns the packages in pkgs that import path, sorted.
func importers(pkgs []listedPackage, path string) []string {
	var out []string
	for _, p := range pkgs {
		if slices.Contains(p.Imports, path) {
			out = append(out, p.ImportPath)
		}
	}
	slices.Sort(out)
	return out
}

// goCommand runs the go command in this package's directory and returns
// its standard output, failing the test with its error output.
func goCommand(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// goBuild builds pkg into dir as a user would, with no flags, and returns
// the binary's path.
func goBuild(t *testing.T, dir, pkg string) string {
	t.Helper()
	bin := filepath.Join(dir, filepath.Base(pkg))
	goCommand(t, "build", "-o", bin, pkg)
	return bin
}

// footprintServer answers a well-formed POST /auth-sessions, as the
// consumer sends it, with a session.
func footprintServer(t *testing.T) *httptest.Server {
	t.Helper()
	answers := map[string]string{
		"POST /end-users":                    `{"id":"end_usr_1234567abcdefg","objectType":"end_user","companyName":"Acme","sourceId":"acct_42","email":"ap@acme.example","createdAt":"2024-10-01T12:34:56.000Z","integrationConnections":[]}`,
		"POST /auth-sessions":                sessionJSON,
		"GET /quickbooks-desktop/invoices":   `{"objectType":"list","url":"/v1/quickbooks-desktop/invoices","data":[{"id":"80000001-1234567890","objectType":"qbd_invoice","subtotal":"1000.00"}],"nextCursor":null,"hasMore":false,"remainingCount":0}`,
		"POST /quickbooks-desktop/customers": `{"id":"80000002-1234567890","objectType":"qbd_customer","name":"Globex"}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answer, ok := answers[r.Method+" "+r.URL.Path]
		qbd := strings.HasPrefix(r.URL.Path, "/quickbooks-desktop/")
		if !ok || r.Header.Get("Authorization") != "Bearer "+testAPIKey || qbd != (r.Header.Get("Conductor-End-User-Id") == "end_usr_1234567abcdefg") {
			http.Error(w, "not a request the consumer sends", http.StatusBadRequest)
			return
		}
		if r.URL.Path == "/auth-sessions" {
			var body struct{ EndUserID, PublishableKey string }
			if json.NewDecoder(r.Body).Decode(&body) != nil || body.EndUserID == "" || body.PublishableKey != testPublishableKey {
				http.Error(w, "not the session the consumer asks for", http.StatusBadRequest)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// runFootprint runs a footprint program against baseURL with the test's
// keys and returns its standard output and error. The program's
// environment is the test's less any CONDUCTOR_ or GODEBUG setting, plus
// extraEnv.
func runFootprint(t *testing.T, bin, baseURL string, extraEnv ...string) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(bin)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CONDUCTOR_") && !strings.HasPrefix(kv, "GODEBUG=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "CONDUCTOR_BASE_URL="+baseURL, "CONDUCTOR_SECRET_KEY="+testAPIKey, "CONDUCTOR_PUBLISHABLE_KEY="+testPublishableKey)
	cmd.Env = append(cmd.Env, extraEnv...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", filepath.Base(bin), err, errOut.Bytes())
	}
	return out.String(), errOut.String()
}

// initWork is one package's line of GODEBUG=inittrace=1.
type initWork struct {
	clockMS       float64
	bytes, allocs int
}

// initLine is the format of the runtime's inittrace lines.
var initLine = regexp.MustCompile(`(?m)^init (\S+) @\S+ ms, (\S+) ms clock, (\d+) bytes, (\d+) allocs$`)

// parseInitTrace returns the init work of each package in an inittrace.
func parseInitTrace(trace string) map[string]initWork {
	out := map[string]initWork{}
	for _, m := range initLine.FindAllStringSubmatch(trace, -1) {
		clock, _ := strconv.ParseFloat(m[2], 64)
		b, _ := strconv.Atoi(m[3])
		a, _ := strconv.Atoi(m[4])
		out[m[1]] = initWork{clockMS: clock, bytes: b, allocs: a}
	}
	return out
}

// fileSize is the size of the file at path.
func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
