package conductortest_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/seed-6dcb809e/conductor-go/conductor/conductortest"
)

// TestDeletionsCountAgainstMaxObjectBytes: the record of a deleted
// object counts against MaxObjectBytes until QuickBooks' 90 days pass,
// and gives way to objects when the fake is full, oldest first.
func TestDeletionsCountAgainstMaxObjectBytes(t *testing.T) {
	srv := clockServer(t, conductortest.FixtureEndUser{ID: "end_usr_a"})
	base := conductortest.ObjectBytes(srv)
	inv := createTransaction(t, srv, "end_usr_a", "invoices", "INV-1")
	withInvoice := conductortest.ObjectBytes(srv)
	deleteTransaction(t, srv, "end_usr_a", "invoices", inv["id"].(string))
	if got := conductortest.ObjectBytes(srv); got <= base || got >= withInvoice {
		t.Errorf("after the delete the fake counts %d bytes; want more than the %d before the invoice (its record) and less than the %d with it", got, base, withInvoice)
	}
	srv.Advance(90*24*time.Hour + time.Second)
	if diff := cmp.Diff([]any{}, deletedData(t, srv, "deleted-transactions?transactionTypes=invoice")); diff != "" {
		t.Errorf("after 90 days (-want +got):\n%s", diff)
	}
	if got := conductortest.ObjectBytes(srv); got != base {
		t.Errorf("after 90 days the fake counts %d bytes; want the %d before the invoice", got, base)
	}

	inv = createTransaction(t, srv, "end_usr_a", "invoices", "INV-2")
	deleteTransaction(t, srv, "end_usr_a", "invoices", inv["id"].(string))
	fillWithInvoices(t, srv, "end_usr_a")
	if diff := cmp.Diff([]any{}, deletedData(t, srv, "deleted-transactions?transactionTypes=invoice")); diff != "" {
		t.Errorf("with the fake filled with invoices, the record of a deleted one is still kept (-want +got):\n%s", diff)
	}
	if got := conductortest.ObjectBytes(srv); got > conductortest.MaxObjectBytes {
		t.Errorf("the fake counts %d bytes; want at most MaxObjectBytes, %d", got, conductortest.MaxObjectBytes)
	}
}
