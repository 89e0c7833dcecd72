package conductor_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
	"github.com/seed-6dcb809e/conductor-go/internal/testdeadline"
)

// The tests in this file hold WithResponse to its doc: what a call's
// Response holds after a success, a failure and each page of a listing,
// that it is the caller's own, and that printing it shows no secret.

// ignoreHeader leaves Header out of a comparison; tests check the
// headers they set one by one, since net/http adds its own.
var ignoreHeader = cmpopts.IgnoreFields(conductor.Response{}, "Header")

// TestWithResponseKeepsAFieldTheSpecLacks: a 2xx answer with a field
// openapi.yaml does not list decodes into the typed result as before, and
// the field is in the Response's raw JSON, with the status, the headers
// and the request id.
func TestWithResponseKeepsAFieldTheSpecLacks(t *testing.T) {
	const body = `{"id":"80000001-1234567890","objectType":"qbd_invoice","refNumber":"INV-1","newField":{"tier":"gold"}}`
	srv := newScriptServer(t, reply{status: 200, body: body, headers: jsonHeaders("Conductor-Request-Id", "req_new", "X-Extra", "kept")})
	var resp conductor.Response
	inv, err := srv.client(t).QBD.Invoices.Retrieve(testdeadline.Context(t), testEndUserID, "80000001-1234567890", conductor.WithResponse(&resp))
	if err != nil {
		t.Fatal(err)
	}
	if inv.ID != "80000001-1234567890" || inv.RefNumber == nil || *inv.RefNumber != "INV-1" {
		t.Errorf("typed result %+v; want id 80000001-1234567890 and refNumber INV-1", inv)
	}
	want := conductor.Response{StatusCode: 200, RequestID: "req_new", Body: []byte(body)}
	if diff := cmp.Diff(want, resp, ignoreHeader); diff != "" {
		t.Errorf("Response mismatch (-want +got):\n%s", diff)
	}
	if got := resp.Header.Get("X-Extra"); got != "kept" {
		t.Errorf("Header X-Extra = %q, want %q", got, "kept")
	}
	var extra struct {
		NewField struct {
			Tier string `json:"tier"`
		} `json:"newField"`
	}
	if err := json.Unmarshal(resp.Body, &extra); err != nil || extra.NewField.Tier != "gold" {
		t.Errorf("newField from the raw JSON: %+v, %v; want tier gold", extra, err)
	}
}

// TestWithResponseOnCreateAndList: AuthSessions.Create, which has its own
// path, and List (on the fake) fill the Response in too; a retried call's
// is the answer of its last attempt.
func TestWithResponseOnCreateAndList(t *testing.T) {
	srv := newScriptServer(t, failure(503, "Retry-After-Ms", "1", "Conductor-Request-Id", "req_first"), okReply)
	var resp conductor.Response
	session, err := create(t, srv.client(t), validParams, conductor.WithResponse(&resp))
	if err != nil {
		t.Fatal(err)
	}
	want := conductor.Response{StatusCode: 200, RequestID: session.RequestID, Body: []byte(sessionJSON)}
	if diff := cmp.Diff(want, resp, ignoreHeader); diff != "" || session.RequestID != "req_ok" {
		t.Errorf("Create's Response mismatch (-want +got):\n%s\nsession's request id %q", diff, session.RequestID)
	}

	fake, c, endUser := fakeWithCustomers(t, 3)
	page, err := c.QBD.Customers.List(testdeadline.Context(t), endUser, &conductor.CustomerListParams{Limit: new(2)}, conductor.WithResponse(&resp))
	if err != nil {
		t.Fatal(err)
	}
	var raw conductor.Page[conductor.Customer]
	if err := json.Unmarshal(resp.Body, &raw); err != nil {
		t.Fatalf("the page's raw JSON: %v", err)
	}
	if diff := cmp.Diff(page, &raw); diff != "" {
		t.Errorf("the raw JSON does not hold the page List returned (-List +raw):\n%s", diff)
	}
	if last := fake.Requests()[len(fake.Requests())-1]; resp.StatusCode != 200 || !strings.HasPrefix(resp.RequestID, "req_") || resp.Header.Get("Conductor-Request-Id") != resp.RequestID || last.Path != "/quickbooks-desktop/customers" {
		t.Errorf("List's Response %v with header %v; want 200 with the fake's request id", resp, resp.Header)
	}
}

