package conductor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// The tests in this file hold a 2xx answer to what the docs say is
// checked of it: it is JSON, an object, of the objectType the spec gives
// the result (each object of a page too), with an id where the spec
// requires one, and costs a bounded multiple of its size to decode.

// answer is a 200 JSON reply with body.
func answer(body string) reply {
	return reply{status: 200, headers: map[string]string{"Content-Type": "application/json"}, body: body}
}

// checkInvalid fails unless err is an *Error matching ErrInvalidResponse
// whose message contains want.
func checkInvalid(t *testing.T, err error, want string) {
	t.Helper()
	var apiErr *conductor.Error
	if !errors.Is(err, conductor.ErrInvalidResponse) || !errors.As(err, &apiErr) || !strings.Contains(apiErr.Message, want) {
		t.Errorf("error %v; want an invalid response saying %q", err, want)
	}
}

// TestAnAnswerThatIsNotTheDocumentedObjectIsRefused: what decodes into an
// Invoice without an error but is not one.
func TestAnAnswerThatIsNotTheDocumentedObjectIsRefused(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"empty object", `{}`, `objectType "", want "qbd_invoice"`},
		{"null", `null`, "want a JSON object"},
		{"null with spaces", " \n null ", "want a JSON object"},
		{"a list", `[{"id":"1","objectType":"qbd_invoice"}]`, "cannot unmarshal array"},
		{"another objectType", `{"id":"80000001-1","objectType":"qbd_customer"}`, `objectType "qbd_customer", want "qbd_invoice"`},
		{"no id", `{"objectType":"qbd_invoice","refNumber":"7"}`, "has no id"},
		{"an empty id", `{"id":"","objectType":"qbd_invoice"}`, "has no id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScriptServer(t, answer(tt.body))
			inv, err := srv.client(t, conductor.WithMaxRetries(0)).QBD.Invoices.Retrieve(context.Background(), testEndUserID, "80000001-1")
			checkInvalid(t, err, tt.want)
			if inv != nil {
				t.Errorf("returned %+v with the error; want nil", inv)
			}
		})
	}
}

// TestTheDocumentedObjectIsAccepted: the checks pass what the spec
// documents, an inline answer (a delete) included.
func TestTheDocumentedObjectIsAccepted(t *testing.T) {
	srv := newScriptServer(t,
		answer(`{"id":"80000001-1","objectType":"qbd_invoice","refNumber":"7"}`),
		answer(`{"id":"80000001-1","objectType":"qbd_invoice","refNumber":"7","deleted":true}`))
	c := srv.client(t)
	inv, err := c.QBD.Invoices.Retrieve(context.Background(), testEndUserID, "80000001-1")
	if err != nil || inv.ID != "80000001-1" {
		t.Fatalf("Retrieve: %+v, %v", inv, err)
	}
	del, err := c.QBD.Invoices.Delete(context.Background(), testEndUserID, "80000001-1")
	if err != nil || !del.Deleted {
		t.Fatalf("Delete: %+v, %v", del, err)
	}
	srv2 := newScriptServer(t, answer(`{"id":"80000001-1","objectType":"qbd_customer","deleted":true}`))
	_, err = srv2.client(t, conductor.WithMaxRetries(0)).QBD.Invoices.Delete(context.Background(), testEndUserID, "80000001-1")
	checkInvalid(t, err, `want "qbd_invoice"`)
}

// TestEveryObjectOfAPageIsChecked: one object of another type, or without
// its id, fails the page; a list without its data array is not an empty
// list.
func TestEveryObjectOfAPageIsChecked(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"another objectType", `{"objectType":"list","url":"/x","data":[{"id":"1","objectType":"qbd_invoice"},{"id":"2","objectType":"qbd_bill"}],"hasMore":false,"nextCursor":null,"remainingCount":0}`,
			`object 1 of the page has objectType "qbd_bill", want "qbd_invoice"`},
		{"no id", `{"objectType":"list","url":"/x","data":[{"objectType":"qbd_invoice"}],"hasMore":false,"nextCursor":null,"remainingCount":0}`,
			"object 0 of the page (qbd_invoice) has no id"},
		{"no data", `{"objectType":"list","url":"/x","hasMore":false,"nextCursor":null,"remainingCount":0}`, "without its data array"},
		{"null data", `{"objectType":"list","url":"/x","data":null,"hasMore":false}`, "without its data array"},
		{"null", `null`, "want a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScriptServer(t, answer(tt.body))
			c := srv.client(t, conductor.WithMaxRetries(0))
			page, err := c.QBD.Invoices.List(context.Background(), testEndUserID, nil)
			checkInvalid(t, err, tt.want)
			if page != nil {
				t.Errorf("List returned %+v with the error", page)
			}
			var errs []error
			for _, err := range c.QBD.Invoices.All(context.Background(), testEndUserID, nil) {
				errs = append(errs, err)
			}
			if len(errs) != 1 {
				t.Fatalf("All yielded %v; want only the error", errs)
			}
			checkInvalid(t, errs[0], tt.want)
		})
	}
}

