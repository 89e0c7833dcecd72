package conductortest_test

import (
	"fmt"
	"net/http"
	"strings"
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
	kept := deletedData(t, srv, "deleted-transactions?transactionTypes=invoice")
	if len(kept) != 1 {
		t.Fatalf("a create refused for want of room, even without the records, dropped the record of a deleted invoice: %v", kept)
	}
	if got := conductortest.ObjectBytes(srv); got > conductortest.MaxObjectBytes {
		t.Errorf("the fake counts %d bytes; want at most MaxObjectBytes, %d", got, conductortest.MaxObjectBytes)
	}

	// A probe measures what an invoice with a memo costs; its deletion
	// leaves a second record. Then an invoice one byte larger than the
	// room left fits only in the room of the oldest record, INV-2's.
	before := conductortest.ObjectBytes(srv)
	probe := decodeObject(t, send(t, srv, "POST", "/quickbooks-desktop/invoices", qbdHeader(srv, "end_usr_a"), memoInvoice(1)))
	perMemo := conductortest.ObjectBytes(srv) - before - 1 // an invoice with an empty memo
	deleteTransaction(t, srv, "end_usr_a", "invoices", probe["id"].(string))
	room := conductortest.MaxObjectBytes - conductortest.ObjectBytes(srv)
	r := send(t, srv, "POST", "/quickbooks-desktop/invoices", qbdHeader(srv, "end_usr_a"), memoInvoice(room-perMemo+1))
	if r.status != http.StatusOK {
		t.Fatalf("an invoice that fits in the room of the oldest record: status %d: %.300s", r.status, r.body)
	}
	want := []any{map[string]any{"id": probe["id"], "objectType": "qbd_deleted_transaction", "transactionType": "invoice",
		"createdAt": probe["createdAt"], "deletedAt": probe["createdAt"], "refNumber": probe["refNumber"]}}
	if diff := cmp.Diff(want, deletedData(t, srv, "deleted-transactions?transactionTypes=invoice")); diff != "" {
		t.Errorf("after an invoice took the oldest record's room (-want +got):\n%s", diff)
	}
	if got := conductortest.ObjectBytes(srv); got > conductortest.MaxObjectBytes {
		t.Errorf("the fake counts %d bytes; want at most MaxObjectBytes, %d", got, conductortest.MaxObjectBytes)
	}
}

// memoInvoice is the body of an invoice whose memo is n bytes long, with
// a refNumber of fixed length so that only the memo changes its size.
func memoInvoice(n int) string {
	return fmt.Sprintf(`{"customerId":"80000001-1","transactionDate":"2024-10-01","refNumber":"R-1","memo":%q}`, strings.Repeat("m", n))
}

// TestDeletionsGoWithTheirEndUser: deleting an end-user forgets the
// records of its deleted objects, and their bytes, with it.
func TestDeletionsGoWithTheirEndUser(t *testing.T) {
	alone := conductortest.ObjectBytes(clockServer(t, conductortest.FixtureEndUser{ID: "end_usr_a"}))
	srv := clockServer(t, conductortest.FixtureEndUser{ID: "end_usr_a"}, conductortest.FixtureEndUser{ID: "end_usr_b"})
	inv := createTransaction(t, srv, "end_usr_b", "invoices", "INV-B")
	deleteTransaction(t, srv, "end_usr_b", "invoices", inv["id"].(string))
	if r := send(t, srv, "DELETE", "/end-users/end_usr_b", authorized(srv), ""); r.status != http.StatusOK {
		t.Fatalf("deleting end_usr_b: status %d: %s", r.status, r.body)
	}
	if got := conductortest.ObjectBytes(srv); got != alone {
		t.Errorf("after end_usr_b was deleted the fake counts %d bytes; want the %d of end_usr_a alone", got, alone)
	}
}
