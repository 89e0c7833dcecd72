package conductor_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor"
)

// pagedInvoices serves GET .../quickbooks-desktop/invoices as Conductor
// does: pages of limit objects, a nextCursor that stays the same for the
// whole listing, and hasMore false on the last page. fail holds statuses
// to answer with instead, by the request's number (1-based).
type pagedInvoices struct {
	total int
	fail  map[int]int
	// failBody, by request number, is the body of a failure in fail;
	// the default is a 500's.
	failBody map[int]string

	mu       sync.Mutex
	requests []string       // each request's raw query
	arrived  chan int       // the number of each request, as it arrives
	served   map[string]int // per cursor, how many objects were served
	onServe  func(n int)    // called with each request's number before answering
}

const pageCursor = "12345678-abcd-abcd-example-1234567890ab"

func (p *pagedInvoices) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.requests = append(p.requests, r.URL.RawQuery)
	n := len(p.requests)
	status, failBody := p.fail[n], p.failBody[n]
	if p.served == nil {
		p.served = map[string]int{}
	}
	cursor := r.URL.Query().Get("cursor")
	start := 0
	if cursor != "" {
		start = p.served[cursor]
	}
	p.mu.Unlock()
	if p.arrived != nil {
		p.arrived <- n
	}
	if p.onServe != nil {
		p.onServe(n)
	}
	w.Header().Set("Content-Type", "application/json")
	if status != 0 {
		w.WriteHeader(status)
		if failBody == "" {
			failBody = envelope(status, "INTERNAL_ERROR", "TEST", "try again")
		}
		w.Write([]byte(failBody))
		return
	}
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil {
		limit = 150
	}
	end := min(start+limit, p.total)
	p.mu.Lock()
	p.served[pageCursor] = end
	p.mu.Unlock()
	data := []map[string]any{}
	for i := start; i < end; i++ {
		data = append(data, map[string]any{"id": fmt.Sprintf("inv_%03d", i), "objectType": "qbd_invoice"})
	}
	body, _ := json.Marshal(map[string]any{
		"objectType": "list", "url": "/v1/quickbooks-desktop/invoices", "data": data,
		"nextCursor": pageCursor, "hasMore": end < p.total, "remainingCount": p.total - end,
	})
	w.Write(body)
}

func (p *pagedInvoices) got() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.requests...)
}

func pagedClient(t *testing.T, p *pagedInvoices, opts ...conductor.Option) *conductor.Client {
	t.Helper()
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	c, err := conductor.NewClient(append([]conductor.Option{conductor.WithAPIKey(testAPIKey), conductor.WithBaseURL(srv.URL)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func ids(invoices []conductor.Invoice) []string {
	var out []string
	for _, inv := range invoices {
		out = append(out, inv.ID)
	}
	return out
}

func wantIDs(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("inv_%03d", i))
	}
	return out
}

func TestListReturnsOnePage(t *testing.T) {
	p := &pagedInvoices{total: 5}
	page, err := pagedClient(t, p).QBD.Invoices.List(context.Background(), testEndUserID, &conductor.InvoiceListParams{Limit: new(2)})
	if err != nil {
		t.Fatal(err)
	}
	want := &conductor.Page[conductor.Invoice]{Data: page.Data, HasMore: true, NextCursor: pageCursor, RemainingCount: 3}
	if diff := cmp.Diff(want, page); diff != "" || !cmp.Equal(ids(page.Data), wantIDs(0, 2)) {
		t.Errorf("page mismatch (-want +got):\n%s\nids %v", diff, ids(page.Data))
	}
}

// TestAllReadsEveryPage: three pages with a constant cursor, each asked
// for with the caller's parameters and the cursor, every object once and
// in order.
func TestAllReadsEveryPage(t *testing.T) {
	p := &pagedInvoices{total: 5}
	c := pagedClient(t, p)
	var got []conductor.Invoice
	for inv, err := range c.QBD.Invoices.All(context.Background(), testEndUserID, &conductor.InvoiceListParams{Limit: new(2), PaymentStatus: new(conductor.ListPaymentStatusNotPaid)}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, inv)
	}
	if diff := cmp.Diff(wantIDs(0, 5), ids(got)); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	want := []string{
		"limit=2&paymentStatus=not_paid",
		"cursor=" + pageCursor + "&limit=2&paymentStatus=not_paid",
		"cursor=" + pageCursor + "&limit=2&paymentStatus=not_paid",
	}
	if diff := cmp.Diff(want, p.got()); diff != "" {
		t.Errorf("queries (-want +got):\n%s", diff)
	}
}

// TestAllRetriesAFailedPage: a page that fails with a retryable status is
// asked for again, and nothing is skipped or repeated.
func TestAllRetriesAFailedPage(t *testing.T) {
	p := &pagedInvoices{total: 5, fail: map[int]int{2: http.StatusServiceUnavailable}}
	c := pagedClient(t, p)
	var got []conductor.Invoice
	for inv, err := range c.QBD.Invoices.All(context.Background(), testEndUserID, &conductor.InvoiceListParams{Limit: new(2)}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, inv)
	}
	if diff := cmp.Diff(wantIDs(0, 5), ids(got)); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	if n := len(p.got()); n != 4 {
		t.Errorf("server got %d requests, want 4: three pages and one retry", n)
	}
}

