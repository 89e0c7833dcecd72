package conductortest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// bigBookCustomers is how many customers bigBooks' invoices are shared
// among, so that a customerIds filter passes one invoice in that many.
const bigBookCustomers = 10

// bigBooks is a connected end-user, end_usr_big, with bigBookCustomers
// customers and n invoices of some 2.7 KB each as the fake stores them,
// the customers' in turn.
func bigBooks(n int) *conductortest.Fixtures {
	customers := make([]map[string]any, bigBookCustomers)
	for i := range customers {
		customers[i] = map[string]any{"id": bigBookCustomer(i), "name": fmt.Sprintf("Customer %d", i)}
	}
	invoices := make([]map[string]any, n)
	for i := range invoices {
		invoices[i] = map[string]any{
			"customerId": bigBookCustomer(i % bigBookCustomers), "refNumber": fmt.Sprintf("INV-%d", i),
			"transactionDate": "2024-10-01", "memo": strings.Repeat("m", 400),
			"lines": []any{map[string]any{"description": "Consulting", "quantity": float64(2), "rate": "150.00"}},
		}
	}
	return &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{{
		ID: "end_usr_big", Connected: true,
		QBD: map[string][]map[string]any{"customers": customers, "invoices": invoices},
	}}}
}

func bigBookCustomer(i int) string { return fmt.Sprintf("8000%04X-1700000000", i+1) }

// bigBudget is an object budget that holds 50,000 of bigBooks' invoices.
const bigBudget = 192 << 20

// TestABiggerObjectBudgetHoldsBigBooks: 20,000 invoices, far past the
// default MaxObjectBytes, load into a fake given a bigger budget, which
// then takes more and lists them all.
func TestABiggerObjectBudgetHoldsBigBooks(t *testing.T) {
	books := bigBooks(20000)
	if srv, err := conductortest.NewServerWithOptions(conductortest.Options{Fixtures: books}); err == nil || !strings.Contains(err.Error(), "MaxObjectBytes") {
		if err == nil {
			srv.Close()
		}
		t.Fatalf("20,000 invoices within the default budget: err = %v; want it refused for MaxObjectBytes, else this test shows nothing", err)
	}
	srv := newServer(t, conductortest.Options{Fixtures: books, MaxObjectBytes: bigBudget})
	h := qbdHeader(srv, "end_usr_big")
	if r := send(t, srv, "POST", "/quickbooks-desktop/invoices", h, `{"customerId":"`+bigBookCustomer(0)+`","transactionDate":"2024-10-02"}`); r.status != http.StatusOK {
		t.Fatalf("creating the 20,001st invoice: status %d: %.300s", r.status, r.body)
	}
	first := decodeObject(t, send(t, srv, "GET", "/quickbooks-desktop/invoices?limit=150", h, ""))
	if got, want := first["remainingCount"], float64(20001-150); got != want {
		t.Errorf("remainingCount of the first page = %v; want %v", got, want)
	}
}

// TestRemainingCountFollowsWritesDuringAListing: objects created,
// deleted and updated while a filtered list is paged change the
// remainingCount of its next page as they change what is left to list,
// and the pages show them.
func TestRemainingCountFollowsWritesDuringAListing(t *testing.T) {
	srv := newServer(t, conductortest.Options{Fixtures: bigBooks(200)})
	h := qbdHeader(srv, "end_usr_big")
	mine := bigBookCustomer(0)
	// What the test expects is left of the list, oldest first: customer
	// 0's invoices not yet shown.
	var left []string
	all := decodeObject(t, send(t, srv, "GET", "/quickbooks-desktop/invoices?limit=150&customerIds="+mine, h, ""))
	for _, v := range all["data"].([]any) {
		left = append(left, v.(map[string]any)["id"].(string))
	}
	create := func(customer string) string {
		t.Helper()
		r := send(t, srv, "POST", "/quickbooks-desktop/invoices", h, `{"customerId":"`+customer+`","transactionDate":"2024-10-02"}`)
		if r.status != http.StatusOK {
			t.Fatalf("creating an invoice: status %d: %.300s", r.status, r.body)
		}
		return decodeObject(t, r)["id"].(string)
	}
	remove := func(id string) {
		t.Helper()
		if r := send(t, srv, "DELETE", "/quickbooks-desktop/invoices/"+id, h, ""); r.status != http.StatusOK {
			t.Fatalf("deleting invoice %s: status %d: %.300s", id, r.status, r.body)
		}
	}
	type pageSeen struct {
		IDs       []string
		Remaining float64
	}
	var cursor string
	next := func() pageSeen {
		t.Helper()
		q := "?limit=2&customerIds=" + mine
		if cursor != "" {
			q = "?limit=2&cursor=" + cursor
		}
		r := send(t, srv, "GET", "/quickbooks-desktop/invoices"+q, h, "")
		if r.status != http.StatusOK {
			t.Fatalf("a page: status %d: %.300s", r.status, r.body)
		}
		p := decodeObject(t, r)
		cursor, _ = p["nextCursor"].(string)
		var got pageSeen
		for _, v := range p["data"].([]any) {
			got.IDs = append(got.IDs, v.(map[string]any)["id"].(string))
		}
		got.Remaining, _ = p["remainingCount"].(float64)
		return got
	}
	expect := func() pageSeen {
		n := min(2, len(left))
		want := pageSeen{IDs: left[:n:n], Remaining: float64(len(left) - n)}
		left = left[n:]
		return want
	}
	steps := []struct {
		what  string
		write func()
	}{
		{"no write", func() {}},
		{"no write", func() {}},
		{"an invoice of the customer created", func() { left = append(left, create(mine)) }},
		{"an invoice of another customer created", func() { create(bigBookCustomer(1)) }},
		{"one of those left deleted", func() { remove(left[1]); left = append(left[:1], left[2:]...) }},
		{"the last one left deleted, and one created", func() {
			remove(left[len(left)-1])
			left = append(left[:len(left)-1], create(mine))
		}},
		{"one already shown deleted", func() { remove(all["data"].([]any)[0].(map[string]any)["id"].(string)) }},
		{"no write", func() {}},
	}
	for i, step := range steps {
		step.write()
		if got, want := next(), expect(); !cmp.Equal(got, want) {
			t.Errorf("page %d, after %s: (-got +want)\n%s", i+1, step.what, cmp.Diff(got, want))
		}
	}
}