// fakeWithCustomers starts the fake with one connected end-user who has n
// customers, and returns it, a client for it and the end-user's id.
func fakeWithCustomers(t *testing.T, n int) (*conductortest.Server, *conductor.Client, string) {
	t.Helper()
	const endUser = "end_usr_response"
	var customers []map[string]any
	for i := range n {
		customers = append(customers, map[string]any{"name": fmt.Sprintf("Customer %d", i)})
	}
	fake, err := conductortest.NewServerWithOptions(conductortest.Options{Fixtures: &conductortest.Fixtures{
		EndUsers: []conductortest.FixtureEndUser{{ID: endUser, CompanyName: "Acme", SourceID: "acme", Email: "a@example.com", Connected: true, QBD: map[string][]map[string]any{"customers": customers}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	c, err := fake.Client()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return fake, c, endUser
}

// TestWithResponseFollowsAllPageByPage: in an All loop, the Response is
// the answer of the page the current object came from, though the next
// page has already been fetched (the bubble waits for it before each
// check); after the loop, it is the last page's.
func TestWithResponseFollowsAllPageByPage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &pagedInvoices{total: 5}
		var n atomic.Int32
		c := bubbleServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Conductor-Request-Id", fmt.Sprintf("req_page_%d", n.Add(1)))
			p.ServeHTTP(w, r)
		}))
		var resp conductor.Response
		objects := 0
		for inv, err := range c.QBD.Invoices.All(context.Background(), testEndUserID, &conductor.InvoiceListParams{Limit: new(2)}, conductor.WithResponse(&resp)) {
			if err != nil {
				t.Fatal(err)
			}
			synctest.Wait() // the page after this one is fetched and held
			objects++
			page := objects/2 + objects%2
			if want := fmt.Sprintf("req_page_%d", page); resp.RequestID != want || !slices.Contains(pageIDs(t, resp.Body), inv.ID) {
				t.Errorf("at %s (page %d): Response %v holding %v; want %s, holding it", inv.ID, page, resp, pageIDs(t, resp.Body), want)
			}
		}
		if resp.RequestID != "req_page_3" || !cmp.Equal(pageIDs(t, resp.Body), wantIDs(4, 5)) {
			t.Errorf("after the loop: Response %v holding %v; want the last page, req_page_3 holding inv_004", resp, pageIDs(t, resp.Body))
		}
	})
}

// pageIDs are the ids of the objects in a page's raw JSON.
func pageIDs(t *testing.T, body []byte) []string {
	t.Helper()
	var page struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Errorf("a page's raw JSON %q: %v", body, err)
	}
	var out []string
	for _, o := range page.Data {
		out = append(out, o.ID)
	}
	return out
}

