package conductor_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/seed-6dcb809e/conductor-go/conductor"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// The tests in this file resolve writes against the fake, failing in each
// hard way it knows, and read its books afterwards.

const (
	demoCustomer = "80000001-1700000001"
	demoItem     = "80000004-1700000004"
)

// faultyFake is a fake with the demo company and a client for it whose
// writes tell Conductor to wait 1 s, so that a write it gave up on lands
// within 1 s and resolution waits 3 s at most.
func faultyFake(t *testing.T) (*conductortest.Server, *conductor.Client) {
	t.Helper()
	fake, err := conductortest.NewServerWithOptions(conductortest.Options{Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	c, err := fake.Client(conductor.WithHeader("Conductor-Timeout-Seconds", "1"))
	if err != nil {
		t.Fatal(err)
	}
	return fake, c
}

func newInvoice(ref string) conductor.InvoiceCreateParams {
	return conductor.InvoiceCreateParams{
		CustomerID: demoCustomer, RefNumber: &ref, TransactionDate: conductor.Date{Time: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
		Lines: []conductor.InvoiceCreateParamsLine{{ItemID: new(demoItem), Quantity: new(1.0), Rate: new("10.00")}},
	}
}

// invoicesNumbered lists the fake's invoices with refNumber ref: none
// when QuickBooks answers that it has no invoice numbered so.
func invoicesNumbered(t *testing.T, fake *conductortest.Server, ref string) []conductor.Invoice {
	t.Helper()
	c, err := fake.Client()
	if err != nil {
		t.Fatal(err)
	}
	var out []conductor.Invoice
	for inv, err := range c.QBD.Invoices.All(context.Background(), conductortest.DemoEndUserID, &conductor.InvoiceListParams{RefNumbers: []string{ref}}) {
		if apiErr := (*conductor.Error)(nil); errors.As(err, &apiErr) && apiErr.IntegrationCode == "500" {
			return nil
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, inv)
	}
	return out
}

// writesTo counts the fake's requests of method to path.
func writesTo(fake *conductortest.Server, method, path string) int {
	n := 0
	for _, r := range fake.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// TestEachHardFaultIsResolved makes each kind of write fail each hard way
// once: every call succeeds, and the books hold each write once.
func TestEachHardFaultIsResolved(t *testing.T) {
	t.Parallel()
	faults := []conductortest.Fault{conductortest.ApplyThenDrop, conductortest.ApplyThen5xx, conductortest.ApplyLate, conductortest.TimeoutNoApply}
	eu := conductortest.DemoEndUserID
	for _, fault := range faults {
		t.Run(fault.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			fake, c := faultyFake(t)
			fail := func() {
				t.Helper()
				if err := fake.Enqueue(conductortest.Response{Fault: fault}); err != nil {
					t.Fatal(err)
				}
			}

			fail()
			inv, err := c.QBD.Invoices.Create(ctx, eu, newInvoice("F-1"))
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			fake.Settle()
			if got := invoicesNumbered(t, fake, "F-1"); len(got) != 1 || got[0].ID != inv.ID {
				t.Fatalf("create: the books hold %d invoices F-1; want 1, the one returned (%s)", len(got), inv.ID)
			}

			fail()
			memo := "after " + fault.String()
			up, err := c.QBD.Invoices.Update(ctx, eu, inv.ID, conductor.InvoiceUpdateParams{RevisionNumber: inv.RevisionNumber, Memo: &memo})
			if err != nil {
				t.Fatalf("update: %v", err)
			}
			fake.Settle()
			got := invoicesNumbered(t, fake, "F-1")
			if up.Memo == nil || *up.Memo != memo || len(got) != 1 || got[0].Memo == nil || *got[0].Memo != memo || got[0].RevisionNumber != up.RevisionNumber {
				t.Fatalf("update: returned memo %v rev %s; the books hold %+v; want the memo %q, once, at the returned revision", up.Memo, up.RevisionNumber, got, memo)
			}

			fail()
			if v, err := c.QBD.Invoices.Void(ctx, eu, inv.ID); err != nil || !v.Voided || v.ID != inv.ID {
				t.Fatalf("void: %+v, %v; want it voided", v, err)
			}
			fake.Settle()
			if got := invoicesNumbered(t, fake, "F-1"); len(got) != 1 || got[0].Memo == nil || *got[0].Memo != "VOID: "+memo {
				t.Fatalf("void: the books hold %+v; want the invoice voided once", got)
			}

			fail()
			if d, err := c.QBD.Invoices.Delete(ctx, eu, inv.ID); err != nil || !d.Deleted || d.ID != inv.ID || d.ObjectType != conductor.ObjectTypeInvoice {
				t.Fatalf("delete: %+v, %v; want it deleted", d, err)
			}
			fake.Settle()
			if got := invoicesNumbered(t, fake, "F-1"); len(got) != 0 {
				t.Fatalf("delete: the books still hold %+v", got)
			}
		})
	}
}

// TestALookupReadsEveryPage: Conductor keeps a listing's nextCursor the
// same from page to page, so a lookup that took a repeated cursor for the
// end never saw the pages after the second, missed a create that had
// landed, and sent it again.
func TestALookupReadsEveryPage(t *testing.T) {
	t.Parallel()
	ctx, eu := context.Background(), conductortest.DemoEndUserID
	fake, c := faultyFake(t)
	for i := range 400 { // three pages and a bit before the one looked for
		if _, err := c.QBD.Invoices.Create(ctx, eu, newInvoice(fmt.Sprintf("P-%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	before := writesTo(fake, http.MethodPost, "/quickbooks-desktop/invoices")
	if err := fake.Enqueue(conductortest.Response{Fault: conductortest.ApplyThenDrop}); err != nil {
		t.Fatal(err)
	}
	inv, err := c.QBD.Invoices.Create(ctx, eu, newInvoice("LAST"))
	if err != nil {
		t.Fatal(err)
	}
	if n := writesTo(fake, http.MethodPost, "/quickbooks-desktop/invoices") - before; n != 1 {
		t.Errorf("the create was sent %d times; want once, and found by the lookup", n)
	}
	if got := invoicesNumbered(t, fake, "LAST"); len(got) != 1 || got[0].ID != inv.ID {
		t.Errorf("the books hold %d invoices LAST; want 1, the one returned", len(got))
	}
}
