// Command mutate runs the mutants of internal/mutation/catalogue.txt and
// reports how many the tests kill. Each mutant is applied with go test
// -overlay (a mutated copy in a temporary directory stands in for the
// file), so the work tree is never changed, mutants can run side by side,
// and a run that is interrupted leaves nothing behind. The tests of the
// mutated file's package, and of any packages the entry lists, run
// without -race and with -failfast; a mutant is killed when they fail.
// A mutant that does not build is invalid and reported apart: it says
// nothing about the tests and should be fixed in the catalogue.
//
// Usage (from anywhere in the module; make mutate runs it):
//
//	go run ./internal/mutation/mutate [-p 2] [-run REGEXP] [-timeout 10m] [-v] [-build]
//
// -run keeps the mutants whose file, find text or bug matches REGEXP;
// -build only builds each mutant, a quick check of a changed catalogue.
// The exit status is 0 when every mutant ran (whatever the kill rate), 1
// when one did not build or the catalogue is stale, 2 for bad flags.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/seed-6dcb809e/conductor-go/internal/mutation"
)

type outcome int

const (
	killed outcome = iota
	survived
	invalid
	built // with -build: it compiles
)

type result struct {
	m       mutation.Mutant
	line    int // the line of the file it changed
	outcome outcome
	took    time.Duration
	output  string // go test's, for an invalid mutant
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mutate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	jobs := fs.Int("p", 2, "mutants run at once")
	filter := fs.String("run", "", "only the mutants whose file, find text or bug matches this regular expression")
	timeout := fs.Duration("timeout", 10*time.Minute, "go test -timeout for each mutant; a mutant whose tests hang past it counts as killed")
	verbose := fs.Bool("v", false, "print go test's output for every mutant that is not killed")
	buildOnly := fs.Bool("build", false, "only build each mutant's package (go build, no tests): a quick check that every mutant is valid")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *jobs < 1 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: mutate [-p N] [-run REGEXP] [-timeout D] [-v] [-build]; -p is at least 1")
		return 2
	}
	re, err := regexp.Compile(*filter)
	if err != nil {
		fmt.Fprintf(stderr, "mutate: -run: %v\n", err)
		return 2
	}
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(stderr, "mutate:", err)
		return 1
	}
	root, err := mutation.Root(wd)
	if err != nil {
		fmt.Fprintln(stderr, "mutate:", err)
		return 1
	}
	all, err := mutation.Parse(mutation.Catalogue)
	if err != nil {
		fmt.Fprintf(stderr, "mutate: the catalogue:\n%v\n", err)
		return 1
	}
	var mutants []mutation.Mutant
	for _, m := range all {
		if re.MatchString(m.File) || re.MatchString(m.Find) || re.MatchString(m.Bug) {
			mutants = append(mutants, m)
		}
	}
	// Every entry must apply before any runs: a stale one is the
	// catalogue's fault, found in a second rather than after an hour.
	var stale []string
	for _, m := range mutants {
		if _, _, err := mutation.Apply(root, m); err != nil {
			stale = append(stale, err.Error())
		}
	}
	if len(stale) > 0 {
		fmt.Fprintf(stderr, "mutate: %d entries do not apply to the code:\n%s\n", len(stale), strings.Join(stale, "\n"))
		return 1
	}
	tmp, err := os.MkdirTemp("", "mutate-")
	if err != nil {
		fmt.Fprintln(stderr, "mutate:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	fmt.Fprintf(stdout, "%d mutants, %d at a time, go test -failfast without -race\n", len(mutants), *jobs)
	start := time.Now()
	results := make([]result, len(mutants))
	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
	)
	work := make(chan int)
	for range *jobs {
		wg.Go(func() {
			for i := range work {
				r := runOne(ctx, root, filepath.Join(tmp, fmt.Sprint(i)), mutants[i], *timeout, *buildOnly)
				results[i] = r
				mu.Lock()
				done++
				fmt.Fprintf(stdout, "[%d/%d] %-8s %s:%d (%s, %.0fs)\n", done, len(mutants), r.outcome, r.m.File, r.line, r.m.Bug, r.took.Seconds())
				if *verbose && r.outcome != killed || r.outcome == invalid {
					fmt.Fprintln(stdout, indent(r.output))
				}
				mu.Unlock()
			}
		})
	}
	for i := range mutants {
		if ctx.Err() != nil {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "mutate: interrupted; the work tree is untouched")
		return 1
	}
	return report(stdout, results, time.Since(start), *buildOnly)
}