// TestWithResponseAfterAFailure: after a non-2xx, the Response is that
// answer (the Error's status and body, and the headers the Error does not
// keep), in a copy of its own; after a 2xx that does not decode, that 2xx;
// after a call refused before sending, the zero Response; in All, the
// answer of the page that failed, or the zero Response when that page got
// no answer, not the answer of the page before it.
func TestWithResponseAfterAFailure(t *testing.T) {
	ctx := testdeadline.Context(t)
	srv := newScriptServer(t, failure(404, "Conductor-Request-Id", "req_404", "X-Extra", "kept"), answer(`{"objectType":"qbd_bill"}`))
	c := srv.client(t, conductor.WithMaxRetries(0))
	var resp conductor.Response
	_, err := c.QBD.Invoices.Retrieve(ctx, testEndUserID, "80000001-1234567890", conductor.WithResponse(&resp))
	var apiErr *conductor.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v; want a *conductor.Error", err)
	}
	want := conductor.Response{StatusCode: 404, RequestID: "req_404", Body: apiErr.Body}
	if diff := cmp.Diff(want, resp, ignoreHeader); diff != "" || resp.Header.Get("X-Extra") != "kept" {
		t.Errorf("Response after a 404 (-want +got):\n%s\nheaders %v", diff, resp.Header)
	}
	if len(resp.Body) > 0 {
		resp.Body[0] = 'X'
	}
	if len(apiErr.Body) > 0 && apiErr.Body[0] == 'X' {
		t.Error("the Response's Body is the Error's: the caller does not own it")
	}

	_, err = c.QBD.Invoices.Retrieve(ctx, testEndUserID, "80000001-1234567890", conductor.WithResponse(&resp))
	checkInvalid(t, err, "objectType")
	want = conductor.Response{StatusCode: 200, Body: []byte(`{"objectType":"qbd_bill"}`)}
	if diff := cmp.Diff(want, resp, ignoreHeader); diff != "" {
		t.Errorf("Response after an invalid 2xx (-want +got):\n%s", diff)
	}

	if _, err := c.QBD.Invoices.Retrieve(ctx, "", "80000001-1234567890", conductor.WithResponse(&resp)); err == nil {
		t.Fatal("an empty end-user id was accepted")
	}
	if diff := cmp.Diff(conductor.Response{}, resp); diff != "" {
		t.Errorf("Response after a call refused before sending holds the last call's (-want +got):\n%s", diff)
	}

	// All's page 2 gets no answer (the server hangs up on every request
	// after the first, net/http's own retry of a GET included): the Response
	// WithResponse wiped when the call began has held page 1's answer
	// since, and must not be left with it.
	hangUp := &pagedInvoices{total: 5, onServe: func(n int) {
		if n >= 2 {
			panic(http.ErrAbortHandler)
		}
	}}
	var page1 bool // the loop saw page 1's answer in the Response
	for _, err = range pagedClient(t, hangUp, conductor.WithMaxRetries(0)).QBD.Invoices.All(ctx, testEndUserID, &conductor.InvoiceListParams{Limit: new(2)}, conductor.WithResponse(&resp)) {
		if err != nil {
			break
		}
		page1 = page1 || resp.StatusCode == 200
	}
	if diff := cmp.Diff(conductor.Response{}, resp); err == nil || !page1 || diff != "" {
		t.Errorf("All ended with %v, page 1 answered: %v; Response after page 2 got no answer (-want +got):\n%s", err, page1, diff)
	}

	p := &pagedInvoices{total: 5, fail: map[int]int{2: 500}}
	for _, err = range pagedClient(t, p, conductor.WithMaxRetries(0)).QBD.Invoices.All(ctx, testEndUserID, &conductor.InvoiceListParams{Limit: new(2)}, conductor.WithResponse(&resp)) {
		if err != nil {
			break
		}
	}
	if !errors.As(err, &apiErr) || resp.StatusCode != 500 || !cmp.Equal(resp.Body, apiErr.Body) {
		t.Errorf("All ended with %v and Response %v; want page 2's 500, its body", err, resp)
	}
}

// TestWithResponseIsTheLastAttempts: a call whose first attempt got a 503
// and whose retry got no answer (it timed out) ends with the zero
// Response, not the 503 of an attempt before.
func TestWithResponseIsTheLastAttempts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := &script{replies: []reply{failure(503, "Retry-After-Ms", "1"), {status: 200, stall: time.Minute}}}
		c := bubbleServer(t, srv, conductor.WithTimeout(time.Second), conductor.WithMaxRetries(1))
		var resp conductor.Response
		_, err := c.AuthSessions.Create(context.Background(), validParams, conductor.WithResponse(&resp))
		if !errors.Is(err, context.DeadlineExceeded) || srv.count() != 2 {
			t.Fatalf("err = %v after %d requests; want the retry timed out", err, srv.count())
		}
		if diff := cmp.Diff(conductor.Response{}, resp); diff != "" {
			t.Errorf("Response after a retry that got no answer (-want +got):\n%s", diff)
		}
	})
}

