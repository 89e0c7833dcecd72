package conductor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"runtime/metrics"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/bulkpages"
)

// BenchmarkBulkRead reads one end-user's 10,000 invoices of 3 lines, 150
// a page (67 pages of some 400 KB, internal/bulkpages), per op, from two
// servers:
//
//   - server=static: an in-process loopback server that writes the
//     pages, pre-built, with a Content-Length and follows the cursor:
//     it costs next to nothing, so the client is what is measured;
//   - server=fake: the conductortest fake holding the books, which
//     writes each page object by object, chunked, and whose own work is
//     in the figures (it runs in the same process).
//
// and three clients:
//
//   - impl=facade: client.QBD.Invoices.All, as users read;
//   - impl=floor: a hand-written net/http loop that decodes each page
//     with json.NewDecoder(resp.Body) into the same type the facade
//     decodes into (conductor.Page[conductor.Invoice]) and follows
//     nextCursor;
//   - impl=floorbuf: the same, reading each body into one bytes.Buffer
//     reused across the pages, then json.Unmarshal: what reusing the
//     buffer is worth.
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
	for _, server := range []string{"static", "fake"} {
		for _, impl := range []string{"facade", "floor", "floorbuf"} {
			b.Run("server="+server+"/impl="+impl, func(b *testing.B) {
				base, key := bulkServer(b, server)
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
	var buf bytes.Buffer // floorbuf's, reused across pages and reads
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
			if impl == "floorbuf" {
				buf.Reset()
				_, err = buf.ReadFrom(resp.Body)
				if err == nil {
					err = json.Unmarshal(buf.Bytes(), &page)
				}
			} else {
				err = json.NewDecoder(resp.Body).Decode(&page)
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