// runOne applies m through an overlay in dir and runs the tests.
func runOne(ctx context.Context, root, dir string, m mutation.Mutant, timeout time.Duration, buildOnly bool) result {
	r := result{m: m}
	begin := time.Now()
	fail := func(err error) result {
		r.outcome, r.output = invalid, err.Error()
		r.took = time.Since(begin)
		return r
	}
	mutated, line, err := mutation.Apply(root, m)
	if err != nil {
		return fail(err)
	}
	r.line = line
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	// The copy keeps the file's name, which build constraints read.
	copyPath := filepath.Join(dir, path.Base(m.File))
	if err := os.WriteFile(copyPath, mutated, 0o644); err != nil {
		return fail(err)
	}
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {filepath.Join(root, filepath.FromSlash(m.File)): copyPath}})
	if err != nil {
		return fail(err)
	}
	overlayPath := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlayPath, overlay, 0o644); err != nil {
		return fail(err)
	}
	pkgs := append([]string{"./" + path.Dir(m.File)}, m.Packages...)
	args := append([]string{"test", "-overlay", overlayPath, "-count=1", "-failfast", "-vet=off", "-timeout", timeout.String()}, pkgs...)
	if buildOnly {
		args = []string{"build", "-o", os.DevNull, "-overlay", overlayPath, pkgs[0]}
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	r.output = out.String()
	switch {
	case buildOnly && err != nil:
		r.outcome = invalid
	case buildOnly:
		r.outcome = built
	case err == nil:
		r.outcome = survived
	case buildFailed(r.output):
		r.outcome = invalid
	default:
		r.outcome = killed
	}
	r.took = time.Since(begin)
	return r
}

// buildFailed tells a mutant that does not compile from failing tests.
func buildFailed(output string) bool {
	return strings.Contains(output, "[build failed]") || strings.Contains(output, "[setup failed]") ||
		strings.Contains(output, "build failed") && !strings.Contains(output, "--- FAIL")
}

func (o outcome) String() string {
	return [...]string{"killed", "SURVIVED", "INVALID", "builds"}[o]
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n    ")
}

// report prints the survivors, the invalid mutants, the time each
// package's mutants took, and the kill rate.
func report(w io.Writer, results []result, took time.Duration, buildOnly bool) int {
	var n, nKilled int
	var survivors, invalids []result
	perPkg := map[string][]time.Duration{}
	for _, r := range results {
		pkg := path.Dir(r.m.File)
		perPkg[pkg] = append(perPkg[pkg], r.took)
		switch r.outcome {
		case killed:
			n++
			nKilled++
		case survived:
			n++
			survivors = append(survivors, r)
		case invalid:
			invalids = append(invalids, r)
		case built:
			n++
		}
	}
	if len(survivors) > 0 {
		fmt.Fprintf(w, "\nsurvived (%d): no test fails with these\n", len(survivors))
		for _, r := range survivors {
			fmt.Fprintf(w, "  %s:%d  %q -> %q  (%s; %s)\n", r.m.File, r.line, r.m.Find, r.m.Replace, r.m.Bug, r.m.Name())
		}
	}
	if len(invalids) > 0 {
		fmt.Fprintf(w, "\ninvalid (%d): these do not build; fix them in the catalogue\n", len(invalids))
		for _, r := range invalids {
			fmt.Fprintf(w, "  %s:%d  %q -> %q  (%s)\n%s\n", r.m.File, r.line, r.m.Find, r.m.Replace, r.m.Name(), indent(r.output))
		}
	}
	fmt.Fprintln(w, "\ntime per mutant, by package:")
	for _, pkg := range slices.Sorted(maps.Keys(perPkg)) {
		ds := perPkg[pkg]
		var sum time.Duration
		for _, d := range ds {
			sum += d
		}
		fmt.Fprintf(w, "  %-28s %3d mutants, %5.1fs each on average\n", pkg, len(ds), (sum / time.Duration(len(ds))).Seconds())
	}
	if buildOnly {
		fmt.Fprintf(w, "\nmutants: %d build, %d invalid (%s in all)\n", n, len(invalids), took.Round(time.Second))
		if len(invalids) > 0 {
			return 1
		}
		return 0
	}
	rate := 0.0
	if n > 0 {
		rate = 100 * float64(nKilled) / float64(n)
	}
	fmt.Fprintf(w, "\nmutants: %d, killed %d, survived %d, kill rate %.1f%% (%d invalid, not counted; %s in all)\n",
		n, nKilled, len(survivors), rate, len(invalids), took.Round(time.Second))
	if len(invalids) > 0 {
		return 1
	}
	return 0
}
