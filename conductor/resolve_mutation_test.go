package conductor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/conductor"
)

// The tests in this file close the gaps a mutation pass over resolution
// found (internal/mutation/catalogue.txt, "issue 16, mutation pass"):
// each pins one condition of resolve.go, writes.go, options.go or
// engine.go that no other test told apart from a plausible bug.

// resolvedRecords are the "conductor: write resolved" records of a JSON
// log, without their time and duration.
func resolvedRecords(t *testing.T, log string) []map[string]any {
	t.Helper()
	var records []map[string]any
	for line := range strings.Lines(log) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if rec["msg"] == "conductor: write resolved" {
			delete(rec, "time")
			delete(rec, "duration")
			records = append(records, rec)
		}
	}
	return records
}

// A passthrough whose outcome is unknown has nothing the client can look
// for: it ends unconfirmed at once, with no request more.
func TestAnUnknownPassthroughEndsUnconfirmedAtOnce(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, failure(503), ok(`{"data":[]}`))
	_, err := srv.client(t, conductor.WithMaxRetries(0)).EndUsers.Passthrough(context.Background(), testEndUserID, conductor.QuickBooksDesktop, conductor.EndUserPassthroughParams{"InvoiceAddRq": map[string]any{}})
	var u *conductor.UnconfirmedWriteError
	if !errors.As(err, &u) || u.Kind != "write" {
		t.Fatalf("err = %v; want an unconfirmed write", err)
	}
	if n := srv.count(); n != 1 {
		t.Errorf("%d requests; want only the passthrough", n)
	}
}

// A create the context ends while it is looked up is one Warn record that
// names the externalId looked for and says the context ended.
func TestAResolutionLeftUnconfirmedIsLoggedAsAWarning(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
		b := &books{answers: []string{"dropped503"}}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := createAcme(bubbleServer(t, b, conductor.WithMaxRetries(0), conductor.WithLogger(logger)), ctx, nil)
		var u *conductor.UnconfirmedWriteError
		if !errors.As(err, &u) {
			t.Fatalf("err = %v; want unconfirmed", err)
		}
		look := "looked up externalId; not found; "
		want := []map[string]any{{
			"level": "WARN", "msg": "conductor: write resolved", "kind": "create", "method": "POST", "path": customersPath, "id": "",
			"external_id": u.ExternalID,
			"checks":      look + "waited 1s; " + look + "waited 2s; " + look + "waited 4s; " + look + "waited 8s; " + look + "waited 10s; " + look + "waited 10s; context ended",
			"outcome":     "unconfirmed", "requests": float64(6),
		}}
		if diff := cmp.Diff(want, resolvedRecords(t, buf.String())); diff != "" {
			t.Errorf("records (-want +got):\n%s", diff)
		}
	})
}

// An update refused as stale, whose object lacks a field that was sent,
// cannot be compared: the client cannot tell, and says so, rather than
// call it a conflict.
func TestAnUpdateThatCannotBeComparedStaysUnconfirmed(t *testing.T) {
	t.Parallel()
	noName := `{"id":"80000001-1234567890","objectType":"qbd_customer","isActive":true,"revisionNumber":"2","createdAt":"2024-10-01T12:34:56-07:00","updatedAt":"2024-10-02T12:34:56-07:00"}`
	srv := newScriptServer(t, failure(503), integrationError(400, "3200"), ok(noName))
	_, err := rename(t, srv.client(t, conductor.WithMaxRetries(0)))
	var u *conductor.UnconfirmedWriteError
	var apiErr *conductor.Error
	if !errors.As(err, &u) || u.Kind != "update" || !errors.As(err, &apiErr) || apiErr.IntegrationCode != "3200" {
		t.Fatalf("err = %v; want unconfirmed, wrapping the stale-revision answer", err)
	}
}

