package conductor_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// The tests in this file put the change feed in front of servers that
// answer as QuickBooks should not: filters left unapplied, objects
// without a stamp. A feed may fail on them, with an error that says
// what went wrong, but must neither loop for ever nor report a run as
// caught up having skipped what it could not place.

// rewriter is a server in front of the fake that may change a request
// before the fake sees it, and the objects of the invoice lists it
// answers.
type rewriter struct {
	*httptest.Server
	// lists counts the invoice lists asked for.
	lists atomic.Int64
	// request, when set, changes a request's query before it is sent on.
	request func(q url.Values)
	// object, when set, changes each invoice of a list's answer.
	object func(inv map[string]any)
	// capLists, when positive, refuses the invoice lists after that many,
	// so that a feed that would ask for ever ends.
	capLists int64
}

func newRewriter(t *testing.T, fake *conductortest.Server) (*rewriter, *conductor.Client) {
	t.Helper()
	target, err := url.Parse(fake.URL)
	if err != nil {
		t.Fatal(err)
	}
	rw := &rewriter{}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		if rw.object == nil || !strings.HasSuffix(resp.Request.URL.Path, "/quickbooks-desktop/invoices") || resp.StatusCode != http.StatusOK {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		var page map[string]any
		if err := json.Unmarshal(body, &page); err != nil {
			return err
		}
		data, _ := page["data"].([]any)
		for _, v := range data {
			if inv, ok := v.(map[string]any); ok {
				rw.object(inv)
			}
		}
		if body, err = json.Marshal(page); err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	rw.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/quickbooks-desktop/invoices") && r.Method == http.MethodGet {
			if n := rw.lists.Add(1); rw.capLists > 0 && n > rw.capLists {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, envelope(400, "INVALID_REQUEST_ERROR", "TEST_CAP", "the test's cap on lists was reached"))
				return
			}
			if rw.request != nil {
				q := r.URL.Query()
				rw.request(q)
				r.URL.RawQuery = q.Encode()
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(rw.Close)
	c, err := fake.Client(conductor.WithBaseURL(rw.URL), conductor.WithHTTPClient(rw.Client()))
	if err != nil {
		t.Fatal(err)
	}
	return rw, c
}

// runToEnd runs the invoices feed of the demo end-user from since and
// returns the ids of the invoices delivered and the error it ended with.
func runToEnd(c *conductor.Client, since conductor.Checkpoint) (ids []string, caughtUp bool, err error) {
	for ch, e := range c.QBD.Invoices.Changes(context.Background(), conductortest.DemoEndUserID, since) {
		if e != nil {
			return ids, false, e
		}
		if ch.Object != nil {
			ids = append(ids, ch.Object.ID)
		}
		caughtUp = caughtUp || ch.CaughtUp()
	}
	return ids, caughtUp, nil
}

// TestAServerThatIgnoresUpdatedBeforeEndsTheRunWithAnError lists 700
// invoices, a second apart, through a server that drops updatedBefore:
// narrowing a window cannot make it hold fewer, so the feed must say so
// rather than narrow second by second towards the year 1.
func TestAServerThatIgnoresUpdatedBeforeEndsTheRunWithAnError(t *testing.T) {
	fake, direct := demoFake(t)
	createInvoices(t, fake, direct, 700, time.Second)
	rw, c := newRewriter(t, fake)
	rw.request = func(q url.Values) { q.Del("updatedBefore") }
	rw.capLists = 200

	_, caughtUp, err := runToEnd(c, "")
	if caughtUp || err == nil {
		t.Fatalf("the run ended with %v (caught up: %v), want an error", err, caughtUp)
	}
	if strings.Contains(err.Error(), "TEST_CAP") || !strings.Contains(err.Error(), "updatedBefore") {
		t.Fatalf("got %v, want the feed's own error naming updatedBefore", err)
	}
	if n := rw.lists.Load(); n > 20 {
		t.Errorf("the feed asked for %d lists before giving up", n)
	}
}

// TestAnInvoiceWithoutAStampEndsTheRunWithAnError answers the invoices
// with no updatedAt: the feed cannot place them in time, and must not
// report a run caught up that delivered none of them.
func TestAnInvoiceWithoutAStampEndsTheRunWithAnError(t *testing.T) {
	fake, direct := demoFake(t)
	createInvoices(t, fake, direct, 700, time.Second)
	rw, c := newRewriter(t, fake)
	rw.object = func(inv map[string]any) { delete(inv, "updatedAt") }
	rw.capLists = 200

	ids, caughtUp, err := runToEnd(c, "")
	if caughtUp || err == nil {
		t.Fatalf("the run delivered %d invoices and ended with %v (caught up: %v), want an error", len(ids), err, caughtUp)
	}
	if !strings.Contains(err.Error(), "updatedAt") {
		t.Fatalf("got %v, want an error naming updatedAt", err)
	}
}

// TestAServerThatIgnoresUpdatedAfterEndsTheRunWithAnError resumes a feed
// of invoices a minute apart through a server that drops updatedAfter:
// the invoices before the overlap come back, and the feed must not
// deliver them again as changes.
func TestAServerThatIgnoresUpdatedAfterEndsTheRunWithAnError(t *testing.T) {
	fake, direct := demoFake(t)
	createInvoices(t, fake, direct, 50, time.Minute)
	var cp conductor.Checkpoint
	for ch, err := range direct.QBD.Invoices.Changes(context.Background(), conductortest.DemoEndUserID, "") {
		if err != nil {
			t.Fatal(err)
		}
		cp = ch.Checkpoint()
	}
	rw, c := newRewriter(t, fake)
	rw.request = func(q url.Values) { q.Del("updatedAfter") }

	ids, _, err := runToEnd(c, cp)
	if diff := cmp.Diff([]string(nil), ids); diff != "" {
		t.Errorf("delivered again (-want +got):\n%s", diff)
	}
	if err == nil || !strings.Contains(err.Error(), "updatedAfter") {
		t.Fatalf("got %v, want an error naming updatedAfter", err)
	}
}

// TestACheckpointStaysWithinItsBoundWhateverTheIDs lists invoices whose
// ids are 5,000 bytes long, as no QuickBooks id is: the checkpoint must
// stay within the size its documentation gives, and the next run must
// take it, rather than the feed writing a checkpoint it then refuses.
func TestACheckpointStaysWithinItsBoundWhateverTheIDs(t *testing.T) {
	fake, direct := demoFake(t)
	createInvoices(t, fake, direct, 300, 0)
	rw, c := newRewriter(t, fake)
	long := strings.Repeat("x", 5000)
	rw.object = func(inv map[string]any) { inv["id"] = fmt.Sprint(inv["id"], long) }

	var cp conductor.Checkpoint
	for ch, err := range c.QBD.Invoices.Changes(context.Background(), conductortest.DemoEndUserID, "") {
		if err != nil {
			t.Fatal(err)
		}
		cp = ch.Checkpoint()
	}
	if len(cp) > 350_000 {
		t.Errorf("the checkpoint is %d bytes, more than the 350 KB Checkpoint's documentation allows", len(cp))
	}
	if _, _, err := runToEnd(c, cp); err != nil {
		t.Fatalf("the run from the feed's own checkpoint: %v", err)
	}
}

// frozenFake is a demo fake whose clock moves only by Advance, so that
// where a feed's windows fall does not depend on how fast the test runs.
func frozenFake(t *testing.T) (*conductortest.Server, *conductor.Client) {
	t.Helper()
	start := time.Now().Truncate(time.Second)
	fake, err := conductortest.NewServerWithOptions(conductortest.Options{Demo: true, Now: func() time.Time { return start }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	c, err := fake.Client()
	if err != nil {
		t.Fatal(err)
	}
	return fake, c
}

// TestAChangeMadeWhileAWindowIsDeliveredIsNotPassedOver reads a window
// that ends after the time it was read (the feed widens its windows
// after narrowing one), then works on its one change, during which the
// end-user creates an invoice (stamped within that window, which was
// read before it) and, 20 minutes later, another (stamped within a
// later window). The run may leave the first to the next run, but its
// checkpoint must not pass over it: the next run would never look back
// that far, and the copy would lack the invoice for good.
func TestAChangeMadeWhileAWindowIsDeliveredIsNotPassedOver(t *testing.T) {
	// Long under -race, and on a fake of its own: beside the rest.
	t.Parallel()
	fake, c := frozenFake(t)
	eu := conductortest.DemoEndUserID
	copyOf := map[string]string{}
	apply := func(ch conductor.Change[conductor.Invoice]) {
		if ch.Object != nil {
			copyOf[ch.Object.ID] = ch.Object.RevisionNumber
		}
	}
	cp := runInvoices(t, c, eu, "", apply).last()
	fake.Advance(time.Hour)
	createInvoices(t, fake, c, 700, 0) // more than a window, in one second
	fake.Advance(30 * time.Second)
	marker := createInvoices(t, fake, c, 1, time.Second)[0]
	var during []conductor.Invoice
	cp = runInvoices(t, c, eu, cp, func(ch conductor.Change[conductor.Invoice]) {
		apply(ch)
		if ch.Object != nil && ch.Object.ID == marker.ID {
			during = append(during, createInvoices(t, fake, c, 1, 20*time.Minute)...)
			during = append(during, createInvoices(t, fake, c, 1, time.Second)...)
		}
	}).last()
	if len(during) != 2 {
		t.Fatal("the marker invoice was not delivered")
	}
	runInvoices(t, c, eu, cp, apply)

	want := map[string]string{}
	for inv, err := range c.QBD.Invoices.All(context.Background(), eu, nil) {
		if err != nil {
			t.Fatal(err)
		}
		want[inv.ID] = inv.RevisionNumber
	}
	if diff := cmp.Diff(want, copyOf); diff != "" {
		t.Fatalf("the copy differs from the books (-want +got):\n%s", diff)
	}
}

// TestStampsWithAFractionOfASecondAreDeliveredAcrossWindows follows 700
// customers whose stamps hold half a second, as fixtures may give them
// (QuickBooks writes whole seconds), a second apart: more than a window,
// so the feed narrows, and an object stamped half a second after a
// window's end must still come in the next.
func TestStampsWithAFractionOfASecondAreDeliveredAcrossWindows(t *testing.T) {
	base := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	var customers []map[string]any
	for i := range 700 {
		customers = append(customers, map[string]any{
			"name":      fmt.Sprintf("N%03d", i),
			"updatedAt": base.Add(time.Duration(i)*time.Second + 500*time.Millisecond).Format(time.RFC3339Nano),
		})
	}
	fake, err := conductortest.NewServerWithOptions(conductortest.Options{Fixtures: &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{{
		ID: "end_usr_a", Connected: true, QBD: map[string][]map[string]any{"customers": customers},
	}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	c, err := fake.Client()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for ch, err := range c.QBD.Customers.Changes(context.Background(), "end_usr_a", "") {
		if err != nil {
			t.Fatal(err)
		}
		if ch.Object != nil {
			got[ch.Object.Name]++
		}
	}
	want := map[string]int{}
	for _, cu := range customers {
		want[cu["name"].(string)] = 1
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("customers delivered, by name (-want +got):\n%s", diff)
	}
}

// TestACheckpointWithImpossibleMarksIsRefused changes a checkpoint the
// feed wrote, keeping its resource and end-user: one with updates but no
// deletion mark would deliver no deletion since (a run from "" lists the
// deletions only to note where to begin), and one with marks beyond the
// years a filter can name fails on a filter rather than on the
// checkpoint. Each is refused as a checkpoint before anything is sent.
func TestACheckpointWithImpossibleMarksIsRefused(t *testing.T) {
	fake, c := demoFake(t)
	eu := conductortest.DemoEndUserID
	good := runInvoices(t, c, eu, "", nil).last()
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(string(good), "v1."))
	if err != nil {
		t.Fatal(err)
	}
	sent := len(fake.Requests())
	for _, tt := range []struct {
		name   string
		change func(m map[string]any)
	}{
		{"no deletion mark", func(m map[string]any) { delete(m, "d") }},
		{"after the year 9999", func(m map[string]any) { m["u"], m["d"] = int64(1)<<62, int64(1)<<62 }},
		{"before 1970", func(m map[string]any) { m["d"] = -86400 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			tt.change(m)
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			cp := conductor.Checkpoint("v1." + base64.RawURLEncoding.EncodeToString(b))
			n := 0
			for ch, err := range c.QBD.Invoices.Changes(context.Background(), eu, cp) {
				n++
				if err == nil || !strings.Contains(err.Error(), "qbd.invoices changes: the checkpoint") {
					t.Errorf("got %v, want the checkpoint refused", err)
				}
				if ch.Checkpoint() != cp {
					t.Error("the error's checkpoint is not the one given")
				}
			}
			if n != 1 {
				t.Errorf("got %d changes, want only the error", n)
			}
		})
	}
	if got := len(fake.Requests()); got != sent {
		t.Errorf("%d requests were sent for impossible checkpoints", got-sent)
	}
}

// customersFake is a fake whose one end-user, end_usr_a, has the
// customers given, and a client for it.
func customersFake(t *testing.T, customers []map[string]any) *conductor.Client {
	t.Helper()
	fake, err := conductortest.NewServerWithOptions(conductortest.Options{Fixtures: &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{{
		ID: "end_usr_a", Connected: true, QBD: map[string][]map[string]any{"customers": customers},
	}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	c, err := fake.Client()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMoreThanAWindowInTheOnlySecondThereIs follows 800 customers all
// stamped in one second, and none before: the windows narrowed towards
// it hold nothing of their own and the second after them more than a
// window; every customer comes once.
func TestMoreThanAWindowInTheOnlySecondThereIs(t *testing.T) {
	at := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC).Format(time.RFC3339)
	var customers []map[string]any
	want := map[string]int{}
	for i := range 800 {
		name := fmt.Sprintf("N%03d", i)
		customers = append(customers, map[string]any{"name": name, "updatedAt": at})
		want[name] = 1
	}
	c := customersFake(t, customers)
	got := map[string]int{}
	for ch, err := range c.QBD.Customers.Changes(context.Background(), "end_usr_a", "") {
		if err != nil {
			t.Fatal(err)
		}
		if ch.Object != nil {
			got[ch.Object.Name]++
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("customers delivered, by name (-want +got):\n%s", diff)
	}
}