// TestACursorWithinItsTTLIsNeverRefused: a default fake pages twice as
// many lists at once as it once kept cursors (1,000), on a clock that
// stands still, and each goes on to its end; a fake whose MaxCursors are
// all taken refuses a new list but goes on paging those it keeps.
func TestACursorWithinItsTTLIsNeverRefused(t *testing.T) {
	now := time.Date(2024, 10, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	books := bigBooks(2)
	for _, tt := range []struct {
		name       string
		maxCursors int
		lists      int
	}{
		{"default", 0, 2000},
		{"full", 5, 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, conductortest.Options{Now: clock, Fixtures: books, MaxCursors: tt.maxCursors})
			h := qbdHeader(srv, "end_usr_big")
			var cursors []string
			for i := range tt.lists {
				r := send(t, srv, "GET", "/quickbooks-desktop/invoices?limit=1", h, "")
				cursor, _ := decodeObject(t, r)["nextCursor"].(string)
				if r.status != http.StatusOK || cursor == "" {
					t.Fatalf("the first page of list %d, with %d lists being paged: status %d, %.300s; want a page with a cursor", i+1, i, r.status, r.body)
				}
				cursors = append(cursors, cursor)
			}
			if tt.maxCursors > 0 {
				if r := send(t, srv, "GET", "/quickbooks-desktop/invoices?limit=1", h, ""); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "MaxCursors") {
					t.Errorf("a list past MaxCursors: status %d, %.300s; want 400 naming MaxCursors", r.status, r.body)
				}
			}
			for i, cursor := range cursors {
				if r := send(t, srv, "GET", "/quickbooks-desktop/invoices?limit=1&cursor="+cursor, h, ""); r.status != http.StatusOK {
					t.Fatalf("the second page of list %d: status %d, %.300s", i+1, r.status, r.body)
				}
			}
		})
	}
}

// BenchmarkListingBigBooks lists bigBooks' invoices page by page (150 a
// page), unfiltered and filtered by customer (one invoice in ten
// passes), in books of 5,000 and 50,000 invoices; an op is a page, the
// list started again when it ends, so that a list's first page, which
// counts what follows it, is in the average as often as it comes. Each
// page costs the same whatever the books' size; so does a page of the
// customers owing.
func BenchmarkListingBigBooks(b *testing.B) {
	for _, n := range []int{5000, 50000} {
		b.Run(fmt.Sprintf("invoices=%d", n), func(b *testing.B) {
			srv, err := conductortest.NewServerWithOptions(conductortest.Options{Fixtures: bigBooks(n), MaxObjectBytes: bigBudget, CursorTTL: time.Hour})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			h := http.Header{"Authorization": {"Bearer " + srv.SecretKey}, "Conductor-End-User-Id": {"end_usr_big"}}
			for _, filter := range []struct{ name, query string }{{"none", ""}, {"customer", "&customerIds=" + bigBookCustomer(3)}} {
				b.Run("filter="+filter.name, func(b *testing.B) {
					hc := &http.Client{}
					defer hc.CloseIdleConnections()
					cursor := ""
					for b.Loop() {
						url := srv.URL + "/quickbooks-desktop/invoices?limit=150" + filter.query
						if cursor != "" {
							url = srv.URL + "/quickbooks-desktop/invoices?limit=150&cursor=" + cursor
						}
						cursor = benchPage(b, hc, url, h)
					}
				})
			}
			// Customers owing: their balances are computed from the
			// invoices once, not per page or per customer, while the
			// books stay as they are.
			b.Run("customers=owing", func(b *testing.B) {
				hc := &http.Client{}
				defer hc.CloseIdleConnections()
				for b.Loop() {
					benchPage(b, hc, srv.URL+"/quickbooks-desktop/customers?limit=150&totalBalanceGreaterThan=0", h)
				}
			})
		})
	}
}

// benchPage gets a page and returns its nextCursor, "" at the end. The
// cursor is read from the answer's tail, where the fake writes it after
// the objects, so that the client's work is small beside the fake's.
func benchPage(b *testing.B, hc *http.Client, url string, h http.Header) string {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header = h
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("a page: status %d, %v: %.300s", resp.StatusCode, err, body)
	}
	j := bytes.LastIndex(body, []byte(`],"`))
	if !bytes.HasPrefix(body, []byte(`{"data":[`)) || j < 0 {
		b.Fatalf("a page not as the fake writes it: %.300s", body)
	}
	var tail struct {
		NextCursor string `json:"nextCursor"`
	}
	if err := json.Unmarshal(append([]byte("{"), body[j+2:]...), &tail); err != nil {
		b.Fatalf("a page's tail: %v: %.300s", err, body[j:])
	}
	return tail.NextCursor
}