// A re-sent delete answered "no such object" found the first attempt's
// work done: the delete succeeded.
func TestAReSentDeleteToldTheObjectIsGoneSucceeds(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, failure(503), ok(invoiceJSONFor(`null`)), integrationError(404, "500"))
	got, err := srv.client(t, conductor.WithMaxRetries(0)).QBD.Invoices.Delete(context.Background(), testEndUserID, objectID)
	if err != nil || got.ID != objectID || !got.Deleted {
		t.Fatalf("got %+v, %v; want the invoice deleted", got, err)
	}
	if diff := cmp.Diff([]reqLine{{"DELETE", invoicePath}, {"GET", invoicePath}, {"DELETE", invoicePath}}, lines(srv.script)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// "No such object" is either answer: an HTTP 404 of any kind, or
// QuickBooks's error 500 whatever the status.
func TestEitherNotFoundSettlesADelete(t *testing.T) {
	t.Parallel()
	for name, gone := range map[string]reply{
		"a plain 404":               {status: 404, headers: jsonHeaders(), body: envelope(404, "INVALID_REQUEST_ERROR", "RESOURCE_MISSING", "no such invoice")},
		"QuickBooks's 500 in a 400": integrationError(400, "500"),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newScriptServer(t, failure(503), gone)
			got, err := srv.client(t, conductor.WithMaxRetries(0)).QBD.Invoices.Delete(context.Background(), testEndUserID, objectID)
			if err != nil || !got.Deleted {
				t.Fatalf("got %+v, %v; want the invoice deleted", got, err)
			}
		})
	}
}

