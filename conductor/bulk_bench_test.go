package conductor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/bulkpages"
)

// BenchmarkBulkRead reads one end-user's 10,000 invoices of 3 lines, 150
// a page (67 pages of some 400 KB, internal/bulkpages), per op, from three
// servers:
//
//   - server=static: an in-process loopback server that writes the
//     pages, pre-built, with a Content-Length and follows the cursor:
//     it costs next to nothing, so the client is what is measured;
//   - server=fake: the conductortest fake holding the books, which
//     writes each page object by object, chunked, and whose own work is
//     in the figures (it runs in the same process);
//   - server=fakeserver: the same fake as users run it, the conductor
//     command's fake-server (built once from ./cmd/conductor) holding the
//     books in a process of its own on loopback: chunked answers (of
//     4 KiB chunks, the fake's bufio.Writer, some 100 a page), and only
//     the client's work in the figures, so that its CPU compares with
//     server=static's;
//
// and four clients:
//
//   - impl=facade: client.QBD.Invoices.All, as users read;
//   - impl=floor: a hand-written net/http loop that decodes each page
//     with json.NewDecoder(resp.Body).Decode, of the decoder the
//     library uses (github.com/go-json-experiment/json/v1, json/v2's
//     engine behind encoding/json's API), into the same type the facade
//     decodes into (conductor.Page[conductor.Invoice]) and follows
//     nextCursor;
//   - impl=floorbuf: the same, reading each body into one bytes.Buffer
//     reused across the pages, then that decoder's json.Unmarshal: what
//     reusing the buffer is worth, and the floor the facade is held to;
//   - impl=floorstd: floorbuf with encoding/json.Unmarshal, the
//     standard library's decoder: the reference the other decoders are
//     weighed against.
//
// Besides ns/op, B/op and allocs/op (client and in-process server
// together), it reports cpu-ns/op, the process's user and system CPU time
// (getrusage) per read, which counts what the runtime does on other
// threads (the garbage collector) that ns/op on 2 cores can hide, and
// peak-heap-B, the most heap in use at any point of a read, sampled
// every half millisecond (runtime/metrics), less what was live before it
// (the pages or the fake's books), garbage included, so it depends on
// GOGC and on how much the in-process server holds (the collector lets
// the heap grow by as much as is live); and peak-live-B, the most heap a
// collection found live during a read, less the same: what the read
// itself holds. BENCHMARKS.md ("Bulk reads") has the
// commands and figures.
func BenchmarkBulkRead(b *testing.B) {
	for _, server := range []string{"static", "fake", "fakeserver"} {
		b.Run("server="+server, func(b *testing.B) {
			start := func(b *testing.B) (string, string) { return bulkServer(b, server) }
			if server == "fakeserver" {
				// Built and written once for the clients below, each of
				// which gets a fake of its own, as the other servers do.
				bin, books := buildConductor(b), filepath.Join(b.TempDir(), "books.json")
				if err := bulkpages.WriteFixtures(books); err != nil {
					b.Fatal(err)
				}
				start = func(b *testing.B) (string, string) { return startFakeServer(b, bin, books) }
			}
			for _, impl := range []string{"facade", "floor", "floorbuf", "floorstd"} {
				b.Run("impl="+impl, func(b *testing.B) {
					base, key := start(b)
					read := bulkReader(b, impl, base, key)
					ctx := b.Context()
					if err := read(ctx); err != nil { // a warm connection and pool
						b.Fatal(err)
					}
					runtime.GC()
					live := heapInUse()
					liveBefore := heapLive()
					peak := startPeakSampler()
					cpu := cpuTime()
					for b.Loop() {
						if err := read(ctx); err != nil {
							b.Fatal(err)
						}
					}
					used := cpuTime() - cpu
					b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
					peakHeap, peakLive := peak()
					b.ReportMetric(float64(peakHeap-live), "peak-heap-B")
					b.ReportMetric(float64(peakLive-min(liveBefore, peakLive)), "peak-live-B")
				})
			}
		})
	}
}

// bulkPages are the books' pages, built once for every benchmark.
var bulkPages = sync.OnceValues(bulkpages.Pages)

// bulkServer starts the server named and returns its URL and the key to
// send.
func bulkServer(b *testing.B, name string) (base, key string) {
	b.Helper()
	if name == "fake" {
		srv, err := bulkpages.NewFake()
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(srv.Close)
		return srv.URL, srv.SecretKey
	}
	pages, err := bulkPages()
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(bulkpages.NewServer(pages))
	b.Cleanup(srv.Close)
	return srv.URL, testAPIKey
}

// buildConductor builds the conductor command from this module's
// ./cmd/conductor into a directory of b's and returns its path.
func buildConductor(b *testing.B) string {
	b.Helper()
	root, err := moduleRoot()
	if err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(b.TempDir(), "conductor")
	cmd := exec.CommandContext(b.Context(), "go", "build", "-o", bin, "./cmd/conductor")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build ./cmd/conductor in %s: %v\n%s", root, err, out)
	}
	return bin
}

