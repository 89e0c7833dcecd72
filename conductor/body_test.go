package conductor_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// pageBodies serves a listing of invoices whose pages are bodies, in
// order: a request without a cursor gets the first, each with one the
// next. chunked leaves out the Content-Length, as the fake does. served
// receives the number of each page once it is written.
type pageBodies struct {
	bodies  []string
	chunked bool
	served  chan int

	mu   sync.Mutex
	next int
}

func (p *pageBodies) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	if r.URL.Query().Get("cursor") == "" {
		p.next = 0
	}
	n := p.next
	p.next++
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !p.chunked {
		w.Header().Set("Content-Length", strconv.Itoa(len(p.bodies[n])))
	}
	// Written in pieces, so that a chunked answer comes in many chunks.
	for rest := p.bodies[n]; rest != ""; {
		k := min(len(rest), 4096)
		io.WriteString(w, rest[:k])
		rest = rest[k:]
	}
	if p.served != nil {
		p.served <- n
	}
}

// invoicePages makes n pages of per invoices each: ids "inv-<page>-<i>",
// and a memo of memoLen bytes that differs on every page, so that what
// one page leaves in a buffer never looks like the next page's. padding
// adds that many spaces after each page's JSON, body that costs nothing
// to decode.
func invoicePages(n, per int, memoLen func(page int) int, padding int) []string {
	var pages []string
	for p := range n {
		data := make([]map[string]any, per)
		for i := range data {
			data[i] = map[string]any{
				"id": fmt.Sprintf("inv-%d-%d", p, i), "objectType": "qbd_invoice",
				"memo":  strings.Repeat(string(rune('a'+p%26)), memoLen(p)),
				"lines": []any{map[string]any{"id": fmt.Sprintf("line-%d-%d", p, i), "objectType": "qbd_invoice_line", "description": "page " + strconv.Itoa(p), "rate": "10.00"}},
			}
		}
		body, err := json.Marshal(map[string]any{
			"objectType": "list", "url": "/v1/quickbooks-desktop/invoices", "data": data,
			"hasMore": p < n-1, "nextCursor": "c", "remainingCount": (n - 1 - p) * per,
		})
		if err != nil {
			panic(err)
		}
		pages = append(pages, string(body)+strings.Repeat(" ", padding))
	}
	return pages
}

// decodedPages decodes each page with encoding/json on its own: what All
// must hand over.
func decodedPages(t *testing.T, pages []string) []conductor.Invoice {
	t.Helper()
	var all []conductor.Invoice
	for _, body := range pages {
		var page conductor.Page[conductor.Invoice]
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Data...)
	}
	return all
}

func bodiesClient(t *testing.T, p *pageBodies) *conductor.Client {
	t.Helper()
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	c, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithBaseURL(srv.URL), conductor.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// TestAllKeepsEveryPagesValuesWhileItReusesItsBuffer: the pages of a
// listing are read into one buffer, page after page, so each page's
// values must owe nothing to the buffer once decoded. Pages of changing
// sizes (a long one, short ones, a longer one), with and without a
// Content-Length, are collected whole and only then compared with each
// page decoded on its own.
func TestAllKeepsEveryPagesValuesWhileItReusesItsBuffer(t *testing.T) {
	sizes := []int{3000, 10, 200, 5, 8000, 1, 4000}
	pages := invoicePages(len(sizes), 20, func(p int) int { return sizes[p] }, 0)
	want := decodedPages(t, pages)
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			c := bodiesClient(t, &pageBodies{bodies: pages, chunked: chunked})
			var got []conductor.Invoice
			for inv, err := range c.QBD.Invoices.All(context.Background(), testEndUserID, nil) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, inv)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("invoices (-each page decoded alone +All):\n%s", diff)
			}
		})
	}
}

// TestAListingReadsItsPagesIntoOneBuffer: 30 pages of 256 KiB (nearly all
// of it spaces, which cost nothing to decode) cost about one page's body
// in all, not 30: each page is read into the memory of the page before
// it, with or without a Content-Length.
func TestAListingReadsItsPagesIntoOneBuffer(t *testing.T) {
	const pageSize = 256 << 10
	pages := invoicePages(30, 2, func(int) int { return 10 }, pageSize)
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			c := bodiesClient(t, &pageBodies{bodies: pages, chunked: chunked})
			read := func() {
				n := 0
				for _, err := range c.QBD.Invoices.All(context.Background(), testEndUserID, nil) {
					if err != nil {
						t.Fatal(err)
					}
					n++
				}
				if n != 60 {
					t.Fatalf("read %d invoices; want 60", n)
				}
			}
			read() // a warm connection
			heap := decodeHeap(read)
			t.Logf("%d KiB allocated reading 30 pages of %d KiB", heap>>10, pageSize>>10)
			// One page's buffer (twice its size when chunked), decoding,
			// and both ends of 30 exchanges (some 20 KiB each, more with
			// -race) come to 2 to 6 pages; a buffer per page, to 30 or
			// more.
			if limit := uint64(10 * pageSize); heap > limit {
				t.Errorf("reading 30 pages of %d KiB allocated %d KiB; want at most %d KiB (one buffer for the listing)", pageSize>>10, heap>>10, limit>>10)
			}
		})
	}
}