// TestAllEndsWithAPageThatFails: when a page fails after the retries, the
// loop gets the error once and stops; an error about the cursor on a page
// after the first says a cursor lasts 10 seconds.
func TestAllEndsWithAPageThatFails(t *testing.T) {
	expired := envelope(400, "INVALID_REQUEST_ERROR", "INVALID_CURSOR", "cursor: is unknown or has expired.")
	p := &pagedInvoices{total: 5, fail: map[int]int{2: 400}, failBody: map[int]string{2: expired}}
	var got []conductor.Invoice
	var errs []error
	for inv, err := range pagedClient(t, p).QBD.Invoices.All(context.Background(), testEndUserID, &conductor.InvoiceListParams{Limit: new(2)}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, inv)
	}
	if diff := cmp.Diff(wantIDs(0, 2), ids(got)); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	if len(errs) != 1 || !errors.Is(errs[0], conductor.ErrBadRequest) || !strings.Contains(errs[0].Error(), "10 seconds") {
		t.Errorf("errors %v; want one 400 that says a cursor lasts 10 seconds", errs)
	}
}

// TestAllBlamesTheCursorOnlyForACursorError: a 400 about something else
// (QuickBooks refusing the request) on page 2, and any 400 on page 1,
// which sends no cursor of All's, are passed on as the server said them.
func TestAllBlamesTheCursorOnlyForACursorError(t *testing.T) {
	qbd := envelope(400, "INTEGRATION_ERROR", "QBD_REQUEST_ERROR", "QuickBooks Desktop refused the request: the filter is invalid.")
	expired := envelope(400, "INVALID_REQUEST_ERROR", "INVALID_CURSOR", "cursor: is unknown or has expired.")
	tests := []struct {
		name  string
		page  int
		body  string
		blame bool
	}{
		{"QuickBooks on page 2", 2, qbd, false},
		{"the cursor on page 2", 2, expired, true},
		{"the cursor on page 1", 1, expired, false},
		{"QuickBooks on page 1", 1, qbd, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &pagedInvoices{total: 5, fail: map[int]int{tt.page: 400}, failBody: map[int]string{tt.page: tt.body}}
			var last error
			for _, err := range pagedClient(t, p).QBD.Invoices.All(context.Background(), testEndUserID, &conductor.InvoiceListParams{Limit: new(2)}) {
				last = err
			}
			var apiErr *conductor.Error
			if !errors.As(last, &apiErr) || apiErr.StatusCode != 400 {
				t.Fatalf("the loop ended with %v; want the 400", last)
			}
			if blamed := strings.Contains(last.Error(), "cursor expires"); blamed != tt.blame {
				t.Errorf("error %q; blames the cursor: %v, want %v", last, blamed, tt.blame)
			}
		})
	}
}