// moduleRoot finds the directory of this module's go.mod, above the
// working directory (a package's, under go test; any of the module's, for
// a test binary built with go test -c) or else above this file's source.
func moduleRoot() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		starts = append(starts, filepath.Dir(file))
	}
	for _, dir := range starts {
		for {
			if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && goModPath(data) == modulePath {
				return dir, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", fmt.Errorf("no go.mod of module %s above %s", modulePath, strings.Join(starts, " or "))
}

// goModPath is the module path a go.mod declares.
func goModPath(gomod []byte) string {
	for line := range strings.Lines(string(gomod)) {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}

// startFakeServer runs bin fake-server on a free loopback port, holding
// the books written at books, until b ends (pass or fail), and returns
// its URL and secret key, which it prints once it listens.
func startFakeServer(b *testing.B, bin, books string) (base, key string) {
	b.Helper()
	cmd := exec.Command(bin, "fake-server", "--addr", "127.0.0.1:0", "--fixtures", books,
		"--max-object-mib", strconv.Itoa(bulkpages.ObjectBudget>>20))
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	stopWithTest(cmd)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	b.Cleanup(func() {
		select {
		case <-exited:
			if !b.Failed() {
				b.Errorf("fake-server exited during the benchmark (%v):\n%s", waitErr, stderr.String())
			}
			return
		default:
		}
		cmd.Process.Signal(syscall.SIGTERM) // it stops at once
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-exited
			b.Errorf("fake-server did not stop within 30s of SIGTERM; killed:\n%s", stderr.String())
		}
	})
	// Starting reads the OpenAPI document and puts 10,000 invoices in:
	// some seconds, more on a busy machine.
	deadline := time.After(2 * time.Minute)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		settings := map[string]string{}
		for line := range strings.Lines(stdout.String()) {
			if name, value, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "="); ok && strings.HasSuffix(line, "\n") {
				settings[name] = value
			}
		}
		if base, key := settings["CONDUCTOR_BASE_URL"], settings["CONDUCTOR_SECRET_KEY"]; base != "" && key != "" {
			return base, key
		}
		select {
		case <-exited:
			b.Fatalf("fake-server exited before it listened (%v):\n%s", waitErr, stderr.String())
		case <-deadline:
			b.Fatalf("fake-server did not listen within 2 minutes:\n%s", stderr.String())
		case <-tick.C:
		}
	}
}

// syncBuffer is a bytes.Buffer that a child process's output is copied
// into while the benchmark reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// bulkReader returns a function that reads every invoice with impl and
// checks that it got them all.
func bulkReader(b *testing.B, impl, base, key string) func(context.Context) error {
	b.Helper()
	if impl == "facade" {
		c, err := conductor.NewClient(conductor.WithAPIKey(key), conductor.WithBaseURL(base))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(c.CloseIdleConnections)
		return func(ctx context.Context) error {
			n := 0
			for inv, err := range c.QBD.Invoices.All(ctx, bulkpages.EndUser, nil) {
				if err != nil {
					return err
				}
				if len(inv.Lines) != 3 {
					return fmt.Errorf("invoice %s has %d lines", inv.ID, len(inv.Lines))
				}
				n++
			}
			return wantInvoices(n)
		}
	}
	hc := &http.Client{}
	b.Cleanup(hc.CloseIdleConnections)
	var buf bytes.Buffer // floorbuf's and floorstd's, reused across pages and reads
	return func(ctx context.Context) error {
		n, cursor := 0, ""
		for {
			u := base + "/quickbooks-desktop/invoices?limit=150"
			if cursor != "" {
				u += "&cursor=" + url.QueryEscape(cursor)
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+key)
			req.Header.Set("Conductor-End-User-Id", bulkpages.EndUser)
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			var page conductor.Page[conductor.Invoice]
			switch impl {
			case "floorbuf", "floorstd":
				unmarshal := jsonv1.Unmarshal
				if impl == "floorstd" {
					unmarshal = json.Unmarshal
				}
				buf.Reset()
				_, err = buf.ReadFrom(resp.Body)
				if err == nil {
					err = unmarshal(buf.Bytes(), &page)
				}
			default:
				err = jsonv1.NewDecoder(resp.Body).Decode(&page)
			}
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				return fmt.Errorf("status %d: %v", resp.StatusCode, err)
			}
			for _, inv := range page.Data {
				if len(inv.Lines) != 3 {
					return fmt.Errorf("invoice %s has %d lines", inv.ID, len(inv.Lines))
				}
				n++
			}
			if !page.HasMore {
				return wantInvoices(n)
			}
			cursor = page.NextCursor
		}
	}
}

func wantInvoices(n int) error {
	if n != bulkpages.Invoices {
		return fmt.Errorf("read %d invoices; want %d", n, bulkpages.Invoices)
	}
	return nil
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// heapInUse is the bytes of heap objects, live or not yet swept.
func heapInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// heapLive is the heap the last collection marked live.
func heapLive() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// startPeakSampler samples heapInUse and heapLive every half millisecond
// until the function it returns is called, which returns the largest of
// each.
func startPeakSampler() func() (heap, live uint64) {
	stop, done := make(chan struct{}), make(chan [2]uint64)
	go func() {
		t := time.NewTicker(500 * time.Microsecond)
		defer t.Stop()
		var peak [2]uint64
		sample := func() {
			peak[0], peak[1] = max(peak[0], heapInUse()), max(peak[1], heapLive())
		}
		sample()
		for {
			select {
			case <-stop:
				sample()
				done <- peak
				return
			case <-t.C:
				sample()
			}
		}
	}()
	return func() (uint64, uint64) { close(stop); p := <-done; return p[0], p[1] }
}