// TestWithResponseOfAllKeepsEachPagesBody: the Response All fills in is
// the page the loop is on, byte for byte, even once the next page has
// been read into that page's buffer.
func TestWithResponseOfAllKeepsEachPagesBody(t *testing.T) {
	pages := invoicePages(4, 2, func(p int) int { return 100 * (4 - p) }, 0)
	p := &pageBodies{bodies: pages, served: make(chan int, len(pages))}
	c := bodiesClient(t, p)
	var resp conductor.Response
	page := 0
	for inv, err := range c.QBD.Invoices.All(context.Background(), testEndUserID, nil, conductor.WithResponse(&resp)) {
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(inv.ID, "-0") {
			continue // the first object of each page
		}
		if page < len(pages)-1 {
			// Wait until the next page is written: All reads it ahead.
			select {
			case n := <-p.served:
				for n < page+1 {
					n = <-p.served
				}
			case <-testdeadline.Context(t).Done():
				t.Fatal("the next page was not asked for")
			}
		}
		if diff := cmp.Diff(pages[page], string(resp.Body)); diff != "" {
			t.Errorf("Response.Body on page %d (-page +got):\n%s", page, diff)
		}
		page++
	}
	if page != len(pages) {
		t.Errorf("went through %d pages; want %d", page, len(pages))
	}
}

// TestAnInvalidPageKeepsItsBodyInTheError: a page refused as invalid
// keeps its own bytes in the error, not those of a page read later into
// the same buffer, nor of the page before.
func TestAnInvalidPageKeepsItsBodyInTheError(t *testing.T) {
	pages := invoicePages(3, 2, func(p int) int { return 50 }, 0)
	pages[1] = strings.Replace(pages[1], `"qbd_invoice"`, `"qbd_bill"`, 1)
	c := bodiesClient(t, &pageBodies{bodies: pages})
	var err error
	for _, err = range c.QBD.Invoices.All(context.Background(), testEndUserID, nil) {
		if err != nil {
			break
		}
	}
	checkInvalid(t, err, `objectType "qbd_bill"`)
	var apiErr *conductor.Error
	if errors.As(err, &apiErr) {
		if diff := cmp.Diff(pages[1], string(apiErr.Body)); diff != "" {
			t.Errorf("the error's body (-page 2 +got):\n%s", diff)
		}
	}
}

// TestAChunkedPageOverTheCapIsRefused: a page of unknown length longer
// than MaxResponseBodyBytes is refused, also when it is read into the
// buffer of a large page before it.
func TestAChunkedPageOverTheCapIsRefused(t *testing.T) {
	pages := invoicePages(2, 1, func(int) int { return 10 }, 0)
	pages[0] += strings.Repeat(" ", conductor.MaxResponseBodyBytes-len(pages[0])) // exactly at the cap
	for _, over := range []int{1, 64 << 10} {
		t.Run(fmt.Sprintf("%d bytes over", over), func(t *testing.T) {
			pages := slices.Clone(pages)
			pages[1] += strings.Repeat(" ", conductor.MaxResponseBodyBytes+over-len(pages[1]))
			c := bodiesClient(t, &pageBodies{bodies: pages, chunked: true})
			n := 0
			var err error
			for _, err = range c.QBD.Invoices.All(context.Background(), testEndUserID, nil) {
				if err != nil {
					break
				}
				n++
			}
			if n != 1 || err == nil || !strings.Contains(err.Error(), fmt.Sprintf("exceeds the %d MiB limit", conductor.MaxResponseBodyBytes>>20)) {
				t.Errorf("after %d invoices, error %v; want one invoice, then the page over the cap refused", n, err)
			}
		})
	}
}

// closeSignal is a transport whose response bodies call onClose when
// closed: the engine closes a body once it has read it whole.
type closeSignal struct {
	onClose func()
}

func (t closeSignal) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		resp.Body = signalingBody{resp.Body, t, new(sync.Once)}
	}
	return resp, err
}

type signalingBody struct {
	io.ReadCloser
	closeSignal
	once *sync.Once // a body closed twice is one close
}

func (b signalingBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.onClose)
	return err
}

// TestAPageReadBeforeTheContextEndedIsNotHandedOn: a context cancelled
// (with a cause) as a page's body is read whole, before the loop gets to
// it, ends the loop with an error that matches context.Canceled and the
// cause, and none of that page's objects: the first page, or the second
// (All reads it ahead while the loop works on the first).
func TestAPageReadBeforeTheContextEndedIsNotHandedOn(t *testing.T) {
	pages := invoicePages(3, 2, func(int) int { return 10 }, 0)
	why := errors.New("the user went home")
	for _, tt := range []struct {
		name     string
		cancelAt int // the body, counting from 1, whose Close cancels
		want     []string
	}{
		{"first page", 1, nil},
		{"second page", 2, []string{"inv-0-0", "inv-0-1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(&pageBodies{bodies: pages})
			t.Cleanup(srv.Close)
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			var closes atomic.Int32
			transport := closeSignal{onClose: func() {
				if closes.Add(1) == int32(tt.cancelAt) {
					cancel(why)
				}
			}}
			c, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithBaseURL(srv.URL),
				conductor.WithHTTPClient(&http.Client{Transport: transport}))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			var last error
			for inv, err := range c.QBD.Invoices.All(ctx, testEndUserID, nil) {
				if err != nil {
					last = err
					break
				}
				got = append(got, inv.ID)
			}
			if !errors.Is(last, context.Canceled) || !errors.Is(last, why) {
				t.Errorf("the loop ended with %v; want an error matching context.Canceled and its cause", last)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
		})
	}
}