// A re-sent void refused because the first attempt voided the transaction
// in the meantime is found voided by a last retrieve.
func TestAReSentVoidRefusedBecauseItLandedMeanwhileSucceeds(t *testing.T) {
	t.Parallel()
	voidPath := invoicePath + "/void"
	srv := newScriptServer(t, failure(503), ok(invoiceJSONFor(`null`)), integrationError(400, "3170"), ok(invoiceJSONFor(`"VOID: late"`)))
	got, err := srv.client(t, conductor.WithMaxRetries(0)).QBD.Invoices.Void(context.Background(), testEndUserID, objectID)
	if err != nil || !got.Voided {
		t.Fatalf("got %+v, %v; want the invoice voided", got, err)
	}
	if diff := cmp.Diff([]reqLine{{"POST", voidPath}, {"GET", invoicePath}, {"POST", voidPath}, {"GET", invoicePath}}, lines(srv.script)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// A memo that is not a void's is not taken for one.
func TestATransactionWithAMemoIsNotTakenForVoided(t *testing.T) {
	t.Parallel()
	voidPath := invoicePath + "/void"
	srv := newScriptServer(t, failure(503), ok(invoiceJSONFor(`"Thanks for your business"`)), ok(strings.Replace(invoiceJSONFor(`"VOID: Thanks for your business"`), `"revisionNumber"`, `"voided":true,"revisionNumber"`, 1)))
	got, err := srv.client(t, conductor.WithMaxRetries(0)).QBD.Invoices.Void(context.Background(), testEndUserID, objectID)
	if err != nil || !got.Voided {
		t.Fatalf("got %+v, %v; want the invoice voided", got, err)
	}
	if diff := cmp.Diff([]reqLine{{"POST", voidPath}, {"GET", invoicePath}, {"POST", voidPath}}, lines(srv.script)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// A re-sent update answered 2xx with a body the client cannot read leaves
// the outcome unknown again: it is sent once more, not reported failed.
func TestAReSendWhoseAnswerCannotBeReadIsStillUnknown(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, failure(503), ok(`{"id":`), integrationError(400, "3200"), ok(updatedJSON))
	got, err := rename(t, srv.client(t, conductor.WithMaxRetries(0)))
	if err != nil || got.Name != "Acme Ltd" {
		t.Fatalf("got %+v, %v; want the renamed customer", got, err)
	}
	if diff := cmp.Diff([]reqLine{{"POST", customerPath}, {"POST", customerPath}, {"POST", customerPath}, {"GET", customerPath}}, lines(srv.script)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// Resolution's reads are reads: one answered 503 is retried as a read is,
// and carries no Conductor-Timeout-Seconds.
func TestResolutionReadsAreRetriedAsReads(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, failure(503), integrationError(400, "3200"), failure(503, "Retry-After-Ms", "1"), ok(updatedJSON))
	got, err := rename(t, srv.client(t, conductor.WithMaxRetries(1)))
	if err != nil || got.Name != "Acme Ltd" {
		t.Fatalf("got %+v, %v; want the renamed customer", got, err)
	}
	var timeouts []string
	for _, r := range srv.got() {
		timeouts = append(timeouts, r.header.Get("Conductor-Timeout-Seconds"))
	}
	if diff := cmp.Diff([]string{"90", "90", "", ""}, timeouts); diff != "" {
		t.Errorf("Conductor-Timeout-Seconds of the update, its re-send and the two retrieves (-want +got):\n%s", diff)
	}
}

// The back-off between re-sends is a retry's, no longer: 375-500 ms
// before the second, doubling.
func TestResolutionBacksOffNoLongerThanARetry(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := &script{replies: []reply{failure(503)}}
		rename(t, bubbleServer(t, srv, conductor.WithMaxRetries(0)))
		gaps := srv.gaps()
		if len(gaps) != 5 {
			t.Fatalf("%d requests; want the update and 5 re-sends", len(gaps)+1)
		}
		if gaps[0] != 0 {
			t.Errorf("the first re-send came %v after the update; want at once", gaps[0])
		}
		for i, gap := range gaps[1:] {
			if ceiling := 500 * time.Millisecond << i; gap > ceiling {
				t.Errorf("re-send %d came %v after the one before; want at most %v", i+2, gap, ceiling)
			}
		}
	})
}

// invoiceLinesJSON is the invoice after an update, with one line.
func invoiceLinesJSON(lines string) string {
	return `{"id":"80000001-1234567890","objectType":"qbd_invoice","refNumber":"INV-1","revisionNumber":"3","createdAt":"2024-10-01T12:34:56-07:00","updatedAt":"2024-10-02T12:34:56-07:00","lines":` + lines + `}`
}

// An update that added a line (id -1) naming an item by itemId, with an
// amount of "100", is found applied in an invoice whose line has its own
// id, the item as a reference, and the amount as "100.00"; a line with
// another amount, or a line more, is someone else's change.
func TestAnUpdateIsComparedAsQuickBooksHoldsIt(t *testing.T) {
	t.Parallel()
	line := func(amount string) string {
		return `{"id":"1A-1","item":{"id":"80000010-1","fullName":"Labor"},"amount":"` + amount + `"}`
	}
	tests := []struct {
		name     string
		lines    string
		conflict bool
	}{
		{"applied", "[" + line("100.00") + "]", false},
		{"another amount", "[" + line("150.00") + "]", true},
		{"a line more", "[" + line("100.00") + "," + line("5.00") + "]", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newScriptServer(t, failure(503), integrationError(400, "3200"), ok(invoiceLinesJSON(tt.lines)))
			params := conductor.InvoiceUpdateParams{RevisionNumber: "2", Lines: []conductor.InvoiceUpdateParamsLine{{ID: "-1", ItemID: new("80000010-1"), Amount: new("100")}}}
			got, err := srv.client(t, conductor.WithMaxRetries(0)).QBD.Invoices.Update(context.Background(), testEndUserID, objectID, params)
			var apiErr *conductor.Error
			switch {
			case tt.conflict && (errors.Is(err, conductor.ErrWriteUnconfirmed) || !errors.As(err, &apiErr) || apiErr.IntegrationCode != "3200"):
				t.Fatalf("err = %v; want the stale-revision error itself", err)
			case !tt.conflict && (err != nil || got.RevisionNumber != "3"):
				t.Fatalf("got %+v, %v; want the invoice updated", got, err)
			}
		})
	}
}

// The log record's path never shows the key, even when the object's id is
// the key (an id can be anything).
func TestAResolutionsRecordRedactsThePath(t *testing.T) {
	t.Parallel()
	records := resolveUpdateOfTheKey(t)
	if len(records) != 1 || records[0]["path"] != "/quickbooks-desktop/customers/[redacted]" {
		t.Errorf("records %v; want one, its path redacted", records)
	}
}

// The log record never shows the key: not in its path, nor in its id
// (an id can be anything, even the key).
func TestAResolutionsRecordNeverShowsTheKey(t *testing.T) {
	t.Parallel()
	records := resolveUpdateOfTheKey(t)
	if len(records) != 1 {
		t.Fatalf("%d records; want one", len(records))
	}
	for k, v := range records[0] {
		if strings.Contains(fmt.Sprint(v), testAPIKey) {
			t.Errorf("the record's %s shows the key; want it redacted", k)
		}
	}
}

// resolveUpdateOfTheKey updates the customer whose id is the key, left
// unconfirmed, and returns the resolution's log records.
func resolveUpdateOfTheKey(t *testing.T) []map[string]any {
	t.Helper()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	synctest.Test(t, func(t *testing.T) {
		srv := &script{replies: []reply{failure(503)}}
		c := bubbleServer(t, srv, conductor.WithMaxRetries(0), conductor.WithLogger(logger))
		c.QBD.Customers.Update(context.Background(), testEndUserID, testAPIKey, conductor.CustomerUpdateParams{RevisionNumber: "1", Name: new("Acme Ltd")})
	})
	return resolvedRecords(t, buf.String())
}

// A create is sent again exactly when its first attempt can no longer land:
// Conductor-Timeout-Seconds (7) and the margin (2 s at least) after the
// answer, not sooner, and not a lookup's wait later.
func TestACreateIsSentAgainWhenTheFirstCanNoLongerLand(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := &books{answers: []string{"dropped503"}}
		c := bubbleServer(t, b, conductor.WithMaxRetries(0), conductor.WithHeader("Conductor-Timeout-Seconds", "7"))
		if _, err := createAcme(c, context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		posts := b.posts()
		if len(posts) != 2 {
			t.Fatalf("%d creates; want one re-send", len(posts))
		}
		if gap := posts[1].at.Sub(posts[0].at); gap != 9*time.Second {
			t.Errorf("re-sent %v after the first attempt; want 9s (7s and a margin of 2s)", gap)
		}
	})
}