// TestWithResponseIsPerCall: NewClient refuses it, saying why, and so
// does a call given a nil *Response, before sending anything.
func TestWithResponseIsPerCall(t *testing.T) {
	var resp conductor.Response
	_, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithResponse(&resp))
	if err == nil || !strings.Contains(err.Error(), "WithResponse is a per-call option") {
		t.Errorf("NewClient with WithResponse: %v; want it refused as a per-call option", err)
	}
	srv := newScriptServer(t, okReply)
	_, err = create(t, srv.client(t), validParams, conductor.WithResponse(nil))
	if err == nil || !strings.Contains(err.Error(), "WithResponse: the *Response is nil") || srv.count() != 0 {
		t.Errorf("a nil *Response: %v, %d requests; want it refused, nothing sent", err, srv.count())
	}
}

// TestAPrintedResponseShowsNoSecret: a Response holds a session's client
// secret in its body, and whatever a server echoed of the key (redacted);
// printed with any verb, or logged, it shows neither, nor any body or
// header, but its status and request id.
func TestAPrintedResponseShowsNoSecret(t *testing.T) {
	echo := strings.Replace(sessionJSON, `"redirectUrl": null`, `"redirectUrl": "https://example.com/?k=`+jsonEscaped(testAPIKey)+`"`, 1)
	srv := newScriptServer(t, reply{status: 200, body: echo, headers: jsonHeaders("Conductor-Request-Id", "req_ok", "X-Echo", testAPIKey)})
	var resp conductor.Response
	if _, err := create(t, srv.client(t), validParams, conductor.WithResponse(&resp)); err != nil {
		t.Fatal(err)
	}
	if leaksKey(string(resp.Body)) || leaksKey(resp.Header.Get("X-Echo")) || !strings.Contains(string(resp.Body), "[redacted]") {
		t.Errorf("the Response holds the echoed key unredacted: body %s, header %q", resp.Body, resp.Header.Get("X-Echo"))
	}
	jsonLogger, jsonLogs := newLogger()
	var textLogs strings.Builder
	textLogger := slog.New(slog.NewTextHandler(&textLogs, nil))
	jsonLogger.Info("answer", "resp", resp, "ptr", &resp)
	textLogger.Info("answer", "resp", resp, "ptr", &resp)
	printed := map[string]string{"json log": jsonLogs.String(), "text log": textLogs.String(), "String": resp.String()}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		printed[verb] = fmt.Sprintf(verb, resp)
		printed[verb+" of a pointer"] = fmt.Sprintf(verb, &resp)
	}
	for how, text := range printed {
		if leaksKey(text) || strings.Contains(text, "auth_sess_client_secret") || strings.Contains(text, "objectType") || strings.Contains(text, "application/json") {
			t.Errorf("%s shows the body or headers: %s", how, text)
		}
		if !strings.Contains(text, "req_ok") || !strings.Contains(text, "200") {
			t.Errorf("%s lacks the status or request id: %s", how, text)
		}
	}
}

// A field Conductor sends that openapi.yaml does not list yet is not in
// the typed result, but is in the raw JSON WithResponse keeps.
func ExampleWithResponse() {
	srv := exampleServer(200, `{"id":"80000001-1234567890","objectType":"qbd_invoice","refNumber":"INV-1","deliveryStatus":"sent"}`)
	defer srv.Close()
	client, err := conductor.NewClient(conductor.WithAPIKey("sk_conductor_..."), conductor.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}

	var resp conductor.Response
	invoice, err := client.QBD.Invoices.Retrieve(context.Background(), "end_usr_1234567abcdefg", "80000001-1234567890", conductor.WithResponse(&resp))
	if err != nil {
		fmt.Println(err)
		return
	}
	var extra struct {
		DeliveryStatus string `json:"deliveryStatus"`
	}
	if err := json.Unmarshal(resp.Body, &extra); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(invoice.ID, extra.DeliveryStatus)
	fmt.Println(resp.StatusCode, resp.RequestID)
	fmt.Println(resp)
	// Output:
	// 80000001-1234567890 sent
	// 200 req_1234567abcdefg
	// conductor.Response{StatusCode: 200, RequestID: "req_1234567abcdefg", Body: 99 bytes}
}
