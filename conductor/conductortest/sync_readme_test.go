package conductortest_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// invoiceCopy is a program's copy of one end-user's invoices, by id, and
// the checkpoint it is up to date with. A real program keeps both in its
// database and changes them in one transaction.
type invoiceCopy struct {
	Invoices   map[string]conductor.Invoice
	Checkpoint conductor.Checkpoint
}

// syncInvoices brings the copy up to date with the end-user's invoices in
// QuickBooks Desktop. Call it for each end-user every few minutes, and at
// least every 88 days.
func syncInvoices(ctx context.Context, client *conductor.Client, endUserID string, c *invoiceCopy) error {
	for ch, err := range client.QBD.Invoices.Changes(ctx, endUserID, c.Checkpoint) {
		if errors.Is(err, conductor.ErrResyncNeeded) {
			// Too long since the last run: QuickBooks may have forgotten
			// deletions since. Start again from nothing.
			clear(c.Invoices)
			c.Checkpoint = ""
			return syncInvoices(ctx, client, endUserID, c)
		}
		if err != nil {
			return err // the copy is as of c.Checkpoint; the next run resumes there
		}
		switch {
		case ch.Object != nil:
			c.Invoices[ch.Object.ID] = *ch.Object
		case ch.Deleted != nil:
			delete(c.Invoices, ch.Deleted.ID) // perhaps one the copy never held
		}
		c.Checkpoint = ch.Checkpoint() // stored with the change it follows
	}
	return nil
}

// TestKeepingACopyInSync runs the README's syncInvoices against the fake:
// a first run copies every invoice, a later one applies creates, updates
// and deletions, and a run after more than 90 days of QuickBooks' clock
// clears the copy of a deletion QuickBooks no longer lists and copies
// everything again.
func TestKeepingACopyInSync(t *testing.T) {
	srv := conductortest.NewServer()
	defer srv.Close()
	// Conductor's time, as the feed reads it from the Date header, is the
	// fake's clock, which Advance moves on.
	client, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	advance := srv.Advance
	ctx := t.Context()

	endUser, err := client.EndUsers.Create(ctx, conductor.EndUserCreateParams{CompanyName: "Acme", SourceID: "acct_42", Email: "ap@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Connect(endUser.ID); err != nil {
		t.Fatal(err)
	}
	customer, err := client.QBD.Customers.Create(ctx, endUser.ID, conductor.CustomerCreateParams{Name: "Globex"})
	if err != nil {
		t.Fatal(err)
	}
	create := func() conductor.Invoice {
		t.Helper()
		invoice, err := client.QBD.Invoices.Create(ctx, endUser.ID, conductor.InvoiceCreateParams{
			CustomerID:      customer.ID,
			TransactionDate: conductor.Date{Time: time.Date(2024, time.October, 1, 0, 0, 0, 0, time.UTC)},
			Lines:           []conductor.InvoiceCreateParamsLine{{Description: new("Consulting"), Quantity: new(2.0), Rate: new("150.00")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return *invoice
	}
	remove := func(id string) {
		t.Helper()
		if _, err := client.QBD.Invoices.Delete(ctx, endUser.ID, id); err != nil {
			t.Fatal(err)
		}
	}
	// sync runs syncInvoices and holds the copy against the fake's
	// invoices, read whole.
	sync := func(what string, c *invoiceCopy) {
		t.Helper()
		if err := syncInvoices(ctx, client, endUser.ID, c); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		want := map[string]conductor.Invoice{}
		for invoice, err := range client.QBD.Invoices.All(ctx, endUser.ID, nil) {
			if err != nil {
				t.Fatal(err)
			}
			want[invoice.ID] = invoice
		}
		if diff := cmp.Diff(want, c.Invoices); diff != "" {
			t.Errorf("%s: the copy (-QuickBooks +copy):\n%s", what, diff)
		}
		if c.Checkpoint == "" {
			t.Errorf("%s: no checkpoint stored", what)
		}
	}

	first, second, third := create(), create(), create()
	c := &invoiceCopy{Invoices: map[string]conductor.Invoice{}}
	sync("the first run", c)
	if len(c.Invoices) != 3 {
		t.Fatalf("the first run copied %d invoices, want 3", len(c.Invoices))
	}

	advance(time.Minute)
	if _, err := client.QBD.Invoices.Update(ctx, endUser.ID, first.ID, conductor.InvoiceUpdateParams{RevisionNumber: first.RevisionNumber, Memo: new("Paid")}); err != nil {
		t.Fatal(err)
	}
	remove(second.ID)
	create()
	gone := create()
	remove(gone.ID) // created and deleted between two runs
	sync("a run after an update, creates and deletions", c)
	if got := c.Invoices[first.ID].Memo; got == nil || *got != "Paid" {
		t.Errorf("the updated invoice's memo in the copy: %v, want Paid", got)
	}

	// A run from the checkpoint stored last, with nothing new, changes
	// nothing.
	sync("a run with nothing new", c)

	// The next run comes after QuickBooks forgot the last deletion: only
	// a copy started again from nothing loses the deleted invoice.
	remove(third.ID)
	advance(91 * 24 * time.Hour)
	sync("a run after 91 days", c)
	if _, held := c.Invoices[third.ID]; held {
		t.Errorf("the copy still holds %s, deleted more than 90 days ago", third.ID)
	}
}

// TestSyncExampleIsTheREADMEs holds the README's "Keeping a copy in sync"
// example to this file's text, so that the example printed is the one
// TestKeepingACopyInSync runs.
func TestSyncExampleIsTheREADMEs(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Keeping a copy in sync\n")
	if !ok {
		t.Fatal(`README.md has no section "Keeping a copy in sync"`)
	}
	_, block, ok := strings.Cut(section, "\n```go\n")
	if ok {
		block, _, ok = strings.Cut(block, "\n```\n")
	}
	if !ok {
		t.Fatal(`README.md's "Keeping a copy in sync" has no go code block`)
	}
	src, err := os.ReadFile("sync_readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), block+"\n") {
		t.Errorf("README.md's example of keeping a copy in sync is not the text of sync_readme_test.go, which its test runs; copy it from there:\n%s", block)
	}
}