// TestAPageOfMoreThan150IsRefused: Conductor's pages hold at most 150
// objects (its largest limit); a list it does not page may hold more.
func TestAPageOfMoreThan150IsRefused(t *testing.T) {
	page := func(objectType string, n int) string {
		var b strings.Builder
		b.WriteString(`{"objectType":"list","url":"/x","data":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"id":"8000-` + string(rune('a'+i%26)) + `","objectType":"` + objectType + `"}`)
		}
		b.WriteString(`],"hasMore":false,"nextCursor":null,"remainingCount":0}`)
		return b.String()
	}
	srv := newScriptServer(t, answer(page("qbd_invoice", 150)), answer(page("qbd_invoice", 151)), answer(page("qbd_account", 1000)))
	c := srv.client(t, conductor.WithMaxRetries(0))
	if p, err := c.QBD.Invoices.List(context.Background(), testEndUserID, nil); err != nil || len(p.Data) != 150 {
		t.Fatalf("a page of 150: %v", err)
	}
	_, err := c.QBD.Invoices.List(context.Background(), testEndUserID, nil)
	checkInvalid(t, err, "a page of 151 objects; Conductor sends at most 150")
	if p, err := c.QBD.Accounts.List(context.Background(), testEndUserID, nil); err != nil || len(p.Data) != 1000 {
		t.Fatalf("1,000 accounts, a list Conductor answers in one page: %v", err)
	}
}

// TestInvalidJSONIsNeverAFreeFormResult: an operation whose answer the
// spec leaves free-form (passthrough) still gets only valid JSON.
func TestInvalidJSONIsNeverAFreeFormResult(t *testing.T) {
	for _, body := range []string{`{"a":`, `not json`, ``, `{"a":1}{"b":2}`} {
		srv := newScriptServer(t, answer(body))
		out, err := srv.client(t, conductor.WithMaxRetries(0)).EndUsers.Passthrough(context.Background(), testEndUserID, conductor.QuickBooksDesktop, conductor.EndUserPassthroughParams{"InvoiceQueryRq": map[string]any{}})
		if !errors.Is(err, conductor.ErrInvalidResponse) || out != nil {
			t.Errorf("body %q: got %q, %v; want no result and an invalid response", body, out, err)
		}
	}
}

