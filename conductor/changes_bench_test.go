package conductor_test

import (
	"fmt"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// feedSizes are the numbers of changes a feed delivers in the benchmarks:
// what a run holds must be the same at both. A fake holds 8 MiB of
// objects (conductortest.MaxObjectBytes), some 4,500 of these invoices.
var feedSizes = []int{1_000, 4_000}

// feedFixture starts a fake whose one end-user has n invoices, stamped
// one second apart over the hours before now, loaded as fixtures (creating
// them through the API would take longer than the runs measured), a
// client for it, and the count of requests that client sends.
func feedFixture(b *testing.B, n int) (*conductor.Client, string, *atomic.Int64) {
	b.Helper()
	const customer = "80000001-1700000000"
	first := time.Now().Add(-time.Duration(n)*time.Second - time.Hour).UTC()
	invoices := make([]map[string]any, n)
	for i := range invoices {
		at := first.Add(time.Duration(i) * time.Second).Format(time.RFC3339)
		invoices[i] = map[string]any{
			"id":              fmt.Sprintf("%X-1700000000", 0x80000002+i),
			"customerId":      customer,
			"transactionDate": "2024-10-01",
			"refNumber":       fmt.Sprintf("INV-%d", i),
			"lines":           []any{map[string]any{"description": "Consulting", "quantity": 2, "rate": "150.00"}},
			"createdAt":       at,
			"updatedAt":       at,
		}
	}
	srv, err := conductortest.NewServerWithOptions(conductortest.Options{Fixtures: &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{{
		ID: "end_usr_bench", CompanyName: "Acme", SourceID: "acct_42", Email: "ap@acme.example", Connected: true,
		QBD: map[string][]map[string]any{
			"customers": {{"id": customer, "name": "Globex"}},
			"invoices":  invoices,
		},
	}}}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	base := http.DefaultTransport.(*http.Transport).Clone()
	b.Cleanup(base.CloseIdleConnections)
	requests := new(atomic.Int64)
	client, err := srv.Client(conductor.WithHTTPClient(&http.Client{Transport: counting{base, requests}}))
	if err != nil {
		b.Fatal(err)
	}
	return client, "end_usr_bench", requests
}

// counting counts the requests it sends.
type counting struct {
	base http.RoundTripper
	n    *atomic.Int64
}

func (c counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

// BenchmarkChanges is one run of an invoice feed from a zero checkpoint
// over n invoices per iteration, as a program's first copy of an
// end-user's invoices: it reports the changes delivered per second, the
// requests sent per change, and the bytes allocated per change, client
// and in-process fake together.
func BenchmarkChanges(b *testing.B) {
	for _, n := range feedSizes {
		b.Run(fmt.Sprintf("changes=%d", n), func(b *testing.B) {
			client, endUser, requests := feedFixture(b, n)
			ctx := b.Context()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			sent := requests.Load()
			delivered := 0
			for b.Loop() {
				got := 0
				for ch, err := range client.QBD.Invoices.Changes(ctx, endUser, "") {
					if err != nil {
						b.Fatal(err)
					}
					if ch.Object != nil {
						got++
					}
				}
				if got != n {
					b.Fatalf("a run delivered %d changes, want %d", got, n)
				}
				delivered += got
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(delivered)/b.Elapsed().Seconds(), "changes/s")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(delivered), "alloc-B/change")
			b.ReportMetric(float64(requests.Load()-sent)/float64(delivered), "requests/change")
		})
	}
}

// BenchmarkChangesHeld measures what a feed holds while it runs: the live
// heap, after a collection, every 250 changes of a run from a zero
// checkpoint, less the live heap before the run (which holds the fake's
// invoices). It reports the largest difference seen in each quarter of
// the run: the feed's window of objects, what it remembers of the last
// ten minutes, and what the in-process fake keeps of the run's lists
// (their cursors, until they expire). That the last quarters hold what
// the earlier ones do, at 1,000 and at 4,000 changes, shows that a feed's
// memory does not grow with the changes it delivers.
func BenchmarkChangesHeld(b *testing.B) {
	for _, n := range feedSizes {
		b.Run(fmt.Sprintf("changes=%d", n), func(b *testing.B) {
			client, endUser, _ := feedFixture(b, n)
			ctx := b.Context()
			live := func() int64 {
				var m runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&m)
				return int64(m.HeapAlloc)
			}
			var peak [4]int64 // by quarter of the run
			var checkpoint conductor.Checkpoint
			for b.Loop() {
				base, got := live(), 0
				for ch, err := range client.QBD.Invoices.Changes(ctx, endUser, "") {
					if err != nil {
						b.Fatal(err)
					}
					if ch.Object != nil {
						if got++; got%250 == 0 {
							q := min((got-1)*4/n, 3)
							peak[q] = max(peak[q], live()-base)
						}
					}
					checkpoint = ch.Checkpoint()
				}
				if got != n {
					b.Fatalf("a run delivered %d changes, want %d", got, n)
				}
			}
			for q, p := range peak {
				b.ReportMetric(float64(p), fmt.Sprintf("held-B-q%d", q+1))
			}
			b.ReportMetric(float64(len(checkpoint)), "checkpoint-B")
		})
	}
}