// A re-send that goes unanswered too may land as late as the first: the
// next waits until it no longer can.
func TestAnUnansweredReSendOfACreateIsWaitedFor(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := &books{answers: []string{"dropped503", "dropped503"}}
		c := bubbleServer(t, b, conductor.WithMaxRetries(0), conductor.WithHeader("Conductor-Timeout-Seconds", "1"))
		if _, err := createAcme(c, context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		posts := b.posts()
		if len(posts) != 3 {
			t.Fatalf("%d creates; want two re-sends", len(posts))
		}
		if gap := posts[2].at.Sub(posts[1].at); gap < 3*time.Second {
			t.Errorf("second re-send %v after the first; want no sooner than 3s (1s and a margin of 2s)", gap)
		}
	})
}

// A create whose re-sends all go unanswered gives up after five.
func TestACreateGivesUpAfterFiveReSends(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := &books{answers: []string{"dropped503", "dropped503", "dropped503", "dropped503", "dropped503", "dropped503", "dropped503", "dropped503", "dropped503", "dropped503"}}
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		c := bubbleServer(t, b, conductor.WithMaxRetries(0), conductor.WithHeader("Conductor-Timeout-Seconds", "1"))
		_, err := createAcme(c, ctx, nil)
		var u *conductor.UnconfirmedWriteError
		if !errors.As(err, &u) || errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v; want unconfirmed before the context ends", err)
		}
		if n := len(b.posts()); n != 6 {
			t.Errorf("%d creates; want the first and 5 re-sends", n)
		}
	})
}

// qbCustomers is a customers endpoint as QuickBooks behind Conductor keeps
// them: its clock an hour behind the client's; externalIds given back in
// braces and upper case; lists filtered by updatedAfter. It holds an old
// customer with the externalId of the call, updated recently, and carries
// out the first create, then answers 503.
type qbCustomers struct {
	mu      sync.Mutex
	objs    []map[string]any
	queries []url.Values
	posts   int
}

func (q *qbCustomers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	q.mu.Lock()
	defer q.mu.Unlock()
	now := time.Now().Add(-time.Hour)
	w.Header().Set("Content-Type", "application/json")
	if r.Method == http.MethodGet {
		q.queries = append(q.queries, r.URL.Query())
		after, _ := time.Parse(time.RFC3339, r.URL.Query().Get("updatedAfter"))
		data := []map[string]any{}
		for _, o := range q.objs {
			if updated, _ := time.Parse(time.RFC3339, o["updatedAt"].(string)); !updated.Before(after) {
				data = append(data, o)
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"objectType": "list", "url": customersPath, "data": data, "hasMore": false, "nextCursor": nil})
		return
	}
	q.posts++
	var sent map[string]any
	json.Unmarshal(body, &sent)
	q.objs = append(q.objs, map[string]any{"id": "80000002-2", "objectType": "qbd_customer", "name": sent["name"], "fullName": sent["name"],
		"externalId": "{" + strings.ToUpper(sent["externalId"].(string)) + "}", "isActive": true, "revisionNumber": "1",
		"createdAt": now.Format(time.RFC3339), "updatedAt": now.Format(time.RFC3339)})
	if q.posts == 1 {
		w.WriteHeader(503)
		io.WriteString(w, envelope(503, "INTERNAL_ERROR", "TEST", "try again"))
		return
	}
	json.NewEncoder(w).Encode(q.objs[len(q.objs)-1])
}