// TestPassthroughSendsTheIntegrationSlug: QuickBooksDesktop goes out as
// the spec's slug, and the fake, which knows it, answers.
func TestPassthroughSendsTheIntegrationSlug(t *testing.T) {
	fake := conductortest.NewServer()
	defer fake.Close()
	c, err := fake.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	eu, err := c.EndUsers.Create(ctx, conductor.EndUserCreateParams{CompanyName: "Acme", SourceID: "acme-1", Email: "a@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if err := fake.Connect(eu.ID); err != nil {
		t.Fatal(err)
	}
	out, err := c.EndUsers.Passthrough(ctx, eu.ID, conductor.QuickBooksDesktop, conductor.EndUserPassthroughParams{"CustomerQueryRq": map[string]any{"MaxReturned": 1}})
	if err != nil {
		t.Fatalf("Passthrough: %v", err)
	}
	if !bytes.Contains(out, []byte(`"CustomerQueryRs"`)) {
		t.Errorf("answer %s; want the fake's CustomerQueryRs", out)
	}
	reqs := fake.Requests()
	got := reqs[len(reqs)-1]
	if diff := cmp.Diff("POST /end-users/"+eu.ID+"/passthrough/quickbooks_desktop", got.Method+" "+got.Path); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
}

// decodeHeap is what a call costs in heap bytes allocated, all goroutines
// together (the server's answer is written from a slice made before).
func decodeHeap(call func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	call()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestAnAnswerCostsABoundedMultipleOfItsSize: empty objects, nulls or
// numbers by the hundred thousand, as a page's data or as one invoice's
// lines, would each become a whole Go value, hundreds of bytes for three
// of body; the answer is refused before that, so the call costs a few
// times the body (the engine's read of it) however the body is made.
// Numbers are of the wrong type, which encoding/json decodes on past; a
// smaller body of them stays within what the count of its commas allows,
// so it is decoded, and must stop at the first.
func TestAnAnswerCostsABoundedMultipleOfItsSize(t *testing.T) {
	size := 256 << 10
	many := func(elem, prefix, suffix string) string {
		n := (size - len(prefix) - len(suffix)) / (len(elem) + 1)
		return prefix + strings.Repeat(elem+",", n) + elem + suffix
	}
	list := func(c *conductor.Client) error {
		_, err := c.QBD.Accounts.List(context.Background(), testEndUserID, nil)
		return err
	}
	retrieve := func(c *conductor.Client) error {
		_, err := c.QBD.Invoices.Retrieve(context.Background(), testEndUserID, "1")
		return err
	}
	const page, invoice = `{"objectType":"list","url":"/x","hasMore":false,"data":[`, `{"id":"1","objectType":"qbd_invoice","lines":[`
	tests := []struct {
		name string
		body string
		call func(c *conductor.Client) error
	}{
		{"a page of {}", many("{}", page, `]}`), list},
		{"an invoice of {} lines", many("{}", invoice, `]}`), retrieve},
		{"a page of nulls", many("null", page, `]}`), list},
		{"an invoice of null lines", many("null", invoice, `]}`), retrieve},
		{"a page of nulls, spaced", many(" null", page, `]}`), list},
		{"a page of numbers", many("1", page, `]}`), list},
		{"an invoice of number lines", many("1", invoice, `]}`), retrieve},
	}
	size = 64 << 10
	tests = append(tests, []struct {
		name string
		body string
		call func(c *conductor.Client) error
	}{
		{"a smaller page of numbers", many("1", page, `]}`), list},
		{"an invoice of fewer number lines", many("1", invoice, `]}`), retrieve},
	}...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScriptServer(t, answer(tt.body))
			c := srv.client(t, conductor.WithMaxRetries(0))
			defer c.CloseIdleConnections()
			var err error
			heap := decodeHeap(func() { err = tt.call(c) })
			checkInvalid(t, err, "refused unread")
			t.Logf("%d KiB allocated for a %d KiB body", heap>>10, len(tt.body)>>10)
			if limit := uint64(16 * len(tt.body)); heap > limit {
				t.Errorf("the call allocated %d KiB for a %d KiB body; want at most %d KiB", heap>>10, len(tt.body)>>10, limit>>10)
			}
		})
	}
}

