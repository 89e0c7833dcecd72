package conductor_test

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// The tests in this file are a second review of the change feed: the
// checkpoint's hand-written JSON, and what it remembers of the changes
// just before it.

// TestACheckpointHoldsAnyIDAndRevision follows invoices whose ids and
// revisions a server answers with quotes, backslashes, control
// characters, HTML's special characters, non-ASCII and line separators
// in them: every checkpoint a run gives is read back by the next run,
// which delivers nothing again, as each remembers all it delivered.
func TestACheckpointHoldsAnyIDAndRevision(t *testing.T) {
	fake, direct := demoFake(t)
	createInvoices(t, fake, direct, 40, 0)
	rw, c := newRewriter(t, fake)
	odd := []string{`"`, `\`, `\"`, "\x01", "\t\n", "<&>", "é", "\u2028", "日本", "\x7f", "}]", `",1]`, "\U0001F600", "\ufffd"}
	pick := func(s string) string {
		h := fnv.New32a()
		h.Write([]byte(s))
		return odd[h.Sum32()%uint32(len(odd))]
	}
	rw.object = func(inv map[string]any) {
		id := fmt.Sprint(inv["id"])
		inv["id"] = pick(id) + id
		// Short enough that the entry is remembered: "<&>" takes 18
		// bytes as JSON, as encoding/json writes it.
		rev := pick("r" + id)
		if rev == "<&>" {
			rev = "&"
		}
		inv["revisionNumber"] = fmt.Sprint(inv["revisionNumber"]) + rev
	}

	var cps []conductor.Checkpoint
	seen := map[string]int{}
	for ch, err := range c.QBD.Invoices.Changes(context.Background(), conductortest.DemoEndUserID, "") {
		if err != nil {
			t.Fatal(err)
		}
		if ch.Object != nil {
			seen[ch.Object.ID]++
		}
		cps = append(cps, ch.Checkpoint())
	}
	if len(seen) < 40 {
		t.Fatalf("the first run delivered %d invoices, want at least the 40 created", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%q delivered %d times", id, n)
		}
	}
	for i, cp := range cps {
		ids, caughtUp, err := runToEnd(c, cp)
		if err != nil || !caughtUp {
			t.Fatalf("the run from checkpoint %d ended with %v, caught up %v", i, err, caughtUp)
		}
		if i == len(cps)-1 && len(ids) != 0 {
			t.Errorf("the run from the last checkpoint delivered %q again", ids)
		}
	}
}

// TestStaleEntriesDoNotCrowdOutTheOverlap copies 1,900 customers
// stamped in one second T, then meets 100 that QuickBooks stamped five
// minutes before T but listed only after the first run (within the
// overlap, so delivered), then 50 stamped six minutes after T. The last
// checkpoint's overlap (from T-4m) holds 1,950 changes, fewer than the
// 2,000 a checkpoint remembers, so, as the README says, the next run
// delivers none of them again: the 100 stamped before the overlap must
// not take the places of changes within it.
func TestStaleEntriesDoNotCrowdOutTheOverlap(t *testing.T) {
	// Long under -race, and on a fake of its own: beside the rest.
	t.Parallel()
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	var customers []map[string]any
	for i := range 1900 {
		customers = append(customers, map[string]any{"name": fmt.Sprintf("T %04d", i), "updatedAt": base.Format(time.RFC3339)})
	}
	fake, err := conductortest.NewServerWithOptions(conductortest.Options{Fixtures: &conductortest.Fixtures{EndUsers: []conductortest.FixtureEndUser{{
		ID: "end_usr_old", Connected: true, QBD: map[string][]map[string]any{"customers": customers},
	}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	c, err := fake.Client()
	if err != nil {
		t.Fatal(err)
	}
	cp, n := runCustomers(t, c, "")
	if n != 1900 {
		t.Fatalf("the first run delivered %d customers, want 1900", n)
	}

	create := func(prefix string, n int) {
		t.Helper()
		for i := range n {
			if _, err := c.QBD.Customers.Create(context.Background(), "end_usr_old", conductor.CustomerCreateParams{Name: fmt.Sprintf("%s %03d", prefix, i)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	fake.Advance(-65 * time.Minute) // the fake's clock near T-5m
	create("Late", 100)
	fake.Advance(11 * time.Minute) // near T+6m
	create("New", 50)
	fake.Advance(54 * time.Minute) // back to the present

	cp, n = runCustomers(t, c, cp)
	if n != 150 {
		t.Fatalf("the second run delivered %d customers, want the 150 created", n)
	}
	got := map[string]int{}
	for ch, err := range c.QBD.Customers.Changes(context.Background(), "end_usr_old", cp) {
		if err != nil {
			t.Fatal(err)
		}
		if ch.Object != nil {
			got[strings.Fields(ch.Object.Name)[0]]++
		}
	}
	if diff := cmp.Diff(map[string]int{}, got); diff != "" {
		t.Errorf("customers delivered again, by kind (-want +got):\n%s", diff)
	}
}

// TestMoreChangesInOneSecondThanACheckpointRemembers: 2,300 customers
// stamped in one second, which a checkpoint remembers 2,000 of. Each
// later run delivers the other 300 again, and no more: one delivered
// again must not push out of the checkpoint another of that second that
// the run has yet to meet.
func TestMoreChangesInOneSecondThanACheckpointRemembers(t *testing.T) {
	// Long under -race, and on a fake of its own: beside the rest.
	t.Parallel()
	c := oldCustomers(t, 2300, 0)
	cp, n := runCustomers(t, c, "")
	if n != 2300 {
		t.Fatalf("the first run delivered %d customers, want 2300", n)
	}
	for range 2 {
		if cp, n = runCustomers(t, c, cp); n != 300 {
			t.Fatalf("a later run delivered %d customers again, want the 300 the checkpoint could not remember", n)
		}
	}
}

// TestACheckpointsSizeIsAsTheREADMEStatesIt follows 1,300 invoices
// changed a second apart, with revision numbers of QuickBooks' ten
// digits: the last checkpoint remembers the 601 of the 10 minutes
// before it, some 65 bytes of text each, 38 KB in all.
func TestACheckpointsSizeIsAsTheREADMEStatesIt(t *testing.T) {
	// Long under -race, and on a fake of its own: beside the rest.
	t.Parallel()
	fake, direct := demoFake(t)
	fake.Advance(time.Hour)
	createInvoices(t, fake, direct, 1300, time.Second)
	rw, c := newRewriter(t, fake)
	rw.object = func(inv map[string]any) { inv["revisionNumber"] = "1721172183" }
	var cp conductor.Checkpoint
	for ch, err := range c.QBD.Invoices.Changes(context.Background(), conductortest.DemoEndUserID, "") {
		if err != nil {
			t.Fatal(err)
		}
		cp = ch.Checkpoint()
	}
	if n := len(cp); n < 36_000 || n > 40_000 {
		t.Errorf("the checkpoint is %d bytes, not the README's 38 KB", n)
	}
}

// TestALongIDIsNotRemembered follows invoices whose ids a server answers
// longer than QuickBooks': those whose id and revision number take 46
// bytes together (as JSON writes them) are remembered, and the next run
// delivers none of them again; those of 47 are not, and come again, as
// the README says.
func TestALongIDIsNotRemembered(t *testing.T) {
	fake, direct := demoFake(t)
	created := createInvoices(t, fake, direct, 20, 0)
	rw, c := newRewriter(t, fake)
	const rev = "1721172183"
	long := map[string]bool{}
	for i, inv := range created {
		long[inv.ID] = i%2 == 1
	}
	pad := func(id string) string {
		n := 46 - len(rev)
		if long[id] {
			n++
		}
		return id + strings.Repeat("x", n-len(id))
	}
	rw.object = func(inv map[string]any) {
		inv["id"] = pad(fmt.Sprint(inv["id"]))
		inv["revisionNumber"] = rev
	}
	var want []string
	for _, inv := range created {
		if long[inv.ID] {
			want = append(want, pad(inv.ID))
		}
	}
	var cp conductor.Checkpoint
	for ch, err := range c.QBD.Invoices.Changes(context.Background(), conductortest.DemoEndUserID, "") {
		if err != nil {
			t.Fatal(err)
		}
		cp = ch.Checkpoint()
	}
	got, _, err := runToEnd(c, cp)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("invoices delivered again (-want +got):\n%s", diff)
	}
}
