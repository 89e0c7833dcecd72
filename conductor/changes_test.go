package conductor_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// The tests in this file run change feeds against the fake, through a
// proxy where a test needs an answer QuickBooks gives rarely.

// delivered is what a run of a feed gave: each change, by the id of its
// object or deletion, and the checkpoint after each.
type delivered struct {
	upserts     []conductor.Invoice
	deletions   []conductor.Deletion
	order       []string // "u:id:rev" or "d:id", in order
	checkpoints []conductor.Checkpoint
	caughtUp    bool
}

// runInvoices runs the invoices feed of eu from since to its end, failing
// the test on an error; each is called in the loop body after a change.
func runInvoices(t *testing.T, c *conductor.Client, eu string, since conductor.Checkpoint, each func(conductor.Change[conductor.Invoice])) delivered {
	t.Helper()
	var d delivered
	for ch, err := range c.QBD.Invoices.Changes(context.Background(), eu, since) {
		if err != nil {
			t.Fatalf("after %d changes: %v", len(d.order), err)
		}
		if d.caughtUp {
			t.Fatal("a change came after the caught-up one")
		}
		switch {
		case ch.Object != nil:
			d.upserts = append(d.upserts, *ch.Object)
			d.order = append(d.order, "u:"+ch.Object.ID+":"+ch.Object.RevisionNumber)
		case ch.Deleted != nil:
			d.deletions = append(d.deletions, *ch.Deleted)
			d.order = append(d.order, "d:"+ch.Deleted.ID)
		case ch.CaughtUp():
			d.caughtUp = true
		default:
			t.Fatal("a change with neither an object nor a deletion that is not the caught-up one")
		}
		d.checkpoints = append(d.checkpoints, ch.Checkpoint())
		if each != nil {
			each(ch)
		}
	}
	if !d.caughtUp {
		t.Fatal("the feed ended without a caught-up change")
	}
	return d
}

func (d delivered) last() conductor.Checkpoint { return d.checkpoints[len(d.checkpoints)-1] }