// TestAllEndsInAnErrorWhenTheServerDoesNotEndTheList: a page that says
// more follow must give the cursor to ask with, and the listing must move
// on; otherwise All ends with an error saying what the server did rather
// than stopping early as if the list were done, or asking forever.
func TestAllEndsInAnErrorWhenTheServerDoesNotEndTheList(t *testing.T) {
	page := func(id string, more bool, cursor, remaining string) string {
		return `{"data":[{"id":"` + id + `","objectType":"qbd_invoice"}],"hasMore":` + strconv.FormatBool(more) + cursor + `,"remainingCount":` + remaining + `}`
	}
	const c = `,"nextCursor":"c"`
	tests := []struct {
		name  string
		pages []string
		// want is what the error says, "" for none; objects is how many
		// objects the loop gets, requests at most how many are sent.
		want              string
		objects, requests int
	}{
		{"hasMore, nextCursor null", []string{page("1", true, `,"nextCursor":null`, "3")}, "gives no nextCursor", 0, 1},
		{"hasMore, nextCursor empty", []string{page("1", true, `,"nextCursor":""`, "3")}, "gives no nextCursor", 0, 1},
		{"hasMore, no nextCursor", []string{page("1", true, "", "3")}, "gives no nextCursor", 0, 1},
		{"the same page again", []string{page("1", true, c, "3")}, "page 2 of the list is page 1 again, byte for byte", 1, 2},
		{"the same page again, no count", []string{page("1", true, c, "null")}, "page 2 of the list is page 1 again, byte for byte", 1, 2},
		{"two pages in turn, no count", []string{
			page("1", true, c, "null"), page("2", true, c, "null"), page("1", true, c, "null"), page("2", true, c, "null"), page("1", true, c, "null"),
		}, "page 3 of the list is page 1 again, byte for byte", 2, 3},
		{"two pages in turn, count 0", []string{
			page("1", true, c, "0"), page("2", true, c, "0"), page("1", true, c, "0"), page("2", true, c, "0"), page("1", true, c, "0"),
		}, "page 3 of the list is page 1 again, byte for byte", 2, 3},
		{"remainingCount stuck at 0 after a count", []string{
			page("1", true, c, "2"), page("2", true, c, "0"), page("3", true, c, "0"), page("4", true, c, "-1"), page("5", true, c, "0"),
		}, "remainingCount has not gone below 0 for 3 pages in a row", 4, 5},
		{"remainingCount that does not shrink", []string{
			page("1", true, c, "3"), page("2", true, c, "3"), page("3", true, c, "4"), page("4", true, c, "3"),
		}, "remainingCount has not gone below 3 for 3 pages in a row", 3, 4},
		{"writes during the listing raise remainingCount for a while", []string{
			page("1", true, c, "5"), page("2", true, c, "6"), page("3", true, c, "5"), page("4", true, c, "4"), page("5", false, `,"nextCursor":null`, "0"),
		}, "", 5, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var replies []reply
			for _, p := range tt.pages {
				replies = append(replies, answer(p))
			}
			srv := newScriptServer(t, replies...)
			c := srv.client(t)
			defer c.CloseIdleConnections()
			objects := 0
			var errs []error
			for _, err := range c.QBD.Invoices.All(context.Background(), testEndUserID, nil) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				if objects++; objects > 10 {
					break // asking forever
				}
			}
			switch {
			case tt.want == "" && (len(errs) != 0 || objects != tt.objects):
				t.Errorf("got %d objects and errors %v; want %d objects and no error", objects, errs, tt.objects)
			case tt.want != "" && (len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.want) || objects != tt.objects):
				t.Errorf("got %d objects and errors %v; want %d objects, then one error saying %q", objects, errs, tt.objects, tt.want)
			}
			if n := srv.count(); n > tt.requests {
				t.Errorf("the server got %d requests; want at most %d", n, tt.requests)
			}
		})
	}
}

// TestBreakingOutOfAllCancelsThePageInFlight: the page being fetched ahead
// when the loop breaks is cancelled at once, not waited for until its
// attempt times out. It runs in fake time: the server holds page 2 until
// its request is cancelled, and the break returns with no time passed.
func TestBreakingOutOfAllCancelsThePageInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &pagedInvoices{total: 10, arrived: make(chan int, 10)}
		cancelled := make(chan struct{})
		held := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("cursor") == "" {
				p.ServeHTTP(w, r)
				return
			}
			<-r.Context().Done()
			close(cancelled)
		})
		c := bubbleServer(t, held)
		var broke time.Time
		for _, err := range c.QBD.Invoices.All(context.Background(), testEndUserID, &conductor.InvoiceListParams{Limit: new(2)}) {
			if err != nil {
				t.Fatal(err)
			}
			synctest.Wait() // page 2 is asked for and held
			broke = time.Now()
			break
		}
		if waited := time.Since(broke); waited != 0 {
			t.Errorf("breaking out returned after %v of fake time; want at once, the page in flight cancelled", waited)
		}
		select {
		case <-cancelled:
		default:
			synctest.Wait()
			select {
			case <-cancelled:
			default:
				t.Error("the server never saw page 2's request cancelled")
			}
		}
	})
}