// TestTextThatLooksLikeElementsCostsNothing: brackets and braces inside a
// string, after an escaped quote or a run of backslashes, are text, not
// elements: an invoice whose memo reads like a quarter of a megabyte of
// empty objects is decoded, where counting them would refuse it.
func TestTextThatLooksLikeElementsCostsNothing(t *testing.T) {
	for _, escape := range []string{`\"`, `\\\"`, `\\`} {
		t.Run(escape, func(t *testing.T) {
			memo := escape + "[" + strings.Repeat("{},", 80<<10) + "{}]"
			body := `{"id":"1","objectType":"qbd_invoice","memo":"` + memo + `","lines":[]}`
			srv := newScriptServer(t, answer(body))
			c := srv.client(t, conductor.WithMaxRetries(0))
			defer c.CloseIdleConnections()
			inv, err := c.QBD.Invoices.Retrieve(context.Background(), testEndUserID, "1")
			if err != nil {
				t.Fatalf("Retrieve: %v", err)
			}
			var want string
			if err := json.Unmarshal([]byte(`"`+memo+`"`), &want); err != nil {
				t.Fatal(err)
			}
			if inv.Memo == nil || *inv.Memo != want {
				t.Errorf("memo of %d bytes; want the %d bytes sent", len(deref(inv.Memo)), len(want))
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// BenchmarkListPage decodes a page of 150 invoices of 10 lines each, the
// largest page Conductor sends, through List: the cost of the checks
// (the pass over the body that bounds its cost, and the objectType and
// id of each object) against that of reading and decoding it.
func BenchmarkListPage(b *testing.B) {
	var body strings.Builder
	body.WriteString(`{"objectType":"list","url":"/v1/quickbooks-desktop/invoices","data":[`)
	for i := range 150 {
		if i > 0 {
			body.WriteByte(',')
		}
		body.WriteString(`{"id":"80000001-12345678` + strconv.Itoa(i) + `","objectType":"qbd_invoice","createdAt":"2024-10-01T12:34:56-07:00","revisionNumber":"1721172183","customer":{"id":"80000001-1234567890","fullName":"Acme"},"refNumber":"INV-1","memo":"a memo","totalAmount":"1200.00","lines":[`)
		for j := range 10 {
			if j > 0 {
				body.WriteByte(',')
			}
			body.WriteString(`{"id":"456-1234567890","objectType":"qbd_invoice_line","item":{"id":"80000001-1234567890","fullName":"Widget"},"description":"A widget","quantity":5,"rate":"10.00","amount":"50.00","customFields":[],"linkedTransactions":null}`)
		}
		body.WriteString(`],"customFields":[],"linkedTransactions":[]}`)
	}
	body.WriteString(`],"hasMore":false,"nextCursor":null,"remainingCount":0}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body.String())
	}))
	defer srv.Close()
	c, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithBaseURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseIdleConnections()
	b.SetBytes(int64(body.Len()))
	b.ReportAllocs()
	for b.Loop() {
		page, err := c.QBD.Invoices.List(context.Background(), testEndUserID, nil)
		if err != nil || len(page.Data) != 150 {
			b.Fatal(err)
		}
	}
}

// TestAnAnswerWithoutItsRequiredKeysIsRefused: results whose schema has no
// objectType (the company, a page of transactions, ...) are checked for
// the keys the spec requires at their top level; the fake's answers,
// built from the spec, pass.
func TestAnAnswerWithoutItsRequiredKeysIsRefused(t *testing.T) {
	ctx := context.Background()
	srv := newScriptServer(t, answer(`{"objectType":"qbd_invoice","id":"x"}`))
	_, err := srv.client(t, conductor.WithMaxRetries(0)).QBD.Company.Retrieve(ctx, testEndUserID)
	checkInvalid(t, err, `the object has no "isSampleCompanyFile", which the spec requires`)

	fake := conductortest.NewServer()
	defer fake.Close()
	c, err := fake.Client()
	if err != nil {
		t.Fatal(err)
	}
	eu, err := c.EndUsers.Create(ctx, conductor.EndUserCreateParams{CompanyName: "Acme", SourceID: "acme-1", Email: "a@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if err := fake.Connect(eu.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.QBD.Company.Retrieve(ctx, eu.ID); err != nil {
		t.Errorf("the fake's company: %v", err)
	}
	if _, err := c.QBD.Preferences.Retrieve(ctx, eu.ID); err != nil {
		t.Errorf("the fake's preferences: %v", err)
	}
	// A zero Transaction marshals with every key.
	one, _ := json.Marshal(conductor.Transaction{TransactionType: "Invoice"})
	list := func(data string) string {
		return `{"objectType":"list","url":"/v1/quickbooks-desktop/transactions","data":[` + data + `],"hasMore":false,"nextCursor":null,"remainingCount":0}`
	}
	srv = newScriptServer(t, answer(list(string(one))), answer(list(string(one)+`,{}`)))
	c = srv.client(t, conductor.WithMaxRetries(0))
	if _, err := c.QBD.Transactions.List(ctx, testEndUserID, nil); err != nil {
		t.Errorf("a page of a whole transaction: %v", err)
	}
	_, err = c.QBD.Transactions.List(ctx, testEndUserID, nil)
	checkInvalid(t, err, `object 1 of the page has no "transactionType", which the spec requires`)

	// Each key of a transaction, whichever it is, is checked.
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(one, &keys); err != nil {
		t.Fatal(err)
	}
	for key := range keys {
		without := maps.Clone(keys)
		delete(without, key)
		body, _ := json.Marshal(without)
		srv = newScriptServer(t, answer(list(string(body))))
		_, err = srv.client(t, conductor.WithMaxRetries(0)).QBD.Transactions.List(ctx, testEndUserID, nil)
		checkInvalid(t, err, fmt.Sprintf(`object 0 of the page has no %q, which the spec requires`, key))
	}
}