// demoFake is a fake with the demo company and a client for it.
func demoFake(t *testing.T, opts ...conductor.Option) (*conductortest.Server, *conductor.Client) {
	t.Helper()
	fake, err := conductortest.NewServerWithOptions(conductortest.Options{Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	c, err := fake.Client(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return fake, c
}

// createInvoices creates n invoices, the fake's clock moving step after
// each, and returns them.
func createInvoices(t *testing.T, fake *conductortest.Server, c *conductor.Client, n int, step time.Duration) []conductor.Invoice {
	t.Helper()
	var out []conductor.Invoice
	for i := range n {
		inv, err := c.QBD.Invoices.Create(context.Background(), conductortest.DemoEndUserID, newInvoice(fmt.Sprintf("C-%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, *inv)
		fake.Advance(step)
	}
	return out
}

func touch(t *testing.T, c *conductor.Client, inv conductor.Invoice) conductor.Invoice {
	t.Helper()
	memo := "touched " + inv.RevisionNumber
	out, err := c.QBD.Invoices.Update(context.Background(), conductortest.DemoEndUserID, inv.ID, conductor.InvoiceUpdateParams{RevisionNumber: inv.RevisionNumber, Memo: &memo})
	if err != nil {
		t.Fatal(err)
	}
	return *out
}

// TestAFeedDeliversEachChangeOnceInTheOrderQuickBooksStampedThem updates
// 1,300 invoices in an order of their own, so that the list (oldest
// created first) and the stamps disagree, and more than a window's worth
// changed: the feed narrows its windows and still delivers every invoice
// once, by updatedAt.
func TestAFeedDeliversEachChangeOnceInTheOrderQuickBooksStampedThem(t *testing.T) {
	// Long under -race, and on a fake of its own: beside the rest.
	t.Parallel()
	fake, c := demoFake(t)
	eu := conductortest.DemoEndUserID
	invs := createInvoices(t, fake, c, 1300, 0)
	fake.Advance(time.Hour)
	rng := rand.New(rand.NewPCG(1, 2))
	want := map[string]string{}
	for _, i := range rng.Perm(len(invs)) {
		inv := touch(t, c, invs[i])
		want[inv.ID] = inv.RevisionNumber
		fake.Advance(time.Duration(rng.IntN(3)) * time.Second)
	}
	// The demo's own invoices are delivered too.
	for inv, err := range c.QBD.Invoices.All(context.Background(), eu, nil) {
		if err != nil {
			t.Fatal(err)
		}
		want[inv.ID] = inv.RevisionNumber
	}

	d := runInvoices(t, c, eu, "", nil)
	got := map[string]string{}
	for i, inv := range d.upserts {
		if _, twice := got[inv.ID]; twice {
			t.Fatalf("invoice %s delivered twice", inv.ID)
		}
		got[inv.ID] = inv.RevisionNumber
		if i > 0 && inv.UpdatedAt.Before(d.upserts[i-1].UpdatedAt) {
			t.Fatalf("change %d (updated %s) came after one updated %s", i, inv.UpdatedAt, d.upserts[i-1].UpdatedAt)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("delivered (-want +got):\n%s", diff)
	}
	if len(d.deletions) != 0 {
		t.Fatalf("a first run delivered deletions: %v", d.deletions)
	}

	narrowed := false
	for _, r := range fake.Requests() {
		narrowed = narrowed || strings.HasSuffix(r.Path, "/quickbooks-desktop/invoices") && strings.Contains(r.RawQuery, "updatedBefore=")
	}
	if !narrowed {
		t.Error("no window was narrowed (no list asked with updatedBefore)")
	}

	again := runInvoices(t, c, eu, d.last(), nil)
	if diff := cmp.Diff([]string(nil), again.order); diff != "" {
		t.Fatalf("a run from the last checkpoint delivered again (-want +got):\n%s", diff)
	}
}

// TestResumingFromAnyCheckpointDeliversWhatCameAfterIt runs a feed once,
// then from the checkpoint of each of its changes: each resume delivers
// exactly the changes after that one, none before it again.
func TestResumingFromAnyCheckpointDeliversWhatCameAfterIt(t *testing.T) {
	fake, c := demoFake(t)
	eu := conductortest.DemoEndUserID
	invs := createInvoices(t, fake, c, 40, 0) // the same second: same-second stamps
	fake.Advance(2 * time.Second)
	base := runInvoices(t, c, eu, "", nil).last()

	fake.Advance(time.Minute)
	for i, inv := range invs[:20] {
		touch(t, c, inv)
		if i%3 == 0 {
			fake.Advance(time.Second)
		}
	}
	for _, inv := range invs[30:33] {
		if _, err := c.QBD.Invoices.Delete(context.Background(), eu, inv.ID); err != nil {
			t.Fatal(err)
		}
	}
	full := runInvoices(t, c, eu, base, nil)
	if len(full.order) != 23 {
		t.Fatalf("got %d changes, want 20 updates and 3 deletions: %v", len(full.order), full.order)
	}
	for i := range full.order {
		resumed := runInvoices(t, c, eu, full.checkpoints[i], nil)
		if diff := cmp.Diff(full.order[i+1:], resumed.order, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("resumed after change %d (-want +got):\n%s", i, diff)
		}
	}
}

// TestAnObjectCommittedAfterALaterStampIsDelivered plays an invoice that
// QuickBooks stamped five minutes before one already delivered, but that
// showed in its lists only after: the next run still delivers it, as the
// overlap is 10 minutes.
func TestAnObjectCommittedAfterALaterStampIsDelivered(t *testing.T) {
	fake, c := demoFake(t)
	eu := conductortest.DemoEndUserID
	first := runInvoices(t, c, eu, "", nil)
	fake.Advance(time.Hour)
	createInvoices(t, fake, c, 1, 0)
	d := runInvoices(t, c, eu, first.last(), nil)
	if len(d.upserts) != 1 {
		t.Fatalf("got %v, want the new invoice", d.order)
	}

	fake.Advance(-5 * time.Minute)
	late := createInvoices(t, fake, c, 1, 0)[0]
	fake.Advance(5 * time.Minute)
	d = runInvoices(t, c, eu, d.last(), nil)
	if diff := cmp.Diff([]string{"u:" + late.ID + ":" + late.RevisionNumber}, d.order); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

// TestASlowLoopDoesNotLoseTheFeed works on each change for a minute of
// the fake's time, long past the cursor's life, while 400 invoices (three
// pages) are delivered.
func TestASlowLoopDoesNotLoseTheFeed(t *testing.T) {
	fake, c := demoFake(t)
	createInvoices(t, fake, c, 400, time.Second)
	d := runInvoices(t, c, conductortest.DemoEndUserID, "", func(conductor.Change[conductor.Invoice]) {
		fake.Advance(time.Minute)
	})
	if len(d.upserts) < 400 {
		t.Fatalf("got %d invoices, want at least 400", len(d.upserts))
	}
}

// proxy is a server in front of the fake whose answers a test may change.
type proxy struct {
	*httptest.Server
	// intercept, when set, answers a request instead of the fake when it
	// returns true.
	intercept func(w http.ResponseWriter, r *http.Request) bool
	// date, when set, replaces the Date header of the fake's answers.
	date func() time.Time
}

func newProxy(t *testing.T, fake *conductortest.Server) (*proxy, *conductor.Client) {
	t.Helper()
	target, err := url.Parse(fake.URL)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		if p.date != nil {
			resp.Header.Set("Date", p.date().UTC().Format(http.TimeFormat))
		}
		return nil
	}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.intercept != nil && p.intercept(w, r) {
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	c, err := fake.Client(conductor.WithBaseURL(p.URL), conductor.WithHTTPClient(p.Client()))
	if err != nil {
		t.Fatal(err)
	}
	return p, c
}

// TestACursorThatExpiresWhileAWindowIsReadRestartsTheWindow refuses the
// first page asked for by cursor, as Conductor does once a cursor has
// expired: the feed reads the window again and delivers every invoice
// once.
func TestACursorThatExpiresWhileAWindowIsReadRestartsTheWindow(t *testing.T) {
	fake, direct := demoFake(t)
	createInvoices(t, fake, direct, 200, 0)
	p, c := newProxy(t, fake)
	var refused atomic.Int32
	p.intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("cursor") == "" || !refused.CompareAndSwap(0, 1) {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, envelope(400, "INVALID_REQUEST_ERROR", "INVALID_CURSOR", "The cursor has expired."))
		return true
	}
	d := runInvoices(t, c, conductortest.DemoEndUserID, "", nil)
	if refused.Load() != 1 {
		t.Fatal("no page was asked for by cursor")
	}
	seen := map[string]bool{}
	for _, inv := range d.upserts {
		if seen[inv.ID] {
			t.Fatalf("invoice %s delivered twice", inv.ID)
		}
		seen[inv.ID] = true
	}
	if len(seen) < 200 {
		t.Fatalf("got %d invoices, want at least 200", len(seen))
	}
}

// TestACheckpointTooOldForTheDeletionHistoryNeedsAResync moves
// Conductor's clock (its Date header) on: 87 days after a run, the next
// still works; 89 days after, it fails with ErrResyncNeeded and sends no
// list, and a run from "" works again.
func TestACheckpointTooOldForTheDeletionHistoryNeedsAResync(t *testing.T) {
	fake, _ := demoFake(t)
	p, c := newProxy(t, fake)
	start := time.Now()
	var days atomic.Int64
	p.date = func() time.Time { return start.Add(time.Duration(days.Load()) * 24 * time.Hour) }
	eu := conductortest.DemoEndUserID
	cp := runInvoices(t, c, eu, "", nil).last()

	days.Store(87)
	cp = runInvoices(t, c, eu, cp, nil).last()

	days.Store(87 + 89)
	var err error
	var got conductor.Checkpoint
	n := 0
	for ch, e := range c.QBD.Invoices.Changes(context.Background(), eu, cp) {
		n++
		err, got = e, ch.Checkpoint()
		if ch.CaughtUp() {
			t.Error("the error's change says it caught up")
		}
	}
	if n != 1 || !errors.Is(err, conductor.ErrResyncNeeded) {
		t.Fatalf("got %d changes ending with %v, want only ErrResyncNeeded", n, err)
	}
	if got != cp {
		t.Fatal("the error's checkpoint is not the one the run started from")
	}
	for _, want := range []string{"qbd.invoices", "90 days", `Checkpoint ("")`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q: %v", want, err)
		}
	}
	runInvoices(t, c, eu, "", nil)
}

// TestABadCheckpointIsRefusedBeforeAnythingIsSent gives the feed
// checkpoints that are not its own: each fails with an error that says
// why, its Change gives the checkpoint back as it was, and nothing is
// sent.
func TestABadCheckpointIsRefusedBeforeAnythingIsSent(t *testing.T) {
	fake, c := demoFake(t)
	eu := conductortest.DemoEndUserID
	var customers conductor.Checkpoint
	for ch, err := range c.QBD.Customers.Changes(context.Background(), eu, "") {
		if err != nil {
			t.Fatal(err)
		}
		customers = ch.Checkpoint()
	}
	invoices := runInvoices(t, c, eu, "", nil).last()
	sent := len(fake.Requests())
	for _, tt := range []struct {
		name string
		cp   conductor.Checkpoint
		want string
	}{
		{"another resource's", customers, "qbd.customers"},
		{"another end-user's", invoices, "another end-user's"},
		{"not base64", "v1.%%%", "cannot be read"},
		{"cut short", invoices[:len(invoices)/2], "cannot be read"},
		{"another version", "v9." + invoices[3:], `does not start with "v1."`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			endUser := eu
			if tt.name == "another end-user's" {
				endUser = "end_usr_someoneelse0123"
			}
			n := 0
			for ch, err := range c.QBD.Invoices.Changes(context.Background(), endUser, tt.cp) {
				n++
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("got %v, want an error saying %q", err, tt.want)
				}
				if ch.Checkpoint() != tt.cp {
					t.Error("the error's checkpoint is not the one given")
				}
			}
			if n != 1 {
				t.Errorf("got %d changes, want only the error", n)
			}
		})
	}
	if got := len(fake.Requests()); got != sent {
		t.Errorf("%d requests were sent for bad checkpoints", got-sent)
	}
}

// TestAListObjectsFeedSeesDeactivationsAndDeletions follows customers: one
// made inactive is delivered (the feed lists status=all), and one deleted
// in QuickBooks is delivered as a deletion.
func TestAListObjectsFeedSeesDeactivationsAndDeletions(t *testing.T) {
	fake, c := demoFake(t)
	eu := conductortest.DemoEndUserID
	ctx := context.Background()
	var cp conductor.Checkpoint
	var all []conductor.Customer
	for ch, err := range c.QBD.Customers.Changes(ctx, eu, "") {
		if err != nil {
			t.Fatal(err)
		}
		if ch.Object != nil {
			all = append(all, *ch.Object)
		}
		cp = ch.Checkpoint()
	}
	if len(all) < 2 {
		t.Fatalf("the demo has %d customers; the test needs two", len(all))
	}
	fake.Advance(time.Minute)
	off, err := c.QBD.Customers.Update(ctx, eu, all[0].ID, conductor.CustomerUpdateParams{RevisionNumber: all[0].RevisionNumber, IsActive: new(false)})
	if err != nil {
		t.Fatal(err)
	}
	if err := fake.DeleteInQuickBooks(eu, "customers", all[1].ID); err != nil {
		t.Fatal(err)
	}
	var got []string
	for ch, err := range c.QBD.Customers.Changes(ctx, eu, cp) {
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case ch.Object != nil:
			got = append(got, fmt.Sprintf("u:%s:%v", ch.Object.ID, ch.Object.IsActive))
		case ch.Deleted != nil:
			got = append(got, "d:"+ch.Deleted.ID)
		}
	}
	want := []string{"d:" + all[1].ID, fmt.Sprintf("u:%s:%v", off.ID, false)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

// oldCustomers is a fake whose end_usr_old has n customers QuickBooks
// stamped a year ago, spread evenly over span, and a client for it.
func oldCustomers(t *testing.T, n int, span time.Duration) *conductor.Client {
	t.Helper()
	return customersStamped(t, n, time.Now().AddDate(-1, 0, 0), span)
}

// customersStamped is a fake whose end_usr_old has n customers QuickBooks
// stamped from base on, spread evenly over span, and a client for it.
func customersStamped(t *testing.T, n int, base time.Time, span time.Duration) *conductor.Client {
	t.Helper()
	base = base.Truncate(time.Second)
	var customers []map[string]any
	for i := range n {
		customers = append(customers, map[string]any{
			"name":      fmt.Sprintf("Old %04d", i),
			"updatedAt": base.Add(span / time.Duration(n) * time.Duration(i)).Format(time.RFC3339),
		})
	}
	_, c := customersFake(t, "end_usr_old", customers)
	return c
}

// customersFake is a fake whose one end-user, endUser, has the customers
// given, and a client for it.
func customersFake(t *testing.T, endUser string, customers []map[string]any) (*conductortest.Server, *conductor.Client) {
	t.Helper()
	fake, err := conductortest.NewServerWithOptions(conductortest.Options{Fixtures: &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{{
		ID: endUser, Connected: true, QBD: map[string][]map[string]any{"customers": customers},
	}}}})
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

// runCustomers runs end_usr_old's customers feed from since and returns
// the last checkpoint and how many customers it delivered.
func runCustomers(t *testing.T, c *conductor.Client, since conductor.Checkpoint) (conductor.Checkpoint, int) {
	t.Helper()
	n := 0
	for ch, err := range c.QBD.Customers.Changes(context.Background(), "end_usr_old", since) {
		if err != nil {
			t.Fatal(err)
		}
		if ch.Object != nil {
			n++
		}
		since = ch.Checkpoint()
	}
	return since, n
}

// TestAFirstCopyOfOldObjectsIsNotDeliveredAgain copies 2,300 customers
// QuickBooks stamped over a year, more than a checkpoint remembers, read
// in many windows: the checkpoint's mark follows the last one delivered,
// and the next run delivers none of them again.
func TestAFirstCopyOfOldObjectsIsNotDeliveredAgain(t *testing.T) {
	// Long under -race, and on a fake of its own: beside the rest.
	t.Parallel()
	c := oldCustomers(t, 2300, 300*24*time.Hour)
	cp, n := runCustomers(t, c, "")
	if n != 2300 {
		t.Fatalf("the first run delivered %d customers, want 2300", n)
	}
	if _, n := runCustomers(t, c, cp); n != 0 {
		t.Fatalf("the next run delivered %d customers again", n)
	}
}

// TestARecentCopyIsNotDeliveredAgain copies 3,000 customers changed over
// 50 minutes two hours ago, read in many windows: each window ends at a
// stamp it read, so nothing written after it was read can be in it, and
// the checkpoint's mark follows what was delivered; later runs deliver
// none of them again (a mark held back to where the first windows ended
// would make every run deliver again what the checkpoint cannot
// remember).
func TestARecentCopyIsNotDeliveredAgain(t *testing.T) {
	// Long under -race, and on a fake of its own: beside the rest.
	t.Parallel()
	c := customersStamped(t, 3000, time.Now().Add(-2*time.Hour), 50*time.Minute)
	cp, n := runCustomers(t, c, "")
	if n != 3000 {
		t.Fatalf("the first run delivered %d customers, want 3000", n)
	}
	for range 2 {
		if cp, n = runCustomers(t, c, cp); n != 0 {
			t.Fatalf("a later run delivered %d customers again", n)
		}
	}
}

// TestMoreChangesInTheOverlapThanACheckpointRemembers: 2,300 customers
// stamped within five minutes, or in one second, all in the overlap of
// the last, which a checkpoint remembers 2,000 of: each later run
// delivers the other 300 again, and no more, as the README says. One
// delivered again must not push out of the checkpoint another that the
// run has yet to meet.
func TestMoreChangesInTheOverlapThanACheckpointRemembers(t *testing.T) {
	t.Parallel()
	for _, span := range []time.Duration{5 * time.Minute, 0} {
		t.Run(fmt.Sprintf("stamped within %v", span), func(t *testing.T) {
			// Long under -race, and on a fake of its own: beside the rest.
			t.Parallel()
			c := oldCustomers(t, 2300, span)
			cp, n := runCustomers(t, c, "")
			if n != 2300 {
				t.Fatalf("the first run delivered %d customers, want 2300", n)
			}
			for range 2 {
				if cp, n = runCustomers(t, c, cp); n != 300 {
					t.Fatalf("a later run delivered %d customers again, want the 300 the checkpoint could not remember", n)
				}
			}
		})
	}
}

// TestAFeedDeliversOnlyItsOwnTypesDeletions answers a feed's deletions
// query with a record of another type too, as a server that applied the
// type filter loosely would: the invoices' feed delivers the invoice's
// deletion only, and the customers' the customer's, so that a copy never
// loses an object of its own to another type's deletion.
func TestAFeedDeliversOnlyItsOwnTypesDeletions(t *testing.T) {
	stamp := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	record := func(field, typ, objectType, name, id string) string {
		return fmt.Sprintf(`{"id":%q,%q:%q,"objectType":%q,"createdAt":%q,"deletedAt":%q,%q:null}`, id, field, typ, objectType, stamp, stamp, name)
	}
	for _, tt := range []struct {
		path, field, own, other, objectType, name string
		feed                                      func(*conductor.Client, conductor.Checkpoint) ([]string, conductor.Checkpoint)
	}{
		{"deleted-transactions", "transactionType", "invoice", "bill", "qbd_deleted_transaction", "refNumber",
			func(c *conductor.Client, cp conductor.Checkpoint) ([]string, conductor.Checkpoint) {
				return deletedIDs(t, c.QBD.Invoices.Changes(context.Background(), conductortest.DemoEndUserID, cp))
			}},
		{"deleted-list-objects", "listType", "customer", "vendor", "qbd_deleted_list_object", "fullName",
			func(c *conductor.Client, cp conductor.Checkpoint) ([]string, conductor.Checkpoint) {
				return deletedIDs(t, c.QBD.Customers.Changes(context.Background(), conductortest.DemoEndUserID, cp))
			}},
	} {
		t.Run(tt.path, func(t *testing.T) {
			fake, _ := demoFake(t)
			p, c := newProxy(t, fake)
			_, cp := tt.feed(c, "") // a checkpoint from which deletions are delivered
			p.intercept = func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasSuffix(r.URL.Path, "/"+tt.path) {
					return false
				}
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"objectType":"list","url":"/v1/quickbooks-desktop/%s","data":[%s,%s]}`, tt.path,
					record(tt.field, tt.other, tt.objectType, tt.name, "80000099-1700000099"),
					record(tt.field, tt.own, tt.objectType, tt.name, "80000098-1700000098"))
				return true
			}
			got, _ := tt.feed(c, cp)
			if diff := cmp.Diff([]string{"80000098-1700000098"}, got); diff != "" {
				t.Errorf("deletions delivered (-want +got):\n%s", diff)
			}
		})
	}
}

// deletedIDs runs a feed to its end and returns the ids of the deletions
// it delivered and its last checkpoint.
func deletedIDs[T any](t *testing.T, feed iter.Seq2[conductor.Change[T], error]) (ids []string, last conductor.Checkpoint) {
	t.Helper()
	for ch, err := range feed {
		if err != nil {
			t.Fatal(err)
		}
		if ch.Deleted != nil {
			ids = append(ids, ch.Deleted.ID)
		}
		last = ch.Checkpoint()
	}
	return ids, last
}

// TestAChangesCheckpointStaysWhereItWas: a program that keeps the changes
// of a run to apply them later (a batch per transaction) reads each one's
// Checkpoint after the feed has moved on; it is still the checkpoint just
// after that change, not after the later ones, which storing it would
// skip.
func TestAChangesCheckpointStaysWhereItWas(t *testing.T) {
	fake, c := demoFake(t)
	eu := conductortest.DemoEndUserID
	invs := createInvoices(t, fake, c, 6, time.Second)
	fake.Advance(2 * time.Second)
	base := runInvoices(t, c, eu, "", nil).last()
	fake.Advance(time.Minute)
	for _, inv := range invs[:2] {
		if _, err := c.QBD.Invoices.Delete(context.Background(), eu, inv.ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, inv := range invs[2:5] {
		touch(t, c, inv)
		fake.Advance(time.Second)
	}
	var kept []conductor.Change[conductor.Invoice]
	d := runInvoices(t, c, eu, base, func(ch conductor.Change[conductor.Invoice]) { kept = append(kept, ch) })
	if len(d.deletions) != 2 || len(d.upserts) != 3 {
		t.Fatalf("got %v; want 2 deletions and 3 updates", d.order)
	}
	var later []conductor.Checkpoint
	for _, ch := range kept {
		later = append(later, ch.Checkpoint())
	}
	if diff := cmp.Diff(d.checkpoints, later); diff != "" {
		t.Errorf("checkpoints read during the run (-) and after it (+):\n%s", diff)
	}
}