// TestAllStopsWhenTheLoopBreaks: breaking out ends the fetch in flight and
// leaves no goroutine behind (goleak checks the package).
func TestAllStopsWhenTheLoopBreaks(t *testing.T) {
	p := &pagedInvoices{total: 10}
	c := pagedClient(t, p)
	n := 0
	for _, err := range c.QBD.Invoices.All(context.Background(), testEndUserID, &conductor.InvoiceListParams{Limit: new(2)}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 3 {
			break
		}
	}
	if got := len(p.got()); got > 3 {
		t.Errorf("server got %d requests after a break on page 2; want at most 3 (page 2 and the one ahead)", got)
	}
}

// TestAllStopsWhenTheContextEnds: cancelling during the loop ends it with
// the context's error and no further request.
func TestAllStopsWhenTheContextEnds(t *testing.T) {
	p := &pagedInvoices{total: 10}
	c := pagedClient(t, p)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []conductor.Invoice
	var last error
	for inv, err := range c.QBD.Invoices.All(ctx, testEndUserID, &conductor.InvoiceListParams{Limit: new(2)}) {
		if err != nil {
			last = err
			break
		}
		got = append(got, inv)
		if len(got) == 1 {
			cancel()
		}
	}
	if !errors.Is(last, context.Canceled) {
		t.Errorf("the loop ended with %v, want context.Canceled", last)
	}
	if len(got) > 2 {
		t.Errorf("got %d objects after cancelling on the first; want at most the first page's 2", len(got))
	}
}

func TestAllRefusesAnEndlessEmptyPage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"objectType":"list","url":"/x","data":[],"nextCursor":"c","hasMore":true,"remainingCount":null}`))
	}))
	defer srv.Close()
	c, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	var errs []error
	for _, err := range c.QBD.Invoices.All(context.Background(), testEndUserID, nil) {
		errs = append(errs, err)
	}
	if len(errs) != 1 || errs[0] == nil || !strings.Contains(errs[0].Error(), "empty but says more follow") {
		t.Errorf("yielded %v; want one error about the empty page", errs)
	}
}

// TestAllFetchesAheadOfASlowLoop: while the loop works on a page, the next
// one is already fetched (it was asked for when the page before arrived),
// so the network overlaps the loop's work; and no page further than that
// one is fetched, so memory stays at one page ahead. It runs in fake time:
// the loop's minutes of work take no real time, and when every goroutine
// waits, the fetches have done all they will do.
func TestAllFetchesAheadOfASlowLoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &pagedInvoices{total: 6}
		var answered []time.Time
		p.onServe = func(int) { answered = append(answered, time.Now()) }
		c := bubbleServer(t, p)
		start := time.Now()
		var got []conductor.Invoice
		for inv, err := range c.QBD.Invoices.All(context.Background(), testEndUserID, &conductor.InvoiceListParams{Limit: new(2)}) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, inv)
			if len(got) == 1 {
				synctest.Wait()
				if n := len(p.got()); n != 2 {
					t.Errorf("while the loop works on page 1, the server got %d requests; want 2: page 1, and page 2 ahead", n)
				}
			}
			time.Sleep(time.Minute) // a slow loop: far longer than a cursor lasts
		}
		if diff := cmp.Diff(wantIDs(0, 6), ids(got)); diff != "" {
			t.Errorf("objects (-want +got):\n%s", diff)
		}
		// Page 2 was asked for when page 1 arrived; page 3 when the loop
		// moved on to page 2, after its two minutes on page 1: one page
		// ahead, no more.
		for i, at := range answered {
			if want := start.Add(time.Duration(2*max(0, i-1)) * time.Minute); !at.Equal(want) {
				t.Errorf("page %d was asked for %v after the start, want %v", i+1, at.Sub(start), want.Sub(start))
			}
		}
	})
}