// The lookup finds the customer created though the server's clock is
// behind, its externalId is written otherwise, and an older customer holds
// the same externalId: it asks for what changed since a day before the
// call, compares GUIDs as GUIDs, and passes over what was created before.
func TestALookupFindsTheCreateAsQuickBooksHoldsIt(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		mine := conductor.UUID{0xab, 0xcd, 0xef}
		old := time.Now().Add(-72 * time.Hour).Format(time.RFC3339)
		q := &qbCustomers{objs: []map[string]any{{"id": "80000001-1", "objectType": "qbd_customer", "name": "Acme (2021)", "fullName": "Acme (2021)",
			"externalId": mine.String(), "isActive": true, "revisionNumber": "7", "createdAt": old, "updatedAt": time.Now().Add(-2 * time.Hour).Format(time.RFC3339)}}}
		start := time.Now()
		got, err := createAcme(bubbleServer(t, q, conductor.WithMaxRetries(0)), context.Background(), &mine)
		if err != nil || got.ID != "80000002-2" {
			t.Fatalf("got %+v, %v; want the customer the first attempt created", got, err)
		}
		if q.posts != 1 || len(q.queries) != 1 {
			t.Errorf("%d creates, %d lists; want the create found at the first look", q.posts, len(q.queries))
		}
		for _, query := range q.queries {
			if after, err := time.Parse(time.RFC3339, query.Get("updatedAfter")); err != nil || after.After(start.Add(-time.Hour)) {
				t.Errorf("listed with %v; want updatedAfter well before the call", query)
			}
		}
	})
}

// Conductor-Timeout-Seconds takes 1 to 3600, both ends included; an
// attempt timeout under a second still asks for 1; the policies are three.
func TestTheWriteOptionsTakeWhatIsAllowedAndNoMore(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, ok(updatedJSON))
	for _, secs := range []string{"1", "3600"} {
		if _, err := rename(t, srv.client(t, conductor.WithHeader("Conductor-Timeout-Seconds", secs))); err != nil {
			t.Errorf("WithHeader(Conductor-Timeout-Seconds, %s): %v; want it taken", secs, err)
		}
	}
	// Half a second of the bubble's clock, which a busy machine cannot
	// use up before the request is sent.
	synctest.Test(t, func(t *testing.T) {
		rename(t, bubbleServer(t, srv.script, conductor.WithTimeout(500*time.Millisecond)))
	})
	var got []string
	for _, r := range srv.got() {
		got = append(got, r.header.Get("Conductor-Timeout-Seconds"))
	}
	if diff := cmp.Diff([]string{"1", "3600", "1"}, got); diff != "" {
		t.Errorf("Conductor-Timeout-Seconds (-want +got):\n%s", diff)
	}
	if _, err := conductor.NewClient(conductor.WithAPIKey(testAPIKey), conductor.WithWritePolicy(conductor.ResendWrites+1)); err == nil || !strings.Contains(err.Error(), "ResolveWrites") {
		t.Errorf("WithWritePolicy(ResendWrites+1): %v; want it refused, naming the policies", err)
	}
}

// Under ResendWrites a write its retries left unconfirmed ends so: it is
// not resolved on top.
func TestResendWritesDoesNotResolve(t *testing.T) {
	t.Parallel()
	srv := newScriptServer(t, failure(503, "Retry-After-Ms", "1"))
	_, err := rename(t, srv.client(t, conductor.WithMaxRetries(1), conductor.WithWritePolicy(conductor.ResendWrites)))
	var u *conductor.UnconfirmedWriteError
	if !errors.As(err, &u) || u.Kind != "update" {
		t.Fatalf("err = %v; want an unconfirmed update", err)
	}
	if n := srv.count(); n != 2 {
		t.Errorf("%d requests; want the update and its one retry", n)
	}
}
